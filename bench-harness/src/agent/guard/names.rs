//! The names the guard's rules are made of.

/// The modules of `std`, `core` and `alloc` library code may name: computation, memory,
/// threads and the I/O traits. Everything that reaches the world outside the process (`fs`,
/// `net`, `process`, `env`, `os`, `path`, `ffi`) or a clock (`time`) is absent.
pub const STD_MODULES: &[&str] = &[
    "alloc",
    "any",
    "array",
    "arch",
    "ascii",
    "borrow",
    "boxed",
    "cell",
    "char",
    "clone",
    "cmp",
    "collections",
    "convert",
    "default",
    "error",
    "f32",
    "f64",
    "fmt",
    "hash",
    "hint",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "io",
    "isize",
    "iter",
    "marker",
    "mem",
    "num",
    "ops",
    "option",
    "panic",
    "pin",
    "prelude",
    "primitive",
    "ptr",
    "rc",
    "result",
    "slice",
    "str",
    "string",
    "sync",
    "thread",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "vec",
];

/// Macros `std::name!` / `core::name!` library code may name by path.
pub const STD_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "format",
    "format_args",
    "write",
    "writeln",
    "print",
    "println",
    "eprint",
    "eprintln",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "matches",
    "concat",
    "stringify",
    "cfg",
    "column",
    "file",
    "line",
    "module_path",
    "dbg",
    "compile_error",
    "vec",
];

/// Crate roots whose modules are judged by [`STD_MODULES`].
pub const STD_ROOTS: &[&str] = &["std", "core", "alloc"];

/// Built-in macros that read files or the build environment, or emit machine code. Library
/// code may not name them at all; test code may use `include_bytes!`/`include_str!` of a
/// file inside `codec/` and `env!("CARGO_MANIFEST_DIR")`.
pub const FORBIDDEN_MACROS: &[&str] = &[
    "include",
    "include_bytes",
    "include_str",
    "env",
    "option_env",
    "asm",
    "global_asm",
    "naked_asm",
];

/// Attributes any compiled file may carry (tool attributes `clippy::`, `rustfmt::` and
/// `diagnostic::` too). Everything else, in particular `path`, `link_section`, `no_mangle`,
/// `export_name`, `used`, `link`, `global_allocator` and `naked`, is refused: they reach
/// files the guard does not follow or place code where it runs before `main` or replaces the
/// harness's own.
pub const ATTRIBUTES: &[&str] = &[
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "cfg",
    "cfg_attr",
    "derive",
    "doc",
    "inline",
    "cold",
    "repr",
    "must_use",
    "target_feature",
    "track_caller",
    "non_exhaustive",
    "deprecated",
    "automatically_derived",
    "macro_export",
    "macro_use",
    "test",
    "ignore",
    "should_panic",
    "recursion_limit",
    "type_length_limit",
];

/// Attributes test code may carry besides [`ATTRIBUTES`]: a test binary's own allocator (to
/// count allocations) replaces nothing the harness runs.
pub const TEST_ATTRIBUTES: &[&str] = &["global_allocator"];

pub const TOOL_NAMESPACES: &[&str] = &["clippy", "rustfmt", "diagnostic"];

/// Attributes refused inside macro input as well, where the guard cannot tell attributes from
/// other tokens by parsing: any of these names after `#[` is a violation.
pub const FORBIDDEN_ATTRIBUTES: &[&str] = &[
    "path",
    "link_section",
    "no_mangle",
    "export_name",
    "used",
    "link",
    "link_name",
    "link_ordinal",
    "global_allocator",
    "naked",
    "linkage",
    "debugger_visualizer",
    "crate_type",
    "crate_name",
    "no_main",
    "no_builtins",
    "unsafe",
];

/// The environment variable test code may read with `env!`: cargo's package directory.
pub const TEST_ENV: &str = "CARGO_MANIFEST_DIR";

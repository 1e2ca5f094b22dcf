//! The rules on source text: every spelling that once slipped past a token scanner, and the
//! reference codec's own idioms, which must pass.

use super::rules;
use crate::agent::source::CrateSource;
use std::path::Path;

/// Violations of a package whose library is `lib` plus `files`, as `file:line: what`.
fn violations(lib: &str, files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let codec = dir.path().join("codec");
    let write = |path: &str, text: &str| {
        let p = codec.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("Cargo.toml", "[package]\nname = \"codec\"\n");
    write("src/lib.rs", lib);
    for (path, text) in files {
        write(path, text);
    }
    let source = CrateSource::discover(&codec);
    let mut out: Vec<String> = source
        .problems
        .iter()
        .map(|p| format!("{}:{}: {}", p.shown, p.line, p.what))
        .collect();
    for file in &source.files {
        for f in rules::check(file, &codec) {
            out.push(format!("{}:{}: {}", file.shown, f.line, f.what));
        }
    }
    out
}

fn assert_refused(lib: &str, needle: &str) {
    let v = violations(lib, &[]);
    assert!(
        v.iter().any(|m| m.contains(needle)),
        "expected {needle:?} for:\n{lib}\ngot {v:?}"
    );
}

#[test]
fn the_reference_codecs_idioms_pass() {
    let lib = r#"
#![deny(unsafe_code)]
//! A codec.
use std::io::{self, Read, Seek, Write};
use std::collections::HashMap;
use std::sync::{atomic::{AtomicUsize, Ordering}, Arc};
use std::alloc::{alloc, dealloc, Layout};
mod prefetch;
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub struct Lane { x: [u32; 4] }
#[inline(always)]
fn mix(a: u32) -> u32 { std::hint::black_box(a).rotate_left(std::mem::size_of::<u32>() as u32) }
pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut v = vec![0u8; 4];
    debug_assert!(v.len() <= std::u32::MAX as usize, "{}", std::any::type_name::<u8>());
    std::thread::scope(|s| { s.spawn(|| ()); });
    io::copy(&mut input, &mut output)?;
    let _ = format!("{:?}", v.pop());
    output.flush()
}
#[cfg(test)]
mod tests {
    const SEED: &[u8] = include_bytes!("testdata/seed.bin");
    #[test]
    fn reads_its_data() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let _ = std::fs::read(dir.join("tests/x")).ok();
        assert!(!SEED.is_empty());
    }
}
"#;
    let prefetch = r#"#![allow(unsafe_code)]
pub fn prefetch<T>(slice: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = slice.get(index) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) }
    }
}
"#;
    let test = r#"
use std::io::Cursor;
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn round_trip(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
        let _ = std::env::var("HOME");
        let _ = Cursor::new(data);
    }
}
const JPEG: &[u8] = include_bytes!("../src/testdata/seed.bin");
#[global_allocator]
static COUNTING: std::alloc::System = std::alloc::System;
"#;
    let v = violations(
        lib,
        &[
            ("src/prefetch.rs", prefetch),
            ("src/testdata/seed.bin", "x"),
            ("tests/round.rs", test),
        ],
    );
    assert_eq!(v, Vec::<String>::new());
}

#[test]
fn every_spelling_of_a_forbidden_module_is_refused() {
    for (lib, needle) in [
        ("use std::fs::read;", "uses std::fs"),
        ("fn f() { let _ = ::std::env::var(\"X\"); }", "uses std::env"),
        ("use std::{self as s};\nfn f() { let _ = s::fs::read(\"x\"); }", "aliases std (`as s`)"),
        ("use std as s;", "aliases std"),
        ("use std::{{fs}};", "uses std::fs"),
        ("use std::{io, {process::Command}};", "uses std::process"),
        ("use std::*;", "glob import of std::*"),
        ("use core::*;", "glob import of core::*"),
        ("fn f() -> std::path::PathBuf { todo!() }", "uses std::path"),
        ("fn f() { let _ = std::time::Instant::now(); }", "uses std::time"),
        ("extern crate std as s;", "declares `extern crate std`"),
        (
            "macro_rules! p {($a:ident,$b:ident,$f:ident)=>{$a::$b::$f}}\nfn f() { let _ = p!(std, fs, read); }",
            "names `std` other than as the start of a path",
        ),
        (
            "macro_rules! q {($p:path)=>{$p}}\nfn f() { let _ = q!(std::net::TcpStream::connect); }",
            "uses std::net",
        ),
        ("fn f() { println!(\"{:?}\", std::env::args()); }", "uses std::env"),
    ] {
        assert_refused(lib, needle);
    }
}

#[test]
fn every_spelling_of_a_forbidden_macro_is_refused() {
    for (lib, needle) in [
        ("static D: &[u8] = include_bytes!(\"data.bin\");", "include_bytes! is not allowed in library code"),
        ("const K: Option<&str> = option_env!(\"HARNESS_HOLDOUT_SEED\");", "option_env! is not allowed"),
        ("const K: &str = env!(\"HOME\");", "env! is not allowed"),
        ("include!(\"helper.inc\");", "include! is not allowed"),
        ("static D: &[u8] = r#include_bytes!(\"x\");", "include_bytes! is not allowed"),
        ("static D: &[u8] = core::include_bytes!(\"x\");", "include_bytes! is not allowed"),
        ("use std::prelude::v1::include_bytes as inc;", "names `include_bytes` in a path"),
        (
            "macro_rules! e { ($m:ident, $p:literal) => { $m!($p) } }\nstatic D: &[u8] = e!(include_bytes, \"/data/prose.txt\");",
            "invokes a macro named by a macro argument (`$m!`)",
        ),
        (
            "macro_rules! e { ($m:ident, $p:literal) => { $m!($p) } }\nstatic D: &[u8] = e!(include_bytes, \"/data/prose.txt\");",
            "passes the name `include_bytes` to a macro",
        ),
        (
            "macro_rules! s { ($v:ident) => { $v!(\"HARNESS_HOLDOUT_SEED\") } }\nconst K: Option<&str> = s!(option_env);",
            "passes the name `option_env` to a macro",
        ),
        ("macro_rules! g { () => { include_str!(\"x\") } }", "include_str! is not allowed in library code"),
        ("#[doc = include_str!(\"../../README.md\")]\npub fn f() {}", "include_str! is not allowed"),
        ("fn f() { unsafe { core::arch::asm!(\"nop\") } }", "asm! is not allowed"),
        ("macro_rules! include_bytes { () => {} }", "defines a macro named `include_bytes`"),
    ] {
        assert_refused(lib, needle);
    }
}

#[test]
fn foreign_code_paths_and_placement_attributes_are_refused() {
    for (lib, needle) in [
        ("extern \"C\" { fn getenv(k: *const u8) -> *const u8; }", "declares an `extern` block"),
        ("#[path = \"helper.txt\"]\nmod helper;", "#[path] is not allowed"),
        ("#[cfg_attr(all(), path = \"helper.txt\")]\nmod helper;", "#[path] is not allowed"),
        ("#[link_section = \".init_array\"]\n#[used]\nstatic INIT: extern \"C\" fn() = f;\nextern \"C\" fn f() {}", "#[link_section] is not allowed"),
        ("#[no_mangle]\npub extern \"C\" fn main() {}", "#[no_mangle] is not allowed"),
        ("#[export_name = \"malloc\"]\npub fn m() {}", "#[export_name] is not allowed"),
        ("#[global_allocator]\nstatic A: std::alloc::System = std::alloc::System;", "#[global_allocator] is not allowed"),
        ("macro_rules! m { () => { #[link_section = \".init_array\"] static X: u8 = 0; } }", "#[link_section] is not allowed (inside a macro's input)"),
        ("macro_rules! m { () => { extern \"C\" { fn f(); } } }", "declares an `extern` block (inside a macro's input)"),
    ] {
        assert_refused(lib, needle);
    }
}

#[test]
fn test_code_may_read_files_only_inside_the_package() {
    let outside = violations(
        "",
        &[(
            "tests/t.rs",
            "const D: &[u8] = include_bytes!(\"../../datasets/cache/prose.txt\");\n\
             const K: &str = env!(\"HARNESS_HOLDOUT_SEED\");\nconst O: Option<&str> = option_env!(\"X\");",
        )],
    );
    let joined = outside.join("\n");
    for needle in [
        "codec/tests/t.rs:1: include_bytes!(\"../../datasets/cache/prose.txt\") reads outside codec/",
        "codec/tests/t.rs:2: env!(\"HARNESS_HOLDOUT_SEED\") reads the build environment",
        "codec/tests/t.rs:3: option_env! is not allowed",
    ] {
        assert!(joined.contains(needle), "missing {needle:?} in {joined}");
    }
    let abs = violations(
        "",
        &[(
            "tests/t.rs",
            "const D: &[u8] = include_bytes!(\"/etc/passwd\");",
        )],
    );
    assert!(abs[0].contains("reads outside codec/"), "{abs:?}");
}

#[test]
fn line_numbers_point_at_the_violation() {
    let v = violations("\n\nuse std::fs;\n", &[]);
    assert_eq!(
        v,
        ["codec/src/lib.rs:3: uses std::fs (not on the allow-list of std modules)"]
    );
    let _ = Path::new("");
}

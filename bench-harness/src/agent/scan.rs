//! Finds what a codec source file must not use: `std::fs`, `std::net`, `std::process`,
//! `std::env`, `std::os`, aliases of `std`, `extern` blocks and crates, inline assembly,
//! compile-time environment (`env!`), and `include_bytes!`/`include_str!`/`include!` or
//! `#[path]` reaching outside `codec/src`.
//!
//! A small tokenizer drops comments and string contents first, so prose in comments or
//! strings never matches and formatting (`std :: fs`, grouped imports) does not hide a use.

use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

/// One finding: 1-based line and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub what: String,
}

const FORBIDDEN_MODULES: [&str; 5] = ["fs", "net", "process", "env", "os"];

/// Scans `text`, the file at `file` (a path under `src_root`).
pub fn scan(text: &str, file: &Path, src_root: &Path) -> Vec<Finding> {
    let toks = tokenize(text);
    let dir = file.parent().unwrap_or(src_root);
    let mut found = Vec::new();
    let at = |i: usize| toks.get(i).map(|(t, _)| t);
    let ident = |i: usize, name: &str| matches!(at(i), Some(Tok::Ident(s)) if s == name);
    let punct = |i: usize, c: char| at(i) == Some(&Tok::Punct(c));
    for (i, (tok, line)) in toks.iter().enumerate() {
        let mut report = |what: String| found.push(Finding { line: *line, what });
        let Tok::Ident(name) = tok else { continue };
        match name.as_str() {
            "std" if punct(i + 1, ':') && punct(i + 2, ':') => {
                if let Some(Tok::Ident(module)) = at(i + 3) {
                    if FORBIDDEN_MODULES.contains(&module.as_str()) {
                        report(format!("uses std::{module}"));
                    }
                } else if punct(i + 3, '{') {
                    for module in group_heads(&toks[i + 4..]) {
                        report(format!("uses std::{module} (in a grouped import)"));
                    }
                }
            }
            "std" if ident(i + 1, "as") => report("aliases std (`std as`)".into()),
            "extern" if ident(i + 1, "crate") => report("declares an `extern crate`".into()),
            "extern"
                if punct(i + 1, '{')
                    || (matches!(at(i + 1), Some(Tok::Str(_))) && punct(i + 2, '{')) =>
            {
                report("declares an `extern` block (foreign functions)".into())
            }
            "asm" | "global_asm" | "naked_asm" if punct(i + 1, '!') => {
                report(format!("uses inline assembly ({name}!)"))
            }
            "env" | "option_env" if punct(i + 1, '!') => {
                report(format!("reads the build environment ({name}!)"))
            }
            "include_bytes" | "include_str" | "include" if punct(i + 1, '!') => match at(i + 3) {
                Some(Tok::Str(path)) if punct(i + 2, '(') || punct(i + 2, '[') => {
                    if !inside(&dir.join(path), src_root) {
                        report(format!("{name}!(\"{path}\") reads outside codec/src"));
                    }
                }
                _ => report(format!("{name}! with a computed path")),
            },
            "path" if i >= 2 && punct(i - 1, '[') && punct(i - 2, '#') && punct(i + 1, '=') => {
                if let Some(Tok::Str(path)) = at(i + 2) {
                    if !inside(&dir.join(path), src_root) {
                        report(format!("#[path = \"{path}\"] points outside codec/src"));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// First identifiers of each item of a `{ ... }` group whose opening brace was just consumed.
fn group_heads(toks: &[(Tok, usize)]) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 1;
    let mut item_start = true;
    for (tok, _) in toks {
        match tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Tok::Punct(',') if depth == 1 => {
                item_start = true;
                continue;
            }
            Tok::Ident(name)
                if depth == 1 && item_start && FORBIDDEN_MODULES.contains(&name.as_str()) =>
            {
                heads.push(name.clone());
            }
            _ => {}
        }
        item_start = false;
    }
    heads
}

/// Lexically normalised `path` starts with `root` (both as given, no symlinks resolved).
fn inside(path: &Path, root: &Path) -> bool {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return false;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.starts_with(root)
}

fn tokenize(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line) = (0, 1);
    let peek = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && peek(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && peek(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && peek(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && peek(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if let Some((len, hashes)) = raw_string_start(&chars[i..]) {
            i += len;
            let mut s = String::new();
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|k| peek(i + 1 + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                line += usize::from(chars[i] == '\n');
                s.push(chars[i]);
                i += 1;
            }
            toks.push((Tok::Str(s), start_line));
        } else if c == '"' || ((c == 'b' || c == 'c') && peek(i + 1) == '"') {
            i += if c == '"' { 1 } else { 2 };
            let mut s = String::new();
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    s.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    line += usize::from(chars[i] == '\n');
                    s.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            toks.push((Tok::Str(s), start_line));
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            if peek(i + 1) == '\\' {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if peek(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let mut s = String::new();
            if c == 'r' && peek(i + 1) == '#' && (peek(i + 2).is_alphabetic() || peek(i + 2) == '_')
            {
                i += 2;
            }
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                s.push(chars[i]);
                i += 1;
            }
            toks.push((Tok::Ident(s), start_line));
        } else {
            toks.push((Tok::Punct(c), start_line));
            i += 1;
        }
    }
    toks
}

/// Length of a raw string opener (`r"`, `r#"`, `br##"`, ...) at the start of `s`, and its `#`s.
fn raw_string_start(s: &[char]) -> Option<(usize, usize)> {
    let mut i = match s {
        ['r', ..] => 1,
        ['b' | 'c', 'r', ..] => 2,
        _ => return None,
    };
    let mut hashes = 0;
    while s.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    (s.get(i) == Some(&'"')).then_some((i + 1, hashes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<String> {
        let root = Path::new("/w/codec/src");
        scan(text, &root.join("lib.rs"), root)
            .into_iter()
            .map(|f| format!("{}: {}", f.line, f.what))
            .collect()
    }

    #[test]
    fn finds_forbidden_uses_however_written() {
        assert_eq!(find("use std::fs::File;"), ["1: uses std::fs"]);
        assert_eq!(
            find("fn f() {\n let _ = std :: net :: TcpStream::connect(\"x\"); }"),
            ["2: uses std::net"]
        );
        assert_eq!(
            find("use std::{io::{self, Read}, process, env};"),
            [
                "1: uses std::process (in a grouped import)",
                "1: uses std::env (in a grouped import)"
            ]
        );
        assert_eq!(find("use ::std::os::fd::FromRawFd;"), ["1: uses std::os"]);
        assert_eq!(find("extern crate std as s;").len(), 2);
        assert_eq!(
            find("extern \"C\" { fn open(); }"),
            ["1: declares an `extern` block (foreign functions)"]
        );
        assert_eq!(
            find("const K: &str = env!(\"HARNESS_HOLDOUT_SEED\");").len(),
            1
        );
        assert_eq!(find("unsafe { core::arch::asm!(\"syscall\") }").len(), 1);
    }

    #[test]
    fn includes_are_judged_by_where_they_point() {
        assert!(find("static T: &[u8] = include_bytes!(\"tables/t.bin\");").is_empty());
        assert_eq!(
            find("static T: &[u8] = include_bytes!(\"../../datasets/cache/x.wav\");"),
            ["1: include_bytes!(\"../../datasets/cache/x.wav\") reads outside codec/src"]
        );
        assert_eq!(
            find("static T: &str = include_str!(concat!(\"/etc/\", \"passwd\"));"),
            ["1: include_str! with a computed path"]
        );
        assert_eq!(
            find("#[path = \"../../x.rs\"]\nmod x;"),
            ["1: #[path = \"../../x.rs\"] points outside codec/src"]
        );
    }

    #[test]
    fn comments_strings_and_lookalikes_are_not_findings() {
        let ok = r##"
            // std::fs is forbidden here
            /* nested /* std::net */ comment */
            const S: &str = "std::process::Command";
            const R: &str = r#"use std::env;"#;
            fn f<'a>(x: &'a [u8]) -> char { let _ = my::std_fs(); '"' }
            extern "C" fn callback() {}
            use std::io::{self, Read, Seek};
        "##;
        assert_eq!(find(ok), Vec::<String>::new());
    }
}

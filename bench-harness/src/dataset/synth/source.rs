//! C-like and Rust-like source code: functions named from a Zipf-weighted identifier pool,
//! nested blocks with four-space indentation, comments, and the idioms real code repeats
//! (error checks, loops over buffers, early returns, match/switch).

use super::cut;
use super::rng::{Stream, Zipf};

const NOUNS: &[&str] = &[
    "buf", "len", "ctx", "node", "entry", "table", "index", "count", "offset", "state", "flags",
    "header", "block", "frame", "value", "key", "hash", "list", "item", "size", "mode", "pos",
    "next", "prev", "data", "result", "config", "stream", "packet", "cursor", "page", "cache",
    "slot", "width", "limit", "total", "input", "output", "token", "name", "path", "queue",
];
const VERBS: &[&str] = &[
    "init", "read", "write", "parse", "emit", "find", "insert", "remove", "update", "reset",
    "flush", "alloc", "free", "check", "compute", "encode", "decode", "lookup", "push", "pop",
    "scan", "load", "store", "open", "close", "validate", "resize", "merge", "split", "copy",
];
const COMMENT_WORDS: &[&str] = &[
    "the", "a", "of", "to", "is", "we", "if", "this", "must", "not", "be", "when", "so", "that",
    "buffer", "length", "entry", "table", "caller", "owns", "returns", "error", "zero", "end",
    "before", "after", "here", "keep", "handle", "case", "overflow", "aligned", "already", "fast",
    "path", "slow", "fallback", "note", "see", "above", "below", "first", "last",
];

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    C,
    Rust,
}

struct Coder<'a> {
    rng: &'a mut Stream,
    lang: Lang,
    out: Vec<u8>,
    depth: usize,
    nouns: Zipf,
    verbs: Zipf,
    prefix: String,
}

impl Coder<'_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"    ");
        }
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'\n');
    }

    fn noun(&mut self) -> &'static str {
        NOUNS[self.nouns.sample(self.rng)]
    }

    fn verb(&mut self) -> &'static str {
        VERBS[self.verbs.sample(self.rng)]
    }

    fn function_name(&mut self) -> String {
        let (verb, noun) = (self.verb(), self.noun());
        format!("{}_{verb}_{noun}", self.prefix)
    }

    fn comment_text(&mut self) -> String {
        let n = self.rng.range(3, 12);
        let words: Vec<&str> = (0..n).map(|_| self.rng.pick(COMMENT_WORDS)).collect();
        let mut s = words.join(" ");
        s[..1].make_ascii_uppercase();
        s.push('.');
        s
    }

    fn expr(&mut self) -> String {
        let a = self.noun();
        match self.rng.below(6) {
            0 => self.rng.range(0, 64).to_string(),
            1 => format!("{a} + {}", self.rng.range(1, 16)),
            2 => format!("{a} * {}", self.noun()),
            3 => format!(
                "({a} >> {}) & 0x{:x}",
                self.rng.range(1, 24),
                self.rng.range(1, 255)
            ),
            4 if self.lang == Lang::C => format!("ctx->{a}"),
            4 => format!("self.{a}"),
            _ => a.to_string(),
        }
    }

    fn condition(&mut self) -> String {
        let ops = ["<", ">", "==", "!=", "<=", ">="];
        let (a, b) = (self.noun(), self.expr());
        format!("{a} {} {b}", self.rng.pick(&ops))
    }

    fn statement(&mut self) {
        let nested = self.depth < 4;
        match self.rng.below(20) {
            0..=1 => {
                let c = self.comment_text();
                match self.lang {
                    Lang::C => self.line(&format!("/* {c} */")),
                    Lang::Rust => self.line(&format!("// {c}")),
                }
            }
            2..=5 => {
                let (n, e) = (self.noun(), self.expr());
                match self.lang {
                    Lang::C => self.line(&format!("{n} = {e};")),
                    Lang::Rust => self.line(&format!("let {n} = {e};")),
                }
            }
            6..=8 => {
                let f = self.function_name();
                let a = self.noun();
                match self.lang {
                    Lang::C => {
                        self.line(&format!("err = {f}(ctx, {a});"));
                        self.line("if (err < 0)");
                        self.line("    return err;");
                    }
                    Lang::Rust => self.line(&format!("let {a} = self.{f}(&{a})?;")),
                }
            }
            9..=11 if nested => {
                let c = self.condition();
                match self.lang {
                    Lang::C => self.line(&format!("if ({c}) {{")),
                    Lang::Rust => self.line(&format!("if {c} {{")),
                }
                self.block(1, 4);
                if self.rng.chance(300) {
                    self.line("} else {");
                    self.block(1, 3);
                }
                self.line("}");
            }
            12..=13 if nested => {
                let (i, n) = (if self.rng.chance(700) { "i" } else { "j" }, self.noun());
                match self.lang {
                    Lang::C => self.line(&format!("for ({i} = 0; {i} < {n}; {i}++) {{")),
                    Lang::Rust => self.line(&format!("for {i} in 0..{n}.len() {{")),
                }
                self.block(1, 4);
                self.line("}");
            }
            14 if nested => {
                let n = self.noun();
                match self.lang {
                    Lang::C => self.line(&format!("switch ({n}) {{")),
                    Lang::Rust => self.line(&format!("match {n} {{")),
                }
                for k in 0..self.rng.range(2, 5) {
                    let e = self.expr();
                    match self.lang {
                        Lang::C => {
                            self.line(&format!("case {k}:"));
                            self.line(&format!("    {n} = {e};"));
                            self.line("    break;");
                        }
                        Lang::Rust => self.line(&format!("    {k} => {e},")),
                    }
                }
                match self.lang {
                    Lang::C => {
                        self.line("default:");
                        self.line("    break;");
                    }
                    Lang::Rust => self.line("    _ => {}"),
                }
                self.line("}");
            }
            _ => {
                let (n, e) = (self.noun(), self.expr());
                match self.lang {
                    Lang::C => self.line(&format!("ctx->{n} += {e};")),
                    Lang::Rust => self.line(&format!("self.{n} += {e};")),
                }
            }
        }
    }

    fn block(&mut self, min: i64, max: i64) {
        self.depth += 1;
        for _ in 0..self.rng.range(min, max) {
            self.statement();
        }
        self.depth -= 1;
    }

    fn function(&mut self) {
        let name = self.function_name();
        let (a, b) = (self.noun(), self.noun());
        let doc = self.comment_text();
        match self.lang {
            Lang::C => {
                self.line(&format!("/* {doc} */"));
                self.line(&format!(
                    "static int {name}(struct {}_ctx *ctx, const uint8_t *{a}, size_t {b})",
                    self.prefix
                ));
                self.line("{");
                self.line("    int err = 0;");
                self.block(3, 12);
                self.line("    return err;");
                self.line("}");
            }
            Lang::Rust => {
                self.line(&format!("/// {doc}"));
                self.line(&format!(
                    "pub fn {name}(&mut self, {a}: &[u8], {b}: usize) -> Result<usize, Error> {{"
                ));
                self.block(3, 12);
                self.line(&format!("    Ok({b})"));
                self.line("}");
            }
        }
        self.out.push(b'\n');
    }

    fn file_header(&mut self) {
        let prefix = self.prefix.clone();
        match self.lang {
            Lang::C => {
                let about = self.comment_text();
                self.line(&format!("/*\n * {prefix}.c - {about}\n */\n"));
                for h in ["stdint.h", "stddef.h", "string.h", "stdlib.h", "errno.h"] {
                    self.line(&format!("#include <{h}>"));
                }
                self.line(&format!("#include \"{prefix}.h\"\n"));
                for (i, n) in NOUNS.iter().take(8).enumerate() {
                    self.line(&format!(
                        "#define {}_MAX_{} {}",
                        prefix.to_uppercase(),
                        n.to_uppercase(),
                        16 << i
                    ));
                }
                self.line(&format!("\nstruct {prefix}_ctx {{"));
                for n in NOUNS.iter().take(12) {
                    self.line(&format!("    size_t {n};"));
                }
                self.line("};\n");
            }
            Lang::Rust => {
                let about = self.comment_text();
                self.line(&format!("//! {about}\n"));
                self.line("use std::collections::HashMap;\nuse std::io::{self, Read, Write};\n");
                self.line("#[derive(Debug, Clone, Default)]");
                self.line(&format!(
                    "pub struct {}State {{",
                    prefix[..1].to_uppercase() + &prefix[1..]
                ));
                for n in NOUNS.iter().take(12) {
                    self.line(&format!("    pub {n}: usize,"));
                }
                self.line("}\n");
                self.line(&format!(
                    "impl {}State {{",
                    prefix[..1].to_uppercase() + &prefix[1..]
                ));
            }
        }
    }
}

fn generate(rng: &mut Stream, len: usize, lang: Lang) -> Vec<u8> {
    let mut c = Coder {
        out: Vec::with_capacity(len + 4096),
        lang,
        depth: 0,
        nouns: Zipf::new(NOUNS.len(), 2),
        verbs: Zipf::new(VERBS.len(), 2),
        prefix: String::new(),
        rng,
    };
    while c.out.len() < len {
        c.prefix = format!(
            "{}{}",
            c.rng.pick(NOUNS),
            c.rng.pick(&["", "io", "fs", "net", "db"])
        );
        c.file_header();
        if lang == Lang::Rust {
            c.depth = 1;
        }
        for _ in 0..c.rng.range(10, 60) {
            c.function();
        }
        if lang == Lang::Rust {
            c.depth = 0;
            c.line("}\n");
        }
    }
    cut::to_len(c.out, len)
}

pub fn generate_c(rng: &mut Stream, len: usize) -> Vec<u8> {
    generate(rng, len, Lang::C)
}

pub fn generate_rust(rng: &mut Stream, len: usize) -> Vec<u8> {
    generate(rng, len, Lang::Rust)
}

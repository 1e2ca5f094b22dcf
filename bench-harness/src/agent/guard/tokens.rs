//! The guard's rules over tokens syn cannot parse: macro input and `macro_rules!` bodies,
//! where any tokens may later become a path, a macro call or an attribute. A name that could
//! reach a forbidden module or macro is refused wherever it appears in them: `std` must start
//! a path to an allowed module, `include_bytes` and the like may not appear at all (not even
//! as an argument another macro pastes in front of `!`), a macro may not be invoked by a
//! macro argument (`$m!`), and no refused attribute may be written after `#[`.

use super::names::*;
use super::rules::Finding;
use crate::agent::source::{line_of, Tier};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use std::path::{Component, Path, PathBuf};

/// Where the tokens are: the tier of the code and the file's directory (for include paths).
pub struct Context<'a> {
    pub tier: Tier,
    pub file_dir: &'a Path,
    pub codec_dir: &'a Path,
}

/// Every violation in `stream`.
pub fn scan(stream: TokenStream, cx: &Context) -> Vec<Finding> {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let mut report = |what: String| {
            found.push(Finding {
                line: line_of(token.span()),
                what,
            })
        };
        match token {
            TokenTree::Group(g) => found.extend(scan(g.stream(), cx)),
            TokenTree::Ident(id) => {
                let name = unraw(id);
                let next = tokens.get(i + 1);
                if FORBIDDEN_MACROS.contains(&name.as_str()) {
                    if is_punct(next, '!') {
                        let args = match tokens.get(i + 2) {
                            Some(TokenTree::Group(g)) => g.stream(),
                            _ => TokenStream::new(),
                        };
                        if let Some(what) = forbidden_macro(&name, args, cx) {
                            report(format!("{what} (inside a macro's input)"));
                        }
                    } else if !(name == "env" && in_path(&tokens, i)) {
                        report(format!(
                            "passes the name `{name}` to a macro (it could be called with it)"
                        ));
                    }
                } else if STD_ROOTS.contains(&name.as_str()) && cx.tier == Tier::Library {
                    if let Some(what) = std_path(&name, &tokens[i + 1..]) {
                        report(format!("{what} (inside a macro's input)"));
                    }
                } else if name == "extern" {
                    let block = matches!(next, Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace)
                        || (matches!(next, Some(TokenTree::Literal(_)))
                            && matches!(tokens.get(i + 2), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace));
                    if matches!(next, Some(TokenTree::Ident(c)) if c == "crate") {
                        report("declares an `extern crate` (inside a macro's input)".into());
                    } else if block {
                        report("declares an `extern` block (inside a macro's input)".into());
                    }
                }
            }
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let (Some(TokenTree::Ident(m)), true) =
                    (tokens.get(i + 1), is_punct(tokens.get(i + 2), '!'))
                {
                    report(format!(
                        "invokes a macro named by a macro argument (`${m}!`): the guard cannot see which"
                    ));
                }
            }
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let at = if is_punct(tokens.get(i + 1), '!') {
                    i + 2
                } else {
                    i + 1
                };
                if let Some(TokenTree::Group(g)) = tokens.get(at) {
                    if g.delimiter() == Delimiter::Bracket {
                        if let Some(name) = refused_attribute(g.stream()) {
                            report(format!("#[{name}] is not allowed (inside a macro's input)"));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Why a call of the built-in macro `name` with `args` is refused, `None` when test code may
/// make it: `include_bytes!`/`include_str!` of one literal path inside `codec/`, and
/// `env!("CARGO_MANIFEST_DIR")`.
pub fn forbidden_macro(name: &str, args: TokenStream, cx: &Context) -> Option<String> {
    if cx.tier == Tier::Library {
        return Some(format!(
            "{name}! is not allowed in library code (it reads files or the build environment, or emits machine code)"
        ));
    }
    let literal = syn::parse2::<syn::LitStr>(args).ok().map(|l| l.value());
    match (name, literal) {
        ("include_bytes" | "include_str", Some(path)) => {
            let target = normalize(&cx.file_dir.join(&path));
            let inside = target.as_ref().is_some_and(|t| {
                t.starts_with(cx.codec_dir)
                    && t.canonicalize()
                        .ok()
                        .zip(cx.codec_dir.canonicalize().ok())
                        .is_none_or(|(t, c)| t.starts_with(c))
            });
            (!inside).then(|| format!("{name}!(\"{path}\") reads outside codec/"))
        }
        ("env", Some(var)) if var == TEST_ENV => None,
        ("env", Some(var)) => Some(format!(
            "env!(\"{var}\") reads the build environment (test code may read only {TEST_ENV})"
        )),
        ("include_bytes" | "include_str", None) => Some(format!("{name}! with a computed path")),
        _ => Some(format!("{name}! is not allowed")),
    }
}

/// Why `root` followed by `rest` is not a path to an allowed module.
fn std_path(root: &str, rest: &[TokenTree]) -> Option<String> {
    let colons = is_punct(rest.first(), ':') && is_punct(rest.get(1), ':');
    if !colons {
        return Some(format!(
            "names `{root}` other than as the start of a path (it could be aliased or pasted)"
        ));
    }
    match rest.get(2) {
        Some(TokenTree::Ident(module)) => {
            let module = unraw(module);
            let as_macro = is_punct(rest.get(3), '!') && STD_MACROS.contains(&module.as_str());
            (!STD_MODULES.contains(&module.as_str()) && !as_macro)
                .then(|| format!("uses {root}::{module} (not on the allow-list of std modules)"))
        }
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
            group_heads(root, g.stream())
        }
        Some(TokenTree::Punct(p)) if p.as_char() == '*' => Some(format!(
            "glob import of {root}::* (brings every std module into scope)"
        )),
        _ => Some(format!("names `{root}::` without a module")),
    }
}

/// The first violation among the items of a `use` group `{a, b::c, {d}}` under `root`.
fn group_heads(root: &str, stream: TokenStream) -> Option<String> {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut start = true;
    for (i, t) in tokens.iter().enumerate() {
        if start {
            match t {
                TokenTree::Ident(id) if id == "self" => {
                    if matches!(tokens.get(i + 1), Some(TokenTree::Ident(a)) if a == "as") {
                        return Some(format!("aliases {root} (`self as`)"));
                    }
                }
                TokenTree::Ident(id) if !STD_MODULES.contains(&unraw(id).as_str()) => {
                    return Some(format!(
                        "uses {root}::{} (not on the allow-list of std modules)",
                        unraw(id)
                    ));
                }
                TokenTree::Group(g) => {
                    if let Some(v) = group_heads(root, g.stream()) {
                        return Some(v);
                    }
                }
                TokenTree::Punct(p) if p.as_char() == '*' => {
                    return Some(format!("glob import of {root}::*"));
                }
                _ => {}
            }
        }
        start = is_punct(Some(t), ',');
    }
    None
}

/// The refused attribute named at the start of an attribute's brackets (or anywhere in a
/// `cfg_attr`).
fn refused_attribute(stream: TokenStream) -> Option<String> {
    let mut idents = stream.into_iter().filter_map(|t| match t {
        TokenTree::Ident(id) => Some(unraw(&id)),
        _ => None,
    });
    let first = idents.next()?;
    if FORBIDDEN_ATTRIBUTES.contains(&first.as_str()) {
        return Some(first);
    }
    if first == "cfg_attr" {
        return idents.find(|n| FORBIDDEN_ATTRIBUTES.contains(&n.as_str()));
    }
    None
}

/// Whether `tokens[i]` is a segment of a path (`a::name` or `name::b`).
fn in_path(tokens: &[TokenTree], i: usize) -> bool {
    let before = i >= 2 && is_punct(tokens.get(i - 1), ':') && is_punct(tokens.get(i - 2), ':');
    let after = is_punct(tokens.get(i + 1), ':') && is_punct(tokens.get(i + 2), ':');
    before || after
}

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn unraw(id: &proc_macro2::Ident) -> String {
    let s = id.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// `path` with `.` and `..` resolved lexically; `None` when it climbs above the root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

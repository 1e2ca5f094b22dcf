//! Walks a target's module tree as rustc does: `mod x;` in a root file (`lib.rs`, `main.rs`,
//! `mod.rs`, a test or example root) is `x.rs` or `x/mod.rs` beside it; in `foo.rs` it is under
//! `foo/`; inline `mod a { mod b; }` adds `a/`. `#[path]` is refused in library code rather
//! than followed; test code may use it (tests share helpers that way) with a literal path
//! inside `codec/`, which the walk follows. So no compiled file can hide outside this walk.

use super::{shown, CrateSource, Problem, SourceFile, Tier};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::{Attribute, Item, Meta, Token};

pub struct Walk {
    codec_dir: PathBuf,
    shown_root: PathBuf,
    pub source: CrateSource,
    seen: HashSet<PathBuf>,
}

/// A `mod name;` declaration to follow.
struct Declaration {
    name: String,
    /// Directory the declaration's file is looked up in.
    dir: PathBuf,
    tier: Tier,
    line: usize,
    conditional: bool,
    has_path: bool,
    /// The literal of a plain `#[path = "..."]` outside inline modules.
    path_literal: Option<String>,
}

impl Walk {
    pub fn new(codec_dir: &Path, shown_root: &Path) -> Walk {
        Walk {
            codec_dir: codec_dir
                .canonicalize()
                .unwrap_or_else(|_| codec_dir.to_path_buf()),
            shown_root: shown_root.to_path_buf(),
            source: CrateSource::default(),
            seen: HashSet::new(),
        }
    }

    /// Walks the target whose root file is `root`.
    pub fn target(&mut self, root: &Path, tier: Tier) {
        let dir = root.parent().unwrap_or(root).to_path_buf();
        self.file(root, dir, tier);
    }

    fn problem(&mut self, path: &Path, line: usize, what: String) {
        let shown = shown(path, &self.shown_root);
        self.source.problems.push(Problem { shown, line, what });
    }

    /// Parses `path` (a module whose own `mod` declarations are looked up in `module_dir`)
    /// and follows its declarations.
    fn file(&mut self, path: &Path, module_dir: PathBuf, tier: Tier) {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            self.problem(path, 0, "a symbolic link (may reach outside codec/)".into());
            return;
        }
        let Ok(canonical) = path.canonicalize() else {
            self.problem(path, 0, "cannot be resolved".into());
            return;
        };
        if !canonical.starts_with(&self.codec_dir) {
            self.problem(path, 0, "lies outside codec/".into());
            return;
        }
        if !self.seen.insert(canonical) {
            return;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                self.problem(path, 0, format!("cannot be read: {e}"));
                return;
            }
        };
        let syntax = match syn::parse_file(&text) {
            Ok(s) => s,
            Err(e) => {
                let line = super::line_of(e.span());
                self.problem(path, line, format!("does not parse: {e}"));
                return;
            }
        };
        let mut declarations = Vec::new();
        collect(&syntax.items, &module_dir, tier, &mut declarations);
        self.source.files.push(SourceFile {
            path: path.to_path_buf(),
            shown: shown(path, &self.shown_root),
            tier,
            syntax,
        });
        for d in declarations {
            if d.has_path {
                // Test code may share a helper by a literal path inside the package; the file
                // is then walked like any other (rustc reads it relative to the declaring
                // file's directory, and its own modules beside it).
                let followed = match (&d.path_literal, d.tier) {
                    (Some(literal), Tier::Test) => path.parent().map(|dir| dir.join(literal)),
                    _ => None,
                };
                match followed {
                    Some(target) if target.extension().is_some_and(|e| e == "rs") => {
                        let dir = target.parent().unwrap_or(&target).to_path_buf();
                        self.file(&target, dir, Tier::Test);
                    }
                    _ => self.problem(
                        path,
                        d.line,
                        format!(
                            "#[path] is not allowed (module `{}` must be {}.rs or {}/mod.rs; \
                             test code may name a .rs file inside codec/)",
                            d.name, d.name, d.name
                        ),
                    ),
                }
                continue;
            }
            let flat = d.dir.join(format!("{}.rs", d.name));
            let nested = d.dir.join(&d.name).join("mod.rs");
            let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
            let file = if exists(&flat) {
                flat
            } else if exists(&nested) {
                nested
            } else {
                if !d.conditional {
                    self.problem(
                        path,
                        d.line,
                        format!(
                            "module `{}` has no file ({}.rs or {}/mod.rs)",
                            d.name, d.name, d.name
                        ),
                    );
                }
                continue;
            };
            self.file(&file, d.dir.join(&d.name), d.tier);
        }
    }
}

/// The `mod name;` declarations among `items` (and inside their inline modules).
fn collect(items: &[Item], dir: &Path, tier: Tier, out: &mut Vec<Declaration>) {
    collect_at(items, dir, tier, false, out)
}

fn collect_at(items: &[Item], dir: &Path, tier: Tier, inline: bool, out: &mut Vec<Declaration>) {
    for item in items {
        let Item::Mod(m) = item else { continue };
        let name = m.ident.unraw().to_string();
        let tier = if is_test_code(&m.attrs) {
            Tier::Test
        } else {
            tier
        };
        let line = m
            .attrs
            .first()
            .map(|a| super::line_of(a.pound_token.span))
            .unwrap_or_else(|| super::line_of(m.mod_token.span));
        let has_path = m.attrs.iter().any(names_path);
        match &m.content {
            Some((_, inner)) if !has_path => collect_at(inner, &dir.join(&name), tier, true, out),
            _ => out.push(Declaration {
                dir: dir.to_path_buf(),
                tier,
                line,
                conditional: m.attrs.iter().any(|a| a.path().is_ident("cfg")),
                has_path,
                path_literal: (!inline).then(|| path_literal(&m.attrs)).flatten(),
                name,
            }),
        }
    }
}

/// `#[path = ...]`, also inside `#[cfg_attr(..., path = ...)]`.
fn names_path(attr: &Attribute) -> bool {
    if attr.path().is_ident("path") {
        return true;
    }
    attr.path().is_ident("cfg_attr")
        && attr.meta.require_list().is_ok_and(|l| {
            l.tokens
                .clone()
                .into_iter()
                .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "path"))
        })
}

/// The string of a plain `#[path = "..."]`.
fn path_literal(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// An item compiled only for tests: `#[test]`, or `#[cfg(...)]` with a predicate that needs
/// `test` (`test`, `all(test, ...)`).
pub fn is_test_code(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg") && a.parse_args::<Meta>().is_ok_and(|m| needs_test(&m)))
    })
}

fn needs_test(predicate: &Meta) -> bool {
    match predicate {
        Meta::Path(p) => p.is_ident("test"),
        Meta::List(list) => {
            let Ok(args) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            else {
                return false;
            };
            if list.path.is_ident("all") {
                args.iter().any(needs_test)
            } else if list.path.is_ident("any") {
                !args.is_empty() && args.iter().all(needs_test)
            } else {
                false
            }
        }
        Meta::NameValue(_) => false,
    }
}

//! The guard's rules over one parsed file: an allow-list of `std`/`core`/`alloc` modules for
//! library code (with `use` trees, groups, globs and aliases resolved), no file- or
//! environment-reading macros, no foreign code, an allow-list of attributes. What syn cannot
//! parse (macro input, `macro_rules!` bodies, verbatim items) goes to [`super::tokens`].

use super::names::*;
use super::tokens::{self, Context};
use crate::agent::source::charge::item_attrs;
use crate::agent::source::{line_of, SourceFile, Tier};
use proc_macro2::Span;
use std::path::Path;
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Attribute, Meta, Token, UseTree};

/// One violation in a file: 1-based line and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: usize,
    pub what: String,
}

/// Every violation in `file`, a file of the package at `codec_dir`.
pub fn check(file: &SourceFile, codec_dir: &Path) -> Vec<Finding> {
    let dir = file.path.parent().unwrap_or(codec_dir);
    let mut rules = Rules {
        cx: Context {
            tier: file.tier,
            file_dir: dir,
            codec_dir,
        },
        findings: Vec::new(),
    };
    rules.visit_file(&file.syntax);
    rules.findings.sort_by_key(|f| f.line);
    rules.findings.dedup();
    rules.findings
}

struct Rules<'a> {
    cx: Context<'a>,
    findings: Vec<Finding>,
}

impl Rules<'_> {
    fn report(&mut self, span: Span, what: String) {
        self.findings.push(Finding {
            line: line_of(span),
            what,
        });
    }

    fn library(&self) -> bool {
        self.cx.tier == Tier::Library
    }

    fn tokens(&mut self, stream: proc_macro2::TokenStream) {
        self.findings.extend(tokens::scan(stream, &self.cx));
    }

    /// Runs `f` with the tier of an item carrying `attrs`.
    fn within(&mut self, attrs: &[Attribute], f: impl FnOnce(&mut Self)) {
        let saved = self.cx.tier;
        if crate::agent::source::is_test_code(attrs) {
            self.cx.tier = Tier::Test;
        }
        f(self);
        self.cx.tier = saved;
    }

    /// A path of segments (`use` trees resolved into it) starting at `span`.
    fn segments(&mut self, segments: &[String], span: Span, is_macro: bool) {
        let Some(first) = segments.first() else {
            return;
        };
        if self.library() && STD_ROOTS.contains(&first.as_str()) && segments.len() >= 2 {
            let second = segments[1].as_str();
            let allowed = STD_MODULES.contains(&second)
                || (segments.len() == 2 && STD_MACROS.contains(&second) && is_macro);
            if !allowed {
                self.report(
                    span,
                    format!("uses {first}::{second} (not on the allow-list of std modules)"),
                );
                return;
            }
        }
        if segments.len() >= 2 {
            for s in segments {
                if FORBIDDEN_MACROS.contains(&s.as_str()) && (self.library() || s != "env") {
                    self.report(
                        span,
                        format!("names `{s}` in a path ({})", segments.join("::")),
                    );
                }
            }
        }
    }

    fn use_tree(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        let at_root = prefix.len() == 1 && STD_ROOTS.contains(&prefix[0].as_str());
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.unraw().to_string());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.unraw().to_string();
                let mut full = prefix.clone();
                if name != "self" {
                    full.push(name);
                }
                self.segments(&full, n.ident.span(), true);
            }
            UseTree::Rename(r) => {
                let name = r.ident.unraw().to_string();
                let mut full = prefix.clone();
                if name != "self" {
                    full.push(name);
                }
                let root_alias = full.len() == 1 && STD_ROOTS.contains(&full[0].as_str());
                if root_alias && self.library() {
                    self.report(
                        r.ident.span(),
                        format!(
                            "aliases {} (`as {}`): paths through it escape the allow-list",
                            full[0], r.rename
                        ),
                    );
                } else {
                    self.segments(&full, r.ident.span(), true);
                }
            }
            UseTree::Glob(g) => {
                if at_root && self.library() {
                    self.report(
                        g.star_token.span,
                        format!(
                            "glob import of {}::* (brings every std module into scope)",
                            prefix[0]
                        ),
                    );
                } else {
                    self.segments(prefix, g.star_token.span, false);
                }
            }
            UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(item, prefix);
                }
            }
        }
    }

    fn attribute(&mut self, attr: &Attribute) {
        self.attribute_meta(&attr.meta);
    }

    fn attribute_meta(&mut self, meta: &Meta) {
        let path = meta.path();
        let span = path.span();
        let first = path
            .segments
            .first()
            .map(|s| s.ident.unraw().to_string())
            .unwrap_or_default();
        if path.segments.len() > 1 {
            if !TOOL_NAMESPACES.contains(&first.as_str()) {
                let shown = quote::quote!(#path).to_string().replace(' ', "");
                self.report(span, format!("attribute #[{shown}] is not allowed"));
            }
            return;
        }
        let test_only = self.cx.tier == Tier::Test && TEST_ATTRIBUTES.contains(&first.as_str());
        if !ATTRIBUTES.contains(&first.as_str()) && !test_only {
            let why = match first.as_str() {
                "path" => "modules must be NAME.rs or NAME/mod.rs",
                "link_section" | "used" | "no_mangle" | "export_name" => {
                    "it places code where it runs before main or replaces the harness's symbols"
                }
                "global_allocator" => "in library code it replaces the runner's allocator",
                _ => "not on the allow-list of attributes",
            };
            self.report(span, format!("#[{first}] is not allowed ({why})"));
            return;
        }
        match meta {
            Meta::List(list) if first == "cfg_attr" => {
                let nested = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated);
                match nested {
                    Ok(nested) => {
                        for m in nested.iter().skip(1) {
                            self.attribute_meta(m);
                            self.visit_meta(m);
                        }
                    }
                    Err(_) => self.report(span, "#[cfg_attr] that does not parse".into()),
                }
            }
            Meta::List(list) => self.tokens(list.tokens.clone()),
            _ => {}
        }
    }
}

impl<'ast> Visit<'ast> for Rules<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.within(item_attrs(item), |r| match item {
            syn::Item::Verbatim(tokens) => r.tokens(tokens.clone()),
            _ => visit::visit_item(r, item),
        });
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.within(&f.attrs, |r| visit::visit_impl_item_fn(r, f));
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        match item {
            syn::ImplItem::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => visit::visit_impl_item(self, item),
        }
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        match item {
            syn::TraitItem::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => visit::visit_trait_item(self, item),
        }
    }

    fn visit_expr(&mut self, e: &'ast syn::Expr) {
        match e {
            syn::Expr::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => visit::visit_expr(self, e),
        }
    }

    fn visit_type(&mut self, t: &'ast syn::Type) {
        match t {
            syn::Type::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => visit::visit_type(self, t),
        }
    }

    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        match p {
            syn::Pat::Verbatim(tokens) => self.tokens(tokens.clone()),
            _ => visit::visit_pat(self, p),
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // `#[path]` on a module is reported by the module walk, which refuses to follow it.
        for attr in m.attrs.iter().filter(|a| !a.path().is_ident("path")) {
            self.visit_attribute(attr);
        }
        if let Some((_, items)) = &m.content {
            for item in items {
                self.visit_item(item);
            }
        }
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        self.attribute(attr);
        visit::visit_attribute(self, attr);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        for attr in &u.attrs {
            self.visit_attribute(attr);
        }
        self.use_tree(&u.tree, &mut Vec::new());
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        self.report(
            e.extern_token.span,
            format!(
                "declares `extern crate {}` (the codec has no dependencies)",
                e.ident
            ),
        );
    }

    fn visit_item_foreign_mod(&mut self, f: &'ast syn::ItemForeignMod) {
        self.report(
            f.abi.extern_token.span,
            "declares an `extern` block (foreign functions)".into(),
        );
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if let Some(name) = &m.ident {
            let name = name.unraw().to_string();
            if FORBIDDEN_MACROS.contains(&name.as_str()) {
                self.report(
                    m.mac.path.span(),
                    format!("defines a macro named `{name}` (shadows the built-in)"),
                );
            }
        }
        visit::visit_item_macro(self, m);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let names: Vec<String> = m
            .path
            .segments
            .iter()
            .map(|s| s.ident.unraw().to_string())
            .collect();
        let span = m.path.span();
        let name = names.last().cloned().unwrap_or_default();
        if FORBIDDEN_MACROS.contains(&name.as_str()) {
            if let Some(what) = tokens::forbidden_macro(&name, m.tokens.clone(), &self.cx) {
                self.report(span, what);
            }
        } else {
            self.segments(&names, span, true);
        }
        for segment in &m.path.segments {
            self.visit_path_arguments(&segment.arguments);
        }
        self.tokens(m.tokens.clone());
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let names: Vec<String> = p
            .segments
            .iter()
            .map(|s| s.ident.unraw().to_string())
            .collect();
        self.segments(&names, p.span(), false);
        visit::visit_path(self, p);
    }
}

//! The codec's source charge: the size of its library code as the compiler sees it, in bytes
//! of token text (identifiers, literals as written, punctuation and delimiters), without
//! whitespace, comments, doc comments or test code. Data embedded in the code is charged at
//! least one byte per byte it carries (a byte-string literal spends one to four characters on
//! each byte), so an embedded table costs at least what it saves; and since comments, layout
//! and tests are not charged, removing them gains nothing.

use super::modules::is_test_code;
use super::CrateSource;
use anyhow::{bail, Result};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use std::path::Path;
use syn::visit_mut::{self, VisitMut};

/// Charged bytes of the library of the package at `codec_dir`. Fails when a compiled file
/// cannot be found or parsed (the guard names why).
pub fn charged_bytes(codec_dir: &Path) -> Result<u64> {
    let source = CrateSource::discover(codec_dir);
    if let Some(p) = source.problems.first() {
        bail!(
            "the codec source cannot be charged: {}:{}: {}",
            p.shown,
            p.line,
            p.what
        );
    }
    Ok(source
        .library_files()
        .map(|f| file_bytes(f.syntax.clone()))
        .sum())
}

/// Charged bytes of one parsed file.
pub fn file_bytes(mut file: syn::File) -> u64 {
    WithoutTests.visit_file_mut(&mut file);
    token_bytes(file.to_token_stream())
}

/// Removes every item compiled only for tests.
struct WithoutTests;

impl VisitMut for WithoutTests {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        file.items.retain(|i| !is_test_code(item_attrs(i)));
        visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut m.content {
            items.retain(|i| !is_test_code(item_attrs(i)));
        }
        visit_mut::visit_item_mod_mut(self, m);
    }

    fn visit_item_impl_mut(&mut self, i: &mut syn::ItemImpl) {
        i.items.retain(|item| match item {
            syn::ImplItem::Fn(f) => !is_test_code(&f.attrs),
            syn::ImplItem::Const(c) => !is_test_code(&c.attrs),
            _ => true,
        });
        visit_mut::visit_item_impl_mut(self, i);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.retain(|s| match s {
            syn::Stmt::Item(item) => !is_test_code(item_attrs(item)),
            _ => true,
        });
        visit_mut::visit_block_mut(self, block);
    }
}

/// The attributes of any item.
pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item::*;
    match item {
        Const(i) => &i.attrs,
        Enum(i) => &i.attrs,
        ExternCrate(i) => &i.attrs,
        Fn(i) => &i.attrs,
        ForeignMod(i) => &i.attrs,
        Impl(i) => &i.attrs,
        Macro(i) => &i.attrs,
        Mod(i) => &i.attrs,
        Static(i) => &i.attrs,
        Struct(i) => &i.attrs,
        Trait(i) => &i.attrs,
        TraitAlias(i) => &i.attrs,
        Type(i) => &i.attrs,
        Union(i) => &i.attrs,
        Use(i) => &i.attrs,
        _ => &[],
    }
}

/// Bytes of token text, skipping doc attributes (`#[doc = ...]`, `#![doc = ...]`, which is
/// what doc comments are).
fn token_bytes(tokens: TokenStream) -> u64 {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut total = 0;
    let mut i = 0;
    while i < tokens.len() {
        if let Some(len) = doc_attribute_len(&tokens[i..]) {
            i += len;
            continue;
        }
        total += match &tokens[i] {
            TokenTree::Group(g) => {
                let delimiters = if g.delimiter() == Delimiter::None {
                    0
                } else {
                    2
                };
                delimiters + token_bytes(g.stream())
            }
            TokenTree::Ident(id) => id.to_string().len() as u64,
            TokenTree::Punct(_) => 1,
            TokenTree::Literal(l) => l.to_string().len() as u64,
        };
        i += 1;
    }
    total
}

/// Length in tokens of a doc attribute starting at `tokens[0]`.
fn doc_attribute_len(tokens: &[TokenTree]) -> Option<usize> {
    let TokenTree::Punct(p) = tokens.first()? else {
        return None;
    };
    if p.as_char() != '#' {
        return None;
    }
    let bang = matches!(tokens.get(1), Some(TokenTree::Punct(b)) if b.as_char() == '!');
    let group_at = 1 + usize::from(bang);
    let TokenTree::Group(g) = tokens.get(group_at)? else {
        return None;
    };
    let first = g.stream().into_iter().next();
    let is_doc = g.delimiter() == Delimiter::Bracket
        && matches!(first, Some(TokenTree::Ident(ref id)) if id == "doc");
    is_doc.then_some(group_at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> u64 {
        file_bytes(syn::parse_file(text).unwrap())
    }

    #[test]
    fn comments_layout_and_tests_are_free() {
        let plain = bytes("pub fn f(x: u8) -> u8 { x + 1 }");
        assert_eq!(plain, "pubfnf(x:u8)->u8{x+1}".len() as u64);
        let dressed = bytes(
            "//! A crate.\n/// Adds one.\npub fn f(\n    x: u8, // input\n) -> u8 {\n    /* the sum */ x + 1\n}\n\
             #[cfg(test)]\nmod tests { #[test] fn t() { assert_eq!(super::f(1), 2); } }\n\
             #[test]\nfn loose() {}\n",
        );
        assert_eq!(
            dressed,
            plain + 1,
            "only the trailing comma of the argument list is new"
        );
    }

    #[test]
    fn embedded_bytes_cost_at_least_their_length() {
        let data: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let literal: String = data.iter().map(|b| format!("\\x{b:02x}")).collect();
        let charged = bytes(&format!("pub static T: &[u8] = b\"{literal}\";"));
        assert!(charged >= 4096 * 4, "{charged}");
        let printable: String = "abcdefghij".repeat(400);
        let charged = bytes(&format!("pub static T: &str = \"{printable}\";"));
        assert!(charged >= 4000, "{charged}");
    }
}

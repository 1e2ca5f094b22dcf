//! The files the codec crate compiles, found the way rustc finds them: from each target's root
//! (the library, binaries, tests, examples, benches) through its `mod` declarations, each file
//! parsed with syn. What the guard checks and what the score charges is this list, never a
//! directory listing, so a file only counts when it is compiled and every compiled file counts.

pub mod charge;
mod modules;
mod targets;

pub use modules::is_test_code;

use std::path::{Path, PathBuf};

/// Where code ends up. Library code is linked into the runner that is measured; test code
/// (`#[cfg(test)]` and `#[test]` items, and the tests, examples, benches and binaries of the
/// package) runs only in the loop's test step, sandboxed, and is never charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Library,
    Test,
}

/// One compiled file.
pub struct SourceFile {
    pub path: PathBuf,
    /// The path shown in messages: relative to the repository root.
    pub shown: String,
    /// The tier of the file as a whole; a library file may still hold test items.
    pub tier: Tier,
    pub syntax: syn::File,
}

/// Something that keeps a file from being judged: a `#[path]` module, a module file that is
/// missing or unreadable, a file that does not parse, a symbolic link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub shown: String,
    pub line: usize,
    pub what: String,
}

#[derive(Default)]
pub struct CrateSource {
    pub files: Vec<SourceFile>,
    pub problems: Vec<Problem>,
}

impl CrateSource {
    /// Every file compiled for the package at `codec_dir` (whose parent is the repository
    /// root, for messages).
    pub fn discover(codec_dir: &Path) -> CrateSource {
        let shown_root = codec_dir.parent().unwrap_or(codec_dir).to_path_buf();
        let mut walk = modules::Walk::new(codec_dir, &shown_root);
        for (root, tier) in targets::roots(codec_dir, &mut walk.source.problems) {
            walk.target(&root, tier);
        }
        walk.source
    }

    pub fn library_files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter().filter(|f| f.tier == Tier::Library)
    }
}

/// `path` relative to `root` for messages.
fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The 1-based line of a span.
pub fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn names(source: &CrateSource, tier: Tier) -> Vec<String> {
        let mut v: Vec<String> = source
            .files
            .iter()
            .filter(|f| f.tier == tier)
            .map(|f| f.shown.clone())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn follows_mod_declarations_of_every_target() {
        let dir = tempfile::tempdir().unwrap();
        let codec = dir.path().join("codec");
        write(&codec, "Cargo.toml", "[package]\nname = \"codec\"\n");
        write(
            &codec,
            "src/lib.rs",
            "mod a;\nmod b { mod c; }\n#[cfg(test)]\nmod tests;\n",
        );
        write(&codec, "src/a.rs", "mod inner;\n");
        write(&codec, "src/a/inner.rs", "pub fn f() {}\n");
        write(&codec, "src/b/c/mod.rs", "pub fn g() {}\n");
        write(&codec, "src/tests.rs", "#[test] fn t() {}\n");
        write(
            &codec,
            "src/unused.rs",
            "this is not compiled, so not parsed {\n",
        );
        write(&codec, "tests/round.rs", "mod helper;\n");
        write(&codec, "tests/helper.rs", "pub fn h() {}\n");
        write(&codec, "examples/tool/main.rs", "fn main() {}\n");
        let source = CrateSource::discover(&codec);
        assert_eq!(source.problems, []);
        assert_eq!(
            names(&source, Tier::Library),
            [
                "codec/src/a.rs",
                "codec/src/a/inner.rs",
                "codec/src/b/c/mod.rs",
                "codec/src/lib.rs"
            ]
        );
        assert_eq!(
            names(&source, Tier::Test),
            [
                "codec/examples/tool/main.rs",
                "codec/src/tests.rs",
                "codec/tests/helper.rs",
                "codec/tests/round.rs"
            ]
        );
    }

    #[test]
    fn test_code_may_share_a_helper_by_a_path_inside_the_package() {
        let dir = tempfile::tempdir().unwrap();
        let codec = dir.path().join("codec");
        write(&codec, "Cargo.toml", "[package]\nname = \"codec\"\n");
        write(&codec, "src/lib.rs", "");
        write(
            &codec,
            "tests/a.rs",
            "#[path = \"support/meter.rs\"]\nmod meter;\n",
        );
        write(
            &codec,
            "tests/b/main.rs",
            "#[path = \"../support/meter.rs\"]\nmod meter;\n",
        );
        write(&codec, "tests/support/meter.rs", "mod inner;\n");
        write(&codec, "tests/support/inner.rs", "pub fn f() {}\n");
        write(
            &codec,
            "tests/c.rs",
            "#[path = \"../../outside.rs\"]\nmod o;\n",
        );
        write(dir.path(), "outside.rs", "pub fn g() {}\n");
        let source = CrateSource::discover(&codec);
        assert_eq!(
            names(&source, Tier::Test),
            [
                "codec/tests/a.rs",
                "codec/tests/b/main.rs",
                "codec/tests/c.rs",
                "codec/tests/support/inner.rs",
                "codec/tests/support/meter.rs"
            ]
        );
        let problems: Vec<&str> = source.problems.iter().map(|p| p.what.as_str()).collect();
        assert_eq!(problems, ["lies outside codec/"]);
    }

    #[test]
    fn path_attributes_missing_files_and_links_are_problems() {
        let dir = tempfile::tempdir().unwrap();
        let codec = dir.path().join("codec");
        write(&codec, "Cargo.toml", "[package]\nname = \"codec\"\n");
        write(
            &codec,
            "src/lib.rs",
            "#[path = \"helper.txt\"]\nmod helper;\nmod gone;\nmod linked;\nmod broken;\n",
        );
        write(&codec, "src/helper.txt", "pub fn secret() {}\n");
        write(&codec, "src/broken.rs", "fn (\n");
        std::os::unix::fs::symlink("/etc/hostname", codec.join("src/linked.rs")).unwrap();
        let source = CrateSource::discover(&codec);
        let whats: Vec<String> = source
            .problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.shown, p.line, p.what))
            .collect();
        assert_eq!(whats.len(), 4, "{whats:?}");
        assert!(
            whats[0].starts_with("codec/src/lib.rs:1: #[path] is not allowed"),
            "{whats:?}"
        );
        assert!(
            whats[1].starts_with("codec/src/lib.rs:3: module `gone` has no file"),
            "{whats:?}"
        );
        assert!(
            whats[2].contains("codec/src/linked.rs:0: a symbolic link"),
            "{whats:?}"
        );
        assert!(
            whats[3].starts_with("codec/src/broken.rs:1: does not parse"),
            "{whats:?}"
        );
        assert_eq!(names(&source, Tier::Library), ["codec/src/lib.rs"]);
    }
}

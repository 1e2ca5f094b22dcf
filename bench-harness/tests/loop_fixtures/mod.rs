//! A tiny git repository shaped like this workspace (a `codec` crate holding the byte-copy
//! stub, plus an external-codec script the scripted agent patches), for guard and loop tests
//! that must never touch the real repository.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub const STUB: &str = r#"//! The byte-copy stub.
use std::io::{self, Read, Seek, Write};

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    io::copy(&mut input, &mut output)?;
    output.flush()
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    io::copy(&mut input, &mut output)?;
    output.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let mut packed = io::Cursor::new(Vec::new());
        super::compress(io::Cursor::new(b"abc".to_vec()), &mut packed).unwrap();
        let mut out = io::Cursor::new(Vec::new());
        packed.set_position(0);
        super::decompress(packed, &mut out).unwrap();
        assert_eq!(out.into_inner(), b"abc");
    }
    use std::io;
}
"#;

pub const CODEC_MANIFEST: &str =
    "[package]\nname = \"codec\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n";

pub struct Repo {
    pub tmp: tempfile::TempDir,
}

impl Repo {
    /// A committed repository with the stub codec, a README and program.md.
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = Repo { tmp };
        let root = repo.root();
        std::fs::create_dir_all(root.join("codec/src")).unwrap();
        let files = [
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"codec\"]\nresolver = \"2\"\n",
            ),
            (".gitignore", "/target\n/results/runs/\n/results/cache/\n"),
            ("README.md", "# tiny\n"),
            ("program.md", "# program\nImprove codec/. Nothing else.\n"),
            ("codec/Cargo.toml", CODEC_MANIFEST),
            ("codec/src/lib.rs", STUB),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).unwrap();
        }
        std::fs::copy(fixture("ext.sh"), root.join("codec/ext.sh")).unwrap();
        let lock = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["generate-lockfile", "--offline", "--quiet"])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(lock.success(), "cargo generate-lockfile");
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["add", "-A"]);
        repo.commit("tiny workspace with the stub codec");
        repo
    }

    pub fn root(&self) -> PathBuf {
        self.tmp.path().join("repo")
    }

    /// Runs git in the repository and returns its trimmed stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        std::fs::create_dir_all(self.root()).unwrap();
        let out = Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args(["-c", "user.name=test", "-c", "user.email=test@localhost"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn commit(&self, message: &str) {
        self.git(&["commit", "-q", "-m", message]);
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.root().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// `harness` started in the repository, with private data and results directories.
    pub fn harness(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("harness").unwrap();
        cmd.current_dir(self.root())
            .env("HARNESS_DATA_DIR", self.tmp.path().join("data-cache"))
            .env_remove("HARNESS_RESULTS_DIR")
            .env("CARGO_TARGET_DIR", self.root().join("target"));
        cmd
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/loop_fixtures")
        .join(name)
}

//! The compile check of the codec's public signature: a probe crate outside the workspace
//! instantiates `compress` and `decompress` with the types the harness passes and with types
//! that implement only the promised traits, as plain function pointers of the fixed type.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

const PROBE: &str = r#"use std::io::{self, BufReader, BufWriter, Cursor, Read, Seek, SeekFrom, Write};

struct OnlyRead(Cursor<Vec<u8>>);
impl Read for OnlyRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> { self.0.read(buf) }
}
impl Seek for OnlyRead {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> { self.0.seek(pos) }
}
struct OnlyWrite(Cursor<Vec<u8>>);
impl Write for OnlyWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> { self.0.write(buf) }
    fn flush(&mut self) -> io::Result<()> { Ok(()) }
}
impl Seek for OnlyWrite {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> { self.0.seek(pos) }
}

type Harness<'a> = fn(BufReader<std::fs::File>, &'a mut BufWriter<std::fs::File>) -> io::Result<()>;
type Minimal = fn(OnlyRead, OnlyWrite) -> io::Result<()>;

fn main() {
    let _: Harness = codec::compress;
    let _: Harness = codec::decompress;
    let _: Minimal = codec::compress::<OnlyRead, OnlyWrite>;
    let _: Minimal = codec::decompress::<OnlyRead, OnlyWrite>;
}
"#;

/// The probe crate written for the codec at `<root>/codec`: its manifest and the target
/// directory its check builds in (`<root>/target/guard-probe`, so repeated checks reuse it).
pub struct Probe {
    pub manifest: PathBuf,
    pub target_dir: PathBuf,
}

/// Writes the probe crate for the work tree at `root`.
pub fn write_probe(root: &Path) -> Result<Probe> {
    let dir = root.join("target").join("guard-probe");
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("creating {}", dir.display()))?;
    let codec = root.join("codec");
    let manifest = format!(
        "[package]\nname = \"codec-signature-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\ncodec = {{ path = {:?} }}\n\n[workspace]\n",
        codec.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    std::fs::write(dir.join("src").join("main.rs"), PROBE)?;
    Ok(Probe {
        manifest: dir.join("Cargo.toml"),
        target_dir: dir.join("target"),
    })
}

/// The arguments of the `cargo` command that checks the probe.
pub fn cargo_args(probe: &Probe) -> Vec<String> {
    vec![
        "check".into(),
        "--quiet".into(),
        "--offline".into(),
        "--manifest-path".into(),
        probe.manifest.display().to_string(),
    ]
}

/// `Ok(None)` when the signature holds, `Ok(Some(compiler output))` when it does not.
pub fn check(root: &Path) -> Result<Option<String>> {
    let probe = write_probe(root)?;
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(cargo_args(&probe))
        .env("CARGO_TARGET_DIR", &probe.target_dir)
        .output()
        .context("running cargo check on the signature probe")?;
    if out.status.success() {
        return Ok(None);
    }
    Ok(Some(errors(&String::from_utf8_lossy(&out.stderr))))
}

/// The first compiler errors of a failed check, on one line.
pub fn errors(stderr: &str) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .take(3)
        .collect();
    if errors.is_empty() {
        stderr.trim().chars().take(500).collect()
    } else {
        errors.join("; ")
    }
}

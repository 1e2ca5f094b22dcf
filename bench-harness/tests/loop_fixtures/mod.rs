//! A tiny git repository shaped like this workspace (a `codec` crate holding the byte-copy
//! stub or a small codec, a base test, and a `codec-runner` crate speaking the harness's
//! runner protocol), for guard and loop tests that must never touch the real repository; and
//! `Campaign`, a `harness loop` over it driven by the scripted agent `agent.sh`.

#![allow(dead_code)]

use std::collections::HashMap;
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

/// The base's own test: it must stay, unchanged, in every attempt.
pub const BASE_TEST: &str = r#"use std::io::Cursor;

#[test]
fn text_round_trips() {
    let text = b"a base test: the loop runs it against every attempt".repeat(20);
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(&text), &mut packed).unwrap();
    let mut out = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(packed.into_inner()), &mut out).unwrap();
    assert_eq!(out.into_inner(), text);
}
"#;

pub struct Repo {
    pub tmp: tempfile::TempDir,
}

impl Repo {
    /// A committed repository with the stub codec, a README and program.md.
    pub fn new() -> Repo {
        Repo::with_codec(STUB)
    }

    /// A committed repository whose codec library is `lib`.
    pub fn with_codec(lib: &str) -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = Repo { tmp };
        let root = repo.root();
        let runner = std::fs::read_to_string(fixture("runner.rs")).unwrap();
        let files = [
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"codec\", \"runner\"]\nresolver = \"2\"\n\n\
                 [profile.dev]\nopt-level = 1\n",
            ),
            (
                ".gitignore",
                "/target\n/datasets/cache/\n/results/runs/\n/results/cache/\n",
            ),
            ("README.md", "# tiny\n"),
            ("program.md", "# program\nImprove codec/. Nothing else.\n"),
            ("codec/Cargo.toml", CODEC_MANIFEST),
            ("codec/src/lib.rs", lib),
            ("codec/tests/roundtrip.rs", BASE_TEST),
            (
                "runner/Cargo.toml",
                "[package]\nname = \"codec-runner\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\ncodec = { path = \"../codec\" }\n",
            ),
            ("runner/src/main.rs", &runner),
        ];
        for (path, text) in files {
            repo.write(path, text);
        }
        let lock = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["generate-lockfile", "--offline", "--quiet"])
            .current_dir(&root)
            .status()
            .unwrap();
        assert!(lock.success(), "cargo generate-lockfile");
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["add", "-A"]);
        repo.commit("tiny workspace with its codec");
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

    /// The loop's private directory.
    pub fn loop_dir(&self) -> PathBuf {
        self.root().join(".git/agent-loop")
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/loop_fixtures")
        .join(name)
}

/// A codec of `tests/loop_fixtures/codecs/`.
pub fn codec(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("codecs/{name}.rs"))).unwrap()
}

/// Whether this kernel can jail the agent (Landlock); the loop is run with `--no-sandbox`
/// where it cannot, and tests of the jail itself say so and check less.
pub fn sandboxed() -> bool {
    bench_harness::agent::cycle::jail::supported().is_some()
}

/// Deterministic bytes of a 64-bit linear congruential generator (the "public seed" kind of
/// noise a default dataset has).
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

/// Prose of a small vocabulary chosen by `seed`.
pub fn prose(seed: u64, len: usize) -> Vec<u8> {
    let words = [
        "the ",
        "codec ",
        "keeps ",
        "every ",
        "byte ",
        "of ",
        "a ",
        "file",
        ", ",
        "and ",
        "each ",
        "file ",
        "of ",
        "the ",
        "dataset",
        ". ",
        "measured ",
        "twice ",
        "\n",
        "ratio ",
    ];
    noise(seed, len)
        .into_iter()
        .flat_map(|b| words[b as usize % words.len()].bytes())
        .take(len)
        .collect()
}

/// Records with zero padding and runs of 0xff, like a binary table.
pub fn records(seed: u64, count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, b) in noise(seed, count).into_iter().enumerate() {
        out.extend_from_slice(&(i as u32).to_le_bytes());
        out.extend(std::iter::repeat_n(b, 12));
        out.extend(std::iter::repeat_n(0xff, b as usize % 16));
        out.extend(std::iter::repeat_n(0, if i % 8 == 0 { 300 } else { 20 }));
    }
    out
}

/// A 16-bit mono WAV: a quarter second of silence, then two mixed tones with a little noise
/// (so no stretch repeats exactly).
pub fn wav(seed: u64, seconds: f64) -> Vec<u8> {
    let rate = 22050u32;
    let n = (rate as f64 * seconds) as usize;
    let f1 = 220.0 + (seed % 7) as f64 * 30.0;
    let dither = noise(seed, n);
    let samples: Vec<i16> = (0..n)
        .map(|i| {
            if i < rate as usize / 4 {
                return 0;
            }
            let t = i as f64 / rate as f64;
            let v = 6000.0 * (2.0 * std::f64::consts::PI * f1 * t).sin()
                + 2500.0 * (2.0 * std::f64::consts::PI * f1 * 2.5 * t).sin();
            v as i16 + (dither[i] % 17) as i16 - 8
        })
        .collect();
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// A dataset directory of the four kinds above, `seed` choosing the content; the noise file
/// always comes from `noise_seed` (public for the default set, secret for the holdout).
pub fn dataset(dir: &Path, seed: u64, noise_seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("prose.txt"), prose(seed, 60_000)).unwrap();
    std::fs::write(dir.join("records.bin"), records(seed, 800)).unwrap();
    std::fs::write(dir.join("tones.wav"), wav(seed, 2.0)).unwrap();
    std::fs::write(dir.join("noise.bin"), noise(noise_seed, 12_000)).unwrap();
}

/// A `harness loop` campaign on a tiny repository: a default dataset with public noise, a
/// holdout with secret noise, and the scripted agent.
pub struct Campaign {
    pub repo: Repo,
    pub default_dir: PathBuf,
    pub holdout_dir: PathBuf,
    /// The one directory the agent may write besides its clone: what it saw goes there.
    pub seen_dir: PathBuf,
}

pub const PUBLIC_NOISE_SEED: u64 = 12345;

impl Campaign {
    pub fn new(lib: &str) -> Campaign {
        let repo = Repo::with_codec(lib);
        let data = repo.tmp.path().join("data");
        let (default_dir, holdout_dir) = (data.join("default"), data.join("holdout"));
        dataset(&default_dir, 1, PUBLIC_NOISE_SEED);
        dataset(&holdout_dir, 2, 99991);
        let seen_dir = repo.tmp.path().join("seen");
        std::fs::create_dir_all(&seen_dir).unwrap();
        // A dataset cache, as a real repository has: the scratch clone links to it.
        repo.write("datasets/cache/generated.bin", "cached");
        Campaign {
            repo,
            default_dir,
            holdout_dir,
            seen_dir,
        }
    }

    /// `harness loop` up to `iterations` with the agent doing `action`, and `extra` options
    /// (which replace the time limits or the holdout they name).
    pub fn command(&self, action: &str, iterations: u32, extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = self.repo.harness();
        cmd.env_remove("CARGO_TARGET_DIR")
            .env_remove(bench_harness::dataset::HOLDOUT_SEED_VAR)
            .env("AGENT_ACTION", action)
            .env("AGENT_SEEN", self.seen_dir.join("seen.txt"))
            .env("DEFAULT_DIR", &self.default_dir)
            .env("HOLDOUT_DIR", &self.holdout_dir)
            .args(["loop", "--agent"])
            .arg(format!("sh {}", fixture("agent.sh").display()))
            .args(["--iterations", &iterations.to_string()]);
        let holdout = self.holdout_dir.display().to_string();
        for (flag, value) in [
            ("--agent-timeout", "120"),
            ("--step-timeout", "600"),
            ("--holdout", holdout.as_str()),
        ] {
            if !extra.contains(&flag) {
                cmd.args([flag, value]);
            }
        }
        cmd.arg("--judge")
            .arg(assert_cmd::cargo::cargo_bin("harness"))
            .args([
                "--build-cmd",
                "cargo build --release --quiet --offline -p codec-runner",
                "--runner-path",
                "target/release/codec-runner",
            ])
            .arg("--dataset")
            .arg(&self.default_dir)
            .arg("--agent-writable")
            .arg(&self.seen_dir);
        if !sandboxed() {
            cmd.arg("--no-sandbox");
        }
        cmd.args(extra);
        cmd
    }

    /// Runs the loop; panics when it fails.
    pub fn run(&self, action: &str, iterations: u32, extra: &[&str]) -> String {
        let out = self.command(action, iterations, extra).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "loop failed:\n{text}");
        text
    }

    /// The rows of `results/loop.tsv`, each by column name.
    pub fn rows(&self) -> Vec<HashMap<String, String>> {
        let text = std::fs::read_to_string(self.repo.root().join("results/loop.tsv")).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
        lines
            .map(|l| {
                header
                    .iter()
                    .zip(l.split('\t'))
                    .map(|(h, v)| (h.to_string(), v.to_string()))
                    .collect()
            })
            .collect()
    }

    /// The table as `iteration | status | score | description | reason`, for the test's output.
    pub fn table(&self) -> String {
        self.rows()
            .iter()
            .map(|r| {
                format!(
                    "{} | {} | {} | {} | {}",
                    r["iteration"], r["status"], r["score"], r["description"], r["reason"]
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn last(&self) -> HashMap<String, String> {
        self.rows().pop().unwrap()
    }

    /// What the scripted agent recorded in its last session.
    pub fn seen(&self) -> String {
        std::fs::read_to_string(self.seen_dir.join("seen.txt")).unwrap_or_default()
    }

    pub fn attempt(&self, name: &str) -> String {
        std::fs::read_to_string(self.repo.root().join("results/attempts").join(name)).unwrap()
    }

    pub fn lib(&self) -> String {
        std::fs::read_to_string(self.repo.root().join("codec/src/lib.rs")).unwrap()
    }

    /// Every file under the repository (the loop's directory included) and the agent's
    /// directory that holds `needle`.
    pub fn files_holding(&self, needle: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for dir in [self.repo.root(), self.seen_dir.clone()] {
            holding(&dir, needle.as_bytes(), &mut out);
        }
        out
    }
}

fn holding(dir: &Path, needle: &[u8], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            holding(&path, needle, out);
        } else if kind.is_file() {
            let bytes = std::fs::read(&path).unwrap_or_default();
            if bytes.windows(needle.len()).any(|w| w == needle) {
                out.push(path);
            }
        }
    }
}

//! Datasets: the generated `default` and `holdout` sets, and any directory of files.
//! Materializing a dataset yields its files with category, size and sha256. Datasets with a
//! manifest are described here (`manifest`) and fetched by `crate::fetch`, which depends on
//! this module and never the reverse.

pub mod category;
pub mod listing;
pub mod manifest;
pub mod normalize;
pub mod sniff;
pub mod synth;

use anyhow::{bail, Context, Result};
pub use category::Category;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// One file of a materialized dataset.
#[derive(Clone, Debug)]
pub struct DatasetFile {
    /// Path relative to the dataset root, with `/` separators.
    pub name: String,
    pub path: PathBuf,
    pub category: Category,
    /// Bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the contents.
    pub sha256: String,
}

#[derive(Clone, Debug)]
pub struct Dataset {
    pub name: String,
    pub files: Vec<DatasetFile>,
    /// Files of the dataset's manifest that this partial copy lacks (`--partial`); empty
    /// for a whole dataset.
    pub missing: Vec<String>,
}

impl Dataset {
    /// First 16 hex digits of a SHA-256 over every (name, sha256) pair: equal fingerprints
    /// mean byte-identical datasets.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.files)
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// The fingerprint of `files` as a dataset of their own: for the files a run selects, it
/// equals the dataset's fingerprint exactly when every file was selected.
pub fn fingerprint_of(files: &[DatasetFile]) -> String {
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(format!("{}\t{}\n", f.name, f.sha256));
    }
    hex::encode(hasher.finalize())[..16].to_string()
}

/// Where a dataset comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Generated from a seed; `name` is `default` or `holdout`.
    Synthetic {
        name: String,
        seed: u64,
        scale: f64,
    },
    Directory(PathBuf),
}

/// Environment variable holding the secret holdout seed.
pub const HOLDOUT_SEED_VAR: &str = "HARNESS_HOLDOUT_SEED";

/// Resolves a `--dataset` argument: `default`, `holdout`, or a directory path.
pub fn resolve(name: &str, seed: Option<&str>, scale: f64) -> Result<Source> {
    check_scale(scale)?;
    match name {
        "default" => Ok(Source::Synthetic {
            name: "default".into(),
            seed: match seed {
                Some(s) => seed_from_text(s),
                None => synth::DEFAULT_SEED,
            },
            scale,
        }),
        "holdout" => {
            let text = match seed {
                Some(s) => s.to_string(),
                None => std::env::var(HOLDOUT_SEED_VAR).with_context(|| {
                    format!("the holdout dataset needs a secret seed: pass --seed or set {HOLDOUT_SEED_VAR}")
                })?,
            };
            Ok(Source::Synthetic {
                name: "holdout".into(),
                seed: seed_from_text(&text),
                scale,
            })
        }
        path => {
            let dir = PathBuf::from(path);
            if !dir.is_dir() {
                bail!("dataset {path:?} is neither `default`, `holdout` nor a directory");
            }
            Ok(Source::Directory(dir))
        }
    }
}

/// Why `name` is no dataset, with the nearest known name when one is close: `manifests` are
/// the names of the datasets with a manifest in `manifest_dir`.
pub fn unknown_dataset(name: &str, manifests: &[String], manifest_dir: &Path) -> anyhow::Error {
    let mut known = vec!["default".to_string(), "holdout".to_string()];
    known.extend(manifests.iter().cloned());
    let suggestion = known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(distance, k)| *distance <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| format!(": did you mean {k:?}?"))
        .unwrap_or_else(|| ".".into());
    anyhow::anyhow!(
        "unknown dataset {name:?}{suggestion} It is neither `default`, `holdout` nor a \
         directory, nor a dataset with a manifest (in {}: {})",
        manifest_dir.display(),
        if manifests.is_empty() {
            "none".to_string()
        } else {
            manifests.join(", ")
        }
    )
}

/// The name a generated dataset's runs carry: `default` at scale 1, `default@0.03` otherwise,
/// so runs of other sizes never pass for each other.
pub fn scaled_name(name: &str, scale: f64) -> String {
    if scale == 1.0 {
        name.to_string()
    } else {
        format!("{name}@{scale}")
    }
}

fn check_scale(scale: f64) -> Result<()> {
    if !(scale > 0.0 && scale <= 100.0) {
        bail!("--scale must be in (0, 100], got {scale}");
    }
    Ok(())
}

/// A seed given as a number is used as is; any other text is hashed.
fn seed_from_text(text: &str) -> u64 {
    text.trim().parse::<u64>().unwrap_or_else(|_| {
        let digest = Sha256::digest(text.as_bytes());
        u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
    })
}

/// Where a synthetic dataset is cached. The seed of a holdout is never written in clear.
pub fn synthetic_dir(data_dir: &Path, name: &str, seed: u64, scale: f64) -> PathBuf {
    let mut dir = name.to_string();
    if name != "default" || seed != synth::DEFAULT_SEED {
        let digest = Sha256::digest(seed.to_le_bytes());
        dir.push('-');
        dir.push_str(&hex::encode(&digest[..4]));
    }
    if scale != 1.0 {
        dir.push_str(&format!("-scale{scale}"));
    }
    data_dir.join("cache").join(dir)
}

/// Produces the files of `source`, generating whatever is missing or damaged.
pub fn materialize(source: &Source, data_dir: &Path, log: &dyn Fn(&str)) -> Result<Dataset> {
    match source {
        Source::Synthetic { name, seed, scale } => {
            let dir = synthetic_dir(data_dir, name, *seed, *scale);
            let files = materialize_synthetic(&dir, *seed, *scale, log)?;
            Ok(Dataset {
                name: scaled_name(name, *scale),
                files,
                missing: Vec::new(),
            })
        }
        Source::Directory(dir) => Ok(Dataset {
            name: dir_name(dir),
            files: scan_directory(dir, log)?,
            missing: Vec::new(),
        }),
    }
}

fn dir_name(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "dataset".into())
}

/// Name, size and sha256 of each generated file, written beside the files once generated.
#[derive(Serialize, Deserialize, Default)]
struct Stamp {
    files: BTreeMap<String, StampEntry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct StampEntry {
    size: u64,
    sha256: String,
}

const STAMP: &str = ".generated.json";

fn materialize_synthetic(
    dir: &Path,
    seed: u64,
    scale: f64,
    log: &dyn Fn(&str),
) -> Result<Vec<DatasetFile>> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let stamp_path = dir.join(STAMP);
    let mut stamp: Stamp = fs::read(&stamp_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut files = Vec::new();
    for planned in synth::plan(scale) {
        let path = dir.join(&planned.name);
        let known = stamp.files.get(&planned.name).cloned();
        let on_disk = fs::metadata(&path).map(|m| m.len()).ok();
        let sha256 = match (&known, on_disk) {
            (Some(entry), Some(len))
                if entry.size == len && sha256_file(&path)? == entry.sha256 =>
            {
                entry.sha256.clone()
            }
            _ => {
                log(&format!("generating {}", path.display()));
                let bytes = synth::generate(seed, &planned);
                write_atomically(&path, &bytes)?;
                let sha256 = hex::encode(Sha256::digest(&bytes));
                stamp.files.insert(
                    planned.name.clone(),
                    StampEntry {
                        size: bytes.len() as u64,
                        sha256: sha256.clone(),
                    },
                );
                write_atomically(&stamp_path, &serde_json::to_vec_pretty(&stamp)?)?;
                sha256
            }
        };
        let size = fs::metadata(&path)?.len();
        files.push(DatasetFile {
            name: planned.name,
            path,
            category: planned.category,
            size,
            sha256,
        });
    }
    Ok(files)
}

/// Every regular, non-hidden file under `dir`, sorted by name, categorised by content. A file
/// that cannot be read, or is not a regular file (a FIFO, a socket, a device, a broken or
/// looping link), is named in a warning through `log` and left out.
pub fn scan_directory(dir: &Path, log: &dyn Fn(&str)) -> Result<Vec<DatasetFile>> {
    let mut paths = Vec::new();
    collect_files(dir, &mut paths, log)
        .with_context(|| format!("reading dataset {}", dir.display()))?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let name = display_name(path.strip_prefix(dir).unwrap_or(&path));
        match describe_file(&path, &name, log) {
            Ok(file) => files.push(file),
            Err(e) => log(&format!("warning: skipping {name}: cannot read it: {e:#}")),
        }
    }
    if files.is_empty() {
        bail!("dataset {} contains no readable files", dir.display());
    }
    Ok(files)
}

/// The files named on the command line (`harness run FILE...`) as a dataset of their own,
/// each under its base name: named after the file when there is one, `files` otherwise.
pub fn from_files(paths: &[PathBuf]) -> Result<Dataset> {
    let mut files: Vec<DatasetFile> = Vec::new();
    for path in paths {
        if path.is_dir() {
            bail!(
                "{} is a directory: measure it with --dataset {}",
                path.display(),
                path.display()
            );
        }
        if !path.is_file() {
            bail!("{} is not a readable file", path.display());
        }
        let name = display_name(Path::new(path.file_name().unwrap_or_default()));
        if files.iter().any(|f| f.name == name) {
            bail!("two of the files given are named {name}: give each name once");
        }
        files.push(describe_file(path, &name, &|_| {})?);
    }
    let name = match files.as_slice() {
        [one] => one.name.clone(),
        _ => "files".to_string(),
    };
    Ok(Dataset {
        name,
        files,
        missing: Vec::new(),
    })
}

/// Size, sha256 and the category sniffed from the content of the file at `path`.
fn describe_file(path: &Path, name: &str, log: &dyn Fn(&str)) -> Result<DatasetFile> {
    let size = fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let mut head = vec![0u8; 8192];
    let n = read_up_to(path, &mut head)?;
    head.truncate(n);
    Ok(DatasetFile {
        category: sniff::sniff(path, &head, size),
        sha256: sha256_file_telling(path, name, size, log)?,
        name: name.to_string(),
        path: path.to_path_buf(),
        size,
    })
}

/// A relative path as `/`-separated text that keeps distinct names distinct: bytes that are
/// not UTF-8 are written `\xNN`, and a backslash `\\`.
pub fn display_name(relative: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut name = String::new();
    for (i, component) in relative.components().enumerate() {
        if i > 0 {
            name.push('/');
        }
        for chunk in component.as_os_str().as_bytes().utf8_chunks() {
            name.push_str(&chunk.valid().replace('\\', "\\\\"));
            for byte in chunk.invalid() {
                name.push_str(&format!("\\x{byte:02x}"));
            }
        }
    }
    name
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>, log: &dyn Fn(&str)) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let skip = |why: &str| log(&format!("warning: skipping {}: {why}", path.display()));
        // Follows a symbolic link; a broken or looping one fails here.
        match fs::metadata(&path) {
            Err(e) => skip(&format!("cannot read it: {e}")),
            Ok(meta) if meta.is_dir() => {
                if let Err(e) = collect_files(&path, out, log) {
                    skip(&format!("cannot list it: {e}"));
                }
            }
            Ok(meta) if meta.is_file() => out.push(path),
            Ok(meta) => skip(&format!("not a regular file ({})", kind_of(&meta))),
        }
    }
    Ok(())
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "unknown type"
    }
}

fn read_up_to(path: &Path, buf: &mut [u8]) -> io::Result<usize> {
    let mut file = File::open(path)?;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Files from this size on say that they are being hashed, and how far it got.
const HASH_TELLS_FROM: u64 = 256 << 20;

/// [`sha256_file`], saying through `log` what it is doing when the file is large.
fn sha256_file_telling(path: &Path, name: &str, size: u64, log: &dyn Fn(&str)) -> Result<String> {
    if size < HASH_TELLS_FROM {
        return sha256_file(path);
    }
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    log(&format!("hashing {name} ({:.1} MiB)", mib(size)));
    let mut hasher = Sha256::new();
    let mut last = std::time::Instant::now();
    let mut done = 0u64;
    for_each_chunk(path, |chunk| {
        hasher.update(chunk);
        done += chunk.len() as u64;
        if last.elapsed() >= std::time::Duration::from_secs(5) {
            last = std::time::Instant::now();
            log(&format!(
                "hashing {name}: {:.1} of {:.1} MiB",
                mib(done),
                mib(size)
            ));
        }
    })?;
    Ok(hex::encode(hasher.finalize()))
}

/// Lowercase hex SHA-256 of a file's contents.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    for_each_chunk(path, |chunk| hasher.update(chunk))?;
    Ok(hex::encode(hasher.finalize()))
}

/// Feeds a file's contents to `consume` in 1 MiB chunks; returns the number of bytes read.
pub fn for_each_chunk(path: &Path, mut consume: impl FnMut(&[u8])) -> Result<u64> {
    let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            return Ok(total);
        }
        consume(&buf[..n]);
        total += n as u64;
    }
}

/// Writes via a temporary file and a rename, so readers never see a partial file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let mut file = File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_datasets_are_sorted_hashed_and_categorised() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(
            dir.path().join("b.txt"),
            "hello world, this is prose.\n".repeat(10),
        )
        .unwrap();
        fs::write(dir.path().join("sub/a.gz"), b"\x1f\x8b\x08\0rest").unwrap();
        fs::write(dir.path().join(".hidden"), b"skip me").unwrap();
        let files = scan_directory(dir.path(), &|_| {}).unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["b.txt", "sub/a.gz"]);
        assert_eq!(files[0].category, Category::Text);
        assert_eq!(files[1].category, Category::Compressed);
        assert_eq!(
            files[1].sha256,
            hex::encode(Sha256::digest(b"\x1f\x8b\x08\0rest"))
        );
    }

    #[test]
    fn holdout_needs_a_seed_and_hides_it() {
        std::env::remove_var(HOLDOUT_SEED_VAR);
        let err = resolve("holdout", None, 1.0).unwrap_err().to_string();
        assert!(err.contains(HOLDOUT_SEED_VAR), "{err}");
        let Source::Synthetic { seed, .. } = resolve("holdout", Some("sesame"), 1.0).unwrap()
        else {
            panic!("holdout is synthetic")
        };
        let dir = synthetic_dir(Path::new("/d"), "holdout", seed, 1.0);
        assert!(!dir.to_string_lossy().contains("sesame"));
        assert!(!dir.to_string_lossy().contains(&seed.to_string()));
    }

    #[test]
    fn unknown_dataset_names_are_explained() {
        let err = resolve("no-such-dir", None, 1.0).unwrap_err().to_string();
        assert!(err.contains("neither"), "{err}");
    }

    #[test]
    fn a_misspelt_dataset_gets_a_suggestion_and_a_bad_scale_names_the_scale() {
        let dir = Path::new("/manifests");
        let err = unknown_dataset("defualt", &[], dir);
        assert!(
            err.to_string()
                .starts_with("unknown dataset \"defualt\": did you mean \"default\"? It is"),
            "{err}"
        );
        let err = resolve("default", None, 0.0).unwrap_err();
        assert_eq!(format!("{err:#}"), "--scale must be in (0, 100], got 0");
        let err = unknown_dataset("zzzzzz", &["silesia".into()], dir);
        assert!(
            err.to_string()
                .starts_with("unknown dataset \"zzzzzz\". It is"),
            "{err}"
        );
        let err = unknown_dataset("silesa", &["silesia".into()], dir);
        assert!(
            err.to_string().contains("did you mean \"silesia\""),
            "{err}"
        );
    }

    #[test]
    fn scaled_generated_datasets_carry_their_scale_in_their_name() {
        assert_eq!(scaled_name("default", 1.0), "default");
        assert_eq!(scaled_name("default", 0.02), "default@0.02");
        assert_eq!(scaled_name("holdout", 2.0), "holdout@2");
    }
}

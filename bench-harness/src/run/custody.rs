//! Custody of the dataset during a run. Every operation reads a private copy made by the
//! harness (verified against the sha256 the dataset was materialized with); after every
//! operation the harness checks that the codec left its input alone, re-hashes the original,
//! and looks at the metadata of every other dataset file. What changed, and who could have
//! changed it, decides between a file that changed by itself (`changed`: not the codec's
//! fault), a codec that changed what it was given (`tampered`: its own row fails), and a codec
//! that changed the dataset (`tampered`, and the run stops).

use crate::codecs::Operation;
use crate::dataset::{sha256_file, DatasetFile};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Why a pair cannot be measured or trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breach {
    /// The file's bytes are not those of the dataset: changed by something else than a codec.
    Changed(String),
    /// The codec changed the private input it was given.
    TamperedInput(String),
    /// The dataset changed during an operation that could have written it.
    TamperedDataset(String),
}

/// What identifies a file's contents without reading them; any write changes `ctime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        let ns = |s: i64, n: i64| s as i128 * 1_000_000_000 + n as i128;
        Some(Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        })
    }
}

struct Watched {
    name: String,
    path: PathBuf,
    sha256: String,
    stamp: Option<Stamp>,
}

pub struct Custody {
    watched: Mutex<Vec<Watched>>,
    /// The sandbox keeps every codec from writing outside its private directory, so a change
    /// to the dataset during an operation was not made by that operation.
    confines_writes: bool,
    halt: Mutex<Option<String>>,
}

impl Custody {
    /// Watches `files` of the dataset from now on.
    pub fn new(files: &[DatasetFile], confines_writes: bool) -> Self {
        let watched = files
            .iter()
            .map(|f| Watched {
                name: f.name.clone(),
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                stamp: Stamp::of(&f.path),
            })
            .collect();
        Custody {
            watched: Mutex::new(watched),
            confines_writes,
            halt: Mutex::new(None),
        }
    }

    /// Why the run must stop (a codec changed the dataset), once that happened.
    pub fn halted(&self) -> Option<String> {
        self.halt.lock().expect("custody lock").clone()
    }

    /// Copies `file` to `copy` (contents and times) while hashing it; its bytes must be those
    /// the dataset was materialized with.
    pub fn private_copy(&self, file: &DatasetFile, copy: &Path) -> Result<(), Breach> {
        let sha256 = copy_hashing(&file.path, copy).map_err(|e| {
            Breach::Changed(format!(
                "{} cannot be read since the dataset was materialized: {e}",
                file.name
            ))
        })?;
        if sha256 != file.sha256 {
            return Err(Breach::Changed(format!(
                "{} changed since the dataset was materialized (sha256 {} then, {} now); \
                 not measured",
                file.name,
                short(&file.sha256),
                short(&sha256)
            )));
        }
        Ok(())
    }

    /// After `op` of `codec` on `file`: its `input` (with the sha256 it had before), the
    /// original (restored from the verified private `copy` if a codec changed it), and the
    /// metadata of every other file of the dataset.
    pub fn after_operation(
        &self,
        file: &DatasetFile,
        codec: &str,
        op: Operation,
        (input, input_sha256): (&Path, &str),
        copy: &Path,
    ) -> Result<(), Breach> {
        let what = format!("{} of {codec}", op.as_str());
        let now = hash(input);
        if now != input_sha256 {
            return Err(Breach::TamperedInput(format!(
                "{what} changed its input (sha256 {} before, {} after)",
                short(input_sha256),
                short(&now)
            )));
        }
        let original = hash(&file.path);
        if original != file.sha256 {
            let restored = match hash(copy) == file.sha256 {
                true => restore(copy, &file.path),
                false => "could not be restored".to_string(),
            };
            return Err(self.dataset_changed(&what, &file.name, &restored));
        }
        self.check_other_files(&what, &file.name)
    }

    fn check_other_files(&self, what: &str, measured: &str) -> Result<(), Breach> {
        let mut watched = self.watched.lock().expect("custody lock");
        for w in watched.iter_mut() {
            let stamp = Stamp::of(&w.path);
            if stamp == w.stamp || w.name == measured {
                continue;
            }
            if hash(&w.path) == w.sha256 {
                // Touched, not changed.
                w.stamp = stamp;
                continue;
            }
            if !self.confines_writes {
                let name = w.name.clone();
                drop(watched);
                return Err(self.dataset_changed(what, &name, "it was not restored"));
            }
            // Not a sandboxed codec: the file's own pairs will find it changed.
            w.stamp = stamp;
        }
        Ok(())
    }

    fn dataset_changed(&self, what: &str, name: &str, restored: &str) -> Breach {
        if self.confines_writes {
            return Breach::Changed(format!(
                "dataset file {name} changed while {what} ran, which the sandbox kept from \
                 writing it; {restored}"
            ));
        }
        let reason = format!(
            "dataset file {name} changed while {what} ran unsandboxed; {restored}; the run \
             stops here"
        );
        *self.halt.lock().expect("custody lock") = Some(reason.clone());
        Breach::TamperedDataset(reason)
    }
}

fn short(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}

/// The sha256 of `path`, or a description of why it cannot be read (which never equals one).
fn hash(path: &Path) -> String {
    sha256_file(path).unwrap_or_else(|e| format!("unreadable ({e:#})"))
}

fn copy_hashing(from: &Path, to: &Path) -> std::io::Result<String> {
    let mut source = File::open(from)?;
    let mut target = File::create(to)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = source.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        target.write_all(&buf[..n])?;
    }
    // A codec may read its input's times (gzip stores the modification time): the copy shows
    // the original's, so it is indistinguishable from it.
    let meta = source.metadata()?;
    target.set_times(
        std::fs::FileTimes::new()
            .set_accessed(meta.accessed()?)
            .set_modified(meta.modified()?),
    )?;
    Ok(hex::encode(hasher.finalize()))
}

/// Writes the verified copy back over the original, in place (same inode and permissions).
fn restore(copy: &Path, original: &Path) -> String {
    let result = File::open(copy).and_then(|mut from| {
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(original)?;
        std::io::copy(&mut from, &mut to)?;
        to.sync_all()
    });
    match result {
        Ok(()) => "restored from the harness's verified copy".into(),
        Err(e) => format!("could not be restored ({e})"),
    }
}

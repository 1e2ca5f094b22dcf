//! Brings a manifest dataset onto disk: every file present and verified, downloading,
//! extracting and decoding only what is missing or damaged. Nothing unverified ever lands
//! at a final path or in the lock: downloads and extractions go to temporary files, are
//! checked, then renamed, and only then pinned.

use super::args::Options;
use super::download::Downloader;
use super::lock::{self, Lock, Pin, Table};
use super::verify::{self, Authority, Digest, Pins};
use super::Dirs;
use crate::dataset::manifest::{Download, Manifest, Output};
use crate::dataset::{sniff, Category, Dataset, DatasetFile};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Hidden, so a directory scan of the cache does not see archives and partial files.
const WORK_DIR: &str = ".download";

/// The files of manifest dataset `name`, fetched where missing. With `opts.partial`, files
/// that cannot be fetched leave a dataset named `NAME[partial K/N]` that lists them in
/// `missing`; otherwise they are an error, after every file that could be fetched is cached.
pub fn materialize(dirs: &Dirs, name: &str, opts: &Options, log: &dyn Fn(&str)) -> Result<Dataset> {
    let manifest = Manifest::load(&dirs.manifests, name)?;
    let dir = dirs.cache(name);
    let _exclusive = lock_dataset(&dir, name, log)?;
    let mut f = Fetcher {
        dirs,
        dataset: name,
        dir,
        opts,
        downloader: None,
        lock: Lock::load(&dirs.manifests, name)?,
        log,
    };
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let mut reasons = Vec::new();
    let mut wanted = 0;
    for download in &manifest.downloads {
        let outputs: Vec<Output> = manifest
            .outputs()
            .into_iter()
            .filter(|o| o.download.name == download.name)
            .collect();
        let saved = f.lock.clone();
        let got = f.ensure(download, &outputs);
        if f.lock != saved {
            f.lock.save(&dirs.manifests, name)?;
        }
        let got = got?;
        files.extend(got.files);
        if got.missing.is_empty() {
            wanted += outputs.len();
        } else if download.optional {
            wanted += outputs.len() - got.missing.len();
            log(&format!(
                "warning: skipping optional file {} of dataset {name}: {}",
                download.name,
                got.reasons.join("\n")
            ));
        } else {
            wanted += outputs.len();
            missing.extend(got.missing);
            reasons.extend(got.reasons);
        }
    }
    if missing.is_empty() {
        return Ok(Dataset {
            name: name.to_string(),
            files,
            missing,
        });
    }
    let present = wanted - missing.len();
    let partial_name = format!("{name}[partial {present}/{wanted}]");
    if opts.partial && present > 0 {
        log(&format!(
            "warning: {}\nmeasuring the {present} files of dataset {name} that are present, as \
             {partial_name}; missing: {}",
            reasons.join("\n"),
            missing.join(", ")
        ));
        return Ok(Dataset {
            name: partial_name,
            files,
            missing,
        });
    }
    let mut text = reasons.join("\n");
    text.push_str(&format!(
        "\nmissing: {}\n{}",
        missing.join(", "),
        cached_summary(&manifest, &f.dir)
    ));
    if present > 0 {
        text.push_str(&format!(
            "\n--partial uses the {present} files present (a run is then recorded as \
             {partial_name})"
        ));
    }
    if opts.mirror.is_none() {
        text.push_str(&format!(
            "\nwithout internet access, fetch from a copy: --mirror BASE_URL \
             (files at BASE_URL/{name}/<file>)"
        ));
    }
    bail!(text)
}

/// Holds an exclusive lock on the dataset's cache while it lives, so that two processes
/// never write the same partial files or lock file.
fn lock_dataset(dir: &Path, name: &str, log: &dyn Fn(&str)) -> Result<fs::File> {
    let path = dir.join(WORK_DIR).join("fetch.lock");
    fs::create_dir_all(dir.join(WORK_DIR))
        .with_context(|| format!("creating {}", dir.display()))?;
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            log(&format!(
                "waiting for another harness to finish with dataset {name}"
            ));
            file.lock()
                .with_context(|| format!("locking {}", path.display()))?;
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
    Ok(file)
}

/// What is already on disk, for error messages.
fn cached_summary(manifest: &Manifest, dir: &Path) -> String {
    let outputs = manifest.outputs();
    let present: Vec<&str> = outputs
        .iter()
        .filter(|o| dir.join(o.path).is_file())
        .map(|o| o.path)
        .collect();
    let mut text = format!(
        "already cached in {}: {} of {} files of dataset {}",
        dir.display(),
        present.len(),
        outputs.len(),
        manifest.name
    );
    if !present.is_empty() {
        let shown: Vec<&str> = present.iter().take(12).copied().collect();
        text.push_str(&format!(
            " ({}{})",
            shown.join(", "),
            if present.len() > shown.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    text
}

pub(super) struct Fetcher<'a> {
    pub(super) dirs: &'a Dirs,
    pub(super) dataset: &'a str,
    pub(super) dir: PathBuf,
    pub(super) opts: &'a Options,
    /// Built on first use, so a fully cached dataset never touches the network stack.
    downloader: Option<Downloader>,
    pub(super) lock: Lock,
    pub(super) log: &'a dyn Fn(&str),
}

/// What one download gave.
#[derive(Default)]
struct Got {
    /// Present and verified, with their raw versions.
    files: Vec<DatasetFile>,
    /// Paths in the dataset of the files it could not give.
    missing: Vec<String>,
    /// Why, one line (or block) per failure.
    reasons: Vec<String>,
}

impl Fetcher<'_> {
    pub(super) fn work_path(&self, name: &str, suffix: &str) -> PathBuf {
        self.dir.join(WORK_DIR).join(format!("{name}{suffix}"))
    }

    /// The files of one download, present and verified, with their raw versions.
    fn ensure(&mut self, download: &Download, outputs: &[Output]) -> Result<Got> {
        let mut digests: Vec<Option<Digest>> = Vec::new();
        for o in outputs {
            digests.push(self.cached(o)?);
        }
        let mut reasons = Vec::new();
        if digests.iter().any(Option::is_none) {
            match download.archive_kind() {
                None => match self.fetch_file(download, &outputs[0]) {
                    Ok(digest) => digests[0] = Some(digest),
                    Err(e) => reasons.push(format!("{e:#}")),
                },
                Some(_) => {
                    for (index, reason) in self.fetch_members(download, outputs, &mut digests)? {
                        // A member another source gave after all needs no explanation.
                        if index.is_none_or(|i| digests[i].is_none()) {
                            reasons.push(reason);
                        }
                    }
                }
            }
        }
        let mut got = Got {
            reasons,
            ..Got::default()
        };
        for (o, digest) in outputs.iter().zip(digests) {
            match digest {
                Some(digest) => got.files.extend(self.present(o, digest)?),
                None => got.missing.push(o.path.to_string()),
            }
        }
        Ok(got)
    }

    /// A verified file at its final path as files of the dataset: itself and its raw version.
    fn present(&mut self, o: &Output, digest: Digest) -> Result<Vec<DatasetFile>> {
        // Trust on first use also covers files that were on disk before any lock.
        let (table, key) = lock_key(o);
        self.lock
            .table_mut(table)
            .entry(key.to_string())
            .or_insert_with(|| Pin::of(&digest));
        let path = self.dir.join(o.path);
        let category = match o.category {
            Some(c) => c,
            None => sniff_path(&path, digest.size)?,
        };
        let derived = if o.normalize {
            self.derive(o.path, &path, &digest)?
        } else {
            None
        };
        let mut files = vec![DatasetFile {
            name: o.path.to_string(),
            path,
            category,
            size: digest.size,
            sha256: digest.sha256,
        }];
        files.extend(derived);
        Ok(files)
    }

    /// What an output must be: the manifest's values, then the lock's entry.
    pub(super) fn pins(&self, o: &Output) -> Pins {
        let mut pins = Pins::default();
        pins.add(
            o.expected.clone(),
            Authority::Manifest(crate::dataset::manifest::manifest_path(
                &self.dirs.manifests,
                self.dataset,
            )),
        );
        let (table, key) = lock_key(o);
        if let Some(pin) = self.lock.get(table, key) {
            pins.add(
                pin.expected(),
                Authority::Lock {
                    path: lock::lock_path(&self.dirs.manifests, self.dataset),
                    entry: lock::entry_header(table.name(), key),
                },
            );
        }
        pins
    }

    /// The digest of an output already on disk and valid; `None` when it must be fetched.
    fn cached(&self, o: &Output) -> Result<Option<Digest>> {
        let path = self.dir.join(o.path);
        self.verify_existing(&path, &self.pins(o))
    }

    pub(super) fn verify_existing(&self, path: &Path, pins: &Pins) -> Result<Option<Digest>> {
        if !path.is_file() {
            return Ok(None);
        }
        let digest = verify::digest_file(path)?;
        match pins.mismatch(&digest) {
            None => Ok(Some(digest)),
            Some((m, _)) => {
                (self.log)(&format!(
                    "cached {} is damaged ({m}); fetching it again",
                    path.display()
                ));
                Ok(None)
            }
        }
    }

    /// A download that is itself a file of the dataset, fetched, verified and pinned.
    fn fetch_file(&mut self, d: &Download, o: &Output) -> Result<Digest> {
        let origins: Vec<&str> = d.origins().collect();
        let urls = self.opts.urls(self.dataset, &d.name, &origins);
        let part = self.work_path(&d.name, ".part");
        let target = self.dir.join(&d.name);
        let pins = self.pins(o);
        let digest = self.download(&urls, &part, &target, &d.name, &pins)?;
        self.lock.download.insert(d.name.clone(), Pin::of(&digest));
        Ok(digest)
    }

    /// Downloads the first of `urls` that gives a file matching `pins` to `target`, through
    /// the partial file `part` (kept after a failed transfer so that the next try resumes).
    pub(super) fn download(
        &mut self,
        urls: &[String],
        part: &Path,
        target: &Path,
        what: &str,
        pins: &Pins,
    ) -> Result<Digest> {
        if let Some(dir) = part.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        if self.downloader.is_none() {
            self.downloader = Some(Downloader::new(self.opts)?);
        }
        let downloader = self.downloader.as_ref().expect("built above");
        let mut errors = Vec::new();
        for url in urls {
            (self.log)(&format!("fetching {}/{what} from {url}", self.dataset));
            if let Err(e) = downloader.fetch(url, part, self.log) {
                errors.push(format!("{url}: {e}"));
                continue;
            }
            let digest = verify::digest_file(part)?;
            if let Err(reason) = pins.check(&digest) {
                fs::remove_file(part).with_context(|| format!("removing {}", part.display()))?;
                errors.push(format!("{url}: {reason}; the download was discarded"));
                continue;
            }
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            fs::rename(part, target)
                .with_context(|| format!("renaming into {}", target.display()))?;
            (self.log)(&format!(
                "fetched {}/{what} ({} bytes, sha256 {})",
                self.dataset, digest.size, digest.sha256
            ));
            return Ok(digest);
        }
        Err(anyhow!(
            "dataset {}, file {what}: cannot fetch it:\n  {}",
            self.dataset,
            errors.join("\n  ")
        ))
    }
}

/// The lock table and key that pin an output.
fn lock_key<'a>(o: &Output<'a>) -> (Table, &'a str) {
    match o.member {
        Some(_) => (Table::Member, o.path),
        None => (Table::Download, &o.download.name),
    }
}

fn sniff_path(path: &Path, size: u64) -> Result<Category> {
    let mut head = Vec::with_capacity(8192);
    fs::File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(sniff::sniff(path, &head, size))
}

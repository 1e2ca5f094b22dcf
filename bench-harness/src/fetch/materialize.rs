//! Brings a manifest dataset onto disk: every file present and verified, downloading,
//! extracting and decoding only what is missing or damaged. Nothing unverified ever lands
//! at a final path: downloads and extractions go to temporary files, are checked, then
//! renamed.

use super::args::Options;
use super::download::Downloader;
use super::extract::{self, Wanted};
use super::lock::{Lock, Pin};
use super::verify::{self, Digest};
use crate::dataset::manifest::{Download, Expected, Manifest, Output};
use crate::dataset::{sniff, Category, Dataset, DatasetFile};
use anyhow::{anyhow, bail, Context, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the files of manifest dataset `name` are cached.
pub fn cache_dir(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("cache").join(name)
}

/// Hidden, so a directory scan of the cache does not see archives and partial files.
const WORK_DIR: &str = ".download";

pub fn materialize(
    data_dir: &Path,
    name: &str,
    opts: &Options,
    log: &dyn Fn(&str),
) -> Result<Dataset> {
    let manifest = Manifest::load(data_dir, name)?;
    let _exclusive = lock_dataset(&cache_dir(data_dir, name), name, log)?;
    let mut f = Fetcher {
        data_dir,
        dataset: name,
        dir: cache_dir(data_dir, name),
        opts,
        downloader: None,
        lock: Lock::load(data_dir, name)?,
        log,
    };
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for download in &manifest.downloads {
        let outputs: Vec<Output> = manifest
            .outputs()
            .into_iter()
            .filter(|o| o.download.name == download.name)
            .collect();
        let saved = f.lock.clone();
        let outcome = f.ensure(download, &outputs);
        if f.lock != saved {
            f.lock.save(data_dir, name)?;
        }
        match outcome {
            Ok(mut got) => files.append(&mut got),
            Err(e) if download.optional => log(&format!(
                "warning: skipping optional file {} of dataset {name}: {e:#}",
                download.name
            )),
            Err(e) => failures.push(e),
        }
    }
    if !failures.is_empty() {
        let mut text = failures
            .iter()
            .map(|e| format!("{e:#}"))
            .collect::<Vec<_>>()
            .join("\n");
        text.push_str(&format!("\n{}", cached_summary(&manifest, &f.dir)));
        if opts.mirror.is_none() {
            text.push_str(&format!(
                "\nwithout internet access, fetch from a copy: --mirror BASE_URL \
                 (files at BASE_URL/{name}/<file>)"
            ));
        }
        bail!(text);
    }
    Ok(Dataset {
        name: name.to_string(),
        files,
    })
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
    pub(super) data_dir: &'a Path,
    pub(super) dataset: &'a str,
    pub(super) dir: PathBuf,
    opts: &'a Options,
    /// Built on first use, so a fully cached dataset never touches the network stack.
    downloader: Option<Downloader>,
    pub(super) lock: Lock,
    pub(super) log: &'a dyn Fn(&str),
}

fn pin_expected(pin: Option<&Pin>) -> Expected {
    pin.map(|p| Expected {
        size: Some(p.size),
        sha256: Some(p.sha256.clone()),
        md5: None,
    })
    .unwrap_or_default()
}

fn pin_of(d: &Digest) -> Pin {
    Pin {
        size: d.size,
        sha256: d.sha256.clone(),
    }
}

impl Fetcher<'_> {
    pub(super) fn work_path(&self, name: &str, suffix: &str) -> PathBuf {
        self.dir.join(WORK_DIR).join(format!("{name}{suffix}"))
    }

    /// The files of one download, present and verified, with their raw versions.
    fn ensure(&mut self, download: &Download, outputs: &[Output]) -> Result<Vec<DatasetFile>> {
        let mut digests: Vec<Option<Digest>> = Vec::new();
        for o in outputs {
            digests.push(self.cached(o)?);
        }
        if digests.iter().any(Option::is_none) {
            match download.archive_kind() {
                None => {
                    let target = self.dir.join(&download.name);
                    let digest = self.download(download, &target)?;
                    self.lock
                        .download
                        .insert(download.name.clone(), pin_of(&digest));
                    digests[0] = Some(digest);
                }
                Some(kind) => {
                    let archive = self.work_path(&download.name, "");
                    let digest = match self.cached_download(download, &archive)? {
                        Some(d) => d,
                        None => self.download(download, &archive)?,
                    };
                    self.lock
                        .download
                        .insert(download.name.clone(), pin_of(&digest));
                    let missing: Vec<usize> = (0..outputs.len())
                        .filter(|&i| digests[i].is_none())
                        .collect();
                    let wanted: Vec<Wanted> = missing
                        .iter()
                        .map(|&i| Wanted {
                            member: &outputs[i].member.expect("archive output").member,
                            to: self.work_path(outputs[i].path, ".extracting"),
                        })
                        .collect();
                    if let Err(e) = extract::extract(&archive, kind, &wanted) {
                        for w in &wanted {
                            fs::remove_file(&w.to).ok();
                        }
                        return Err(e).with_context(|| {
                            format!(
                                "dataset {}, file {}: extracting",
                                self.dataset, download.name
                            )
                        });
                    }
                    for (&i, w) in missing.iter().zip(&wanted) {
                        digests[i] = Some(self.accept_member(&outputs[i], &w.to)?);
                    }
                }
            }
        }
        let mut files = Vec::new();
        for (o, digest) in outputs.iter().zip(digests) {
            let digest = digest.expect("every output is verified by now");
            // Trust on first use also covers files that were on disk before any lock.
            let pins = match o.member {
                Some(_) => &mut self.lock.member,
                None => &mut self.lock.download,
            };
            let key = if o.member.is_some() {
                o.path
            } else {
                &o.download.name
            };
            pins.entry(key.to_string())
                .or_insert_with(|| pin_of(&digest));
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
            files.push(DatasetFile {
                name: o.path.to_string(),
                path,
                category,
                size: digest.size,
                sha256: digest.sha256,
            });
            files.extend(derived);
        }
        Ok(files)
    }

    /// What an output must be: the manifest's values, completed by the lock's.
    fn expected(&self, o: &Output) -> Expected {
        let pin = match o.member {
            Some(_) => self.lock.member.get(o.path),
            None => self.lock.download.get(&o.download.name),
        };
        verify::merge(&o.expected, &pin_expected(pin))
    }

    /// The digest of an output already on disk and valid; `None` when it must be fetched.
    fn cached(&self, o: &Output) -> Result<Option<Digest>> {
        let path = self.dir.join(o.path);
        self.verify_existing(&path, &self.expected(o))
    }

    fn cached_download(&self, d: &Download, path: &Path) -> Result<Option<Digest>> {
        let expected = verify::merge(
            &d.expected(),
            &pin_expected(self.lock.download.get(&d.name)),
        );
        self.verify_existing(path, &expected)
    }

    pub(super) fn verify_existing(
        &self,
        path: &Path,
        expected: &Expected,
    ) -> Result<Option<Digest>> {
        if !path.is_file() {
            return Ok(None);
        }
        let digest = verify::digest_file(path)?;
        match verify::check(expected, &digest) {
            Ok(()) => Ok(Some(digest)),
            Err(m) => {
                (self.log)(&format!(
                    "cached {} is damaged ({m}); fetching it again",
                    path.display()
                ));
                Ok(None)
            }
        }
    }

    /// Downloads `d` to `target` through a partial file, verified before the rename.
    fn download(&mut self, d: &Download, target: &Path) -> Result<Digest> {
        let expected = verify::merge(
            &d.expected(),
            &pin_expected(self.lock.download.get(&d.name)),
        );
        let part = self.work_path(&d.name, ".part");
        if let Some(dir) = part.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        if self.downloader.is_none() {
            self.downloader = Some(Downloader::new(self.opts)?);
        }
        let downloader = self.downloader.as_ref().expect("built above");
        let origins: Vec<&str> = d.origins().collect();
        let urls = self.opts.urls(self.dataset, &d.name, &origins);
        let mut errors = Vec::new();
        for url in &urls {
            (self.log)(&format!("fetching {}/{} from {url}", self.dataset, d.name));
            if let Err(e) = downloader.fetch(url, &part, self.log) {
                errors.push(format!("{url}: {e}"));
                continue;
            }
            let digest = verify::digest_file(&part)?;
            if let Err(m) = verify::check(&expected, &digest) {
                fs::remove_file(&part).with_context(|| format!("removing {}", part.display()))?;
                errors.push(format!("{url}: {m}; the download was discarded"));
                continue;
            }
            if let Some(dir) = target.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            fs::rename(&part, target)
                .with_context(|| format!("renaming into {}", target.display()))?;
            (self.log)(&format!(
                "fetched {}/{} ({} bytes, sha256 {})",
                self.dataset, d.name, digest.size, digest.sha256
            ));
            return Ok(digest);
        }
        Err(anyhow!(
            "dataset {}, file {}: cannot fetch it:\n  {}",
            self.dataset,
            d.name,
            errors.join("\n  ")
        ))
    }

    /// Verifies an extracted member and moves it into place.
    fn accept_member(&mut self, o: &Output, tmp: &Path) -> Result<Digest> {
        let digest = verify::digest_file(tmp)?;
        if let Err(m) = verify::check(&self.expected(o), &digest) {
            fs::remove_file(tmp).ok();
            bail!(
                "dataset {}, file {} (member {} of {}): {m}; the extracted file was discarded",
                self.dataset,
                o.path,
                o.member.map(|m| m.member.as_str()).unwrap_or(""),
                o.download.name
            );
        }
        let target = self.dir.join(o.path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        fs::rename(tmp, &target).with_context(|| format!("renaming into {}", target.display()))?;
        self.lock.member.insert(o.path.to_string(), pin_of(&digest));
        Ok(digest)
    }
}

fn sniff_path(path: &Path, size: u64) -> Result<Category> {
    let mut head = Vec::with_capacity(8192);
    fs::File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(sniff::sniff(path, &head, size))
}

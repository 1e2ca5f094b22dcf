//! The members of an archive download, from every source that may hold them: the archive
//! itself (from its origin or its mirrors), then its repacks, then each member's own copies.
//! Members are extracted and verified one by one: a member that passes its checks lands and
//! is pinned whatever happens to the others; a source that gave a file failing its checks
//! is deleted, never reused.

use super::extract::{self, Wanted};
use super::lock::Pin;
use super::materialize::Fetcher;
use super::verify::{self, Authority, Digest, Pins};
use crate::dataset::manifest::{self, ArchiveKind, Download, Output};
use anyhow::Result;
use sha2::{Digest as _, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// A file to download that gives some members.
struct Source {
    /// How messages name it: the download's name, `NAME (repack of DOWNLOAD)`,
    /// `PATH (copy)` or `NAME (copy of PATH)`.
    label: String,
    urls: Vec<String>,
    /// Its path under the cache's work directory.
    work_name: String,
    /// `None`: the file is itself the one member it gives.
    kind: Option<ArchiveKind>,
    /// What the downloaded file itself must be.
    pins: Pins,
    /// Indexes of the outputs it may give.
    members: Vec<usize>,
}

/// Why a member is missing: about one output (its index), or about a whole source.
pub(super) type Reason = (Option<usize>, String);

/// The members of one download as they are gathered from its sources.
struct Gathering<'g, 'm> {
    outputs: &'g [Output<'m>],
    /// Per output: its digest once it is in place.
    digests: &'g mut [Option<Digest>],
    reasons: Vec<Reason>,
}

impl Gathering<'_, '_> {
    /// The outputs among `members` still missing.
    fn missing(&self, members: &[usize]) -> Vec<usize> {
        members
            .iter()
            .copied()
            .filter(|&i| self.digests[i].is_none())
            .collect()
    }
}

impl Fetcher<'_> {
    /// Fills `digests[i]` for every member not cached yet that some source gives, and says
    /// why each failed source did not.
    pub(super) fn fetch_members(
        &mut self,
        download: &Download,
        outputs: &[Output],
        digests: &mut [Option<Digest>],
    ) -> Result<Vec<Reason>> {
        let mut gathering = Gathering {
            outputs,
            digests,
            reasons: Vec::new(),
        };
        for source in self.sources(download, outputs) {
            self.take_from(&source, &mut gathering)?;
        }
        Ok(gathering.reasons)
    }

    fn sources(&self, download: &Download, outputs: &[Output]) -> Vec<Source> {
        let every: Vec<usize> = (0..outputs.len()).collect();
        let origins: Vec<&str> = download.origins().collect();
        let mut archive_pins = Pins::default();
        archive_pins.add(
            download.expected(),
            Authority::Manifest(manifest::manifest_path(&self.dirs.manifests, self.dataset)),
        );
        let mut sources = vec![Source {
            label: download.name.clone(),
            urls: self.opts.urls(self.dataset, &download.name, &origins),
            work_name: download.name.clone(),
            kind: download.archive_kind(),
            pins: archive_pins,
            members: every.clone(),
        }];
        // A mirror stands for every origin: repacks are origins too.
        if self.opts.mirror.is_none() {
            for url in &download.repacks {
                sources.push(Source {
                    label: format!("{} (repack of {})", file_name(url), download.name),
                    urls: vec![url.clone()],
                    work_name: work_name("repacks", url),
                    kind: ArchiveKind::from_url(url),
                    pins: Pins::default(),
                    members: every.clone(),
                });
            }
        }
        for (i, o) in outputs.iter().enumerate() {
            let copies = o.member.map(|m| m.copies.as_slice()).unwrap_or_default();
            for (url, kind) in self.opts.copy_urls(self.dataset, o.path, copies) {
                sources.push(Source {
                    label: match kind {
                        None => format!("{} (copy)", o.path),
                        Some(_) => format!("{} (copy of {})", file_name(&url), o.path),
                    },
                    work_name: work_name("copies", &url),
                    urls: vec![url],
                    pins: match kind {
                        None => self.pins(o),
                        Some(_) => Pins::default(),
                    },
                    kind,
                    members: vec![i],
                });
            }
        }
        sources
    }

    /// Takes from `source` the members still missing. A cached copy of the source that gives
    /// a bad member is deleted and fetched afresh once.
    fn take_from(&mut self, source: &Source, g: &mut Gathering) -> Result<()> {
        loop {
            let wanted = g.missing(&source.members);
            if wanted.is_empty() {
                return Ok(());
            }
            let (file, reused) = match self.obtain(source) {
                Ok(got) => got,
                Err(e) => {
                    g.reasons.push((None, format!("{e:#}")));
                    return Ok(());
                }
            };
            let bad = match source.kind {
                None => {
                    let i = wanted[0];
                    match self.accept(&g.outputs[i], &file, &source.label) {
                        Ok(digest) => g.digests[i] = Some(digest),
                        Err(reason) => g.reasons.push((Some(i), reason)),
                    }
                    // Accepted or refused, the file has left the work directory.
                    false
                }
                Some(kind) => self.extract_from(source, kind, &file, &wanted, g)?,
            };
            if !bad {
                return Ok(());
            }
            fs::remove_file(&file).ok();
            (self.log)(&format!(
                "deleted {}: it gave a file that failed its checks",
                file.display()
            ));
            if !reused {
                return Ok(());
            }
        }
    }

    /// Extracts the `wanted` members from the archive `file` and accepts each that passes;
    /// true when one failed its checks or the archive could not be read.
    fn extract_from(
        &mut self,
        source: &Source,
        kind: ArchiveKind,
        file: &Path,
        wanted: &[usize],
        g: &mut Gathering,
    ) -> Result<bool> {
        let outputs = g.outputs;
        let targets: Vec<Wanted> = wanted
            .iter()
            .map(|&i| Wanted {
                member: &outputs[i].member.expect("archive output").member,
                to: self.work_path(outputs[i].path, ".extracting"),
            })
            .collect();
        let extracted = match extract::extract(file, kind, &targets) {
            Ok(extracted) => extracted,
            Err(e) => {
                for t in &targets {
                    fs::remove_file(&t.to).ok();
                }
                g.reasons.push((
                    None,
                    format!(
                        "dataset {}, file {}: extracting: {e:#}",
                        self.dataset, source.label
                    ),
                ));
                return Ok(true);
            }
        };
        let mut bad = false;
        for ((&i, target), &found) in wanted.iter().zip(&targets).zip(&extracted.found) {
            if !found {
                continue;
            }
            let from = format!("member {} of {}", target.member, source.label);
            match self.accept(&outputs[i], &target.to, &from) {
                Ok(digest) => g.digests[i] = Some(digest),
                Err(reason) => {
                    g.reasons.push((Some(i), reason));
                    bad = true;
                }
            }
        }
        if let Some(text) = extracted.shortfall(&source.label, &targets) {
            let kept = if bad {
                String::new()
            } else {
                format!(
                    "; it stays in {} for the members it holds: delete it to download it again",
                    file.display()
                )
            };
            g.reasons.push((
                None,
                format!(
                    "dataset {}, file {}: {text}{kept}",
                    self.dataset, source.label
                ),
            ));
        }
        Ok(bad)
    }

    /// The source's file in the work directory: the one already there when it passes the
    /// source's pins (and `true`), otherwise a fresh download.
    fn obtain(&mut self, source: &Source) -> Result<(PathBuf, bool)> {
        let path = self.work_path(&source.work_name, "");
        if self.verify_existing(&path, &source.pins)?.is_some() {
            return Ok((path, true));
        }
        if path.exists() {
            fs::remove_file(&path).ok();
        }
        let part = self.work_path(&source.work_name, ".part");
        self.download(&source.urls, &part, &path, &source.label, &source.pins)?;
        Ok((path, false))
    }

    /// Checks a member in the work directory against its pins and moves it into place, or
    /// deletes it and says why.
    fn accept(&mut self, o: &Output, tmp: &Path, from: &str) -> Result<Digest, String> {
        let refuse = |reason: String| {
            fs::remove_file(tmp).ok();
            format!(
                "dataset {}, file {} ({from}): {reason}; it was discarded",
                self.dataset, o.path
            )
        };
        let digest = verify::digest_file(tmp).map_err(|e| refuse(format!("{e:#}")))?;
        self.pins(o).check(&digest).map_err(refuse)?;
        let target = self.dir.join(o.path);
        let moved = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| fs::rename(tmp, &target));
        if let Err(e) = moved {
            return Err(refuse(format!("moving it to {}: {e}", target.display())));
        }
        self.lock
            .member
            .insert(o.path.to_string(), Pin::of(&digest));
        Ok(digest)
    }
}

/// A work-directory name for a file downloaded from `url`, unique per URL: two copies of a
/// member from two hosts never share a partial file.
fn work_name(group: &str, url: &str) -> String {
    let hash = hex::encode(&Sha256::digest(url.as_bytes())[..6]);
    format!("{group}/{hash}-{}", file_name(url))
}

/// The last component of a URL's path, `file` when it has none a file could take.
fn file_name(url: &str) -> &str {
    url.split(['?', '#'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .filter(|f| !f.is_empty() && !f.starts_with('.'))
        .unwrap_or("file")
}

#[cfg(test)]
mod tests {
    use super::work_name;

    #[test]
    fn work_names_differ_per_url_and_keep_the_file_name() {
        let a = work_name("copies", "https://a.example/x/dickens.zip?raw=true");
        let b = work_name("copies", "https://b.example/dickens.zip");
        assert!(
            a.starts_with("copies/") && a.ends_with("-dickens.zip"),
            "{a}"
        );
        assert_ne!(a, b);
        assert!(work_name("copies", "https://h/").ends_with("-file"));
    }
}

//! Raw versions of the media files of a manifest dataset, pinned in its lock: the same
//! decoder on the same source must give the same bytes.

use super::lock::{self, DerivedPin};
use super::materialize::Fetcher;
use super::verify::{self, Authority, Digest, Pins};
use crate::dataset::manifest::Expected;
use crate::dataset::normalize::{self, Media};
use crate::dataset::DatasetFile;
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

impl Fetcher<'_> {
    /// The raw version of a decodable media file, made when missing and checked against the
    /// lock: the same decoder on the same source must give the same bytes.
    pub(super) fn derive(
        &mut self,
        name: &str,
        src: &Path,
        src_digest: &Digest,
    ) -> Result<Option<DatasetFile>> {
        let Some(media) = normalize::sniff_file(src)? else {
            return Ok(None);
        };
        let raw_name = format!("{name}.{}", media.raw_extension());
        let raw_path = self.dir.join(&raw_name);
        let pin = self
            .lock
            .derived
            .get(&raw_name)
            .filter(|p| p.source_sha256 == src_digest.sha256 && p.decoder == media.decoder())
            .cloned();
        let lock_path = lock::lock_path(&self.dirs.manifests, self.dataset);
        let pinned = pin.as_ref().map(|p| {
            let mut pins = Pins::default();
            pins.add(
                Expected {
                    size: Some(p.size),
                    sha256: Some(p.sha256.clone()),
                    md5: None,
                },
                Authority::Lock {
                    path: lock_path.clone(),
                    entry: lock::entry_header("derived", &raw_name),
                },
            );
            pins
        });
        if let Some(pins) = &pinned {
            if let Some(d) = self.verify_existing(&raw_path, pins)? {
                return Ok(Some(raw_file(raw_name, raw_path, media, d)));
            }
        }
        (self.log)(&format!("decoding {name} into {raw_name}"));
        let tmp = self.work_path(&raw_name, ".decoding");
        if let Some(dir) = tmp.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let written = match normalize::derive(media, src, &tmp) {
            Ok(written) => written,
            // A file that decoded before must decode again; otherwise the original still
            // counts, without a raw version.
            Err(e) if pin.is_none() => {
                fs::remove_file(&tmp).ok();
                (self.log)(&format!(
                    "warning: dataset {}, file {name}: no raw version ({e:#})",
                    self.dataset
                ));
                return Ok(None);
            }
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "dataset {}, file {name}: making its raw version",
                        self.dataset
                    )
                })
            }
        };
        if !written {
            (self.log)(&format!("{name} has no audio track: no raw version"));
            return Ok(None);
        }
        let digest = verify::digest_file(&tmp)?;
        if let Some(pins) = &pinned {
            if let Err(reason) = pins.check(&digest) {
                fs::remove_file(&tmp).ok();
                bail!(
                    "dataset {}, file {raw_name}: decoding {name} with {} gave other bytes \
                     than {} records ({reason})",
                    self.dataset,
                    media.decoder(),
                    lock_path.display()
                );
            }
        }
        fs::rename(&tmp, &raw_path)
            .with_context(|| format!("renaming into {}", raw_path.display()))?;
        self.lock.derived.insert(
            raw_name.clone(),
            DerivedPin {
                source: name.to_string(),
                source_sha256: src_digest.sha256.clone(),
                decoder: media.decoder().to_string(),
                size: digest.size,
                sha256: digest.sha256.clone(),
            },
        );
        Ok(Some(raw_file(raw_name, raw_path, media, digest)))
    }
}

fn raw_file(name: String, path: PathBuf, media: Media, d: Digest) -> DatasetFile {
    DatasetFile {
        name,
        path,
        category: media.raw_category(),
        size: d.size,
        sha256: d.sha256,
    }
}

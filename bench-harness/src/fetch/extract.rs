//! Copies the members a manifest names out of `.tar.gz`, `.tar`, `.zip` and `.bz2` files.

use crate::dataset::manifest::ArchiveKind;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

/// A member to extract and the file to write it to.
pub struct Wanted<'a> {
    pub member: &'a str,
    pub to: PathBuf,
}

/// Whether the archive path `entry` is the member `wanted`: equal, or ending in `/wanted`.
fn matches(entry: &str, wanted: &str) -> bool {
    let entry = entry.trim_start_matches("./");
    entry == wanted
        || entry
            .strip_suffix(wanted)
            .is_some_and(|prefix| prefix.ends_with('/'))
}

/// What an archive gave.
pub struct Extracted {
    /// Per wanted member: whether the archive holds it (and it was written).
    pub found: Vec<bool>,
    /// Paths of the files the archive holds, for messages: the first 20.
    pub holds: Vec<String>,
}

impl Extracted {
    /// "ARCHIVE has no member A, B (it holds ...)" for the members not found; `None` when all were.
    pub fn shortfall(&self, archive: &str, wanted: &[Wanted]) -> Option<String> {
        let missing: Vec<&str> = wanted
            .iter()
            .zip(&self.found)
            .filter(|(_, &found)| !found)
            .map(|(w, _)| w.member)
            .collect();
        if missing.is_empty() {
            return None;
        }
        Some(format!(
            "{archive} has no member {} (it holds {}{})",
            missing.join(", "),
            self.holds.join(", "),
            if self.holds.len() == HOLDS_SHOWN {
                ", ..."
            } else {
                ""
            }
        ))
    }
}

const HOLDS_SHOWN: usize = 20;

/// Writes every wanted member that `archive` holds. Fails only when the archive cannot be
/// read; members it lacks are reported in [`Extracted::found`].
pub fn extract(archive: &Path, kind: ArchiveKind, wanted: &[Wanted]) -> Result<Extracted> {
    let open = || File::open(archive).with_context(|| format!("opening {}", archive.display()));
    let mut done = vec![false; wanted.len()];
    let mut seen = Vec::new();
    match kind {
        ArchiveKind::Bz2 => {
            let [only] = wanted else {
                bail!("a .bz2 holds one member, {} wanted", wanted.len());
            };
            let mut reader = bzip2::read::MultiBzDecoder::new(BufReader::new(open()?));
            write_to(&mut reader, &only.to)?;
            done[0] = true;
        }
        ArchiveKind::TarGz | ArchiveKind::Tar => {
            let file = BufReader::new(open()?);
            let reader: Box<dyn Read> = if kind == ArchiveKind::TarGz {
                Box::new(flate2::read::MultiGzDecoder::new(file))
            } else {
                Box::new(file)
            };
            let mut tar = tar::Archive::new(reader);
            for entry in tar.entries().context("reading the tar index")? {
                let mut entry = entry.context("reading a tar entry")?;
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let path = entry.path()?.to_string_lossy().into_owned();
                if let Some(i) = first_open(wanted, &done, &path) {
                    write_to(&mut entry, &wanted[i].to)?;
                    done[i] = true;
                }
                seen.push(path);
            }
        }
        ArchiveKind::Zip => {
            let mut zip = zip::ZipArchive::new(BufReader::new(open()?))
                .context("reading the zip directory")?;
            for index in 0..zip.len() {
                let mut entry = zip.by_index(index)?;
                if !entry.is_file() {
                    continue;
                }
                let path = entry.name().to_string();
                if let Some(i) = first_open(wanted, &done, &path) {
                    write_to(&mut entry, &wanted[i].to)?;
                    done[i] = true;
                }
                seen.push(path);
            }
        }
    }
    seen.truncate(HOLDS_SHOWN);
    Ok(Extracted {
        found: done,
        holds: seen,
    })
}

fn first_open(wanted: &[Wanted], done: &[bool], path: &str) -> Option<usize> {
    (0..wanted.len()).find(|&i| !done[i] && matches(path, wanted[i].member))
}

fn write_to(reader: &mut dyn Read, to: &Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut out = File::create(to).with_context(|| format!("creating {}", to.display()))?;
    io::copy(reader, &mut out).with_context(|| format!("extracting into {}", to.display()))?;
    out.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn members_match_whole_trailing_components() {
        assert!(matches("alice29.txt", "alice29.txt"));
        assert!(matches("./alice29.txt", "alice29.txt"));
        assert!(matches("silesia/dickens", "dickens"));
        assert!(!matches("notdickens", "dickens"));
        assert!(!matches("dickens.bak", "dickens"));
    }
}

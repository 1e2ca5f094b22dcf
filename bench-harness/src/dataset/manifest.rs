//! `datasets/<name>.toml`: what a public dataset is made of and where each file comes from.
//!
//! A manifest lists downloads. A download is either itself a file of the dataset, or an
//! archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`, `.bz2`) of which the named members are.
//! Every URL says what it is: `url` is the origin, `mirrors` serve the same bytes, `repacks`
//! are other archives holding the same members, and a member's `copies` hold that member alone.

use super::category::Category;
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Names a manifest cannot take: they resolve to the generated datasets first.
const RESERVED: [&str; 2] = ["default", "holdout"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// From the file name, not the contents.
    #[serde(skip)]
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub homepage: Option<String>,
    #[serde(default)]
    pub license: String,
    /// Bytes of the whole dataset (raw versions included), for listings before the first
    /// fetch when the manifest pins no sizes; an estimate.
    #[serde(default)]
    pub estimated_size: Option<u64>,
    #[serde(rename = "file", default)]
    pub downloads: Vec<Download>,
}

/// Size and digests a file must have; any may be unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    /// Bytes.
    pub size: Option<u64>,
    /// Lowercase hex.
    pub sha256: Option<String>,
    pub md5: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Download {
    /// Relative path, `/`-separated: where it lands under the dataset's cache directory,
    /// and its path under a mirror (`<mirror>/<dataset>/<name>`).
    pub name: String,
    /// The origin: where the publisher puts the file.
    pub url: String,
    /// Copies of the same bytes on other hosts, tried in order after `url`.
    #[serde(default)]
    pub mirrors: Vec<String>,
    /// Other archives holding the same members (re-packed elsewhere, possibly in another
    /// format, named by the URL's file name), tried for the members this download could not
    /// give. Only the members are checked, against their own pins.
    #[serde(default)]
    pub repacks: Vec<String>,
    /// Bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Lowercase hex SHA-256.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Lowercase hex MD5, for corpora whose only published digest is an MD5.
    #[serde(default)]
    pub md5: Option<String>,
    #[serde(default)]
    pub license: String,
    /// Category of the file itself (not for archives); sniffed from the content when absent.
    #[serde(default)]
    pub category: Option<Category>,
    /// Forces the archive kind instead of guessing it from the name.
    #[serde(default)]
    pub archive: Option<ArchiveKind>,
    /// Members of an archive that belong to the dataset.
    #[serde(default)]
    pub extract: Vec<Member>,
    /// A failure to fetch this download is reported but does not fail the dataset.
    #[serde(default)]
    pub optional: bool,
    /// Whether a decodable media file gets a raw (BMP/WAV) version beside it.
    #[serde(default = "yes")]
    pub normalize: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Path inside the archive; a member whose path ends with `/<member>` also matches.
    /// For `.bz2`, which holds one stream, any name: it only names the output.
    pub member: String,
    /// Where it lands in the dataset; defaults to `member`.
    #[serde(default)]
    pub path: Option<String>,
    /// Bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// Lowercase hex SHA-256.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Lowercase hex MD5, for corpora whose only published digest is an MD5.
    #[serde(default)]
    pub md5: Option<String>,
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default = "yes")]
    pub normalize: bool,
    /// URLs of this member alone, tried after its archive and the repacks: the file itself,
    /// or a `.zip`, `.bz2`, `.tar.gz`, `.tgz` or `.tar` holding it (by the URL's file name).
    #[serde(default)]
    pub copies: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArchiveKind {
    TarGz,
    Tar,
    Zip,
    Bz2,
}

impl ArchiveKind {
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
            Some(Self::TarGz)
        } else if lower.ends_with(".tar") {
            Some(Self::Tar)
        } else if lower.ends_with(".zip") {
            Some(Self::Zip)
        } else if lower.ends_with(".bz2") {
            Some(Self::Bz2)
        } else {
            None
        }
    }

    /// The kind of archive a URL serves, from the last component of its path.
    pub fn from_url(url: &str) -> Option<Self> {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        Self::from_name(path.rsplit('/').next().unwrap_or(path))
    }
}

impl Download {
    pub fn expected(&self) -> Expected {
        Expected {
            size: self.size,
            sha256: self.sha256.clone(),
            md5: self.md5.clone(),
        }
    }

    /// The archive kind when the dataset's files are members of this download.
    pub fn archive_kind(&self) -> Option<ArchiveKind> {
        if self.extract.is_empty() {
            None
        } else {
            self.archive.or_else(|| ArchiveKind::from_name(&self.name))
        }
    }

    /// Every URL to try, origin first.
    pub fn origins(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.url.as_str()).chain(self.mirrors.iter().map(String::as_str))
    }
}

impl Member {
    pub fn expected(&self) -> Expected {
        Expected {
            size: self.size,
            sha256: self.sha256.clone(),
            md5: self.md5.clone(),
        }
    }

    pub fn output(&self) -> &str {
        self.path.as_deref().unwrap_or(&self.member)
    }
}

/// A file of the dataset as the manifest describes it (before normalization).
#[derive(Debug, Clone)]
pub struct Output<'a> {
    pub path: &'a str,
    pub expected: Expected,
    pub category: Option<Category>,
    pub normalize: bool,
    pub download: &'a Download,
    /// The archive member it comes from, if any.
    pub member: Option<&'a Member>,
}

impl Manifest {
    /// Reads and checks `<dir>/<name>.toml`.
    pub fn load(dir: &Path, name: &str) -> Result<Manifest> {
        let path = manifest_path(dir, name);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading manifest {}", path.display()))?;
        let mut manifest: Manifest = toml::from_str(&text)
            .with_context(|| format!("parsing manifest {}", path.display()))?;
        manifest.name = name.to_string();
        manifest
            .validate()
            .with_context(|| format!("manifest {}", path.display()))?;
        Ok(manifest)
    }

    /// Every file the dataset consists of, in manifest order.
    pub fn outputs(&self) -> Vec<Output<'_>> {
        let mut out = Vec::new();
        for d in &self.downloads {
            if d.extract.is_empty() {
                out.push(Output {
                    path: &d.name,
                    expected: d.expected(),
                    category: d.category,
                    normalize: d.normalize,
                    download: d,
                    member: None,
                });
            }
            for m in &d.extract {
                out.push(Output {
                    path: m.output(),
                    expected: m.expected(),
                    category: m.category,
                    normalize: m.normalize,
                    download: d,
                    member: Some(m),
                });
            }
        }
        out
    }

    fn validate(&self) -> Result<()> {
        if !valid_name(&self.name) || RESERVED.contains(&self.name.as_str()) {
            bail!(
                "dataset name {:?} must be letters, digits, '-', '_' and not {RESERVED:?}",
                self.name
            );
        }
        if self.downloads.is_empty() {
            bail!("lists no [[file]]");
        }
        let mut downloads = BTreeSet::new();
        for d in &self.downloads {
            check_relative(&d.name)?;
            if !downloads.insert(d.name.as_str()) {
                bail!("file {} is listed twice", d.name);
            }
            check_expected(&d.name, &d.expected())?;
            if !d.extract.is_empty() && d.archive_kind().is_none() {
                bail!(
                    "file {} has members to extract but is not a .tar.gz/.tgz/.tar/.zip/.bz2 \
                     (set `archive`)",
                    d.name
                );
            }
            if d.archive_kind() == Some(ArchiveKind::Bz2) && d.extract.len() != 1 {
                bail!("file {} is a .bz2: it holds exactly one member", d.name);
            }
            if !d.repacks.is_empty() && d.extract.is_empty() {
                bail!(
                    "file {} has repacks but no members to extract (use `mirrors`)",
                    d.name
                );
            }
            for url in &d.repacks {
                match ArchiveKind::from_url(url) {
                    None => bail!(
                        "file {}: repack {url} does not end in .tar.gz/.tgz/.tar/.zip/.bz2",
                        d.name
                    ),
                    Some(ArchiveKind::Bz2) if d.extract.len() != 1 => bail!(
                        "file {}: repack {url} is a .bz2, which holds one member, not {}",
                        d.name,
                        d.extract.len()
                    ),
                    Some(_) => {}
                }
            }
            for m in &d.extract {
                check_relative(m.output())?;
                check_expected(m.output(), &m.expected())?;
            }
        }
        let mut outputs = BTreeSet::new();
        for o in self.outputs() {
            if !outputs.insert(o.path) {
                bail!("two files land at {}", o.path);
            }
        }
        Ok(())
    }
}

fn check_expected(name: &str, e: &Expected) -> Result<()> {
    for (what, digest, len) in [("sha256", &e.sha256, 64), ("md5", &e.md5, 32)] {
        if let Some(d) = digest {
            if d.len() != len || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("{name}: {what} {d:?} is not {len} hex digits");
            }
        }
    }
    Ok(())
}

/// A relative `/`-separated path with no empty, `.`, `..` or hidden components.
fn check_relative(path: &str) -> Result<()> {
    let ok = !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && !c.starts_with('.'));
    if !ok {
        bail!("{path:?} must be a relative path without '.', '..', hidden or empty parts");
    }
    Ok(())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub fn manifest_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.toml"))
}

/// Whether `name` is a dataset described by `<dir>/<name>.toml`.
pub fn exists(dir: &Path, name: &str) -> bool {
    valid_name(name) && manifest_path(dir, name).is_file()
}

/// Names of every manifest in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            let stem = file.strip_suffix(".toml")?;
            (valid_name(stem) && !RESERVED.contains(&stem)).then(|| stem.to_string())
        })
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest> {
        let mut m: Manifest = toml::from_str(text)?;
        m.name = "t".into();
        m.validate()?;
        Ok(m)
    }

    #[test]
    fn archives_expand_to_their_members() {
        let m = parse(
            r#"
            description = "x"
            [[file]]
            name = "a.tar.gz"
            url = "http://h/a.tar.gz"
            [[file.extract]]
            member = "dir/one.txt"
            path = "one.txt"
            size = 3
            category = "text"
            [[file]]
            name = "b.jpg"
            url = "http://h/b.jpg"
            sha256 = "00000000000000000000000000000000000000000000000000000000000000ff"
            "#,
        )
        .unwrap();
        let outs: Vec<_> = m.outputs().iter().map(|o| o.path.to_string()).collect();
        assert_eq!(outs, ["one.txt", "b.jpg"]);
        assert_eq!(m.downloads[0].archive_kind(), Some(ArchiveKind::TarGz));
        assert_eq!(m.downloads[1].archive_kind(), None);
        assert_eq!(m.outputs()[0].expected.size, Some(3));
        assert_eq!(m.outputs()[0].category, Some(Category::Text));
    }

    #[test]
    fn archive_kinds_come_from_the_url_path() {
        let kind = |u: &str| ArchiveKind::from_url(u);
        assert_eq!(
            kind("https://h/raw/master/dickens.zip"),
            Some(ArchiveKind::Zip)
        );
        assert_eq!(
            kind("https://h/a/b.tar.gz?download=1"),
            Some(ArchiveKind::TarGz)
        );
        assert_eq!(
            kind("https://h/corpus/dickens.bz2#x"),
            Some(ArchiveKind::Bz2)
        );
        assert_eq!(kind("https://h/canterbury/alice29.txt"), None);
        assert_eq!(kind("https://h.zip/x"), None);
    }

    #[test]
    fn bad_paths_digests_and_duplicates_are_rejected() {
        let base = "description = \"x\"\n[[file]]\nurl = \"http://h/x\"\n";
        for (bad, needle) in [
            ("name = \"../x\"", "relative"),
            ("name = \"x\"\nsha256 = \"abc\"", "64 hex"),
            (
                "name = \"x\"\n[[file.extract]]\nmember = \"m\"",
                "not a .tar.gz",
            ),
            ("name = \"x\"\n[[file]]\nname = \"x\"\nurl = \"u\"", "twice"),
            ("name = \"x\"\nrepacks = [\"http://h/x.zip\"]", "no members"),
            (
                "name = \"x.zip\"\nrepacks = [\"http://h/x.rar\"]\n[[file.extract]]\nmember = \"m\"",
                "does not end in",
            ),
        ] {
            let err = format!("{:#}", parse(&format!("{base}{bad}")).unwrap_err());
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}

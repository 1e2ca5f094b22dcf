//! Public corpora described by manifests `<manifests>/<name>.toml`: download (resumable,
//! verified), extract, normalize, and record what was fetched in `<manifests>/<name>.lock`;
//! the data goes to `<data>/cache/<name>/`.
//!
//! The arrow points one way: `fetch` uses `dataset` (manifest types, files, sniffing,
//! normalization) and `dataset` never calls `fetch`. A `--dataset NAME` is resolved here
//! ([`open`]): a manifest's dataset, or else whatever `dataset::resolve` makes of the name.

pub mod args;
mod derived;
pub mod download;
pub mod extract;
mod listing;
pub mod lock;
mod materialize;
mod sources;
pub mod verify;

pub use args::{NetArgs, Options, MIRROR_VAR};
pub use listing::list;
pub use materialize::materialize;

use crate::dataset::{self, manifest, Dataset};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

/// Where manifests and their locks are read, and where fetched data is cached.
#[derive(Clone, Debug)]
pub struct Dirs {
    /// Manifests `<name>.toml` and, beside them, locks `<name>.lock`.
    pub manifests: PathBuf,
    /// Holds `cache/<name>/`.
    pub data: PathBuf,
}

impl Dirs {
    /// Where the files of manifest dataset `name` are cached.
    pub fn cache(&self, name: &str) -> PathBuf {
        self.data.join("cache").join(name)
    }
}

/// `harness fetch NAME...`: brings each dataset onto disk and says where it is.
pub fn command(names: &[String], opts: &Options, dirs: &Dirs, generated: &Generated) -> Result<()> {
    let names: Vec<String> = if names.iter().any(|n| n == "all") {
        manifest::names(&dirs.manifests)
    } else {
        names.to_vec()
    };
    for name in &names {
        if !GENERATED.contains(&name.as_str()) && !manifest::exists(&dirs.manifests, name) {
            bail!(
                "no manifest {} (datasets with manifests: {})",
                manifest::manifest_path(&dirs.manifests, name).display(),
                manifest::names(&dirs.manifests).join(", ")
            );
        }
    }
    let quiet = opts.quiet;
    let log = move |m: &str| {
        if !quiet {
            eprintln!("{m}");
        }
    };
    for name in &names {
        let data = match GENERATED.contains(&name.as_str()) {
            true => {
                let source = dataset::resolve(name, generated.seed.as_deref(), generated.scale)?;
                dataset::materialize(&source, &dirs.data, &log)?
            }
            false => materialize(dirs, name, opts, &log)?,
        };
        let location = data
            .files
            .first()
            .and_then(|f| f.path.parent())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.cache(name));
        let missing = match data.missing.as_slice() {
            [] => String::new(),
            missing => format!(", missing {}", missing.join(", ")),
        };
        println!(
            "{}: {} files, {:.1} MiB, fingerprint {}, in {}{missing}",
            data.name,
            data.files.len(),
            data.total_bytes() as f64 / (1 << 20) as f64,
            data.fingerprint(),
            location.display()
        );
    }
    Ok(())
}

/// The generated datasets, which `fetch` makes present by generating them.
const GENERATED: [&str; 2] = ["default", "holdout"];

/// How `fetch` generates `default` or `holdout`.
pub struct Generated {
    pub scale: f64,
    /// The holdout's seed when not in `HARNESS_HOLDOUT_SEED`.
    pub seed: Option<String>,
}

/// The dataset `--dataset NAME` names: the manifest dataset when `<manifests>/NAME.toml`
/// exists (fetched where files are missing), otherwise a generated set or a directory.
pub fn open(
    name: &str,
    seed: Option<&str>,
    scale: f64,
    dirs: &Dirs,
    opts: &Options,
    log: &dyn Fn(&str),
) -> Result<Dataset> {
    if !matches!(name, "default" | "holdout") && manifest::exists(&dirs.manifests, name) {
        return materialize(dirs, name, opts, log);
    }
    let known = matches!(name, "default" | "holdout") || Path::new(name).is_dir();
    if !known {
        let manifests = manifest::names(&dirs.manifests);
        return Err(dataset::unknown_dataset(name, &manifests, &dirs.manifests));
    }
    let source = dataset::resolve(name, seed, scale)?;
    dataset::materialize(&source, &dirs.data, log)
}

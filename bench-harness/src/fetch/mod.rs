//! Public corpora described by `datasets/<name>.toml`: download (resumable, verified),
//! extract, normalize, and record what was fetched in `datasets/<name>.lock`.

pub mod args;
mod derived;
pub mod download;
pub mod extract;
pub mod lock;
mod materialize;
pub mod verify;

pub use args::{NetArgs, Options, MIRROR_VAR};
pub use materialize::{cache_dir, materialize};

use crate::dataset::{manifest, Listing};
use anyhow::{bail, Result};
use std::path::Path;

/// `harness fetch NAME...`: brings each dataset onto disk and says where it is.
pub fn command(names: &[String], opts: &Options, data_dir: &Path) -> Result<()> {
    let names: Vec<String> = if names.iter().any(|n| n == "all") {
        manifest::names(data_dir)
    } else {
        names.to_vec()
    };
    for name in &names {
        if !manifest::exists(data_dir, name) {
            bail!(
                "no manifest {} (datasets with manifests: {})",
                manifest::manifest_path(data_dir, name).display(),
                manifest::names(data_dir).join(", ")
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
        let data = materialize(data_dir, name, opts, &log)?;
        println!(
            "{name}: {} files, {:.1} MiB, fingerprint {}, in {}",
            data.files.len(),
            data.total_bytes() as f64 / (1 << 20) as f64,
            data.fingerprint(),
            cache_dir(data_dir, name).display()
        );
    }
    Ok(())
}

/// A line of `harness datasets` per manifest: sizes as far as the manifest and lock know them.
pub fn list(data_dir: &Path) -> Vec<Listing> {
    manifest::names(data_dir)
        .into_iter()
        .map(|name| listing(data_dir, &name))
        .collect()
}

fn listing(data_dir: &Path, name: &str) -> Listing {
    let dir = cache_dir(data_dir, name);
    let loaded = manifest::Manifest::load(data_dir, name)
        .and_then(|m| Ok((m, lock::Lock::load(data_dir, name)?)));
    let (m, lock) = match loaded {
        Ok(pair) => pair,
        Err(e) => {
            return Listing {
                name: name.to_string(),
                files: 0,
                bytes: 0,
                materialized: "invalid".into(),
                location: format!("{e:#}"),
            }
        }
    };
    let outputs = m.outputs();
    let size_of = |o: &manifest::Output| {
        o.expected.size.or_else(|| {
            let pin = match o.member {
                Some(_) => lock.member.get(o.path),
                None => lock.download.get(&o.download.name),
            };
            pin.map(|p| p.size)
        })
    };
    let bytes = outputs.iter().filter_map(size_of).sum::<u64>()
        + lock.derived.values().map(|d| d.size).sum::<u64>();
    let present = outputs
        .iter()
        .filter(|o| dir.join(o.path).is_file())
        .count();
    let materialized = match present {
        0 => "no".to_string(),
        n if n == outputs.len() => "yes".to_string(),
        n => format!("partly ({n}/{})", outputs.len()),
    };
    let unknown = outputs.iter().filter(|o| size_of(o).is_none()).count();
    let mut location = dir.display().to_string();
    if unknown > 0 {
        location.push_str(&format!(
            " (sizes of {unknown} files known after the first fetch)"
        ));
    }
    Listing {
        name: name.to_string(),
        files: outputs.len() + lock.derived.len(),
        bytes,
        materialized,
        location,
    }
}

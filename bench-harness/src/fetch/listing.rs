//! The lines of `harness datasets` for datasets with a manifest: sizes as far as the
//! manifest and the lock know them, and what is in the cache.

use super::lock::{Lock, Table};
use super::Dirs;
use crate::dataset::listing::{materialized, Listing};
use crate::dataset::manifest::{self, Manifest, Output};

/// A line per manifest.
pub fn list(dirs: &Dirs) -> Vec<Listing> {
    manifest::names(&dirs.manifests)
        .into_iter()
        .map(|name| listing(dirs, &name))
        .collect()
}

fn listing(dirs: &Dirs, name: &str) -> Listing {
    let dir = dirs.cache(name);
    let loaded = Manifest::load(&dirs.manifests, name)
        .and_then(|m| Ok((m, Lock::load(&dirs.manifests, name)?)));
    let (m, lock) = match loaded {
        Ok(pair) => pair,
        Err(e) => {
            return Listing {
                name: name.to_string(),
                files: 0,
                bytes: 0,
                unknown_sizes: 0,
                estimate: None,
                materialized: "invalid".into(),
                location: format!("{e:#}"),
            }
        }
    };
    let outputs = m.outputs();
    let size_of = |o: &Output| {
        o.expected.size.or_else(|| {
            let pin = match o.member {
                Some(_) => lock.get(Table::Member, o.path),
                None => lock.get(Table::Download, &o.download.name),
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
    Listing {
        name: name.to_string(),
        files: outputs.len() + lock.derived.len(),
        bytes,
        unknown_sizes: outputs.iter().filter(|o| size_of(o).is_none()).count(),
        estimate: m.estimated_size,
        materialized: materialized(present, outputs.len()),
        location: dir.display().to_string(),
    }
}

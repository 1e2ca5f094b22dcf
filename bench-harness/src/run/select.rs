//! Which files of a dataset a run measures: `--filter GLOB` and `--quick`.

use crate::dataset::DatasetFile;
use anyhow::{Context, Result};
use std::collections::BTreeMap;

/// Files whose dataset-relative name (or base name) matches `glob`.
pub fn filter(files: Vec<DatasetFile>, glob: Option<&str>) -> Result<Vec<DatasetFile>> {
    let Some(glob) = glob else { return Ok(files) };
    let matcher = globset::Glob::new(glob)
        .with_context(|| format!("invalid --filter pattern {glob:?}"))?
        .compile_matcher();
    Ok(files
        .into_iter()
        .filter(|f| {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name);
            matcher.is_match(&f.name) || matcher.is_match(base)
        })
        .collect())
}

/// The two smallest files of each category, in dataset order: a fast check that still
/// touches every kind of data.
pub fn quick(files: Vec<DatasetFile>) -> Vec<DatasetFile> {
    let mut by_category: BTreeMap<_, Vec<&DatasetFile>> = BTreeMap::new();
    for f in &files {
        by_category.entry(f.category).or_default().push(f);
    }
    let mut keep = std::collections::HashSet::new();
    for group in by_category.values_mut() {
        group.sort_by_key(|f| f.size);
        keep.extend(group.iter().take(2).map(|f| f.name.clone()));
    }
    files
        .into_iter()
        .filter(|f| keep.contains(&f.name))
        .collect()
}

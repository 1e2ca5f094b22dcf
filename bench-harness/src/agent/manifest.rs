//! What `codec/Cargo.toml` may not gain: dependencies of any kind, or a build script.

use std::collections::BTreeSet;

const DEPENDENCY_TABLES: [&str; 3] = ["dependencies", "build-dependencies", "dev-dependencies"];

/// Every `table name` pair of a manifest's dependency tables, including `[target.*.…]` ones.
fn dependencies(manifest: &toml::Table) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add = |prefix: &str, table: &toml::Table| {
        for kind in DEPENDENCY_TABLES {
            if let Some(toml::Value::Table(deps)) = table.get(kind) {
                found.extend(deps.keys().map(|name| format!("[{prefix}{kind}] {name}")));
            }
        }
    };
    add("", manifest);
    if let Some(toml::Value::Table(targets)) = manifest.get("target") {
        for (cfg, value) in targets {
            if let toml::Value::Table(table) = value {
                add(&format!("target.{cfg}."), table);
            }
        }
    }
    found
}

fn build_script(manifest: &toml::Table, build_rs_exists: bool) -> Option<String> {
    let declared = manifest
        .get("package")
        .and_then(|p| p.get("build"))
        .filter(|b| b.as_bool() != Some(false));
    match declared {
        Some(b) => Some(format!("package.build = {b}")),
        None => build_rs_exists.then(|| "codec/build.rs".into()),
    }
}

/// Violations of `now` against `base` (each a manifest text and whether `codec/build.rs`
/// exists); `base` is `None` when the base commit had no codec manifest.
pub fn violations(base: Option<(&str, bool)>, now: (&str, bool)) -> Vec<String> {
    let now_manifest: toml::Table = match now.0.parse() {
        Ok(t) => t,
        Err(e) => return vec![format!("codec/Cargo.toml does not parse: {e}")],
    };
    let base_manifest: toml::Table = base.and_then(|b| b.0.parse().ok()).unwrap_or_default();
    let base_deps = dependencies(&base_manifest);
    let mut out: Vec<String> = dependencies(&now_manifest)
        .difference(&base_deps)
        .map(|d| format!("codec/Cargo.toml gained a dependency: {d}"))
        .collect();
    let had_build = build_script(&base_manifest, base.is_some_and(|b| b.1));
    if let (Some(script), None) = (build_script(&now_manifest, now.1), had_build) {
        out.push(format!("codec/Cargo.toml gained a build script: {script}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "[package]\nname = \"codec\"\n\n[dependencies]\n\n[dev-dependencies]\nproptest = \"1\"\n";

    #[test]
    fn new_dependencies_and_build_scripts_are_violations() {
        assert!(violations(Some((BASE, false)), (BASE, false)).is_empty());
        let with_dep = BASE.replace("[dependencies]\n", "[dependencies]\nzstd = \"0.13\"\n");
        assert_eq!(
            violations(Some((BASE, false)), (&with_dep, false)),
            ["codec/Cargo.toml gained a dependency: [dependencies] zstd"]
        );
        let target = format!("{BASE}[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n");
        assert_eq!(violations(Some((BASE, false)), (&target, false)).len(), 1);
        let v = violations(Some((BASE, false)), (BASE, true));
        assert_eq!(
            v,
            ["codec/Cargo.toml gained a build script: codec/build.rs"]
        );
        let declared = BASE.replace("name = \"codec\"", "name = \"codec\"\nbuild = \"gen.rs\"");
        assert_eq!(violations(Some((BASE, false)), (&declared, false)).len(), 1);
        assert!(violations(Some((BASE, false)), ("not toml [", false))[0].contains("parse"));
    }
}

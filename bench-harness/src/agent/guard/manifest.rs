//! `codec/Cargo.toml` may change only its version: a dependency, a build script, a `[lib]
//! path`, a target or a profile would each change what is compiled or how, out of the
//! guard's sight.

use std::collections::BTreeSet;

/// Violations of the manifest text `now` against `base` (`None` when the base had none).
pub fn violations(base: Option<&str>, now: &str) -> Vec<String> {
    let now: toml::Table = match now.parse() {
        Ok(t) => t,
        Err(e) => return vec![format!("codec/Cargo.toml does not parse: {e}")],
    };
    let base: toml::Table = base.and_then(|b| b.parse().ok()).unwrap_or_default();
    let mut changed = BTreeSet::new();
    differences(
        "",
        &without_version(base),
        &without_version(now),
        &mut changed,
    );
    if changed.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "codec/Cargo.toml changed beyond its version: {} (only package.version may change)",
        changed.into_iter().collect::<Vec<_>>().join(", ")
    )]
}

fn without_version(mut manifest: toml::Table) -> toml::Table {
    if let Some(toml::Value::Table(package)) = manifest.get_mut("package") {
        package.remove("version");
    }
    manifest
}

/// Dotted keys whose values differ between `a` and `b`.
fn differences(prefix: &str, a: &toml::Table, b: &toml::Table, out: &mut BTreeSet<String>) {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (a.get(key), b.get(key)) {
            (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
                differences(&name, x, y, out)
            }
            (x, y) if x != y => {
                out.insert(name);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[package]\nname = \"codec\"\nversion = \"0.1.0\"\n\n[dependencies]\n\n\
                        [dev-dependencies]\nproptest = \"1\"\n";

    #[test]
    fn only_the_version_may_change() {
        assert!(violations(Some(BASE), BASE).is_empty());
        let bumped = BASE.replace("0.1.0", "0.2.0");
        assert!(violations(Some(BASE), &bumped).is_empty());
        let with_dep = BASE.replace("[dependencies]\n", "[dependencies]\nzstd = \"0.13\"\n");
        assert_eq!(
            violations(Some(BASE), &with_dep),
            ["codec/Cargo.toml changed beyond its version: dependencies.zstd (only package.version may change)"]
        );
        let lib = format!("{BASE}\n[lib]\npath = \"engine/lib.rs\"\n");
        assert!(violations(Some(BASE), &lib)[0].contains(": lib (only"));
        let build = BASE.replace("name = \"codec\"", "name = \"codec\"\nbuild = \"gen.rs\"");
        assert!(violations(Some(BASE), &build)[0].contains("package.build"));
        let profile = format!("{BASE}\n[profile.release]\nopt-level = 0\n");
        assert!(violations(Some(BASE), &profile)[0].contains("profile"));
        assert!(violations(Some(BASE), "not toml [")[0].contains("does not parse"));
    }
}

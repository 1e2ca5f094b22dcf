//! `harness datasets`: every dataset, its size and what of it is on disk, as aligned columns.

use super::{seed_from_text, synth, synthetic_dir, HOLDOUT_SEED_VAR};
use std::path::Path;

/// A line of `harness datasets`.
pub struct Listing {
    pub name: String,
    pub files: usize,
    /// Bytes of the files whose size is known.
    pub bytes: u64,
    /// Files whose size is unknown until they are fetched.
    pub unknown_sizes: usize,
    /// The manifest's estimate of the whole dataset, bytes.
    pub estimate: Option<u64>,
    pub materialized: String,
    pub location: String,
}

const MIB: f64 = (1 << 20) as f64;

impl Listing {
    /// The MiB column: exact, `~` the manifest's estimate, or `?` when sizes are unknown.
    fn size_text(&self) -> String {
        match (self.unknown_sizes, self.estimate) {
            (0, _) => format!("{:.1}", self.bytes as f64 / MIB),
            (_, Some(estimate)) => format!("~{:.0}", estimate as f64 / MIB),
            (_, None) => "?".to_string(),
        }
    }

    /// The location column, with what is not known yet.
    fn location_text(&self) -> String {
        if self.unknown_sizes == 0 {
            return self.location.clone();
        }
        let mut note = format!(
            "{} (sizes of {} of {} files unknown until fetched",
            self.location, self.unknown_sizes, self.files
        );
        if let Some(estimate) = self.estimate {
            note.push_str(&format!(
                "; the manifest estimates {:.0} MiB",
                estimate as f64 / MIB
            ));
        }
        note.push(')');
        note
    }
}

/// The table: a header and one line per dataset, each column as wide as its widest cell.
pub fn render(listings: &[Listing]) -> String {
    let header = ["dataset", "files", "MiB", "materialized", "location"];
    let mut rows: Vec<[String; 5]> = vec![header.map(String::from)];
    rows.extend(listings.iter().map(|l| {
        [
            l.name.clone(),
            l.files.to_string(),
            l.size_text(),
            l.materialized.clone(),
            l.location_text(),
        ]
    }));
    let width = |col: usize| {
        rows.iter()
            .map(|r| r[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (name, files, size, state) = (width(0), width(1), width(2), width(3));
    rows.iter()
        .map(|r| {
            format!(
                "{:<name$}  {:>files$}  {:>size$}  {:<state$}  {}\n",
                r[0], r[1], r[2], r[3], r[4]
            )
        })
        .collect()
}

/// The generated datasets, with what is already on disk.
pub fn list_synthetic(data_dir: &Path, scale: f64) -> Vec<Listing> {
    let plan = synth::plan(scale);
    let planned_bytes: u64 = plan.iter().map(|f| f.size).sum();
    let mut out = Vec::new();
    let holdout_seed = std::env::var(HOLDOUT_SEED_VAR)
        .ok()
        .map(|s| seed_from_text(&s));
    for (name, seed) in [
        ("default", Some(synth::DEFAULT_SEED)),
        ("holdout", holdout_seed),
    ] {
        let (materialized, location) = match seed {
            Some(seed) => {
                let dir = synthetic_dir(data_dir, name, seed, scale);
                let present = plan.iter().filter(|f| dir.join(&f.name).is_file()).count();
                (materialized(present, plan.len()), dir.display().to_string())
            }
            None => ("no".into(), format!("needs --seed or {HOLDOUT_SEED_VAR}")),
        };
        out.push(Listing {
            name: name.into(),
            files: plan.len(),
            bytes: planned_bytes,
            unknown_sizes: 0,
            estimate: None,
            materialized,
            location,
        });
    }
    out
}

/// The materialized column: `no`, `yes` or `partly (K/N)`.
pub fn materialized(present: usize, total: usize) -> String {
    match present {
        0 => "no".to_string(),
        n if n == total => "yes".to_string(),
        n => format!("partly ({n}/{total})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(name: &str, bytes: u64, unknown: usize, estimate: Option<u64>) -> Listing {
        Listing {
            name: name.into(),
            files: 13,
            bytes,
            unknown_sizes: unknown,
            estimate,
            materialized: "no".into(),
            location: "/c".into(),
        }
    }

    #[test]
    fn columns_fit_the_longest_cell_and_unknown_sizes_say_so() {
        let text = render(&[
            listing("default", 3 << 20, 0, None),
            listing("a-much-longer-dataset-name", 0, 13, Some(600 << 20)),
            listing("x", 0, 2, None),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        let column = |line: &str| line.find("no").or_else(|| line.find("materialized"));
        assert_eq!(lines.len(), 4);
        assert!(
            lines.iter().all(|l| column(l) == column(lines[0])),
            "{text}"
        );
        assert!(lines[1].contains(" 13   3.0  no"), "{text}");
        assert!(lines[2].contains(" 13  ~600  no"), "{text}");
        assert!(
            lines[2].ends_with(
                "/c (sizes of 13 of 13 files unknown until fetched; the manifest estimates \
                 600 MiB)"
            ),
            "{text}"
        );
        assert!(lines[3].contains(" 13     ?  no"), "{text}");
    }
}

//! What `harness codecs` prints: every built-in codec with its levels and default level,
//! and the library versions behind the baselines. Levels are found by asking the codec
//! parser itself, so the list cannot drift from what `--codec` accepts.

use crate::codecs::CodecSpec;
use std::fmt::Write;

/// The built-in codec families, in the order they are listed.
pub const FAMILIES: [(&str, &str); 5] = [
    ("candidate", "the codec crate of this workspace (no levels)"),
    ("zstd", "Zstandard"),
    ("xz", "xz / LZMA2"),
    ("bzip2", "bzip2"),
    ("gzip", "gzip / deflate"),
];

/// One family: its accepted levels as ranges, and the level a bare name gets.
pub struct Family {
    pub name: &'static str,
    pub about: &'static str,
    /// Accepted levels among -10..=30, as inclusive ranges.
    pub levels: Vec<(i32, i32)>,
    pub default_level: Option<i32>,
}

pub fn families() -> Vec<Family> {
    FAMILIES
        .iter()
        .map(|&(name, about)| {
            let accepted: Vec<i32> = (-10..=30)
                .filter(|l| format!("{name}:{l}").parse::<CodecSpec>().is_ok())
                .collect();
            let mut levels: Vec<(i32, i32)> = Vec::new();
            for l in accepted {
                match levels.last_mut() {
                    Some((_, hi)) if *hi + 1 == l => *hi = l,
                    _ => levels.push((l, l)),
                }
            }
            let default_level = name
                .parse::<CodecSpec>()
                .ok()
                .filter(|s| s.is_baseline())
                .map(|s| s.level);
            Family {
                name,
                about,
                levels,
                default_level,
            }
        })
        .collect()
}

pub fn render() -> String {
    let mut out = format!("{:<11}{:<9}{:<9}about\n", "codec", "levels", "default");
    for f in families() {
        let levels = f
            .levels
            .iter()
            .map(|(lo, hi)| match lo == hi {
                true => lo.to_string(),
                false => format!("{lo}-{hi}"),
            })
            .collect::<Vec<_>>()
            .join(",");
        let default = f.default_level.map_or("-".into(), |l| l.to_string());
        let levels = if levels.is_empty() {
            "-".into()
        } else {
            levels
        };
        let _ = writeln!(out, "{:<11}{levels:<9}{default:<9}{}", f.name, f.about);
    }
    let _ = write!(
        out,
        "\nbaseline libraries: {}\n\
         external commands: ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD (stdin to stdout, run by /bin/sh)\n\
         examples: --codec zstd:1,3,19  --codec zstd:1-19  --codec candidate,xz:6/gzip\n",
        env!("HARNESS_LIB_VERSIONS")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_lists_the_levels_the_parser_accepts() {
        let text = render();
        let line = |name: &str| {
            text.lines()
                .find(|l| l.split_whitespace().next() == Some(name))
                .unwrap_or_else(|| panic!("no {name} in\n{text}"))
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
        };
        assert_eq!(line("zstd"), ["zstd", "1-22", "19"]);
        assert_eq!(line("xz"), ["xz", "0-9", "9"]);
        assert_eq!(line("bzip2"), ["bzip2", "1-9", "9"]);
        assert_eq!(line("gzip"), ["gzip", "0-9", "9"]);
        assert_eq!(line("candidate"), ["candidate", "-", "-"]);
        assert!(text.contains("baseline libraries: "), "{text}");
    }
}

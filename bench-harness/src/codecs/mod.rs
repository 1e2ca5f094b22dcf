//! Which codecs a run measures: the candidate (`codec` crate), the built-in baselines, and
//! external commands. A [`CodecSpec`] round-trips through its string form, which is how the
//! harness tells a runner child what to execute.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodecKind {
    /// The `codec` crate of this workspace.
    Candidate,
    Zstd,
    Xz,
    Bzip2,
    Gzip,
    /// Shell commands reading stdin and writing stdout.
    External {
        compress: String,
        decompress: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecSpec {
    pub kind: CodecKind,
    /// Baseline level; 0 for the candidate and external commands.
    pub level: i32,
    /// Display name: `candidate`, `xz:9`, or the name given to an external command.
    pub name: String,
}

/// Names of the runner's hidden test codecs start with this.
pub const PROBE_PREFIX: &str = "__probe-";

/// The baselines a run measures when no `--codec` is given.
pub const DEFAULT_BASELINES: [&str; 4] = ["zstd:19", "xz:9", "bzip2:9", "gzip:9"];

impl CodecSpec {
    pub fn candidate() -> Self {
        CodecSpec {
            kind: CodecKind::Candidate,
            level: 0,
            name: "candidate".into(),
        }
    }

    pub fn is_candidate(&self) -> bool {
        self.kind == CodecKind::Candidate
    }

    pub fn is_external(&self) -> bool {
        matches!(self.kind, CodecKind::External { .. })
    }

    pub fn is_baseline(&self) -> bool {
        matches!(
            self.kind,
            CodecKind::Zstd | CodecKind::Xz | CodecKind::Bzip2 | CodecKind::Gzip
        )
    }

    /// What produced a result, precisely enough to reuse a cached measurement: the name,
    /// level and the library versions this harness was built with.
    pub fn identity(&self) -> String {
        match &self.kind {
            CodecKind::External {
                compress,
                decompress,
            } => format!("ext:{}={compress};{decompress}", self.name),
            CodecKind::Candidate => "candidate".into(),
            _ => format!("{} [{}]", self.name, env!("HARNESS_LIB_VERSIONS")),
        }
    }

    fn baseline(kind: CodecKind, family: &str, level: i32) -> Self {
        CodecSpec {
            kind,
            level,
            name: format!("{family}:{level}"),
        }
    }
}

impl fmt::Display for CodecSpec {
    /// The parseable form (`ext:NAME=COMPRESS;DECOMPRESS` for external commands).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            CodecKind::External {
                compress,
                decompress,
            } => write!(f, "ext:{}={compress};{decompress}", self.name),
            _ => f.write_str(&self.name),
        }
    }
}

impl FromStr for CodecSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(rest) = s.strip_prefix("ext:") {
            return parse_external(rest);
        }
        // Hidden test codecs of the runner that try what the sandbox forbids or use a known
        // amount of memory; in-process like the candidate.
        if s.starts_with(PROBE_PREFIX) {
            return Ok(CodecSpec {
                name: s.into(),
                ..CodecSpec::candidate()
            });
        }
        let (family, level) = match s.split_once(':') {
            Some((f, l)) => {
                let level = l
                    .parse::<i32>()
                    .map_err(|_| format!("codec {s:?}: level {l:?} is not a number"))?;
                (f, Some(level))
            }
            None => (s, None),
        };
        let (kind, default, range) = match family {
            "candidate" if level.is_none() => return Ok(CodecSpec::candidate()),
            "candidate" => return Err("the candidate takes no level".into()),
            "zstd" => (CodecKind::Zstd, 19, 1..=22),
            "xz" => (CodecKind::Xz, 9, 0..=9),
            "bzip2" => (CodecKind::Bzip2, 9, 1..=9),
            "gzip" => (CodecKind::Gzip, 9, 0..=9),
            _ => {
                return Err(format!(
                    "unknown codec {s:?}: expected candidate, zstd[:1-22], xz[:0-9], \
                     bzip2[:1-9], gzip[:0-9] or ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD"
                ))
            }
        };
        let level = level.unwrap_or(default);
        if !range.contains(&level) {
            return Err(format!(
                "codec {s:?}: level {level} outside {}..={}",
                range.start(),
                range.end()
            ));
        }
        Ok(CodecSpec::baseline(kind, family, level))
    }
}

fn parse_external(rest: &str) -> Result<CodecSpec, String> {
    let usage = "external codec must look like ext:NAME=COMPRESS_CMD;DECOMPRESS_CMD";
    let (name, commands) = rest.split_once('=').ok_or(usage)?;
    let (compress, decompress) = commands.split_once(';').ok_or(usage)?;
    let name = name.trim();
    if name.is_empty() || compress.trim().is_empty() || decompress.trim().is_empty() {
        return Err(usage.into());
    }
    if name.contains(|c: char| c.is_whitespace() || c == ',' || c == '"') {
        return Err(format!(
            "external codec name {name:?} must not contain spaces, commas or quotes"
        ));
    }
    Ok(CodecSpec {
        kind: CodecKind::External {
            compress: compress.trim().into(),
            decompress: decompress.trim().into(),
        },
        level: 0,
        name: name.into(),
    })
}

/// Which direction an operation codes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Compress,
    Decompress,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Compress => "compress",
            Operation::Decompress => "decompress",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_and_defaults() {
        assert_eq!("xz".parse::<CodecSpec>().unwrap().name, "xz:9");
        assert_eq!("zstd:3".parse::<CodecSpec>().unwrap().level, 3);
        assert!("zstd:23".parse::<CodecSpec>().is_err());
        assert!("lz4"
            .parse::<CodecSpec>()
            .unwrap_err()
            .contains("unknown codec"));
        assert!("candidate".parse::<CodecSpec>().unwrap().is_candidate());
    }

    #[test]
    fn external_round_trips_through_its_string_form() {
        let spec: CodecSpec = "ext:brotli=brotli -q 11 -c;brotli -d -c".parse().unwrap();
        assert_eq!(spec.name, "brotli");
        assert_eq!(
            spec.kind,
            CodecKind::External {
                compress: "brotli -q 11 -c".into(),
                decompress: "brotli -d -c".into()
            }
        );
        assert_eq!(spec.to_string().parse::<CodecSpec>().unwrap(), spec);
        assert!("ext:nocommands".parse::<CodecSpec>().is_err());
    }
}

//! What a run expects each codec to cost, from what this machine measured before: the
//! newest recorded run of each codec in the history (`results.csv`), else the baseline
//! cache's rows, else a guess. Costs are seconds per byte of input, plus a fixed cost of
//! starting each codec process.

use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

/// Seconds per input byte of one compression and one decompression.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Speed {
    pub compress: f64,
    pub decompress: f64,
}

/// Seconds of starting and waiting for one codec process, whatever the file.
pub const PROCESS_SECONDS: f64 = 0.02;

/// Codec speeds known on this machine, by codec name.
#[derive(Clone, Debug, Default)]
pub struct Speeds {
    known: HashMap<String, Speed>,
}

impl Speeds {
    /// Speeds from the baseline cache at `cache` (JSON lines with a `row` of `files.csv`),
    /// then from the history at `history`, whose newest line of a codec wins.
    pub fn load(history: &Path, cache: &Path) -> Speeds {
        let mut speeds = Speeds::default();
        // Sums over the cache's rows, per codec: (bytes, compress s, decompress s).
        let mut sums: HashMap<String, (f64, f64, f64)> = HashMap::new();
        if let Ok(file) = std::fs::File::open(cache) {
            for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
                let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                let row = &entry["row"];
                let (Some(codec), Some(bytes), Some(c), Some(d)) = (
                    row["codec"].as_str(),
                    row["original_bytes"].as_f64(),
                    row["compress_s"].as_f64(),
                    row["decompress_s"].as_f64(),
                ) else {
                    continue;
                };
                let sum = sums.entry(codec.to_string()).or_default();
                *sum = (sum.0 + bytes, sum.1 + c, sum.2 + d);
            }
        }
        for (codec, (bytes, c, d)) in sums {
            speeds.learn(&codec, bytes, c, d);
        }
        if let Ok(lines) = crate::history::read(history) {
            for line in lines {
                speeds.learn(
                    &line.codec,
                    line.dataset_bytes as f64,
                    line.compress_s,
                    line.decompress_s,
                );
            }
        }
        speeds
    }

    /// Records `bytes` compressed in `compress_s` and decompressed in `decompress_s`,
    /// replacing what was known of `codec`; ignored without bytes or times.
    pub fn learn(&mut self, codec: &str, bytes: f64, compress_s: f64, decompress_s: f64) {
        if bytes > 0.0 && compress_s > 0.0 && decompress_s > 0.0 {
            let speed = Speed {
                compress: compress_s / bytes,
                decompress: decompress_s / bytes,
            };
            self.known.insert(codec.to_string(), speed);
        }
    }

    /// The speed of `codec`: as measured here, else a guess (1 MB/s both ways for the
    /// candidate, 2 MB/s and 50 MB/s for anything else).
    pub fn of(&self, codec: &str) -> Speed {
        self.known
            .get(codec)
            .copied()
            .unwrap_or(if codec == "candidate" {
                Speed {
                    compress: 1e-6,
                    decompress: 1e-6,
                }
            } else {
                Speed {
                    compress: 0.5e-6,
                    decompress: 0.02e-6,
                }
            })
    }

    /// Expected seconds of one round of `codec` on `bytes`: `compressions` compressions (2
    /// with the determinism check in a single round) and one decompression, each a process.
    pub fn seconds(&self, codec: &str, bytes: u64, compressions: usize) -> f64 {
        let speed = self.of(codec);
        let n = compressions as f64;
        bytes as f64 * (speed.compress * n + speed.decompress) + PROCESS_SECONDS * (n + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_overrides_the_cache_and_guesses_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("baselines.jsonl");
        let row = |codec: &str, bytes: u64, c: f64, d: f64| {
            serde_json::json!({ "key": "k", "determinism_checked": true, "row": {
                "codec": codec, "original_bytes": bytes, "compress_s": c, "decompress_s": d,
            }})
            .to_string()
        };
        let lines = [
            row("xz:9", 1_000_000, 0.5, 0.02),
            row("xz:9", 3_000_000, 1.5, 0.06),
            row("gzip:9", 1_000_000, 0.1, 0.01),
            "not json".to_string(),
        ];
        std::fs::write(&cache, lines.join("\n")).unwrap();
        let speeds = Speeds::load(&dir.path().join("no-history.csv"), &cache);
        let xz = speeds.of("xz:9");
        assert!((xz.compress - 0.5e-6).abs() < 1e-15, "{xz:?}");
        assert!((xz.decompress - 0.02e-6).abs() < 1e-15, "{xz:?}");
        // 2 compressions and a decompression of 2 MB, plus three processes.
        let expected = 2e6 * (2.0 * 0.1e-6 + 0.01e-6) + 3.0 * PROCESS_SECONDS;
        assert!((speeds.seconds("gzip:9", 2_000_000, 2) - expected).abs() < 1e-12);
        assert_eq!(speeds.of("candidate").compress, 1e-6);

        let mut learned = speeds.clone();
        learned.learn("xz:9", 1e6, 2.0, 0.1);
        assert_eq!(learned.of("xz:9").compress, 2e-6);
        learned.learn("xz:9", 0.0, 2.0, 0.1);
        assert_eq!(
            learned.of("xz:9").compress,
            2e-6,
            "nothing learnt from no bytes"
        );
    }
}

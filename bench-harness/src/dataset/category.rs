//! What kind of data a file holds. Reports aggregate per category.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Natural-language prose.
    Text,
    /// CSV, JSON, logs, markup, URL lists.
    Structured,
    /// Program source code.
    Source,
    /// PCM audio (WAV).
    Audio,
    /// Uncompressed raster images (BMP).
    Image,
    /// Machine code, numeric tables, other binary formats.
    Binary,
    /// Already-compressed streams and media (gzip, zstd, xz, PNG, JPEG, ...).
    Compressed,
    /// Uniformly random bytes.
    Random,
    /// Degenerate inputs: empty, one byte, all zeros, short repeats.
    Edge,
}

impl Category {
    pub const ALL: [Category; 9] = [
        Category::Text,
        Category::Structured,
        Category::Source,
        Category::Audio,
        Category::Image,
        Category::Binary,
        Category::Compressed,
        Category::Random,
        Category::Edge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Text => "text",
            Category::Structured => "structured",
            Category::Source => "source",
            Category::Audio => "audio",
            Category::Image => "image",
            Category::Binary => "binary",
            Category::Compressed => "compressed",
            Category::Random => "random",
            Category::Edge => "edge",
        }
    }

    /// Whether a general compressor is expected to shrink this kind of data.
    pub fn is_compressible(self) -> bool {
        !matches!(self, Category::Compressed | Category::Random)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown category {s:?}"))
    }
}

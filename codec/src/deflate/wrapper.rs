//! What surrounds a deflate stream inside its span of the file, and how the stream is
//! represented in the transformed data.

use super::png::Image;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wrapper {
    /// The span is the deflate stream itself (gzip, zlib and ZIP headers stay in the gaps).
    Plain,
    /// The span is a PNG's IDAT chunks; their payloads are `prefix`, the deflate stream
    /// and `suffix` (the zlib header and the Adler-32 check).
    Png {
        chunks: Vec<usize>,
        prefix: [u8; 2],
        suffix: Vec<u8>,
        /// Set when the decoded scanlines are replaced by BMP pixels; with the filter type
        /// of every row.
        pixels: Option<(Image, Vec<u8>)>,
    },
}

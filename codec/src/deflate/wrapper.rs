//! What surrounds a deflate stream inside its span of the file, how the stream is
//! represented in the transformed data, and how both are coded in the side information.

use super::number::Number;
use super::png::Image;
use crate::model::adaptive_bit::{AdaptiveBit, BitIo};

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

/// Chunk lengths and suffixes longer than this are corrupt input, not PNGs.
const MAX_PNG_FIELD: u64 = 1 << 31;
/// PNG dimensions above this are corrupt input (see [`png`]).
const MAX_PNG_SIDE: u64 = 1 << 24;

/// Models of the wrapper fields; part of [`SideModel`].
#[derive(Clone, Default)]
pub struct WrapperModel {
    is_png: AdaptiveBit,
    chunk_count: Number,
    same_chunk_len: AdaptiveBit,
    chunk_len: Number,
    byte: Number,
    suffix_len: Number,
    has_pixels: AdaptiveBit,
    dimension: Number,
    alpha: AdaptiveBit,
    /// Filter type of a row (3-bit tree) by the previous row's.
    filter: [[AdaptiveBit; 8]; 8],
}

impl WrapperModel {
    /// Codes `given` (ignored when decoding) for a stream represented by `represented`
    /// bytes; `None` if a decoded wrapper cannot be real, or would rebuild to more than
    /// `room` bytes.
    pub fn code<C: BitIo>(
        &mut self,
        io: &mut C,
        given: &Wrapper,
        represented: usize,
        room: usize,
    ) -> Option<Wrapper> {
        let png = match given {
            Wrapper::Png {
                chunks,
                prefix,
                suffix,
                pixels,
            } => Some((
                chunks.as_slice(),
                *prefix,
                suffix.as_slice(),
                pixels.as_ref(),
            )),
            Wrapper::Plain => None,
        };
        if self.is_png.code(io, u32::from(png.is_some())) == 0 {
            return Some(Wrapper::Plain);
        }
        let (given_chunks, given_prefix, given_suffix, given_pixels) =
            png.unwrap_or((&[], [0, 0], &[], None));
        let count = self.chunk_count.code(io, given_chunks.len() as u64) as usize;
        if count == 0 || count > room / 12 {
            return None;
        }
        // Grown as decoded (not reserved): garbage input fails long before a huge count.
        let mut chunks = Vec::new();
        let mut last = 0u64;
        for i in 0..count {
            if io.exhausted() {
                return None;
            }
            let len = given_chunks.get(i).map_or(0, |&l| l as u64);
            let len = if self
                .same_chunk_len
                .code(io, u32::from(i > 0 && len == last))
                == 1
            {
                last
            } else {
                self.chunk_len.code(io, len)
            };
            if len > MAX_PNG_FIELD {
                return None;
            }
            chunks.push(len as usize);
            last = len;
        }
        let mut prefix = [0u8; 2];
        for (b, &g) in prefix.iter_mut().zip(&given_prefix) {
            *b = u8::try_from(self.byte.code(io, u64::from(g))).ok()?;
        }
        let suffix_len = self.suffix_len.code(io, given_suffix.len() as u64);
        if suffix_len > MAX_PNG_FIELD || suffix_len as usize > room {
            return None;
        }
        let mut suffix = Vec::new();
        for i in 0..suffix_len as usize {
            if io.exhausted() {
                return None;
            }
            let g = given_suffix.get(i).copied().unwrap_or(0);
            suffix.push(u8::try_from(self.byte.code(io, u64::from(g))).ok()?);
        }
        let pixels = if self.has_pixels.code(io, u32::from(given_pixels.is_some())) == 1 {
            Some(self.code_pixels(io, given_pixels, represented)?)
        } else {
            None
        };
        Some(Wrapper::Png {
            chunks,
            prefix,
            suffix,
            pixels,
        })
    }

    /// The image and its filter types; `None` unless its BMP is `represented` bytes long.
    fn code_pixels<C: BitIo>(
        &mut self,
        io: &mut C,
        given: Option<&(Image, Vec<u8>)>,
        represented: usize,
    ) -> Option<(Image, Vec<u8>)> {
        let (gi, gf) = given.map_or((None, &[][..]), |(i, f)| (Some(*i), f.as_slice()));
        let width = self.dimension.code(io, gi.map_or(0, |i| i.width as u64));
        let height = self.dimension.code(io, gi.map_or(0, |i| i.height as u64));
        if width == 0 || height == 0 || width >= MAX_PNG_SIDE || height >= MAX_PNG_SIDE {
            return None;
        }
        let alpha = self
            .alpha
            .code(io, u32::from(gi.is_some_and(|i| i.channels == 4)));
        let colour = Image {
            width: width as usize,
            height: height as usize,
            channels: 3 + alpha as usize,
        };
        // A grey image is told by its BMP's length (`png::ihdr` takes none as long as its
        // colour BMP would be), so colour images' side information is as it always was, and
        // builds that know no grey BMP refuse one as pixels that do not fit.
        let grey = Image {
            channels: 1,
            ..colour
        };
        let image = if colour.bmp_len() == represented {
            colour
        } else if alpha == 0 && grey.bmp_len() == represented {
            grey
        } else {
            return None;
        };
        let mut filters = Vec::new();
        let mut prev = 0usize;
        for y in 0..image.height {
            if io.exhausted() {
                return None;
            }
            let given = u32::from(gf.get(y).copied().unwrap_or(0));
            let tree = &mut self.filter[prev];
            let mut node = 1usize;
            for i in (0..3).rev() {
                node = node * 2 + tree[node].code(io, (given >> i) & 1) as usize;
            }
            let filter = node - 8;
            if filter > 4 {
                return None;
            }
            filters.push(filter as u8);
            prev = filter;
        }
        Some((image, filters))
    }
}

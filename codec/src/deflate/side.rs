//! The side information of a recompressed file: where each deflate stream sat, its block
//! layout and its tokens, coded against the decoded bytes (see [`TokenModel`]).

use super::bits::{BitWriter, Bits};
use super::number::Number;
use super::png::Image;
use super::stream::{Block, Body, Token};
use super::token_model::{Cursor, TokenModel};
use super::wrapper::Wrapper;
use crate::model::adaptive_bit::{AdaptiveBit, BitIo};

/// Longest dynamic header accepted, in bits (a real one is under 5,000).
const MAX_HEADER_BITS: usize = 8192;
const HEADER_CONTEXT_BITS: u32 = 11;

/// Where a stream sits in the transformed data: `gap` bytes after the previous one, then
/// its representation (decoded bytes or BMP pixels) of `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub gap: usize,
    pub len: usize,
}

/// All models of the side information; one instance codes a whole file.
#[derive(Clone)]
pub struct SideModel {
    count: Number,
    gap: Number,
    len: Number,
    pub wrapper: WrapperModel,
    insert_limit: Number,
    last: AdaptiveBit,
    kind: [AdaptiveBit; 4],
    stored_pad: Number,
    stored_len: Number,
    header_len: Number,
    header_bits: Vec<AdaptiveBit>,
    token_count: Number,
    tail_pad: Number,
    tokens: TokenModel,
}

impl Default for SideModel {
    fn default() -> Self {
        SideModel {
            count: Number::default(),
            gap: Number::default(),
            len: Number::default(),
            wrapper: WrapperModel::default(),
            insert_limit: Number::default(),
            last: AdaptiveBit::default(),
            kind: [AdaptiveBit::default(); 4],
            stored_pad: Number::default(),
            stored_len: Number::default(),
            header_len: Number::default(),
            header_bits: vec![AdaptiveBit::default(); 1 << HEADER_CONTEXT_BITS],
            token_count: Number::default(),
            tail_pad: Number::default(),
            tokens: TokenModel::default(),
        }
    }
}

impl SideModel {
    pub fn code_count<C: BitIo>(&mut self, io: &mut C, count: usize) -> usize {
        self.count.code(io, count as u64) as usize
    }

    pub fn code_placement<C: BitIo>(&mut self, io: &mut C, p: Placement) -> Placement {
        Placement {
            gap: self.gap.code(io, p.gap as u64) as usize,
            len: self.len.code(io, p.len as u64) as usize,
        }
    }

    /// The encoder's insert limit (see [`super::token_model::INSERT_ALL`]).
    pub fn code_insert_limit<C: BitIo>(&mut self, io: &mut C, limit: usize) -> usize {
        self.insert_limit.code(io, limit as u64) as usize
    }

    pub fn code_tail_pad<C: BitIo>(&mut self, io: &mut C, pad: u8) -> Option<u8> {
        u8::try_from(self.tail_pad.code(io, u64::from(pad))).ok()
    }

    /// Codes one block (`given` is ignored when decoding) whose tokens start at
    /// `cursor.at` in `decoded`. `None` if a decoded block cannot be real.
    pub fn code_block<C: BitIo>(
        &mut self,
        io: &mut C,
        cursor: &mut Cursor,
        decoded: &[u8],
        given: &Block,
    ) -> Option<Block> {
        let last = self.last.code(io, u32::from(given.last)) == 1;
        let (given_kind, given_tokens): (u32, &[Token]) = match &given.body {
            Body::Stored { .. } => (0, &[]),
            Body::Fixed(t) => (1, t),
            Body::Dynamic { tokens, .. } => (2, tokens),
        };
        let hi = self.kind[1].code(io, given_kind >> 1);
        let kind = hi << 1 | self.kind[2 + hi as usize].code(io, given_kind & 1);
        let body = match kind {
            0 => {
                let (pad, len) = match given.body {
                    Body::Stored { pad, len } => (pad, len),
                    _ => (0, 0),
                };
                let pad = u8::try_from(self.stored_pad.code(io, u64::from(pad))).ok()?;
                let len = u16::try_from(self.stored_len.code(io, u64::from(len))).ok()?;
                cursor.at = cursor.at.checked_add(usize::from(len))?;
                if cursor.at > decoded.len() {
                    return None;
                }
                Body::Stored { pad, len }
            }
            1 => Body::Fixed(self.code_tokens(io, cursor, decoded, given_tokens)?),
            2 => {
                let empty = Bits::default();
                let given_header = match &given.body {
                    Body::Dynamic { header, .. } => header,
                    _ => &empty,
                };
                let header = self.code_header(io, given_header)?;
                let tokens = self.code_tokens(io, cursor, decoded, given_tokens)?;
                Body::Dynamic { header, tokens }
            }
            _ => return None,
        };
        Some(Block { last, body })
    }

    fn code_header<C: BitIo>(&mut self, io: &mut C, given: &Bits) -> Option<Bits> {
        let count = self.header_len.code(io, given.count as u64) as usize;
        if count > MAX_HEADER_BITS {
            return None;
        }
        let mut writer = BitWriter::default();
        let mut history = 1usize;
        let mask = (1 << HEADER_CONTEXT_BITS) - 1;
        for i in 0..count {
            let bit = if i < given.count { given.get(i) } else { 0 };
            let b = self.header_bits[history & mask].code(io, bit);
            writer.put(b, 1);
            history = history << 1 | b as usize;
        }
        Some(writer.into_bits())
    }

    fn code_tokens<C: BitIo>(
        &mut self,
        io: &mut C,
        cursor: &mut Cursor,
        decoded: &[u8],
        given: &[Token],
    ) -> Option<Vec<Token>> {
        let count = self.token_count.code(io, given.len() as u64) as usize;
        if count > decoded.len() - cursor.at.min(decoded.len()) {
            return None;
        }
        let mut tokens = Vec::with_capacity(count);
        for i in 0..count {
            let token = given.get(i).copied().unwrap_or_default();
            tokens.push(self.tokens.code(io, cursor, decoded, token)?);
        }
        Some(tokens)
    }
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
        let image = Image {
            width: width as usize,
            height: height as usize,
            channels: 3 + alpha as usize,
        };
        if image.bmp_len() != represented {
            return None;
        }
        let mut filters = Vec::new();
        let mut prev = 0usize;
        for y in 0..image.height {
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

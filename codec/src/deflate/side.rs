//! The side information of a recompressed file: where each deflate stream sat, its block
//! layout and its tokens, coded against the decoded bytes (see [`TokenModel`]).

use super::bits::{BitWriter, Bits};
use super::number::Number;
use super::stream::{Block, Body, Tokens};
use super::token_model::{Cursor, TokenModel};
use super::wrapper::WrapperModel;
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

    /// The encoder's insert limit (see [`super::token_model::INSERT_ALL`]), coded first in
    /// every stream.
    pub fn code_insert_limit<C: BitIo>(&mut self, io: &mut C, limit: usize) -> usize {
        self.tokens.start_stream();
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
        let none = Tokens::default();
        let (given_kind, given_tokens) = match &given.body {
            Body::Stored { .. } => (0, &none),
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
        given: &Tokens,
    ) -> Option<Tokens> {
        let count = self.token_count.code(io, given.len() as u64) as usize;
        if count > decoded.len() - cursor.at.min(decoded.len()) {
            return None;
        }
        // Grown as decoded: a decoder stops where its coded bytes end.
        let mut tokens = Tokens::default();
        let mut given = given.iter();
        for _ in 0..count {
            if io.exhausted() {
                return None;
            }
            let token = given.next().unwrap_or_default();
            tokens.push(self.tokens.code(io, cursor, decoded, token)?);
        }
        Some(tokens)
    }
}

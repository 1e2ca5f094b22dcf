//! A deflate stream as the recompressor sees it: its blocks, with every token, and the
//! pieces of the bit layout that the tokens and the decoded bytes do not determine.

use super::bits::Bits;

/// One literal (`len == 0`; the byte itself is in the decoded data) or one match of `len`
/// bytes (3..=258) at distance `dist` (1..=32768).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Token {
    pub len: u16,
    pub dist: u16,
}

impl Token {
    pub const LITERAL: Token = Token { len: 0, dist: 0 };
}

/// A block's tokens, a run of literals held as one entry (`len == 0`, `dist` = how many):
/// a photo's PNG is mostly literals, and 4 bytes per literal once held more memory than
/// its pixels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    entries: Vec<Token>,
    count: usize,
}

impl Tokens {
    pub fn push(&mut self, token: Token) {
        self.count += 1;
        if token.len == 0 {
            if let Some(run) = self
                .entries
                .last_mut()
                .filter(|t| t.len == 0 && t.dist < u16::MAX)
            {
                run.dist += 1;
                return;
            }
            self.entries.push(Token { len: 0, dist: 1 });
        } else {
            self.entries.push(token);
        }
    }

    /// How many tokens (each literal counted).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Every token in order, each literal as [`Token::LITERAL`].
    pub fn iter(&self) -> impl Iterator<Item = Token> + '_ {
        self.entries.iter().flat_map(|&t| {
            let (token, times) = if t.len == 0 {
                (Token::LITERAL, usize::from(t.dist))
            } else {
                (t, 1)
            };
            std::iter::repeat_n(token, times)
        })
    }
}

impl FromIterator<Token> for Tokens {
    fn from_iter<I: IntoIterator<Item = Token>>(iter: I) -> Self {
        let mut tokens = Tokens::default();
        for t in iter {
            tokens.push(t);
        }
        tokens
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// `pad`: the bits skipped to reach a byte boundary; `len` bytes follow verbatim.
    Stored {
        pad: u8,
        len: u16,
    },
    Fixed(Tokens),
    /// `header`: every bit from HLIT to the last code length, as found.
    Dynamic {
        header: Bits,
        tokens: Tokens,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub last: bool,
    pub body: Body,
}

/// A whole stream: its blocks and the bits after the last block up to a byte boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    pub blocks: Vec<Block>,
    pub tail_pad: u8,
}

/// Base length and extra bits of length symbols 257..=285.
pub const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Base distance and extra bits of distance symbols 0..=29.
pub const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
pub const MAX_MATCH: usize = 258;
pub const WINDOW: usize = 32768;

/// Index into `LEN_BASE` of the symbol that codes `len` (258 always as symbol 285).
pub fn length_symbol(len: u16) -> usize {
    LEN_BASE.partition_point(|&b| b <= len) - 1
}

/// Index into `DIST_BASE` of the symbol that codes `dist`.
pub fn distance_symbol(dist: u16) -> usize {
    DIST_BASE.partition_point(|&b| b <= dist) - 1
}

/// Order in which the code length code's lengths are sent.
pub const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_runs_are_held_as_one_entry_and_given_back_one_by_one() {
        let m = Token { len: 7, dist: 300 };
        let mut given = vec![Token::LITERAL; 70_000];
        given.push(m);
        given.extend([Token::LITERAL; 3]);
        given.push(m);
        let tokens: Tokens = given.iter().copied().collect();
        assert_eq!(tokens.len(), given.len());
        assert!(tokens.iter().eq(given.iter().copied()));
        // 65,535 + 4,465 literals, the match, 3 literals, the match.
        assert_eq!(tokens.entries.len(), 5);
    }
}

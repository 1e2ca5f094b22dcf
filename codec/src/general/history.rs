//! The bytes a predictor has seen, which it reads but does not own: the encoder's input, or
//! the decoder's output. A lane's history is its bytes so far; a forked half's is the trunk
//! followed by the half's own bytes so far ([`super::fork`]), two slices that need not be
//! next to each other. So no model keeps a copy of the data (session 21: the encoder held
//! the input and two histories, 2.06 times the input, before any table).

/// Every byte coded or observed so far, in order: those of `head`, then those of `tail`.
#[derive(Clone, Copy)]
pub struct History<'a> {
    head: &'a [u8],
    tail: &'a [u8],
}

impl<'a> History<'a> {
    pub fn new(head: &'a [u8], tail: &'a [u8]) -> Self {
        History { head, tail }
    }

    /// A history of one slice.
    pub fn flat(bytes: &'a [u8]) -> Self {
        History {
            head: &[],
            tail: bytes,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }

    /// The byte at position `p` (below [`Self::len`]).
    #[inline]
    pub fn at(&self, p: usize) -> u8 {
        match p.checked_sub(self.head.len()) {
            None => self.head[p],
            Some(q) => self.tail[q],
        }
    }

    /// The byte at position `p`, if there is one.
    #[inline]
    pub fn get(&self, p: usize) -> Option<u8> {
        (p < self.len()).then(|| self.at(p))
    }

    /// The last byte (the history is not empty).
    #[inline]
    pub fn last(&self) -> u8 {
        self.at(self.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_slices_read_as_one() {
        let h = History::new(b"abc", b"de");
        assert_eq!(h.len(), 5);
        let all: Vec<u8> = (0..h.len()).map(|p| h.at(p)).collect();
        assert_eq!(all, b"abcde");
        assert_eq!(h.get(5), None);
        assert_eq!(h.last(), b'e');
        assert_eq!(History::flat(b"xy").at(1), b'y');
        assert_eq!(History::new(b"ab", b"").last(), b'b');
    }
}

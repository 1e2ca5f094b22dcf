use super::split;

/// Writes bits under given probabilities; mirror of [`super::Decoder`].
pub struct Encoder {
    x1: u32,
    x2: u32,
    out: Vec<u8>,
}

/// A point in an [`Encoder`]'s output to rewind to.
pub struct Checkpoint {
    x1: u32,
    x2: u32,
    len: usize,
}

/// What an [`Encoder`] wrote after a [`Checkpoint`], and its state then: restoring it
/// after rewinding to that checkpoint gives the encoder it was taken from.
pub struct Snapshot {
    bytes: Vec<u8>,
    end: Checkpoint,
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    pub fn new() -> Self {
        Encoder {
            x1: 0,
            x2: u32::MAX,
            out: Vec::new(),
        }
    }

    /// Encodes `bit` (0 or 1) where `p1` is P(bit = 1) in `1..=65535`.
    #[inline]
    pub fn encode(&mut self, bit: u32, p1: u32) {
        let xmid = split(self.x1, self.x2, p1);
        if bit != 0 {
            self.x2 = xmid;
        } else {
            self.x1 = xmid + 1;
        }
        while (self.x1 ^ self.x2) & 0xff00_0000 == 0 {
            self.out.push((self.x2 >> 24) as u8);
            self.x1 <<= 8;
            self.x2 = (self.x2 << 8) | 0xff;
        }
    }

    /// The state to come back to with [`Self::rewind`]. Written bytes are final (no carry
    /// reaches them), so the state is the interval and the output length.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            x1: self.x1,
            x2: self.x2,
            len: self.out.len(),
        }
    }

    /// Forgets every bit coded since `at` was taken.
    pub fn rewind(&mut self, at: &Checkpoint) {
        self.x1 = at.x1;
        self.x2 = at.x2;
        self.out.truncate(at.len);
    }

    /// The bytes written since `start` and the state now.
    pub fn snapshot_since(&self, start: &Checkpoint) -> Snapshot {
        Snapshot {
            bytes: self.out[start.len..].to_vec(),
            end: self.checkpoint(),
        }
    }

    /// Rewinds to `start`, then writes `snapshot` (taken since `start`) again.
    pub fn restore(&mut self, start: &Checkpoint, snapshot: &Snapshot) {
        self.out.truncate(start.len);
        self.out.extend_from_slice(&snapshot.bytes);
        self.x1 = snapshot.end.x1;
        self.x2 = snapshot.end.x2;
    }

    /// Bytes written so far (the final flush adds four).
    pub fn bytes_written(&self) -> usize {
        self.out.len()
    }

    /// Flushes the interval and returns the coded bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(&self.x1.to_be_bytes());
        self.out
    }
}

//! Follows the Huffman decoding of a baseline scan one bit at a time, so the model knows at
//! every bit which code it is in, which coefficient it belongs to, and what the neighbouring
//! blocks held at that coefficient. Any bit string is accepted: a code that matches no table
//! entry (or a run past the block's end) leaves the state "lost" until the next restart
//! marker, and the model falls back to its byte contexts.

use super::header::{Header, Huffman, ScanComponent};

/// Where the next bit goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A Huffman code: `code` holds the `len` bits read so far.
    Code,
    /// The `size` magnitude bits of a coefficient: `code` holds the `len` read so far.
    Extra,
    /// Not following the data.
    Lost,
}

pub struct ScanState {
    components: Vec<ScanComponent>,
    restart_interval: usize,
    /// Index into `components` for each block of an MCU, and its position in the MCU.
    mcu_blocks: Vec<(usize, usize, usize)>,
    pub phase: Phase,
    pub code: u32,
    pub len: u32,
    /// Counts the starts of codes and magnitudes (each time `len` returns to 0).
    pub seq: u64,
    /// Magnitude bits of the current coefficient (in `Extra`).
    pub size: u32,
    /// Zigzag index of the current coefficient (0 = DC).
    pub k: usize,
    /// Block of the MCU being decoded, and the MCU's index.
    block: usize,
    mcu: usize,
    restarts: usize,
    /// The current block's coefficients (zigzag order) and how many are non-zero.
    pub coef: [i32; 64],
    pub nonzero: u32,
    dc_pred: Vec<i32>,
    /// Per component, the last block decoded in each block column (coefficients in zigzag
    /// order): the block above the next one in that column.
    rows: Vec<Vec<[i16; 64]>>,
    /// The blocks above and to the left of the current one (same component, zigzag order).
    pub above: [i32; 64],
    pub left: [i32; 64],
    /// Non-zero coefficients in the blocks above and to the left together.
    pub around: u32,
    /// Component of the current block.
    pub comp: usize,
}

impl ScanState {
    pub fn new(h: &Header) -> Self {
        let mut mcu_blocks = Vec::new();
        for (c, comp) in h.components.iter().enumerate() {
            for y in 0..comp.v {
                for x in 0..comp.h {
                    mcu_blocks.push((c, x, y));
                }
            }
        }
        let rows = h
            .components
            .iter()
            .map(|c| vec![[0i16; 64]; c.blocks_across.max(1) + 1])
            .collect();
        let mut s = ScanState {
            components: h.components.clone(),
            restart_interval: h.restart_interval,
            mcu_blocks,
            phase: Phase::Code,
            code: 0,
            len: 0,
            seq: 0,
            size: 0,
            k: 0,
            block: 0,
            mcu: 0,
            restarts: 0,
            coef: [0; 64],
            nonzero: 0,
            dc_pred: vec![0; h.components.len()],
            rows,
            above: [0; 64],
            left: [0; 64],
            around: 0,
            comp: 0,
        };
        s.start_block();
        s
    }

    /// Column (in blocks) of block `b` of the current MCU.
    fn column(&self, b: usize) -> usize {
        let (c, x, _) = self.mcu_blocks[b];
        let comp = &self.components[c];
        let per_row = (comp.blocks_across / comp.h).max(1);
        let col = (self.mcu % per_row) * comp.h + x;
        col.min(comp.blocks_across)
    }

    fn start_block(&mut self) {
        let (c, _, _) = self.mcu_blocks[self.block];
        self.comp = c;
        let col = self.column(self.block);
        let row = &self.rows[c];
        for (a, &v) in self.above.iter_mut().zip(&row[col]) {
            *a = v as i32;
        }
        let left = if col > 0 { &row[col - 1] } else { &[0i16; 64] };
        for (l, &v) in self.left.iter_mut().zip(left) {
            *l = v as i32;
        }
        self.around = self
            .above
            .iter()
            .chain(&self.left)
            .filter(|&&v| v != 0)
            .count() as u32;
        self.coef = [0; 64];
        self.nonzero = 0;
        self.k = 0;
        self.phase = Phase::Code;
        self.code = 0;
        self.len = 0;
        self.seq += 1;
    }

    fn end_block(&mut self) {
        let col = self.column(self.block);
        let stored = &mut self.rows[self.comp][col];
        for (s, &v) in stored.iter_mut().zip(&self.coef) {
            *s = v.clamp(-32768, 32767) as i16;
        }
        self.block += 1;
        if self.block == self.mcu_blocks.len() {
            self.block = 0;
            self.mcu += 1;
        }
        self.start_block();
    }

    /// The table the next code bit is read against.
    fn table(&self) -> &Huffman {
        let comp = &self.components[self.comp];
        if self.k == 0 {
            &comp.dc
        } else {
            &comp.ac
        }
    }

    /// Takes in the next bit of entropy-coded data.
    pub fn push(&mut self, bit: u32) {
        match self.phase {
            Phase::Lost => {}
            Phase::Code => {
                self.code = (self.code << 1) | bit;
                self.len += 1;
                if let Some(sym) = self.table().symbol(self.code, self.len) {
                    self.symbol(sym);
                } else if self.len >= 16 {
                    self.phase = Phase::Lost;
                }
            }
            Phase::Extra => {
                self.code = (self.code << 1) | bit;
                self.len += 1;
                if self.len == self.size {
                    let v = if self.code >> (self.size - 1) == 0 {
                        self.code as i32 - (1 << self.size) + 1
                    } else {
                        self.code as i32
                    };
                    self.coefficient(v);
                }
            }
        }
    }

    fn symbol(&mut self, sym: u8) {
        self.code = 0;
        self.len = 0;
        self.seq += 1;
        if self.k == 0 {
            if sym == 0 {
                self.coefficient(0);
            } else if sym <= 16 {
                self.size = sym as u32;
                self.phase = Phase::Extra;
            } else {
                self.phase = Phase::Lost;
            }
            return;
        }
        let (run, size) = ((sym >> 4) as usize, (sym & 15) as u32);
        if size == 0 {
            if run == 15 {
                self.k += 16;
                if self.k > 63 {
                    self.phase = Phase::Lost;
                }
            } else {
                self.end_block();
            }
            return;
        }
        self.k += run;
        if self.k > 63 {
            self.phase = Phase::Lost;
            return;
        }
        self.size = size;
        self.phase = Phase::Extra;
    }

    fn coefficient(&mut self, v: i32) {
        self.code = 0;
        self.len = 0;
        self.seq += 1;
        self.phase = Phase::Code;
        if self.k == 0 {
            let dc = self.dc_pred[self.comp].wrapping_add(v).clamp(-65536, 65536);
            self.dc_pred[self.comp] = dc;
            self.coef[0] = dc;
        } else {
            self.coef[self.k] = v;
        }
        if v != 0 {
            self.nonzero += 1;
        }
        self.k += 1;
        if self.k > 63 {
            self.end_block();
        }
    }

    /// MCUs completed so far.
    #[cfg(test)]
    pub fn mcus(&self) -> usize {
        self.mcu
    }

    /// The DC value the current block's difference is added to.
    pub fn dc_pred(&self) -> i32 {
        self.dc_pred[self.comp]
    }

    /// A restart marker: the next MCU starts afresh with zero DC predictions.
    pub fn restart(&mut self) {
        self.restarts += 1;
        if self.restart_interval > 0 {
            self.mcu = self.restarts.saturating_mul(self.restart_interval);
        }
        self.block = 0;
        self.dc_pred.iter_mut().for_each(|d| *d = 0);
        self.start_block();
    }
}

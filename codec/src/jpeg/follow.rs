//! Follows the Huffman decoding of a progressive JPEG's scans one bit at a time, keeping every
//! block's coefficients as the scans refine them, so the model knows at every bit what it
//! codes (a code, magnitude bits, an end-of-band run length, a sign, a correction bit), for
//! which coefficient, and what the neighbouring blocks and the earlier scans hold there.
//! Any bit string is accepted: data that cannot be a valid scan leaves the follower "lost"
//! until the next restart marker or scan.

use super::frame::{Frame, Scan};

/// What the next bit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// A Huffman code bit: `code` holds the `len` bits read so far.
    Code,
    /// The magnitude bits of a DC difference or an AC value.
    Value,
    /// The extra bits of an end-of-band run length.
    EobRun,
    /// The sign of a coefficient that becomes non-zero in a refinement scan.
    Sign,
    /// A refinement bit of a coefficient already non-zero (or of a DC value).
    Correction,
    /// Bits with no role: padding before a restart marker or after the last block.
    Idle,
    /// Not following the data.
    Lost,
}

pub struct Follower {
    frame: Frame,
    /// Per frame component, its blocks' coefficients (zigzag order), row by row.
    pub coefs: Vec<Vec<[i16; 64]>>,
    scan: Scan,
    /// Units (MCUs, or blocks in a one-component scan) in the scan, the blocks in each, and
    /// the current unit.
    units: usize,
    blocks_per_unit: usize,
    unit: usize,
    /// Block of the current MCU.
    part: usize,
    restarts: usize,
    /// Frame component and block index of the current block, and the component's place in
    /// the scan (which Huffman table its codes use).
    pub comp: usize,
    in_scan: usize,
    pub block: usize,
    pub need: Need,
    pub code: u32,
    pub len: u32,
    /// Bits the current `Value` or `EobRun` takes.
    pub size: u32,
    /// Counts the starts of codes and bit groups (each time `len` returns to 0).
    pub seq: u64,
    /// Zigzag index of the coefficient the next bit belongs to.
    pub k: usize,
    eobrun: u32,
    /// Refinement scans: zero coefficients still to pass before the new one, and its value.
    zeros: u32,
    pending: i16,
    /// After an end-of-band in a refinement scan: only correction bits remain in the block.
    tail: bool,
    dc_pred: [i32; 4],
}

impl Follower {
    pub fn new(frame: &Frame) -> Self {
        let coefs = frame
            .components
            .iter()
            .map(|c| vec![[0i16; 64]; c.grid_w * c.grid_h])
            .collect();
        Follower {
            frame: frame.clone(),
            coefs,
            scan: Scan {
                components: vec![0],
                tables: vec![None],
                ss: 0,
                se: 0,
                ah: 0,
                al: 0,
                restart_interval: 0,
                at: 0,
            },
            units: 0,
            blocks_per_unit: 1,
            unit: 0,
            part: 0,
            restarts: 0,
            comp: 0,
            in_scan: 0,
            block: 0,
            need: Need::Idle,
            code: 0,
            len: 0,
            size: 0,
            seq: 0,
            k: 0,
            eobrun: 0,
            zeros: 0,
            pending: 0,
            tail: false,
            dc_pred: [0; 4],
        }
    }

    pub fn scan(&self) -> &Scan {
        &self.scan
    }

    /// Whether every unit of the scan has been read.
    #[cfg(test)]
    pub fn finished(&self) -> bool {
        self.unit >= self.units
    }

    /// Starts following `scan`.
    pub fn start_scan(&mut self, scan: &Scan) {
        self.scan = scan.clone();
        (self.units, self.blocks_per_unit) = if scan.components.len() == 1 {
            let c = &self.frame.components[scan.components[0]];
            (c.blocks_w * c.blocks_h, 1)
        } else {
            let per_mcu = scan.components.iter().map(|&c| {
                let fc = &self.frame.components[c];
                fc.h * fc.v
            });
            (self.frame.mcus_w * self.frame.mcus_h, per_mcu.sum())
        };
        self.restarts = 0;
        self.restart_at(0);
    }

    /// A restart marker: the next unit starts afresh.
    pub fn restart(&mut self) {
        self.restarts += 1;
        let unit = self.restarts.saturating_mul(self.scan.restart_interval);
        self.restart_at(unit);
    }

    fn restart_at(&mut self, unit: usize) {
        self.unit = unit;
        self.part = 0;
        self.eobrun = 0;
        self.dc_pred = [0; 4];
        self.start_block();
    }

    /// The DC value (in the scan's units) the next difference is added to.
    pub fn dc_pred(&self) -> i32 {
        self.dc_pred[self.comp]
    }

    /// The block's coefficients.
    pub fn current(&self) -> &[i16; 64] {
        &self.coefs[self.comp][self.block]
    }

    /// The blocks above and to the left of the current one (zeros at the image's edge).
    pub fn neighbours(&self) -> (&[i16; 64], &[i16; 64]) {
        const NONE: [i16; 64] = [0; 64];
        let w = self.frame.components[self.comp].grid_w;
        let blocks = &self.coefs[self.comp];
        let above = self.block.checked_sub(w).map_or(&NONE, |b| &blocks[b]);
        let left = if !self.block.is_multiple_of(w) {
            &blocks[self.block - 1]
        } else {
            &NONE
        };
        (above, left)
    }

    /// Place in the scan, frame component and block index of unit `unit`, block `part` of it.
    fn locate(&self, unit: usize, part: usize) -> Option<(usize, usize, usize)> {
        if unit >= self.units {
            return None;
        }
        if self.scan.components.len() == 1 {
            let c = self.scan.components[0];
            let fc = &self.frame.components[c];
            let (x, y) = (unit % fc.blocks_w, unit / fc.blocks_w);
            return Some((0, c, y * fc.grid_w + x));
        }
        let (mx, my) = (unit % self.frame.mcus_w, unit / self.frame.mcus_w);
        let mut p = part;
        for (i, &c) in self.scan.components.iter().enumerate() {
            let fc = &self.frame.components[c];
            if p < fc.h * fc.v {
                let (x, y) = (mx * fc.h + p % fc.h, my * fc.v + p / fc.h);
                return Some((i, c, y * fc.grid_w + x));
            }
            p -= fc.h * fc.v;
        }
        None
    }

    fn begin_group(&mut self, need: Need) {
        self.need = need;
        self.code = 0;
        self.len = 0;
        self.seq += 1;
    }

    /// Sets up the current block, skipping the blocks an end-of-band run covers.
    fn start_block(&mut self) {
        loop {
            let Some((in_scan, comp, block)) = self.locate(self.unit, self.part) else {
                self.begin_group(Need::Idle);
                return;
            };
            self.in_scan = in_scan;
            self.comp = comp;
            self.block = block;
            self.k = self.scan.ss;
            self.tail = false;
            if self.scan.is_dc() {
                let need = if self.scan.is_refinement() {
                    Need::Correction
                } else {
                    Need::Code
                };
                return self.begin_group(need);
            }
            if self.eobrun == 0 {
                return self.begin_group(Need::Code);
            }
            // A block inside an end-of-band run: in a refinement scan, its non-zero
            // coefficients still take correction bits. Blocks needing no bits are passed here,
            // in a loop, so a long run never nests calls.
            if self.scan.is_refinement() {
                self.tail = true;
                let band = &self.coefs[comp][block][self.k..=self.scan.se];
                if let Some(at) = band.iter().position(|&c| c != 0) {
                    self.k += at;
                    return self.begin_group(Need::Correction);
                }
            }
            self.eobrun -= 1;
            if !self.next_block() {
                return;
            }
        }
    }

    /// Moves to the next block; `false` when the scan waits for a restart marker or is done.
    fn next_block(&mut self) -> bool {
        self.part += 1;
        if self.part == self.blocks_per_unit {
            self.part = 0;
            self.unit += 1;
            let interval = self.scan.restart_interval;
            if interval > 0 && self.unit.is_multiple_of(interval) {
                self.begin_group(Need::Idle);
                return false;
            }
        }
        true
    }

    fn end_block(&mut self) {
        if self.next_block() {
            self.start_block();
        }
    }

    /// Takes in the next bit of entropy-coded data.
    pub fn push(&mut self, bit: u32) {
        match self.need {
            Need::Idle | Need::Lost => {}
            Need::Code => {
                self.code = (self.code << 1) | bit;
                self.len += 1;
                let symbol = self.scan.tables[self.in_scan]
                    .as_ref()
                    .and_then(|t| t.symbol(self.code, self.len));
                match symbol {
                    Some(sym) => self.symbol(sym),
                    None if self.len >= 16 => self.need = Need::Lost,
                    None => {}
                }
            }
            Need::Value | Need::EobRun => {
                self.code = (self.code << 1) | bit;
                self.len += 1;
                if self.len == self.size {
                    if self.need == Need::Value {
                        self.value(extend(self.code, self.size));
                    } else {
                        self.eobrun = (1u32 << self.size) + self.code;
                        self.end_of_band();
                    }
                }
            }
            Need::Sign => {
                let one = 1i32 << self.scan.al;
                self.pending = clamp16(if bit == 1 { one } else { -one });
                self.refine();
            }
            Need::Correction => self.correction(bit),
        }
    }

    fn symbol(&mut self, sym: u8) {
        if self.scan.is_dc() {
            match sym {
                0 => self.value(0),
                1..=15 => {
                    self.size = sym as u32;
                    self.begin_group(Need::Value);
                }
                _ => self.need = Need::Lost,
            }
            return;
        }
        let (run, size) = ((sym >> 4) as u32, (sym & 15) as u32);
        match (size, run) {
            (0, 15) if self.scan.is_refinement() => {
                self.zeros = 15;
                self.pending = 0;
                self.refine();
            }
            (0, 15) => {
                self.k += 16;
                if self.k > self.scan.se {
                    self.end_block();
                } else {
                    self.begin_group(Need::Code);
                }
            }
            (0, 0) => {
                self.eobrun = 1;
                self.end_of_band();
            }
            (0, _) => {
                self.size = run;
                self.begin_group(Need::EobRun);
            }
            (1, _) if self.scan.is_refinement() => {
                self.zeros = run;
                self.begin_group(Need::Sign);
            }
            (_, _) if self.scan.is_refinement() => self.need = Need::Lost,
            _ => {
                self.k += run as usize;
                if self.k > self.scan.se {
                    self.need = Need::Lost;
                } else {
                    self.size = size;
                    self.begin_group(Need::Value);
                }
            }
        }
    }

    /// An end-of-band run of `eobrun` blocks (this one included) has been read.
    fn end_of_band(&mut self) {
        if self.scan.is_refinement() {
            self.tail = true;
            self.refine();
        } else {
            self.eobrun -= 1;
            self.end_block();
        }
    }

    /// A DC difference or an AC value of a first scan.
    fn value(&mut self, v: i32) {
        let al = self.scan.al;
        if self.scan.is_dc() {
            let pred = &mut self.dc_pred[self.comp];
            *pred = pred.wrapping_add(v).clamp(-65536, 65536);
            let dc = clamp16(*pred << al);
            self.coefs[self.comp][self.block][0] = dc;
            self.end_block();
            return;
        }
        let k = self.k;
        self.coefs[self.comp][self.block][k] = clamp16(v << al);
        self.k += 1;
        if self.k > self.scan.se {
            self.end_block();
        } else {
            self.begin_group(Need::Code);
        }
    }

    fn correction(&mut self, bit: u32) {
        let one = 1i16 << self.scan.al.min(14);
        let c = &mut self.coefs[self.comp][self.block][self.k];
        if self.scan.is_dc() {
            if bit == 1 {
                *c |= one;
            }
            return self.end_block();
        }
        if bit == 1 && *c & one == 0 {
            *c = if *c >= 0 {
                c.saturating_add(one)
            } else {
                c.saturating_sub(one)
            };
        }
        self.k += 1;
        self.refine();
    }

    /// Walks a refinement scan's band from `k`: stops at the next coefficient needing a
    /// correction bit, places the pending new coefficient after `zeros` zero ones, and ends
    /// the block (after an end-of-band) or asks for the next code.
    fn refine(&mut self) {
        let se = self.scan.se;
        while self.k <= se {
            if self.coefs[self.comp][self.block][self.k] != 0 {
                return self.begin_group(Need::Correction);
            }
            if !self.tail {
                if self.zeros == 0 {
                    self.coefs[self.comp][self.block][self.k] = self.pending;
                    self.k += 1;
                    if self.k > se {
                        return self.end_block();
                    }
                    return self.begin_group(Need::Code);
                }
                self.zeros -= 1;
            }
            self.k += 1;
        }
        if self.tail {
            self.eobrun = self.eobrun.saturating_sub(1);
        }
        self.end_block();
    }
}

fn extend(bits: u32, size: u32) -> i32 {
    if bits >> (size - 1) == 0 {
        bits as i32 - (1 << size) + 1
    } else {
        bits as i32
    }
}

fn clamp16(v: i32) -> i16 {
    v.clamp(-32768, 32767) as i16
}

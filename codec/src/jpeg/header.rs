//! Reads what the scan model needs from a baseline JPEG's header: the Huffman tables, the
//! frame's components with their sampling factors, the restart interval and the components
//! of the (single, interleaved or not) scan. Anything else (progressive, arithmetic-coded,
//! 12-bit, several scans before the data) is not modelled.

/// Canonical Huffman decoding table: a code of `len` bits is valid when it lies in
/// `mincode[len]..=maxcode[len]`.
#[derive(Clone, Debug)]
pub struct Huffman {
    mincode: [i32; 17],
    maxcode: [i32; 17],
    valptr: [usize; 17],
    values: Vec<u8>,
}

impl Huffman {
    /// From a DHT table's 16 code counts and its values; `None` if the counts overflow.
    fn new(counts: &[u8; 16], values: &[u8]) -> Option<Self> {
        let mut h = Huffman {
            mincode: [0; 17],
            maxcode: [-1; 17],
            valptr: [0; 17],
            values: values.to_vec(),
        };
        let mut code = 0i32;
        let mut k = 0usize;
        for len in 1..=16 {
            let n = counts[len - 1] as usize;
            h.valptr[len] = k;
            h.mincode[len] = code;
            code += n as i32;
            k += n;
            if n > 0 {
                h.maxcode[len] = code - 1;
            }
            if code > 1 << len {
                return None;
            }
            code <<= 1;
        }
        (k == values.len()).then_some(h)
    }

    /// The symbol of the `len`-bit code `code`, if it is one.
    #[inline]
    pub fn symbol(&self, code: u32, len: u32) -> Option<u8> {
        let len = len as usize;
        if !(1..=16).contains(&len) {
            return None;
        }
        let code = code as i32;
        if code < self.mincode[len] || code > self.maxcode[len] {
            return None;
        }
        let i = self.valptr[len] + (code - self.mincode[len]) as usize;
        self.values.get(i).copied()
    }
}

/// One component of the scan.
#[derive(Clone, Debug)]
pub struct ScanComponent {
    /// Blocks per MCU across and down (1 each in a non-interleaved scan).
    pub h: usize,
    pub v: usize,
    pub dc: Huffman,
    pub ac: Huffman,
    /// Blocks across the image for this component (the width of its block rows).
    pub blocks_across: usize,
}

#[derive(Clone, Debug)]
pub struct Header {
    pub components: Vec<ScanComponent>,
    /// MCUs between restart markers (0 = none).
    pub restart_interval: usize,
    /// Offset of the first byte of entropy-coded data.
    pub scan_start: usize,
}

const MAX_COMPONENTS: usize = 4;

/// Huffman tables by slot, DC and AC, as DHT segments define them.
pub type Tables = [Option<Huffman>; 4];

/// Reads a DHT segment's tables into their slots.
pub fn read_tables(body: &[u8], dc: &mut Tables, ac: &mut Tables) -> Option<()> {
    let mut j = 0;
    while j < body.len() {
        let tc_th = body[j];
        let counts: &[u8; 16] = body.get(j + 1..j + 17)?.try_into().ok()?;
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        let values = body.get(j + 17..j + 17 + total)?;
        let table = Some(Huffman::new(counts, values)?);
        let slot = (tc_th & 15) as usize;
        match tc_th >> 4 {
            0 if slot < 4 => dc[slot] = table,
            1 if slot < 4 => ac[slot] = table,
            _ => return None,
        }
        j += 17 + total;
    }
    Some(())
}

fn u16_at(d: &[u8], i: usize) -> Option<usize> {
    Some((*d.get(i)? as usize) << 8 | *d.get(i + 1)? as usize)
}

/// Parses the header of `data` up to the end of the first SOS segment.
pub fn parse(data: &[u8]) -> Option<Header> {
    if data.get(..3)? != [0xFF, 0xD8, 0xFF] {
        return None;
    }
    let mut dc: Tables = Default::default();
    let mut ac: Tables = Default::default();
    // (id, h, v) of each frame component.
    let mut frame: Vec<(u8, usize, usize)> = Vec::new();
    let mut width = 0usize;
    let mut restart_interval = 0usize;
    let mut i = 2;
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        let marker = *data.get(i + 1)?;
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16_at(data, i + 2)?;
        let body = data.get(i + 4..i + 2 + len.checked_sub(2)? + 2)?;
        match marker {
            // Baseline and extended sequential Huffman frames.
            0xC0 | 0xC1 => {
                if *body.first()? != 8 || !frame.is_empty() {
                    return None;
                }
                width = u16_at(body, 3)?;
                let n = *body.get(5)? as usize;
                if n == 0 || n > MAX_COMPONENTS || width == 0 {
                    return None;
                }
                for c in 0..n {
                    let id = *body.get(6 + 3 * c)?;
                    let hv = *body.get(7 + 3 * c)?;
                    let (h, v) = ((hv >> 4) as usize, (hv & 15) as usize);
                    if !(1..=4).contains(&h) || !(1..=4).contains(&v) {
                        return None;
                    }
                    frame.push((id, h, v));
                }
            }
            // Other frame types: progressive, lossless, arithmetic, hierarchical.
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => read_tables(body, &mut dc, &mut ac)?,
            0xDD => restart_interval = u16_at(body, 0)?,
            0xDA => {
                let n = *body.first()? as usize;
                if n == 0 || n > MAX_COMPONENTS || frame.is_empty() {
                    return None;
                }
                // Spectral selection 0..=63 and no successive approximation: sequential.
                if body.get(1 + 2 * n..4 + 2 * n)? != [0, 63, 0] {
                    return None;
                }
                let hmax = frame.iter().map(|f| f.1).max()?;
                let mcus_across = width.div_ceil(8 * hmax);
                let mut components = Vec::with_capacity(n);
                for c in 0..n {
                    let id = *body.get(1 + 2 * c)?;
                    let tables = *body.get(2 + 2 * c)?;
                    let &(_, h, v) = frame.iter().find(|f| f.0 == id)?;
                    let (h, v) = if n == 1 { (1, 1) } else { (h, v) };
                    let blocks_across = if n == 1 {
                        (width * frame.iter().find(|f| f.0 == id)?.1).div_ceil(8 * hmax)
                    } else {
                        mcus_across * h
                    };
                    components.push(ScanComponent {
                        h,
                        v,
                        dc: dc.get((tables >> 4) as usize)?.clone()?,
                        ac: ac.get((tables & 15) as usize)?.clone()?,
                        blocks_across,
                    });
                }
                let blocks_per_mcu: usize = components.iter().map(|c| c.h * c.v).sum();
                if blocks_per_mcu > 10 {
                    return None;
                }
                return Some(Header {
                    components,
                    restart_interval,
                    scan_start: i + 2 + len,
                });
            }
            // Start of image, end of image or a restart marker before the scan.
            0xD0..=0xD9 | 0x01 => return None,
            _ => {}
        }
        i += 2 + len;
    }
}

/// Offset where the entropy-coded data starting at `start` ends: the first marker other than
/// a stuffed zero or a restart marker (or the end of `data`).
pub fn scan_end(data: &[u8], start: usize) -> usize {
    let mut i = start;
    while i + 1 < data.len() {
        if data[i] == 0xFF {
            let next = data[i + 1];
            if next != 0 && !(0xD0..=0xD7).contains(&next) {
                return i;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_codes_decode() {
        // Two 2-bit codes (00, 01) and one 3-bit code (100).
        let mut counts = [0u8; 16];
        counts[1] = 2;
        counts[2] = 1;
        let h = Huffman::new(&counts, &[5, 6, 7]).unwrap();
        assert_eq!(h.symbol(0b00, 2), Some(5));
        assert_eq!(h.symbol(0b01, 2), Some(6));
        assert_eq!(h.symbol(0b10, 2), None);
        assert_eq!(h.symbol(0b100, 3), Some(7));
        assert_eq!(h.symbol(0b101, 3), None);
        assert_eq!(h.symbol(0, 1), None);
    }

    #[test]
    fn overfull_counts_are_refused() {
        let mut counts = [0u8; 16];
        counts[0] = 3;
        assert!(Huffman::new(&counts, &[1, 2, 3]).is_none());
    }

    #[test]
    fn scan_end_skips_stuffing_and_restarts() {
        let d = [1, 0xFF, 0, 2, 0xFF, 0xD3, 4, 0xFF, 0xD9];
        assert_eq!(scan_end(&d, 0), 7);
        assert_eq!(scan_end(&d[..7], 0), 7);
    }
}

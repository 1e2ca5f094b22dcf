//! Reads a progressive JPEG's markers: the frame (size, components, sampling) and, for every
//! scan, its components, band, successive-approximation bits, Huffman tables and restart
//! interval. The same walk runs on the whole file (skipping each scan's entropy-coded data)
//! and on the file with that data cut out, so the decoder rebuilds exactly the scans the
//! encoder saw from the bytes around them alone.

use super::header::{read_tables, scan_end, Huffman, Tables};

pub const MAX_COMPONENTS: usize = 4;
/// Most blocks a frame may hold (all components): 768 MiB of coefficients.
const MAX_BLOCKS: usize = 6 << 20;

#[derive(Clone, Debug)]
pub struct Component {
    pub id: u8,
    /// Sampling factors.
    pub h: usize,
    pub v: usize,
    /// Blocks across and down in the stored (MCU-padded) grid.
    pub grid_w: usize,
    pub grid_h: usize,
    /// Blocks across and down that cover the image (what a one-component scan visits).
    pub blocks_w: usize,
    pub blocks_h: usize,
}

#[derive(Clone, Debug)]
pub struct Frame {
    pub components: Vec<Component>,
    pub mcus_w: usize,
    pub mcus_h: usize,
}

impl Frame {
    pub fn blocks(&self) -> usize {
        self.components.iter().map(|c| c.grid_w * c.grid_h).sum()
    }
}

#[derive(Clone, Debug)]
pub struct Scan {
    /// Indices into the frame's components, in scan order.
    pub components: Vec<usize>,
    /// Per scan component: its DC table (DC first scans) or AC table (AC scans).
    pub tables: Vec<Option<Huffman>>,
    /// Spectral band (zigzag indices) and successive approximation (high, low bit).
    pub ss: usize,
    pub se: usize,
    pub ah: u32,
    pub al: u32,
    pub restart_interval: usize,
    /// Offset just past the scan header in the bytes walked.
    pub at: usize,
}

impl Scan {
    pub fn is_dc(&self) -> bool {
        self.ss == 0
    }

    pub fn is_refinement(&self) -> bool {
        self.ah > 0
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<usize> {
    Some((*d.get(i)? as usize) << 8 | *d.get(i + 1)? as usize)
}

fn frame(body: &[u8]) -> Option<Frame> {
    if *body.first()? != 8 {
        return None;
    }
    let height = u16_at(body, 1)?;
    let width = u16_at(body, 3)?;
    let n = *body.get(5)? as usize;
    if n == 0 || n > MAX_COMPONENTS || width == 0 || height == 0 {
        return None;
    }
    let mut sampling = Vec::with_capacity(n);
    for c in 0..n {
        let id = *body.get(6 + 3 * c)?;
        let hv = *body.get(7 + 3 * c)?;
        let (h, v) = ((hv >> 4) as usize, (hv & 15) as usize);
        if !(1..=4).contains(&h)
            || !(1..=4).contains(&v)
            || sampling.iter().any(|s: &(u8, _, _)| s.0 == id)
        {
            return None;
        }
        sampling.push((id, h, v));
    }
    let hmax = sampling.iter().map(|s| s.1).max()?;
    let vmax = sampling.iter().map(|s| s.2).max()?;
    let mcus_w = width.div_ceil(8 * hmax);
    let mcus_h = height.div_ceil(8 * vmax);
    let components = sampling
        .into_iter()
        .map(|(id, h, v)| Component {
            id,
            h,
            v,
            grid_w: mcus_w * h,
            grid_h: mcus_h * v,
            blocks_w: (width * h).div_ceil(hmax).div_ceil(8),
            blocks_h: (height * v).div_ceil(vmax).div_ceil(8),
        })
        .collect();
    let f = Frame {
        components,
        mcus_w,
        mcus_h,
    };
    (f.blocks() <= MAX_BLOCKS).then_some(f)
}

fn scan(body: &[u8], f: &Frame, dc: &Tables, ac: &Tables) -> Option<Scan> {
    let n = *body.first()? as usize;
    if n == 0 || n > MAX_COMPONENTS {
        return None;
    }
    let ss = *body.get(1 + 2 * n)? as usize;
    let se = *body.get(2 + 2 * n)? as usize;
    let a = *body.get(3 + 2 * n)?;
    let (ah, al) = ((a >> 4) as u32, (a & 15) as u32);
    let dc_scan = ss == 0;
    if se > 63 || ss > se || (dc_scan && se != 0) || (!dc_scan && n != 1) || al > 13 || ah > 13 {
        return None;
    }
    let mut components = Vec::with_capacity(n);
    let mut tables = Vec::with_capacity(n);
    for c in 0..n {
        let id = *body.get(1 + 2 * c)?;
        let t = *body.get(2 + 2 * c)?;
        let index = f.components.iter().position(|fc| fc.id == id)?;
        if components.contains(&index) {
            return None;
        }
        components.push(index);
        let table = match (dc_scan, ah > 0) {
            (true, true) => None,
            (true, false) => Some(dc.get((t >> 4) as usize)?.clone()?),
            (false, _) => Some(ac.get((t & 15) as usize)?.clone()?),
        };
        tables.push(table);
    }
    let blocks_per_mcu: usize = components
        .iter()
        .map(|&c| f.components[c].h * f.components[c].v)
        .sum();
    if n > 1 && blocks_per_mcu > 10 {
        return None;
    }
    Some(Scan {
        components,
        tables,
        ss,
        se,
        ah,
        al,
        restart_interval: 0,
        at: 0,
    })
}

/// Walks the markers of a progressive JPEG. With `skip_scans`, each scan's entropy-coded data
/// follows its header and is skipped; without, the next marker follows the header at once.
/// Stops at the end-of-image marker, at bytes that are not a marker, or at the end of `data`.
/// `None` unless the file is a progressive JPEG with at least one scan.
pub fn walk(data: &[u8], skip_scans: bool) -> Option<(Frame, Vec<Scan>)> {
    if data.get(..3)? != [0xFF, 0xD8, 0xFF] {
        return None;
    }
    let mut dc: Tables = Default::default();
    let mut ac: Tables = Default::default();
    let mut f: Option<Frame> = None;
    let mut restart_interval = 0usize;
    let mut scans = Vec::new();
    let mut i = 2;
    while i + 4 <= data.len() && data[i] == 0xFF {
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if marker == 0xD9 {
            break;
        }
        // A segment's length counts its own two bytes.
        let len = u16_at(data, i + 2)?;
        if len < 2 {
            return None;
        }
        let body = data.get(i + 4..i + 2 + len)?;
        match marker {
            0xC2 if f.is_none() => f = Some(frame(body)?),
            // Any other frame: sequential, lossless, arithmetic, hierarchical, or a second.
            0xC0 | 0xC1 | 0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => read_tables(body, &mut dc, &mut ac)?,
            0xDD => restart_interval = u16_at(body, 0)?,
            0xDA => {
                let mut s = scan(body, f.as_ref()?, &dc, &ac)?;
                s.restart_interval = restart_interval;
                s.at = i + 2 + len;
                i = if skip_scans {
                    scan_end(data, s.at)
                } else {
                    s.at
                };
                scans.push(s);
                continue;
            }
            0xD0..=0xD8 | 0x01 => return None,
            _ => {}
        }
        i += 2 + len;
    }
    Some((f?, scans)).filter(|(_, s)| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBJPEG_420: &[u8] = include_bytes!("testdata/progressive-420.jpg");

    #[test]
    fn reads_libjpeg_default_script() {
        let (f, scans) = walk(LIBJPEG_420, true).expect("progressive");
        // 96 x 72 pixels in 16 x 16 MCUs; the chroma planes are 48 x 36 (6 x 5 blocks).
        assert_eq!((f.mcus_w, f.mcus_h), (6, 5));
        let chroma = &f.components[1];
        assert_eq!((chroma.blocks_w, chroma.blocks_h, chroma.grid_h), (6, 5, 5));
        let script: Vec<_> = scans
            .iter()
            .map(|s| (s.components.len(), s.ss, s.se, s.ah, s.al))
            .collect();
        assert_eq!(script.len(), 10);
        assert_eq!(script[0], (3, 0, 0, 0, 1));
        assert_eq!(script[1], (1, 1, 5, 0, 2));
        assert!(script.contains(&(3, 0, 0, 1, 0)));
        assert!(script.contains(&(1, 1, 63, 2, 1)));
    }

    #[test]
    fn the_cut_file_shows_the_same_scans() {
        let (_, whole) = walk(LIBJPEG_420, true).unwrap();
        let mut cut = Vec::new();
        let mut pos = 0;
        for s in &whole {
            cut.extend_from_slice(&LIBJPEG_420[pos..s.at]);
            pos = scan_end(LIBJPEG_420, s.at);
        }
        cut.extend_from_slice(&LIBJPEG_420[pos..]);
        let (_, alone) = walk(&cut, false).unwrap();
        assert_eq!(alone.len(), whole.len());
        assert!(alone
            .iter()
            .zip(&whole)
            .all(|(a, b)| a.ss == b.ss && a.al == b.al));
    }

    #[test]
    fn refuses_sequential_and_malformed_scans() {
        let baseline = crate::jpeg::tests::jpeg(|_| {}, jpeg_encoder::ColorType::Rgb);
        assert!(walk(&baseline, true).is_none());
        let sos = LIBJPEG_420
            .windows(2)
            .position(|w| w == [0xFF, 0xDA])
            .unwrap();
        let n = LIBJPEG_420[sos + 4] as usize;
        // The first (DC) scan's band: ending past 0, then starting after its end.
        for (offset, value) in [(6 + 2 * n, 5u8), (5 + 2 * n, 9)] {
            let mut bad = LIBJPEG_420.to_vec();
            bad[sos + offset] = value;
            assert!(walk(&bad, true).is_none(), "offset {offset}");
        }
    }
}

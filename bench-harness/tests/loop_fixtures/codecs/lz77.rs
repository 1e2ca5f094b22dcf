//! LZ77 in sequences of literals and matches (a token byte with both lengths, extended by
//! 255-continued bytes, the literals, a 16-bit offset), greedy with a hash of 4 bytes.
use std::io::{self, Read, Seek, Write};

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    output.write_all(&lz_encode(&data))?;
    output.flush()
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    let data = lz_decode(&packed).ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "corrupt stream"))?;
    output.write_all(&data)?;
    output.flush()
}

const MIN_MATCH: usize = 4;
const WINDOW: usize = 65535;

fn hash(data: &[u8], i: usize) -> usize {
    let v = u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    (v.wrapping_mul(2654435761) >> 16) as usize
}

fn length(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

fn sequence(out: &mut Vec<u8>, literals: &[u8], matched: Option<(usize, usize)>) {
    let lit = literals.len();
    let ml = matched.map_or(0, |(_, l)| l - MIN_MATCH);
    out.push(((lit.min(15) as u8) << 4) | ml.min(15) as u8);
    if lit >= 15 {
        length(out, lit - 15);
    }
    out.extend_from_slice(literals);
    if let Some((offset, _)) = matched {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if ml >= 15 {
            length(out, ml - 15);
        }
    }
}

fn lz_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut table = vec![usize::MAX; 1 << 16];
    let (mut i, mut anchor) = (0, 0);
    while i + MIN_MATCH <= data.len() {
        let h = hash(data, i);
        let candidate = table[h];
        table[h] = i;
        if candidate != usize::MAX && i - candidate <= WINDOW && data[candidate..candidate + 4] == data[i..i + 4] {
            let mut len = 4;
            while i + len < data.len() && data[candidate + len] == data[i + len] {
                len += 1;
            }
            sequence(&mut out, &data[anchor..i], Some((i - candidate, len)));
            for j in i + 1..(i + len).min(data.len().saturating_sub(3)) {
                table[hash(data, j)] = j;
            }
            i += len;
            anchor = i;
        } else {
            i += 1;
        }
    }
    sequence(&mut out, &data[anchor..], None);
    out
}

fn read_length(packed: &[u8], at: &mut usize) -> Option<usize> {
    let mut n = 0;
    loop {
        let b = *packed.get(*at)?;
        *at += 1;
        n += b as usize;
        if b != 255 {
            return Some(n);
        }
    }
}

fn lz_decode(packed: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut at = 0;
    while at < packed.len() {
        let token = packed[at];
        at += 1;
        let mut lit = (token >> 4) as usize;
        if lit == 15 {
            lit += read_length(packed, &mut at)?;
        }
        out.extend_from_slice(packed.get(at..at.checked_add(lit)?)?);
        at += lit;
        if at == packed.len() {
            break;
        }
        let offset = u16::from_le_bytes([*packed.get(at)?, *packed.get(at + 1)?]) as usize;
        at += 2;
        let mut ml = (token & 15) as usize;
        if ml == 15 {
            ml += read_length(packed, &mut at)?;
        }
        ml += MIN_MATCH;
        if offset == 0 || offset > out.len() {
            return None;
        }
        let start = out.len() - offset;
        for k in 0..ml {
            let b = out[start + k];
            out.push(b);
        }
    }
    Some(out)
}

//! A delta filter for 16-bit PCM WAV (each sample minus the previous one of its channel),
//! then LZ77 (sequences of literals and matches, greedy with a hash of 4 bytes), then an
//! order-0 Huffman code over the LZ77 stream.
use std::io::{self, Read, Seek, Write};

pub fn compress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    let channels = wav16_channels(&data);
    let mut out = vec![channels.is_some() as u8];
    if let Some(c) = channels {
        delta(&mut data, c, false);
    }
    out.extend_from_slice(&pack(&data));
    output.write_all(&out)?;
    output.flush()
}

pub fn decompress<S: Read + Seek, W: Write + Seek>(mut input: S, mut output: W) -> io::Result<()> {
    let mut packed = Vec::new();
    input.read_to_end(&mut packed)?;
    let corrupt = || io::Error::new(io::ErrorKind::InvalidData, "corrupt stream");
    let (&filtered, rest) = packed.split_first().ok_or_else(corrupt)?;
    let mut data = unpack(rest).ok_or_else(corrupt)?;
    if filtered == 1 {
        let channels = wav16_channels(&data).ok_or_else(corrupt)?;
        delta(&mut data, channels, true);
    }
    output.write_all(&data)?;
    output.flush()
}

/// The channel count of a 16-bit PCM WAV with its samples from byte 44.
fn wav16_channels(d: &[u8]) -> Option<usize> {
    let u16_at = |i: usize| u16::from_le_bytes([d[i], d[i + 1]]) as usize;
    let wav = d.len() > 44 && &d[0..4] == b"RIFF" && &d[8..16] == b"WAVEfmt " && &d[36..40] == b"data";
    (wav && u16_at(34) == 16 && u16_at(22) > 0).then(|| u16_at(22))
}

/// Replaces each sample by its difference to the previous sample of its channel (or back).
fn delta(d: &mut [u8], channels: usize, undo: bool) {
    let samples = (d.len() - 44) / 2;
    let at = |i: usize| 44 + 2 * i;
    let order: Box<dyn Iterator<Item = usize>> = if undo {
        Box::new(channels..samples)
    } else {
        Box::new((channels..samples).rev())
    };
    for i in order {
        let s = i16::from_le_bytes([d[at(i)], d[at(i) + 1]]);
        let p = i16::from_le_bytes([d[at(i - channels)], d[at(i - channels) + 1]]);
        let v = if undo { s.wrapping_add(p) } else { s.wrapping_sub(p) };
        d[at(i)..at(i) + 2].copy_from_slice(&v.to_le_bytes());
    }
}

/// The LZ77 stream, stored (mode 0) or Huffman-coded (mode 1: its length, 256 code lengths
/// in 4 bits each, the codes most significant bit first).
fn pack(data: &[u8]) -> Vec<u8> {
    let lz = lz_encode(data);
    let coded = huffman_encode(&lz);
    if coded.len() < lz.len() {
        let mut out = vec![1];
        out.extend_from_slice(&coded);
        out
    } else {
        let mut out = vec![0];
        out.extend_from_slice(&lz);
        out
    }
}

fn unpack(packed: &[u8]) -> Option<Vec<u8>> {
    let (&mode, rest) = packed.split_first()?;
    match mode {
        0 => lz_decode(rest),
        1 => lz_decode(&huffman_decode(rest)?),
        _ => None,
    }
}

fn code_lengths(freq: &[u64; 256]) -> [u8; 256] {
    let mut f = *freq;
    loop {
        let lens = tree_depths(&f);
        if lens.iter().all(|&l| l <= 15) {
            return lens;
        }
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x + 1) / 2;
        }
    }
}

fn tree_depths(f: &[u64; 256]) -> [u8; 256] {
    use std::cmp::Reverse;
    let symbols: Vec<usize> = (0..256).filter(|&s| f[s] > 0).collect();
    let mut lens = [0u8; 256];
    if symbols.len() == 1 {
        lens[symbols[0]] = 1;
        return lens;
    }
    let mut heap = std::collections::BinaryHeap::new();
    let mut parent = vec![usize::MAX; 512];
    for &s in &symbols {
        heap.push(Reverse((f[s], s)));
    }
    let mut next = 256;
    while heap.len() > 1 {
        let Reverse((a, x)) = heap.pop().unwrap();
        let Reverse((b, y)) = heap.pop().unwrap();
        parent[x] = next;
        parent[y] = next;
        heap.push(Reverse((a + b, next)));
        next += 1;
    }
    for &s in &symbols {
        let (mut depth, mut n) = (0, s);
        while parent[n] != usize::MAX {
            n = parent[n];
            depth += 1;
        }
        lens[s] = depth;
    }
    lens
}

fn huffman_encode(data: &[u8]) -> Vec<u8> {
    let mut freq = [0u64; 256];
    for &b in data {
        freq[b as usize] += 1;
    }
    let lens = code_lengths(&freq);
    let mut codes = [0u32; 256];
    let mut code = 0u32;
    for len in 1..=15u8 {
        for s in 0..256 {
            if lens[s] == len {
                codes[s] = code;
                code += 1;
            }
        }
        code <<= 1;
    }
    let mut out = (data.len() as u32).to_le_bytes().to_vec();
    for pair in lens.chunks(2) {
        out.push(pair[0] << 4 | pair[1]);
    }
    let (mut acc, mut bits) = (0u64, 0u32);
    for &b in data {
        acc = acc << lens[b as usize] | codes[b as usize] as u64;
        bits += lens[b as usize] as u32;
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    if bits > 0 {
        out.push((acc << (8 - bits)) as u8);
    }
    out
}

fn huffman_decode(packed: &[u8]) -> Option<Vec<u8>> {
    let len = u32::from_le_bytes(packed.get(..4)?.try_into().ok()?) as usize;
    let table = packed.get(4..132)?;
    let stream = &packed[132..];
    if len > stream.len() * 8 {
        return None;
    }
    let mut lens = [0u8; 256];
    for (i, b) in table.iter().enumerate() {
        lens[2 * i] = b >> 4;
        lens[2 * i + 1] = b & 15;
    }
    let mut count = [0u32; 16];
    let mut sorted = Vec::new();
    for len in 1..=15u8 {
        for s in 0..256 {
            if lens[s] == len {
                count[len as usize] += 1;
                sorted.push(s as u8);
            }
        }
    }
    let mut first = [0u32; 16];
    let mut offset = [0u32; 16];
    let (mut code, mut index) = (0u32, 0u32);
    for len in 1..16 {
        first[len] = code;
        offset[len] = index;
        code = (code + count[len]) << 1;
        index += count[len];
    }
    let mut out = Vec::with_capacity(len);
    let (mut byte, mut bit) = (0usize, 0u32);
    while out.len() < len {
        let (mut code, mut l) = (0u32, 0usize);
        loop {
            let b = (*stream.get(byte)? >> (7 - bit)) & 1;
            bit += 1;
            if bit == 8 {
                bit = 0;
                byte += 1;
            }
            code = code << 1 | b as u32;
            l += 1;
            if l > 15 {
                return None;
            }
            if code.wrapping_sub(first[l]) < count[l] {
                out.push(sorted[(offset[l] + code - first[l]) as usize]);
                break;
            }
        }
    }
    Some(out)
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

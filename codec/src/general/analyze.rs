//! Fast pre-analysis: which blocks are incompressible (stored as they are), and whether the
//! data has a fixed record length worth a column context.

/// Classification granularity in bytes.
pub const BLOCK: usize = 1 << 16;

/// `log2(x)` in 1/65536 units for `x >= 1`, by integer normalisation and repeated squaring
/// (exact integer arithmetic, identical everywhere).
fn log2_fixed(x: u64) -> u64 {
    let k = 63 - x.leading_zeros() as u64;
    // y in [1, 2) as Q32.
    let mut y: u64 = if k >= 32 {
        x >> (k - 32)
    } else {
        x << (32 - k)
    };
    let mut frac = 0u64;
    for bit in (0..16).rev() {
        y = ((y as u128 * y as u128) >> 32) as u64;
        if y >= 2 << 32 {
            y >>= 1;
            frac |= 1 << bit;
        }
    }
    (k << 16) | frac
}

/// Order-0 entropy of `block` in 1/65536 bits per byte.
fn entropy(block: &[u8]) -> u64 {
    let mut counts = [0u64; 256];
    for &b in block {
        counts[b as usize] += 1;
    }
    let n = block.len() as u64;
    if n == 0 {
        return 0;
    }
    let mut sum = 0u64;
    for &c in counts.iter().filter(|&&c| c > 0) {
        sum += c * log2_fixed(c);
    }
    (n * log2_fixed(n) - sum) / n
}

/// Remembers earlier 16-byte strings (every 4th position) to spot repeats of random data.
struct RepeatFinder {
    table: Vec<u32>,
    mask: usize,
}

const RUN: usize = 16;

fn key(data: &[u8], i: usize) -> usize {
    let a = u64::from_le_bytes(data[i..i + 8].try_into().expect("8 bytes"));
    (a.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize
}

impl RepeatFinder {
    fn new(n: usize) -> Self {
        let bits = (n / 4)
            .max(1)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, 22);
        RepeatFinder {
            table: vec![u32::MAX; 1 << bits],
            mask: (1 << bits) - 1,
        }
    }

    fn insert(&mut self, data: &[u8], start: usize, end: usize) {
        let mut i = start - start % 4;
        while i < end && i + RUN <= data.len() {
            let k = key(data, i) & self.mask;
            self.table[k] = i as u32;
            i += 4;
        }
    }

    /// Bytes of `data[start..end]` covered by repeats of strictly earlier data.
    fn repeated(&self, data: &[u8], start: usize, end: usize) -> usize {
        let mut covered = 0;
        let mut i = start;
        while i + RUN <= end {
            let cand = self.table[key(data, i) & self.mask] as usize;
            if cand < i && data[cand..cand + RUN] == data[i..i + RUN] {
                covered += RUN;
                i += RUN;
            } else {
                i += 1;
            }
        }
        covered
    }
}

/// For each `BLOCK` of `data`: true when it looks incompressible (near 8 bits/byte of order-0
/// entropy, no long repeats of earlier data and few short repeats within the block).
pub fn incompressible_blocks(data: &[u8]) -> Vec<bool> {
    let mut finder = RepeatFinder::new(data.len());
    let mut out = Vec::with_capacity(data.len().div_ceil(BLOCK));
    let mut start = 0;
    while start < data.len() {
        let end = (start + BLOCK).min(data.len());
        let block = &data[start..end];
        let high = block.len() >= 4096 && entropy(block) >= (795 << 16) / 100;
        // Random data of a block's size repeats a 6-byte string almost never; Huffman-coded
        // data with structure left (line art in a JPEG, say) does so at 5-20% of positions
        // while its order-0 entropy stays near 8 bits.
        let skip = high
            && finder.repeated(data, start, end) < block.len() / 16
            && short_repeats(block) < block.len() / 64;
        finder.insert(data, start, end);
        out.push(skip);
        start = end;
    }
    out
}

/// Positions of `block` where a 6-byte string seen earlier in the block starts (as far as a
/// table of the latest position per hash remembers).
fn short_repeats(block: &[u8]) -> usize {
    const LEN: usize = 6;
    const BITS: u32 = 14;
    let mut table = vec![u32::MAX; 1 << BITS];
    let mut count = 0;
    for i in 0..block.len().saturating_sub(7) {
        let v = u64::from_le_bytes(block[i..i + 8].try_into().expect("8 bytes")) & 0xffff_ffff_ffff;
        let k = (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize;
        let cand = table[k] as usize;
        if cand < i && block[cand..cand + LEN] == block[i..i + LEN] {
            count += 1;
        }
        table[k] = i as u32;
    }
    count
}

/// Whether `data` is mostly text: at least 90% printable ASCII, whitespace or well-formed
/// UTF-8 sequences.
pub fn looks_like_text(data: &[u8]) -> bool {
    let mut texty = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        let len = match b {
            0x20..=0x7e | b'\n' | b'\r' | b'\t' => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        let ok = len > 0
            && data
                .get(i + 1..i + len)
                .is_some_and(|tail| tail.iter().all(|&c| (0x80..0xc0).contains(&c)));
        if ok {
            texty += len;
            i += len;
        } else {
            i += 1;
        }
    }
    texty * 10 >= data.len() * 9
}

/// A record length `r` (2..=MAX_RECORD) for which `data[i] == data[i - r]` much more often than
/// for other distances, or 0.
pub fn record_length(data: &[u8]) -> usize {
    const MAX_RECORD: usize = 1024;
    let n = data.len().min(1 << 16);
    if n < 4 * MAX_RECORD {
        return 0;
    }
    let sample = &data[..n];
    let mut score = vec![0u32; MAX_RECORD + 1];
    for (r, s) in score.iter_mut().enumerate().skip(1) {
        // Byte-wise sums over chunks of 240 bytes (a multiple of the 16-byte vector and at
        // most 255, so a u8 cannot overflow) so the comparison vectorises without a scalar tail.
        let (a, b) = (&sample[r..], &sample[..n - r]);
        let mut hits = 0u32;
        for (ca, cb) in a.chunks(240).zip(b.chunks(240)) {
            let h: u8 = ca.iter().zip(cb).map(|(x, y)| (x == y) as u8).sum();
            hits += h as u32;
        }
        *s = hits;
    }
    let best = (2..=MAX_RECORD)
        .max_by_key(|&r| (score[r], usize::MAX - r))
        .unwrap_or(0);
    let mean = score[2..].iter().map(|&s| s as u64).sum::<u64>() / (MAX_RECORD as u64 - 1);
    let best_score = score[best] as u64;
    // Must clearly beat typical distances and the short ones that text and numbers favour.
    let short = score[1..8].iter().copied().max().unwrap_or(0) as u64;
    if best_score > mean * 2 && best_score * 10 > short * 11 {
        // Prefer the smallest period that scores almost as well (multiples score alike).
        (2..=best)
            .find(|&r| score[r] as u64 * 10 >= best_score * 9)
            .unwrap_or(best)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_is_exact_on_powers_and_close_elsewhere() {
        assert_eq!(log2_fixed(1), 0);
        assert_eq!(log2_fixed(1024), 10 << 16);
        let l3 = log2_fixed(3) as i64;
        assert!((l3 - 103_872).abs() < 4, "{l3}");
    }

    #[test]
    fn flags_noise_but_not_text_or_repeated_noise() {
        let mut s = 1u64;
        let noise: Vec<u8> = (0..3 * BLOCK)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (s >> 56) as u8
            })
            .collect();
        assert_eq!(incompressible_blocks(&noise), vec![true; 3]);
        let mut doubled = noise[..BLOCK].to_vec();
        doubled.extend_from_slice(&noise[..BLOCK]);
        assert_eq!(incompressible_blocks(&doubled), vec![true, false]);
        let text = b"all work and no play makes jack a dull boy ".repeat(2000);
        assert!(incompressible_blocks(&text).iter().all(|&b| !b));
        // Noise drawn from 512 random 12-byte words: order-0 entropy near 8 bits, yet every
        // word repeats.
        let words: Vec<&[u8]> = noise.chunks(12).take(512).collect();
        let mut wordy = Vec::new();
        while wordy.len() < BLOCK {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            wordy.extend_from_slice(words[(s >> 55) as usize]);
        }
        assert!(entropy(&wordy[..BLOCK]) >= (795 << 16) / 100);
        assert_eq!(incompressible_blocks(&wordy[..BLOCK]), vec![false]);
    }

    #[test]
    fn tells_text_from_binary() {
        assert!(looks_like_text(b"Plain words,\n\tand more words."));
        assert!(!looks_like_text(&[0u8, 1, 2, 3, 200, 17, 5, 0, 0, 9]));
    }

    #[test]
    fn finds_record_length() {
        let mut data = Vec::new();
        let mut s = 3u32;
        for i in 0..3000u32 {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            data.extend_from_slice(&i.to_be_bytes());
            data.extend_from_slice(&[b'A', (s >> 28) as u8, 0, 7, (s >> 24) as u8, 9, 9]);
        }
        assert_eq!(record_length(&data), 11);
        let mut text = Vec::new();
        let words: [&[u8]; 5] = [b"cat ", b"on ", b"the ", b"mat, ", b"sat "];
        for i in 0..5000u32 {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            text.extend_from_slice(words[((s >> 24) as usize + i as usize) % 5]);
        }
        assert_eq!(record_length(&text), 0);
    }
}

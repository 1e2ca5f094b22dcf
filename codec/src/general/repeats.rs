//! Long repeats within a lane: runs of bytes equal to the bytes a fixed distance back
//! (overlapping allowed, so a run of one byte, or of a short pattern, is a repeat too).
//! The model would code such a run at a few bits per KiB, but at its full cost per bit; as a
//! segment of its own it costs one distance and no model time.

/// Shortest repeat taken. A repeat splits the modelled segment around it (a new coder stream
/// and two segment headers, about 26 bytes), which the model's own coding of a repeat this
/// long (a ramp of a few bytes, then well under 0.1 bit per byte) does not cost more than.
pub const MIN_REPEAT: usize = 16 << 10;
/// Longest repeat segment. The container lets a payload byte stand for at most 2^16 output
/// bytes; a repeat segment is at least 13 bytes (header and distance), so a longer repeat
/// is cut into segments of this length.
pub const MAX_REPEAT: usize = 512 << 10;
/// Bytes hashed at a time; every string of this many bytes at an anchor is remembered.
const WINDOW: usize = 64;
/// Anchors are this far apart, so any repeat of `WINDOW + ANCHOR` bytes or more is seen.
const ANCHOR: usize = 256;
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The long repeats of `data`, in order and apart: `(start, end, distance)` with
/// `data[start..end] == data[start - distance..end - distance]` (element by element, as a
/// forward copy reads them).
pub fn find(data: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut found = Vec::new();
    if data.len() < MIN_REPEAT {
        return found;
    }
    let bits = (data.len() / ANCHOR)
        .next_power_of_two()
        .trailing_zeros()
        .max(4);
    let mut anchors = vec![0u32; 1 << bits];
    let slot = |h: u64| (h >> (64 - bits)) as usize;
    // MULTIPLIER^(WINDOW - 1): the oldest byte's weight in the rolling hash.
    let oldest = (1..WINDOW).fold(1u64, |m, _| m.wrapping_mul(MULTIPLIER));
    let hash_at = |p: usize| {
        data[p..p + WINDOW].iter().fold(0u64, |h, &b| {
            h.wrapping_mul(MULTIPLIER).wrapping_add(u64::from(b) + 1)
        })
    };
    let mut p = 0;
    let mut h = hash_at(0);
    // Repeats found so far end here; a repeat never reaches back past it.
    let mut covered = 0;
    while p + WINDOW <= data.len() {
        let cand = anchors[slot(h)] as usize;
        if cand > 0 && data[cand - 1..cand - 1 + WINDOW] == data[p..p + WINDOW] {
            let source = cand - 1;
            let distance = p - source;
            let mut end = p + WINDOW;
            while end < data.len() && data[end] == data[end - distance] {
                end += 1;
            }
            let mut start = p;
            while start > covered
                && start > distance
                && data[start - 1] == data[start - 1 - distance]
            {
                start -= 1;
            }
            if end - start >= MIN_REPEAT {
                found.push((start, end, distance));
                covered = end;
                p = end;
                if p + WINDOW > data.len() {
                    break;
                }
                h = hash_at(p);
                continue;
            }
        }
        if p % ANCHOR == 0 {
            anchors[slot(h)] = p as u32 + 1;
        }
        if p + WINDOW == data.len() {
            break;
        }
        h = h
            .wrapping_sub((u64::from(data[p]) + 1).wrapping_mul(oldest))
            .wrapping_mul(MULTIPLIER)
            .wrapping_add(u64::from(data[p + WINDOW]) + 1);
        p += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (s >> 56) as u8
            })
            .collect()
    }

    fn check(data: &[u8], found: &[(usize, usize, usize)]) {
        let mut last = 0;
        for &(start, end, distance) in found {
            assert!(start >= last && end - start >= MIN_REPEAT && distance >= 1);
            for i in start..end {
                assert_eq!(data[i], data[i - distance], "at {i}");
            }
            last = end;
        }
    }

    #[test]
    fn finds_a_repeated_block_at_any_offset_and_its_exact_extent() {
        let block = noise(40_000, 1);
        let mut data = noise(1_003, 2);
        data.extend_from_slice(&block);
        data.extend_from_slice(&noise(5_001, 3));
        let at = data.len();
        data.extend_from_slice(&block);
        data.extend_from_slice(&noise(777, 4));
        let found = find(&data);
        check(&data, &found);
        // Noise may continue the repeat by chance for a byte or two at either end.
        let &[(start, end, distance)] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(distance, at - 1_003);
        assert!(
            start <= at && at - start < 8 && end >= at + block.len() && end - at - block.len() < 8
        );
    }

    #[test]
    fn runs_and_short_patterns_are_repeats_of_themselves() {
        let mut data = noise(3_000, 5);
        data.extend(std::iter::repeat_n(0u8, 100_000));
        data.extend(b"abc".iter().cycle().take(50_000));
        let found = find(&data);
        check(&data, &found);
        let covered: usize = found.iter().map(|(s, e, _)| e - s).sum();
        assert!(covered > 149_000, "{found:?}");
    }

    #[test]
    fn short_repeats_and_noise_are_left_to_the_model() {
        // Bytes that differ around each copy, so the repeat cannot grow past the block.
        let block = noise(MIN_REPEAT - 1, 6);
        let mut data = vec![0xaa];
        data.extend_from_slice(&block);
        data.push(0x55);
        data.extend_from_slice(&noise(9_000, 7));
        data.push(0x55);
        data.extend_from_slice(&block);
        data.push(0xaa);
        data.extend_from_slice(&noise(100_000, 8));
        assert_eq!(find(&data), []);
        assert_eq!(find(&[7u8; MIN_REPEAT - 1]), []);
    }
}

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
/// The long repeats of `data`, in order and apart: `(start, end, distance)` with
/// `data[start..end] == data[start - distance..end - distance]` (element by element, as a
/// forward copy reads them). A rolling hash of 64 bytes remembered at every 256th position
/// ([`crate::anchored`]).
pub fn find(data: &[u8]) -> Vec<(usize, usize, usize)> {
    crate::anchored::Search {
        window: 64,
        anchor: 256,
        min_repeat: MIN_REPEAT,
        skip_matches: false,
    }
    .find(data)
    .into_iter()
    .map(|r| (r.start, r.end, r.distance))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_noise::noise;

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

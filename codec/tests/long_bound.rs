//! Method 8 (long repeats) streams crafted to the limits: a payload byte stands for at most
//! 43,691 output bytes (24 bytes of reference for 1 MiB), and anything else is refused.

use std::io::Cursor;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The container's format version, as this build writes it.
fn version() -> u8 {
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(b"x"), &mut packed).expect("compresses");
    packed.into_inner()[4]
}

/// A container of method 8: `references` as (start, length, distance), then the residual
/// stored.
fn container(original: &[u8], references: &[(u64, u64, u64)], residual: &[u8]) -> Vec<u8> {
    let mut out = b"RCZ\x1a".to_vec();
    out.push(version());
    out.push(8);
    out.extend_from_slice(&(original.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(original).to_le_bytes());
    out.extend_from_slice(&(references.len() as u32).to_le_bytes());
    for &(start, len, distance) in references {
        for v in [start, len, distance] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.push(0);
    out.extend_from_slice(&(residual.len() as u64).to_le_bytes());
    out.extend_from_slice(residual);
    out
}

fn decode(packed: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(packed), &mut out)?;
    Ok(out.into_inner())
}

#[test]
fn references_at_their_longest_decode() {
    let mib = 1u64 << 20;
    let original = vec![b'a'; 48 << 20];
    let references: Vec<_> = (0..48)
        .map(|k| (1.max(k * mib), mib - (k == 0) as u64, 1))
        .collect();
    let packed = container(&original, &references, b"a");
    assert!(packed.len() < 1200, "{}", packed.len());
    assert!(decode(&packed).unwrap() == original);
}

#[test]
fn references_out_of_bounds_are_refused() {
    let original = vec![7u8; 3 << 20];
    let good = [
        (1, (1 << 20) - 1, 1),
        (1 << 20, 1 << 20, 1 << 20),
        (2 << 20, 1 << 20, 5),
    ];
    assert!(decode(&container(&original, &good, &[7])).unwrap() == original);
    let bad: [&[(u64, u64, u64)]; 6] = [
        &[(1, 1 << 20, 1), (3 << 20, 1, 1)],
        &[(0, 1 << 20, 1)],
        &[(1, (1 << 20) + 1, 1)],
        &[(10, 100, 11)],
        &[(1, 10, 1), (5, 10, 1)],
        &[(1, u64::MAX, 1)],
    ];
    for references in bad {
        let err = decode(&container(&original, references, &[7; 100])).unwrap_err();
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::InvalidData,
            "{references:?}"
        );
    }
    // A residual of the wrong length, and a residual claiming method 8 again.
    assert!(decode(&container(&original, &good, &[7, 7])).is_err());
    let mut nested = container(&original, &good, &[7]);
    let at = nested.len() - 10;
    nested[at] = 8;
    assert!(decode(&nested).is_err());
}

/// `levels` of method 4 holding a segment of method 8 whose residual is method 4 again,
/// around one stored byte: the headers outermost first, each level's length computed, so
/// that building it takes linear time.
fn nested(levels: usize) -> Vec<u8> {
    const INFLATED_HEAD: usize = 4 + 4 + 8 + 1 + 8;
    const LONG_HEAD: usize = 4 + 1 + 8;
    let innermost = INFLATED_HEAD + 1;
    let mut p = Vec::with_capacity(innermost + levels * (INFLATED_HEAD + LONG_HEAD));
    let segment = |p: &mut Vec<u8>, method: u8, inner_len: usize| {
        p.extend_from_slice(&0u32.to_le_bytes());
        p.extend_from_slice(&1u32.to_le_bytes());
        p.extend_from_slice(&1u64.to_le_bytes());
        p.push(method);
        p.extend_from_slice(&(inner_len as u64).to_le_bytes());
    };
    for level in (0..levels).rev() {
        let inner_inflated = innermost + level * (INFLATED_HEAD + LONG_HEAD);
        segment(&mut p, 8, LONG_HEAD + inner_inflated);
        p.extend_from_slice(&0u32.to_le_bytes());
        p.push(4);
        p.extend_from_slice(&(inner_inflated as u64).to_le_bytes());
    }
    segment(&mut p, 0, 1);
    p.push(b'x');
    p
}

#[test]
fn methods_nested_in_each_other_are_refused_not_recursed_into() {
    // Method 4's segments took method 8, whose residual took method 4 again: 100,000 levels
    // in 3.8 MB, each a few stack frames of the decoder, overflowed the stack (SIGABRT)
    // before any level was checked.
    for levels in [1, 100_000] {
        let mut packed = b"RCZ\x1a".to_vec();
        packed.push(version());
        packed.push(4);
        packed.extend_from_slice(&1u64.to_le_bytes());
        packed.extend_from_slice(&crc32(b"x").to_le_bytes());
        packed.extend_from_slice(&nested(levels));
        let err = decode(&packed).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{err}");
        assert!(err.to_string().contains("inner method 8"), "{err}");
    }
}

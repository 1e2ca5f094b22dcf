//! x86-64-looking executable: an ELF64 header and one PT_LOAD program header, then functions
//! aligned to 16 bytes, each a prologue, a body of common instruction encodings (many E8 calls
//! and some E9 jumps with rel32 offsets to real function starts) and an epilogue, padded
//! with int3.

use super::rng::{Stream, Zipf};

/// Virtual address of the first code byte.
const BASE: u64 = 0x40_1000;
const HEADERS: usize = 64 + 56;

fn elf_header(len: usize) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADERS);
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    h.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h.extend_from_slice(&0x3eu16.to_le_bytes()); // x86-64
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&BASE.to_le_bytes()); // entry
    h.extend_from_slice(&64u64.to_le_bytes()); // program headers
    h.extend_from_slice(&0u64.to_le_bytes()); // no section headers
    h.extend_from_slice(&0u32.to_le_bytes());
    for v in [64u16, 56, 1, 64, 0, 0] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    h.extend_from_slice(&5u32.to_le_bytes()); // R+X
    h.extend_from_slice(&0u64.to_le_bytes());
    h.extend_from_slice(&(BASE - HEADERS as u64).to_le_bytes());
    h.extend_from_slice(&(BASE - HEADERS as u64).to_le_bytes());
    h.extend_from_slice(&(len as u64).to_le_bytes());
    h.extend_from_slice(&(len as u64).to_le_bytes());
    h.extend_from_slice(&0x1000u64.to_le_bytes());
    h
}

/// Appends one instruction at file offset `out.len()`; `targets` are function start offsets.
fn instruction(rng: &mut Stream, out: &mut Vec<u8>, targets: &[usize], callee: &Zipf) {
    let here = out.len() as i64;
    let rel = |out: &mut Vec<u8>, target: usize, size: i64| {
        out.extend_from_slice(&((target as i64 - (here + size)) as i32).to_le_bytes());
    };
    let slot = 0xf8 - 8 * rng.below(6) as u8;
    let reg = rng.below(8) as u8;
    match rng.below(32) {
        0..=6 => {
            out.push(0xe8);
            rel(out, targets[callee.sample(rng)], 5);
        }
        7 => {
            out.push(0xe9);
            rel(out, targets[callee.sample(rng)], 5);
        }
        8..=11 => out.extend_from_slice(&[0x48, 0x8b, 0x45 | reg << 3, slot]),
        12..=14 => out.extend_from_slice(&[0x48, 0x89, 0x45 | reg << 3, slot]),
        15..=16 => {
            out.push(0xb8 + reg);
            out.extend_from_slice(&(rng.below(256) << (8 * rng.below(2))).to_le_bytes());
        }
        17..=18 => out.extend_from_slice(&[
            0x48,
            0x83,
            0xc0 | (rng.below(8) as u8 * 8 + reg),
            rng.below(64) as u8,
        ]),
        19 => out.extend_from_slice(&[0x48, 0x39, 0xc0 | reg << 3 | rng.below(8) as u8]),
        20..=21 => out.extend_from_slice(&[0x85, 0xc0]),
        22..=24 => {
            out.extend_from_slice(&[0x74 + rng.below(12) as u8 % 12, 2 + 2 * rng.below(20) as u8])
        }
        25 => {
            out.extend_from_slice(&[0x48, 0x8d, 0x3d]);
            let data = targets.last().copied().unwrap_or(0) + 0x1000 + 8 * rng.index(512);
            rel(out, data, 7);
        }
        26 => out.extend_from_slice(&[0x31, 0xc0]),
        27 => out.extend_from_slice(&[0x0f, 0xb6, 0x45 | reg << 3, slot]),
        28 => out.extend_from_slice(&[0x48, 0x89, 0xc7 | reg << 3]),
        29 => out.extend_from_slice(&[0x41, 0x50 + reg]),
        30 => out.extend_from_slice(&[0x41, 0x58 + reg]),
        _ => out.extend_from_slice(&[0xff, 0xd0 + reg]),
    }
}

pub fn generate(rng: &mut Stream, len: usize) -> Vec<u8> {
    let mut out = elf_header(len);
    let code_start = (HEADERS + 15) & !15;
    // Function start offsets, 16-byte aligned; sizes are mostly small.
    let mut starts = Vec::new();
    let mut at = code_start;
    while at < len {
        starts.push(at);
        at += 16 * (2 + rng.below(8) as usize * (1 + rng.below(8) as usize));
    }
    let callee = Zipf::new(starts.len().max(1), 4);
    // A fixed permutation so popular callees are spread over the file.
    let mut order: Vec<usize> = starts.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.index(i + 1));
    }
    out.resize(code_start.min(len), 0xcc);
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(len);
        out.resize(start, 0xcc);
        out.extend_from_slice(&[
            0x55,
            0x48,
            0x89,
            0xe5,
            0x48,
            0x83,
            0xec,
            16 * (1 + rng.below(6) as u8),
        ]);
        while out.len() + 16 < end {
            instruction(rng, &mut out, &order, &callee);
        }
        if out.len() + 2 <= end {
            out.extend_from_slice(&[0xc9, 0xc3]);
        }
    }
    out.resize(len, 0xcc);
    out.truncate(len);
    out
}

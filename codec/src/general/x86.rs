//! Reversible x86 address transform: the 32-bit operand after an E8/E9 (CALL/JMP) or 0F 8x
//! (Jcc) opcode, or the displacement of a RIP-relative memory operand, whose top byte is 0x00
//! or 0xFF (a 25-bit signed displacement) becomes `displacement + position` modulo 2^25,
//! re-extended, so repeated calls to one target become repeated byte strings. Operands outside
//! that set are left alone and stay outside it. The scan always skips the operand bytes
//! after such an opcode, so no later rewrite touches bytes an earlier decision read: both directions
//! make identical decisions.

/// Whether `data` looks like x86 machine code (executable header, or many plausible CALLs).
pub fn looks_like_x86(data: &[u8]) -> bool {
    if data.len() < 4096 {
        return false;
    }
    let header = data.starts_with(b"\x7fELF") || data.starts_with(b"MZ");
    let mut calls = 0usize;
    let mut i = 0;
    while i + 5 <= data.len() {
        if data[i] == 0xE8 {
            let top = data[i + 4];
            let next = data[i + 3];
            // Small displacement either way: top byte 00 with a small third byte, or FF/FF.
            if (top == 0 && next < 0x10) || (top == 0xFF && next >= 0xF0) {
                calls += 1;
                i += 5;
                continue;
            }
        }
        i += 1;
    }
    // Random bytes give about 1 in 8000; code usually well above 1 in 300.
    let threshold = if header {
        data.len() / 2000
    } else {
        data.len() / 500
    };
    calls > threshold.max(8)
}

/// Opcode bytes (one-byte opcodes, and second bytes of 0F-prefixed ones) that take a ModRM
/// byte and commonly address memory: moves, loads, arithmetic, compares, SSE moves.
const TAKES_MODRM: [bool; 256] = {
    let mut t = [false; 256];
    let ops: &[u8] = &[
        0x01, 0x03, 0x09, 0x0B, 0x11, 0x13, 0x19, 0x1B, 0x21, 0x23, 0x29, 0x2B, 0x31, 0x33, 0x39,
        0x3B, 0x63, 0x69, 0x80, 0x81, 0x83, 0x84, 0x85, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8D, 0xC6,
        0xC7, 0xFF, 0xB6, 0xB7, 0xBE, 0xBF, 0x10, 0x12, 0x16, 0x28, 0x2E, 0x2F, 0x54, 0x57, 0x58,
        0x59, 0x5C, 0x6F, 0x7F,
    ];
    let mut k = 0;
    while k < ops.len() {
        t[ops[k] as usize] = true;
        k += 1;
    }
    t
};

/// Rewrites the 4-byte operand at `at` (if its top byte is 0x00 or 0xFF) relative to `pos`.
fn rewrite(data: &mut [u8], at: usize, pos: u32, encode: bool) {
    let top = data[at + 3];
    if top != 0 && top != 0xFF {
        return;
    }
    let x = u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let v = if encode {
        x.wrapping_add(pos)
    } else {
        x.wrapping_sub(pos)
    } & 0x01FF_FFFF;
    let y = if v & 0x0100_0000 != 0 {
        v | 0xFE00_0000
    } else {
        v
    };
    data[at..at + 4].copy_from_slice(&y.to_le_bytes());
}

fn apply(data: &mut [u8], encode: bool) {
    let mut i = 0;
    while i + 5 <= data.len() {
        let op = data[i];
        if op == 0xE8 || op == 0xE9 {
            rewrite(data, i + 1, i as u32, encode);
            i += 5;
        } else if op == 0x0F && i + 6 <= data.len() && data[i + 1] & 0xF0 == 0x80 {
            // Jcc rel32: 0F 80..8F and a 4-byte displacement.
            rewrite(data, i + 2, i as u32, encode);
            i += 6;
        } else if i + 6 <= data.len() && TAKES_MODRM[op as usize] && data[i + 1] & 0xC7 == 0x05 {
            // RIP-relative operand (ModRM mod 00, r/m 101): the displacement counts from the
            // end of the instruction, which is right after it unless an immediate follows.
            rewrite(data, i + 2, (i + 6) as u32, encode);
            i += 6;
        } else {
            i += 1;
        }
    }
}

pub fn forward(data: &mut [u8]) {
    apply(data, true);
}

pub fn inverse(data: &mut [u8]) {
    apply(data, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_code(n: usize) -> Vec<u8> {
        let mut v = Vec::new();
        let mut s = 99u32;
        while v.len() < n {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let target = (s >> 20) as i32 - 2048;
            v.push(0xE8);
            v.extend_from_slice(&(target - v.len() as i32).to_le_bytes());
            v.extend_from_slice(&[0x89, 0xE5, (s >> 8) as u8, 0xE9, 0xFF]);
        }
        v
    }

    #[test]
    fn detects_code_and_round_trips() {
        let code = fake_code(20_000);
        assert!(looks_like_x86(&code));
        assert!(!looks_like_x86(&vec![b'a'; 20_000]));
        let mut t = code.clone();
        forward(&mut t);
        assert!(t != code);
        inverse(&mut t);
        assert!(t == code);
    }

    /// After the transform the 4-byte operands at `starts` are equal; the inverse restores `code`.
    fn operands_become_equal_and_round_trip(code: &[u8], starts: &[usize]) {
        let mut t = code.to_vec();
        forward(&mut t);
        for pair in starts.windows(2) {
            assert_eq!(t[pair[0]..pair[0] + 4], t[pair[1]..pair[1] + 4]);
        }
        inverse(&mut t);
        assert_eq!(t, code);
    }

    #[test]
    fn conditional_jumps_to_one_target_become_equal() {
        let mut code = vec![0x90u8; 64];
        for at in [3usize, 20, 41] {
            let rel = 1000 - (at as i32 + 6);
            code[at..at + 2].copy_from_slice(&[0x0F, 0x84]);
            code[at + 2..at + 6].copy_from_slice(&rel.to_le_bytes());
        }
        operands_become_equal_and_round_trip(&code, &[5, 22, 43]);
    }

    #[test]
    fn rip_relative_loads_of_one_global_become_equal() {
        let mut code = vec![0x90u8; 80];
        // mov rax, [rip + disp] and lea rdi, [rip + disp], all addressing byte 5000.
        for (at, op, modrm) in [(2usize, 0x8B, 0x05), (30, 0x8D, 0x3D), (55, 0x8B, 0x05)] {
            let rel = 5000 - (at as i32 + 7);
            code[at..at + 3].copy_from_slice(&[0x48, op, modrm]);
            code[at + 3..at + 7].copy_from_slice(&rel.to_le_bytes());
        }
        operands_become_equal_and_round_trip(&code, &[5, 33, 58]);
    }

    #[test]
    fn arbitrary_bytes_round_trip() {
        let mut s = 5u32;
        let data: Vec<u8> = (0..5000)
            .map(|i| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                if i % 7 == 0 {
                    0xE8
                } else if i % 13 == 0 {
                    0x0F
                } else if i % 13 == 1 {
                    0x80 | (s >> 28) as u8
                } else if i % 17 == 0 {
                    0x8B
                } else if i % 17 == 1 {
                    0x05 | (s >> 26) as u8 & 0x38
                } else if i % 11 == 0 {
                    0xFF
                } else {
                    (s >> 24) as u8
                }
            })
            .collect();
        let mut t = data.clone();
        forward(&mut t);
        inverse(&mut t);
        assert!(t == data);
    }

    proptest::proptest! {
        /// Bytes drawn mostly from the opcodes and operand bytes the transform reacts to.
        #[test]
        fn opcode_rich_bytes_round_trip(
            picks in proptest::collection::vec(0usize..16, 0..3000)
        ) {
            const ALPHABET: [u8; 16] = [
                0xE8, 0xE9, 0x0F, 0x84, 0x8F, 0x8B, 0x8D, 0x05, 0x3D, 0x48, 0x00, 0xFF, 0x00,
                0xFF, 0x12, 0x90,
            ];
            let data: Vec<u8> = picks.iter().map(|&i| ALPHABET[i]).collect();
            let mut t = data.clone();
            forward(&mut t);
            inverse(&mut t);
            proptest::prop_assert_eq!(t, data);
        }
    }
}

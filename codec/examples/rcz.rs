//! The codec as a filter: `rcz c < in > out` compresses, `rcz d < in > out` decompresses,
//! `rcz p < in > out` compresses an input of more than 4 KiB whose deflate streams span an
//! eighth of it in pieces of 4 KiB (the seed of method 10). Used to regenerate the seed
//! streams in `tests/fuzz_regressions/` after a format change (decode them with the old
//! build, encode with the new one: `seed-pieces` with `p`).

use std::io::{Cursor, Read, Write};

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("rcz: reading stdin: {e}");
        std::process::exit(2);
    }
    let mut out = Cursor::new(Vec::new());
    let result = match mode.as_str() {
        "c" => codec::compress(Cursor::new(&input), &mut out),
        "d" => codec::decompress(Cursor::new(&input), &mut out),
        "p" => codec::compress_in_pieces(Cursor::new(&input), &mut out, 4 << 10, 4 << 10),
        _ => {
            eprintln!("usage: rcz c|d|p < input > output");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("rcz: {e}");
        std::process::exit(1);
    }
    if let Err(e) = std::io::stdout().write_all(&out.into_inner()) {
        eprintln!("rcz: writing stdout: {e}");
        std::process::exit(2);
    }
}

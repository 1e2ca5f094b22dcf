//! `decompress(compress(x)) == x` for arbitrary `x`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| {
    let mut packed = Cursor::new(Vec::new());
    codec::compress(Cursor::new(data), &mut packed).expect("compress");
    let packed = packed.into_inner();
    let mut out = Cursor::new(Vec::new());
    codec::decompress(Cursor::new(&packed), &mut out).expect("decompress");
    assert!(out.into_inner() == data, "round trip changed the bytes");
});

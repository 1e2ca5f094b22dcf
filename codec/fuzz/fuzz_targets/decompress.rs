//! Arbitrary bytes into `codec::decompress`: must return Ok or Err, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

/// Streams declaring more output than this are skipped: the container lets a payload declare up
/// to 65536 bytes per payload byte, and decoding tens of megabytes per run would starve the
/// fuzzer of executions without exercising new code.
const MAX_DECLARED: u64 = 1 << 16;

fuzz_target!(|data: &[u8]| {
    if let Some(len) = data.get(6..14) {
        let declared = u64::from_le_bytes(len.try_into().unwrap());
        if declared > MAX_DECLARED {
            return;
        }
    }
    let mut out = Cursor::new(Vec::new());
    let _ = codec::decompress(Cursor::new(data), &mut out);
});

//! Replays every file under `tests/fuzz_regressions/` (fuzzer finds, inputs of the length
//! sweep and of issue 28 that once failed, and the seed streams) through `decompress`: each
//! must return Ok or Err without panicking, within the decoder's bounds on work.

#[path = "support/meter.rs"]
#[allow(dead_code)]
mod meter;

use std::path::Path;

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

#[test]
fn fuzz_regressions_decode_without_panicking_within_the_bound() {
    let _alone = meter::alone();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("regression directory exists") {
        let path = entry.expect("directory entry").path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).expect("readable regression file");
        let input = data.clone();
        let cost = std::panic::catch_unwind(move || meter::decode(&input, usize::MAX))
            .unwrap_or_else(|_| panic!("decompress panicked on {}", path.display()));
        let len = data.len() as u64;
        assert!(
            cost.steps <= meter::STEPS_PER_BYTE * len && cost.links <= meter::LINKS_PER_BYTE * len,
            "{}: {} coder steps and {} chain links for {len} bytes",
            path.display(),
            cost.steps,
            cost.links,
        );
        replayed += 1;
    }
    assert!(replayed >= 5, "expected the seed files, found {replayed}");
}

/// The seed streams are real outputs of the current format (regenerate them when it changes),
/// so the fuzzer starts from deep inside the decoders.
#[test]
fn seed_streams_decode() {
    let _alone = meter::alone();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    for name in [
        "seed-text.rcz",
        "seed-zeros.rcz",
        "seed-x86.rcz",
        "seed-records.rcz",
        "seed-forked.rcz",
        "seed-wav.rcz",
        "seed-wav6.rcz",
        "seed-bmp.rcz",
        "seed-bmp-grey.rcz",
        "seed-gzip.rcz",
        "seed-png.rcz",
        "seed-png-grey.rcz",
        "seed-jpeg.rcz",
        "seed-embedded.rcz",
        "seed-progressive.rcz",
        "seed-repeat.rcz",
        "seed-long.rcz",
        "seed-gzip-repeats.rcz",
    ] {
        let data = std::fs::read(dir.join(name)).expect("seed file");
        let cost = meter::decode(&data, usize::MAX);
        let decoded = cost.result.expect("seed decodes");
        assert!(!decoded.is_empty(), "{name}");
    }
}

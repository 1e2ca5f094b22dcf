//! Plan shape, exact sizes, seed dependence and rough compressibility.

use super::super::{generate, plan, DEFAULT_SEED};
use super::{deflate_ratio, generate_named};
use crate::dataset::category::Category;
use std::collections::BTreeSet;

const MIB: u64 = 1 << 20;

#[test]
fn full_scale_plan_has_the_intended_shape() {
    let files = plan(1.0);
    let names: BTreeSet<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names.len(), files.len(), "names are unique");
    assert!(files
        .iter()
        .all(|f| f.name.contains('.') && !f.name.contains('/')));
    let total: u64 = files.iter().map(|f| f.size).sum();
    assert!((150 * MIB..=170 * MIB).contains(&total), "total {total}");
    let largest = files.iter().max_by_key(|f| f.size).unwrap();
    assert!((48 * MIB..=64 * MIB).contains(&largest.size), "{largest:?}");
    for c in Category::ALL {
        assert!(files.iter().any(|f| f.category == c), "{c} is covered");
    }
    assert_eq!(plan(1.0), files, "the plan is stable");
}

#[test]
fn tiny_scale_gives_small_valid_sizes_and_exact_lengths() {
    for scale in [0.001, 0.013] {
        for f in plan(scale) {
            match f.name.as_str() {
                "empty.bin" => assert_eq!(f.size, 0),
                "one-byte.bin" => assert_eq!(f.size, 1),
                _ => assert!((64..=1 << 20).contains(&f.size), "{f:?}"),
            }
            assert_eq!(generate(DEFAULT_SEED, &f).len() as u64, f.size, "{f:?}");
        }
    }
    let zeros = generate_named(DEFAULT_SEED, 0.001, "zeros.bin");
    assert!(zeros.iter().all(|&b| b == 0));
}

#[test]
fn seeds_change_every_nontrivial_file_and_repeat_exactly() {
    let scale = 0.02;
    for f in plan(scale) {
        let a = generate(DEFAULT_SEED, &f);
        assert_eq!(a, generate(DEFAULT_SEED, &f), "{} is deterministic", f.name);
        if f.size > 1 && f.name != "zeros.bin" {
            assert_ne!(
                a,
                generate(DEFAULT_SEED ^ 1, &f),
                "{} depends on the seed",
                f.name
            );
        }
    }
}

#[test]
fn compressibility_is_roughly_realistic() {
    let scale = 0.05;
    let expect = |name: &str, lo: f64, hi: f64| {
        let r = deflate_ratio(&generate_named(DEFAULT_SEED, scale, name));
        assert!(
            (lo..=hi).contains(&r),
            "{name}: deflate ratio {r:.3} not in {lo}..={hi}"
        );
    };
    expect("prose-large.txt", 0.2, 0.5);
    expect("records.csv", 0.1, 0.35);
    expect("events.jsonl", 0.05, 0.3);
    expect("access.log", 0.05, 0.3);
    expect("module.c", 0.08, 0.35);
    expect("module.rs", 0.08, 0.35);
    expect("music-stereo-44k.wav", 0.6, 0.98);
    expect("speech-mono-16k.wav", 0.2, 0.7);
    expect("photo.bmp", 0.5, 0.95);
    expect("graphics-odd-width.bmp", 0.005, 0.15);
    expect("program.elf", 0.4, 0.85);
    expect("sensor-table.bin", 0.15, 0.6);
    for name in [
        "prose.txt.gz",
        "records.csv.zst",
        "prose.txt.xz",
        "photo.png",
    ] {
        expect(name, 0.97, 1.01);
    }
    expect("random-small.rnd", 1.0, 1.01);
    expect("random-large.rnd", 1.0, 1.01);
    expect("zeros.bin", 0.0, 0.01);
    expect("repeats.bin", 0.0, 0.02);
}

//! Pins the sha256 of every file of `plan(1.0)` under `DEFAULT_SEED`.
//!
//! After an intended change of the generator, replace `sha256.txt` with the table this test
//! prints. Files with a compressed category also change when flate2's backend, zstd or
//! liblzma change version; the message says when only those differ.

use super::super::{generate, plan, DEFAULT_SEED};
use crate::dataset::category::Category;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

const PINNED: &str = include_str!("sha256.txt");

#[test]
fn every_default_file_has_its_pinned_sha256() {
    let pinned: BTreeMap<&str, &str> = PINNED
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once(' ').expect("`name sha256` lines"))
        .map(|(n, h)| (n, h.trim()))
        .collect();
    let files = plan(1.0);
    // A few workers, each hashing one file at a time, to bound memory.
    let next = AtomicUsize::new(0);
    let hashes = Mutex::new(vec![String::new(); files.len()]);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(f) = files.get(i) else { break };
                let hash = hex::encode(Sha256::digest(generate(DEFAULT_SEED, f)));
                hashes.lock().unwrap()[i] = hash;
            });
        }
    });
    let actual: Vec<(String, Category, String)> = files
        .iter()
        .zip(hashes.into_inner().unwrap())
        .map(|(f, h)| (f.name.clone(), f.category, h))
        .collect();
    let mut problems = Vec::new();
    for (name, category, hash) in &actual {
        match pinned.get(name.as_str()) {
            Some(p) if p == hash => {}
            Some(p) => problems.push(format!(
                "{name}: expected {p}, got {hash}{}",
                if *category == Category::Compressed {
                    " (compressed: also depends on compressor library versions)"
                } else {
                    ""
                }
            )),
            None => problems.push(format!("{name}: not pinned")),
        }
    }
    for name in pinned.keys() {
        if !actual.iter().any(|(n, _, _)| n == name) {
            problems.push(format!("{name}: pinned but no longer planned"));
        }
    }
    let table: String = actual
        .iter()
        .map(|(n, _, h)| format!("{n} {h}\n"))
        .collect();
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}\n\nactual table:\n{table}",
        problems.len(),
        problems.join("\n")
    );
}

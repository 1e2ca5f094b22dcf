//! The structure-aware sweep of issue 28: in a stream of every method (the seed streams of
//! `tests/fuzz_regressions/`), every length, offset and count field is set in turn to 0, 1,
//! the length of its payload, that plus 1, `u32::MAX`, `u64::MAX` and `u64::MAX - 40`
//! (little-endian, cut to the field's width). Every such stream must decode to an error
//! or to its bytes, never panic. Failing inputs are written to the temporary directory,
//! to be kept in `tests/fuzz_regressions/`.

mod fields;

use std::io::Cursor;
use std::path::{Path, PathBuf};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("regression directory exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
        })
        .map(|p| {
            let name = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("readable seed"))
        })
        .collect();
    found.sort();
    found
}

/// The values the sweep gives a field whose payload is `scope` bytes long.
fn values(scope: usize) -> [(String, u64); 7] {
    let scope = scope as u64;
    [
        ("0".into(), 0),
        ("1".into(), 1),
        ("payload length".into(), scope),
        ("payload length + 1".into(), scope + 1),
        ("u32::MAX".into(), u32::MAX.into()),
        ("u64::MAX".into(), u64::MAX),
        ("u64::MAX - 40".into(), u64::MAX - 40),
    ]
}

fn decode(packed: &[u8]) -> std::thread::Result<std::io::Result<Vec<u8>>> {
    let packed = packed.to_vec();
    std::panic::catch_unwind(move || {
        let mut out = Cursor::new(Vec::new());
        codec::decompress(Cursor::new(&packed), &mut out).map(|()| out.into_inner())
    })
}

fn save(name: &str, packed: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("codec-sweep-failures");
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(format!("{name}.rcz"));
    std::fs::write(&path, packed).expect("write a failing input");
    path
}

#[test]
fn every_length_field_of_every_method_decodes_or_fails_cleanly() {
    let mut executions = 0;
    let mut failures = Vec::new();
    let mut methods = [0usize; 8];
    for (seed, packed) in seeds() {
        methods[packed[5] as usize] += 1;
        let fields = fields::of_container(&packed);
        for field in &fields {
            for (value_name, value) in values(field.scope) {
                let mut mutated = packed.clone();
                mutated[field.at..field.at + field.width]
                    .copy_from_slice(&value.to_le_bytes()[..field.width]);
                executions += 1;
                if decode(&mutated).is_err() {
                    let name = format!(
                        "sweep-{seed}-at{}-{}",
                        field.at,
                        value_name.replace([' ', ':'], "")
                    );
                    let path = save(&name, &mutated);
                    failures.push(format!(
                        "{} = {value_name}: panicked ({})",
                        field.name,
                        path.display()
                    ));
                }
            }
        }
    }
    eprintln!("length sweep: {executions} decodes");
    assert!(
        methods.iter().all(|&n| n > 0),
        "a seed stream of every method: {methods:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

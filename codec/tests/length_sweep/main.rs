//! The structure-aware sweep of issue 28: in a stream of every method (the seed streams of
//! `tests/fuzz_regressions/`), every length, offset and count field is set in turn to 0, 1,
//! the length of its payload, that plus 1, `u32::MAX`, `u64::MAX` and `u64::MAX - 40`
//! (little-endian, cut to the field's width). Every such stream must decode to an error
//! or to its bytes, never panic, and within the decoder's bound on work. Failing inputs
//! are written to the temporary directory, to be kept in `tests/fuzz_regressions/`.

#[path = "../support/fields.rs"]
mod fields;
#[path = "../support/meter.rs"]
mod meter;
#[path = "../support/streams.rs"]
#[allow(dead_code)]
mod streams;

use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: meter::Counting = meter::Counting;

/// The values the sweep gives a field whose payload is `scope` bytes long.
fn values(scope: usize) -> [(&'static str, u64); 7] {
    let scope = scope as u64;
    [
        ("0", 0),
        ("1", 1),
        ("payload length", scope),
        ("payload length + 1", scope + 1),
        ("u32::MAX", u32::MAX.into()),
        ("u64::MAX", u64::MAX),
        ("u64::MAX - 40", u64::MAX - 40),
    ]
}

fn save(name: &str, packed: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("codec-sweep-failures");
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(format!("{name}.rcz"));
    std::fs::write(&path, packed).expect("write a failing input");
    path
}

#[test]
fn every_length_field_of_every_method_decodes_or_fails_within_the_bound() {
    let _alone = meter::alone();
    let mut executions = 0;
    let mut failures = Vec::new();
    let mut methods = [0usize; 11];
    let (mut most_steps, mut most_links, mut most_peak) = (0f64, 0f64, 0usize);
    let mut decoded = 0;
    for (seed, packed) in streams::seeds() {
        methods[packed[5] as usize] += 1;
        for field in fields::of_container(&packed) {
            for (value_name, value) in values(field.scope) {
                let mut mutated = packed.clone();
                mutated[field.at..field.at + field.width]
                    .copy_from_slice(&value.to_le_bytes()[..field.width]);
                executions += 1;
                let name = format!(
                    "sweep-{seed}-at{}-{}",
                    field.at,
                    value_name.replace([' ', ':'], "")
                );
                let input = mutated.clone();
                let cost = match std::panic::catch_unwind(move || meter::decode(&input, usize::MAX))
                {
                    Ok(cost) => cost,
                    Err(_) => {
                        let path = save(&name, &mutated);
                        failures.push(format!(
                            "{} = {value_name}: panicked ({})",
                            field.name,
                            path.display()
                        ));
                        continue;
                    }
                };
                decoded += usize::from(cost.result.is_ok());
                let per_byte = cost.steps as f64 / mutated.len() as f64;
                most_steps = most_steps.max(per_byte);
                most_links = most_links.max(cost.links as f64 / mutated.len() as f64);
                most_peak = most_peak.max(cost.peak);
                let len = mutated.len() as u64;
                if cost.steps > meter::STEPS_PER_BYTE * len
                    || cost.links > meter::LINKS_PER_BYTE * len
                {
                    let path = save(&name, &mutated);
                    failures.push(format!(
                        "{} = {value_name}: {} steps and {} chain links for {} bytes ({})",
                        field.name,
                        cost.steps,
                        cost.links,
                        mutated.len(),
                        path.display()
                    ));
                }
            }
        }
    }
    eprintln!(
        "length sweep: {executions} decodes ({decoded} to their bytes); at most \
         {most_steps:.0} coder steps and {most_links:.0} chain links per input byte, \
         {most_peak} bytes of memory"
    );
    assert!(
        methods.iter().all(|&n| n > 0),
        "a seed stream of every method: {methods:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! The tiny workspace's runner: the harness's `__exec` protocol for the candidate only (input
//! file on stdin, output file on stdout, `--op compress|decompress`), linking `codec`.
use std::fs::File;
use std::os::fd::FromRawFd;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let op = args
        .windows(2)
        .find(|w| w[0] == "--op")
        .map(|w| w[1].clone())
        .unwrap_or_default();
    // SAFETY: the harness hands over the input and the output as descriptors 0 and 1, both
    // open files this process owns from here on.
    let (input, output) = unsafe { (File::from_raw_fd(0), File::from_raw_fd(1)) };
    let result = match op.as_str() {
        "compress" => codec::compress(input, output),
        "decompress" => codec::decompress(input, output),
        other => {
            eprintln!("codec-runner: unknown --op {other:?}");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("codec-runner: {op}: {e}");
        std::process::exit(1);
    }
}

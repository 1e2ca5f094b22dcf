//! Compresses each file named on the command line with the codec, checks the round trip and
//! prints `compressed_bytes original_bytes ratio compress_s decompress_s name`, then a total.
//! A quick loop for codec work: `cargo run --release -p codec --example sizes -- FILES...`.

use std::io::Cursor;
use std::time::Instant;

fn main() {
    let mut total = (0usize, 0usize, 0f64, 0f64);
    for path in std::env::args().skip(1) {
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        };
        let t = Instant::now();
        let mut packed = Cursor::new(Vec::new());
        codec::compress(Cursor::new(&data), &mut packed).expect("compress");
        let tc = t.elapsed().as_secs_f64();
        let packed = packed.into_inner();
        let t = Instant::now();
        let mut back = Cursor::new(Vec::new());
        codec::decompress(Cursor::new(&packed), &mut back).expect("decompress");
        let td = t.elapsed().as_secs_f64();
        if back.into_inner() != data {
            eprintln!("{path}: round trip MISMATCH");
            std::process::exit(1);
        }
        let ratio = packed.len() as f64 / data.len().max(1) as f64;
        println!(
            "{:>10} {:>10} {ratio:.4} {tc:7.2} {td:7.2} {path}",
            packed.len(),
            data.len()
        );
        total.0 += packed.len();
        total.1 += data.len();
        total.2 += tc;
        total.3 += td;
    }
    let ratio = total.0 as f64 / total.1.max(1) as f64;
    let mbs = |s: f64| total.1 as f64 / 1e6 / s.max(1e-9);
    println!(
        "{:>10} {:>10} {ratio:.4} {:7.2} {:7.2} total ({:.2} / {:.2} MB/s)",
        total.0,
        total.1,
        total.2,
        total.3,
        mbs(total.2),
        mbs(total.3)
    );
}

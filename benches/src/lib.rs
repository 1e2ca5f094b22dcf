//! Criterion benches live in `benches/codecs.rs`; run them with `cargo bench` from the
//! workspace root. This library is empty.

//! Exact sizing of generated text: generators write past `len`, then cut.

/// `out` cut to `len` bytes, ending in a newline when non-empty.
pub fn to_len(mut out: Vec<u8>, len: usize) -> Vec<u8> {
    out.resize(len, b'\n');
    if let Some(last) = out.last_mut() {
        *last = b'\n';
    }
    out
}

/// Decimal with two places from hundredths.
pub fn cents(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100)
}

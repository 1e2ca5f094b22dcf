//! TEMPORARY stand-in until the generator lands.
use super::category::Category;
pub struct SynthFile {
    pub name: String,
    pub category: Category,
    pub size: u64,
}
pub const DEFAULT_SEED: u64 = 1;
pub fn plan(scale: f64) -> Vec<SynthFile> {
    let s = |n: &str, c, b: f64| SynthFile {
        name: n.into(),
        category: c,
        size: ((b * scale) as u64).max(100),
    };
    vec![
        s("text/prose.txt", Category::Text, 1e6),
        s("edge/zeros.bin", Category::Edge, 1e5),
        s("random/r.bin", Category::Random, 1e5),
    ]
}
pub fn generate(seed: u64, f: &SynthFile) -> Vec<u8> {
    let mut x = seed ^ f.size;
    (0..f.size)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if f.category == Category::Random {
                (x >> 56) as u8
            } else if f.category == Category::Edge {
                0
            } else {
                b"hello world "[i as usize % 12]
            }
        })
        .collect()
}

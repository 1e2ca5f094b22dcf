//! A campaign replayed from the byte-copy stub: five small codecs, each better and slower than
//! the last (stored blocks, run-length coding, LZ77, LZ77 + Huffman, and a delta filter for
//! 16-bit audio in front), applied in turn by the scripted agent. Every one is kept, in order:
//! acceptance by default asks for a better score, not for speed, so a campaign can start from
//! a codec nothing is slower than.

mod loop_fixtures;
use loop_fixtures::*;

#[test]
fn five_codecs_from_the_stub_are_all_kept_in_order() {
    let c = Campaign::new(STUB);
    let out = c.run("replay", 5, &[]);
    let rows = c.rows();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["status"].as_str(), r["description"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("base", "tiny workspace with its codec"),
            ("keep", "store"),
            ("keep", "rle"),
            ("keep", "lz77"),
            ("keep", "lz77_huffman"),
            ("keep", "lz77_huffman_delta"),
        ],
        "{out}"
    );
    let scores: Vec<f64> = rows.iter().map(|r| r["score"].parse().unwrap()).collect();
    assert!(
        scores.windows(2).all(|w| w[1] < w[0]),
        "each score lower than the last: {scores:?}"
    );
    for r in &rows[1..] {
        assert!(r["score_delta"].parse::<f64>().unwrap() < 0.0, "{r:?}");
        assert!(!r["holdout_ratio"].is_empty(), "{r:?}");
    }
    // The audio filter's gain shows where it belongs.
    let audio = rows[5]["category_deltas"]
        .split_whitespace()
        .find(|d| d.starts_with("audio:"))
        .unwrap_or_else(|| panic!("{:?}", rows[5]));
    assert!(
        audio.trim_start_matches("audio:").parse::<f64>().unwrap() < 0.0,
        "{audio}"
    );
    assert_eq!(c.lib(), codec("lz77_huffman_delta"));
    assert_eq!(c.repo.head(), rows[5]["commit"]);
    println!("{}", c.table());
}

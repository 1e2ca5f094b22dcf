//! `harness report`: one self-contained HTML page whose inline SVG charts show what the
//! history says, checked by parsing the SVG.

mod report_fixtures;
use report_fixtures::*;

fn class_of<'a>(n: &roxmltree::Node<'a, 'a>) -> &'a str {
    n.attribute("class").unwrap_or("")
}

#[test]
fn report_draws_progress_categories_and_tradeoff() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let html = report(dir.path());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for forbidden in ["<script", "src=", "href=", "<link", "url("] {
        assert!(!html.contains(forbidden), "not self-contained: {forbidden}");
    }
    let svgs = svgs(&html);
    assert_eq!(svgs.len(), 3);
    let docs: Vec<roxmltree::Document> = svgs
        .iter()
        .map(|s| roxmltree::Document::parse(s).expect("well-formed SVG"))
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| class_of(&d.root_element())).collect();
    assert_eq!(
        kinds,
        ["chart progress", "chart categories", "chart tradeoff"]
    );

    // Speeds per category, compress / decompress, as the run's summary gives them.
    assert!(html.contains("<h2>Speed per category</h2>"), "{html}");
    let table = &html[html.find("<table class=\"speeds\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<tr><td>audio</td><td>1.80 / 3.60</td><td>2.60 / 5.20</td>"),
        "{table}"
    );
    assert!(
        table.contains("<tr><td>random</td><td>- / -</td>"),
        "{table}"
    );
    assert!(html.contains("the fastest of 3 runs"), "{html}");
    assert!(
        table.contains("<tr><td>slowest run, longer by</td><td>+12.5% / +25.0%</td><td>- / -</td>"),
        "the candidate's timing noise; none for cached baselines: {table}"
    );

    // Progress: the hand-recorded run, the base, two kept, one discarded attempt, and the two
    // failures that never produced a run (the holdout line is another dataset).
    let progress = &docs[0];
    let count = |class: &str| {
        progress
            .descendants()
            .filter(|n| class_of(n) == format!("pt {class}"))
            .count()
    };
    assert_eq!(
        [
            count("recorded"),
            count("base"),
            count("keep"),
            count("discard"),
            count("guard-fail"),
            count("crash")
        ],
        [1, 1, 2, 1, 1, 1]
    );
    let titles: Vec<&str> = progress
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("iteration 3 guard-fail: edited the README")),
        "{titles:?}"
    );
    let best = progress
        .descendants()
        .find(|n| class_of(n) == "best")
        .expect("a running-best line");
    // The running best drops twice (0.5 -> 0.45 -> 0.40) after starting at 0.52.
    assert_eq!(best.attribute("d").unwrap().matches('L').count(), 7);

    // Per category: a bar per codec and category, the candidate first.
    let bars: Vec<(String, String)> = docs[1]
        .descendants()
        .filter(|n| class_of(n) == "bar")
        .map(|n| {
            (
                n.attribute("data-codec").unwrap().to_string(),
                n.attribute("data-category").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(bars.len(), CODECS.len() * CATEGORIES.len());
    assert_eq!(bars[0], ("candidate".to_string(), "text".to_string()));
    let labels: Vec<&str> = docs[1]
        .descendants()
        .filter(|n| class_of(n) == "category")
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels, CATEGORIES);

    // Trade-off: every codec placed; faster codecs further right.
    let x_of = |codec: &str| -> f64 {
        docs[2]
            .descendants()
            .find(|n| n.attribute("data-codec") == Some(codec))
            .and_then(|n| n.attribute("cx"))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(x_of("candidate") < x_of("xz:9") && x_of("xz:9") < x_of("zstd:19"));

    // The headline and the loop table.
    assert!(
        html.contains("Loop: 5 iterations (1 crash, 1 discard, 1 guard-fail, 2 keep)"),
        "{html}"
    );
    assert!(html.contains("order-2 &lt;context&gt; &amp; mixing"));
    assert!(html.contains("Latest holdout gap"));
}

#[test]
fn an_empty_results_directory_still_gives_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path());
    let svgs = svgs(&html);
    assert_eq!(svgs.len(), 1, "only the (empty) progress chart");
    assert!(svgs[0].contains("no recorded runs yet"));
    assert!(html.contains("No run directory"));
}

#[test]
fn an_interrupted_run_is_not_the_latest_comparison() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let cut = dir.path().join("runs/20260102T000000Z-1-000");
    std::fs::create_dir_all(&cut).unwrap();
    let partial = serde_json::json!({
        "run_id": "20260102T000000Z-1-000",
        "dataset": "default",
        "interrupted": true,
        "codecs": [
            { "codec": "candidate", "overall": { "ratio": 0.1 }, "categories": { "text": { "ratio": 0.1 } } },
            { "codec": "xz:9", "overall": { "ratio": 0.2 }, "categories": { "text": { "ratio": 0.2 } } },
        ],
    });
    std::fs::write(cut.join("summary.json"), partial.to_string()).unwrap();
    let html = report(dir.path());
    let svgs = svgs(&html);
    let categories = roxmltree::Document::parse(&svgs[1]).unwrap();
    let bars = categories
        .descendants()
        .filter(|n| class_of(n) == "bar")
        .count();
    assert_eq!(
        bars,
        CODECS.len() * CATEGORIES.len(),
        "the complete run is drawn"
    );
}

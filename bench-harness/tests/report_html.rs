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
    assert_eq!(svgs.len(), 4);
    let docs: Vec<roxmltree::Document> = svgs
        .iter()
        .map(|s| roxmltree::Document::parse(s).expect("well-formed SVG"))
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| class_of(&d.root_element())).collect();
    assert_eq!(
        kinds,
        [
            "chart progress",
            "chart categories",
            "chart tradeoff compress",
            "chart tradeoff decompress"
        ]
    );

    // The dataset is said, and chosen as the newest run of a whole dataset (the newer
    // quick run of default@0.03 measured part of its files).
    assert!(
        html.contains("<h1>Compression bench report: default</h1>"),
        "{html}"
    );
    assert!(html.contains("the dataset of the newest run of a whole dataset"));
    assert!(html.contains("Datasets on record: default, default@0.03, holdout."));
    assert!(html.contains("<h2>Per category on default</h2>"));
    // The winner, its margin and speeds at a glance.
    assert!(
        html.contains(
            "<b>The candidate wins</b> on default: the candidate's ratio 0.3100 against the \
             best baseline's, xz:9 0.4200: 26.2% smaller. Compress / decompress: candidate \
             0.80 / 3.20 MB/s, xz:9 1.60 / 6.40 MB/s."
        ),
        "{html}"
    );
    // Nothing of the machine that wrote it: no path of the results directory.
    let path = dir.path().to_string_lossy();
    assert!(
        !html.contains(path.as_ref()),
        "an absolute path in the page"
    );
    assert!(html.contains("run directory runs/20260101T000700Z-1-000"));
    // The machine, compiler and libraries of the run.
    let machine = &html[html.find("<table class=\"machine\">").unwrap()..];
    for expected in [
        "bench-host",
        "Test CPU 3000 (2 cores)",
        "Linux 6.1.0",
        "rustc 1.95.0",
        "cc (Debian 12.2.0-14) 12.2.0",
        "0.1.0 (git 0123456789ab)",
        "bzip2-0.5.2,zstd-0.13.3",
    ] {
        assert!(machine.contains(expected), "{expected} in {machine}");
    }
    assert!(html.contains("recorded runs of the progress chart: bench-host, Test CPU 3000"));

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

    // Per category: a bar per codec and category, the candidate first, each codec in its
    // own colour; the edge category is not drawn.
    let bars: Vec<(String, String, String)> = docs[1]
        .descendants()
        .filter(|n| class_of(n) == "bar")
        .map(|n| {
            (
                n.attribute("data-codec").unwrap().to_string(),
                n.attribute("data-category").unwrap().to_string(),
                n.attribute("fill").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(bars.len(), CODECS.len() * CATEGORIES.len());
    assert_eq!(bars[0].0, "candidate");
    assert_eq!(bars[0].1, "text");
    let mut fills: Vec<&str> = bars.iter().map(|b| b.2.as_str()).collect();
    fills.sort();
    fills.dedup();
    assert_eq!(fills.len(), CODECS.len(), "one colour per codec");
    let labels: Vec<&str> = docs[1]
        .descendants()
        .filter(|n| class_of(n) == "category")
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels, CATEGORIES);
    // ... and the numbers beside the chart, the best of each row in bold.
    let table = &html[html.find("<table class=\"categories\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains(
            "<tr><td>audio</td><td class=\"num best\">0.3600</td><td class=\"num\">0.4700</td>\
             <td class=\"num\">0.5000</td><td class=\"num\">-23.4% (xz:9)</td></tr>"
        ),
        "{table}"
    );
    assert!(!table.contains("edge"), "{table}");

    // Trade-offs: every codec placed, faster codecs further right, each label in its
    // codec's colour, the frontier drawn.
    for doc in &docs[2..] {
        let x_of = |codec: &str| -> f64 {
            doc.descendants()
                .find(|n| class_of(n) == "pt codec" && n.attribute("data-codec") == Some(codec))
                .and_then(|n| n.attribute("cx"))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(x_of("candidate") < x_of("xz:9") && x_of("xz:9") < x_of("zstd:19"));
        let on_front: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("data-pareto") == Some("true"))
            .filter_map(|n| n.attribute("data-codec"))
            .collect();
        assert_eq!(on_front, ["candidate", "xz:9", "zstd:19"]);
        assert!(doc.descendants().any(|n| class_of(&n) == "pareto"));
        let label_count = doc.descendants().filter(|n| class_of(n) == "label").count();
        assert_eq!(label_count, CODECS.len());
        let ticks: Vec<&str> = doc
            .descendants()
            .filter(|n| class_of(n) == "tick")
            .filter_map(|n| n.text())
            .collect();
        // The log axis is ticked at 1, 2 and 5 times powers of ten, at least three times.
        let speed_ticks: Vec<f64> = ticks
            .iter()
            .filter_map(|t| t.parse::<f64>().ok())
            .filter(|v| {
                let mantissa = v / 10f64.powf(v.log10().floor());
                [1.0, 2.0, 5.0].iter().any(|m| (mantissa - m).abs() < 1e-9)
            })
            .collect();
        assert!(speed_ticks.len() >= 3 && ticks.contains(&"2"), "{ticks:?}");
    }
    let codecs = &html[html.find("<table class=\"codecs\">").unwrap()..];
    assert!(
        codecs.contains("candidate</td><td class=\"num\">0.3100</td><td class=\"num\">0.80</td><td class=\"num\">3.20</td><td>compress, decompress</td>"),
        "{codecs}"
    );

    // The edge files in bytes, and every file with each codec's ratio or status.
    let edge = &html[html.find("<table class=\"edge\">").unwrap()..];
    assert!(
        edge.contains("<tr><td>empty.bin</td><td class=\"num\">0</td><td class=\"num\">12</td><td class=\"num\">32</td><td class=\"num\">13</td></tr>"),
        "{edge}"
    );
    let files = &html[html.find("<table class=\"files\">").unwrap()..];
    let files = &files[..files.find("</table>").unwrap()];
    assert!(
        files.contains("<tr><td>random-file.bin</td><td>random</td><td class=\"num\">10000</td><td class=\"num best\">1.0010</td><td class=\"num best\">1.0010</td><td>crashed</td></tr>"),
        "{files}"
    );
    assert_eq!(
        files.matches("<tr><td>").count(),
        CATEGORIES.len(),
        "no edge file among the ratios: {files}"
    );

    // The headline and the loop table.
    assert!(
        html.contains("Loop: 5 iterations (1 crash, 1 discard, 1 guard-fail, 2 keep)"),
        "{html}"
    );
    assert!(html.contains("order-2 &lt;context&gt; &amp; mixing"));
    assert!(html.contains("Latest holdout gap"));
}

#[test]
fn the_report_is_about_the_dataset_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    let html = report_with(dir.path(), &["--dataset", "default@0.03"]);
    assert!(html.contains("<h1>Compression bench report: default@0.03</h1>"));
    assert!(html.contains("dataset default@0.03: chosen with --dataset"));
    assert!(html.contains("<h2>Per category on default@0.03</h2>"));
    assert!(html.contains(
        "run 20260101T000800Z-1-000 on default@0.03 (5 of its files, by --filter or --quick)"
    ));
    assert!(
        html.contains("no recorded runs on default@0.03"),
        "nothing recorded of it"
    );

    let out = assert_cmd::Command::cargo_bin("harness")
        .unwrap()
        .arg("--results-dir")
        .arg(dir.path())
        .args(["report", "--dataset", "defualt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no run or recorded line of dataset \"defualt\" under the results directory (datasets there: default, default@0.03, holdout)"),
        "{err}"
    );
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
    assert!(html.contains("<h2>Per category on default</h2>"));
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

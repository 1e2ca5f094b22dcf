//! The report as a browser lays it out: headless Chromium loads the page with a measuring
//! script appended (the report itself has none) and dumps the DOM, into which the script
//! wrote every chart's size, every bar's, and the boxes of the scatter labels and the
//! axis ticks. The test checks that charts have their size, that bars are drawn, and that
//! no two labels (or ticks) overlap. Skipped, with a message, where Chromium is not
//! installed (`apt-get install chromium`), except under CI (`CI` set), where it fails.

mod report_fixtures;
use report_fixtures::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|d| Path::new(d).join(name))
                .find(|p| p.is_file())
        })
}

fn run(browser: &Path, profile: &Path, extra: &[String], page: &Path) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1400,1000",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

/// Writes into the page, as JSON in `<pre id="measured">`, what the browser laid out.
const MEASURE: &str = r#"<script>
(() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height, text: el.textContent }; };
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    kind: svg.getAttribute('class'),
    box: box(svg),
    bars: [...svg.querySelectorAll('rect.bar')].map(box),
    points: [...svg.querySelectorAll('circle.pt')].map(box),
    labels: [...svg.querySelectorAll('text.label')].map(box),
    ticks: [...svg.querySelectorAll('text.tick')].map(box),
    legend: [...svg.querySelectorAll('text.legend')].map(box),
  }));
  const tables = [...document.querySelectorAll('table')].map((t) => ({
    kind: t.getAttribute('class'), box: box(t) }));
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify({ charts, tables, width: document.documentElement.scrollWidth });
  document.body.appendChild(pre);
})();
</script>"#;

fn measured(dom: &str) -> Value {
    let start = dom.find("<pre id=\"measured\">").expect("the script ran") + 19;
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).expect("measurements as JSON")
}

#[derive(Debug)]
struct Box {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    text: String,
}

fn boxes(v: &Value) -> Vec<Box> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| Box {
            x: b["x"].as_f64().unwrap(),
            y: b["y"].as_f64().unwrap(),
            w: b["w"].as_f64().unwrap(),
            h: b["h"].as_f64().unwrap(),
            text: b["text"].as_str().unwrap_or("").to_string(),
        })
        .collect()
}

fn overlap(a: &Box, b: &Box) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

fn assert_apart(what: &str, boxes: &[Box]) {
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(!overlap(a, b), "{what}: {a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn chromium_lays_out_every_chart_with_apart_labels() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no chromium on PATH under CI: .ci/run installs it"
        );
        eprintln!(
            "SKIPPED chromium_lays_out_every_chart_with_apart_labels: no chromium on PATH \
             (apt-get install chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    // Crowd the trade-off charts: codecs of nearly equal ratio and speed, as zstd:19 and an
    // external zstd-cli at the same level would be.
    let summary_path = dir.path().join("runs/20260101T000700Z-1-000/summary.json");
    let mut summary: Value =
        serde_json::from_str(&std::fs::read_to_string(&summary_path).unwrap()).unwrap();
    let codecs = summary["codecs"].as_array_mut().unwrap();
    for (i, name) in ["zstd-cli", "zstd:18", "zstd:17", "zstd:16"]
        .iter()
        .enumerate()
    {
        let mut c = codecs[2].clone();
        c["codec"] = (*name).into();
        c["compress_mb_s"] = (2.5 + 0.05 * i as f64).into();
        c["decompress_mb_s"] = (10.0 + 0.1 * i as f64).into();
        c["overall"]["ratio"] = (0.45 + 0.001 * i as f64).into();
        codecs.push(c);
    }
    std::fs::write(&summary_path, summary.to_string()).unwrap();
    let html = report(dir.path());
    let page = dir.path().join("measured.html");
    std::fs::write(&page, html.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    let profile = dir.path().join("profile");

    let out = run(&browser, &profile, &["--dump-dom".into()], &page);
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("<pre id=\"measured\">"),
        "no measurements; chromium said: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m = measured(&dom);
    let charts = m["charts"].as_array().unwrap();
    let kinds: Vec<&str> = charts.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "chart progress",
            "chart categories",
            "chart tradeoff compress",
            "chart tradeoff decompress"
        ]
    );
    for chart in charts {
        let kind = chart["kind"].as_str().unwrap();
        let b = &chart["box"];
        assert!(
            b["w"].as_f64().unwrap() >= 590.0 && b["h"].as_f64().unwrap() >= 370.0,
            "{kind} is drawn at its size: {b}"
        );
        assert_apart(&format!("{kind} ticks"), &boxes(&chart["ticks"]));
        assert_apart(&format!("{kind} legend"), &boxes(&chart["legend"]));
    }
    let bars = boxes(&charts[1]["bars"]);
    assert_eq!(bars.len(), (CODECS.len() + 4) * CATEGORIES.len());
    assert!(bars.iter().all(|b| b.w >= 1.0 && b.h >= 1.0), "{bars:?}");
    for chart in &charts[2..] {
        let labels = boxes(&chart["labels"]);
        assert_eq!(labels.len(), CODECS.len() + 4);
        assert!(labels.iter().any(|l| l.text == "zstd-cli"));
        assert_apart("scatter labels", &labels);
        // No label covers a point, and every label stays inside its chart.
        let points = boxes(&chart["points"]);
        let frame = boxes(&Value::Array(vec![chart["box"].clone()])).remove(0);
        for l in &labels {
            for p in &points {
                assert!(!overlap(l, p), "label {l:?} covers point {p:?}");
            }
            assert!(
                l.x >= frame.x
                    && l.x + l.w <= frame.x + frame.w
                    && l.y >= frame.y
                    && l.y + l.h <= frame.y + frame.h,
                "{l:?} outside {frame:?}"
            );
        }
    }
    // The numbers stand beside their chart: the category table to the right of the bars.
    let tables = m["tables"].as_array().unwrap();
    let table = tables.iter().find(|t| t["kind"] == "categories").unwrap();
    let chart_box = &charts[1]["box"];
    assert!(
        table["box"]["x"].as_f64().unwrap()
            >= chart_box["x"].as_f64().unwrap() + chart_box["w"].as_f64().unwrap(),
        "the table beside the chart: {table} {chart_box}"
    );
    assert!(
        m["width"].as_f64().unwrap() <= 1400.0,
        "no horizontal scrolling"
    );

    // And a screenshot holds a picture, not a blank page.
    let png = dir.path().join("report.png");
    let out = run(
        &browser,
        &profile,
        &[format!("--screenshot={}", png.display())],
        &page,
    );
    let bytes = std::fs::read(&png)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        bytes.len() > 20_000,
        "a screenshot of {} bytes",
        bytes.len()
    );
}

//! The report renders in a real browser: headless Chromium screenshots it and dumps the DOM
//! it parsed. Skipped, with a message, where Chromium is not installed
//! (`apt-get install chromium`).

mod report_fixtures;
use report_fixtures::*;
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
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

#[test]
fn chromium_renders_every_chart() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED chromium_renders_every_chart: no chromium on PATH (apt-get install chromium)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path());
    report(dir.path());
    let page = dir.path().join("report.html");
    let profile = dir.path().join("profile");

    let dom = run(&browser, &profile, &["--dump-dom".into()], &page);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(
        dom.matches("<svg").count(),
        3,
        "the browser parsed three charts:\n{dom}"
    );
    assert!(dom.contains("class=\"pt keep\""));

    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let mut sizes = Vec::new();
    for (name, source) in [("report.png", &page), ("blank.png", &blank)] {
        let png = dir.path().join(name);
        let args = [
            format!("--screenshot={}", png.display()),
            "--window-size=1000,1600".into(),
        ];
        let out = run(&browser, &profile, &args, source);
        let bytes = std::fs::read(&png)
            .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        sizes.push(bytes.len());
    }
    // Charts, text and markers make the screenshot far less compressible than a blank page.
    assert!(
        sizes[0] > 4 * sizes[1],
        "report {} bytes vs blank {}",
        sizes[0],
        sizes[1]
    );
}

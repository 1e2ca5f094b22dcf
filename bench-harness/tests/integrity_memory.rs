//! Peak RSS is the codec's own: not the harness's high-water mark carried into the child
//! across fork and exec, and not the runner's buffers.

mod common;
use common::*;

const MIB: f64 = (1 << 20) as f64;

/// Peak RSS in MiB of each codec's compression of the only file.
fn peaks(ballast_mib: u32, codecs: &[&str]) -> Vec<(String, f64, f64)> {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(10_000))]);
    let mut cmd = sandbox.harness();
    cmd.env("HARNESS_TEST_BALLAST_MIB", ballast_mib.to_string())
        .args(["run", "--quiet", "--no-cache", "--dataset"])
        .arg(&dataset);
    for c in codecs {
        cmd.arg("--codec").arg(c);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let path = sandbox.run_dir().join("files.csv");
    let (c, d) = (
        column(&path, "compress_peak_rss_bytes"),
        column(&path, "decompress_peak_rss_bytes"),
    );
    rows_of(&path)
        .iter()
        .map(|r| {
            (
                r[CODEC].to_string(),
                r[c].parse::<f64>().unwrap() / MIB,
                r[d].parse::<f64>().unwrap() / MIB,
            )
        })
        .collect()
}

/// The kernel's resident-memory counters are kept per thread and folded in batches of 64
/// pages, so a figure may miss a fraction of a MiB.
const COUNTER_SLACK_MIB: f64 = 0.5;

#[test]
fn a_codec_that_touches_64_mib_reports_64_to_70_mib() {
    let range = (64.0 - COUNTER_SLACK_MIB)..=70.0;
    for (codec, compress, decompress) in peaks(0, &["__probe-alloc64"]) {
        assert!(
            range.contains(&compress) && range.contains(&decompress),
            "{codec}: {compress:.1} / {decompress:.1} MiB"
        );
    }
}

#[test]
fn small_codecs_report_a_few_mib_while_the_harness_holds_hundreds() {
    let codecs = ["__probe-copy", "gzip:9", "zstd:3", "ext:cat=cat;cat"];
    for (codec, compress, decompress) in peaks(400, &codecs) {
        assert!(
            compress < 8.0 && decompress < 8.0,
            "{codec}: {compress:.1} / {decompress:.1} MiB"
        );
    }
}

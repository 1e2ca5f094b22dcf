//! The harness stays bounded whatever a codec or an option does: numeric options are range
//! checked, stderr floods are not output, output has an absolute ceiling, an allocation
//! failure is named, odd file names stay distinct, unreadable and special files are skipped
//! with a warning, and hashing a large file says what it is doing.

mod common;
use common::*;
use std::os::unix::ffi::OsStrExt;

fn run_with(args: &[&str]) -> (Option<i32>, String) {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(2_000))]);
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--codec", "gzip", "--dataset"])
        .arg(&dataset)
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), output_text(&out))
}

#[test]
fn out_of_range_options_exit_2_with_a_message_and_no_panic() {
    for (args, says) in [
        (&["--timeout", "1e30"][..], "--timeout"),
        (&["--timeout", "1e19"], "--timeout"),
        (&["--timeout", "86401"], "--timeout"),
        (&["--timeout", "0"], "--timeout"),
        (&["--timeout", "NaN"], "--timeout"),
        (&["--jobs", "0"], "--jobs"),
        (&["--max-memory", "0"], "--max-memory"),
        (&["--max-output", "0"], "--max-output"),
        (&["--max-expansion", "inf"], "--max-expansion"),
        (&["--scale", "0"], "--scale"),
        (&["--repeat", "0"], "--repeat"),
    ] {
        let (code, text) = run_with(args);
        assert_eq!(code, Some(2), "{args:?}: {text}");
        assert!(text.contains(says), "{args:?}: {text}");
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
}

#[test]
fn a_stderr_flood_is_not_output_and_a_failure_keeps_its_last_line() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(2_000))]);
    let flood = script("flood.sh");
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--max-output", "1M", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(format!("ext:flood={flood} 5000000;cat"))
        .arg("--codec")
        .arg(format!("ext:floodfail={flood} 5000000 fail;cat"))
        .output()
        .unwrap();
    let text = output_text(&out);
    let rows = sandbox.rows();
    assert_eq!(&rows[0][STATUS], "ok", "{text}");
    assert_eq!(&rows[1][STATUS], "error", "{text}");
    assert!(rows[1][REASON].ends_with("flooded and failed"), "{text}");
}

#[test]
fn output_has_an_absolute_ceiling_and_the_reason_names_the_stream() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(2_000_000))]);
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--max-output", "1M", "--dataset"])
        .arg(&dataset)
        .arg("--codec")
        .arg(format!("ext:big={} 3000000;cat", script("big-output.sh")))
        .args(["--codec", "__probe-copy"])
        .output()
        .unwrap();
    let text = output_text(&out);
    let rows = sandbox.rows();
    for row in &rows {
        assert_ne!(&row[STATUS], "ok", "{text}");
        assert!(
            row[REASON].contains("more than 1048576 bytes to its output"),
            "{}: {:?}",
            &row[CODEC],
            &row[REASON]
        );
    }
}

#[test]
fn an_allocation_failure_is_named_in_the_reason() {
    let sandbox = Sandbox::new();
    let dataset = sandbox.dataset(&[("a.txt", prose(2_000))]);
    sandbox
        .harness()
        .args([
            "run",
            "--quiet",
            "--codec",
            "__probe-alloc-fail",
            "--dataset",
        ])
        .arg(&dataset)
        .output()
        .unwrap();
    let rows = sandbox.rows();
    assert_eq!(&rows[0][STATUS], "crashed");
    assert!(
        rows[0][REASON].contains("memory allocation of 17592186044416 bytes failed"),
        "{:?}",
        &rows[0][REASON]
    );
}

#[test]
fn file_names_that_are_not_utf8_stay_distinct() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dir.path().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [&b"n\xff.txt"[..], b"n\xfe.txt", b"n\\xff.txt"] {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(name)), prose(1_000)).unwrap();
    }
    let out = sandbox
        .harness()
        .args(["run", "--quiet", "--codec", "gzip", "--dataset"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    let mut names: Vec<String> = sandbox.rows().iter().map(|r| r[FILE].to_string()).collect();
    names.sort();
    assert_eq!(names, ["n\\\\xff.txt", "n\\xfe.txt", "n\\xff.txt"]);
}

#[test]
fn special_and_unreadable_files_are_named_and_skipped() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dataset(&[("good.txt", prose(1_000))]);
    let fifo = dir.join("a-fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("loop-link", dir.join("loop-link")).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("dangling-link")).unwrap();
    let out = sandbox
        .harness()
        .args(["run", "--codec", "gzip", "--dataset"])
        .arg(&dir)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    for name in ["a-fifo", "loop-link", "dangling-link"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with("warning: skipping") && l.contains(name)),
            "{name}: {text}"
        );
    }
    let files: Vec<String> = sandbox.rows().iter().map(|r| r[FILE].to_string()).collect();
    assert_eq!(files, ["good.txt"]);
}

#[test]
fn hashing_a_large_file_reports_progress() {
    let sandbox = Sandbox::new();
    let dir = sandbox.dataset(&[("small.txt", prose(1_000))]);
    // Sparse: 300 MiB that take no disk space.
    let big = std::fs::File::create(dir.join("big.bin")).unwrap();
    big.set_len(300 << 20).unwrap();
    let out = sandbox
        .harness()
        .args([
            "run",
            "--codec",
            "gzip",
            "--filter",
            "small.txt",
            "--dataset",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("hashing big.bin") && l.contains("300.0 MiB")),
        "{text}"
    );
}

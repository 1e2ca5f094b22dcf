//! `harness fetch` against a real HTTP server on 127.0.0.1: verified downloads, trust on
//! first use, resume, servers that ignore Range, checksum mismatches, 404s, stalls,
//! unreachable hosts and mirrors.

mod fetch_support;
use fetch_support::*;
use std::fs;
use std::time::{Duration, Instant};

fn one_file(url: &str, extra: &str) -> String {
    format!(
        "description = \"test\"\n[[file]]\nname = \"notes.bin\"\nurl = \"{url}\"\ncategory = \"binary\"\n{extra}"
    )
}

#[test]
fn a_good_fetch_lands_verified_records_the_lock_and_is_then_enforced() {
    let server = Server::start();
    let body = bytes(300_000, 1);
    server.put("/notes.bin", body.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));

    let (ok, stdout, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("d: 1 files"), "{stdout}");
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
    let lock = sb.lock_text("d");
    assert!(lock.contains(&sha256_hex(&body)), "{lock}");
    assert!(lock.contains("size = 300000"), "{lock}");
    assert!(!sb.cache("d").join(".download/notes.bin.part").exists());

    // Cached and verified: no second request.
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    assert_eq!(server.requests().len(), 1);

    let (ok, stdout, _) = sb.run(&["datasets"]);
    assert!(ok);
    let line = stdout.lines().find(|l| l.starts_with("d ")).expect(&stdout);
    assert!(line.contains("yes"), "{line}");

    // Upstream changes after the first use: the lock rejects it and the damaged cached
    // copy is not replaced by the unverified download.
    let changed = bytes(300_000, 2);
    server.put("/notes.bin", changed.clone(), Behavior::Serve);
    fs::write(sb.cache("d").join("notes.bin"), b"damaged").unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    let want = format!(
        "sha256 mismatch: expected {}, got {}",
        sha256_hex(&body),
        sha256_hex(&changed)
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(stderr.contains(&server.url("/notes.bin")), "{stderr}");
    assert_eq!(
        fs::read(sb.cache("d").join("notes.bin")).unwrap(),
        b"damaged"
    );
    assert!(!sb.cache("d").join(".download/notes.bin.part").exists());
}

#[test]
fn a_transfer_cut_halfway_resumes_with_a_range_request() {
    let server = Server::start();
    let body = bytes(200_000, 3);
    server.put("/notes.bin", body.clone(), Behavior::CutOnce(100_000));
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));

    // No retries: the first run fails and keeps the partial file.
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    assert!(stderr.contains("dataset d, file notes.bin"), "{stderr}");
    let part = sb.cache("d").join(".download/notes.bin.part");
    assert_eq!(fs::read(&part).unwrap(), body[..100_000]);
    assert!(!sb.cache("d").join("notes.bin").exists());

    // The next run asks for the rest only.
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("resuming at byte 100000"), "{stderr}");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].range.as_deref(), Some("bytes=100000-"));
    assert_eq!(requests[1].status, 206);
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
    assert!(!part.exists());
}

#[test]
fn retries_resume_within_one_run() {
    let server = Server::start();
    let body = bytes(150_000, 4);
    server.put("/notes.bin", body.clone(), Behavior::CutOnce(50_000));
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));
    let (ok, _, stderr) = sb.run(&["fetch", "d", "--retries", "2"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("retry 1/2"), "{stderr}");
    let ranges: Vec<_> = server.requests().into_iter().map(|r| r.range).collect();
    assert_eq!(ranges, [None, Some("bytes=50000-".to_string())]);
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

#[test]
fn a_server_that_ignores_range_makes_the_download_restart_from_zero() {
    let server = Server::start();
    let body = bytes(120_000, 5);
    server.put("/notes.bin", body.clone(), Behavior::IgnoreRange);
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));
    let part = sb.cache("d").join(".download/notes.bin.part");
    fs::create_dir_all(part.parent().unwrap()).unwrap();
    fs::write(&part, vec![0xAA; 40_000]).unwrap();

    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("ignores Range; restarting from zero"),
        "{stderr}"
    );
    let requests = server.requests();
    assert_eq!(requests[0].range.as_deref(), Some("bytes=40000-"));
    assert_eq!(requests[0].status, 200);
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

#[test]
fn a_checksum_mismatch_leaves_nothing_in_the_cache() {
    let server = Server::start();
    let body = bytes(10_000, 6);
    server.put("/notes.bin", body.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    let wrong = "ab".repeat(32);
    sb.manifest(
        "d",
        &one_file(
            &server.url("/notes.bin"),
            &format!("size = 10000\nsha256 = \"{wrong}\"\n"),
        ),
    );
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    let want = format!(
        "sha256 mismatch: expected {wrong}, got {} (pinned by {}); the download was discarded",
        sha256_hex(&body),
        sb.manifests_dir().join("d.toml").display()
    );
    assert!(stderr.contains(&want), "{stderr}");
    assert!(stderr.contains(&server.url("/notes.bin")), "{stderr}");
    assert!(stderr.contains("dataset d, file notes.bin"), "{stderr}");
    assert!(!sb.cache("d").join("notes.bin").exists());
    assert!(!sb.cache("d").join(".download/notes.bin.part").exists());
    assert_eq!(sb.lock_text("d"), "", "nothing is trusted after a mismatch");

    // A wrong size is caught the same way.
    sb.manifest("d", &one_file(&server.url("/notes.bin"), "size = 9999\n"));
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    assert!(
        stderr.contains("size mismatch: expected 9999 bytes, got 10000 bytes"),
        "{stderr}"
    );
}

#[test]
fn a_404_fails_clearly_and_says_what_is_cached() {
    let server = Server::start();
    server.put("/good.bin", bytes(1000, 7), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest(
        "d",
        &format!(
            "description = \"t\"\n\
             [[file]]\nname = \"good.bin\"\nurl = \"{}\"\n\
             [[file]]\nname = \"gone.bin\"\nurl = \"{}\"\n",
            server.url("/good.bin"),
            server.url("/gone.bin")
        ),
    );
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    assert!(stderr.contains("dataset d, file gone.bin"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: HTTP status 404", server.url("/gone.bin"))),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 2 files of dataset d (good.bin)"),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 2, "a 404 is not retried");
}

#[test]
fn stalled_servers_fail_within_the_read_timeout() {
    let server = Server::start();
    server.put("/silent.bin", bytes(1000, 8), Behavior::Stall);
    server.put("/slow.bin", bytes(100_000, 9), Behavior::StallAfter(30_000));
    let sb = Sandbox::new();
    for (name, path) in [("silent", "/silent.bin"), ("slow", "/slow.bin")] {
        sb.manifest(name, &one_file(&server.url(path), ""));
        let started = Instant::now();
        let (ok, _, stderr) = sb.run(&["fetch", name, "--read-timeout", "1"]);
        let took = started.elapsed();
        assert!(!ok);
        assert!(took < Duration::from_secs(8), "{name} took {took:?}");
        assert!(
            stderr.contains(&format!("dataset {name}, file notes.bin")),
            "{stderr}"
        );
        assert!(stderr.contains(&server.url(path)), "{stderr}");
        assert!(
            stderr.contains("timed out") || stderr.contains("read timeout"),
            "{stderr}"
        );
    }
    // What arrived before the stall is kept for the next attempt.
    let part = sb.cache("slow").join(".download/notes.bin.part");
    assert_eq!(fs::metadata(part).unwrap().len(), 30_000);
}

#[test]
fn an_unreachable_host_names_dataset_file_url_and_cache() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/notes.bin");
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&url, ""));
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(!ok);
    assert!(stderr.contains("dataset d, file notes.bin"), "{stderr}");
    assert!(
        stderr.contains(&format!("{url}: cannot connect")),
        "{stderr}"
    );
    assert!(stderr.contains("0 of 1 files of dataset d"), "{stderr}");
}

#[test]
fn a_mirror_replaces_the_origin_from_the_option_or_the_environment() {
    let server = Server::start();
    let body = bytes(5000, 10);
    server.put("/d/notes.bin", body.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest("d", &one_file("https://origin.invalid/notes.bin", ""));
    let (ok, _, stderr) = sb.run(&["fetch", "d", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);

    fs::remove_dir_all(sb.cache("d")).unwrap();
    let out = sb
        .harness()
        .env("HARNESS_MIRROR", format!("{}/", server.base))
        .args(["fetch", "d"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let paths: Vec<_> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/d/notes.bin", "/d/notes.bin"]);
}

#[test]
fn origins_are_tried_in_order() {
    let server = Server::start();
    let body = bytes(4000, 11);
    server.put("/second/notes.bin", body.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest(
        "d",
        &one_file(
            &server.url("/first/notes.bin"),
            &format!("mirrors = [\"{}\"]\n", server.url("/second/notes.bin")),
        ),
    );
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

#[test]
fn concurrent_fetches_of_one_dataset_take_turns() {
    let server = Server::start();
    let body = bytes(50_000, 13);
    server.put("/notes.bin", body.clone(), Behavior::Delay(1500));
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));
    let mut cmd = sb.harness();
    cmd.args(["fetch", "d"]);
    let first = std::thread::spawn(move || cmd.output().unwrap());
    std::thread::sleep(Duration::from_millis(500));
    let (ok, _, second) = sb.run(&["fetch", "d"]);
    assert!(ok, "{second}");
    let first = first.join().unwrap();
    assert!(first.status.success());
    // Whichever started second waited for the other.
    let both = format!("{}{second}", String::from_utf8_lossy(&first.stderr));
    assert!(
        both.contains("waiting for another harness to finish with dataset d"),
        "{both}"
    );
    assert_eq!(server.requests().len(), 1, "the second found it cached");
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

#[test]
fn undecodable_media_stays_in_the_dataset_without_a_raw_version() {
    let server = Server::start();
    let mut fake = b"\xff\xd8\xff\xe0".to_vec();
    fake.extend(bytes(2000, 14));
    server.put("/d/broken.jpg", fake.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest(
        "d",
        "description = \"t\"\n[[file]]\nname = \"broken.jpg\"\nurl = \"https://o.invalid/b.jpg\"\n",
    );
    let (ok, stdout, stderr) = sb.run(&["fetch", "d", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("d: 1 files"), "{stdout}");
    assert!(
        stderr.contains("warning: dataset d, file broken.jpg: no raw version"),
        "{stderr}"
    );
    assert_eq!(fs::read(sb.cache("d").join("broken.jpg")).unwrap(), fake);
    assert!(!sb.cache("d").join("broken.jpg.bmp").exists());
    assert!(!sb.lock_text("d").contains("[derived"));
}

#[test]
fn a_partial_file_the_server_cannot_continue_is_started_over() {
    let server = Server::start();
    let body = bytes(30_000, 15);
    server.put("/notes.bin", body.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/notes.bin"), ""));
    let part = sb.cache("d").join(".download/notes.bin.part");
    fs::create_dir_all(part.parent().unwrap()).unwrap();
    // Left over from a larger, older version of the file.
    fs::write(&part, bytes(45_000, 16)).unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "d"]);
    assert!(ok, "{stderr}");
    let statuses: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| (r.range, r.status))
        .collect();
    assert_eq!(
        statuses,
        [(Some("bytes=45000-".to_string()), 416), (None, 200)]
    );
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

#[test]
fn unknown_dataset_names_list_the_manifests() {
    let sb = Sandbox::new();
    sb.manifest("d", &one_file("https://o.invalid/notes.bin", ""));
    let (ok, _, stderr) = sb.run(&["fetch", "nosuch"]);
    assert!(!ok);
    assert!(stderr.contains("no manifest"), "{stderr}");
    assert!(stderr.contains("nosuch.toml"), "{stderr}");
    assert!(stderr.contains("datasets with manifests: d"), "{stderr}");
    let (ok, _, stderr) = sb.run(&["run", "--dataset", "nosuch", "--quiet"]);
    assert!(!ok);
    assert!(stderr.contains("unknown dataset \"nosuch\""), "{stderr}");
    assert!(stderr.contains(": d)"), "{stderr}");
}

#[test]
fn redirects_are_followed_and_a_resume_goes_through_them_again() {
    let server = Server::start();
    let body = bytes(80_000, 17);
    server.put("/moved.bin", Vec::new(), Behavior::Redirect("/real.bin"));
    server.put("/real.bin", body.clone(), Behavior::CutOnce(20_000));
    let sb = Sandbox::new();
    sb.manifest("d", &one_file(&server.url("/moved.bin"), ""));
    let (ok, _, stderr) = sb.run(&["fetch", "d", "--retries", "1"]);
    assert!(ok, "{stderr}");
    let log: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| (r.path, r.range, r.status))
        .collect();
    let resumed = Some("bytes=20000-".to_string());
    assert_eq!(
        log,
        [
            ("/moved.bin".to_string(), None, 302),
            ("/real.bin".to_string(), None, 200),
            ("/moved.bin".to_string(), resumed.clone(), 302),
            ("/real.bin".to_string(), resumed, 206),
        ]
    );
    assert_eq!(fs::read(sb.cache("d").join("notes.bin")).unwrap(), body);
}

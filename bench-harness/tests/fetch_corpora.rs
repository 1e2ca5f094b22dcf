//! Public corpora a user can fetch, trust and use in part (issue 27), against a local HTTP
//! server: one test per problem of the issue, in its order.
//!
//! 1. manifests and locks are read from the manifest directory, data from `--data-dir`;
//! 2. members are extracted one by one, and `--partial` runs what is there under another name;
//! 3. nothing enters a lock before it passed every check, and the lock's refusals say so;
//! 4. every Silesia and Canterbury member is pinned by size and sha256;
//! 5. the other public origins are in the manifests and are tried in order;
//! 6. a run made outside the checkout records the commit the harness was built from;
//! 7. `harness datasets` says what it does not know and aligns long names; WebP is compressed.

mod fetch_support;
use bench_harness::dataset::manifest::Manifest;
use fetch_support::*;
use md5::{Digest as _, Md5};
use std::fs;
use std::path::PathBuf;
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shipped(name: &str) -> Manifest {
    Manifest::load(&workspace().join("datasets"), name).unwrap()
}

fn one_file(url: &str) -> String {
    format!(
        "description = \"t\"\n[[file]]\nname = \"notes.bin\"\nurl = \"{url}\"\ncategory = \"binary\"\n"
    )
}

fn count(server: &Server, path: &str) -> usize {
    server.requests().iter().filter(|r| r.path == path).count()
}

#[test]
fn manifests_and_locks_stay_in_the_manifest_directory_whatever_the_data_dir() {
    let server = Server::start();
    let sb = Sandbox::new();
    let elsewhere = sb.dir.path().join("elsewhere");

    // By default the manifests are the workspace's: --data-dir moves only the data.
    let out = sb
        .harness()
        .env_remove("HARNESS_MANIFESTS")
        .arg("datasets")
        .arg("--data-dir")
        .arg(&elsewhere)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for name in ["canterbury", "enwik8", "media", "silesia"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{stdout}"
        );
    }
    let workspace_lock = workspace().join("datasets/silesia.lock");
    let before = fs::read_to_string(&workspace_lock).ok();
    let out = sb
        .harness()
        .env_remove("HARNESS_MANIFESTS")
        .args(["fetch", "silesia", "--mirror", &server.base, "--data-dir"])
        .arg(&elsewhere)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("no manifest"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}/silesia/silesia.zip: HTTP status 404",
            server.base
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "already cached in {}: 0 of 12 files",
            elsewhere.join("cache/silesia").display()
        )),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(&workspace_lock).ok(),
        before,
        "nothing passed, nothing pinned"
    );

    // --manifests DIR: the lock stays beside the manifest; each --data-dir gets the data.
    let body = bytes(3000, 1);
    server.put("/d/notes.bin", body.clone(), Behavior::Serve);
    sb.manifest("d", &one_file("https://origin.invalid/notes.bin"));
    for data in ["one", "two"] {
        let dir = sb.dir.path().join(data);
        let (ok, _, stderr) = sb.run(&[
            "fetch",
            "d",
            "--mirror",
            &server.base,
            "--data-dir",
            dir.to_str().unwrap(),
        ]);
        assert!(ok, "{stderr}");
        assert_eq!(fs::read(dir.join("cache/d/notes.bin")).unwrap(), body);
        assert!(!dir.join("d.lock").exists() && !dir.join("d.toml").exists());
    }
    assert!(sb.lock_text("d").contains(&sha256_hex(&body)));
}

const THREE_MEMBERS: &str = r#"
description = "three members"
[[file]]
name = "corpus.tar.gz"
url = "https://origin.invalid/corpus.tar.gz"
[[file.extract]]
member = "a.txt"
[[file.extract]]
member = "b.txt"
[[file.extract]]
member = "c.txt"
"#;

#[test]
fn members_land_one_by_one_and_partial_runs_what_is_there_under_another_name() {
    let server = Server::start();
    let a = b"the first member, present\n".repeat(40);
    let b = b"the second member, present too\n".repeat(40);
    server.put(
        "/d/corpus.tar.gz",
        tar_gz(&[("corpus/a.txt", &a), ("corpus/b.txt", &b)]),
        Behavior::Serve,
    );
    let sb = Sandbox::new();
    sb.manifest("d", THREE_MEMBERS);

    let (ok, _, stderr) = sb.run(&["fetch", "d", "--mirror", &server.base]);
    assert!(!ok);
    assert!(
        stderr.contains("corpus.tar.gz has no member c.txt"),
        "{stderr}"
    );
    assert!(stderr.contains("missing: c.txt"), "{stderr}");
    assert!(
        stderr.contains(
            "--partial uses the 2 files present (a run is then recorded as d[partial 2/3])"
        ),
        "{stderr}"
    );
    assert_eq!(fs::read(sb.cache("d").join("a.txt")).unwrap(), a);
    assert_eq!(fs::read(sb.cache("d").join("b.txt")).unwrap(), b);
    let lock = sb.lock_text("d");
    assert!(lock.contains(&sha256_hex(&a)) && lock.contains(&sha256_hex(&b)));
    assert!(
        !lock.contains("c.txt") && !lock.contains("corpus.tar.gz"),
        "{lock}"
    );

    let (ok, stdout, stderr) = sb.run(&["fetch", "d", "--mirror", &server.base, "--partial"]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.starts_with("d[partial 2/3]: 2 files") && stdout.contains("missing c.txt"),
        "{stdout}"
    );
    assert_eq!(
        count(&server, "/d/corpus.tar.gz"),
        1,
        "the archive is kept for what it holds"
    );

    let (ok, stdout, stderr) = sb.run(&[
        "run",
        "--dataset",
        "d",
        "--partial",
        "--mirror",
        &server.base,
        "--codec",
        "gzip:1",
        "--record",
        "--quiet",
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(stdout.contains(" on d[partial 2/3] "), "{stdout}");
    assert!(
        stdout.contains("partial: d lacks c.txt (--partial)"),
        "{stdout}"
    );
    let summary = sb.summary();
    assert_eq!(summary["dataset"], "d[partial 2/3]");
    assert_eq!(summary["dataset_missing"], serde_json::json!(["c.txt"]));
    assert_eq!(summary["dataset_files"], 2);
    let history = sb.dir.path().join("results/results.csv");
    let mut reader = csv::Reader::from_path(&history).unwrap();
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "dataset")
        .unwrap();
    let datasets: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect();
    assert_eq!(datasets, ["d[partial 2/3]"]);

    let (ok, _, stderr) = sb.run(&[
        "run",
        "--dataset",
        "d",
        "--mirror",
        &server.base,
        "--codec",
        "gzip:1",
        "--quiet",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("--partial uses the 2 files present"),
        "{stderr}"
    );
}

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

#[test]
fn nothing_is_pinned_before_it_passed_and_a_lock_refusal_names_its_entry() {
    let server = Server::start();
    let good = bytes(5000, 2);
    let mut bad = good.clone();
    bad[100] ^= 1;
    let other = b"an unpinned member, trusted on first use\n".repeat(20);
    let sb = Sandbox::new();
    sb.manifest(
        "e",
        &format!(
            "description = \"e\"\n[[file]]\nname = \"e.zip\"\nurl = \"{}\"\n\
             [[file.extract]]\nmember = \"e\"\nsize = 5000\nmd5 = \"{}\"\n\
             [[file.extract]]\nmember = \"f\"\n",
            server.url("/e.zip"),
            md5_hex(&good)
        ),
    );
    let archive = sb.cache("e").join(".download/e.zip");

    // A member that fails its MD5: neither it nor its archive is pinned, and the archive is
    // not kept to be used again.
    server.put(
        "/e.zip",
        zip(&[("e", &bad), ("f", &other)]),
        Behavior::Serve,
    );
    for attempt in 1..=2 {
        let (ok, _, stderr) = sb.run(&["fetch", "e"]);
        assert!(!ok);
        assert!(
            stderr.contains(&format!(
                "dataset e, file e (member e of e.zip): md5 mismatch: expected {}, got {}",
                md5_hex(&good),
                md5_hex(&bad)
            )),
            "{stderr}"
        );
        assert!(!archive.exists());
        assert_eq!(count(&server, "/e.zip"), attempt, "downloaded afresh");
        let lock = sb.lock_text("e");
        assert!(
            !lock.contains("e.zip") && !lock.contains("[member.e]"),
            "{lock}"
        );
        // Its other member passed every check of its own: it landed and is pinned.
        assert!(lock.contains("[member.f]"), "{lock}");
    }

    // The good archive is then accepted: nothing recorded from the bad one stands in the way.
    server.put(
        "/e.zip",
        zip(&[("e", &good), ("f", &other)]),
        Behavior::Serve,
    );
    let (ok, _, stderr) = sb.run(&["fetch", "e"]);
    assert!(ok, "{stderr}");
    assert_eq!(fs::read(sb.cache("e").join("e")).unwrap(), good);
    assert!(sb.lock_text("e").contains(&sha256_hex(&good)));

    // Upstream changes a member the lock pins: the refusal names the entry and its file.
    let changed = b"AN UNPINNED MEMBER, TRUSTED ON FIRST USE\n".repeat(20);
    server.put(
        "/e.zip",
        zip(&[("e", &good), ("f", &changed)]),
        Behavior::Serve,
    );
    fs::remove_file(sb.cache("e").join("f")).unwrap();
    fs::remove_file(&archive).unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "e"]);
    assert!(!ok);
    assert!(
        stderr.contains(&format!(
            "sha256 mismatch: expected {}, got {}; the expected value is entry [member.f] of {}, \
             recorded by an earlier fetch: delete that entry (its header and its lines) to \
             accept this file",
            sha256_hex(&other),
            sha256_hex(&changed),
            sb.lock_path("e").display()
        )),
        "{stderr}"
    );
    // Doing what it says accepts the new file.
    let lock = sb.lock_text("e");
    let kept: Vec<&str> = lock
        .split("\n\n")
        .filter(|entry| !entry.starts_with("[member.f]"))
        .collect();
    fs::write(sb.lock_path("e"), kept.join("\n\n")).unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "e"]);
    assert!(ok, "{stderr}");
    assert!(sb.lock_text("e").contains(&sha256_hex(&changed)));
}

/// Sizes and sha256 of the real files, agreed across independent public copies.
const PINS: [(&str, &str, u64, &str); 22] = [
    (
        "silesia",
        "dickens",
        10_192_446,
        "b24c37886142e11d0ee687db6ab06f936207aa7f2ea1fd1d9a36763c7a507e6a",
    ),
    (
        "silesia",
        "mr",
        9_970_564,
        "68637ed52e3e4860174ed2dc0840ac77d5f1a60abbcb13770d5754e3774d53e6",
    ),
    (
        "silesia",
        "nci",
        33_553_445,
        "fc63a31770947b8c2062d3b19ca94c00485a232bb91b502021948fee983e1635",
    ),
    (
        "silesia",
        "ooffice",
        6_152_192,
        "e7ee013880d34dd5208283d0d3d91b07f442e067454276095ded14f322a656eb",
    ),
    (
        "silesia",
        "osdb",
        10_085_684,
        "60f027179302ca3ad87c58ac90b6be72ec23588aaa7a3b7fe8ecc0f11def3fa3",
    ),
    (
        "silesia",
        "reymont",
        6_627_202,
        "0eac0114a3dfe6e2ee1f345a0f79d653cb26c3bc9f0ed79238af4933422b7578",
    ),
    (
        "silesia",
        "samba",
        21_606_400,
        "93ba07bc44d8267789c1d911992f40b089ffa2140b4a160fac11ccae9a40e7b2",
    ),
    (
        "silesia",
        "x-ray",
        8_474_240,
        "7de9fce1405dc44ae5e6813ed21cd5751e761bd4265655a005d39b9685d1c9ad",
    ),
    (
        "silesia",
        "xml",
        5_345_280,
        "0e82e54e695c1938e4193448022543845b33020c8be6bf3bf3ead2224903e08c",
    ),
    (
        "canterbury",
        "alice29.txt",
        152_089,
        "7467306ee0feed4971260f3c87421154a05be571d944e9cb021a5713700c38f0",
    ),
    (
        "canterbury",
        "asyoulik.txt",
        125_179,
        "eaa3526fe53859f34ecdf255712f9ecf0b2c903451d4755b2edaa2e2599cb0fc",
    ),
    (
        "canterbury",
        "cp.html",
        24_603,
        "e0cd21cef5b6c4069461e949be100080c3ce887de6f1dd8626c480528efaaf61",
    ),
    (
        "canterbury",
        "fields.c",
        11_150,
        "85d73e354cc50cec76cb5a50537cf8dc035f8cbb8480f9e1cbe2f7d6c23393c7",
    ),
    (
        "canterbury",
        "grammar.lsp",
        3_721,
        "1b0805dfc0ae706b35aac2bb4e15f02485efd24dda5dbd29de7b2f84d1a88c15",
    ),
    (
        "canterbury",
        "kennedy.xls",
        1_029_744,
        "9af47239ca29dfe20e633f80bbbb9a4cc9783d0803d7b2b5626f42e4c3790420",
    ),
    (
        "canterbury",
        "lcet10.txt",
        426_754,
        "5314ba1dbb03f471df88bec6cd120a938ef60d0fd3511c5c1dce61bf7463245f",
    ),
    (
        "canterbury",
        "plrabn12.txt",
        481_861,
        "07e2e0b461af78c7c647cb53dab39de560198e16f799b4516eccf0fbd69f764c",
    ),
    (
        "canterbury",
        "ptt5",
        513_216,
        "0ec3a75089bb52342813496b17e51377bc9eba3cb519a444d67025354841d650",
    ),
    (
        "canterbury",
        "sum",
        38_240,
        "ee5733cd76ecc2f9d8ff156adc3c02a7a851051dcf43a2d56ff4ee4ff606bdb3",
    ),
    (
        "canterbury",
        "xargs.1",
        4_227,
        "c58aeb5d2d1e12751d47e7412b45784405fc30a5671b03d480fa05776e183619",
    ),
    (
        "canterbury",
        "large/bible.txt",
        4_047_392,
        "4e0a7e8dff7d9c82dbded57305c0ca3cdd3c4ca014db27121782fe9710f4723f",
    ),
    (
        "canterbury",
        "large/world192.txt",
        2_473_400,
        "1aebdc97d29904b25791da9aa32be90b69d7da6dc0ac9b95512ed27ed40d2112",
    ),
];

#[test]
fn every_verified_silesia_and_canterbury_member_is_pinned_and_enforced() {
    for (dataset, path, size, sha256) in PINS {
        let manifest = shipped(dataset);
        let outputs = manifest.outputs();
        let o = outputs
            .iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("{dataset} has no {path}"));
        assert_eq!(o.expected.size, Some(size), "{dataset}/{path}");
        assert_eq!(
            o.expected.sha256.as_deref(),
            Some(sha256),
            "{dataset}/{path}"
        );
    }
    let canterbury = shipped("canterbury");
    let archive = canterbury.downloads[0].expected();
    assert_eq!(archive.size, Some(739_071));
    assert_eq!(
        archive.sha256.as_deref(),
        Some("f140e8a5b73d3f53198555a63bfb827889394a42f20825df33c810c3d5e3f8fb")
    );
    // The members not verified that way still have their published size.
    for name in ["silesia", "canterbury"] {
        assert!(shipped(name)
            .outputs()
            .iter()
            .all(|o| o.expected.size.is_some()));
    }

    // A copy of the same size with other bytes (the kind of edit a size cannot catch) is
    // refused on the first fetch, naming the manifest.
    let server = Server::start();
    let sb = Sandbox::new();
    sb.manifest(
        "canterbury",
        &fs::read_to_string(workspace().join("datasets/canterbury.toml")).unwrap(),
    );
    server.put(
        "/canterbury/cantrbry.tar.gz",
        tar_gz(&[("xargs.1", &[b'x'; 4227])]),
        Behavior::Serve,
    );
    server.put("/canterbury/xargs.1", vec![b'x'; 4227], Behavior::Serve);
    let (ok, _, stderr) = sb.run(&["fetch", "canterbury", "--mirror", &server.base]);
    assert!(!ok);
    let manifest_path = sb.manifests_dir().join("canterbury.toml");
    assert!(
        stderr.contains(&format!(
            "size mismatch: expected 739071 bytes, got {} bytes (pinned by {})",
            tar_gz(&[("xargs.1", &[b'x'; 4227])]).len(),
            manifest_path.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "sha256 mismatch: expected c58aeb5d2d1e12751d47e7412b45784405fc30a5671b03d480fa05776e183619, \
             got {} (pinned by {})",
            sha256_hex(&[b'x'; 4227]),
            manifest_path.display()
        )),
        "{stderr}"
    );
    assert!(!sb.cache("canterbury").join("xargs.1").exists());
    assert!(!sb.lock_text("canterbury").contains("xargs.1"));
}

fn host(url: &str) -> &str {
    url.split("://").nth(1).unwrap().split('/').next().unwrap()
}

/// `text` with every http(s) URL moved under the local server: `https://h/p` -> `BASE/h/p`.
fn served_locally(text: &str, base: &str) -> String {
    text.replace("https://", "\u{0}")
        .replace("http://", "\u{0}")
        .replace('\u{0}', &format!("{base}/"))
}

/// The manifest's text with every size and digest removed.
fn unpinned(text: &str) -> String {
    let mut value: toml::Value = toml::from_str(text).unwrap();
    let strip = |t: &mut toml::Value| {
        let t = t.as_table_mut().unwrap();
        for key in ["size", "sha256", "md5"] {
            t.remove(key);
        }
    };
    for file in value["file"].as_array_mut().unwrap() {
        strip(file);
        for member in file["extract"].as_array_mut().unwrap() {
            strip(member);
        }
    }
    toml::to_string(&value).unwrap()
}

#[test]
fn other_public_origins_are_listed_and_tried_mirror_repack_then_copy() {
    let silesia = shipped("silesia");
    let zip = &silesia.downloads[0];
    let origin = host(&zip.url);
    assert!(
        zip.mirrors.iter().any(|m| host(m) != origin),
        "{:?}",
        zip.mirrors
    );
    assert!(
        zip.repacks.iter().any(|r| host(r) != origin),
        "{:?}",
        zip.repacks
    );
    for (name, others) in [
        ("silesia", "sun.aei.polsl.pl"),
        ("canterbury", "corpus.canterbury.ac.nz"),
    ] {
        for o in shipped(name).outputs() {
            let copies = &o.member.unwrap().copies;
            assert!(
                copies.iter().any(|c| host(c) != others),
                "{name}/{}",
                o.path
            );
        }
    }

    // The shipped Silesia manifest against a server that has neither the origin's archive
    // nor its mirrors', a repack lacking one file, and that file's second copy.
    let server = Server::start();
    let text = fs::read_to_string(workspace().join("datasets/silesia.toml")).unwrap();
    let local = served_locally(&unpinned(&text), &server.base);
    let sb = Sandbox::new();
    sb.manifest("silesia", &local);
    let manifest = Manifest::load(&sb.manifests_dir(), "silesia").unwrap();
    let path_of = |url: &str| url.strip_prefix(server.base.as_str()).unwrap().to_string();
    let repack = path_of(&manifest.downloads[0].repacks[0]);
    let stand_ins: Vec<(String, Vec<u8>)> = manifest
        .outputs()
        .iter()
        .enumerate()
        .map(|(i, o)| (o.path.to_string(), bytes(2000, 100 + i as u32)))
        .collect();
    let held: Vec<(&str, &[u8])> = stand_ins
        .iter()
        .filter(|(name, _)| name != "webster")
        .map(|(name, b)| (name.as_str(), b.as_slice()))
        .collect();
    server.put(&repack, tar_gz(&held), Behavior::Serve);
    let webster = manifest
        .outputs()
        .into_iter()
        .find(|o| o.path == "webster")
        .unwrap();
    let copies: Vec<String> = webster
        .member
        .unwrap()
        .copies
        .iter()
        .map(|c| path_of(c))
        .collect();
    let webster_bytes = &stand_ins.iter().find(|(n, _)| n == "webster").unwrap().1;
    server.put(&copies[1], bz2(webster_bytes), Behavior::Serve);

    let (ok, stdout, stderr) = sb.run(&["fetch", "silesia"]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("silesia: 12 files"), "{stdout}");
    for (name, b) in &stand_ins {
        assert_eq!(
            &fs::read(sb.cache("silesia").join(name)).unwrap(),
            b,
            "{name}"
        );
    }
    let mut tried: Vec<String> = manifest.downloads[0].origins().map(path_of).collect();
    tried.push(repack);
    tried.extend(copies);
    let log: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(log, tried);
}

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .arg("-C")
        .arg(workspace())
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

#[test]
fn a_run_outside_the_checkout_records_the_commit_the_codec_runner_was_built_from() {
    let server = Server::start();
    server.put("/d/notes.bin", bytes(4000, 3), Behavior::Serve);
    let sb = Sandbox::new();
    sb.manifest("d", &one_file("https://origin.invalid/notes.bin"));
    let outside = sb.dir.path().join("elsewhere");
    fs::create_dir_all(&outside).unwrap();
    let out = sb
        .harness()
        .current_dir(&outside)
        .args(["run", "--dataset", "d", "--mirror", &server.base])
        .args(["--codec", "gzip:1", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let commit = git(&["rev-parse", "HEAD"]);
    // The runner's own account of the checkout's compiled sources (it was built from them).
    let runner = assert_cmd::cargo::cargo_bin("harness").with_file_name("codec-runner");
    let sources = Command::new(runner)
        .arg("--sources")
        .arg(workspace())
        .output()
        .unwrap();
    let dirty = String::from_utf8_lossy(&sources.stdout).contains("git_dirty=true");
    let summary = sb.summary();
    assert_eq!(
        summary["git"]["commit"],
        commit.as_deref().unwrap_or("unknown"),
        "{summary}"
    );
    assert_eq!(summary["git"]["dirty"], dirty, "{summary}");
}

fn webp() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_fn(20, 12, |x, y| {
        image::Rgb([(x * 12) as u8, (y * 20) as u8, 7])
    });
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(img.as_raw(), 20, 12, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The line of `harness datasets` for `name`.
fn listed(sb: &Sandbox, name: &str) -> (String, String) {
    let (ok, stdout, stderr) = sb.run(&["datasets", "--scale", "0.001"]);
    assert!(ok, "{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{stdout}"))
        .to_string();
    (line, stdout)
}

#[test]
fn listings_say_what_is_unknown_and_align_long_names_and_webp_counts_as_compressed() {
    let server = Server::start();
    let picture = webp();
    server.put("/picture.webp", picture.clone(), Behavior::Serve);
    let sb = Sandbox::new();
    let name = "a-dataset-with-a-long-name";
    sb.manifest(
        name,
        &format!(
            "description = \"t\"\nestimated_size = 50_000_000\n\
             [[file]]\nname = \"picture.webp\"\nurl = \"{}\"\n",
            server.url("/picture.webp")
        ),
    );
    let (line, table) = listed(&sb, name);
    assert!(
        line.contains(" ~48  no ")
            && line.ends_with(
                "(sizes of 1 of 1 files unknown until fetched; the manifest estimates 48 MiB)"
            ),
        "{table}"
    );
    let column = |l: &str| l.find("  no ").or_else(|| l.find("  materialized"));
    let default = table.lines().find(|l| l.starts_with("default ")).unwrap();
    assert_eq!(
        column(&line),
        column(table.lines().next().unwrap()),
        "{table}"
    );
    assert_eq!(column(&line), column(default), "{table}");

    let (ok, stdout, stderr) = sb.run(&["run", "--dataset", name, "--codec", "gzip:1", "--quiet"]);
    assert!(ok, "{stdout}\n{stderr}");
    let runs = sb.dir.path().join("results/runs");
    let run = fs::read_dir(runs).unwrap().next().unwrap().unwrap().path();
    let csv = fs::read_to_string(run.join("files.csv")).unwrap();
    assert!(
        csv.contains(&format!("{name},picture.webp,compressed,")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!("{name},picture.webp.bmp,image,")),
        "{csv}"
    );

    let (line, table) = listed(&sb, name);
    let bmp = fs::metadata(sb.cache(name).join("picture.webp.bmp"))
        .unwrap()
        .len();
    let mib = format!(
        "{:.1}",
        (picture.len() as u64 + bmp) as f64 / (1 << 20) as f64
    );
    assert!(line.contains(&format!(" 2  {mib}  yes ")), "{table}");
    assert!(!line.contains("unknown"), "{table}");
}

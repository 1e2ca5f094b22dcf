//! Archives from a local mirror: `.tar.gz`, `.zip` and `.bz2` members land verified, and a
//! dataset with a manifest runs with `harness run --dataset NAME`.

mod fetch_support;
use fetch_support::*;
use std::fs;

const MANIFEST: &str = r#"
description = "archives"

[[file]]
name = "corpus.tar.gz"
url = "https://origin.invalid/corpus.tar.gz"
[[file.extract]]
member = "prose.txt"
category = "text"
[[file.extract]]
member = "table.csv"
path = "data/table.csv"

[[file]]
name = "corpus.zip"
url = "https://origin.invalid/corpus.zip"
[[file.extract]]
member = "blob.bin"
size = 20000

[[file]]
name = "book.txt.bz2"
url = "https://origin.invalid/book.txt.bz2"
[[file.extract]]
member = "book.txt"
"#;

fn serve_corpus(server: &Server) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    let prose =
        b"It was a bright cold day in April, and the clocks were striking thirteen.\n".repeat(300);
    let table: Vec<u8> = (0..2000)
        .flat_map(|i| format!("{i},{},{}\n", i * 7 % 13, i * i % 1009).into_bytes())
        .collect();
    let blob = bytes(20_000, 12);
    let book = b"Call me Ishmael. Some years ago, never mind how long precisely.\n".repeat(200);
    server.put(
        "/arch/corpus.tar.gz",
        tar_gz(&[
            ("corpus/prose.txt", &prose),
            ("corpus/table.csv", &table),
            ("corpus/unused.txt", b"not wanted"),
        ]),
        Behavior::Serve,
    );
    server.put(
        "/arch/corpus.zip",
        zip(&[("other.bin", b"x"), ("blob.bin", &blob)]),
        Behavior::Serve,
    );
    server.put("/arch/book.txt.bz2", bz2(&book), Behavior::Serve);
    (prose, table, blob, book)
}

#[test]
fn members_of_tar_gz_zip_and_bz2_are_extracted_and_pinned() {
    let server = Server::start();
    let (prose, table, blob, book) = serve_corpus(&server);
    let sb = Sandbox::new();
    sb.manifest("arch", MANIFEST);
    let (ok, stdout, stderr) = sb.run(&["fetch", "arch", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("arch: 4 files"), "{stdout}");
    let dir = sb.cache("arch");
    assert_eq!(fs::read(dir.join("prose.txt")).unwrap(), prose);
    assert_eq!(fs::read(dir.join("data/table.csv")).unwrap(), table);
    assert_eq!(fs::read(dir.join("blob.bin")).unwrap(), blob);
    assert_eq!(fs::read(dir.join("book.txt")).unwrap(), book);
    assert!(!dir.join("unused.txt").exists());
    let lock = sb.lock_text("arch");
    for member in [&prose, &table, &blob, &book] {
        assert!(lock.contains(&sha256_hex(member)), "{lock}");
    }
    assert!(lock.contains("[member.\"data/table.csv\"]"), "{lock}");

    // A deleted member is extracted again from the kept archive, without the network.
    fs::remove_file(dir.join("prose.txt")).unwrap();
    let before = server.requests().len();
    let (ok, _, stderr) = sb.run(&["fetch", "arch", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert_eq!(server.requests().len(), before);
    assert_eq!(fs::read(dir.join("prose.txt")).unwrap(), prose);
}

#[test]
fn a_missing_member_or_wrong_member_size_fails_naming_it() {
    let server = Server::start();
    serve_corpus(&server);
    let sb = Sandbox::new();
    sb.manifest(
        "arch",
        &MANIFEST.replace("member = \"prose.txt\"", "member = \"poem.txt\""),
    );
    let (ok, _, stderr) = sb.run(&["fetch", "arch", "--mirror", &server.base]);
    assert!(!ok);
    assert!(stderr.contains("has no member poem.txt"), "{stderr}");
    assert!(
        stderr.contains("corpus/prose.txt"),
        "lists what it holds: {stderr}"
    );
    let work = sb.cache("arch").join(".download");
    let leftovers: Vec<_> = fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".extracting"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let sb = Sandbox::new();
    sb.manifest("arch", &MANIFEST.replace("size = 20000", "size = 20001"));
    let (ok, _, stderr) = sb.run(&["fetch", "arch", "--mirror", &server.base]);
    assert!(!ok);
    assert!(
        stderr.contains("size mismatch: expected 20001 bytes, got 20000 bytes"),
        "{stderr}"
    );
    assert!(stderr.contains("member blob.bin of corpus.zip"), "{stderr}");
    assert!(!sb.cache("arch").join("blob.bin").exists());
}

#[test]
fn run_fetches_a_manifest_dataset_first_and_measures_it() {
    let server = Server::start();
    serve_corpus(&server);
    let sb = Sandbox::new();
    sb.manifest("arch", MANIFEST);
    let (ok, stdout, stderr) = sb.run(&[
        "run",
        "--dataset",
        "arch",
        "--mirror",
        &server.base,
        "--codec",
        "candidate",
        "--codec",
        "gzip:1",
        "--quiet",
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("run ") && stdout.contains(" on arch "),
        "{stdout}"
    );
    let runs = sb.dir.path().join("results/runs");
    let run = fs::read_dir(runs).unwrap().next().unwrap().unwrap().path();
    let csv = fs::read_to_string(run.join("files.csv")).unwrap();
    for name in ["prose.txt", "data/table.csv", "blob.bin", "book.txt"] {
        assert!(
            csv.contains(&format!("arch,{name},")),
            "{name} missing:\n{csv}"
        );
    }
    assert!(csv.contains("arch,prose.txt,text,candidate"), "{csv}");
}

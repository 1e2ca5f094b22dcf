//! The shipped manifests (`datasets/*.toml`): their published numbers, and `harness fetch`
//! plus `harness run` over each of them against a local mirror serving stand-in files of
//! the same names and kinds (the pins are stripped, since the stand-ins are not the corpora).

mod fetch_support;
use bench_harness::dataset::manifest::{ArchiveKind, Manifest};
use bench_harness::dataset::Category;
use fetch_support::*;
use image::ImageEncoder;
use std::fs;
use std::path::PathBuf;

const REAL: [&str; 4] = ["canterbury", "silesia", "enwik8", "media"];

fn repo_datasets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../datasets")
}

#[test]
fn shipped_manifests_carry_the_published_sizes_and_digests() {
    let silesia = Manifest::load(&repo_datasets(), "silesia").unwrap();
    let members = silesia.outputs();
    assert_eq!(members.len(), 12);
    assert_eq!(
        members
            .iter()
            .map(|o| o.expected.size.unwrap())
            .sum::<u64>(),
        211_938_580
    );
    let enwik8 = Manifest::load(&repo_datasets(), "enwik8").unwrap();
    let e = &enwik8.outputs()[0].expected;
    assert_eq!(e.size, Some(100_000_000));
    assert_eq!(e.md5.as_deref(), Some("a1fa5ffddb56f4953e226637dabbb36a"));
    let canterbury = Manifest::load(&repo_datasets(), "canterbury").unwrap();
    let sizes: Vec<(String, u64)> = canterbury
        .outputs()
        .iter()
        .map(|o| (o.download.name.clone(), o.expected.size.unwrap()))
        .collect();
    let total = |archive: &str| -> u64 {
        sizes
            .iter()
            .filter(|(a, _)| a == archive)
            .map(|(_, s)| s)
            .sum()
    };
    assert_eq!(total("cantrbry.tar.gz"), 2_810_784);
    assert_eq!(total("large.tar.gz"), 11_159_482);

    let media = Manifest::load(&repo_datasets(), "media").unwrap();
    for ext in [".txt", ".jpg", ".ogg", ".flac", ".mp4", ".csv"] {
        assert!(
            media.downloads.iter().any(|d| d.name.ends_with(ext)),
            "media has no {ext}"
        );
    }
    for m in [&silesia, &enwik8, &canterbury, &media] {
        for d in &m.downloads {
            assert!(d.url.starts_with("https://"), "{}: {}", m.name, d.url);
        }
    }
}

/// The manifest with every size and digest removed.
fn unpinned(name: &str) -> String {
    let text = fs::read_to_string(repo_datasets().join(format!("{name}.toml"))).unwrap();
    let mut value: toml::Value = toml::from_str(&text).unwrap();
    let strip = |t: &mut toml::Value| {
        let t = t.as_table_mut().unwrap();
        for key in ["size", "sha256", "md5"] {
            t.remove(key);
        }
    };
    for file in value["file"].as_array_mut().unwrap() {
        strip(file);
        if let Some(members) = file.get_mut("extract").and_then(|e| e.as_array_mut()) {
            members.iter_mut().for_each(strip);
        }
    }
    toml::to_string(&value).unwrap()
}

fn stand_in(category: Option<Category>, seed: u32) -> Vec<u8> {
    match category {
        Some(Category::Binary) | Some(Category::Compressed) => bytes(3000, seed),
        Some(Category::Structured) => (0..200)
            .flat_map(|i| format!("{i},{},\"title {i}\",en\n", i * 31 % 97).into_bytes())
            .collect(),
        Some(Category::Source) => b"int main(void) { return 0; }\n".repeat(50),
        _ => format!("Stand-in text number {seed}. It is not the real corpus.\n")
            .repeat(60)
            .into_bytes(),
    }
}

fn archive(kind: ArchiveKind, members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let members: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    match kind {
        ArchiveKind::Zip => zip(&members),
        ArchiveKind::TarGz | ArchiveKind::Tar => tar_gz(&members),
        ArchiveKind::Bz2 => bz2(members[0].1),
    }
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(24, 16, |x, y| {
        image::Rgb([(x * 9) as u8, (y * 13) as u8, 90])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), 24, 16, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// Serves a stand-in for every download of `name` at `/<name>/<file>`.
fn serve_stand_ins(server: &Server, name: &str) {
    let manifest = Manifest::load(&repo_datasets(), name).unwrap();
    for (i, d) in manifest.downloads.iter().enumerate() {
        let body = match d.archive_kind() {
            Some(kind) => {
                let members: Vec<(String, Vec<u8>)> = d
                    .extract
                    .iter()
                    .enumerate()
                    .map(|(j, m)| (m.member.clone(), stand_in(m.category, (i * 100 + j) as u32)))
                    .collect();
                archive(kind, &members)
            }
            None => match d.name.rsplit('.').next().unwrap() {
                "jpg" => jpeg(),
                "ogg" => fs::read(fixture("sine440-8k.ogg")).unwrap(),
                "flac" => fs::read(fixture("saw-stereo-8k.flac")).unwrap(),
                "mp4" => fs::read(fixture("sine440-8k.mp4")).unwrap(),
                "mp3" => fs::read(fixture("sine440-8k.mp3")).unwrap(),
                _ => stand_in(d.category, i as u32),
            },
        };
        server.put(&format!("/{name}/{}", d.name), body, Behavior::Serve);
    }
}

#[test]
fn every_shipped_dataset_fetches_and_runs_from_a_local_mirror() {
    let server = Server::start();
    let sb = Sandbox::new();
    for name in REAL {
        sb.manifest(name, &unpinned(name));
        serve_stand_ins(&server, name);
    }
    let (ok, stdout, _) = sb.run(&["datasets"]);
    assert!(ok);
    for name in REAL {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .expect(&stdout);
        assert!(line.contains(" no "), "{line}");
    }

    for name in REAL {
        let (ok, stdout, stderr) = sb.run(&["fetch", name, "--mirror", &server.base]);
        assert!(ok, "{name}: {stderr}");
        assert!(stdout.starts_with(&format!("{name}: ")), "{stdout}");
        let manifest = Manifest::load(&sb.manifests_dir(), name).unwrap();
        for o in manifest.outputs() {
            assert!(sb.cache(name).join(o.path).is_file(), "{name}: {}", o.path);
        }
        let (ok, stdout, stderr) = sb.run(&[
            "run",
            "--dataset",
            name,
            "--codec",
            "candidate",
            "--codec",
            "gzip:1",
            "--quiet",
        ]);
        assert!(ok, "{name}: {stdout}\n{stderr}");
        assert!(stdout.contains(&format!(" on {name} ")), "{stdout}");
    }
    assert!(
        server.requests().iter().all(|r| r.status == 200),
        "every stand-in was found at <mirror>/<dataset>/<file>"
    );
    let before = server.requests().len();
    let (ok, stdout, stderr) = sb.run(&["fetch", "all", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), REAL.len(), "{stdout}");
    assert_eq!(server.requests().len(), before, "all cached and verified");

    // media: every JPEG, OGG, FLAC and MP4 got its raw version, recorded in the lock.
    let lock = sb.lock_text("media");
    for raw in [
        "photos/earthrise-apollo8.jpg.bmp",
        "audio/satie-gymnopedie-1.ogg.wav",
        "audio/bach-wtc1-prelude1-ishizaka.flac.wav",
        "films/big-buck-bunny.mp4.wav",
    ] {
        assert!(sb.cache("media").join(raw).is_file(), "{raw}");
        assert!(
            lock.contains(&format!("[derived.\"{raw}\"]")),
            "{raw}:\n{lock}"
        );
    }
    assert!(
        lock.contains("source = \"films/big-buck-bunny.mp4\""),
        "{lock}"
    );
}

#[test]
fn derived_files_are_rebuilt_identically_and_checked_against_the_lock() {
    let server = Server::start();
    let sb = Sandbox::new();
    sb.manifest("media", &unpinned("media"));
    serve_stand_ins(&server, "media");
    let (ok, _, stderr) = sb.run(&["fetch", "media", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    let raw = sb.cache("media").join("audio/satie-gymnopedie-1.ogg.wav");
    let first = fs::read(&raw).unwrap();
    let lock = sb.lock_text("media");

    fs::remove_file(&raw).unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "media", "--mirror", &server.base]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("decoding audio/satie-gymnopedie-1.ogg"),
        "{stderr}"
    );
    assert_eq!(fs::read(&raw).unwrap(), first);
    assert_eq!(sb.lock_text("media"), lock, "the lock is unchanged");

    // A lock that disagrees with the decoder's output is an error, not a silent update.
    let sha = sha256_hex(&first);
    fs::write(sb.lock_path("media"), lock.replace(&sha, &"0".repeat(64))).unwrap();
    fs::remove_file(&raw).unwrap();
    let (ok, _, stderr) = sb.run(&["fetch", "media", "--mirror", &server.base]);
    assert!(!ok);
    assert!(
        stderr.contains("audio/satie-gymnopedie-1.ogg.wav: decoding audio/satie-gymnopedie-1.ogg"),
        "{stderr}"
    );
    assert!(stderr.contains(&sha), "{stderr}");
    assert!(!raw.exists());
}

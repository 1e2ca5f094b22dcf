//! A real HTTP/1.1 server on 127.0.0.1 for the fetch tests, with scripted misbehaviour,
//! and a sandbox writing manifests into a private data directory.

#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Behavior {
    /// 200, or 206 for a Range request.
    Serve,
    /// The first request gets the full Content-Length but only this many bytes, then the
    /// connection closes; later requests are served normally.
    CutOnce(usize),
    /// Always 200 with the whole body, whatever Range says.
    IgnoreRange,
    /// Reads the request and never answers.
    Stall,
    /// Sends the headers and this many bytes, then goes silent without closing.
    StallAfter(usize),
    /// Waits this many milliseconds, then serves.
    Delay(u64),
    /// 302 to this path on the same server.
    Redirect(&'static str),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub range: Option<String>,
    pub status: u16,
}

struct Route {
    body: Vec<u8>,
    behavior: Behavior,
    hits: usize,
}

#[derive(Default)]
struct State {
    routes: Mutex<HashMap<String, Route>>,
    log: Mutex<Vec<Request>>,
}

pub struct Server {
    pub base: String,
    state: Arc<State>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State::default());
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || handle(stream, &state));
            }
        });
        Server { base, state }
    }

    pub fn put(&self, path: &str, body: Vec<u8>, behavior: Behavior) {
        self.state.routes.lock().unwrap().insert(
            path.to_string(),
            Route {
                body,
                behavior,
                hits: 0,
            },
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().clone()
    }
}

fn handle(mut stream: TcpStream, state: &State) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
    let route = {
        let mut routes = state.routes.lock().unwrap();
        routes.get_mut(&path).map(|r| {
            r.hits += 1;
            (r.body.clone(), r.behavior.clone(), r.hits)
        })
    };
    let log = |status| {
        state.log.lock().unwrap().push(Request {
            path: path.clone(),
            range: range.clone(),
            status,
        })
    };
    let Some((body, behavior, hits)) = route else {
        log(404);
        let _ = stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        );
        return;
    };
    if let Behavior::Redirect(to) = behavior {
        log(302);
        let _ = stream.write_all(
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        );
        return;
    }
    let start = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let len = body.len();
    let (status, from) = match (&behavior, start) {
        (Behavior::IgnoreRange, _) | (_, None) => (200, 0),
        (_, Some(s)) if s >= len => (416, len),
        (_, Some(s)) => (206, s),
    };
    log(status);
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\nAccept-Ranges: bytes\r\n",
        match status {
            200 => "OK",
            206 => "Partial Content",
            _ => "Range Not Satisfiable",
        }
    );
    match status {
        206 => head.push_str(&format!(
            "Content-Range: bytes {from}-{}/{len}\r\n",
            len - 1
        )),
        416 => head.push_str(&format!("Content-Range: bytes */{len}\r\n")),
        _ => {}
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", len - from));
    let rest = &body[from..];
    match behavior {
        Behavior::Stall => std::thread::sleep(Duration::from_secs(30)),
        Behavior::Delay(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(rest);
        }
        Behavior::StallAfter(n) => {
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&rest[..n.min(rest.len())]);
            let _ = stream.flush();
            std::thread::sleep(Duration::from_secs(30));
        }
        Behavior::CutOnce(n) if hits == 1 => {
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&rest[..n.min(rest.len())]);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        _ => {
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(rest);
        }
    }
}

/// Private manifests (with their locks), data and results directories.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let sandbox = Sandbox {
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::create_dir_all(sandbox.manifests_dir()).unwrap();
        sandbox
    }

    /// Manifests and locks (`--manifests`).
    pub fn manifests_dir(&self) -> PathBuf {
        self.dir.path().join("manifests")
    }

    /// The cache (`--data-dir`).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn cache(&self, dataset: &str) -> PathBuf {
        self.data_dir().join("cache").join(dataset)
    }

    pub fn manifest(&self, dataset: &str, toml: &str) {
        std::fs::write(self.manifests_dir().join(format!("{dataset}.toml")), toml).unwrap();
    }

    pub fn lock_path(&self, dataset: &str) -> PathBuf {
        self.manifests_dir().join(format!("{dataset}.lock"))
    }

    pub fn lock_text(&self, dataset: &str) -> String {
        std::fs::read_to_string(self.lock_path(dataset)).unwrap_or_default()
    }

    /// `harness` with short network timeouts and no retries unless a test asks for them.
    pub fn harness(&self) -> Command {
        let mut cmd = Command::cargo_bin("harness").unwrap();
        cmd.env("HARNESS_MANIFESTS", self.manifests_dir())
            .env("HARNESS_DATA_DIR", self.data_dir())
            .env("HARNESS_RESULTS_DIR", self.dir.path().join("results"))
            .env("HARNESS_CONNECT_TIMEOUT", "2")
            .env("HARNESS_READ_TIMEOUT", "2")
            .env("HARNESS_FETCH_RETRIES", "0")
            .env("HARNESS_RETRY_BACKOFF", "0.05")
            .env_remove("HARNESS_MIRROR")
            .env_remove("HARNESS_HOLDOUT_SEED");
        cmd
    }

    /// Runs `harness ARGS`; returns (success, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.harness().args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The `summary.json` of the only run.
    pub fn summary(&self) -> serde_json::Value {
        let runs = self.dir.path().join("results/runs");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&runs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        let text = std::fs::read_to_string(dirs.remove(0).join("summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Deterministic bytes that are not all alike.
pub fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/media")
        .join(name)
}

/// A `.tar.gz` holding `members` (path, bytes).
pub fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, *bytes).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// A `.zip` holding `members` (path, bytes).
pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in members {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub fn bz2(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

//! One HTTP download into a partial file: resumes with a Range request when the server
//! allows it, restarts from zero when it does not, retries with exponential backoff.

use super::args::Options;
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::blocking::Client;
use reqwest::header::{CONTENT_RANGE, RANGE};
use std::fs::{self, OpenOptions};
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("HTTP status {status}")]
    Status { status: u16 },
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("transfer failed after {received} bytes: {reason}")]
    Transfer { received: u64, reason: String },
    #[error("writing {path}: {source}")]
    Io { path: String, source: io::Error },
}

impl DownloadError {
    /// Whether another attempt at the same URL may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            DownloadError::Status { status } => *status == 408 || *status == 429 || *status >= 500,
            DownloadError::Io { .. } => false,
            _ => true,
        }
    }
}

pub struct Downloader {
    client: Client,
    opts: Options,
}

const BACKOFF_CAP: Duration = Duration::from_secs(60);

impl Downloader {
    pub fn new(opts: &Options) -> anyhow::Result<Self> {
        let limit = |d: Duration| (!d.is_zero()).then_some(d);
        let client = Client::builder()
            .user_agent(concat!(
                "bench-harness/",
                env!("CARGO_PKG_VERSION"),
                " (lossless compression benchmark; corpus fetcher)"
            ))
            .connect_timeout(limit(opts.connect_timeout))
            // Blocking reqwest applies this to the wait for the response and to each read
            // of the body: it is an inactivity limit, not a limit on the whole transfer.
            .timeout(limit(opts.read_timeout))
            .build()?;
        Ok(Downloader {
            client,
            opts: opts.clone(),
        })
    }

    /// Completes `part` from `url`, retrying transient failures; returns its length.
    /// A failed transfer leaves `part` in place so the next call resumes it.
    pub fn fetch(&self, url: &str, part: &Path, log: &dyn Fn(&str)) -> Result<u64, DownloadError> {
        let mut attempt = 0u32;
        loop {
            match self.attempt(url, part, log) {
                Ok(len) => return Ok(len),
                Err(e) if e.retryable() && attempt < self.opts.retries => {
                    let wait = self
                        .opts
                        .retry_backoff
                        .saturating_mul(1 << attempt.min(16))
                        .min(BACKOFF_CAP);
                    attempt += 1;
                    log(&format!(
                        "{url}: {e}; retry {attempt}/{} in {:.1} s",
                        self.opts.retries,
                        wait.as_secs_f64()
                    ));
                    std::thread::sleep(wait);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn attempt(&self, url: &str, part: &Path, log: &dyn Fn(&str)) -> Result<u64, DownloadError> {
        let io_err = |source| DownloadError::Io {
            path: part.display().to_string(),
            source,
        };
        let offset = fs::metadata(part).map(|m| m.len()).unwrap_or(0);
        let mut request = self.client.get(url);
        if offset > 0 {
            request = request.header(RANGE, format!("bytes={offset}-"));
        }
        let mut response = request.send().map_err(classify)?;
        let status = response.status().as_u16();
        let resume = match status {
            206 if offset > 0 => {
                let range = response
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_content_range);
                if range.map(|(start, _)| start) != Some(offset) {
                    fs::remove_file(part).map_err(io_err)?;
                    return Err(DownloadError::Transfer {
                        received: 0,
                        reason: format!("server answered a range other than bytes={offset}-"),
                    });
                }
                log(&format!("{url}: resuming at byte {offset}"));
                true
            }
            200 => {
                if offset > 0 {
                    log(&format!(
                        "{url}: the server ignores Range; restarting from zero"
                    ));
                }
                false
            }
            416 if offset > 0 => {
                // The partial file is not a prefix the server can continue: start over.
                fs::remove_file(part).map_err(io_err)?;
                return self.attempt(url, part, log);
            }
            _ => return Err(DownloadError::Status { status }),
        };
        let start = if resume { offset } else { 0 };
        let total = response.content_length().map(|len| len + start);
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(resume)
            .truncate(!resume)
            .open(part)
            .map_err(io_err)?;
        let bar = progress_bar(self.opts.quiet, total, start, url);
        let mut received = start;
        let mut buf = vec![0u8; 1 << 16];
        let outcome = loop {
            match response.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    file.write_all(&buf[..n]).map_err(io_err)?;
                    received += n as u64;
                    bar.set_position(received);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        bar.finish_and_clear();
        file.sync_all().map_err(io_err)?;
        if let Err(e) = outcome {
            return Err(DownloadError::Transfer {
                received,
                reason: io_reason(&e),
            });
        }
        if let Some(total) = total.filter(|&t| t != received) {
            return Err(DownloadError::Transfer {
                received,
                reason: format!("connection closed at byte {received} of {total}"),
            });
        }
        Ok(received)
    }
}

fn classify(e: reqwest::Error) -> DownloadError {
    // "error sending request for url (...)" repeats the URL the caller already names.
    let text = match std::error::Error::source(&e) {
        Some(cause) if e.to_string().starts_with("error sending request") => error_chain(cause),
        _ => error_chain(&e),
    };
    if e.is_timeout() {
        DownloadError::Timeout(text)
    } else if e.is_connect() {
        DownloadError::Connect(text)
    } else {
        DownloadError::Transfer {
            received: 0,
            reason: text,
        }
    }
}

fn io_reason(e: &io::Error) -> String {
    let timed_out = e.kind() == io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(|r| r.is_timeout());
    if timed_out {
        "no data within the read timeout".into()
    } else {
        error_chain(e)
    }
}

/// An error and its causes on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// `bytes START-END/TOTAL` to (START, TOTAL); TOTAL is `None` for `*`.
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()))
}

fn progress_bar(quiet: bool, total: Option<u64>, start: u64, url: &str) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ({eta}) {msg}",
        )
        .expect("valid template"),
    );
    bar.set_message(url.rsplit('/').next().unwrap_or(url).to_string());
    bar.set_position(start);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some((100, Some(200)))
        );
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert!(DownloadError::Status { status: 503 }.retryable());
        assert!(!DownloadError::Status { status: 404 }.retryable());
        assert!(DownloadError::Timeout("x".into()).retryable());
    }
}

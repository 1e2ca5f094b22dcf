//! A codec's stderr, drained as it is written and kept only in its last 8 KiB, so a flood
//! costs the harness neither memory nor disk; and the line of it that says why a codec failed.

use std::collections::VecDeque;
use std::io::{PipeReader, Read};
use std::sync::mpsc;
use std::time::Duration;

/// Bytes of stderr kept.
pub const KEPT: usize = 8 << 10;

/// Characters of a reason kept.
const REASON_CHARS: usize = 300;

pub struct StderrTail {
    done: mpsc::Receiver<Vec<u8>>,
}

impl StderrTail {
    /// Drains `reader` on a thread of its own until end of file.
    pub fn start(mut reader: PipeReader) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut kept = VecDeque::with_capacity(KEPT);
            let mut buf = [0u8; 64 << 10];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let chunk = &buf[n.saturating_sub(KEPT)..n];
                        let overflow = (kept.len() + chunk.len()).saturating_sub(KEPT);
                        kept.drain(..overflow);
                        kept.extend(chunk);
                    }
                }
            }
            let _ = tx.send(kept.into_iter().collect());
        });
        StderrTail { done: rx }
    }

    /// The telling line of what was written, waiting at most `grace` for the writers to close.
    pub fn finish(self, grace: Duration) -> String {
        match self.done.recv_timeout(grace) {
            Ok(bytes) => telling_line(&bytes),
            Err(_) => "(stderr still held open by a process that escaped)".into(),
        }
    }
}

/// The line that says why a codec failed: an allocation failure's own line when there is one
/// (a backtrace note follows it), else the last line that is not a note about backtraces.
pub fn telling_line(tail: &[u8]) -> String {
    let text = String::from_utf8_lossy(tail);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let allocation = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("memory allocation of") && l.ends_with("failed"));
    let line = allocation
        .or_else(|| lines.iter().rev().find(|l| !is_backtrace_noise(l)))
        .copied()
        .unwrap_or("");
    line.chars().take(REASON_CHARS).collect()
}

fn is_backtrace_noise(line: &str) -> bool {
    line.starts_with("note: run with `RUST_BACKTRACE")
        || line.starts_with("note: Some details are omitted")
        || line.starts_with("stack backtrace:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocation_failure_line_beats_the_backtrace_note() {
        let tail = b"memory allocation of 4096 bytes failed\nnote: run with `RUST_BACKTRACE=1` \
            environment variable to display a backtrace\n";
        assert_eq!(telling_line(tail), "memory allocation of 4096 bytes failed");
        assert_eq!(telling_line(b"one\ntwo\n\n"), "two");
        assert_eq!(telling_line(b""), "");
    }

    #[test]
    fn only_the_last_bytes_are_kept() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let tail = StderrTail::start(reader);
        let flood = vec![b'e'; 1 << 20];
        std::io::Write::write_all(&mut writer, &flood).unwrap();
        std::io::Write::write_all(&mut writer, b"\nthe end\n").unwrap();
        drop(writer);
        assert_eq!(tail.finish(Duration::from_secs(30)), "the end");
    }
}

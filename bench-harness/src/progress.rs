//! Progress of a run: an `indicatif` bar on a terminal, plain log lines otherwise.

use crate::run::row::FileRow;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

pub struct Progress {
    bar: Option<ProgressBar>,
    total_tasks: usize,
    done: AtomicUsize,
    bytes_done: AtomicU64,
}

impl Progress {
    /// `total_bytes` counts each file once per codec.
    pub fn new(total_tasks: usize, total_bytes: u64, quiet: bool) -> Self {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(total_bytes);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} ({eta} left) {prefix} {msg}",
                )
                .expect("valid template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total_tasks,
            done: AtomicUsize::new(0),
            bytes_done: AtomicU64::new(0),
        }
    }

    pub fn started(&self, file: &str, codec: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{file} / {codec}"));
        }
    }

    pub fn finished(&self, row: &FileRow) {
        let done = self.advance(row.original_bytes);
        let ratio = row
            .ratio
            .map(|r| format!("{r:.4}"))
            .unwrap_or_else(|| "-".into());
        let line = format!(
            "[{done}/{}] {} {} {} ratio {} ({} s / {} s){}",
            self.total_tasks,
            row.file,
            row.codec,
            row.status.as_str(),
            ratio,
            secs(row.compress_s),
            secs(row.decompress_s),
            if row.reason.is_empty() {
                String::new()
            } else {
                format!(": {}", row.reason)
            }
        );
        match &self.bar {
            Some(bar) => {
                if !row.ok() {
                    bar.println(line);
                }
            }
            None => eprintln!("{line}"),
        }
    }

    /// A pair a later round does not measure again (it failed, or its times came from the
    /// cache): counted as done without a line.
    pub fn skipped(&self, bytes: u64) {
        self.advance(bytes);
    }

    /// Counts one more pair of `bytes` as done; returns how many are.
    fn advance(&self, bytes: u64) -> usize {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        self.bytes_done.fetch_add(bytes, Ordering::SeqCst);
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_prefix(format!("{done}/{} files", self.total_tasks));
        }
        done
    }

    /// A message that must not be torn by the bar.
    pub fn log(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.println(message),
            None => eprintln!("{message}"),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn secs(s: Option<f64>) -> String {
    s.map(|s| format!("{s:.2}")).unwrap_or_else(|| "-".into())
}

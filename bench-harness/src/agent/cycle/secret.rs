//! The holdout seed. The loop reads it once, removes it from its own environment (and wipes
//! its bytes from the environment block `/proc/<pid>/environ` shows), hands it only to the
//! step that generates the holdout, and redacts it from everything it writes: rows, attempt
//! diffs, traces, prompts and logs. No process that runs codec or agent code has it.

use crate::dataset::HOLDOUT_SEED_VAR;
use anyhow::{Context, Result};
use std::path::Path;

/// Shorter seeds are not redacted (they would blank out ordinary text); they are also too
/// short to be secret.
const REDACTED_FROM: usize = 4;
const MASK: &str = "<redacted>";

pub struct Secret(Option<String>);

impl Secret {
    /// Takes the seed out of this process's environment. Call before any thread starts.
    pub fn take_from_env() -> Secret {
        let seed = std::env::var(HOLDOUT_SEED_VAR)
            .ok()
            .filter(|s| !s.is_empty());
        if seed.is_some() {
            wipe_env_value(HOLDOUT_SEED_VAR);
            std::env::remove_var(HOLDOUT_SEED_VAR);
        }
        Secret(seed)
    }

    #[cfg(test)]
    pub fn of(seed: &str) -> Secret {
        Secret(Some(seed.to_string()))
    }

    pub fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// `text` with every occurrence of the seed masked.
    pub fn redact(&self, text: &str) -> String {
        match &self.0 {
            Some(seed) if seed.len() >= REDACTED_FROM => text.replace(seed.as_str(), MASK),
            _ => text.to_string(),
        }
    }

    /// Rewrites the file at `path` when it holds the seed.
    pub fn redact_file(&self, path: &Path) -> Result<()> {
        let Some(seed) = self.0.as_deref().filter(|s| s.len() >= REDACTED_FROM) else {
            return Ok(());
        };
        let Ok(bytes) = std::fs::read(path) else {
            return Ok(());
        };
        let needle = seed.as_bytes();
        if !bytes.windows(needle.len()).any(|w| w == needle) {
            return Ok(());
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(needle) {
                out.extend_from_slice(MASK.as_bytes());
                i += needle.len();
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        std::fs::write(path, out).with_context(|| format!("redacting {}", path.display()))
    }
}

/// Overwrites the value of `name` where the C library keeps it (for the initial environment,
/// the block the kernel shows in `/proc/<pid>/environ`).
fn wipe_env_value(name: &str) {
    let Ok(key) = std::ffi::CString::new(name) else {
        return;
    };
    // SAFETY: single-threaded at this point (the loop calls this first); getenv returns a
    // pointer into the environment string of that variable, valid and writable for
    // strlen(value) bytes, which are overwritten in place before the variable is removed.
    unsafe {
        let value = libc::getenv(key.as_ptr());
        if !value.is_null() {
            let len = libc::strlen(value);
            std::ptr::write_bytes(value.cast::<u8>(), b'x', len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_masked_in_text_and_files() {
        let secret = Secret::of("hunter22");
        assert_eq!(
            secret.redact("failed: seed hunter22 in hunter22x"),
            "failed: seed <redacted> in <redacted>x"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, b"a\xffhunter22\n").unwrap();
        secret.redact_file(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a\xff<redacted>\n");
        assert_eq!(Secret::of("ab").redact("ab"), "ab", "too short to mask");
    }
}

//! The state of the sources compiled into the runner (the codec's and its own): the commit of a
//! checkout's HEAD and a digest of how those sources differ from it. `build.rs` records the
//! state at build time; `codec-runner --sources DIR` tells a checkout's state now, by the same
//! function, so the harness can tell whether a runner holds the code it is about to measure.

use std::path::Path;
use std::process::Command;

/// Workspace paths compiled into the runner: a change to any of them changes the digest.
pub const COMPILED: [&str; 7] = [
    "codec/src",
    "codec/Cargo.toml",
    "runner/src",
    "runner/build.rs",
    "runner/Cargo.toml",
    "Cargo.toml",
    "Cargo.lock",
];

/// The digest of sources identical to their commit.
pub const CLEAN: &str = "clean";

pub struct SourceState {
    /// HEAD's commit, `unknown` without git or outside a checkout.
    pub commit: String,
    /// [`CLEAN`], or a hash of the uncommitted changes (tracked and untracked) to [`COMPILED`].
    pub digest: String,
}

impl SourceState {
    pub fn dirty(&self) -> bool {
        self.digest != CLEAN
    }
}

/// The state of the checkout at `workspace`.
pub fn state(workspace: &Path) -> SourceState {
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(workspace)
            // No optional locks: a command that refreshed the index would make the build
            // script run again.
            .arg("--no-optional-locks")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    let Some(head) = git(&["rev-parse", "HEAD"]) else {
        return SourceState {
            commit: "unknown".into(),
            digest: CLEAN.into(),
        };
    };
    let commit = String::from_utf8_lossy(&head).trim().to_string();
    let mut changes = Vec::new();
    let mut diff = vec!["diff", "HEAD", "--binary", "--no-ext-diff", "--"];
    diff.extend(COMPILED);
    changes.extend(git(&diff).unwrap_or_default());
    let mut others = vec!["ls-files", "-z", "--others", "--exclude-standard", "--"];
    others.extend(COMPILED);
    let untracked = git(&others).unwrap_or_default();
    for path in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
        changes.extend_from_slice(b"\0untracked\0");
        changes.extend_from_slice(path);
        changes.push(0);
        let name = String::from_utf8_lossy(path).into_owned();
        changes.extend(std::fs::read(workspace.join(name)).unwrap_or_default());
    }
    let digest = if changes.is_empty() {
        CLEAN.into()
    } else {
        format!("{:016x}", fnv1a(&changes))
    };
    SourceState { commit, digest }
}

/// FNV-1a, 64 bits: tells one set of changes from another (not a defence against a forger,
/// who could as well rebuild the runner).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

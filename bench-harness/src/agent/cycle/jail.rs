//! Landlock for the loop's child processes: what a step may read and write, set in the child
//! just before it executes (the ruleset is built in the loop, the child only enters it), and
//! inherited by everything the step starts.
//!
//! - The agent reads everything but the loop's private directory and the holdout, and writes
//!   only its scratch clone, its temporary directory and what the operator adds.
//! - A judging step (build, tests, runs of an attempt) reads the judging clone, the toolchain
//!   and the system's libraries, writes only what the step needs, and has no TCP.
//!
//! Both are scoped (Landlock ABI 6): a jailed process cannot signal or ptrace the loop, so it
//! cannot read the loop's environment through `/proc`.

use anyhow::{Context, Result};
use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreated, RulesetCreatedAttr, Scope, ABI,
};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

const ABI_USED: ABI = ABI::V6;

/// What a jailed process may touch. Paths that do not exist are skipped.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Readable and executable, with everything beneath.
    pub read: Vec<PathBuf>,
    /// Readable, writable, creatable, with everything beneath.
    pub write: Vec<PathBuf>,
    /// When set, `read` is ignored: everything is readable except these paths.
    pub read_all_but: Option<Vec<PathBuf>>,
    pub deny_tcp: bool,
}

/// Devices any step may write: `/dev/null` and the like, the terminal, shared memory.
const WRITABLE_DEVICES: [&str; 6] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/tty",
    "/dev/pts",
    "/dev/shm",
];

impl Policy {
    /// Makes `cmd` enter this policy when it starts.
    pub fn apply(&self, cmd: &mut Command) -> Result<()> {
        let ruleset = self.ruleset()?;
        let slot = Mutex::new(Some(ruleset));
        // SAFETY: between fork and exec the closure only takes the prepared ruleset out of its
        // own mutex (no other thread can hold it) and makes two system calls (prctl and
        // landlock_restrict_self); nothing is allocated on success.
        unsafe {
            cmd.pre_exec(move || {
                let taken = slot.lock().map(|mut s| s.take()).unwrap_or(None);
                if let Some(ruleset) = taken {
                    ruleset
                        .restrict_self()
                        .map_err(|e| std::io::Error::other(e.to_string()))?;
                }
                Ok(())
            });
        }
        Ok(())
    }

    fn ruleset(&self) -> Result<RulesetCreated> {
        let read = AccessFs::from_read(ABI_USED);
        let all = AccessFs::from_all(ABI_USED);
        let readable = match &self.read_all_but {
            Some(denied) => readable_except(denied),
            None => self.read.clone(),
        };
        let writable: Vec<PathBuf> = self
            .write
            .iter()
            .cloned()
            .chain(WRITABLE_DEVICES.iter().map(PathBuf::from))
            .collect();
        let mut ruleset = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(all)?
            .scope(Scope::from_all(ABI_USED))?;
        if self.deny_tcp {
            ruleset = ruleset.handle_access(AccessNet::from_all(ABI_USED))?;
        }
        ruleset
            .create()?
            .add_rules(path_beneath_rules(existing(&readable), read))?
            .add_rules(path_beneath_rules(existing(&writable), all))
            .context("building the Landlock ruleset")
    }
}

fn existing(paths: &[PathBuf]) -> Vec<&PathBuf> {
    paths.iter().filter(|p| p.exists()).collect()
}

/// Paths that together cover everything readable except `denied` (and what lies beneath):
/// every entry of each directory on the way from `/` to a denied path, except that way.
/// Entries created later in those directories are not covered.
pub fn readable_except(denied: &[PathBuf]) -> Vec<PathBuf> {
    let denied: Vec<PathBuf> = denied
        .iter()
        .filter_map(|d| d.canonicalize().ok())
        .collect();
    let mut out = Vec::new();
    cover(Path::new("/"), &denied, &mut out);
    out
}

fn cover(dir: &Path, denied: &[PathBuf], out: &mut Vec<PathBuf>) {
    if !denied.iter().any(|d| d.starts_with(dir)) {
        out.push(dir.to_path_buf());
        return;
    }
    if denied.iter().any(|d| d == dir) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if real_dir {
            cover(&path, denied, out);
        } else {
            out.push(path);
        }
    }
}

/// The Landlock ABI this kernel offers, `None` without Landlock.
pub fn supported() -> Option<i32> {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute pointer, size 0 and the VERSION flag the call only returns
    // the ABI version (or -1); it touches no memory.
    let abi = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    (abi > 0).then_some(abi as i32)
}

/// Where the toolchain lives: cargo's and rustup's homes (from the environment or under
/// `$HOME`) and the active compiler's sysroot.
pub fn toolchain() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let from_env = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let mut out: Vec<PathBuf> = [
        from_env("CARGO_HOME", ".cargo"),
        from_env("RUSTUP_HOME", ".rustup"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let Ok(o) = Command::new("rustc").args(["--print", "sysroot"]).output() {
        if o.status.success() {
            out.push(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
        }
    }
    out
}

/// The system directories a compiler, a linker, git and the harness read.
pub const SYSTEM: [&str; 11] = [
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys", "/dev",
];

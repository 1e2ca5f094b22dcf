//! The sandbox of a codec process.
//!
//! - A built-in codec: Landlock handles every filesystem access right and grants none, so no
//!   path can be opened, listed, created or executed; its input and output are descriptors
//!   opened before. An external command: it may read and execute anywhere, but write only in
//!   its private scratch directory, the directories the user allowed, and `/dev/null`; so it
//!   cannot change a dataset file, by path or through `/proc/self/fd`.
//! - Both: no TCP bind or connect (Landlock from ABI 4), no signals to or abstract sockets of
//!   processes outside the sandbox (ABI 6), and a seccomp filter that makes `socket(2)` fail
//!   with `EACCES` whatever the Landlock ABI.

use crate::args::{Operation, SandboxMode};
use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope, ABI,
};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What this kernel offers.
pub struct Support {
    /// Landlock ABI version, `None` when the kernel lacks or disables Landlock.
    pub landlock_abi: Option<i32>,
    pub seccomp: bool,
}

/// Asks the kernel, without restricting anything.
pub fn probe() -> Support {
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
    // SAFETY: PR_GET_SECCOMP takes no pointer arguments.
    let seccomp = unsafe { libc::prctl(libc::PR_GET_SECCOMP) } >= 0;
    Support {
        landlock_abi: (abi > 0).then_some(abi as i32),
        seccomp,
    }
}

/// Restricts the worker of a built-in codec for good.
pub fn restrict_builtin(mode: SandboxMode) -> Result<(), String> {
    restrict(mode, None)
}

/// Restricts init before it starts an external command, which inherits the restriction.
pub fn restrict_external(op: &Operation) -> Result<(), String> {
    let mut writable = vec![op.scratch.clone()];
    writable.extend(op.writable.iter().cloned());
    restrict(op.sandbox, Some(&writable))
}

/// `writable`: `None` for a built-in codec (no filesystem access at all), else the
/// directories an external command may write.
fn restrict(mode: SandboxMode, writable: Option<&[PathBuf]>) -> Result<(), String> {
    if mode == SandboxMode::Off {
        return Ok(());
    }
    let landlock = restrict_filesystem(mode, writable)?;
    let seccomp = deny_sockets();
    match (mode, landlock, seccomp) {
        (SandboxMode::Require, false, _) => {
            Err("sandbox required but Landlock is not enforced".into())
        }
        (SandboxMode::Require, _, Err(e)) => {
            Err(format!("sandbox required but seccomp failed: {e}"))
        }
        _ => Ok(()),
    }
}

/// True when Landlock is enforced (fully or, on older ABIs, partly).
fn restrict_filesystem(mode: SandboxMode, writable: Option<&[PathBuf]>) -> Result<bool, String> {
    let abi = ABI::V6;
    let level = if mode == SandboxMode::Require {
        CompatLevel::SoftRequirement
    } else {
        CompatLevel::BestEffort
    };
    let fail = |e: landlock::RulesetError| format!("Landlock: {e}");
    let mut ruleset = Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.scope(Scope::Signal))
        .and_then(|r| r.scope(Scope::AbstractUnixSocket))
        .and_then(|r| r.create())
        .map_err(fail)?;
    if let Some(writable) = writable {
        ruleset = ruleset
            .add_rules(path_beneath_rules(["/"], AccessFs::from_read(abi)))
            .and_then(|r| r.add_rules(path_beneath_rules(writable, AccessFs::from_all(abi))))
            .and_then(|r| r.add_rules(path_beneath_rules(["/dev/null"], AccessFs::from_file(abi))))
            .map_err(fail)?;
    }
    let status = ruleset.restrict_self().map_err(fail)?;
    Ok(status.ruleset != RulesetStatus::NotEnforced)
}

fn deny_sockets() -> Result<(), String> {
    let arch: TargetArch = std::env::consts::ARCH
        .try_into()
        .map_err(|e| format!("seccomp: {e:?}"))?;
    let rules = BTreeMap::from([(libc::SYS_socket, vec![])]);
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|e| format!("seccomp: {e}"))?;
    let program: BpfProgram = filter.try_into().map_err(|e| format!("seccomp: {e}"))?;
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments only; it is required for an
    // unprivileged seccomp filter and Landlock has usually set it already.
    unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    seccompiler::apply_filter(&program).map_err(|e| format!("seccomp: {e}"))
}

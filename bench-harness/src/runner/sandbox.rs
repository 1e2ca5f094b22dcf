//! The runner's sandbox, applied in the runner child just before a built-in codec runs.
//!
//! - Landlock handles every filesystem access right and grants none, so no path can be opened,
//!   listed, created or executed; the input and output were opened by the parent and handed
//!   over as stdin and stdout, and descriptors already open stay usable. From ABI 4 it also
//!   handles TCP bind and connect.
//! - A seccomp filter makes `socket(2)` fail with `EACCES`, so no network or Unix socket can be
//!   opened at all, whatever the Landlock ABI.
//!
//! The parent probes support once per run ([`probe`]) and tells the child the mode through
//! [`MODE_VAR`], which `harness __exec --sandbox` reads.

use landlock::{
    Access, AccessFs, AccessNet, CompatLevel, Compatible, Ruleset, RulesetAttr, RulesetStatus, ABI,
};
use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};
use std::collections::BTreeMap;

/// Environment variable through which a run hands its sandbox mode to runner children.
pub const MODE_VAR: &str = "HARNESS_SANDBOX";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// No sandbox.
    Off,
    /// Sandbox what the kernel supports; run unsandboxed where it supports nothing.
    BestEffort,
    /// Refuse to run a built-in codec unless both layers are enforced.
    Require,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::BestEffort => "best-effort",
            Mode::Require => "require",
        }
    }
}

/// The mode a run handed down through [`MODE_VAR`]; best effort when unset or unknown.
pub fn mode_from_env() -> Mode {
    match std::env::var(MODE_VAR).as_deref() {
        Ok("off") => Mode::Off,
        Ok("require") => Mode::Require,
        _ => Mode::BestEffort,
    }
}

/// What this kernel offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Support {
    /// Landlock ABI version, `None` when the kernel lacks or disables Landlock.
    pub landlock_abi: Option<i32>,
    pub seccomp: bool,
}

impl Support {
    pub fn complete(&self) -> bool {
        self.landlock_abi.is_some() && self.seccomp
    }

    pub fn describe(&self) -> String {
        let fs = match self.landlock_abi {
            Some(abi) => format!("Landlock ABI {abi} (no filesystem access)"),
            None => "no Landlock (filesystem NOT restricted)".into(),
        };
        let net = if self.seccomp {
            "seccomp (no sockets)"
        } else {
            "no seccomp (network NOT restricted)"
        };
        format!("{fs}, {net}")
    }
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

/// What the parent should do before a run: `Err` to refuse, `Ok(Some(text))` to say once.
pub fn plan(mode: Mode, support: Support) -> Result<Option<String>, String> {
    match mode {
        Mode::Off => Ok(Some("sandbox: off (--no-sandbox)".into())),
        _ if support.complete() => Ok(None),
        Mode::Require => Err(format!(
            "--require-sandbox: this kernel cannot sandbox codecs: {}",
            support.describe()
        )),
        Mode::BestEffort => Ok(Some(format!(
            "warning: codecs run partly or fully unsandboxed on this kernel: {} \
             (use --require-sandbox to refuse)",
            support.describe()
        ))),
    }
}

/// Called once by a run: probes the kernel, refuses or warns through `log`, and hands the
/// mode to every runner child through [`MODE_VAR`].
pub fn prepare(mode: Mode, log: &dyn Fn(&str)) -> Result<(), String> {
    if let Some(message) = plan(mode, probe())? {
        log(&message);
    }
    std::env::set_var(MODE_VAR, mode.as_str());
    Ok(())
}

/// Restricts the calling process (the runner child) for good. Errors only in `Require` mode
/// or when the kernel refuses a restriction it claims to support.
pub fn apply(mode: Mode) -> Result<(), String> {
    if mode == Mode::Off {
        return Ok(());
    }
    let landlock = restrict_filesystem(mode)?;
    let seccomp = deny_sockets();
    match (mode, landlock, seccomp) {
        (Mode::Require, false, _) => Err("sandbox required but Landlock is not enforced".into()),
        (Mode::Require, _, Err(e)) => Err(format!("sandbox required but seccomp failed: {e}")),
        _ => Ok(()),
    }
}

/// True when Landlock is enforced (fully or, on older ABIs, partly).
fn restrict_filesystem(mode: Mode) -> Result<bool, String> {
    let abi = ABI::V5;
    let level = if mode == Mode::Require {
        CompatLevel::SoftRequirement
    } else {
        CompatLevel::BestEffort
    };
    let status = Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(abi))
        .and_then(|r| r.handle_access(AccessNet::from_all(abi)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self())
        .map_err(|e| format!("Landlock: {e}"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_warns_refuses_or_stays_silent() {
        let full = Support {
            landlock_abi: Some(5),
            seccomp: true,
        };
        let none = Support {
            landlock_abi: None,
            seccomp: true,
        };
        assert_eq!(plan(Mode::BestEffort, full), Ok(None));
        assert_eq!(plan(Mode::Require, full), Ok(None));
        let warning = plan(Mode::BestEffort, none).unwrap().unwrap();
        assert!(warning.contains("no Landlock"), "{warning}");
        assert!(plan(Mode::Require, none)
            .unwrap_err()
            .contains("--require-sandbox"));
    }
}

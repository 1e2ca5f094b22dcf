//! The sandbox a run asks the runner for, and what to say when the kernel cannot give it.
//! The runner applies it (see `codec-runner`'s `sandbox` and `contain` modules): no
//! filesystem access for a built-in codec, writes only to a private directory for an external
//! command, no sockets, and a PID namespace that ends everything a codec started.

use super::locate::Support;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// No sandbox.
    Off,
    /// Sandbox what the kernel supports; run unsandboxed where it supports nothing.
    BestEffort,
    /// Refuse to run unless every layer is enforced.
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

    pub fn from_flags(require: bool, off: bool) -> Self {
        match (require, off) {
            (true, _) => Mode::Require,
            (_, true) => Mode::Off,
            _ => Mode::BestEffort,
        }
    }
}

impl Support {
    pub fn complete(&self) -> bool {
        self.landlock_abi.is_some() && self.seccomp && self.pid_namespace && self.task_cap
    }

    pub fn describe(&self) -> String {
        let fs = match self.landlock_abi {
            Some(abi) => format!("Landlock ABI {abi} (filesystem restricted)"),
            None => "no Landlock (filesystem NOT restricted)".into(),
        };
        let net = if self.seccomp {
            "seccomp (no sockets)"
        } else {
            "no seccomp (network NOT restricted)"
        };
        let ns = if self.pid_namespace {
            "PID namespaces (nothing outlives an operation)"
        } else {
            "no PID namespace (a codec's daemons may outlive a killed harness)"
        };
        let tasks = if self.task_cap {
            "a cap on each operation's processes"
        } else {
            "no cap on processes (a fork bomb can fill the process table)"
        };
        format!("{fs}, {net}, {ns}, {tasks}")
    }

    /// Whether an operation under `mode` cannot write outside its private directory.
    pub fn confines_writes(&self, mode: Mode) -> bool {
        mode != Mode::Off && self.landlock_abi.is_some()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_warns_refuses_or_stays_silent() {
        let full = Support {
            landlock_abi: Some(5),
            seccomp: true,
            pid_namespace: true,
            task_cap: true,
        };
        let none = Support {
            landlock_abi: None,
            ..full
        };
        assert_eq!(plan(Mode::BestEffort, full), Ok(None));
        assert_eq!(plan(Mode::Require, full), Ok(None));
        let warning = plan(Mode::BestEffort, none).unwrap().unwrap();
        assert!(warning.contains("no Landlock"), "{warning}");
        assert!(plan(Mode::Require, none)
            .unwrap_err()
            .contains("--require-sandbox"));
        let missing = [
            (
                Support {
                    pid_namespace: false,
                    ..full
                },
                "no PID namespace",
            ),
            (
                Support {
                    task_cap: false,
                    ..full
                },
                "no cap on processes",
            ),
        ];
        for (support, said) in missing {
            let warning = plan(Mode::BestEffort, support).unwrap().unwrap();
            assert!(warning.contains(said), "{warning}");
        }
    }
}

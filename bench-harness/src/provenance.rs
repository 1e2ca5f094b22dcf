//! Where a run was measured: the machine, the compilers and the baseline libraries. Written
//! to `summary.json` and `results.csv`, and printed as one line above a run's table, so that
//! figures from two machines are never read as one series.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Host name.
    pub host: String,
    /// CPU model, as the kernel names it.
    pub cpu: String,
    /// Logical CPUs this process may use.
    pub cores: usize,
    /// Kernel name and release, e.g. `Linux 6.1.0`.
    pub kernel: String,
    /// `rustc --version` of the compiler that built the harness and the candidate.
    pub rustc: String,
    /// `cc --version` (first line) of the C compiler that built the baseline libraries.
    pub c_compiler: String,
    pub harness_version: String,
    /// The baseline libraries, `name-version` comma-separated (from `Cargo.lock`).
    pub baseline_libraries: String,
}

impl Provenance {
    /// This machine and this build.
    pub fn of_this_machine() -> Provenance {
        let read = |path: &str| {
            std::fs::read_to_string(path)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let cpu = read("/proc/cpuinfo")
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once(':')?;
                matches!(key.trim(), "model name" | "Model" | "cpu model")
                    .then(|| value.trim().to_string())
            })
            .unwrap_or_else(|| std::env::consts::ARCH.to_string());
        let kernel = match read("/proc/sys/kernel/osrelease") {
            release if release.is_empty() => std::env::consts::OS.to_string(),
            release => format!("{} {release}", read("/proc/sys/kernel/ostype")),
        };
        Provenance {
            host: read("/proc/sys/kernel/hostname"),
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            kernel: kernel.trim().to_string(),
            rustc: env!("HARNESS_RUSTC_VERSION").to_string(),
            c_compiler: env!("HARNESS_CC_VERSION").to_string(),
            harness_version: env!("CARGO_PKG_VERSION").to_string(),
            baseline_libraries: env!("HARNESS_LIB_VERSIONS").to_string(),
        }
    }

    /// One line for the terminal.
    pub fn header_line(&self) -> String {
        format!(
            "machine: {}, {} ({} cores), {}; {}; C: {}; harness {}; {}",
            or_unknown(&self.host),
            self.cpu,
            self.cores,
            self.kernel,
            self.rustc,
            or_unknown(&self.c_compiler),
            self.harness_version,
            self.baseline_libraries
        )
    }
}

fn or_unknown(text: &str) -> &str {
    if text.is_empty() {
        "unknown"
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_machine_is_described_from_the_kernel_and_the_build() {
        let p = Provenance::of_this_machine();
        assert!(p.rustc.starts_with("rustc 1."), "{p:?}");
        assert!(p.baseline_libraries.contains("zstd-"), "{p:?}");
        assert!(p.cores >= 1);
        if std::path::Path::new("/proc/cpuinfo").exists() {
            let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap();
            assert!(cpuinfo.contains(&p.cpu), "{p:?}");
            assert!(p.kernel.starts_with("Linux "), "{p:?}");
        }
        let line = p.header_line();
        assert!(
            line.starts_with(&format!("machine: {}, {}", p.host, p.cpu)),
            "{line}"
        );
        assert!(line.contains(&p.rustc), "{line}");
    }
}

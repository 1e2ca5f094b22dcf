//! A cap on the tasks (processes and threads) of one operation, so that a fork bomb stops at
//! [`MAX_TASKS`] instead of filling the machine's process table while its operation runs. The
//! kernel enforces it: a `pids` cgroup of the operation's own where the runner may create one
//! (a cgroup v1 `pids` hierarchy or cgroup v2 with the pids controller), else, for a user other
//! than root, `RLIMIT_NPROC` (which binds no root process, hence the cgroup first).
//!
//! The supervisor prepares the cap before it forks init; init joins it before it forks the
//! worker, so every process of the operation is inside; the supervisor removes the cgroup once
//! init has ended (the namespace, and so the cgroup, is empty then).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Tasks one operation may have at once: far above what a codec's threads need, far below the
/// machine's process table (32,768 by default).
pub const MAX_TASKS: u64 = 1024;

const CGROUP_PREFIX: &str = "codec-runner-";

pub enum Cap {
    /// A pids cgroup made for this operation.
    Cgroup(PathBuf),
    /// `RLIMIT_NPROC` at this many processes of the user.
    Rlimit(u64),
    /// No cap, and why.
    Unavailable(String),
}

impl Cap {
    /// In the supervisor, before it forks init. `own_user_namespace`: the supervisor entered a
    /// user namespace of its own, where the user's process count starts afresh.
    pub fn prepare(own_user_namespace: bool) -> Cap {
        let cgroup_failure = match make_cgroup() {
            Ok(dir) => return Cap::Cgroup(dir),
            Err(e) => e,
        };
        let (uid, _) = crate::sys::uid_gid();
        if uid == 0 && !own_user_namespace {
            return Cap::Unavailable(format!(
                "no pids cgroup ({cgroup_failure}), and RLIMIT_NPROC does not bind root"
            ));
        }
        let base = if own_user_namespace {
            0
        } else {
            processes_of(uid)
        };
        Cap::Rlimit(base + MAX_TASKS)
    }

    /// In init, before it starts the codec: puts init, and so all it starts, under the cap.
    pub fn enter(&self) -> io::Result<()> {
        match self {
            // "0": the writing process itself, whatever PID namespace it is in.
            Cap::Cgroup(dir) => fs::write(dir.join("cgroup.procs"), "0"),
            Cap::Rlimit(n) => crate::sys::set_limit(libc::RLIMIT_NPROC, *n),
            Cap::Unavailable(_) => Ok(()),
        }
    }

    /// In the supervisor, after init ended.
    pub fn remove(&self) {
        if let Cap::Cgroup(dir) = self {
            // The last processes of the namespace may still be leaving the cgroup.
            for _ in 0..100 {
                if fs::remove_dir(dir).is_ok() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }

    /// The report's `tasks` value.
    pub fn describe(&self) -> String {
        match self {
            Cap::Cgroup(_) => format!("{MAX_TASKS} (pids cgroup)"),
            Cap::Rlimit(n) => format!("{MAX_TASKS} (RLIMIT_NPROC {n})"),
            Cap::Unavailable(why) => format!("unlimited: {why}"),
        }
    }
}

/// A pids cgroup with room for [`MAX_TASKS`], beside the cgroup the runner is in.
fn make_cgroup() -> Result<PathBuf, String> {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
    let membership = fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
    let (base, v2) = pids_hierarchy(&mountinfo, &membership)
        .ok_or_else(|| "no pids controller mounted".to_string())?;
    remove_stale(&base);
    let dir = base.join(format!("{CGROUP_PREFIX}{}", std::process::id()));
    let fail = |what: &str, e: io::Error| format!("{what} {}: {e}", dir.display());
    if v2 {
        let enabled = fs::read_to_string(base.join("cgroup.subtree_control")).unwrap_or_default();
        if !enabled.split_whitespace().any(|c| c == "pids") {
            fs::write(base.join("cgroup.subtree_control"), "+pids")
                .map_err(|e| fail("enabling pids above", e))?;
        }
    }
    fs::create_dir(&dir).map_err(|e| fail("creating", e))?;
    if let Err(e) = fs::write(dir.join("pids.max"), MAX_TASKS.to_string()) {
        let _ = fs::remove_dir(&dir);
        return Err(fail("limiting", e));
    }
    Ok(dir)
}

/// The directory of this process's cgroup in a hierarchy with the pids controller (a v1
/// `pids` hierarchy first, else the v2 one), and whether it is v2.
fn pids_hierarchy(mountinfo: &str, membership: &str) -> Option<(PathBuf, bool)> {
    let mount_of = |v2: bool| {
        mountinfo.lines().find_map(|line| {
            let (fields, after) = line.split_once(" - ")?;
            let mut after = after.split_whitespace();
            let fstype = after.next()?;
            let options = after.nth(1).unwrap_or("");
            let mut fields = fields.split_whitespace();
            let root = fields.nth(3)?;
            let point = fields.next()?;
            let matches = if v2 {
                fstype == "cgroup2"
            } else {
                fstype == "cgroup" && options.split(',').any(|o| o == "pids")
            };
            matches.then(|| (root.to_string(), PathBuf::from(point)))
        })
    };
    for v2 in [false, true] {
        let Some((root, point)) = mount_of(v2) else {
            continue;
        };
        let path = membership.lines().find_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            let ours = if v2 {
                controllers.is_empty()
            } else {
                controllers.split(',').any(|c| c == "pids")
            };
            ours.then_some(path)
        })?;
        let relative = path.strip_prefix(root.as_str()).unwrap_or(path);
        return Some((point.join(relative.trim_start_matches('/')), v2));
    }
    None
}

/// Removes cgroups left by runners that were killed before they could (empty ones only: the
/// kernel refuses the others).
fn remove_stale(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(CGROUP_PREFIX)) else {
            continue;
        };
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir(entry.path());
        }
    }
}

/// Processes (and threads) whose real user is `uid`.
fn processes_of(uid: libc::uid_t) -> u64 {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.parse::<u32>().is_ok())
        })
        .filter_map(|e| fs::read_to_string(e.path().join("status")).ok())
        .filter(|status| {
            status.lines().any(|l| {
                l.strip_prefix("Uid:")
                    .and_then(|ids| ids.split_whitespace().next())
                    .is_some_and(|real| real == uid.to_string())
            })
        })
        .map(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(1)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_pids_hierarchy_of_v1_then_v2() {
        let mountinfo = "\
30 25 0:26 / /sys/fs/cgroup/unified rw,relatime shared:10 - cgroup2 cgroup2 rw
31 25 0:27 / /sys/fs/cgroup/pids rw,relatime shared:11 - cgroup cgroup rw,pids
32 25 0:28 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory
";
        let membership = "8:pids:/user/job\n4:memory:/m\n0::/session\n";
        assert_eq!(
            pids_hierarchy(mountinfo, membership),
            Some((PathBuf::from("/sys/fs/cgroup/pids/user/job"), false))
        );
        let only_v2 = "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assert_eq!(
            pids_hierarchy(only_v2, "0::/user.slice/u.scope\n"),
            Some((PathBuf::from("/sys/fs/cgroup/user.slice/u.scope"), true))
        );
        assert_eq!(pids_hierarchy("", membership), None);
    }
}

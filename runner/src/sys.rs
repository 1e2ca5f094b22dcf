//! The POSIX calls std does not wrap, each a thin safe function: fork, waiting with resource
//! usage, pipes, prctl, resource limits, namespaces.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// What a reaped child used. Seconds; `peak_rss_bytes` in bytes.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    pub exit: Exit,
    pub user_s: f64,
    pub sys_s: f64,
    pub peak_rss_bytes: u64,
}

pub enum Forked {
    Child,
    Parent(libc::pid_t),
}

fn check(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

/// `fork(2)`. The runner forks only while it has a single thread, so the child may do
/// anything a fresh process may.
pub fn fork() -> io::Result<Forked> {
    // SAFETY: called before the runner starts any thread (see the module docs of `contain`).
    let pid = check(unsafe { libc::fork() })?;
    Ok(if pid == 0 {
        Forked::Child
    } else {
        Forked::Parent(pid)
    })
}

/// Blocks until child `pid` ends and reaps it.
pub fn wait(pid: libc::pid_t) -> io::Result<Usage> {
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid, exclusively borrowed out-pointers for the call.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let exit = if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(libc::WEXITSTATUS(status))
    };
    let seconds =
        |tv: libc::timeval| Duration::new(tv.tv_sec as u64, tv.tv_usec as u32 * 1000).as_secs_f64();
    Ok(Usage {
        exit,
        user_s: seconds(usage.ru_utime),
        sys_s: seconds(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        peak_rss_bytes: usage.ru_maxrss.max(0) as u64 * 1024,
    })
}

/// Reaps any child that has ended, without blocking; the pid, or `None`.
pub fn reap_any() -> Option<libc::pid_t> {
    let mut status = 0;
    // SAFETY: a valid out-pointer.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    (pid > 0).then_some(pid)
}

/// A pipe whose ends are closed on exec: (read end, write end).
pub fn pipe() -> io::Result<(File, File)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) })
}

/// Closes every descriptor from 3 up, so nothing the harness's parent leaked reaches a codec.
pub fn close_inherited_descriptors() {
    // SAFETY: close_range takes integers only; closing descriptors this process does not use
    // yet cannot break any Rust object (none owns them).
    unsafe {
        libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32);
    }
}

/// SIGKILL this process when the thread that created it ends.
pub fn die_with_parent() -> io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number.
    check(unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    })
    .map(drop)
}

pub fn parent_pid() -> libc::pid_t {
    // SAFETY: getppid cannot fail.
    unsafe { libc::getppid() }
}

/// Orphaned descendants are re-parented to this process instead of to init.
pub fn become_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes a flag.
    check(unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) }).map(drop)
}

/// `unshare(2)` with `flags`.
pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes flags only.
    check(unsafe { libc::unshare(flags) }).map(drop)
}

pub fn uid_gid() -> (libc::uid_t, libc::gid_t) {
    // SAFETY: getuid and getgid cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// Whether the read end `fd` of a pipe sees its writers gone.
pub fn hung_up(fd: &impl AsRawFd) -> bool {
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(&mut poll, 1, 0) };
    n > 0 && poll.revents & libc::POLLHUP != 0
}

pub fn set_limit(resource: libc::__rlimit_resource_t, bytes: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: `limit` is a valid rlimit that outlives the call.
    check(unsafe { libc::setrlimit(resource, &limit) }).map(drop)
}

pub fn send_signal(pid: libc::pid_t, signal: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, signal);
    }
}

/// An anonymous in-memory file: written like a file, never part of the process's RSS.
pub fn memory_file(name: &std::ffi::CStr) -> io::Result<File> {
    // SAFETY: a valid NUL-terminated name and flags.
    let fd = check(unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) })?;
    // SAFETY: the descriptor was just created and is owned by nobody else.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// `_exit(2)`: ends the process without running destructors or flushing std's buffers (for a
/// forked child that must not touch its parent's state).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit never returns and needs nothing.
    unsafe { libc::_exit(code) }
}

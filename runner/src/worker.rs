//! Init and the worker. Init (pid 1 of the runner's namespace) forks the worker, waits for it,
//! and relays how it ended; the worker codes, in-process or by exec'ing the external command.

use crate::args::{Codec, Operation};
use crate::protocol::line;
use crate::sys::{self, Exit, Forked};
use crate::tasks::Cap;
use crate::{builtin, sandbox};
use std::ffi::CString;
use std::fs::File;
use std::io::Write;
use std::time::Instant;

/// Init's body; returns its exit status. `messages` goes to the supervisor; `alive` hangs up
/// when the supervisor is gone; `cap` bounds the tasks of the operation.
pub fn init(op: &Operation, mut messages: File, alive: &File, cap: &Cap) -> i32 {
    if sys::die_with_parent().is_err() || sys::hung_up(alive) {
        return 1;
    }
    let tasks = match cap.enter() {
        Ok(()) => cap.describe(),
        Err(e) => format!("unlimited: cannot join the cap: {e}"),
    };
    let shell = match &op.codec {
        Codec::Shell(command) => match ShellCommand::new(command) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("external command: {e}");
                return 1;
            }
        },
        Codec::Builtin { .. } => None,
    };
    if shell.is_some() {
        // Inherited by the command and everything it starts.
        if let Err(e) = sandbox::restrict_external(op) {
            eprintln!("{e}");
            return 1;
        }
    }
    let started = Instant::now();
    let worker = match sys::fork() {
        Ok(Forked::Child) => {
            let code = match &shell {
                Some(command) => command.exec(op),
                None => builtin::work(op, &mut messages),
            };
            // Flush what the worker printed, then end without unwinding into init's state.
            let _ = std::io::stderr().flush();
            sys::exit_now(code)
        }
        Ok(Forked::Parent(pid)) => pid,
        Err(e) => {
            eprintln!("cannot start the codec process: {e}");
            return 1;
        }
    };
    let usage = match sys::wait(worker) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("cannot wait for the codec process: {e}");
            return 1;
        }
    };
    let wall_s = started.elapsed().as_secs_f64();
    let mut text = match usage.exit {
        Exit::Code(c) => line("exit", c),
        Exit::Signal(s) => line("signal", s),
    };
    text += &line("wall_s", wall_s);
    text += &line("user_s", usage.user_s);
    text += &line("sys_s", usage.sys_s);
    text += &line("peak_rss_bytes", usage.peak_rss_bytes);
    text += &line("tasks", tasks);
    if messages.write_all(text.as_bytes()).is_err() {
        return 1;
    }
    0
}

/// `/bin/sh -c COMMAND`, prepared before the fork so the child only makes system calls. It
/// runs in the harness's working directory (so relative paths in a command work as typed);
/// the sandbox lets it write only in its scratch directory, its `TMPDIR`.
struct ShellCommand {
    argv: [CString; 3],
}

impl ShellCommand {
    fn new(command: &str) -> Result<Self, String> {
        let c = |s: &[u8]| CString::new(s).map_err(|_| "contains a NUL byte".to_string());
        Ok(ShellCommand {
            argv: [c(b"sh")?, c(b"-c")?, c(command.as_bytes())?],
        })
    }

    /// In the forked worker: limits, then exec. Returns only on failure.
    fn exec(&self, op: &Operation) -> i32 {
        if let Err(e) = apply_limits(op.max_memory, op.max_output) {
            eprintln!("cannot limit the external command: {e}");
            return 126;
        }
        // SAFETY: valid NUL-terminated strings; argv is NULL-terminated; exec replaces the
        // process image or returns -1.
        unsafe {
            let argv = [
                self.argv[0].as_ptr(),
                self.argv[1].as_ptr(),
                self.argv[2].as_ptr(),
                std::ptr::null(),
            ];
            libc::execv(c"/bin/sh".as_ptr(), argv.as_ptr());
        }
        eprintln!("cannot run /bin/sh: {}", std::io::Error::last_os_error());
        127
    }
}

/// Address space (bytes, if limited) and the size of any file written (the output's limit).
pub fn apply_limits(address_space: Option<u64>, file_size: u64) -> std::io::Result<()> {
    if let Some(bytes) = address_space {
        sys::set_limit(libc::RLIMIT_AS, bytes)?;
    }
    sys::set_limit(libc::RLIMIT_FSIZE, file_size)
}

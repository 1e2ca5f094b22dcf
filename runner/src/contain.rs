//! Containment: nothing a codec starts outlives its operation.
//!
//! The supervisor (the process the harness started) asks the kernel for SIGKILL when the
//! harness dies, then enters a new PID namespace (through a user namespace when it is not
//! root) and forks its init. Init forks the worker and waits for it; when init exits, the
//! kernel kills every process left in the namespace, including those that called `setsid` or
//! double-forked. Init dies with the supervisor and the supervisor with the harness, so a
//! harness killed by any signal takes the whole tree with it.
//!
//! Where the kernel refuses namespaces, the supervisor becomes a child subreaper instead:
//! orphans are re-parented to it and killed once the worker ended. That fallback cannot catch
//! an orphan of a supervisor that was itself killed; the report says which containment held.
//!
//! Every fork here happens before any thread exists in the forking process.

use crate::args::Operation;
use crate::protocol::line;
use crate::sys::{self, Forked};
use crate::tasks::Cap;
use crate::worker;
use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;

#[derive(Clone, Debug)]
enum Containment {
    /// `own_users`: through a user namespace of the runner's own.
    PidNamespace {
        own_users: bool,
    },
    Subreaper(String),
}

impl Containment {
    fn describe(&self) -> String {
        match self {
            Containment::PidNamespace { .. } => "pid-namespace".into(),
            Containment::Subreaper(why) => format!("subreaper: no PID namespace ({why})"),
        }
    }
}

/// Runs the operation and writes the report; the exit status is the runner's own (0 unless
/// the runner itself failed), never the codec's.
pub fn supervise(op: &Operation) -> ExitCode {
    sys::close_inherited_descriptors();
    if let Err(e) = sys::die_with_parent() {
        eprintln!("codec-runner: cannot tie the runner to the harness: {e}");
        return ExitCode::from(2);
    }
    if op.parent.is_some_and(|pid| pid != sys::parent_pid()) {
        // The harness died before the tie held.
        return ExitCode::from(2);
    }
    match run(op) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("codec-runner: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(op: &Operation) -> std::io::Result<()> {
    let mut report = File::create(&op.report)?;
    let containment = enter_namespace();
    let cap = Cap::prepare(matches!(
        containment,
        Containment::PidNamespace { own_users: true }
    ));
    let (mut messages, message_sink) = sys::pipe()?;
    let (alive, alive_sink) = sys::pipe()?;
    match sys::fork()? {
        Forked::Child => {
            drop(messages);
            drop(alive_sink);
            let code = worker::init(op, message_sink, &alive, &cap);
            sys::exit_now(code)
        }
        Forked::Parent(init) => {
            drop(message_sink);
            drop(alive);
            let usage = sys::wait(init);
            cap.remove();
            let usage = usage?;
            if matches!(containment, Containment::Subreaper(_)) {
                kill_descendants();
            }
            let mut relayed = String::new();
            // Writers are gone: init exited, the worker before it, and neither hands the pipe
            // to an exec'd command.
            let _ = messages.read_to_string(&mut relayed);
            let mut text = line("containment", containment.describe());
            if let sys::Exit::Signal(s) = usage.exit {
                // Init itself was killed (it never is by the codec in a namespace).
                text += &line("signal", s);
            }
            text += &relayed;
            report.write_all(text.as_bytes())?;
            drop(alive_sink);
            Ok(())
        }
    }
}

/// Moves the children of this process to be into a new PID namespace; as a non-root user
/// through a new user namespace mapping the user to itself.
fn enter_namespace() -> Containment {
    let (uid, gid) = sys::uid_gid();
    let direct = sys::unshare(libc::CLONE_NEWPID);
    if direct.is_ok() {
        return Containment::PidNamespace { own_users: false };
    }
    let through_user = sys::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWPID).and_then(|()| {
        std::fs::write("/proc/self/setgroups", "deny")?;
        std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
        std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
    });
    match through_user {
        Ok(()) => Containment::PidNamespace { own_users: true },
        Err(e) => {
            let why = format!("{}; {e}", direct.unwrap_err());
            match sys::become_subreaper() {
                Ok(()) => Containment::Subreaper(why),
                Err(e2) => Containment::Subreaper(format!("{why}; nor a subreaper: {e2}")),
            }
        }
    }
}

/// Whether this kernel lets the runner create PID namespaces (tried in a throw-away child).
pub fn namespace_available() -> bool {
    match sys::fork() {
        Ok(Forked::Child) => {
            let ok = matches!(enter_namespace(), Containment::PidNamespace { .. });
            sys::exit_now(if ok { 0 } else { 1 })
        }
        Ok(Forked::Parent(pid)) => sys::wait(pid).is_ok_and(|u| u.exit == sys::Exit::Code(0)),
        Err(_) => false,
    }
}

/// Kills and reaps every remaining descendant (they are re-parented to this subreaper as
/// their parents die), until none is left.
fn kill_descendants() {
    loop {
        let children = children_of(std::process::id() as libc::pid_t);
        if children.is_empty() {
            while sys::reap_any().is_some() {}
            return;
        }
        for pid in &children {
            sys::send_signal(*pid, libc::SIGKILL);
        }
        for pid in children {
            let _ = sys::wait(pid);
        }
    }
}

fn children_of(parent: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter(|&pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    // The fields after the parenthesised command name: state, then ppid.
                    let rest = stat.rsplit_once(')')?.1;
                    rest.split_whitespace().nth(1)?.parse::<libc::pid_t>().ok()
                })
                == Some(parent)
        })
        .collect()
}

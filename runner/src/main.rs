//! `codec-runner`: the harness's measuring hand. It runs one codec operation, input on stdin
//! and output on stdout (both open files), and writes what happened to a report file.
//!
//! Three processes take part (see [`contain`]):
//! - the supervisor (this process as started) dies with the harness, puts what follows in a
//!   PID namespace of its own, and writes the report;
//! - the namespace's init waits for the worker and relays how it ended; when it exits, the
//!   kernel kills every process left in the namespace, whatever session or group it is in;
//! - the worker codes: in-process for a built-in codec (sandboxed, timed around the codec call
//!   on in-memory buffers) or by exec'ing `/bin/sh -c COMMAND` for an external one.
//!
//! `codec-runner --probe` prints what this kernel lets the runner enforce and which sources it
//! was built from; `codec-runner --sources CHECKOUT` the state of those sources in a checkout.

mod args;
mod builtin;
mod contain;
mod memory;
mod probes;
mod protocol;
mod sandbox;
mod sources;
mod sys;
mod tasks;
mod worker;

use std::process::ExitCode;

/// Large Rust allocations are advised onto transparent huge pages, for every codec alike.
#[global_allocator]
static ALLOCATOR: memory::HugePageAllocator = memory::HugePageAllocator;

fn main() -> ExitCode {
    match args::parse(std::env::args_os().skip(1)) {
        Ok(args::Request::Probe) => {
            print!("{}", protocol::probe_text());
            ExitCode::SUCCESS
        }
        Ok(args::Request::Sources(checkout)) => {
            print!("{}", protocol::sources_text(&sources::state(&checkout)));
            ExitCode::SUCCESS
        }
        Ok(args::Request::Operate(op)) => contain::supervise(&op),
        Err(e) => {
            eprintln!("codec-runner: {e}\n{}", args::USAGE);
            ExitCode::from(2)
        }
    }
}

//! The tiny workspace's runner: the `codec-runner` protocol for the candidate only (input file
//! on stdin, output file on stdout, `--op compress|decompress`, how the codec ended written to
//! the `--report` file as `exit=N`; `--probe` says it enforces nothing), linking `codec`. No
//! sandbox and no timing of its own: the loop's tests judge the loop, not the runner.
use std::fs::File;
use std::os::fd::FromRawFd;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--probe") {
        // Enforces nothing: the judge warns that codecs run unsandboxed.
        println!("landlock_abi=\nseccomp=false\npid_namespace=false\ngit_commit=unknown");
        return;
    }
    let value = |flag: &str| {
        args.windows(2)
            .find(|w| w[0] == flag)
            .map(|w| w[1].clone())
            .unwrap_or_default()
    };
    let op = value("--op");
    let report = value("--report");
    // SAFETY: the harness hands over the input and the output as descriptors 0 and 1, both
    // open files this process owns from here on.
    let (input, output) = unsafe { (File::from_raw_fd(0), File::from_raw_fd(1)) };
    let result = match op.as_str() {
        "compress" => codec::compress(input, output),
        "decompress" => codec::decompress(input, output),
        other => {
            eprintln!("codec-runner: unknown --op {other:?}");
            std::process::exit(2);
        }
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{op}: {e}");
            1
        }
    };
    if let Err(e) = std::fs::write(&report, format!("exit={code}\n")) {
        eprintln!("codec-runner: cannot write the report {report}: {e}");
        std::process::exit(2);
    }
}

//! Finds the project root so `datasets/` and `results/` resolve from any working directory.

use std::path::{Path, PathBuf};

/// The nearest ancestor of the current directory holding a workspace `Cargo.toml` beside a
/// `codec/` directory; the current directory when there is none.
pub fn root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

/// Whether `dir` is the workspace root: a `Cargo.toml` with `[workspace]` beside `codec/`.
pub fn is_root(dir: &Path) -> bool {
    dir.join("codec").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
}

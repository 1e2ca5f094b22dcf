//! Human-readable output of a run.

pub mod table;

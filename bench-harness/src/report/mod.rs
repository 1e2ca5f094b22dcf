//! Human-readable output of a run.

pub mod charts;
pub mod html;
pub mod svg;
pub mod table;

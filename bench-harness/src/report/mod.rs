//! Human-readable output of a run.

pub mod charts;
pub mod export;
pub mod html;
pub mod labels;
pub mod pick;
pub mod sections;
pub mod svg;
pub mod table;

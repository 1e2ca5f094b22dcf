//! What an autonomous optimisation loop needs around the codec: the guard of its boundary,
//! comparisons that know about timing noise, and the loop itself.

pub mod args;
pub mod commands;
pub mod compare;
pub mod cycle;
pub mod decide;
pub mod figures;
pub mod git;
pub mod guard;
pub mod objective;
pub mod source;

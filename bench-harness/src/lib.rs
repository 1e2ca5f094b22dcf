//! The `harness` library: datasets, codecs, child-process runner, checks, metrics, reports.

pub mod agent;
pub mod catalog;
pub mod cli;
pub mod codecs;
pub mod dataset;
pub mod fetch;
pub mod history;
pub mod metrics;
pub mod progress;
pub mod provenance;
pub mod redact;
pub mod report;
pub mod run;
pub mod runner;
pub mod score;
pub mod workspace;

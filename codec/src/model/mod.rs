//! Modelling primitives shared by the per-type models.

pub mod adaptive_bit;
pub mod apm;
pub mod bithistory;
pub mod huge;
pub mod logistic;
pub mod logit16;
pub mod mixer;
pub mod nibble_table;
pub mod prefetch;
pub mod statemap;
pub mod zeroed;

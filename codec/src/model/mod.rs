//! Modelling primitives shared by the per-type models.

pub mod logistic;

//! splitbrain: learn distributed-systems patterns by breaking live, simulated clusters.
//!
//! Layers, each depending only on those before it:
//! [`sim`] (the deterministic engine) ← [`scenarios`] (the node state machines of
//! each lesson) ← [`lesson`] (lesson files, objectives, runs) ← the command line.

pub mod cli;
pub mod lesson;
pub mod scenarios;
pub mod sim;
pub mod ui;

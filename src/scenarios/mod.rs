//! Scenarios: the node state machines behind each lesson, and what each one
//! exposes (roles, knobs, commands, metrics, panels) so the layers above can
//! check lesson files against it and draw it without knowing it.
//!
//! The kit every scenario is written with: [`Role`] and [`roles!`] for its
//! node types, [`knobs!`] and [`choices!`] for its settings, [`Panel`]s for
//! what the interface draws, and a [`ScenarioSpec`] that declares it all.

pub mod deadlock;
pub mod distributed_lock;
pub mod echo;
pub mod failover;
pub mod flaky_dependency;
pub mod knob;
pub mod lost_update;
mod panel;
mod role;
mod spec;

pub use knob::{KnobKind, KnobSpec};
pub use panel::{Panel, Tone, labelled, lock_held_metric, lock_metric_specs, lock_waiting_metric};
pub use role::Role;
pub use spec::{
    CommandSpec, Count, MetricSpec, NodeDef, RoleSpec, Roles, ScenarioSpec, Setup, new_sim,
};

/// Every scenario the program knows, by id.
pub fn registry() -> Vec<&'static ScenarioSpec> {
    vec![
        &flaky_dependency::SPEC,
        &failover::SPEC,
        &echo::SPEC,
        &lost_update::SPEC,
        &deadlock::SPEC,
        &distributed_lock::SPEC,
    ]
}

pub fn find(id: &str) -> Option<&'static ScenarioSpec> {
    registry().into_iter().find(|s| s.id == id)
}

//! Scenarios: the node state machines behind each lesson, and what each one
//! exposes (knobs, commands, metrics, panels) so the layers above can check
//! lesson files against it and draw it without knowing it.

pub mod deadlock;
pub mod distributed_lock;
pub mod echo;
pub mod failover;
pub mod flaky_dependency;
pub mod lost_update;
mod spec;

pub use spec::{
    CommandSpec, KnobKind, KnobSpec, MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, Tone,
    lock_held_metric, lock_metric_specs, lock_waiting_metric, new_sim,
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

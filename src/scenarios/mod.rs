//! Scenarios: the node state machines behind each lesson, and what each one
//! exposes (roles, knobs, commands, metrics, panels) so the layers above can
//! check lesson files against it and draw it without knowing it.
//!
//! The kit every scenario is written with: [`Role`] and [`roles!`](crate::roles) for its
//! node types, [`knobs!`](crate::knobs) and [`choices!`](crate::choices) for its settings, [`Panel`]s for
//! what the interface draws, and a [`ScenarioSpec`] that declares it all.

pub mod knob;
mod panel;
mod role;
mod spec;
pub mod tables;

pub use knob::{KnobKind, KnobSpec};
pub use panel::{Panel, Tone, labelled, lock_held_metric, lock_metric_specs, lock_waiting_metric};
pub use role::Role;
pub use spec::{
    CommandSpec, Count, MetricSpec, NodeDef, RoleSpec, Roles, ScenarioSpec, Setup, new_sim,
};

/// Declares each scenario's module and lists its `SPEC` in the registry:
/// a scenario is registered by its name here and nowhere else.
macro_rules! scenarios {
    ($($module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// Every scenario the program knows, in the order listed.
        pub fn registry() -> Vec<&'static ScenarioSpec> {
            vec![$(&$module::SPEC),+]
        }
    };
}

scenarios! {
    flaky_dependency,
    failover,
    echo,
    lost_update,
    deadlock,
    distributed_lock,
    message_passing,
    charge_once,
    order_queue,
    retry_storm,
    event_sourcing,
    event_driven,
}

pub fn find(id: &str) -> Option<&'static ScenarioSpec> {
    registry().into_iter().find(|s| s.id == id)
}

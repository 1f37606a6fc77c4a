//! `flaky-dependency`: a front end that depends on two services, one of
//! which goes bad, and the patterns that keep the bad one from taking the
//! good one down with it.
//!
//! Cluster: one or more `client`s send requests to endpoints A and B of one
//! `frontend`; the front end serves A by calling the first `dependency` node
//! and B by calling the second. Scripts make a dependency `hang`, `fail` or
//! `recover`.
//!
//! With every knob off, a hanging B holds the shared thread pool's threads for
//! seconds per request, the pool fills, and A's requests queue behind B's or
//! are turned away: a cascade. Timeouts bound the wait, a circuit breaker
//! stops the waiting altogether, a bulkhead keeps B's trouble in B's own pool,
//! and a fallback turns B's failures into degraded answers.
//!
//! Modules: [`breaker`] and [`pool`] are pure state machines; [`client`],
//! [`frontend`] and [`dependency`] are the roles, tied into one simulator
//! node type, [`FlakyNode`], here.

pub mod breaker;
pub mod client;
pub mod config;
pub mod dependency;
pub mod frontend;
pub mod judge;
pub mod metrics;
pub mod msg;
pub mod pool;

use super::{CommandSpec, NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, Tone, new_sim};
use crate::roles;
use crate::sim::Sim;
use client::Client;
pub use config::Settings;
use dependency::Dependency;
use frontend::Frontend;
pub use judge::Judge;
pub use msg::{Ep, Msg, Timer};

roles! {
    /// A node of the flaky-dependency cluster.
    pub enum FlakyNode { msg: Msg, timer: Timer, world: Judge }
    Client(Client) as_client,
    Frontend(Frontend) as_frontend,
    Dependency(Dependency) as_dependency,
}

fn panels(_: &[NodeDef]) -> Vec<Panel> {
    let states = vec![
        (breaker::OFF_GAUGE, "off", Tone::Neutral),
        (0.0, "CLOSED", Tone::Good),
        (1.0, "OPEN", Tone::Bad),
        (2.0, "HALF_OPEN", Tone::Warn),
    ];
    vec![
        Panel::StateTimeline {
            title: "Breaker A".into(),
            metric: "breaker.a.state".into(),
            states: states.clone(),
        },
        Panel::StateTimeline {
            title: "Breaker B".into(),
            metric: "breaker.b.state".into(),
            states,
        },
        Panel::gauges(
            "Front-end threads",
            &[
                ("pool.a.busy", "busy on A"),
                ("pool.b.busy", "busy on B"),
                ("pool.queued", "queued"),
            ],
        ),
        Panel::rates(
            "Endpoint A",
            &[
                ("a.success", "success"),
                ("a.degraded", "degraded"),
                ("a.failed", "failed"),
            ],
        ),
        Panel::rates(
            "Endpoint B",
            &[
                ("b.success", "success"),
                ("b.degraded", "degraded"),
                ("b.failed", "failed"),
            ],
        ),
        Panel::latencies("Client latency", &[("a.latency", "A"), ("b.latency", "B")]),
        Panel::NodeTable {
            title: "Nodes".into(),
            columns: vec![
                "mode",
                "waiting",
                "pools",
                "threads",
                "breaker a",
                "breaker b",
                "ok/degraded/failed",
            ],
        },
    ]
}

/// The cluster `setup` describes: exactly one `frontend`, exactly two
/// `dependency` nodes (the first backs endpoint A, the second B) and at least
/// one `client`.
pub fn build_sim(setup: &Setup) -> Result<Sim<FlakyNode>, String> {
    SPEC.check_roles(setup)?;
    let frontend = setup.with_role("frontend")[0];
    let deps = setup.with_role("dependency");
    let settings = Settings::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "client" => Client::new(frontend, settings.clone()).into(),
            "frontend" => Frontend::new([deps[0], deps[1]], settings.clone()).into(),
            _ => {
                let ep = if i == deps[0] { Ep::A } else { Ep::B };
                Dependency::new(ep, settings.clone()).into()
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "flaky-dependency",
    summary: "A front end calls two dependencies; one hangs, fails and recovers. Timeouts, retries, a circuit breaker, bulkheads and fallbacks decide whether the other endpoint survives.",
    roles: Roles(&[
        RoleSpec::at_least(1, "client"),
        RoleSpec::exactly(1, "frontend"),
        RoleSpec::exactly(2, "dependency").note("A then B"),
    ]),
    knobs: Settings::knobs,
    commands: &[
        CommandSpec {
            name: "hang",
            roles: &["dependency"],
            description: "From now on, answer each call only after `hang_time`.",
        },
        CommandSpec {
            name: "fail",
            roles: &["dependency"],
            description: "Answer every call at once with an error (hard down); waiting calls get errors too.",
        },
        CommandSpec {
            name: "recover",
            roles: &["dependency"],
            description: "Back to healthy; waiting calls are answered at once.",
        },
    ],
    metrics: |_| metrics::specs(),
    panels,
    headline: &["a.failed", "b.failed"],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

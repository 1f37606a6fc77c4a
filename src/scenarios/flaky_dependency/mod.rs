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
//! [`frontend`] and [`dependency`] are the roles; [`nodes`] ties them into one
//! simulator node type.

pub mod breaker;
pub mod client;
pub mod dependency;
pub mod frontend;
pub mod metrics;
pub mod nodes;
pub mod pool;
pub mod settings;

use super::spec::{CommandSpec, MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, Tone, new_sim};
use crate::sim::{Cluster, Sim};
use client::Client;
use dependency::Dependency;
use frontend::Frontend;
pub use nodes::{Ep, FlakyNode, World};
use settings::Settings;

fn metric_specs(_: &[NodeDef]) -> Vec<MetricSpec> {
    metrics::specs()
}

fn panels(_: &[NodeDef]) -> Vec<Panel> {
    let pair = |a: &str, b: &str| vec![(a.to_string(), "A".to_string()), (b.into(), "B".into())];
    let labelled = |items: &[(&str, &str)]| {
        items
            .iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect::<Vec<_>>()
    };
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
        Panel::Gauges {
            title: "Front-end threads".into(),
            metrics: labelled(&[
                ("pool.a.busy", "busy on A"),
                ("pool.b.busy", "busy on B"),
                ("pool.queued", "queued"),
            ]),
            max: None,
        },
        Panel::Rates {
            title: "Endpoint A".into(),
            metrics: labelled(&[
                ("a.success", "success"),
                ("a.degraded", "degraded"),
                ("a.failed", "failed"),
            ]),
        },
        Panel::Rates {
            title: "Endpoint B".into(),
            metrics: labelled(&[
                ("b.success", "success"),
                ("b.degraded", "degraded"),
                ("b.failed", "failed"),
            ]),
        },
        Panel::Latencies {
            title: "Client latency".into(),
            metrics: pair("a.latency", "b.latency"),
        },
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
    let frontends = setup.with_role("frontend");
    let deps = setup.with_role("dependency");
    let clients = setup.with_role("client");
    if frontends.len() != 1 {
        return Err(format!(
            "flaky-dependency needs exactly one node with role `frontend`, found {}",
            frontends.len()
        ));
    }
    if deps.len() != 2 {
        return Err(format!(
            "flaky-dependency needs exactly two nodes with role `dependency` (A then B), found {}",
            deps.len()
        ));
    }
    if clients.is_empty() {
        return Err("flaky-dependency needs at least one node with role `client`".into());
    }
    if let Some(other) = setup
        .nodes
        .iter()
        .find(|n| !SPEC.roles.contains(&n.role.as_str()))
    {
        return Err(format!(
            "flaky-dependency has no role `{}` (node `{}`): use client, frontend or dependency",
            other.role, other.name
        ));
    }
    let settings = Settings::from_setup(setup);
    let frontend = frontends[0];
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "client" => FlakyNode::Client(Client::new(frontend, settings.clone())),
            "frontend" => FlakyNode::Frontend(Box::new(Frontend::new(
                [deps[0], deps[1]],
                settings.clone(),
            ))),
            _ => {
                let ep = if i == deps[0] { Ep::A } else { Ep::B };
                FlakyNode::Dependency(Dependency::new(ep, settings.clone()))
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "flaky-dependency",
    summary: "A front end calls two dependencies; one hangs, fails and recovers. Timeouts, retries, a circuit breaker, bulkheads and fallbacks decide whether the other endpoint survives.",
    roles: &["client", "frontend", "dependency"],
    knobs: settings::knobs,
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
    metrics: metric_specs,
    panels,
    build,
};

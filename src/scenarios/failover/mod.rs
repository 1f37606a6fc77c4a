//! Failover: a primary and its replicas, and what happens when the primary
//! dies (or only seems to).
//!
//! Redundancy buys availability only if someone notices the failure and
//! another copy takes over: a failure detector (heartbeats and a timeout), an
//! election (randomised timeouts so candidates rarely collide) and epochs, so
//! everyone can tell the new primary from the old. How much a failover costs
//! depends on two choices this scenario exposes as knobs:
//!
//! - `replication`: acknowledge a write once the primary has it (async, fast,
//!   and whatever had not been shipped dies with the primary), once every
//!   replica has it (sync, safe, and stuck while any replica is down), or
//!   once a majority has it (quorum, safe and available).
//! - `fencing`: whether replicas refuse orders from an older epoch. Without
//!   it a primary that was cut off, not dead, keeps acknowledging writes next
//!   to its successor: split brain.
//!
//! The replication log follows Raft (AppendEntries with a consistency check,
//! RequestVote with the up-to-date rule, the own-epoch commit rule). A
//! [`Judge`] watches from outside and counts the broken promises.

mod client;
mod config;
mod judge;
mod log;
mod metrics;
mod msg;
mod replica;

pub use client::Client;
pub use config::{Config, Replication};
pub use judge::Judge;
pub use log::Log;
pub use msg::{Entry, Msg, Refusal, Timer, WriteId};
pub use replica::{Replica, Role};

use super::spec::{MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, Tone, new_sim};
use crate::sim::{Cluster, Ctx, KnobValue, Node, Sim};
use std::sync::Arc;

/// A node of the failover cluster.
#[derive(Clone, Debug)]
pub enum FailoverNode {
    Replica(Box<Replica>),
    Client(Box<Client>),
}

impl FailoverNode {
    pub fn as_replica(&self) -> Option<&Replica> {
        match self {
            FailoverNode::Replica(r) => Some(r),
            FailoverNode::Client(_) => None,
        }
    }
}

impl Node for FailoverNode {
    type Msg = Msg;
    type Timer = Timer;
    type World = Judge;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            FailoverNode::Replica(r) => r.on_start(ctx),
            FailoverNode::Client(c) => c.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Msg) {
        match self {
            FailoverNode::Replica(r) => r.on_message(ctx, from, msg),
            FailoverNode::Client(c) => c.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            FailoverNode::Replica(r) => r.on_timer(ctx, timer),
            FailoverNode::Client(c) => c.on_timer(ctx, timer),
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            FailoverNode::Replica(r) => r.on_crash(ctx),
            FailoverNode::Client(c) => c.on_crash(),
        }
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, Self>, name: &str, value: &KnobValue) {
        match self {
            FailoverNode::Replica(r) => r.set_knob(name, value),
            FailoverNode::Client(c) => c.on_knob(ctx, name, value),
        }
    }

    fn role(&self) -> &str {
        match self {
            FailoverNode::Replica(r) => match r.role() {
                Role::Primary => "primary",
                Role::Candidate => "candidate",
                Role::Follower => "replica",
            },
            FailoverNode::Client(_) => "client",
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            FailoverNode::Replica(r) => vec![
                ("role", self.role().to_string()),
                ("epoch", r.epoch().to_string()),
                ("log", r.log().len().to_string()),
                ("commit", r.commit().to_string()),
                ("voted", r.voted_for().unwrap_or("-").to_string()),
            ],
            FailoverNode::Client(c) => c.facts(),
        }
    }
}

fn metric_specs(nodes: &[NodeDef]) -> Vec<MetricSpec> {
    metrics::specs(nodes)
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    let lag = nodes
        .iter()
        .filter(|n| n.role == "replica")
        .map(|n| (metrics::lag_metric(&n.name), n.name.clone()))
        .collect();
    vec![
        Panel::NodeTable {
            title: "Replicas".into(),
            columns: vec!["role", "epoch", "log", "commit"],
        },
        Panel::StateTimeline {
            title: "Primaries".into(),
            metric: metrics::PRIMARIES.into(),
            states: vec![
                (0.0, "none", Tone::Warn),
                (1.0, "one", Tone::Good),
                (2.0, "split brain", Tone::Bad),
            ],
        },
        Panel::Gauges {
            title: "Replication lag (entries)".into(),
            metrics: lag,
            max: None,
        },
        Panel::Rates {
            title: "Writes".into(),
            metrics: pairs(&[(metrics::ACKED, "acked"), (metrics::FAILED, "failed")]),
        },
        Panel::Totals {
            title: "Broken promises".into(),
            metrics: pairs(&[
                (metrics::ACKED_LOST, "acked writes lost"),
                (metrics::SPLIT_BRAIN, "split-brain writes"),
                (metrics::FAILED, "writes failed"),
                (metrics::STALE, "stale reads"),
            ]),
        },
        Panel::Latencies {
            title: "Failover".into(),
            metrics: pairs(&[
                (metrics::DETECTION, "detection"),
                (metrics::UNAVAILABLE, "unavailable"),
                (metrics::LATENCY, "write latency"),
            ]),
        },
    ]
}

/// The failover cluster: `replica` nodes (the first starts as primary of
/// epoch 1) and `client` nodes.
pub fn build_sim(setup: &Setup) -> Result<Sim<FailoverNode>, String> {
    let replicas: Arc<[usize]> = setup.with_role("replica").into();
    let clients = setup.with_role("client");
    if replicas.len() < 2 {
        return Err(format!(
            "failover needs at least 2 nodes with role `replica` (found {})",
            replicas.len()
        ));
    }
    if clients.is_empty() {
        return Err("failover needs at least one node with role `client`".into());
    }
    if let Some(other) = setup
        .nodes
        .iter()
        .find(|n| n.role != "replica" && n.role != "client")
    {
        return Err(format!(
            "node `{}` has role `{}`; failover clusters declare only `replica` and `client` nodes",
            other.name, other.role
        ));
    }
    if setup.nodes.len() > u16::MAX as usize {
        return Err("failover supports at most 65535 nodes".into());
    }
    let cfg = Config::from_setup(setup);
    let names: Arc<[String]> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "replica" => {
                let pos = replicas.iter().position(|&r| r == i).expect("a replica");
                FailoverNode::Replica(Box::new(Replica::new(
                    replicas.clone(),
                    names.clone(),
                    pos,
                    pos == 0,
                    cfg,
                )))
            }
            _ => FailoverNode::Client(Box::new(Client::new(replicas.clone(), names.clone(), cfg))),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metric_specs(&setup.nodes)))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "failover",
    summary: "A primary, its replicas and clients: kill or cut off the primary and watch \
              failover lose writes or split the brain, unless quorums and fencing stop it.",
    roles: &["replica", "client", "primary", "candidate"],
    knobs: config::knobs,
    commands: &[],
    metrics: metric_specs,
    panels,
    build,
};

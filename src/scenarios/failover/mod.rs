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

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, Tone, new_sim};
use crate::roles;
use crate::sim::Sim;
use std::sync::Arc;

roles! {
    /// A node of the failover cluster.
    pub enum FailoverNode { msg: Msg, timer: Timer, world: Judge }
    Replica(Replica) as_replica,
    Client(Client) as_client,
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
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
        Panel::rates(
            "Writes",
            &[(metrics::ACKED, "acked"), (metrics::FAILED, "failed")],
        ),
        Panel::totals(
            "Broken promises",
            &[
                (metrics::ACKED_LOST, "acked writes lost"),
                (metrics::SPLIT_BRAIN, "split-brain writes"),
                (metrics::FAILED, "writes failed"),
                (metrics::STALE, "stale reads"),
            ],
        ),
        Panel::latencies(
            "Failover",
            &[
                (metrics::DETECTION, "detection"),
                (metrics::UNAVAILABLE, "unavailable"),
                (metrics::LATENCY, "write latency"),
            ],
        ),
    ]
}

/// The failover cluster: `replica` nodes (the first starts as primary of
/// epoch 1) and `client` nodes.
pub fn build_sim(setup: &Setup) -> Result<Sim<FailoverNode>, String> {
    SPEC.check_roles(setup)?;
    let replicas: Arc<[usize]> = setup.with_role("replica").into();
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
                Replica::new(replicas.clone(), names.clone(), pos, pos == 0, cfg).into()
            }
            _ => Client::new(replicas.clone(), names.clone(), cfg).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs(&setup.nodes)))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "failover",
    summary: "A primary, its replicas and clients: kill or cut off the primary and watch \
              failover lose writes or split the brain, unless quorums and fencing stop it.",
    roles: Roles(&[
        RoleSpec::at_least(2, "replica").note("the first starts as primary"),
        RoleSpec::at_least(1, "client"),
        RoleSpec::taken("primary"),
        RoleSpec::taken("candidate"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: metrics::specs,
    panels,
    headline: &[metrics::ACKED_LOST, metrics::SPLIT_BRAIN],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

//! Lost update: clients add one to a shared stock count held by a store,
//! across a network with latency.
//!
//! Reading the count and writing back what was read plus one loses updates
//! whenever two clients read before either writes: the second write erases
//! the first (anomaly P4 in the critique of the ANSI isolation levels). The
//! `strategy` knob picks a cure, or none:
//!
//! - `rmw`: read, then write back plus one. Loses updates.
//! - `atomic`: the store adds one itself (`UPDATE … SET n = n + 1`).
//! - `optimistic`: read count and version, compare-and-set on the version,
//!   read again and retry on a conflict (HTTP `If-Match`, Kubernetes
//!   `resourceVersion`).
//! - `pessimistic`: take the lock from a lock server first, then read and
//!   write (`SELECT … FOR UPDATE`).
//! - `actor`: mail the increment to the count's single owner, which applies
//!   its mailbox in order; a client may have several on their way.
//!
//! The store serves one request at a time (`store_time` each), so it can
//! saturate: retries of optimistic clients then cost real capacity, which is
//! why blocking overtakes optimism as contention grows. A [`Judge`] watches
//! what the count should be, what it is, and who believes it holds the lock.

mod client;
mod config;
mod judge;
mod lock_server;
pub mod metrics;
mod msg;
mod store;

pub use client::{Client, Op, Stage};
pub use config::{Config, MAX_CLIENTS, PIPELINE, Strategy};
pub use judge::Judge;
pub use lock_server::LockServer;
pub use msg::{Msg, Timer};
pub use store::Store;

use super::spec::{MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, new_sim};
use crate::sim::{Cluster, Ctx, KnobValue, LockView, Node, Sim};
use std::sync::Arc;

/// A node of the lost-update cluster.
#[derive(Clone, Debug)]
pub enum LostUpdateNode {
    Store(Box<Store>),
    Locks(Box<LockServer>),
    Client(Box<Client>),
}

impl LostUpdateNode {
    pub fn as_store(&self) -> Option<&Store> {
        match self {
            LostUpdateNode::Store(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_lock_server(&self) -> Option<&LockServer> {
        match self {
            LostUpdateNode::Locks(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_client(&self) -> Option<&Client> {
        match self {
            LostUpdateNode::Client(c) => Some(c),
            _ => None,
        }
    }
}

impl Node for LostUpdateNode {
    type Msg = Msg;
    type Timer = Timer;
    type World = Judge;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LostUpdateNode::Store(s) => s.on_start(ctx),
            LostUpdateNode::Locks(l) => l.on_start(ctx),
            LostUpdateNode::Client(c) => c.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Msg) {
        match self {
            LostUpdateNode::Store(s) => s.on_message(ctx, from, msg),
            LostUpdateNode::Locks(l) => l.on_message(ctx, from, msg),
            LostUpdateNode::Client(c) => c.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        if let LostUpdateNode::Store(s) = self {
            s.on_timer(ctx, timer);
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LostUpdateNode::Store(s) => s.on_crash(),
            LostUpdateNode::Locks(l) => l.on_crash(),
            LostUpdateNode::Client(c) => c.on_crash(ctx),
        }
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, Self>, name: &str, value: &KnobValue) {
        match self {
            LostUpdateNode::Store(s) => s.on_knob(ctx, name, value),
            LostUpdateNode::Locks(_) => {}
            LostUpdateNode::Client(c) => c.on_knob(ctx, name, value),
        }
    }

    fn role(&self) -> &str {
        match self {
            LostUpdateNode::Store(_) => "store",
            LostUpdateNode::Locks(_) => "lock-server",
            LostUpdateNode::Client(c) => c.role(),
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            LostUpdateNode::Store(s) => s.facts(),
            LostUpdateNode::Locks(l) => l.facts(),
            LostUpdateNode::Client(c) => c.facts(),
        }
    }

    fn locks(&self) -> Vec<LockView> {
        match self {
            LostUpdateNode::Locks(l) => l.locks(),
            _ => Vec::new(),
        }
    }
}

fn metric_specs(_nodes: &[NodeDef]) -> Vec<MetricSpec> {
    metrics::specs()
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    vec![
        Panel::Gauges {
            title: "Stock count".into(),
            metrics: pairs(&[(metrics::EXPECTED, "expected"), (metrics::ACTUAL, "actual")]),
            max: None,
        },
        Panel::Totals {
            title: "Increments".into(),
            metrics: pairs(&[
                (metrics::DONE, "done"),
                (metrics::LOST, "lost updates"),
                (metrics::CONFLICTS, "conflicts"),
                (metrics::RETRIES, "retries"),
            ]),
        },
        Panel::Rates {
            title: "Throughput".into(),
            metrics: pairs(&[
                (metrics::DONE, "increments"),
                (metrics::CONFLICTS, "conflicts"),
                (metrics::RETRIES, "retries"),
            ]),
        },
        Panel::Latencies {
            title: "Waiting".into(),
            metrics: pairs(&[
                (metrics::LOCK_WAIT, "lock wait"),
                (metrics::LATENCY, "increment"),
            ]),
        },
        Panel::LockTable {
            title: "Lock table".into(),
        },
        Panel::Contention {
            title: "Contention".into(),
            locks: vec![metrics::LOCK.into()],
        },
    ]
}

/// The cluster: one `store`, one `lock-server` and `client` nodes (at most
/// ten work; the `clients` knob says how many).
pub fn build_sim(setup: &Setup) -> Result<Sim<LostUpdateNode>, String> {
    let one = |role: &str| -> Result<usize, String> {
        match setup.with_role(role).as_slice() {
            [i] => Ok(*i),
            found => Err(format!(
                "lost-update needs exactly one node with role `{role}` (found {})",
                found.len()
            )),
        }
    };
    let store = one("store")?;
    let lock_server = one("lock-server")?;
    let clients = setup.with_role("client");
    if clients.is_empty() {
        return Err("lost-update needs at least one node with role `client`".into());
    }
    if let Some(other) = setup
        .nodes
        .iter()
        .find(|n| !["store", "lock-server", "client"].contains(&n.role.as_str()))
    {
        return Err(format!(
            "node `{}` has role `{}`; lost-update clusters declare only `store`, \
             `lock-server` and `client` nodes",
            other.name, other.role
        ));
    }
    let cfg = Config::from_setup(setup);
    let names: Arc<[String]> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "store" => LostUpdateNode::Store(Box::new(Store::new(cfg))),
            "lock-server" => LostUpdateNode::Locks(Box::new(LockServer::new(names.clone()))),
            _ => {
                let rank = clients.iter().position(|&c| c == i).unwrap_or(usize::MAX);
                LostUpdateNode::Client(Box::new(Client::new(cfg, rank, store, lock_server)))
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metric_specs(&setup.nodes)))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "lost-update",
    summary: "Clients add one to a shared count over a network: read-modify-write loses \
              updates; atomic increments, compare-and-set, a lock or a single owner do not.",
    roles: &["store", "lock-server", "client", "holder"],
    knobs: config::knobs,
    commands: &[],
    metrics: metric_specs,
    panels,
    build,
};

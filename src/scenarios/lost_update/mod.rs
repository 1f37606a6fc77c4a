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

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;
use std::sync::Arc;

roles! {
    /// A node of the lost-update cluster.
    pub enum LostUpdateNode { msg: Msg, timer: Timer, world: Judge }
    Store(Store) as_store,
    Locks(LockServer) as_lock_server,
    Client(Client) as_client,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    vec![
        Panel::gauges(
            "Stock count",
            &[(metrics::EXPECTED, "expected"), (metrics::ACTUAL, "actual")],
        ),
        Panel::totals(
            "Increments",
            &[
                (metrics::DONE, "done"),
                (metrics::LOST, "lost updates"),
                (metrics::CONFLICTS, "conflicts"),
                (metrics::RETRIES, "retries"),
            ],
        ),
        Panel::rates(
            "Throughput",
            &[
                (metrics::DONE, "increments"),
                (metrics::CONFLICTS, "conflicts"),
                (metrics::RETRIES, "retries"),
            ],
        ),
        Panel::latencies(
            "Waiting",
            &[
                (metrics::LOCK_WAIT, "lock wait"),
                (metrics::LATENCY, "increment"),
            ],
        ),
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
    SPEC.check_roles(setup)?;
    let store = setup.with_role("store")[0];
    let lock_server = setup.with_role("lock-server")[0];
    let clients = setup.with_role("client");
    let cfg = Config::from_setup(setup);
    let names: Arc<[String]> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "store" => Store::new(cfg).into(),
            "lock-server" => LockServer::new(names.clone()).into(),
            _ => {
                let rank = clients.iter().position(|&c| c == i).unwrap_or(usize::MAX);
                Client::new(cfg, rank, store, lock_server).into()
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "lost-update",
    summary: "Clients add one to a shared count over a network: read-modify-write loses \
              updates; atomic increments, compare-and-set, a lock or a single owner do not.",
    roles: Roles(&[
        RoleSpec::exactly(1, "store"),
        RoleSpec::exactly(1, "lock-server"),
        RoleSpec::at_least(1, "client"),
        RoleSpec::taken("holder"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::LOST],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

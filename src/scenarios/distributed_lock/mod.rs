//! Distributed lock: a lock is a lease, and a lease says nothing about when
//! its holder's write arrives.
//!
//! A lock service grants the lock `file` for a limited time, with a fencing
//! token that grows at every grant. Two clients take turns: each works with
//! the lock, checks that its lease is still running, prepares its write and
//! sends it to the storage with its token. A holder that freezes (a garbage
//! collection, say), a write that sits in the network, or a lock server whose
//! clock jumps can all make a write arrive after the lease has gone to the
//! other client. The knobs:
//!
//! - `fencing`: the storage refuses a write whose token is lower than the
//!   highest it has seen. That, not the lease, is what keeps it safe.
//! - `lease`: how long a grant lasts.
//! - `redlock`: five independent servers and a majority, with a validity of
//!   lease − elapsed − drift. No counter orders its grants, so the storage
//!   has no token to check.
//!
//! A [`Judge`] numbers the grants in the order the service made them, and
//! counts the writes the storage accepted after one made under a later grant.

mod client;
mod config;
mod judge;
pub mod metrics;
mod msg;
mod server;
mod store;

pub use client::Client;
pub use config::Config;
pub use judge::{GrantKey, Judge};
pub use msg::{Msg, Timer};
pub use server::Server;
pub use store::Store;

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, Tone, new_sim};
use crate::roles;
use crate::sim::Sim;
use std::sync::Arc;

/// Who is who, shared by every node.
#[derive(Debug)]
pub struct Topology {
    pub names: Vec<String>,
    /// The lock servers; with a single server only the first is used.
    pub servers: Vec<usize>,
    pub clients: Vec<usize>,
    pub store: usize,
    /// `lease.<client>` for each client, in client order.
    pub lease_metrics: Vec<String>,
    /// `holds.<client>` for each client, in client order.
    pub holds_metrics: Vec<String>,
}

impl Topology {
    /// The servers the lock lives on and how many of them make a holder.
    pub fn in_use(&self, redlock: bool) -> (&[usize], usize) {
        if redlock {
            (&self.servers, self.servers.len() / 2 + 1)
        } else {
            (&self.servers[..1], 1)
        }
    }
}

roles! {
    /// A node of the distributed-lock cluster.
    pub enum LockNode { msg: Msg, timer: Timer, world: Judge }
    Server(Server) as_server,
    Client(Client) as_client,
    Store(Store) as_store,
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
    let clients: Vec<&NodeDef> = nodes.iter().filter(|n| n.role == "client").collect();
    let mut spans = Vec::new();
    for c in &clients {
        spans.push((metrics::lease_metric(&c.name), format!("{} lease", c.name)));
        spans.push((
            metrics::holds_metric(&c.name),
            format!("{} believes", c.name),
        ));
    }
    let locks = nodes
        .iter()
        .filter(|n| n.role == "lock-server")
        .map(|n| metrics::lock_name(&n.name))
        .collect();
    vec![
        Panel::Spans {
            title: "Leases and fencing tokens".into(),
            metrics: spans,
        },
        Panel::StateTimeline {
            title: "Believed holders".into(),
            metric: metrics::HOLDERS.into(),
            states: vec![
                (0.0, "none", Tone::Neutral),
                (1.0, "one", Tone::Good),
                (2.0, "two at once", Tone::Bad),
            ],
        },
        Panel::totals(
            "Writes",
            &[
                (metrics::STALE, "stale accepted"),
                (metrics::ACCEPTED, "accepted"),
                (metrics::REJECTED, "refused: old token"),
                (metrics::ABANDONED, "dropped: lease over"),
            ],
        ),
        Panel::gauges("Storage", &[(metrics::MAX_TOKEN, "max token")]),
        Panel::LockTable {
            title: "Lock servers".into(),
        },
        Panel::rates(
            "Writes per second",
            &[
                (metrics::ACCEPTED, "accepted"),
                (metrics::REJECTED, "refused"),
            ],
        ),
        Panel::Contention {
            title: "Lock contention".into(),
            locks,
        },
    ]
}

/// The cluster: one or more `lock-server` nodes (Redlock uses five: it
/// needs an odd number, at least three), at least one `client` and exactly
/// one `storage`.
pub fn build_sim(setup: &Setup) -> Result<Sim<LockNode>, String> {
    SPEC.check_roles(setup)?;
    let servers = setup.with_role("lock-server");
    let clients = setup.with_role("client");
    let stores = setup.with_role("storage");
    let cfg = Config::from_setup(setup);
    let names: Vec<String> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let topo = Arc::new(Topology {
        lease_metrics: clients
            .iter()
            .map(|&c| metrics::lease_metric(&names[c]))
            .collect(),
        holds_metrics: clients
            .iter()
            .map(|&c| metrics::holds_metric(&names[c]))
            .collect(),
        names,
        servers,
        store: stores[0],
        clients: clients.clone(),
    });
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "lock-server" => Server::new(topo.clone(), &d.name, cfg).into(),
            "client" => {
                let pos = clients.iter().position(|&c| c == i).expect("a client");
                Client::new(topo.clone(), pos, cfg).into()
            }
            _ => Store::new(cfg).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs(&setup.nodes)))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "distributed-lock",
    summary: "A lock service grants leases with fencing tokens; two clients write to a storage. \
              A frozen holder, a delayed write or a jumping clock lets a stale write in, \
              unless the storage checks the tokens.",
    roles: Roles(&[
        RoleSpec::at_least(1, "lock-server").note("Redlock uses five"),
        RoleSpec::at_least(1, "client"),
        RoleSpec::taken("holder"),
        RoleSpec::exactly(1, "storage"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: metrics::specs,
    panels,
    headline: &[metrics::STALE],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

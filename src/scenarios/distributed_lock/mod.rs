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

use super::spec::{NodeDef, Panel, ScenarioSpec, Setup, Tone, new_sim};
use crate::sim::{Cluster, Ctx, KnobValue, LockView, Node, Sim};
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

/// A node of the distributed-lock cluster.
#[derive(Clone, Debug)]
pub enum LockNode {
    Server(Box<Server>),
    Client(Box<Client>),
    Store(Box<Store>),
}

impl Node for LockNode {
    type Msg = Msg;
    type Timer = Timer;
    type World = Judge;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LockNode::Server(s) => s.on_start(ctx),
            LockNode::Client(c) => c.on_start(ctx),
            LockNode::Store(s) => s.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Msg) {
        match self {
            LockNode::Server(s) => s.on_message(ctx, from, msg),
            LockNode::Client(c) => c.on_message(ctx, from, msg),
            LockNode::Store(s) => s.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            LockNode::Server(s) => s.on_timer(ctx, timer),
            LockNode::Client(c) => c.on_timer(ctx, timer),
            LockNode::Store(_) => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            LockNode::Server(s) => s.on_crash(ctx),
            LockNode::Client(c) => c.on_crash(ctx),
            LockNode::Store(_) => {}
        }
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, Self>, name: &str, value: &KnobValue) {
        match self {
            LockNode::Server(s) => s.set_knob(name, value),
            LockNode::Client(c) => c.set_knob(name, value),
            LockNode::Store(s) => s.set_knob(name, value),
        }
    }

    fn role(&self) -> &str {
        match self {
            LockNode::Server(_) => "lock-server",
            LockNode::Client(c) if c.holding() => "holder",
            LockNode::Client(_) => "client",
            LockNode::Store(_) => "storage",
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            LockNode::Server(s) => s.facts(),
            LockNode::Client(c) => c.facts(),
            LockNode::Store(s) => s.facts(),
        }
    }

    fn locks(&self) -> Vec<LockView> {
        match self {
            LockNode::Server(s) => s.locks(),
            _ => Vec::new(),
        }
    }
}

impl LockNode {
    pub fn as_store(&self) -> Option<&Store> {
        match self {
            LockNode::Store(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_server(&self) -> Option<&Server> {
        match self {
            LockNode::Server(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_client(&self) -> Option<&Client> {
        match self {
            LockNode::Client(c) => Some(c),
            _ => None,
        }
    }
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
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
        Panel::Totals {
            title: "Writes".into(),
            metrics: pairs(&[
                (metrics::STALE, "stale accepted"),
                (metrics::ACCEPTED, "accepted"),
                (metrics::REJECTED, "refused: old token"),
                (metrics::ABANDONED, "dropped: lease over"),
            ]),
        },
        Panel::Gauges {
            title: "Storage".into(),
            metrics: pairs(&[(metrics::MAX_TOKEN, "max token")]),
            max: None,
        },
        Panel::LockTable {
            title: "Lock servers".into(),
        },
        Panel::Rates {
            title: "Writes per second".into(),
            metrics: pairs(&[
                (metrics::ACCEPTED, "accepted"),
                (metrics::REJECTED, "refused"),
            ]),
        },
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
    let servers = setup.with_role("lock-server");
    let clients = setup.with_role("client");
    let stores = setup.with_role("storage");
    if servers.is_empty() {
        return Err("distributed-lock needs at least one node with role `lock-server`".into());
    }
    if clients.is_empty() {
        return Err("distributed-lock needs at least one node with role `client`".into());
    }
    if stores.len() != 1 {
        return Err(format!(
            "distributed-lock needs exactly one node with role `storage` (found {})",
            stores.len()
        ));
    }
    if let Some(other) = setup
        .nodes
        .iter()
        .find(|n| !matches!(n.role.as_str(), "lock-server" | "client" | "storage"))
    {
        return Err(format!(
            "node `{}` has role `{}`; distributed-lock clusters declare only `lock-server`, \
             `client` and `storage` nodes",
            other.name, other.role
        ));
    }
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
            "lock-server" => LockNode::Server(Box::new(Server::new(topo.clone(), &d.name, cfg))),
            "client" => {
                let pos = clients.iter().position(|&c| c == i).expect("a client");
                LockNode::Client(Box::new(Client::new(topo.clone(), pos, cfg)))
            }
            _ => LockNode::Store(Box::new(Store::new(cfg))),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs(&setup.nodes)))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "distributed-lock",
    summary: "A lock service grants leases with fencing tokens; two clients write to a storage. \
              A frozen holder, a delayed write or a jumping clock lets a stale write in, \
              unless the storage checks the tokens.",
    roles: &["lock-server", "client", "holder", "storage"],
    knobs: config::knobs,
    commands: &[],
    metrics: metrics::specs,
    panels,
    build,
};

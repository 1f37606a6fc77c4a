//! Deadlock: bank transfers that lock two accounts each, and what happens
//! when two of them lock the same pair in opposite orders.
//!
//! A `bank` node keeps the balances and a lock manager: a mutex per account
//! and a semaphore, the connection pool, with `permits` places. `worker`
//! nodes run transfers: a permit, the first account, some work, the second
//! account, the update, then everything released. Three knobs decide whether
//! the system can stall for good:
//!
//! - `order`: lock the accounts in the order the transfer names them
//!   (`request`), or always the lower-numbered first (`global`). A global
//!   order makes a cycle of waits impossible.
//! - `detection`: do nothing about waiting transactions (`none`), abort one
//!   that waits longer than `lock_timeout` (`timeout`), or look for cycles in
//!   the wait-for graph every `detect_every` and abort the youngest
//!   transaction on each (`graph`).
//! - `permits`: with one permit a single transfer runs at a time, and no
//!   cycle can form either, at a price in throughput.
//!
//! A [`Judge`] reads the lock table after every change and counts the
//! deadlocks, how long each stood and which aborts were needless.

mod bank;
mod config;
mod judge;
pub mod metrics;
mod msg;
mod worker;

pub use bank::Bank;
pub use config::{ACCOUNTS, Config, Detection, LATE_AFTER, OPENING_BALANCE, Order};
pub use judge::{Changes, Judge, cycles};
pub use msg::{LockId, Msg, Timer, Why};
pub use worker::{Phase, Transfer, Worker};

use super::spec::{CommandSpec, MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, new_sim};
use crate::sim::{Cluster, Ctx, KnobValue, LockView, Node, Sim};
use std::sync::Arc;

/// A node of the deadlock cluster.
#[derive(Clone, Debug)]
pub enum DeadlockNode {
    Bank(Box<Bank>),
    Worker(Box<Worker>),
}

impl DeadlockNode {
    pub fn as_bank(&self) -> Option<&Bank> {
        match self {
            DeadlockNode::Bank(b) => Some(b),
            DeadlockNode::Worker(_) => None,
        }
    }

    pub fn as_worker(&self) -> Option<&Worker> {
        match self {
            DeadlockNode::Worker(w) => Some(w),
            DeadlockNode::Bank(_) => None,
        }
    }
}

impl Node for DeadlockNode {
    type Msg = Msg;
    type Timer = Timer;
    type World = Judge;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            DeadlockNode::Bank(b) => b.on_start(ctx),
            DeadlockNode::Worker(w) => w.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Msg) {
        match self {
            DeadlockNode::Bank(b) => b.on_message(ctx, from, msg),
            DeadlockNode::Worker(w) => w.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            DeadlockNode::Bank(b) => b.on_timer(ctx, timer),
            DeadlockNode::Worker(w) => w.on_timer(ctx, timer),
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            DeadlockNode::Bank(b) => b.on_crash(ctx),
            DeadlockNode::Worker(w) => w.on_crash(),
        }
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, Self>, name: &str, value: &KnobValue) {
        match self {
            DeadlockNode::Bank(b) => b.on_knob(ctx, name, value),
            DeadlockNode::Worker(w) => w.on_knob(ctx, name, value),
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, Self>, command: &str) {
        if let DeadlockNode::Worker(w) = self {
            w.on_command(ctx, command);
        }
    }

    fn role(&self) -> &str {
        match self {
            DeadlockNode::Bank(_) => "bank",
            DeadlockNode::Worker(_) => "worker",
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            DeadlockNode::Bank(b) => b.facts(),
            DeadlockNode::Worker(w) => w.facts(),
        }
    }

    fn locks(&self) -> Vec<LockView> {
        match self {
            DeadlockNode::Bank(b) => b.locks(),
            DeadlockNode::Worker(_) => Vec::new(),
        }
    }
}

fn metric_specs(_nodes: &[NodeDef]) -> Vec<MetricSpec> {
    metrics::specs()
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    use metrics as m;
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(m, l)| (m.to_string(), l.to_string()))
            .collect()
    };
    vec![
        Panel::WaitFor {
            title: "Who waits for whom".into(),
        },
        Panel::LockTable {
            title: "Locks at the bank".into(),
        },
        Panel::Rates {
            title: "Transfers".into(),
            metrics: pairs(&[(m::COMMITTED, "committed"), (m::ABORTS, "aborted")]),
        },
        Panel::Totals {
            title: "Deadlocks and aborts".into(),
            metrics: pairs(&[
                (m::FORMED, "deadlocks formed"),
                (m::BROKEN, "deadlocks broken"),
                (m::LATE, "stood 2 s or more"),
                (m::ABORTS, "aborts"),
                (m::ABORTS_NEEDLESS, "needless aborts"),
            ]),
        },
        Panel::Contention {
            title: "Contention".into(),
            locks: metrics::lock_names(),
        },
        Panel::Latencies {
            title: "Waiting".into(),
            metrics: pairs(&[
                (m::DURATION, "deadlock stood"),
                (m::LOCK_WAIT, "lock wait"),
                (m::LATENCY, "transfer"),
            ]),
        },
        Panel::NodeTable {
            title: "Nodes".into(),
            columns: vec!["state", "transfer", "done", "aborts"],
        },
        Panel::Gauges {
            title: "Money in the bank".into(),
            metrics: pairs(&[(m::MONEY, "total")]),
            max: None,
        },
    ]
}

/// The deadlock cluster: one `bank` node and one or more `worker` nodes.
pub fn build_sim(setup: &Setup) -> Result<Sim<DeadlockNode>, String> {
    let banks = setup.with_role("bank");
    let workers: Arc<[usize]> = setup.with_role("worker").into();
    if banks.len() != 1 {
        return Err(format!(
            "deadlock needs exactly one node with role `bank` (found {})",
            banks.len()
        ));
    }
    if workers.is_empty() {
        return Err("deadlock needs at least one node with role `worker`".into());
    }
    if let Some(other) = setup
        .nodes
        .iter()
        .find(|n| n.role != "bank" && n.role != "worker")
    {
        return Err(format!(
            "node `{}` has role `{}`; deadlock clusters declare only `bank` and `worker` nodes",
            other.name, other.role
        ));
    }
    let cfg = Config::from_setup(setup);
    let bank = banks[0];
    let names: Arc<[String]> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "bank" => DeadlockNode::Bank(Box::new(Bank::new(cfg, names.clone(), workers.clone()))),
            _ => DeadlockNode::Worker(Box::new(Worker::new(cfg, bank))),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "deadlock",
    summary: "Workers move money between accounts, locking both: in request order two \
              transfers can wait for each other forever, unless a global lock order, \
              timeouts or a wait-for graph stop it.",
    roles: &["bank", "worker"],
    knobs: config::knobs,
    commands: &[CommandSpec {
        name: "stall",
        roles: &["worker"],
        description: "The worker's next transfer holds both its accounts for `stall_time` \
                      before committing: a long wait for others, but no deadlock.",
    }],
    metrics: metric_specs,
    panels,
    build,
};

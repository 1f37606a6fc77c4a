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

use super::{CommandSpec, NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;
use std::sync::Arc;

roles! {
    /// A node of the deadlock cluster.
    pub enum DeadlockNode { msg: Msg, timer: Timer, world: Judge }
    Bank(Bank) as_bank,
    Worker(Worker) as_worker,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    use metrics as m;
    vec![
        Panel::WaitFor {
            title: "Who waits for whom".into(),
        },
        Panel::LockTable {
            title: "Locks at the bank".into(),
        },
        Panel::rates(
            "Transfers",
            &[(m::COMMITTED, "committed"), (m::ABORTS, "aborted")],
        ),
        Panel::totals(
            "Deadlocks and aborts",
            &[
                (m::FORMED, "deadlocks formed"),
                (m::BROKEN, "deadlocks broken"),
                (m::LATE, "stood 2 s or more"),
                (m::ABORTS, "aborts"),
                (m::ABORTS_NEEDLESS, "needless aborts"),
            ],
        ),
        Panel::Contention {
            title: "Contention".into(),
            locks: metrics::lock_names(),
        },
        Panel::latencies(
            "Waiting",
            &[
                (m::DURATION, "deadlock stood"),
                (m::LOCK_WAIT, "lock wait"),
                (m::LATENCY, "transfer"),
            ],
        ),
        Panel::NodeTable {
            title: "Nodes".into(),
            columns: vec!["state", "transfer", "done", "aborts"],
        },
        Panel::gauges("Money in the bank", &[(m::MONEY, "total")]),
    ]
}

/// The deadlock cluster: one `bank` node and one or more `worker` nodes.
pub fn build_sim(setup: &Setup) -> Result<Sim<DeadlockNode>, String> {
    SPEC.check_roles(setup)?;
    let cfg = Config::from_setup(setup);
    let bank = setup.with_role("bank")[0];
    let workers: Arc<[usize]> = setup.with_role("worker").into();
    let names: Arc<[String]> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "bank" => Bank::new(cfg, names.clone(), workers.clone()).into(),
            _ => Worker::new(cfg, bank).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "deadlock",
    summary: "Workers move money between accounts, locking both: in request order two \
              transfers can wait for each other forever, unless a global lock order, \
              timeouts or a wait-for graph stop it.",
    roles: Roles(&[
        RoleSpec::exactly(1, "bank"),
        RoleSpec::at_least(1, "worker"),
    ]),
    knobs: Config::knobs,
    commands: &[CommandSpec {
        name: "stall",
        roles: &["worker"],
        description: "The worker's next transfer holds both its accounts for `stall_time` \
                      before committing: a long wait for others, but no deadlock.",
    }],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::FORMED, metrics::LATE],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

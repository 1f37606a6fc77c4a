//! The metrics the scenario records.

use super::config::ACCOUNTS;
use super::msg::LockId;
use crate::scenarios::{MetricSpec, lock_metric_specs};
use crate::sim::MetricKind;

pub const STARTED: &str = "transfers.started";
pub const COMMITTED: &str = "transfers.committed";
pub const LATENCY: &str = "transfers.latency";
pub const ABORTS: &str = "aborts.total";
pub const ABORTS_TIMEOUT: &str = "aborts.timeout";
pub const ABORTS_VICTIM: &str = "aborts.victim";
pub const ABORTS_NEEDLESS: &str = "aborts.needless";
pub const FORMED: &str = "deadlocks.formed";
pub const BROKEN: &str = "deadlocks.broken";
pub const LATE: &str = "deadlocks.late";
pub const DURATION: &str = "deadlocks.duration";
pub const DEADLOCKED: &str = "deadlocked";
pub const LOCK_WAIT: &str = "locks.wait";
pub const MONEY: &str = "bank.total";

/// Every lock's name, the pool first.
pub fn lock_names() -> Vec<String> {
    (0..=ACCOUNTS as usize)
        .map(|i| LockId::from_index(i).name())
        .collect()
}

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(
            STARTED,
            Counter,
            "Transfers begun (a retry is not a new one).",
        ),
        MetricSpec::new(COMMITTED, Counter, "Transfers the bank has applied."),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "From a transfer's first attempt to its commit, retries included.",
        ),
        MetricSpec::new(
            ABORTS,
            Counter,
            "Transactions the bank aborted, for any reason.",
        ),
        MetricSpec::new(
            ABORTS_TIMEOUT,
            Counter,
            "Transactions aborted for waiting longer than lock_timeout.",
        ),
        MetricSpec::new(
            ABORTS_VICTIM,
            Counter,
            "Transactions aborted as the victim of a cycle in the wait-for graph.",
        ),
        MetricSpec::new(
            ABORTS_NEEDLESS,
            Counter,
            "Aborted transactions that were on no cycle: they only waited.",
        ),
        MetricSpec::new(
            FORMED,
            Counter,
            "Deadlocks: cycles that closed in the wait-for graph.",
        ),
        MetricSpec::new(BROKEN, Counter, "Deadlocks broken by an abort or a reset."),
        MetricSpec::new(LATE, Counter, "Deadlocks that stood for 2 s or more."),
        MetricSpec::new(DURATION, Histogram, "How long each broken deadlock stood."),
        MetricSpec::new(DEADLOCKED, Gauge, "Transactions on a cycle of waits now."),
        MetricSpec::new(
            LOCK_WAIT,
            Histogram,
            "How long a transaction waited for a lock it was then granted.",
        ),
        MetricSpec::new(MONEY, Gauge, "The sum of every account's balance."),
    ];
    let names = lock_names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    v.extend(lock_metric_specs(&refs));
    v
}

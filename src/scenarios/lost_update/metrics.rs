//! The metrics the scenario records.

use crate::scenarios::{MetricSpec, lock_metric_specs};
use crate::sim::MetricKind;

/// The one lock of the scenario.
pub const LOCK: &str = "stock";

pub const DONE: &str = "increments.done";
pub const LATENCY: &str = "increments.latency";
pub const EXPECTED: &str = "count.expected";
pub const ACTUAL: &str = "count.actual";
pub const LOST: &str = "updates.lost";
pub const CONFLICTS: &str = "cas.conflicts";
pub const RETRIES: &str = "cas.retries";
pub const LOCK_WAIT: &str = "lock.wait";
pub const BELIEVERS: &str = "lock.believers";
pub const QUEUE: &str = "store.queue";

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(
            DONE,
            Counter,
            "Increments whose client was told they are done; its rate is the throughput.",
        ),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "Time from a client starting an increment to being told it is done, retries and \
             lock waits included.",
        ),
        MetricSpec::new(
            EXPECTED,
            Gauge,
            "What the count should be: every increment the store has applied, each meant as +1.",
        ),
        MetricSpec::new(ACTUAL, Gauge, "What the count is: the store's value."),
        MetricSpec::new(
            LOST,
            Counter,
            "Updates lost: each time expected minus actual reaches a new high, by how much.",
        ),
        MetricSpec::new(
            CONFLICTS,
            Counter,
            "Compare-and-sets the store refused because the version had moved on.",
        ),
        MetricSpec::new(
            RETRIES,
            Counter,
            "Increments a client started again (read afresh) after a conflict.",
        ),
        MetricSpec::new(
            LOCK_WAIT,
            Histogram,
            "Time from asking the lock server for the lock to being granted it.",
        ),
        MetricSpec::new(
            BELIEVERS,
            Gauge,
            "Clients that believe they hold the lock right now (more than 1 breaks mutual \
             exclusion).",
        ),
        MetricSpec::new(QUEUE, Gauge, "Requests waiting at the store."),
    ];
    v.extend(lock_metric_specs(&[LOCK]));
    v
}

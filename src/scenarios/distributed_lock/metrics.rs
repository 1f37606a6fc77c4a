//! The metrics the scenario records.

use crate::scenarios::{MetricSpec, NodeDef, lock_metric_specs};
use crate::sim::MetricKind;

pub const ACCEPTED: &str = "writes.accepted";
pub const REJECTED: &str = "writes.rejected";
pub const STALE: &str = "writes.stale_accepted";
pub const ABANDONED: &str = "writes.abandoned";
pub const GRANTS: &str = "lock.grants";
pub const EXPIRED: &str = "lock.expired";
pub const FAILED: &str = "lock.failed_attempts";
pub const WAIT: &str = "lock.wait";
pub const MAX_TOKEN: &str = "store.max_token";
pub const HOLDERS: &str = "holders";

/// The gauge of the token (or value) under which the lock service
/// considers `client` the holder.
pub fn lease_metric(client: &str) -> String {
    format!("lease.{client}")
}

/// The gauge of the token (or value) under which `client` believes it holds
/// the lock.
pub fn holds_metric(client: &str) -> String {
    format!("holds.{client}")
}

/// The name of the lock as lock server `server` keeps it.
pub fn lock_name(server: &str) -> String {
    format!("file@{server}")
}

pub fn specs(nodes: &[NodeDef]) -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(ACCEPTED, Counter, "Writes the storage accepted."),
        MetricSpec::new(
            REJECTED,
            Counter,
            "Writes the storage refused because their fencing token was lower than the \
             highest it had seen.",
        ),
        MetricSpec::new(
            STALE,
            Counter,
            "Writes the storage accepted after it had accepted a write made under a later grant \
             of the lock: the failure this lesson is about.",
        ),
        MetricSpec::new(
            ABANDONED,
            Counter,
            "Writes a client gave up before sending, because its lease had run out on its own \
             clock.",
        ),
        MetricSpec::new(GRANTS, Counter, "Grants made by lock servers."),
        MetricSpec::new(
            EXPIRED,
            Counter,
            "Leases a lock server took back because they ran out on its clock.",
        ),
        MetricSpec::new(
            FAILED,
            Counter,
            "Redlock attempts that did not win a majority in time.",
        ),
        MetricSpec::new(
            WAIT,
            Histogram,
            "Time from a client asking for the lock to its believing it holds it.",
        ),
        MetricSpec::new(
            MAX_TOKEN,
            Gauge,
            "The highest fencing token the storage has seen (0: none).",
        ),
        MetricSpec::new(
            HOLDERS,
            Gauge,
            "Clients that believe they hold the lock (2: both at once).",
        ),
    ];
    for n in nodes.iter().filter(|n| n.role == "client") {
        v.push(MetricSpec::new(
            lease_metric(&n.name),
            Gauge,
            format!(
                "The token (Redlock: the value) under which the lock service considers {} the \
                 holder; 0 when it does not.",
                n.name
            ),
        ));
        v.push(MetricSpec::new(
            holds_metric(&n.name),
            Gauge,
            format!(
                "The token (Redlock: the value) under which {} believes it holds the lock; 0 \
                 when it does not.",
                n.name
            ),
        ));
    }
    let locks: Vec<String> = nodes
        .iter()
        .filter(|n| n.role == "lock-server")
        .map(|n| lock_name(&n.name))
        .collect();
    let names: Vec<&str> = locks.iter().map(String::as_str).collect();
    v.extend(lock_metric_specs(&names));
    v
}

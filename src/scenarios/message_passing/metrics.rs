//! The metrics the scenario records.

use crate::scenarios::MetricSpec;
use crate::sim::{Ctx, MetricId, MetricKind, Node};

pub const EXPECTED: &str = "count.expected";
pub const ACTUAL: &str = "count.actual";
pub const DONE: &str = "increments.done";
pub const LOST: &str = "increments.lost";
pub const DOUBLED: &str = "increments.doubled";
pub const LATE: &str = "increments.late";
pub const MISMATCHED: &str = "replies.mismatched";
pub const IGNORED: &str = "replies.ignored";
pub const TIMEOUTS: &str = "calls.timeouts";
pub const RETRIES: &str = "calls.retries";
pub const GIVEN_UP: &str = "calls.given_up";
pub const OUTSTANDING: &str = "calls.outstanding";
pub const LATENCY: &str = "calls.latency";
pub const TABLE: &str = "table.size";
pub const REPLAYED: &str = "table.replayed";

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    vec![
        MetricSpec::new(
            EXPECTED,
            Gauge,
            "What the count should be: one for every increment that has been applied or \
             given up on.",
        ),
        MetricSpec::new(ACTUAL, Gauge, "What the count is: the counter's value."),
        MetricSpec::new(
            DONE,
            Counter,
            "Calls a client finished with a reply it took as the answer; its rate is the \
             throughput.",
        ),
        MetricSpec::new(
            LOST,
            Counter,
            "Increments lost: each time the shortfall (increments their client stopped \
             waiting for, given up or answered by another call's reply, and never applied) \
             reaches a new high, by how much.",
        ),
        MetricSpec::new(
            DOUBLED,
            Counter,
            "Applications of an increment beyond its first: the count went up twice (or \
             more) for one call.",
        ),
        MetricSpec::new(
            LATE,
            Counter,
            "Increments applied after their client had given up on them.",
        ),
        MetricSpec::new(
            MISMATCHED,
            Counter,
            "Replies a client took as the answer to a call they did not answer.",
        ),
        MetricSpec::new(
            IGNORED,
            Counter,
            "Replies a client dropped: their in_reply_to named no call it waits for, or it \
             waited for none.",
        ),
        MetricSpec::new(TIMEOUTS, Counter, "Requests whose answer did not come in time."),
        MetricSpec::new(RETRIES, Counter, "Requests sent again after a timeout."),
        MetricSpec::new(
            GIVEN_UP,
            Counter,
            "Calls given up after a timeout (at-most-once): their outcome is unknown.",
        ),
        MetricSpec::new(
            OUTSTANDING,
            Gauge,
            "Calls sent and not yet answered or given up, over all clients.",
        ),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "Time from a call's first request to the reply its client took, retries included.",
        ),
        MetricSpec::new(
            TABLE,
            Gauge,
            "Entries in the counter's de-duplication table: (client, sequence number) and \
             the answer given.",
        ),
        MetricSpec::new(
            REPLAYED,
            Counter,
            "Repeated requests the counter answered from its table without applying them again.",
        ),
    ]
}

/// Ids of the metrics recorded on every call, looked up once per start.
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    pub done: MetricId,
    pub latency: MetricId,
    pub outstanding: MetricId,
    pub actual: MetricId,
    pub expected: MetricId,
    pub table: MetricId,
}

impl Ids {
    pub fn register<N: Node>(ctx: &mut Ctx<'_, N>) -> Ids {
        use MetricKind::*;
        Ids {
            done: ctx.metric(DONE, Counter),
            latency: ctx.metric(LATENCY, Histogram),
            outstanding: ctx.metric(OUTSTANDING, Gauge),
            actual: ctx.metric(ACTUAL, Gauge),
            expected: ctx.metric(EXPECTED, Gauge),
            table: ctx.metric(TABLE, Gauge),
        }
    }
}

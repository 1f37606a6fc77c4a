//! The metrics the scenario records.

use crate::scenarios::{MetricSpec, NodeDef};
use crate::sim::MetricKind;

pub const PUBLISHED: &str = "messages.published";
pub const DELIVERED: &str = "messages.delivered";
pub const REDELIVERED: &str = "messages.redelivered";
pub const ACKED: &str = "messages.acked";
pub const STALE: &str = "acks.stale";
pub const SKIPPED: &str = "messages.skipped";
pub const LOST: &str = "messages.lost";
pub const EFFECTS: &str = "effects";
pub const UNIQUE: &str = "effects.unique";
pub const DUPLICATE: &str = "effects.duplicate";
pub const DEAD: &str = "dlq.moved";
pub const POISON_DEAD: &str = "dlq.poison";
pub const CRASHED: &str = "consumers.crashed";
pub const READY: &str = "queue.ready";
pub const IN_FLIGHT: &str = "queue.in_flight";
pub const OLDEST: &str = "queue.oldest";
pub const DLQ_DEPTH: &str = "dlq.depth";
pub const WAIT: &str = "queue.wait";
pub const DRAIN: &str = "burst.drain";

/// The counter of messages consumer `name` finished.
pub fn done_of(name: &str) -> String {
    format!("consumer.{name}.done")
}

pub fn specs(nodes: &[NodeDef]) -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(
            PUBLISHED,
            Counter,
            "Messages the broker stored (each id once, however often it was sent).",
        ),
        MetricSpec::new(DELIVERED, Counter, "Messages the broker delivered to consumers."),
        MetricSpec::new(
            REDELIVERED,
            Counter,
            "Deliveries of a message delivered before (its lease expired unacknowledged).",
        ),
        MetricSpec::new(ACKED, Counter, "Messages acknowledged and deleted from their queue."),
        MetricSpec::new(
            STALE,
            Counter,
            "Acknowledgements refused because their receipt was not the latest: the message \
             had been delivered again meanwhile.",
        ),
        MetricSpec::new(
            SKIPPED,
            Counter,
            "Messages a consumer skipped because the database already had their id.",
        ),
        MetricSpec::new(
            LOST,
            Counter,
            "Messages deleted from their queue whose side effect never happened: acknowledged \
             before processing, then dropped by a consumer's crash.",
        ),
        MetricSpec::new(EFFECTS, Counter, "Side effects the database applied."),
        MetricSpec::new(
            UNIQUE,
            Counter,
            "Messages (per subscription) whose side effect happened at least once.",
        ),
        MetricSpec::new(
            DUPLICATE,
            Counter,
            "Side effects applied again for a message already applied.",
        ),
        MetricSpec::new(DEAD, Counter, "Messages moved to a dead-letter queue."),
        MetricSpec::new(POISON_DEAD, Counter, "Poison messages moved to a dead-letter queue."),
        MetricSpec::new(
            CRASHED,
            Counter,
            "Consumer processes killed by a poison message.",
        ),
        MetricSpec::new(READY, Gauge, "Messages waiting in the queues."),
        MetricSpec::new(IN_FLIGHT, Gauge, "Messages out with consumers, unacknowledged."),
        MetricSpec::new(
            OLDEST,
            Gauge,
            "How long the oldest waiting message has waited, in seconds.",
        ),
        MetricSpec::new(DLQ_DEPTH, Gauge, "Messages in the dead-letter queues."),
        MetricSpec::new(
            WAIT,
            Histogram,
            "Time from a message's arrival at the broker to its first delivery.",
        ),
        MetricSpec::new(
            DRAIN,
            Histogram,
            "Time from the start of a burst until the queues hold no more than 3 messages \
             again.",
        ),
    ];
    for n in nodes.iter().filter(|n| n.role == "consumer") {
        v.push(MetricSpec::new(
            done_of(&n.name),
            Counter,
            format!("Messages consumer {} finished (applied or skipped).", n.name),
        ));
    }
    v
}

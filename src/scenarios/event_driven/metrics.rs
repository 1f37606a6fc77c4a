//! The metrics the scenario records.

use crate::scenarios::MetricSpec;
use crate::sim::MetricKind;

pub const COMMITTED: &str = "changes.committed";
pub const SENT: &str = "events.sent";
pub const RESENT: &str = "events.resent";
pub const LOST: &str = "events.lost";
pub const DUPLICATE: &str = "events.duplicate";
pub const BACKLOG: &str = "outbox.backlog";
pub const IN_MEMORY: &str = "publisher.pending";
pub const CALLS: &str = "callbacks.sent";
pub const SERVED: &str = "callbacks.served";
pub const QUEUE: &str = "customer.queue";
pub const PLACED: &str = "orders.placed";
pub const ON_TIME: &str = "orders.on_time";
pub const LATE: &str = "orders.late";
pub const SHIPPED: &str = "orders.shipped";
pub const OLD_ADDRESS: &str = "orders.old_address";
pub const STALE_SHIPPING: &str = "staleness.shipping";
pub const STALE_BILLING: &str = "staleness.billing";

/// The staleness histogram of a consumer, by its role.
pub fn staleness(role: &str) -> &'static str {
    if role == "shipping" {
        STALE_SHIPPING
    } else {
        STALE_BILLING
    }
}

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    vec![
        MetricSpec::new(COMMITTED, Counter, "Address changes Customer committed."),
        MetricSpec::new(
            SENT,
            Counter,
            "Events sent to a consumer (one per consumer, resends included).",
        ),
        MetricSpec::new(
            RESENT,
            Counter,
            "Events sent again because a consumer had not acknowledged them.",
        ),
        MetricSpec::new(
            LOST,
            Counter,
            "Committed changes whose event some consumer will never get: the publisher's \
             memory was lost in a crash before every consumer had it.",
        ),
        MetricSpec::new(
            DUPLICATE,
            Counter,
            "Events a consumer received again and ignored (it had that version or a later one).",
        ),
        MetricSpec::new(
            BACKLOG,
            Gauge,
            "Events in the outbox not yet acknowledged by every consumer (durable).",
        ),
        MetricSpec::new(
            IN_MEMORY,
            Gauge,
            "Events the in-memory publisher holds, not yet acknowledged by every consumer \
             (lost in a crash).",
        ),
        MetricSpec::new(
            CALLS,
            Counter,
            "Callbacks consumers sent to Customer, retries included.",
        ),
        MetricSpec::new(SERVED, Counter, "Callbacks Customer answered."),
        MetricSpec::new(QUEUE, Gauge, "Requests waiting at Customer."),
        MetricSpec::new(PLACED, Counter, "Orders that arrived at Shipping."),
        MetricSpec::new(
            ON_TIME,
            Counter,
            "Orders shipped within 2 s of arriving (counted when shipped).",
        ),
        MetricSpec::new(
            LATE,
            Counter,
            "Orders not shipped 2 s after arriving (counted then).",
        ),
        MetricSpec::new(SHIPPED, Counter, "Orders shipped."),
        MetricSpec::new(
            OLD_ADDRESS,
            Counter,
            "Orders shipped to an address Customer had already replaced.",
        ),
        MetricSpec::new(
            STALE_SHIPPING,
            Histogram,
            "Shipping's staleness, measured ten times a second: how long ago Customer \
             committed the oldest change Shipping does not know (0 when it knows them all).",
        ),
        MetricSpec::new(
            STALE_BILLING,
            Histogram,
            "Billing's staleness, measured the same way.",
        ),
    ]
}

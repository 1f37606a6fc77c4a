//! The metrics the scenario records, by name, and their descriptions.

use super::msg::Ep;
use crate::scenarios::MetricSpec;
use crate::sim::MetricKind;

/// The metric names that belong to one endpoint (and its dependency).
pub struct EpNames {
    pub requests: &'static str,
    pub success: &'static str,
    pub degraded: &'static str,
    pub failed: &'static str,
    pub latency: &'static str,
    pub busy: &'static str,
    pub state: &'static str,
    pub opened: &'static str,
    pub rejected: &'static str,
    pub half_open_excess: &'static str,
    pub recovery_close: &'static str,
    pub calls: &'static str,
}

const A: EpNames = EpNames {
    requests: "a.requests",
    success: "a.success",
    degraded: "a.degraded",
    failed: "a.failed",
    latency: "a.latency",
    busy: "pool.a.busy",
    state: "breaker.a.state",
    opened: "breaker.a.opened",
    rejected: "breaker.a.rejected",
    half_open_excess: "breaker.a.half_open_excess",
    recovery_close: "breaker.a.recovery_close",
    calls: "calls.a",
};

const B: EpNames = EpNames {
    requests: "b.requests",
    success: "b.success",
    degraded: "b.degraded",
    failed: "b.failed",
    latency: "b.latency",
    busy: "pool.b.busy",
    state: "breaker.b.state",
    opened: "breaker.b.opened",
    rejected: "breaker.b.rejected",
    half_open_excess: "breaker.b.half_open_excess",
    recovery_close: "breaker.b.recovery_close",
    calls: "calls.b",
};

pub fn names(ep: Ep) -> &'static EpNames {
    match ep {
        Ep::A => &A,
        Ep::B => &B,
    }
}

pub const POOL_QUEUED: &str = "pool.queued";
pub const POOL_REJECTED: &str = "pool.rejected";
pub const RETRIES: &str = "calls.retries";
pub const TIMEOUTS: &str = "calls.timeouts";

/// Every metric a run records.
pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::{Counter, Gauge, Histogram};
    let mut v = Vec::new();
    for ep in Ep::BOTH {
        let n = names(ep);
        let up = ep.key().to_uppercase();
        v.extend([
            MetricSpec::new(
                n.requests,
                Counter,
                format!("Requests to endpoint {up} that finished (any outcome), counted by the client when they finish or hit its deadline."),
            ),
            MetricSpec::new(
                n.success,
                Counter,
                format!("Requests to endpoint {up} answered with real data."),
            ),
            MetricSpec::new(
                n.degraded,
                Counter,
                format!("Requests to endpoint {up} answered with fallback data."),
            ),
            MetricSpec::new(
                n.failed,
                Counter,
                format!("Requests to endpoint {up} answered with an error or not answered before the client's deadline."),
            ),
            MetricSpec::new(
                n.latency,
                Histogram,
                format!("Client-side latency of endpoint {up} (µs), failures at the deadline included."),
            ),
            MetricSpec::new(
                n.busy,
                Gauge,
                format!("Front-end threads working on requests for endpoint {up} (waiting on dependency {up})."),
            ),
            MetricSpec::new(
                n.state,
                Gauge,
                format!("Breaker of dependency {up}: -1 off (no breaker), 0 CLOSED, 1 OPEN, 2 HALF_OPEN."),
            ),
            MetricSpec::new(
                n.opened,
                Counter,
                format!("Times the breaker of dependency {up} opened."),
            ),
            MetricSpec::new(
                n.rejected,
                Counter,
                format!("Calls to dependency {up} refused by its breaker without being sent."),
            ),
            MetricSpec::new(
                n.half_open_excess,
                Counter,
                format!("Calls sent to dependency {up} while half open beyond the permitted trial calls (must stay 0)."),
            ),
            MetricSpec::new(
                n.recovery_close,
                Histogram,
                format!("Time from a `recover` of dependency {up} to its breaker's next close (µs); 0 if the breaker was closed already."),
            ),
            MetricSpec::new(
                n.calls,
                Counter,
                format!("Attempts actually sent to dependency {up}, retries included."),
            ),
        ]);
    }
    v.extend([
        MetricSpec::new(
            POOL_QUEUED,
            Gauge,
            "Front-end tasks waiting in pool queues, all pools together.",
        ),
        MetricSpec::new(
            POOL_REJECTED,
            Counter,
            "Requests the front end turned away because their pool and its queue were full.",
        ),
        MetricSpec::new(
            RETRIES,
            Counter,
            "Extra attempts made after a failed or timed-out call.",
        ),
        MetricSpec::new(
            TIMEOUTS,
            Counter,
            "Calls the front end gave up on after its timeout.",
        ),
    ]);
    v
}

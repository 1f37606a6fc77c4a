//! The metrics the scenario records.

use crate::scenarios::MetricSpec;
use crate::sim::{Ctx, MetricId, MetricKind, Node};

pub const REQUESTS: &str = "requests";
pub const RETRIES: &str = "requests.retries";
pub const PAID: &str = "purchases.paid";
pub const DECLINED: &str = "purchases.declined";
pub const ABANDONED: &str = "purchases.abandoned";
pub const LATENCY: &str = "purchases.latency";
pub const CHARGES: &str = "charges.made";
pub const DOUBLE: &str = "charges.double";
pub const LOST: &str = "charges.lost";
pub const REPLAYED: &str = "replies.replayed";
pub const CONFLICT: &str = "replies.conflict";
pub const REFUSED: &str = "replies.refused";
pub const MISMATCHED: &str = "replies.mismatched";
pub const KEYS: &str = "keys.stored";
pub const KEYS_SAVED: &str = "keys.saved";
pub const EXPIRED: &str = "keys.expired";
pub const RESUMED: &str = "orders.resumed";
pub const CREATED: &str = "orders.created";
pub const CHARGED: &str = "orders.charged";
pub const RECORDED: &str = "orders.recorded";
pub const SHIPPED: &str = "orders.shipped";
pub const PARCELS: &str = "parcels.sent";
pub const DOUBLE_SHIPPED: &str = "orders.shipped_twice";

pub fn specs() -> Vec<MetricSpec> {
    use MetricKind::*;
    vec![
        MetricSpec::new(
            REQUESTS,
            Counter,
            "Payment requests the shop sent, first attempts and retries.",
        ),
        MetricSpec::new(RETRIES, Counter, "Payment requests that were retries."),
        MetricSpec::new(PAID, Counter, "Purchases the shop was told are paid."),
        MetricSpec::new(
            DECLINED,
            Counter,
            "Purchases the shop was told failed for good (declined, refused, or a saved error).",
        ),
        MetricSpec::new(
            ABANDONED,
            Counter,
            "Purchases the shop gave up on after its last retry, not knowing the outcome.",
        ),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "Time from a purchase's first attempt to its final answer, retries included.",
        ),
        MetricSpec::new(CHARGES, Counter, "Charges the card processor made."),
        MetricSpec::new(
            DOUBLE,
            Counter,
            "Purchases charged more than once (counted when the second charge lands).",
        ),
        MetricSpec::new(
            LOST,
            Counter,
            "Charges the books got wrong: a card charged for an order the API recorded as \
             failed, or a purchase acknowledged as paid with no charge behind it.",
        ),
        MetricSpec::new(
            REPLAYED,
            Counter,
            "Responses the API replayed from a saved key instead of doing the work again.",
        ),
        MetricSpec::new(
            CONFLICT,
            Counter,
            "409s: a retry arrived while the first request with its key was still at work.",
        ),
        MetricSpec::new(
            REFUSED,
            Counter,
            "422s: a key reused with different parameters, refused.",
        ),
        MetricSpec::new(
            MISMATCHED,
            Counter,
            "Final answers to a purchase whose status or body differ from the first one the \
             shop got for it.",
        ),
        MetricSpec::new(KEYS, Gauge, "Idempotency keys the API keeps."),
        MetricSpec::new(KEYS_SAVED, Counter, "Idempotency keys the API saved."),
        MetricSpec::new(EXPIRED, Counter, "Keys dropped because they outlived key_ttl."),
        MetricSpec::new(
            RESUMED,
            Counter,
            "Orders picked up again from their recovery point (by a retry or the API's sweep).",
        ),
        MetricSpec::new(CREATED, Gauge, "Orders created and not yet charged."),
        MetricSpec::new(
            CHARGED,
            Gauge,
            "Orders charged whose record is not yet written (a crash now loses the record).",
        ),
        MetricSpec::new(RECORDED, Gauge, "Orders recorded and not yet shipped."),
        MetricSpec::new(SHIPPED, Counter, "Orders that reached the shipped state."),
        MetricSpec::new(PARCELS, Counter, "Parcels the warehouse sent."),
        MetricSpec::new(
            DOUBLE_SHIPPED,
            Counter,
            "Orders the warehouse shipped more than once.",
        ),
    ]
}

/// The ids of the metrics recorded on every purchase, looked up once per
/// node: recording by id hashes no name.
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    pub requests: MetricId,
    pub retries: MetricId,
    pub latency: MetricId,
    pub paid: MetricId,
    pub charges: MetricId,
    pub keys_saved: MetricId,
    pub shipped: MetricId,
    pub parcels: MetricId,
    /// The API's gauges, in the order `Api::gauges` sets them.
    pub stages: [MetricId; 4],
}

impl Ids {
    pub fn register<N: Node>(ctx: &mut Ctx<'_, N>) -> Ids {
        use MetricKind::*;
        Ids {
            requests: ctx.metric(REQUESTS, Counter),
            retries: ctx.metric(RETRIES, Counter),
            latency: ctx.metric(LATENCY, Histogram),
            paid: ctx.metric(PAID, Counter),
            charges: ctx.metric(CHARGES, Counter),
            keys_saved: ctx.metric(KEYS_SAVED, Counter),
            shipped: ctx.metric(SHIPPED, Counter),
            parcels: ctx.metric(PARCELS, Counter),
            stages: [
                ctx.metric(CREATED, Gauge),
                ctx.metric(CHARGED, Gauge),
                ctx.metric(RECORDED, Gauge),
                ctx.metric(KEYS, Gauge),
            ],
        }
    }
}

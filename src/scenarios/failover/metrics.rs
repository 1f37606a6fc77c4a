//! The metrics the scenario records, declared once and recorded by id.

use crate::scenarios::{MetricSpec, NodeDef};
use crate::sim::{Ctx, MetricId, MetricKind, Node, Time};

pub const REQUESTED: &str = "writes.requested";
pub const ACKED: &str = "writes.acked";
pub const FAILED: &str = "writes.failed";
pub const RETRIES: &str = "writes.retries";
pub const LATENCY: &str = "writes.latency";
pub const ACKED_LOST: &str = "writes.acked_lost";
pub const SPLIT_BRAIN: &str = "writes.split_brain";
pub const READS: &str = "reads.total";
pub const STALE: &str = "reads.stale";
pub const STARTED: &str = "elections.started";
pub const WON: &str = "elections.won";
pub const DETECTION: &str = "failover.detection";
pub const UNAVAILABLE: &str = "failover.unavailable";
pub const LEADERLESS: &str = "failover.leaderless";
pub const EPOCH: &str = "epoch";
pub const PRIMARIES: &str = "primaries";
pub const LAG_PREFIX: &str = "replication.lag.";

pub fn lag_metric(replica: &str) -> String {
    format!("{LAG_PREFIX}{replica}")
}

/// Every metric of a cluster made of `nodes`.
pub fn specs(nodes: &[NodeDef]) -> Vec<MetricSpec> {
    use MetricKind::*;
    let mut v = vec![
        MetricSpec::new(REQUESTED, Counter, "New writes issued by clients."),
        MetricSpec::new(
            ACKED,
            Counter,
            "Writes whose client got an acknowledgement.",
        ),
        MetricSpec::new(
            FAILED,
            Counter,
            "Writes given up after twice the client timeout.",
        ),
        MetricSpec::new(RETRIES, Counter, "Write attempts sent again, elsewhere."),
        MetricSpec::new(
            LATENCY,
            Histogram,
            "Time from issuing a write to its acknowledgement.",
        ),
        MetricSpec::new(
            ACKED_LOST,
            Counter,
            "Acknowledged writes a later primary does not have, or that a conflicting append \
             truncated away.",
        ),
        MetricSpec::new(
            SPLIT_BRAIN,
            Counter,
            "Writes acknowledged by a primary that accepted them after a newer primary was elected.",
        ),
        MetricSpec::new(READS, Counter, "Reads answered."),
        MetricSpec::new(
            STALE,
            Counter,
            "Reads that returned a value older than the client's own acknowledged write.",
        ),
        MetricSpec::new(STARTED, Counter, "Elections started (each candidacy)."),
        MetricSpec::new(WON, Counter, "Elections won."),
        MetricSpec::new(
            DETECTION,
            Histogram,
            "When a follower starts an election: time since it last heard from a primary.",
        ),
        MetricSpec::new(
            UNAVAILABLE,
            Histogram,
            "When a new primary acknowledges its first write: time since the last \
             acknowledgement by any primary.",
        ),
        MetricSpec::new(
            LEADERLESS,
            Histogram,
            "When a primary is elected: how long the cluster had been without one (from losing \
             its last primary).",
        ),
        MetricSpec::new(EPOCH, Gauge, "Highest epoch any primary has reached."),
        MetricSpec::new(
            PRIMARIES,
            Gauge,
            "Nodes that believe they are primary (2 is split brain).",
        ),
    ];
    for n in nodes.iter().filter(|n| n.role == "replica") {
        v.push(MetricSpec::new(
            lag_metric(&n.name),
            Gauge,
            format!("Entries {} trails the primary by.", n.name),
        ));
    }
    v
}

/// Ids of the metrics a node records, looked up once per start.
#[derive(Clone, Debug)]
pub struct Ids {
    pub requested: MetricId,
    pub acked: MetricId,
    pub failed: MetricId,
    pub retries: MetricId,
    pub latency: MetricId,
    pub acked_lost: MetricId,
    pub split_brain: MetricId,
    pub reads: MetricId,
    pub stale: MetricId,
    pub started: MetricId,
    pub won: MetricId,
    pub detection: MetricId,
    pub unavailable: MetricId,
    pub leaderless: MetricId,
    pub epoch: MetricId,
    pub primaries: MetricId,
    /// Lag gauge of each replica, in the order of the replica list.
    pub lag: Vec<MetricId>,
}

impl Ids {
    pub fn register<N: Node>(ctx: &mut Ctx<'_, N>, replicas: &[usize]) -> Ids {
        use MetricKind::*;
        let lag = replicas
            .iter()
            .map(|&r| {
                let name = lag_metric(ctx.name(r));
                ctx.metric(&name, Gauge)
            })
            .collect();
        Ids {
            requested: ctx.metric(REQUESTED, Counter),
            acked: ctx.metric(ACKED, Counter),
            failed: ctx.metric(FAILED, Counter),
            retries: ctx.metric(RETRIES, Counter),
            latency: ctx.metric(LATENCY, Histogram),
            acked_lost: ctx.metric(ACKED_LOST, Counter),
            split_brain: ctx.metric(SPLIT_BRAIN, Counter),
            reads: ctx.metric(READS, Counter),
            stale: ctx.metric(STALE, Counter),
            started: ctx.metric(STARTED, Counter),
            won: ctx.metric(WON, Counter),
            detection: ctx.metric(DETECTION, Histogram),
            unavailable: ctx.metric(UNAVAILABLE, Histogram),
            leaderless: ctx.metric(LEADERLESS, Histogram),
            epoch: ctx.metric(EPOCH, Gauge),
            primaries: ctx.metric(PRIMARIES, Gauge),
            lag,
        }
    }
}

/// Shorthands for recording through a context.
pub trait Record {
    fn add(&mut self, id: MetricId, by: u64);
    fn set(&mut self, id: MetricId, value: f64);
    fn sample(&mut self, id: MetricId, micros: u64);
}

impl<N: Node> Record for Ctx<'_, N> {
    fn add(&mut self, id: MetricId, by: u64) {
        self.count_id(id, by);
    }
    fn set(&mut self, id: MetricId, value: f64) {
        self.gauge_id(id, value);
    }
    fn sample(&mut self, id: MetricId, micros: u64) {
        self.observe_id(id, Time(micros));
    }
}

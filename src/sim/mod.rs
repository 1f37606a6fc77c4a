//! A deterministic discrete-event simulator of small clusters.
//!
//! Knows nothing of lessons or terminals. A run is fully determined by the
//! nodes it starts with, its seed and its input log.

mod cluster;
mod engine;
mod input;
mod locks;
mod metrics;
mod network;
mod node;
mod queues;
mod time;
mod trace;

pub use cluster::Cluster;
pub use engine::{Health, InFlightView, NodeView, Sim, SimConfig};
pub use input::{Input, KnobValue, NodeSel, TimedInput};
pub use locks::{LockClaim, LockView, WaitEdge, WaitFor};
pub use metrics::{
    BUCKET, Footprint, KindFootprint, MetricId, MetricKind, Metrics, MetricsMark, Retention, Stat,
    quantile,
};
pub use network::{Latency, LinkChange, LinkConfig, Network};
pub use node::{Ctx, Message, Node, TimerId};
pub use queues::{QueueLease, QueueView};
pub use time::Time;
pub use trace::{Detail, DropReason, Trace, TraceEvent, TraceKind, TraceLimit};

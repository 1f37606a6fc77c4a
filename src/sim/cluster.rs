//! [`Cluster`]: a simulation seen without its node type, so the layers above
//! can drive any scenario the same way.

use super::engine::{InFlightView, NodeView, Sim};
use super::input::Input;
use super::locks::LockView;
use super::metrics::Metrics;
use super::network::Network;
use super::node::Node;
use super::queues::QueueView;
use super::time::Time;
use super::trace::{Trace, TraceLimit};

pub trait Cluster {
    fn now(&self) -> Time;
    fn seed(&self) -> u64;
    /// Processes the next event; false when none is left.
    fn step(&mut self) -> bool;
    /// Processes every event up to and including `t`, and sets the clock to `t`.
    fn run_until(&mut self, t: Time);
    fn next_event_time(&self) -> Option<Time>;
    fn schedule(&mut self, at: Time, input: Input);
    fn metrics(&self) -> &Metrics;
    /// The events the trace's window keeps (all of them unless a limit is set).
    fn trace(&self) -> &Trace;
    /// Keeps at most `limit` trace events from now on (`None`: all).
    fn set_trace_limit(&mut self, limit: Option<TraceLimit>);
    fn names(&self) -> &[String];
    fn node_views(&self) -> Vec<NodeView>;
    fn in_flight(&self) -> Vec<InFlightView>;
    /// In-flight message `id` written out in full, while it is in flight.
    fn in_flight_detail(&self, id: u64) -> Option<String>;
    /// Every lock the live nodes keep, for lock tables and wait-for graphs.
    fn locks(&self) -> Vec<LockView>;
    /// Every queue the live nodes keep, node by node, for queue panels.
    fn queues(&self) -> Vec<QueueView>;
    fn network(&self) -> &Network;
    /// Events processed so far.
    fn processed(&self) -> u64;
    /// A copy of the whole state, to come back to later.
    fn checkpoint(&self) -> Box<dyn Cluster + Send>;
    /// Takes the trace out (leaving it empty), e.g. so a checkpoint need not copy it.
    fn take_trace(&mut self) -> Trace;
    fn put_trace(&mut self, trace: Trace);
    /// Takes the metrics out (leaving none): a checkpoint keeps a
    /// [`Metrics::mark`] of them instead of a copy.
    fn take_metrics(&mut self) -> Metrics;
    fn put_metrics(&mut self, metrics: Metrics);
}

impl<N> Cluster for Sim<N>
where
    N: Node + Send + 'static,
    N::Msg: Send,
    N::Timer: Send,
    N::World: Send,
{
    fn now(&self) -> Time {
        Sim::now(self)
    }
    fn seed(&self) -> u64 {
        Sim::seed(self)
    }
    fn step(&mut self) -> bool {
        Sim::step(self)
    }
    fn run_until(&mut self, t: Time) {
        Sim::run_until(self, t)
    }
    fn next_event_time(&self) -> Option<Time> {
        Sim::next_event_time(self)
    }
    fn schedule(&mut self, at: Time, input: Input) {
        Sim::schedule(self, at, input)
    }
    fn metrics(&self) -> &Metrics {
        Sim::metrics(self)
    }
    fn trace(&self) -> &Trace {
        Sim::trace(self)
    }
    fn set_trace_limit(&mut self, limit: Option<TraceLimit>) {
        Sim::set_trace_limit(self, limit)
    }
    fn names(&self) -> &[String] {
        Sim::names(self)
    }
    fn node_views(&self) -> Vec<NodeView> {
        Sim::node_views(self)
    }
    fn in_flight(&self) -> Vec<InFlightView> {
        Sim::in_flight(self)
    }
    fn in_flight_detail(&self, id: u64) -> Option<String> {
        Sim::in_flight_detail(self, id)
    }
    fn locks(&self) -> Vec<LockView> {
        Sim::locks(self)
    }
    fn queues(&self) -> Vec<QueueView> {
        (0..self.names().len())
            .filter(|&i| self.health(i) != super::engine::Health::Down)
            .flat_map(|i| self.node(i).queues())
            .collect()
    }
    fn network(&self) -> &Network {
        Sim::network(self)
    }
    fn processed(&self) -> u64 {
        Sim::processed(self)
    }
    fn checkpoint(&self) -> Box<dyn Cluster + Send> {
        Box::new(self.clone())
    }
    fn take_trace(&mut self) -> Trace {
        Sim::take_trace(self)
    }
    fn put_trace(&mut self, trace: Trace) {
        Sim::put_trace(self, trace)
    }
    fn take_metrics(&mut self) -> Metrics {
        Sim::take_metrics(self)
    }
    fn put_metrics(&mut self, metrics: Metrics) {
        Sim::put_metrics(self, metrics)
    }
}

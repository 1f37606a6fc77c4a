//! The contract between the simulator and the nodes it runs.
//!
//! A node is a sans-IO state machine: it is handed one event at a time
//! (start, message, timer, crash, knob, command) with a [`Ctx`], and answers
//! only through the context: messages to send, timers to set or cancel,
//! metrics to record, lines to log. It never reads a clock or an RNG of its
//! own; both come from the simulator, which is what makes a run repeatable.

use super::input::KnobValue;
use super::locks::LockView;
use super::metrics::{MetricId, MetricKind, Metrics};
use super::queues::QueueView;
use super::time::Time;
use rand::rngs::Xoshiro256PlusPlus;
use std::fmt;

/// What a message must offer the simulator: a short kind for traces and lists.
pub trait Message: Clone + fmt::Debug + Send + Sync + 'static {
    fn kind(&self) -> &'static str;
}

/// Handle to a timer, for cancelling it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub u64);

pub trait Node: Clone {
    type Msg: Message;
    type Timer: Clone + fmt::Debug + Send + Sync + 'static;
    /// State shared by every node of a scenario that only observers may use:
    /// the scenario's judge of lost writes and split brains, never a shortcut
    /// for the protocol itself.
    type World: Clone + Default;

    /// Called at the start of the run and again after each restart.
    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>);
    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Self::Msg);
    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Self::Timer);
    /// The node has crashed: drop everything volatile, keep what is durable.
    /// Nothing may be sent from here.
    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>);
    fn on_knob(&mut self, _ctx: &mut Ctx<'_, Self>, _name: &str, _value: &KnobValue) {}
    fn on_command(&mut self, _ctx: &mut Ctx<'_, Self>, _command: &str) {}
    /// The node's role now, e.g. `primary`; scripts can select nodes by it.
    fn role(&self) -> &str;
    /// A few facts about the node for display, e.g. `[("epoch", "3")]`.
    fn facts(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
    /// The locks this node keeps (a lock server's table, a semaphore), for
    /// lock tables and wait-for graphs. Most nodes keep none.
    fn locks(&self) -> Vec<LockView> {
        Vec::new()
    }
    /// The queues this node keeps (a broker's), for queue panels. Most nodes
    /// keep none.
    fn queues(&self) -> Vec<QueueView> {
        Vec::new()
    }
}

/// What a handler asked for, applied by the simulator after the handler returns.
#[derive(Clone, Debug)]
pub(crate) enum Effect<M, T> {
    Send { to: usize, msg: M },
    SetTimer { id: TimerId, after: Time, timer: T },
    CancelTimer(TimerId),
    Log(String),
}

/// A handler's window onto the simulation.
pub struct Ctx<'a, N: Node> {
    pub(crate) me: usize,
    pub(crate) now: Time,
    pub(crate) clock_offset: i64,
    pub(crate) rng: &'a mut Xoshiro256PlusPlus,
    pub(crate) world: &'a mut N::World,
    pub(crate) metrics: &'a mut Metrics,
    pub(crate) effects: &'a mut Vec<Effect<N::Msg, N::Timer>>,
    pub(crate) next_timer: &'a mut u64,
    pub(crate) names: &'a [String],
    pub(crate) logging: bool,
}

impl<'a, N: Node> Ctx<'a, N> {
    /// This node's index.
    pub fn me(&self) -> usize {
        self.me
    }

    /// The number of nodes in the cluster.
    pub fn nodes(&self) -> usize {
        self.names.len()
    }

    pub fn name(&self, node: usize) -> &str {
        &self.names[node]
    }

    /// Index of the node called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Virtual time, the same for every node. Use it for timers and for
    /// measuring; use [`Ctx::clock`] where a real node would read its clock.
    pub fn now(&self) -> Time {
        self.now
    }

    /// This node's local clock in microseconds: virtual time shifted by any
    /// clock jumps applied to the node. It can go backwards.
    pub fn clock(&self) -> i64 {
        self.now.0 as i64 + self.clock_offset
    }

    pub fn send(&mut self, to: usize, msg: N::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }

    pub fn set_timer(&mut self, after: Time, timer: N::Timer) -> TimerId {
        let id = TimerId(*self.next_timer);
        *self.next_timer += 1;
        self.effects.push(Effect::SetTimer { id, after, timer });
        id
    }

    pub fn cancel_timer(&mut self, id: TimerId) {
        self.effects.push(Effect::CancelTimer(id));
    }

    /// Whether log lines are being kept; check before formatting an expensive one.
    pub fn logging(&self) -> bool {
        self.logging
    }

    pub fn log(&mut self, line: impl Into<String>) {
        if self.logging {
            self.effects.push(Effect::Log(line.into()));
        }
    }

    pub fn rng(&mut self) -> &mut Xoshiro256PlusPlus {
        self.rng
    }

    pub fn world(&mut self) -> &mut N::World {
        self.world
    }

    pub fn metrics(&mut self) -> &mut Metrics {
        self.metrics
    }

    pub fn metric(&mut self, name: &str, kind: MetricKind) -> MetricId {
        self.metrics.register(name, kind)
    }

    /// Adds `by` to a counter.
    pub fn count(&mut self, name: &str, by: u64) {
        self.metrics.counter(name, self.now, by);
    }

    pub fn gauge(&mut self, name: &str, value: f64) {
        self.metrics.gauge(name, self.now, value);
    }

    /// Records a duration sample, in microseconds.
    pub fn observe(&mut self, name: &str, value: Time) {
        self.metrics.histogram(name, self.now, value.0);
    }

    /// Adds `by` to the counter `id` (from [`Ctx::metric`]): for what is
    /// recorded on every event, as no name is looked up.
    pub fn count_id(&mut self, id: MetricId, by: u64) {
        self.metrics.add(id, self.now, by);
    }

    /// Sets the gauge `id` (from [`Ctx::metric`]).
    pub fn gauge_id(&mut self, id: MetricId, value: f64) {
        self.metrics.set(id, self.now, value);
    }

    /// Records a duration sample in the histogram `id` (from [`Ctx::metric`]).
    pub fn observe_id(&mut self, id: MetricId, value: Time) {
        self.metrics.observe(id, self.now, value.0);
    }
}

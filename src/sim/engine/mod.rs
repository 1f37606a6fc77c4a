//! The discrete-event engine: events popped in (virtual time, sequence
//! number) order from [`queue`], one seeded RNG, the network, the messages in
//! [`flights`] and the nodes. Inputs from outside are applied in [`faults`];
//! what the outside sees of a run is in [`views`].

mod faults;
mod flights;
mod messages;
mod queue;
mod views;

pub use views::{Health, InFlightView, NodeView};

use super::input::{Input, TimedInput};
use super::metrics::Metrics;
use super::network::{LinkConfig, Network};
use super::node::{Ctx, Effect, Node, TimerId};
use super::time::Time;
use super::trace::{Detail, Trace, TraceKind, TraceLimit};
use flights::Flights;
use foldhash::fast::FixedState;
use queue::{EventQueue, Queued};
use rand::{SeedableRng, rngs::Xoshiro256PlusPlus};
use std::collections::{HashSet, VecDeque};

/// How a simulation is set up, apart from its nodes.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub seed: u64,
    /// The configuration every link starts with.
    pub link: LinkConfig,
    /// Time a node spends handling one message or timer. Events that arrive
    /// while it is busy wait their turn. Zero makes handling instantaneous.
    pub processing: Time,
    /// Keep a trace of every event (needed for `--trace` and diagrams).
    pub trace: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 0,
            link: LinkConfig::default(),
            processing: Time::ZERO,
            trace: false,
        }
    }
}

/// Why an event cannot be handled by its node right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    No,
    /// Frozen: the event waits until the node resumes.
    Paused,
    /// Still handling earlier events: the event joins the node's inbox.
    Busy,
}

#[derive(Clone, Debug)]
enum EventKind<T> {
    Start(usize),
    Deliver {
        slot: u32,
        id: u64,
    },
    Timer {
        node: usize,
        id: TimerId,
        incarnation: u32,
        timer: T,
    },
    /// An input, by its index in `Sim::inputs`: inputs are rare and large,
    /// and an event type with nothing to drop keeps the hot path lean.
    Input(u32),
    /// The node has finished its current event: handle the next in its inbox.
    Wake(usize),
    /// End of a timed pause; ignored if the pause was ended or replaced.
    PauseOver {
        node: usize,
        pause: u32,
    },
}

#[derive(Clone, Debug)]
struct Slot<N: Node> {
    node: N,
    health: Health,
    incarnation: u32,
    pause: u32,
    lamport: u64,
    clock_offset: i64,
    slow: f64,
    busy_until: Time,
    /// Events that arrived while paused, in arrival order.
    deferred: Vec<Queued<EventKind<N::Timer>>>,
    /// Events that arrived while the node was busy, handled one at a time in
    /// arrival order as it becomes free.
    inbox: VecDeque<EventKind<N::Timer>>,
    /// Whether a `Wake` for this node is queued.
    wake_armed: bool,
}

/// A deterministic simulation of a cluster of `N` nodes.
#[derive(Clone)]
pub struct Sim<N: Node> {
    config: SimConfig,
    now: Time,
    seq: u64,
    queue: EventQueue<EventKind<N::Timer>>,
    rng: Xoshiro256PlusPlus,
    names: Vec<String>,
    nodes: Vec<Slot<N>>,
    network: Network,
    flights: Flights<N::Msg>,
    next_msg: u64,
    next_timer: u64,
    cancelled: HashSet<TimerId, FixedState>,
    /// Every input scheduled so far; taken when applied.
    inputs: Vec<Option<Input>>,
    world: N::World,
    metrics: Metrics,
    trace: Option<Trace>,
    processed: u64,
    effects: Vec<Effect<N::Msg, N::Timer>>,
}

impl<N: Node> Sim<N> {
    /// A simulation of `nodes`, each started at time zero.
    pub fn new(config: SimConfig, nodes: Vec<(String, N)>) -> Sim<N> {
        let n = nodes.len();
        let mut sim = Sim {
            now: Time::ZERO,
            seq: 0,
            queue: EventQueue::new(),
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            names: nodes.iter().map(|(name, _)| name.clone()).collect(),
            nodes: nodes
                .into_iter()
                .map(|(_, node)| Slot {
                    node,
                    health: Health::Up,
                    incarnation: 0,
                    pause: 0,
                    lamport: 0,
                    clock_offset: 0,
                    slow: 1.0,
                    busy_until: Time::ZERO,
                    deferred: Vec::new(),
                    inbox: VecDeque::new(),
                    wake_armed: false,
                })
                .collect(),
            network: Network::new(n, config.link),
            flights: Flights::new(),
            next_msg: 0,
            next_timer: 0,
            cancelled: HashSet::default(),
            inputs: Vec::new(),
            world: N::World::default(),
            metrics: Metrics::default(),
            trace: config.trace.then(Trace::default),
            processed: 0,
            effects: Vec::new(),
            config,
        };
        for i in 0..n {
            sim.push(Time::ZERO, EventKind::Start(i));
        }
        sim
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn node(&self, i: usize) -> &N {
        &self.nodes[i].node
    }

    pub fn health(&self, i: usize) -> Health {
        self.nodes[i].health
    }

    pub fn world(&self) -> &N::World {
        &self.world
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// For declaring metrics before the run, so they exist even if never recorded.
    pub fn metrics_mut(&mut self) -> &mut Metrics {
        &mut self.metrics
    }

    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Changes links before the run starts (inputs change them during it).
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }

    /// The run's events (those its window keeps), if tracing is on.
    pub fn trace(&self) -> &Trace {
        static EMPTY: Trace = Trace::EMPTY;
        self.trace.as_ref().unwrap_or(&EMPTY)
    }

    /// Takes the trace out, leaving it empty (tracing stays on, and the
    /// next event keeps its number).
    pub fn take_trace(&mut self) -> Trace {
        self.trace
            .as_mut()
            .map(|t| std::mem::replace(t, Trace::starting_at(t.end(), t.limit())))
            .unwrap_or_default()
    }

    /// Keeps at most `limit` trace events from now on (`None`: all).
    pub fn set_trace_limit(&mut self, limit: Option<TraceLimit>) {
        if let Some(t) = &mut self.trace {
            t.set_limit(limit);
        }
    }

    /// Puts back a trace taken with [`Sim::take_trace`].
    pub fn put_trace(&mut self, trace: Trace) {
        if let Some(t) = &mut self.trace {
            *t = trace;
        }
    }

    /// Takes the metrics out (leaving none), e.g. so a checkpoint need not copy them.
    pub fn take_metrics(&mut self) -> Metrics {
        std::mem::take(&mut self.metrics)
    }

    /// Puts back metrics taken with [`Sim::take_metrics`].
    pub fn put_metrics(&mut self, metrics: Metrics) {
        self.metrics = metrics;
    }

    /// Events processed so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// The instant of the next pending event.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    /// Schedules an input at `at` (or now, if `at` has passed).
    pub fn schedule(&mut self, at: Time, input: Input) {
        let at = at.max(self.now);
        let index = self.inputs.len() as u32;
        self.inputs.push(Some(input));
        self.push(at, EventKind::Input(index));
    }

    pub fn schedule_all(&mut self, inputs: &[TimedInput]) {
        for t in inputs {
            self.schedule(t.at, t.input.clone());
        }
    }

    /// Processes every event up to and including `until`, then sets the clock to `until`.
    pub fn run_until(&mut self, until: Time) {
        while let Some(ev) = self.queue.pop_until(until) {
            self.process(ev);
        }
        self.now = self.now.max(until);
    }

    /// Processes the next event. Returns false when nothing is left to do.
    pub fn step(&mut self) -> bool {
        match self.queue.pop() {
            Some(ev) => {
                self.process(ev);
                true
            }
            None => false,
        }
    }

    #[inline]
    fn process(&mut self, ev: Queued<EventKind<N::Timer>>) {
        self.now = ev.time;
        self.processed += 1;
        match ev.kind {
            EventKind::Wake(node) => {
                let s = &mut self.nodes[node];
                s.wake_armed = false;
                if s.health != Health::Up {
                    return; // paused: the inbox waits; crashed: it was emptied
                }
                if let Some(kind) = s.inbox.pop_front() {
                    self.handle(kind, false);
                }
                self.arm_wake(node);
            }
            // The common case, kept out of the general path.
            EventKind::Deliver { slot, id } => self.arrive(slot, id),
            kind => self.handle(kind, true),
        }
    }

    /// Handles an event popped from the queue (`on_time`) or from a node's inbox.
    #[inline]
    fn handle(&mut self, kind: EventKind<N::Timer>, on_time: bool) {
        match kind {
            EventKind::Start(i) => {
                self.record(Some(i), TraceKind::Start);
                self.dispatch(i, |n, ctx| n.on_start(ctx));
            }
            EventKind::Deliver { slot, id } if on_time => self.arrive(slot, id),
            EventKind::Deliver { slot, id } => {
                // From the inbox: it arrived earlier; deliver unless dropped meanwhile.
                if self.flights.get(slot, id).is_some() {
                    self.deliver(slot);
                }
            }
            EventKind::Timer {
                node,
                id,
                incarnation,
                timer,
            } => {
                if self.nodes[node].incarnation != incarnation || self.cancelled.remove(&id) {
                    return;
                }
                if on_time {
                    let wait = self.wait_state(node);
                    if wait != Wait::No {
                        let ev = EventKind::Timer {
                            node,
                            id,
                            incarnation,
                            timer,
                        };
                        self.hold_for(node, wait, ev);
                        return;
                    }
                }
                self.fire_timer(node, timer);
            }
            EventKind::Input(index) => {
                if let Some(input) = self.inputs[index as usize].take() {
                    self.apply(input);
                }
            }
            EventKind::PauseOver { node, pause } => {
                if self.nodes[node].health == Health::Paused && self.nodes[node].pause == pause {
                    self.resume(node);
                }
            }
            EventKind::Wake(_) => unreachable!("wakes are handled in step"),
        }
    }

    #[inline]
    fn fire_timer(&mut self, node: usize, timer: N::Timer) {
        if self.trace.is_some() {
            let detail = Detail::new(timer.clone());
            self.record(Some(node), TraceKind::Timer { detail });
        } else {
            self.nodes[node].lamport += 1;
        }
        self.occupy(node);
        self.dispatch(node, |n, ctx| n.on_timer(ctx, timer));
    }

    #[inline]
    fn push(&mut self, time: Time, kind: EventKind<N::Timer>) {
        self.seq += 1;
        self.queue.push(Queued {
            time,
            seq: self.seq,
            kind,
        });
    }

    /// Whether an event for `node` arriving now must wait, and why.
    #[inline]
    fn wait_state(&self, node: usize) -> Wait {
        let s = &self.nodes[node];
        match s.health {
            Health::Paused => Wait::Paused,
            Health::Up if s.busy_until > self.now || !s.inbox.is_empty() => Wait::Busy,
            _ => Wait::No,
        }
    }

    /// Keeps an event for a node that cannot take it now.
    #[inline]
    fn hold_for(&mut self, node: usize, wait: Wait, kind: EventKind<N::Timer>) {
        match wait {
            Wait::Busy => {
                self.nodes[node].inbox.push_back(kind);
                self.arm_wake(node);
            }
            _ => self.park(node, kind),
        }
    }

    /// Keeps an event for a paused node until it resumes.
    fn park(&mut self, node: usize, kind: EventKind<N::Timer>) {
        self.seq += 1;
        let q = Queued {
            time: self.now,
            seq: self.seq,
            kind,
        };
        self.nodes[node].deferred.push(q);
    }

    /// Queues a wake for when the node is free, if it has work waiting.
    #[inline]
    fn arm_wake(&mut self, node: usize) {
        let s = &self.nodes[node];
        if s.wake_armed || s.inbox.is_empty() || s.health != Health::Up {
            return;
        }
        let at = s.busy_until.max(self.now);
        self.nodes[node].wake_armed = true;
        self.push(at, EventKind::Wake(node));
    }

    #[inline]
    fn occupy(&mut self, node: usize) {
        if self.config.processing > Time::ZERO {
            let s = &mut self.nodes[node];
            s.busy_until = self.now + self.config.processing.mul_f64(s.slow);
        }
    }

    /// Appends to the trace, ticking the node's Lamport clock.
    #[inline]
    fn record(&mut self, node: Option<usize>, kind: TraceKind) {
        let lamport = match node {
            Some(i) => {
                self.nodes[i].lamport += 1;
                self.nodes[i].lamport
            }
            None => 0,
        };
        if let Some(trace) = &mut self.trace {
            trace.push(self.now, node, lamport, kind);
        }
    }

    /// Runs one handler of node `i` and applies what it asked for.
    #[inline]
    fn dispatch(&mut self, i: usize, handler: impl FnOnce(&mut N, &mut Ctx<'_, N>)) {
        let mut effects = std::mem::take(&mut self.effects);
        let slot = &mut self.nodes[i];
        let mut ctx = Ctx {
            me: i,
            now: self.now,
            clock_offset: slot.clock_offset,
            rng: &mut self.rng,
            world: &mut self.world,
            metrics: &mut self.metrics,
            effects: &mut effects,
            next_timer: &mut self.next_timer,
            names: &self.names,
            logging: self.trace.is_some(),
        };
        handler(&mut slot.node, &mut ctx);
        let alive = slot.health != Health::Down;
        for effect in effects.drain(..) {
            match effect {
                Effect::Send { to, msg } if alive => self.send(i, to, msg),
                Effect::SetTimer { id, after, timer } if alive => {
                    let incarnation = self.nodes[i].incarnation;
                    let at = self.now + after;
                    self.push(
                        at,
                        EventKind::Timer {
                            node: i,
                            id,
                            incarnation,
                            timer,
                        },
                    );
                }
                Effect::CancelTimer(id) => {
                    self.cancelled.insert(id);
                }
                Effect::Log(line) => self.record(Some(i), TraceKind::Log(line)),
                _ => {}
            }
        }
        self.effects = effects;
    }
}

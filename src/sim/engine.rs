//! The discrete-event engine: a priority queue of events keyed by
//! (virtual time, sequence number), one seeded RNG, the network, and the nodes.

use super::input::{Input, NodeSel, TimedInput};
use super::locks::LockView;
use super::metrics::Metrics;
use super::network::{Latency, LinkConfig, Network};
use super::node::{Ctx, Effect, Message, Node, TimerId};
use super::time::Time;
use super::trace::{Detail, DropReason, TraceEvent, TraceKind};
use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet, VecDeque};

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

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Up,
    Down,
    Paused,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Down => "down",
            Health::Paused => "paused",
        }
    }
}

/// What the outside world may see of a node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: usize,
    pub name: String,
    pub role: String,
    pub health: Health,
    /// Processing slowdown factor (1 = normal).
    pub slow: f64,
    /// Local clock minus virtual time, in microseconds.
    pub clock_offset: i64,
    pub facts: Vec<(&'static str, String)>,
}

/// A message on its way.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlightView {
    pub id: u64,
    pub from: usize,
    pub to: usize,
    pub kind: &'static str,
    pub sent_at: Time,
    /// `None` while held on a held link.
    pub arrives_at: Option<Time>,
}

#[derive(Clone, Debug)]
struct InFlight<M> {
    id: u64,
    from: usize,
    to: usize,
    msg: M,
    sent_at: Time,
    arrives_at: Option<Time>,
    lamport: u64,
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
struct Queued<T> {
    time: Time,
    seq: u64,
    kind: EventKind<T>,
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<T> Eq for Queued<T> {}
impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Queued<T> {
    /// Reversed, so the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The pending events, popped in (time, seq) order.
///
/// Most events are scheduled no earlier than every event already pending
/// (with a constant latency, every one is), so those go to the back of a
/// FIFO that stays sorted, in O(1); only the others go to a binary heap. A
/// pop takes the smaller of the two fronts. Keys are unique (seq grows with
/// every push), so the order is exactly that of a single heap.
#[derive(Clone, Debug)]
struct EventQueue<T> {
    /// Sorted by (time, seq), ascending.
    sorted: VecDeque<Queued<T>>,
    heap: BinaryHeap<Queued<T>>,
}

impl<T> EventQueue<T> {
    fn new() -> Self {
        EventQueue {
            sorted: VecDeque::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// `q.seq` must be greater than that of every event pushed before.
    fn push(&mut self, q: Queued<T>) {
        match self.sorted.back() {
            Some(last) if q.time < last.time => self.heap.push(q),
            _ => self.sorted.push_back(q),
        }
    }

    fn peek_time(&self) -> Option<Time> {
        match (self.sorted.front(), self.heap.peek()) {
            (Some(a), Some(b)) => Some(a.time.min(b.time)),
            (Some(a), None) => Some(a.time),
            (None, b) => b.map(|b| b.time),
        }
    }

    fn pop(&mut self) -> Option<Queued<T>> {
        self.pop_until(Time::MAX)
    }

    /// The earliest event, if it is due at or before `until`.
    #[inline]
    fn pop_until(&mut self, until: Time) -> Option<Queued<T>> {
        let from_heap = match (self.sorted.front(), self.heap.peek()) {
            // `Queued`'s order is reversed: greater means earlier.
            (Some(a), Some(b)) => b > a,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => return None,
        };
        if from_heap {
            if self.heap.peek().is_some_and(|q| q.time <= until) {
                self.heap.pop()
            } else {
                None
            }
        } else if self.sorted.front().is_some_and(|q| q.time <= until) {
            self.sorted.pop_front()
        } else {
            None
        }
    }
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
    deferred: Vec<Queued<N::Timer>>,
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
    queue: EventQueue<N::Timer>,
    rng: Xoshiro256PlusPlus,
    names: Vec<String>,
    nodes: Vec<Slot<N>>,
    network: Network,
    flights: Vec<Option<InFlight<N::Msg>>>,
    free_flights: Vec<u32>,
    next_msg: u64,
    next_timer: u64,
    cancelled: HashSet<TimerId>,
    /// Every input scheduled so far; taken when applied.
    inputs: Vec<Option<Input>>,
    world: N::World,
    metrics: Metrics,
    trace: Option<Vec<TraceEvent>>,
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
            flights: Vec::new(),
            free_flights: Vec::new(),
            next_msg: 0,
            next_timer: 0,
            cancelled: HashSet::new(),
            inputs: Vec::new(),
            world: N::World::default(),
            metrics: Metrics::default(),
            trace: config.trace.then(Vec::new),
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

    /// Every event so far, if tracing is on.
    pub fn trace(&self) -> &[TraceEvent] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// Takes the trace out, leaving it empty (tracing stays on).
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Puts back a trace taken with [`Sim::take_trace`].
    pub fn put_trace(&mut self, trace: Vec<TraceEvent>) {
        if let Some(t) = &mut self.trace {
            *t = trace;
        }
    }

    /// Events processed so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// The instant of the next pending event.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek_time()
    }

    pub fn node_views(&self) -> Vec<NodeView> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(id, s)| NodeView {
                id,
                name: self.names[id].clone(),
                role: s.node.role().to_string(),
                health: s.health,
                slow: s.slow,
                clock_offset: s.clock_offset,
                facts: s.node.facts(),
            })
            .collect()
    }

    /// Every lock kept by a node that is not down, node by node.
    pub fn locks(&self) -> Vec<LockView> {
        self.nodes
            .iter()
            .filter(|s| s.health != Health::Down)
            .flat_map(|s| s.node.locks())
            .collect()
    }

    /// Messages sent and not yet delivered or dropped, oldest first.
    pub fn in_flight(&self) -> Vec<InFlightView> {
        let mut v: Vec<InFlightView> = self
            .flights
            .iter()
            .flatten()
            .map(|f| InFlightView {
                id: f.id,
                from: f.from,
                to: f.to,
                kind: f.msg.kind(),
                sent_at: f.sent_at,
                arrives_at: f.arrives_at,
            })
            .collect();
        v.sort_by_key(|f| f.id);
        v
    }

    /// The whole of in-flight message `id`, written out (its fields, not only
    /// its kind), or `None` once it has landed or been dropped.
    pub fn in_flight_detail(&self, id: u64) -> Option<String> {
        let slot = self.find_flight(id)?;
        self.flights[slot].as_ref().map(|f| format!("{:?}", f.msg))
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
    fn process(&mut self, ev: Queued<N::Timer>) {
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

    /// A message reaches its destination at its arrival time.
    #[inline]
    fn arrive(&mut self, slot: u32, id: u64) {
        let Some(f) = &self.flights[slot as usize] else {
            return;
        };
        if f.id != id || f.arrives_at != Some(self.now) {
            return; // rescheduled, delivered early or dropped
        }
        let (from, to) = (f.from, f.to);
        if self.network.is_held(from, to) {
            self.flights[slot as usize]
                .as_mut()
                .expect("checked above")
                .arrives_at = None;
            return;
        }
        let wait = self.wait_state(to);
        if wait != Wait::No {
            self.hold_for(to, wait, EventKind::Deliver { slot, id });
            return;
        }
        self.deliver(slot as usize);
    }

    /// Handles an event popped from the queue (`on_time`) or from a node's inbox.
    fn handle(&mut self, kind: EventKind<N::Timer>, on_time: bool) {
        match kind {
            EventKind::Start(i) => {
                self.record(Some(i), TraceKind::Start);
                self.dispatch(i, |n, ctx| n.on_start(ctx));
            }
            EventKind::Deliver { slot, id } if on_time => self.arrive(slot, id),
            EventKind::Deliver { slot, id } => {
                // From the inbox: it arrived earlier; deliver unless dropped meanwhile.
                if self.flights[slot as usize]
                    .as_ref()
                    .is_some_and(|f| f.id == id)
                {
                    self.deliver(slot as usize);
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
    fn arm_wake(&mut self, node: usize) {
        let s = &self.nodes[node];
        if s.wake_armed || s.inbox.is_empty() || s.health != Health::Up {
            return;
        }
        let at = s.busy_until.max(self.now);
        self.nodes[node].wake_armed = true;
        self.push(at, EventKind::Wake(node));
    }

    fn occupy(&mut self, node: usize) {
        if self.config.processing > Time::ZERO {
            let s = &mut self.nodes[node];
            s.busy_until = self.now + self.config.processing.mul_f64(s.slow);
        }
    }

    fn deliver(&mut self, slot: usize) {
        let f = self.flights[slot].take().expect("delivered message exists");
        self.free_flights.push(slot as u32);
        if self.nodes[f.to].health == Health::Down {
            self.record_drop(&f, DropReason::Down);
            return;
        }
        if self.network.is_cut(f.from, f.to) {
            self.record_drop(&f, DropReason::Partition);
            return;
        }
        let s = &mut self.nodes[f.to];
        s.lamport = s.lamport.max(f.lamport) + 1;
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                seq: trace.len() as u64,
                time: self.now,
                node: Some(f.to),
                lamport: s.lamport,
                kind: TraceKind::Deliver {
                    msg: f.id,
                    from: f.from,
                    kind: f.msg.kind(),
                    sent_at: f.sent_at,
                },
            });
        }
        self.occupy(f.to);
        let from = f.from;
        self.dispatch(f.to, |n, ctx| n.on_message(ctx, from, f.msg));
    }

    fn record_drop(&mut self, f: &InFlight<N::Msg>, reason: DropReason) {
        let kind = TraceKind::Drop {
            msg: f.id,
            from: f.from,
            to: f.to,
            kind: f.msg.kind(),
            reason,
        };
        self.record(None, kind);
    }

    /// Appends to the trace, ticking the node's Lamport clock.
    fn record(&mut self, node: Option<usize>, kind: TraceKind) {
        let lamport = match node {
            Some(i) => {
                self.nodes[i].lamport += 1;
                self.nodes[i].lamport
            }
            None => 0,
        };
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                seq: trace.len() as u64,
                time: self.now,
                node,
                lamport,
                kind,
            });
        }
    }

    /// Runs one handler of node `i` and applies what it asked for.
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

    fn send(&mut self, from: usize, to: usize, msg: N::Msg) {
        let s = &mut self.nodes[from];
        s.lamport += 1;
        let lamport = s.lamport;
        let depart = s.busy_until.max(self.now);
        let duplicate = self.network.link(from, to).duplicate;
        // Random draws in a fixed order: duplication, then per copy loss and latency.
        if duplicate > 0.0 && self.rng.random_bool(duplicate) {
            self.send_copy(from, to, msg.clone(), lamport, depart, false);
            self.send_copy(from, to, msg, lamport, depart, true);
        } else {
            self.send_copy(from, to, msg, lamport, depart, false);
        }
    }

    /// Puts one copy of a message on the link, or loses it.
    #[inline]
    fn send_copy(
        &mut self,
        from: usize,
        to: usize,
        msg: N::Msg,
        lamport: u64,
        depart: Time,
        duplicate: bool,
    ) {
        let id = self.next_msg;
        self.next_msg += 1;
        let (link, cut, held) = self.network.state(from, to);
        let lost = link.loss > 0.0 && self.rng.random_bool(link.loss);
        let arrives = if lost || cut || held {
            None
        } else {
            Some(depart + sample(&link.latency, &mut self.rng))
        };
        if let Some(trace) = &mut self.trace {
            let kind = TraceKind::Send {
                msg: id,
                to,
                kind: msg.kind(),
                detail: Detail::new(msg.clone()),
                arrives,
                duplicate,
            };
            let seq = trace.len() as u64;
            trace.push(TraceEvent {
                seq,
                time: self.now,
                node: Some(from),
                lamport,
                kind,
            });
            if lost || cut {
                let reason = if cut {
                    DropReason::Partition
                } else {
                    DropReason::Loss
                };
                let kind = TraceKind::Drop {
                    msg: id,
                    from,
                    to,
                    kind: msg.kind(),
                    reason,
                };
                trace.push(TraceEvent {
                    seq: seq + 1,
                    time: self.now,
                    node: None,
                    lamport: 0,
                    kind,
                });
            }
        }
        if lost || cut {
            return;
        }
        let flight = InFlight {
            id,
            from,
            to,
            msg,
            sent_at: self.now,
            arrives_at: arrives,
            lamport,
        };
        let slot = match self.free_flights.pop() {
            Some(s) => {
                self.flights[s as usize] = Some(flight);
                s
            }
            None => {
                self.flights.push(Some(flight));
                (self.flights.len() - 1) as u32
            }
        };
        if let Some(at) = arrives {
            self.push(at, EventKind::Deliver { slot, id });
        }
    }

    fn resolve(&self, sel: &NodeSel) -> Option<usize> {
        match sel {
            NodeSel::Id(i) => (*i < self.nodes.len()).then_some(*i),
            NodeSel::Role(role) => {
                let with_role = |h: Option<Health>| {
                    self.nodes
                        .iter()
                        .position(|s| s.node.role() == role && h.is_none_or(|h| s.health == h))
                };
                with_role(Some(Health::Up)).or_else(|| with_role(None))
            }
        }
    }

    fn describe(&self, input: &Input) -> String {
        input.describe(&|sel| match self.resolve(sel) {
            Some(i) => self.names[i].clone(),
            None => match sel {
                NodeSel::Role(r) => format!("role:{r}(none)"),
                NodeSel::Id(i) => format!("#{i}"),
            },
        })
    }

    fn apply(&mut self, input: Input) {
        if self.trace.is_some() {
            let text = self.describe(&input);
            self.record(None, TraceKind::Input(text));
        }
        let one = |sim: &Self, sel: &NodeSel| sim.resolve(sel);
        match input {
            Input::Crash(sel) => {
                if let Some(i) = one(self, &sel) {
                    self.crash(i);
                }
            }
            Input::Restart(sel) => {
                if let Some(i) = one(self, &sel).filter(|&i| self.nodes[i].health == Health::Down) {
                    let s = &mut self.nodes[i];
                    s.health = Health::Up;
                    s.busy_until = self.now;
                    self.record(Some(i), TraceKind::Restart);
                    self.dispatch(i, |n, ctx| n.on_start(ctx));
                }
            }
            Input::Pause { node, duration } => {
                if let Some(i) = one(self, &node).filter(|&i| self.nodes[i].health != Health::Down)
                {
                    let s = &mut self.nodes[i];
                    s.health = Health::Paused;
                    s.pause += 1;
                    let pause = s.pause;
                    self.record(Some(i), TraceKind::Pause);
                    if let Some(d) = duration {
                        self.push(self.now + d, EventKind::PauseOver { node: i, pause });
                    }
                }
            }
            Input::Resume(sel) => {
                if let Some(i) = one(self, &sel).filter(|&i| self.nodes[i].health == Health::Paused)
                {
                    self.resume(i);
                }
            }
            Input::Slow { node, factor } => {
                if let Some(i) = one(self, &node) {
                    self.nodes[i].slow = factor.max(0.0);
                }
            }
            Input::ClockJump { node, by } => {
                if let Some(i) = one(self, &node) {
                    self.nodes[i].clock_offset += by;
                }
            }
            Input::Partition { groups } => {
                let groups: Vec<Vec<usize>> = groups
                    .iter()
                    .map(|g| g.iter().filter_map(|s| one(self, s)).collect())
                    .collect();
                for (gi, a) in groups.iter().enumerate() {
                    for b in groups.iter().skip(gi + 1) {
                        for &x in a {
                            for &y in b {
                                if x != y {
                                    self.network.set_cut(x, y, true);
                                    self.network.set_cut(y, x, true);
                                }
                            }
                        }
                    }
                }
            }
            Input::Isolate(sel) => {
                if let Some(i) = one(self, &sel) {
                    for j in (0..self.nodes.len()).filter(|&j| j != i) {
                        self.network.set_cut(i, j, true);
                        self.network.set_cut(j, i, true);
                    }
                }
            }
            Input::Cut { from, to } => {
                if let (Some(a), Some(b)) = (one(self, &from), one(self, &to)) {
                    self.network.set_cut(a, b, true);
                }
            }
            Input::Heal => {
                self.network.heal();
                let n = self.nodes.len();
                for a in 0..n {
                    for b in 0..n {
                        self.release(a, b);
                    }
                }
            }
            Input::Hold { from, to } => {
                if let (Some(a), Some(b)) = (one(self, &from), one(self, &to)) {
                    self.network.set_held(a, b, true);
                }
            }
            Input::Release { from, to } => {
                if let (Some(a), Some(b)) = (one(self, &from), one(self, &to)) {
                    self.release(a, b);
                }
            }
            Input::SetLink { from, to, change } => {
                let n = self.nodes.len();
                let pick = |sim: &Self, s: &Option<NodeSel>| -> Vec<usize> {
                    match s {
                        None => (0..n).collect(),
                        Some(sel) => one(sim, sel).into_iter().collect(),
                    }
                };
                for a in pick(self, &from) {
                    for b in pick(self, &to) {
                        change.apply(self.network.link_mut(a, b));
                    }
                }
            }
            Input::DropMessage(id) => {
                if let Some(slot) = self.find_flight(id) {
                    let f = self.flights[slot].take().expect("found above");
                    self.free_flights.push(slot as u32);
                    self.record_drop(&f, DropReason::Input);
                }
            }
            Input::DeliverMessage(id) => {
                if let Some(slot) = self.find_flight(id) {
                    let to = self.flights[slot]
                        .as_ref()
                        .map(|f| f.to)
                        .expect("found above");
                    if self.nodes[to].health == Health::Paused {
                        // Delivered to the frozen node: it sees it when it wakes.
                        self.flights[slot].as_mut().expect("found above").arrives_at =
                            Some(self.now);
                        let id = self.flights[slot].as_ref().expect("found above").id;
                        self.park(
                            to,
                            EventKind::Deliver {
                                slot: slot as u32,
                                id,
                            },
                        );
                    } else {
                        self.deliver(slot);
                    }
                }
            }
            Input::Knob { name, value } => {
                for i in 0..self.nodes.len() {
                    self.dispatch(i, |n, ctx| n.on_knob(ctx, &name, &value));
                }
            }
            Input::Command { node, command } => {
                if let Some(i) = one(self, &node) {
                    // A crashed process hears nothing, commands included.
                    if self.nodes[i].health == Health::Down {
                        if self.trace.is_some() {
                            let text = format!("{command}: ignored, the node is down");
                            self.record(Some(i), TraceKind::Log(text));
                        }
                    } else {
                        self.dispatch(i, |n, ctx| n.on_command(ctx, &command));
                    }
                }
            }
        }
    }

    fn find_flight(&self, id: u64) -> Option<usize> {
        self.flights
            .iter()
            .position(|f| f.as_ref().is_some_and(|f| f.id == id))
    }

    fn crash(&mut self, i: usize) {
        if self.nodes[i].health == Health::Down {
            return;
        }
        let s = &mut self.nodes[i];
        s.health = Health::Down;
        s.incarnation += 1;
        s.slow = 1.0;
        let waiting: Vec<EventKind<N::Timer>> = std::mem::take(&mut s.deferred)
            .into_iter()
            .map(|q| q.kind)
            .chain(std::mem::take(&mut s.inbox))
            .collect();
        self.record(Some(i), TraceKind::Crash);
        self.dispatch(i, |n, ctx| n.on_crash(ctx));
        // What waited for the node is lost with it.
        for kind in waiting {
            if let EventKind::Deliver { slot, id } = kind
                && self.flights[slot as usize]
                    .as_ref()
                    .is_some_and(|f| f.id == id)
            {
                self.deliver(slot as usize);
            }
        }
    }

    /// Wakes a paused node: what arrived meanwhile joins its inbox, in
    /// arrival order, and is handled one event at a time from now on.
    fn resume(&mut self, i: usize) {
        let s = &mut self.nodes[i];
        s.health = Health::Up;
        let deferred = std::mem::take(&mut s.deferred);
        self.record(Some(i), TraceKind::Resume);
        for q in deferred {
            if let EventKind::Deliver { slot, id } = q.kind
                && let Some(f) = self.flights[slot as usize].as_mut()
                && f.id == id
            {
                f.arrives_at = Some(self.now);
            }
            self.nodes[i].inbox.push_back(q.kind);
        }
        self.arm_wake(i);
    }

    /// Sends every message held on `from -> to` on its way.
    fn release(&mut self, from: usize, to: usize) {
        if !self.network.is_held(from, to) {
            return;
        }
        self.network.set_held(from, to, false);
        let latency = self.network.link(from, to).latency;
        let mut parked: Vec<(u64, usize)> = self
            .flights
            .iter()
            .enumerate()
            .filter_map(|(slot, f)| {
                f.as_ref()
                    .filter(|f| f.from == from && f.to == to && f.arrives_at.is_none())
                    .map(|f| (f.id, slot))
            })
            .collect();
        parked.sort_unstable();
        for (id, slot) in parked {
            let at = self.now + sample(&latency, &mut self.rng);
            self.flights[slot].as_mut().expect("parked").arrives_at = Some(at);
            self.push(
                at,
                EventKind::Deliver {
                    slot: slot as u32,
                    id,
                },
            );
        }
    }
}

/// [`Latency::sample`], with the constant case (the default, and the common
/// one) inlined into the send path.
#[inline]
fn sample(latency: &Latency, rng: &mut Xoshiro256PlusPlus) -> Time {
    match *latency {
        Latency::Constant { value } => value,
        ref other => other.sample(rng),
    }
}

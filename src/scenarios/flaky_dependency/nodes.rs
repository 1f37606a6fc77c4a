//! What the three roles share: messages, timers, the observer-only world,
//! and the node type the simulator runs, which hands each event to its role.

use super::breaker::State;
use super::client::Client;
use super::dependency::Dependency;
use super::frontend::Frontend;
use crate::sim::{Ctx, KnobValue, Message, Node, Time};

/// One of the front end's two endpoints, each backed by its own dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ep {
    A,
    B,
}

impl Ep {
    pub const BOTH: [Ep; 2] = [Ep::A, Ep::B];

    pub fn index(self) -> usize {
        self as usize
    }

    /// `a` or `b`, as in metric names.
    pub fn key(self) -> &'static str {
        ["a", "b"][self.index()]
    }
}

/// How the front end answered a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Success,
    /// A fallback answer (default or cached data) given instead of an error.
    Degraded,
    Error,
}

#[derive(Clone, Debug)]
pub enum Msg {
    /// Client to front end.
    Request { id: u64, ep: Ep },
    /// Front end to client.
    Reply { id: u64, answer: Answer },
    /// Front end to dependency: attempt `attempt` of task `task`.
    Call { task: u64, attempt: u32 },
    /// Dependency to front end; `ok` is false for an error reply.
    CallReply { task: u64, attempt: u32, ok: bool },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "request",
            Msg::Reply { .. } => "reply",
            Msg::Call { .. } => "call",
            Msg::CallReply { ok: true, .. } => "call-ok",
            Msg::CallReply { ok: false, .. } => "call-error",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Timer {
    /// Client: time to send the next request to `ep` (stale if `round` moved on).
    Arrival { ep: Ep, round: u64 },
    /// Client: request `id` has waited as long as it will.
    Deadline { id: u64 },
    /// Front end: attempt `attempt` of task `task` has waited as long as it will.
    CallTimeout { task: u64, attempt: u32 },
    /// Front end: the breaker of `ep` may leave OPEN (stale if `generation` moved on).
    BreakerWait { ep: Ep, generation: u64 },
    /// Dependency: the answer to pending request `pending` is ready.
    Answer { pending: u64 },
}

/// A `recover` command and whether its breaker close has been measured yet.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Recovery {
    pub at: Option<Time>,
    pub measured: bool,
}

/// Observer-only state shared by the nodes, used to measure, never to decide.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// The last `recover` command per dependency.
    pub recovery: [Recovery; 2],
    /// The front end's breaker state per dependency (`None` while off).
    pub breaker: [Option<State>; 2],
}

#[derive(Clone, Debug)]
pub enum FlakyNode {
    Client(Client),
    Frontend(Box<Frontend>),
    Dependency(Dependency),
}

impl Node for FlakyNode {
    type Msg = Msg;
    type Timer = Timer;
    type World = World;

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            FlakyNode::Client(n) => n.on_start(ctx),
            FlakyNode::Frontend(n) => n.on_start(ctx),
            FlakyNode::Dependency(n) => n.on_start(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: Msg) {
        match self {
            FlakyNode::Client(n) => n.on_message(ctx, msg),
            FlakyNode::Frontend(n) => n.on_message(ctx, from, msg),
            FlakyNode::Dependency(n) => n.on_message(ctx, from, msg),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, timer: Timer) {
        match self {
            FlakyNode::Client(n) => n.on_timer(ctx, timer),
            FlakyNode::Frontend(n) => n.on_timer(ctx, timer),
            FlakyNode::Dependency(n) => n.on_timer(ctx, timer),
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, Self>) {
        match self {
            FlakyNode::Client(n) => n.on_crash(),
            FlakyNode::Frontend(n) => n.on_crash(ctx),
            FlakyNode::Dependency(n) => n.on_crash(),
        }
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, Self>, name: &str, value: &KnobValue) {
        match self {
            FlakyNode::Client(n) => n.on_knob(ctx, name, value),
            FlakyNode::Frontend(n) => n.on_knob(ctx, name, value),
            FlakyNode::Dependency(n) => n.on_knob(name, value),
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, Self>, command: &str) {
        if let FlakyNode::Dependency(n) = self {
            n.on_command(ctx, command);
        }
    }

    fn role(&self) -> &str {
        match self {
            FlakyNode::Client(_) => "client",
            FlakyNode::Frontend(_) => "frontend",
            FlakyNode::Dependency(_) => "dependency",
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        match self {
            FlakyNode::Client(n) => n.facts(),
            FlakyNode::Frontend(n) => n.facts(),
            FlakyNode::Dependency(n) => n.facts(),
        }
    }
}

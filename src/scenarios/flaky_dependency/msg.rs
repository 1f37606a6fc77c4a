//! What the three roles say to each other, and the timers they set.

use crate::sim::{Message, Time};

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
    /// Front end: the breaker of `ep` asked to be polled at `at` (stale if
    /// it no longer wants that).
    BreakerPoll { ep: Ep, at: Time },
    /// Dependency: the answer to pending request `pending` is ready.
    Answer { pending: u64 },
}

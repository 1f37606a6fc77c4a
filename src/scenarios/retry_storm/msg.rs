//! What the nodes of the retry-storm cluster say to each other, and their timers.

use crate::sim::{Message, Time};

/// What a call asks the database to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A read: safe to repeat.
    Read,
    /// An order: not idempotent, so a repeat may place it twice.
    Order,
    /// A malformed request: the database refuses it every time.
    Bad,
}

impl Kind {
    pub fn idempotent(self) -> bool {
        self != Kind::Order
    }
}

/// How a call ended, as its callee answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The callee is overloaded (a full queue): transient, worth a retry later.
    Overloaded,
    /// The request is invalid: no retry will ever succeed.
    Invalid,
    /// A layer below gave up (its retries or budget spent, or throttled):
    /// "overloaded, do not retry".
    GaveUp,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Overloaded => "overloaded",
            Outcome::Invalid => "invalid",
            Outcome::GaveUp => "gave-up",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Writer `c` → database: the row's version, please.
    Read { c: u16, contest: u32 },
    /// Database → writer `c`: the row is at `version`.
    Value { c: u16, contest: u32, version: u64 },
    /// Writer `c` → database: write the row if it is still at `version`
    /// (a conditional write, DynamoDB's `ConditionExpression`).
    Write { c: u16, contest: u32, version: u64 },
    /// Database → writer `c`: the write took (`ok`) or the version had moved on.
    Written { c: u16, contest: u32, ok: bool },
    /// Caller → callee: attempt `id` of work for user request `origin`;
    /// `deadline` is the caller's, when deadlines propagate.
    Call {
        id: u64,
        origin: u64,
        kind: Kind,
        deadline: Option<Time>,
    },
    /// Callee → caller: how attempt `id` ended.
    Reply { id: u64, outcome: Outcome },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Read { .. } => "read",
            Msg::Value { .. } => "value",
            Msg::Write { .. } => "write",
            Msg::Written { ok: true, .. } => "written",
            Msg::Written { ok: false, .. } => "conflict",
            Msg::Call { .. } => "call",
            Msg::Reply {
                outcome: Outcome::Ok,
                ..
            } => "ok",
            Msg::Reply {
                outcome: Outcome::Overloaded,
                ..
            } => "overloaded",
            Msg::Reply {
                outcome: Outcome::Invalid,
                ..
            } => "invalid",
            Msg::Reply {
                outcome: Outcome::GaveUp,
                ..
            } => "gave-up",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Writers: writer `c`'s backoff is over; read again.
    Retry { c: u16, contest: u32 },
    /// Writers: look for requests unanswered for a second.
    Check,
    /// Writers: the pause between contests is over.
    NextContest { contest: u32 },
    /// Users: the next request arrives.
    Arrival,
    /// A layer: task `task`'s backoff is over; send its next attempt.
    Attempt { task: u64 },
    /// A layer: attempt `attempt` of task `task` has waited its timeout.
    Timeout { task: u64, attempt: u32 },
    /// Once a second: gauges.
    Tick,
    /// Database: the current call is served.
    Serve,
}

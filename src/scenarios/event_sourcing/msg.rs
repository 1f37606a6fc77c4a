//! What clients, the account's handlers, the event store and the
//! projection say to each other, and their timers.

use super::model::{Event, Events, Snapshot};
use crate::sim::Message;

/// Why a handler did not append a command's event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The balance does not cover the withdrawal: the command is refused,
    /// and no event is written.
    InsufficientFunds,
    /// The store refused its append on the version check again and again.
    Conflict,
    /// The store did not answer.
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Client → handler: a command on the account.
    Deposit { cmd: u64, amount: i64 },
    Withdraw { cmd: u64, amount: i64 },
    /// Client → handler: withdraw the whole balance (move it to savings).
    Sweep { cmd: u64 },
    /// Handler → client: the command's event is in the log at `offset`; the
    /// account's version is `offset + 1` with it (the client's token).
    Done { cmd: u64, offset: u64 },
    /// Handler → client: no event was written.
    Refused { cmd: u64, why: Refusal },

    /// Handler → store: the latest snapshot and every event after it.
    Load { req: u64 },
    /// Store → handler.
    Loaded {
        req: u64,
        snapshot: Option<Snapshot>,
        events: Events,
    },
    /// Handler → store: the events from offset `from` on.
    Read { req: u64, from: u64 },
    /// Store → handler.
    Batch { req: u64, from: u64, events: Events },
    /// Handler → store: append `event`, decided on the account at version
    /// `expected` (checked only with `expected_version` on).
    Append { req: u64, expected: u64, event: Event },
    /// Store → handler: appended at `offset` (or was already there).
    Appended { req: u64, offset: u64 },
    /// Store → handler: refused, the stream is at version `current`
    /// (EventStoreDB's WrongExpectedVersion).
    WrongVersion { req: u64, current: u64 },
    /// Handler → store: keep this snapshot of the account.
    SaveSnapshot { snapshot: Snapshot },

    /// Projection → store: up to `max` events from offset `from` on.
    Fetch { req: u64, from: u64, max: usize },
    /// Store → projection: those events, and the log's length now.
    Fetched {
        req: u64,
        from: u64,
        events: Events,
        head: u64,
    },

    /// Client → projection: the balance, please; with read-your-writes, not
    /// from a read model that has not reached version `min` yet.
    Query { q: u64, min: Option<u64> },
    /// Projection → client: the balance as of `position` events, and the
    /// table's checksum (for the judge; a real client would not look).
    Answer {
        q: u64,
        position: u64,
        balance: i64,
        checksum: u64,
    },
    /// Projection → client: the read model did not reach `min` in time.
    NotYet { q: u64, position: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Deposit { .. } => "deposit",
            Msg::Withdraw { .. } => "withdraw",
            Msg::Sweep { .. } => "sweep",
            Msg::Done { .. } => "done",
            Msg::Refused { .. } => "refused",
            Msg::Load { .. } => "load",
            Msg::Loaded { .. } => "loaded",
            Msg::Read { .. } => "read",
            Msg::Batch { .. } => "events",
            Msg::Append { .. } => "append",
            Msg::Appended { .. } => "appended",
            Msg::WrongVersion { .. } => "wrong-version",
            Msg::SaveSnapshot { .. } => "snapshot",
            Msg::Fetch { .. } => "fetch",
            Msg::Fetched { .. } => "fetched",
            Msg::Query { .. } => "query",
            Msg::Answer { .. } => "answer",
            Msg::NotYet { .. } => "not-yet",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Client: time for its next command.
    Next,
    /// Client: no answer to command `cmd`, or to query `q`.
    CommandTimeout { cmd: u64 },
    QueryTimeout { q: u64 },
    /// Handler: no answer from the store to request `req`.
    StoreTimeout { req: u64 },
    /// Handler: done replaying the events it loaded.
    Replayed { req: u64 },
    /// Projection: time to fetch again, for the live table or the rebuild.
    Poll,
    PollRebuild,
    /// Projection: time to save its position (with the bug).
    Checkpoint,
    /// Projection: no answer to fetch `req`.
    FetchTimeout { req: u64 },
    /// Projection: query `q` has waited long enough.
    QueryDeadline { q: u64 },
}

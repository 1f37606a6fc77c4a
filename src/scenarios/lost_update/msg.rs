//! What clients, the store and the lock server say to each other.

use crate::sim::Message;

/// Every request carries the client's operation number, echoed in the
/// answer, so a client can tell an answer to what it is doing now from a
/// late answer to something it gave up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Client → store: what are the count and its version?
    Read { op: u32 },
    /// Store → client: the count and its version.
    Value { op: u32, count: i64, version: u64 },
    /// Client → store: set the count to `count`, whatever it is now.
    Write { op: u32, count: i64 },
    /// Store → client: written.
    Written { op: u32 },
    /// Client → store: add one yourself.
    Incr { op: u32 },
    /// Store → client: added; the count is now `count`.
    Incremented { op: u32, count: i64 },
    /// Client → store: set the count to `count` if its version is still `version`.
    Cas { op: u32, version: u64, count: i64 },
    /// Store → client: the compare-and-set took; the version is now `version`.
    CasOk { op: u32, version: u64 },
    /// Store → client: someone wrote first; the version is now `version`
    /// (HTTP's 412 Precondition Failed, Kubernetes' 409 Conflict).
    CasConflict { op: u32, version: u64 },
    /// Client → owner: add one to the count, in mailbox order.
    Add { op: u32 },
    /// Owner → client: applied.
    Added { op: u32 },
    /// Client → lock server: I want the lock, for operation `op`.
    Lock { op: u32 },
    /// Lock server → client: it is yours.
    Granted { op: u32 },
    /// Client → lock server: I let go of (or stop waiting for) every claim
    /// of mine up to operation `op`.
    Unlock { op: u32 },
}

impl Msg {
    /// Whether the store serves this message (and spends its service time on it).
    pub fn is_store_request(&self) -> bool {
        matches!(
            self,
            Msg::Read { .. }
                | Msg::Write { .. }
                | Msg::Incr { .. }
                | Msg::Cas { .. }
                | Msg::Add { .. }
        )
    }
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Read { .. } => "read",
            Msg::Value { .. } => "value",
            Msg::Write { .. } => "write",
            Msg::Written { .. } => "written",
            Msg::Incr { .. } => "incr",
            Msg::Incremented { .. } => "incremented",
            Msg::Cas { .. } => "cas",
            Msg::CasOk { .. } => "cas-ok",
            Msg::CasConflict { .. } => "cas-conflict",
            Msg::Add { .. } => "add",
            Msg::Added { .. } => "added",
            Msg::Lock { .. } => "lock",
            Msg::Granted { .. } => "granted",
            Msg::Unlock { .. } => "unlock",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The store has finished its current request: serve the next.
    Serve,
}

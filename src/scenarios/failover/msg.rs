//! What replicas and clients say to each other, and what a log holds.

use crate::sim::{Message, Time};
use std::fmt;

/// A write's identity: the client node that issued it and its sequence
/// number there (from 1). A retry keeps the id, so the judge can tell one
/// write from its copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WriteId {
    pub client: u16,
    pub seq: u32,
}

/// One entry of a replication log: a write, stamped with the epoch of the
/// primary that accepted it and the instant it did (the judge needs that
/// instant to spot writes accepted by a primary that was already deposed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub epoch: u32,
    pub id: WriteId,
    pub key: u8,
    pub at: Time,
}

/// Why an append was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Fencing: the sender's epoch is older than the receiver's.
    StaleEpoch,
    /// The receiver is a primary itself and follows nobody.
    NotFollowing,
    /// The follower's log has no entry at `prev_index`: it holds `len` entries.
    TooShort { len: u32 },
    /// The follower's entry at `prev_index` has another epoch, `epoch`, whose
    /// first entry in its log is at `first`.
    Conflict { epoch: u32, first: u32 },
}

#[derive(Clone)]
pub enum Msg {
    /// Client → replica: please store `key = seq`.
    Write {
        seq: u32,
        key: u8,
        attempt: u32,
    },
    /// Primary → client: the write is acknowledged.
    WriteOk {
        seq: u32,
    },
    /// Replica → client: I am not the primary; try `hint` if known.
    NotPrimary {
        seq: u32,
        attempt: u32,
        hint: Option<u16>,
    },
    /// Client → replica: what is the latest value of my `key`? `want` is the
    /// newest value the client has had acknowledged, echoed back.
    Read {
        key: u8,
        want: u32,
    },
    /// Replica → client: `found` is the value in its log (0: none).
    ReadOk {
        want: u32,
        found: u32,
    },
    /// Primary → follower: Raft's AppendEntries; a heartbeat when empty.
    Append {
        epoch: u32,
        prev_index: u32,
        prev_epoch: u32,
        entries: Vec<Entry>,
        commit: u32,
    },
    /// Follower → primary. `term` is the epoch of the append answered,
    /// `epoch` the follower's own.
    AppendReply {
        term: u32,
        epoch: u32,
        result: Result<u32, Refusal>,
    },
    /// Candidate → replica: vote for me.
    Vote {
        epoch: u32,
        last_index: u32,
        last_epoch: u32,
    },
    VoteReply {
        epoch: u32,
        granted: bool,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Write { .. } => "write",
            Msg::WriteOk { .. } => "write-ok",
            Msg::NotPrimary { .. } => "not-primary",
            Msg::Read { .. } => "read",
            Msg::ReadOk { .. } => "read-ok",
            Msg::Append { entries, .. } if entries.is_empty() => "heartbeat",
            Msg::Append { .. } => "append",
            Msg::AppendReply { .. } => "append-reply",
            Msg::Vote { .. } => "vote",
            Msg::VoteReply { .. } => "vote-reply",
        }
    }
}

/// Short enough for a trace line even when an append carries hundreds of entries.
impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Write { seq, key, attempt } => write!(f, "Write #{seq} k{key} try {attempt}"),
            Msg::WriteOk { seq } => write!(f, "WriteOk #{seq}"),
            Msg::NotPrimary { seq, hint, .. } => write!(f, "NotPrimary #{seq} hint {hint:?}"),
            Msg::Read { key, want } => write!(f, "Read k{key} want {want}"),
            Msg::ReadOk { want, found } => write!(f, "ReadOk {found} (want {want})"),
            Msg::Append {
                epoch,
                prev_index,
                prev_epoch,
                entries,
                commit,
            } => write!(
                f,
                "Append e{epoch} prev {prev_index}/e{prev_epoch} +{} commit {commit}",
                entries.len()
            ),
            Msg::AppendReply {
                term,
                epoch,
                result,
            } => match result {
                Ok(m) => write!(f, "AppendOk e{term} match {m}"),
                Err(r) => write!(f, "AppendRefused e{term} (mine e{epoch}) {r:?}"),
            },
            Msg::Vote {
                epoch,
                last_index,
                last_epoch,
            } => write!(f, "Vote e{epoch} last {last_index}/e{last_epoch}"),
            Msg::VoteReply { epoch, granted } => write!(f, "VoteReply e{epoch} {granted}"),
        }
    }
}

/// Timers of both roles.
#[derive(Clone, Debug)]
pub enum Timer {
    /// A follower's or candidate's failure detector.
    Election,
    /// A primary's heartbeat and log-shipping tick, for one epoch.
    Heartbeat { epoch: u32 },
    /// A client's next write; stale once `generation` changes.
    Arrival { generation: u32 },
    /// A client's next read; stale once `generation` changes.
    ReadTick { generation: u32 },
    /// Some write of a client's needs attention: its attempt had no answer
    /// in time, or it has waited out a "not primary".
    Watchdog,
    /// A replica's oldest write to stable storage is done.
    Written,
}

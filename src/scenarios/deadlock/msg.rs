//! What workers and the bank say to each other.

use crate::sim::{Message, Time};
use std::fmt;

/// A lock the bank keeps: the pool of connections (a semaphore), or one
/// account's mutex (`Acct(0)` is `acct1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockId {
    Pool,
    Acct(u8),
}

impl LockId {
    /// Index in the bank's table: the pool first, then the accounts.
    pub fn index(self) -> usize {
        match self {
            LockId::Pool => 0,
            LockId::Acct(a) => a as usize + 1,
        }
    }

    pub fn from_index(i: usize) -> LockId {
        if i == 0 {
            LockId::Pool
        } else {
            LockId::Acct((i - 1) as u8)
        }
    }

    pub fn name(self) -> String {
        match self {
            LockId::Pool => "pool".into(),
            LockId::Acct(a) => account_name(a),
        }
    }
}

pub fn account_name(a: u8) -> String {
    format!("acct{}", a as u32 + 1)
}

/// Why the bank aborted a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// It waited for a lock longer than `lock_timeout`.
    Timeout,
    /// It was chosen as the victim of a cycle in the wait-for graph.
    Victim,
}

#[derive(Clone)]
pub enum Msg {
    /// Worker → bank: transaction `txn` asks for `lock`.
    Acquire { txn: u32, lock: LockId },
    /// Bank → worker: `txn` now holds `lock`.
    Granted { txn: u32, lock: LockId },
    /// Worker → bank: apply the transfer and release everything `txn` holds.
    Commit {
        txn: u32,
        from: u8,
        to: u8,
        amount: u32,
    },
    /// Bank → worker: the transfer is done.
    Committed { txn: u32 },
    /// Bank → worker: `txn` was aborted and holds nothing any more.
    Aborted { txn: u32, why: Why },
    /// Worker → bank, on every start: forget whatever I held or waited for;
    /// my transactions from now on are numbered `next` and up.
    Reset { next: u32 },
    /// Bank → workers, on every start: every lock was lost; start over.
    Restarted,
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Acquire { .. } => "acquire",
            Msg::Granted { .. } => "granted",
            Msg::Commit { .. } => "commit",
            Msg::Committed { .. } => "committed",
            Msg::Aborted { .. } => "aborted",
            Msg::Reset { .. } => "reset",
            Msg::Restarted => "restarted",
        }
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Acquire { txn, lock } => write!(f, "Acquire t{txn} {}", lock.name()),
            Msg::Granted { txn, lock } => write!(f, "Granted t{txn} {}", lock.name()),
            Msg::Commit {
                txn,
                from,
                to,
                amount,
            } => write!(
                f,
                "Commit t{txn} {amount} {}→{}",
                account_name(*from),
                account_name(*to)
            ),
            Msg::Committed { txn } => write!(f, "Committed t{txn}"),
            Msg::Aborted { txn, why } => write!(f, "Aborted t{txn} ({why:?})"),
            Msg::Reset { next } => write!(f, "Reset from t{next}"),
            Msg::Restarted => write!(f, "Restarted"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Timer {
    /// A worker's pause between transfers; stale once `generation` changes.
    Think { generation: u32 },
    /// A worker has done its work under the locks `txn` holds so far.
    Work { txn: u32 },
    /// A worker's back-off after an abort is over: try the transfer again.
    Retry { txn: u32 },
    /// The bank: `worker`'s transaction `txn` may have waited too long.
    WaitTimeout {
        worker: usize,
        txn: u32,
        since: Time,
    },
    /// The bank's periodic look for cycles; stale once `generation` changes.
    Detect { generation: u32 },
    /// The judge: has deadlock `id` stood for too long?
    Late { id: u64 },
}

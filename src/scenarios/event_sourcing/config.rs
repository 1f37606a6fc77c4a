//! The knobs of the scenario, as every node keeps them, and the constants
//! of its story.

use crate::scenarios::knob::{choice, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// How often the account's handlers save a snapshot of its state.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Snapshots {
        Off = "off",
        Every10 = "10",
        Every50 = "50",
        Every100 = "100",
        Every500 = "500",
        Every1000 = "1000",
    }
}

impl Snapshots {
    /// Events between two snapshots, if snapshots are taken.
    pub fn every(self) -> Option<u64> {
        match self {
            Snapshots::Off => None,
            Snapshots::Every10 => Some(10),
            Snapshots::Every50 => Some(50),
            Snapshots::Every100 => Some(100),
            Snapshots::Every500 => Some(500),
            Snapshots::Every1000 => Some(1000),
        }
    }
}

/// Most clients a cluster may have (each event names its client by rank).
pub const MAX_CLIENTS: usize = 8;

/// A client's mean pause between one command (or query) and the next.
pub const THINK: Time = Time::millis(100);
/// The share of commands that are deposits; the rest are withdrawals.
pub const DEPOSIT_SHARE: f64 = 0.45;
/// The share of acknowledged commands a client follows with a query.
pub const QUERY_SHARE: f64 = 0.5;
/// How long a client waits for a command's answer, and for a query's.
pub const COMMAND_TIMEOUT: Time = Time::secs(2);
pub const QUERY_TIMEOUT: Time = Time::secs(3);

/// How long a handler waits for the store before it asks again, how many
/// times it asks, and how many version conflicts it retries a command after.
pub const STORE_TIMEOUT: Time = Time::millis(300);
pub const STORE_TRIES: u32 = 5;
pub const CONFLICT_RETRIES: u32 = 5;
/// What replaying one event costs a handler loading the account (reading
/// it from the store and applying it).
pub const REPLAY_COST: Time = Time::micros(500);

/// The projection's batches: how many events it asks for, how long it waits
/// before asking again when it has caught up, and what applying one event
/// costs (one transaction against the read database each).
pub const LIVE_BATCH: usize = 100;
pub const POLL: Time = Time::millis(250);
pub const LIVE_COST: Time = Time::millis(2);
/// A rebuild reads bigger batches and writes them in bulk.
pub const REBUILD_BATCH: usize = 500;
pub const REBUILD_COST: Time = Time::micros(1500);
/// With the bug, the projection saves its checkpoint on a timer of its own,
/// this often (a Kafka consumer's auto-commit interval, by default).
pub const CHECKPOINT_EVERY: Time = Time::secs(5);
/// How long the projection keeps a query waiting for its version.
pub const QUERY_WAIT: Time = Time::secs(2);

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        /// The store's optimistic concurrency check.
        pub expected_version: bool = switch(
            false,
            "on: each append names the version its command was decided on, and the store \
             refuses it if another event came first (the handler reloads and decides again); \
             off: every append is taken, so two withdrawals decided on the same balance both go \
             through.",
        ),
        /// How often a snapshot of the account is saved.
        pub snapshots: Snapshots = choice(
            Snapshots::Off,
            "Every how many events a handler saves a snapshot of the account to the store \
             (off: never); a restarted handler loads the latest snapshot and replays only the \
             events after it, at 0.5 ms an event.",
        ),
        /// Queries carry the client's version token.
        pub read_your_writes: bool = switch(
            false,
            "on: a query carries the version of the client's last write, and the projection \
             answers only once its read model has reached it (or says it is not there yet after \
             2 s); off: it answers from wherever it is.",
        ),
        /// The projection's resume bug.
        pub projection_bug: bool = switch(
            true,
            "on: the projection writes its table after every event but saves its position apart, \
             every 5 s, so after a crash it applies again the events since; off: it saves the \
             position in the same transaction as the table. The rebuild command deploys the fix, \
             replays the whole log into a fresh table and switches queries to it.",
        ),
    }
}

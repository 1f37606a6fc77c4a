//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{choice, duration, float, int};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// In which order a transfer takes its two account locks.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Order {
        /// The order the transfer names them: from, then to.
        Request = "request",
        /// Lower account number first, whatever the direction of the transfer.
        Global = "global",
    }
}

choices! {
    /// What the bank does about transactions that wait.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Detection {
        /// Nothing: a waiter waits for as long as it takes, forever if need be.
        None = "none",
        /// A waiter that has waited `lock_timeout` is aborted.
        Timeout = "timeout",
        /// Every `detect_every` the bank looks for cycles in its wait-for graph
        /// and aborts the youngest transaction on each.
        Graph = "graph",
    }
}

/// How many accounts the bank keeps.
pub const ACCOUNTS: u8 = 6;
/// What each account holds at the start.
pub const OPENING_BALANCE: i64 = 1000;
/// The judge calls a deadlock late once it has stood this long.
pub const LATE_AFTER: Time = Time::secs(2);
/// The work a transaction does once it holds both accounts, before it commits.
pub const APPLY_TIME: Time = Time::millis(5);

const MS: fn(u64) -> Time = Time::millis;
const S: fn(u64) -> Time = Time::secs;

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub order: Order = choice(
            Order::Request,
            "The order a transfer locks its two accounts in: request (from, then to) or \
             global (lower account number first).",
        ),
        pub detection: Detection = choice(
            Detection::None,
            "What the bank does about waiting transactions: none, abort those that wait \
             longer than lock_timeout, or look for cycles in the wait-for graph every \
             detect_every and abort the youngest on each.",
        ),
        pub lock_timeout: Time = duration(
            S(1),
            MS(10)..=S(30),
            "With detection=timeout: how long a transaction may wait for a lock before the \
             bank aborts it.",
        ),
        pub detect_every: Time = duration(
            MS(200),
            MS(10)..=S(30),
            "With detection=graph: how often the bank looks for cycles in its wait-for graph.",
        ),
        pub permits: u32 = int(
            4,
            1..=8,
            "Permits of the connection pool, a semaphore every transfer takes before any \
             account.",
        ),
        pub think_time: Time = duration(
            MS(300),
            MS(1)..=S(10),
            "Mean pause of a worker between two transfers (exponential).",
        ),
        pub work_time: Time = duration(
            MS(20),
            Time::ZERO..=S(5),
            "Work a transfer does holding its first account, before it asks for the second.",
        ),
        pub hot_share: f64 = float(
            0.0,
            0.0..=1.0,
            "Share of transfers between the two hot accounts acct1 and acct2, in either \
             direction; the rest pick two accounts at random.",
        ),
        pub stall_time: Time = duration(
            S(4),
            Time::ZERO..=S(60),
            "How long a transfer told to `stall` holds both its accounts before committing.",
        ),
        pub backoff: Time = duration(
            MS(100),
            MS(1)..=S(10),
            "An aborted transfer waits a random time up to this long before it tries again.",
        ),
    }
}

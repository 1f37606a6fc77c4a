//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{Choice, choice, duration, duration_or_off, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// How many calls a client has outstanding.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Mode {
        /// One at a time: a blocking call.
        Sync = "sync",
        /// Up to `window` at once, replies matched as they come.
        Async = "async",
    }
}

choices! {
    /// What a client does when a call times out, and whether the counter
    /// filters repeated requests.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Delivery {
        /// Never send a request twice; the counter drops copies it has seen.
        AtMostOnce = "at-most-once",
        /// Send it again until an answer comes; the counter applies every copy.
        AtLeastOnce = "at-least-once",
        /// Send it again until an answer comes; the counter applies an
        /// increment once and answers repeats from its table.
        ExactlyOnce = "exactly-once",
    }
}

choices! {
    /// Whether the counter's de-duplication table survives a crash.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Table {
        /// Written with the count, in the same step: a crash keeps both.
        Durable = "durable",
        /// Kept in memory: a crash forgets it, the count stays.
        Volatile = "volatile",
    }
}

impl Delivery {
    /// Whether a timed-out call is sent again.
    pub fn retries(self) -> bool {
        self != Delivery::AtMostOnce
    }

    /// Whether the counter keeps a de-duplication table.
    pub fn dedup(self) -> bool {
        self != Delivery::AtLeastOnce
    }

    pub fn name(self) -> &'static str {
        self.word()
    }
}

/// How long the counter takes over a request after it has committed the
/// increment, before the answer leaves.
pub const SERVICE: Time = Time::millis(5);

/// Most clients the `clients` knob can make active.
pub const MAX_CLIENTS: i64 = 3;

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub correlation: bool = switch(
            false,
            "Requests carry a msg_id and replies the in_reply_to of the request they answer. \
             Off: a client takes whatever reply arrives as the answer to its oldest \
             outstanding call.",
        ),
        pub mode: Mode = choice(
            Mode::Sync,
            "sync: one outstanding call, the client blocks until the answer or the timeout; \
             async: up to `window` calls outstanding at once.",
        ),
        pub delivery: Delivery = choice(
            Delivery::AtMostOnce,
            "at-most-once: a timed-out call is given up; at-least-once: it is sent again \
             until answered; exactly-once: sent again, and the counter applies each \
             (client, sequence number) once, answering repeats from its table.",
        ),
        pub timeout: Time = duration(
            Time::millis(300),
            Time::millis(10)..=Time::secs(10),
            "How long a client waits for the answer to a request before it gives up or \
             sends it again.",
        ),
        pub window: usize = int(
            8,
            1..=32,
            "Most calls an async client has outstanding at once.",
        ),
        pub table: Table = choice(
            Table::Durable,
            "durable: the de-duplication table is written with the count, so a crash keeps \
             it; volatile: a crash forgets it (the count survives).",
        ),
        pub clients: usize = int(
            MAX_CLIENTS,
            1..=MAX_CLIENTS,
            "How many clients call the counter (c1 first).",
        ),
        pub pace: Option<Time> = duration_or_off(
            None,
            Time::millis(10)..=Time::secs(10),
            "off: each client calls as fast as its window allows; a duration: it starts one \
             call per period, at most.",
        ),
    }
}

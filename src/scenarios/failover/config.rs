//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{choice, duration, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// When a primary acknowledges a write to its client.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Replication {
        /// As soon as it is in the primary's own log; shipped in the background.
        Async = "async",
        /// Once every replica has it.
        Sync = "sync",
        /// Once a majority of replicas (the primary included) has it.
        Quorum = "quorum",
    }
}

/// Most entries one append carries when a client is waiting (sync and quorum).
pub const MAX_BATCH: u32 = 256;

const MS: fn(u64) -> Time = Time::millis;

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub replication: Replication = choice(
            Replication::Async,
            "When the primary acknowledges a write: async as soon as it is in its own log, \
             sync once every replica has it, quorum once a majority has it.",
        ),
        pub fencing: bool = switch(
            false,
            "Epoch fencing: replicas refuse appends from an older epoch, and a primary that \
             sees a newer epoch steps down.",
        ),
        pub heartbeat: Time = duration(
            MS(50),
            MS(5)..=MS(1000),
            "How often the primary sends heartbeats (and, with async replication, ships its \
             log).",
        ),
        pub election_timeout_min: Time = duration(
            MS(150),
            MS(10)..=MS(5000),
            "Shortest silence after which a replica suspects the primary.",
        ),
        pub election_timeout_max: Time = duration(
            MS(300),
            MS(10)..=MS(5000),
            "Longest such silence; each timeout is drawn at random in between.",
        ),
        pub ship_batch: u32 = int(
            10,
            1..=1000,
            "Async replication: most entries shipped to each replica per heartbeat (the \
             bandwidth of background log shipping).",
        ),
        /// Writes per second, a whole number as a knob.
        pub write_rate: f64 = int(
            50,
            0..=2000,
            "Writes per second each client issues (Poisson arrivals).",
        ),
        pub read_rate: f64 = int(
            10,
            0..=2000,
            "Reads per second each client issues, of the key it last wrote, to a random \
             replica.",
        ),
        pub client_timeout: Time = duration(
            MS(500),
            MS(10)..=MS(10_000),
            "How long a client waits for an acknowledgement before retrying at another \
             replica; it gives up after twice this.",
        ),
        /// How long a write to stable storage takes.
        pub disk: Time = duration(
            Time::ZERO,
            Time::ZERO..=Time::secs(1),
            "How long a replica takes to write to stable storage, which it does before it \
             answers a vote request or an append that changed its epoch, vote or log (0: at \
             once).",
        ),
    }
}

impl Config {
    /// The range election timeouts are drawn from, in microseconds.
    pub fn election_range(&self) -> (u64, u64) {
        let lo = self.election_timeout_min.0.max(1);
        (lo, self.election_timeout_max.0.max(lo))
    }
}

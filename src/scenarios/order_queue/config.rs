//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{choice, duration, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// When a consumer acknowledges a message.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Ack {
        /// On receipt, before processing: at-most-once.
        Before = "before",
        /// Once the side effect is written: at-least-once.
        After = "after",
    }
}

choices! {
    /// Whether the producer's messages go to one queue or to a topic.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Mode {
        /// One queue, `orders`, with competing consumers.
        Queue = "queue",
        /// A topic whose subscriptions (`billing`, `shipping`) each get a
        /// copy of every message in a queue of their own.
        Pubsub = "pubsub",
    }
}

choices! {
    /// After how many receives a message goes to the dead-letter queue.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum MaxReceives {
        Off = "off",
        One = "1",
        Two = "2",
        Three = "3",
        Four = "4",
        Five = "5",
        Ten = "10",
    }
}

impl MaxReceives {
    /// The limit, if there is one.
    pub fn limit(self) -> Option<u32> {
        match self {
            MaxReceives::Off => None,
            MaxReceives::One => Some(1),
            MaxReceives::Two => Some(2),
            MaxReceives::Three => Some(3),
            MaxReceives::Four => Some(4),
            MaxReceives::Five => Some(5),
            MaxReceives::Ten => Some(10),
        }
    }
}

/// How long an ordinary message takes to process, and a large one.
pub const WORK: Time = Time::millis(200);
pub const LARGE_WORK: Time = Time::millis(1200);
/// Every this many messages, one is large.
pub const LARGE_EVERY: u64 = 20;
/// One consumer's capacity in messages a second (mean work 250 ms).
pub const CAPACITY: u32 = 4;
/// A burst sends this many times the consumers' capacity, for `BURST_FOR`.
pub const BURST_FACTOR: u32 = 5;
pub const BURST_FOR: Time = Time::secs(10);
/// Message groups (partition keys).
pub const GROUPS: u8 = 8;
/// How long a consumer's process stays down after a poison message.
pub const POISON_DOWN: Time = Time::secs(3);
/// How long the broker holds a poll with nothing to deliver.
pub const POLL_WAIT: Time = Time::secs(1);
/// How long a consumer waits for the answer to a poll, or the database.
pub const POLL_TIMEOUT: Time = Time::secs(2);
pub const DB_TIMEOUT: Time = Time::secs(1);
/// How often the producer resends unconfirmed messages.
pub const RESEND: Time = Time::secs(1);
/// How often the broker looks for expired leases and polls.
pub const SWEEP: Time = Time::millis(100);
/// A burst has drained when no more than this many messages are held.
pub const DRAINED: usize = 3;

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub ack: Ack = choice(
            Ack::Before,
            "before: a consumer acknowledges (deletes) a message as soon as it receives it, \
             then processes it (at-most-once); after: once its side effect is written \
             (at-least-once).",
        ),
        pub visibility: Time = duration(
            Time::secs(30),
            Time::ZERO..=Time::secs(12 * 3600),
            "How long a delivered message stays invisible to other consumers; unacknowledged \
             by then, it is delivered again (SQS: 30 s by default, 0 s to 12 h).",
        ),
        pub max_receives: MaxReceives = choice(
            MaxReceives::Off,
            "After how many receives an unacknowledged message is moved to the dead-letter \
             queue instead of being delivered again; off: no dead-letter queue.",
        ),
        pub consumers: u32 = int(
            2,
            1..=8,
            "How many of the consumer nodes take messages (each about 4 a second).",
        ),
        pub dedup: bool = switch(
            false,
            "An idempotent receiver: the database keeps the id of every message processed, \
             in the same transaction as its side effect; consumers skip a message whose id \
             is there.",
        ),
        pub mode: Mode = choice(
            Mode::Queue,
            "queue: one queue, competing consumers; pubsub: a topic whose two subscriptions \
             (billing, shipping) each get every message in a queue of their own.",
        ),
        pub prefetch: u32 = int(
            1,
            1..=10,
            "How many messages a consumer takes at once (it works on one at a time).",
        ),
        pub rate: u32 = int(
            2,
            1..=20,
            "Ordinary messages the producer publishes a second.",
        ),
    }
}

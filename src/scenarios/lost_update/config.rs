//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{Choice, choice, duration, int};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// How a client adds one to the shared count.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Strategy {
        /// Read the count, write back what it read plus one.
        Rmw = "rmw",
        /// Ask the store to add one itself.
        Atomic = "atomic",
        /// Read count and version, then compare-and-set on the version; on a
        /// conflict read again and retry.
        Optimistic = "optimistic",
        /// Take the lock from the lock server, read, write, unlock.
        Pessimistic = "pessimistic",
        /// Mail an increment to the count's single owner, which applies its
        /// mailbox in order; several may be on their way at once.
        Actor = "actor",
    }
}

impl Strategy {
    pub fn name(self) -> &'static str {
        self.word()
    }
}

/// Most increments an actor-mode client has in the owner's mailbox at once.
pub const PIPELINE: usize = 4;

/// Most clients the `clients` knob can make active.
pub const MAX_CLIENTS: i64 = 10;

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub strategy: Strategy = choice(
            Strategy::Rmw,
            "How a client adds one: rmw reads then writes back plus one; atomic asks the store \
             to add; optimistic compares-and-sets on the version and retries on conflict; \
             pessimistic takes the lock first; actor mails the increment to the count's single \
             owner.",
        ),
        /// How many clients increment (the first ones, in cluster order).
        pub clients: usize = int(
            MAX_CLIENTS,
            1..=MAX_CLIENTS,
            "How many clients increment the count, each as fast as its answers come back (the \
             others stay idle).",
        ),
        /// How long the store spends on each request.
        pub store_time: Time = duration(
            Time::millis(2),
            Time::ZERO..=Time::millis(100),
            "How long the store spends on each request; it serves one at a time, so this caps \
             it at 1/store_time requests per second.",
        ),
    }
}

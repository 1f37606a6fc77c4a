//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{Choice, choice, duration, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// How long a client sleeps before retry `n` (n = 1 after the first failure).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Backoff {
        /// Retry at once.
        None = "none",
        /// Capped exponential: `min(cap, base·2^n)`.
        Exponential = "exponential",
        /// `U(0, v)` with `v` the capped exponential.
        FullJitter = "full-jitter",
        /// `v/2 + U(0, v/2)`.
        EqualJitter = "equal-jitter",
        /// `min(cap, U(base, 3·previous sleep))`.
        Decorrelated = "decorrelated",
    }
}

choices! {
    /// Which failures a layer retries.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum RetryOn {
        /// Every failure: timeouts of any call, invalid requests, a lower
        /// layer that gave up.
        All = "all",
        /// Only transient failures of idempotent calls: an overloaded callee,
        /// or a read that timed out. Never an invalid request, never a layer
        /// below that gave up, never an order whose fate is unknown.
        Transient = "transient",
    }
}

choices! {
    /// gRPC's retry throttling: each layer keeps a token bucket per callee.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Budget {
        Off = "off",
        P1 = "0.01",
        P5 = "0.05",
        P10 = "0.1",
        P20 = "0.2",
        P50 = "0.5",
        P100 = "1",
    }
}

impl Budget {
    /// The token ratio, if the budget is on.
    pub fn ratio(self) -> Option<f64> {
        match self {
            Budget::Off => None,
            b => b.word().parse().ok(),
        }
    }
}

/// Most writers the `clients` knob can make contend.
pub const MAX_WRITERS: i64 = 100;

const MS: fn(u64) -> Time = Time::millis;

knobs! {
    #[derive(Clone, Copy, Debug, PartialEq)]
    pub struct Config {
        pub backoff: Backoff = choice(
            Backoff::None,
            "How long a client sleeps before retry n: none (at once); exponential, v = \
             min(cap, base·2^n); full-jitter, U(0, v); equal-jitter, v/2 + U(0, v/2); \
             decorrelated, min(cap, U(base, 3·previous sleep)).",
        ),
        pub base: Time = duration(
            MS(5),
            Time::micros(100)..=Time::secs(1),
            "The first backoff step: retry 1 sleeps up to base·2.",
        ),
        pub cap: Time = duration(
            Time::secs(2),
            MS(1)..=Time::secs(60),
            "The longest backoff.",
        ),
        pub clients: usize = int(
            50,
            0..=MAX_WRITERS,
            "How many writers contend for the one row in each contest (0: none).",
        ),
        pub load: u32 = int(
            0,
            0..=200,
            "User requests a second, arriving at random (Poisson) at the front end.",
        ),
        pub retries: u32 = int(
            3,
            0..=5,
            "Retries per call at each layer (users, front, service): 3 makes 4 attempts a layer.",
        ),
        pub retry_budget: Budget = choice(
            Budget::Off,
            "Retry throttling as gRPC does it: a bucket of 10 tokens per layer; a failed call \
             takes one, a successful one gives back the ratio; no retries while half or fewer \
             are left (off: retry whenever the policy says).",
        ),
        pub deadline: bool = switch(
            false,
            "Each user request carries a deadline (its timeout) down the chain: a layer waits \
             no longer than what is left, retries only within it, and the database skips \
             calls whose deadline has passed.",
        ),
        pub retry_on: RetryOn = choice(
            RetryOn::All,
            "Which failures a layer retries: all, or transient only (an overloaded callee or a \
             timed-out read; a layer that gives up tells the one above not to retry).",
        ),
        pub throttle: bool = switch(
            false,
            "Client-side adaptive throttling (SRE book): each layer refuses a call locally with \
             probability max(0, (requests − 2·accepts) / (requests + 1)) over the last 10 s.",
        ),
        pub timeout: Time = duration(
            Time::secs(1),
            MS(10)..=Time::secs(30),
            "How long a layer waits for one attempt (with deadlines on: for the whole request, \
             retries included).",
        ),
        pub db_time: Time = duration(
            MS(20),
            Time::ZERO..=Time::secs(1),
            "How long the database spends on each call; it serves one at a time.",
        ),
        pub db_queue: usize = int(
            100,
            1..=10_000,
            "Calls the database lets wait; beyond that it answers overloaded at once.",
        ),
    }
}

//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{choice, duration, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// How the payment API makes a retried payment safe, if at all.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Idempotency {
        /// Every request is a new payment.
        None = "none",
        /// The shop sends a key; the API saves the response with it when the
        /// work is done and replays it to a retry with that key.
        Keys = "keys",
        /// The key is saved in the same transaction as the order, with
        /// recovery points; the processor is called with its own key.
        KeysAtomic = "keys-atomic",
    }
}

/// The shop's timeout for one attempt.
pub const TIMEOUT: Time = Time::millis(1000);
/// How long the API waits for the processor before it gives up on a call.
pub const PROCESSOR_TIMEOUT: Time = Time::millis(2500);
/// A database write: the window between "charged" and "recorded".
pub const DB_TIME: Time = Time::millis(100);
/// How long an ordinary charge takes at the processor, and a slow one.
pub const CHARGE_TIME: Time = Time::millis(30);
pub const SLOW_CHARGE_TIME: Time = Time::millis(1500);
/// Share of charges that are slow, and of cards declined.
pub const SLOW_SHARE: f64 = 0.05;
pub const DECLINE_SHARE: f64 = 0.02;
/// How often the API resends unacknowledged shipments, expires keys and
/// resumes work nobody is doing.
pub const SWEEP_EVERY: Time = Time::millis(1000);
/// The shop's first wait before a retry; it doubles each time, up to the cap.
pub const BACKOFF_BASE: Time = Time::millis(250);
pub const BACKOFF_CAP: Time = Time::millis(4000);

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub idempotency: Idempotency = choice(
            Idempotency::None,
            "none: every request is a new payment; keys: the first response to a key is saved \
             when the work is done and replayed to retries; keys-atomic: the key is saved with \
             the order in one transaction, with recovery points, and the processor is called \
             with a key of its own.",
        ),
        /// Retries after the first attempt before the shop gives up.
        pub retries: u32 = int(
            4,
            0..=10,
            "How many times the shop retries a payment (after a timeout, a 409 or a 5xx) \
             before it gives up; it waits 250 ms, doubled each time up to 4 s, half of it \
             random.",
        ),
        pub key_ttl: Time = duration(
            Time::secs(86_400),
            Time::secs(1)..=Time::secs(7 * 86_400),
            "How long the API keeps a key (Stripe: at least 24 hours); a retry after that is \
             a new payment.",
        ),
        pub state_machine: bool = switch(
            true,
            "Each order moves created → charged → recorded → shipped once; a repeated \
             transition (a duplicated message, a resent shipment) is a no-op answered as the \
             first was. Off: every one is applied again.",
        ),
        /// New purchases a second.
        pub rate: u32 = int(
            60,
            1..=200,
            "New purchases the shop sends a second.",
        ),
    }
}

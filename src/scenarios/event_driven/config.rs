//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::knob::{choice, duration, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// What an "address changed" event carries.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Style {
        /// A thin event: the customer's id and version. Consumers call
        /// Customer back for the data, and Shipping asks for the address of
        /// every order.
        Notification = "notification",
        /// The event carries the new address; consumers keep a local replica
        /// and ship from it.
        StateTransfer = "state-transfer",
    }
}

/// The customers whose addresses change.
pub const CUSTOMERS: u32 = 1000;
/// What Customer spends on a change (its local transaction) and on a callback.
pub const CHANGE_TIME: Time = Time::millis(2);
pub const GET_TIME: Time = Time::millis(1);
/// A pending event not acknowledged after this long is sent again.
pub const RESEND_AFTER: Time = Time::millis(1000);
/// Most events sent to one subscriber in one flush.
pub const BATCH: usize = 200;
/// How long a consumer waits for a callback's answer.
pub const CALL_TIMEOUT: Time = Time::millis(500);
/// A failed callback is retried after this, doubled each time up to the cap,
/// half of it random.
pub const BACKOFF_BASE: Time = Time::millis(250);
pub const BACKOFF_CAP: Time = Time::millis(4000);
/// An order is on time if it ships within this of arriving.
pub const DEADLINE: Time = Time::millis(2000);
/// How often each consumer measures its staleness.
pub const TICK: Time = Time::millis(100);

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub style: Style = choice(
            Style::Notification,
            "notification: a thin event, and consumers call Customer back for the data (Shipping \
             for every order); state-transfer: the event carries the address, and consumers \
             keep a local replica.",
        ),
        pub outbox: bool = switch(
            false,
            "On: each change and its event are written in one local transaction, and a relay \
             sends the events from that outbox until each consumer acknowledges (at least \
             once; consumers ignore versions they have). Off: the event is handed to an \
             in-memory publisher after the commit, and a crash loses what it holds.",
        ),
        pub relay_every: Time = duration(
            Time::millis(200),
            Time::millis(10)..=Time::secs(5),
            "How often the publisher (or the outbox's relay) sends the events waiting.",
        ),
        /// Address changes a second.
        pub changes: u32 = int(
            50,
            1..=200,
            "Address changes users make a second, spread over 1,000 customers.",
        ),
        /// Orders a second.
        pub orders: u32 = int(
            30,
            1..=200,
            "Orders arriving at Shipping a second, each for a customer picked at random.",
        ),
    }
}

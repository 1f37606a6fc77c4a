//! What the Customer service and its consumers, Shipping and Billing, say
//! to each other.

use crate::sim::Message;

/// "Customer `customer`'s address changed": one row of the publisher's
/// pending set (the outbox when it is on), sent to every subscriber until
/// each has acknowledged it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The event's id, in commit order: the outbox row's key.
    pub id: u64,
    pub customer: u32,
    /// The record's version after the change (1 for the first change).
    pub version: u64,
    /// The new address under event-carried state transfer; `None` for a thin
    /// notification, whose consumers call Customer back for the data.
    pub address: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Customer → consumer: a batch of events.
    Events { events: Vec<Event> },
    /// Consumer → Customer: these events are applied (or their callbacks
    /// are recorded as owed) durably.
    Ack { ids: Vec<u64> },
    /// Consumer → Customer: the callback, "what is customer `customer`'s
    /// record now?".
    Get { customer: u32, call: u64 },
    /// Customer → consumer: the record as it is now.
    Record {
        customer: u32,
        call: u64,
        version: u64,
        address: u64,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Events { .. } => "events",
            Msg::Ack { .. } => "ack",
            Msg::Get { .. } => "get",
            Msg::Record { .. } => "record",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Customer: a user edits an address.
    Change,
    /// Customer: the request being served is done.
    Serve,
    /// Customer: the publisher (or the outbox's relay) sends what is pending.
    Flush,
    /// Consumer: send callback `call` again.
    Retry { call: u64 },
    /// Consumer: time out overdue callbacks, count late orders, measure how
    /// stale its view is.
    Tick,
    /// Shipping: the next order arrives.
    Order,
}

//! What the shop, the payment API, the card processor and the warehouse say
//! to each other.

use crate::sim::Message;

/// What the payment API answers, as the shop's code reads it: a status and
/// a body. Stripe saves exactly this for a key and replays it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body {
    /// The API's order for the payment (0 when there is none).
    pub order: u64,
    /// The processor's charge, when the card was charged.
    pub charge: Option<u64>,
    pub amount: u32,
    /// An error's code, or "" on success.
    pub error: &'static str,
}

/// HTTP statuses the API answers with.
pub mod status {
    pub const OK: u16 = 200;
    /// The processor declined the card.
    pub const DECLINED: u16 = 402;
    /// Another request with this key is being worked on: try again later.
    pub const CONFLICT: u16 = 409;
    /// The key was used before with different parameters.
    pub const MISMATCH: u16 = 422;
    /// The processor did not answer in time (the naive API gives up).
    pub const BAD_GATEWAY: u16 = 502;
    /// The processor did not answer in time; the key is left at its recovery
    /// point and a retry carries on from there.
    pub const UNAVAILABLE: u16 = 503;

    /// Whether a status is a decision the API stands by (and saves with a
    /// key), rather than "try again".
    pub fn is_final(s: u16) -> bool {
        !matches!(s, CONFLICT | UNAVAILABLE)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Shop → API: charge `amount` for `purchase`, under idempotency key `key`.
    Pay {
        key: u64,
        purchase: u64,
        amount: u32,
        attempt: u32,
    },
    /// API → shop: the answer to attempt `attempt`; `replayed` is the
    /// `Idempotent-Replayed` header, not part of the body.
    Reply {
        purchase: u64,
        attempt: u32,
        status: u16,
        body: Body,
        replayed: bool,
    },
    /// API → processor: charge the card for order `order`. With `idem`, the
    /// processor charges at most once per key and answers a repeat as it
    /// answered the first.
    Charge {
        order: u64,
        idem: Option<u64>,
        amount: u32,
        call: u32,
        purchase: u64,
    },
    /// Processor → API: charged (`Some(charge)`) or declined (`None`).
    ChargeReply {
        order: u64,
        call: u32,
        charge: Option<u64>,
    },
    /// API → warehouse: ship order `order`.
    Ship { order: u64, purchase: u64 },
    /// Warehouse → API: shipped as parcel `parcel`.
    Shipped { order: u64, parcel: u64 },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Pay { .. } => "pay",
            Msg::Reply { .. } => "reply",
            Msg::Charge { .. } => "charge",
            Msg::ChargeReply { .. } => "charged",
            Msg::Ship { .. } => "ship",
            Msg::Shipped { .. } => "shipped",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Shop: the next purchase.
    Arrive,
    /// Shop: attempt `attempt` of `purchase` has had no answer in time.
    Timeout { purchase: u64, attempt: u32 },
    /// Shop: send the next attempt of `purchase`.
    Retry { purchase: u64 },
    /// API: the database write that records order `order`'s outcome is done.
    Recorded {
        order: u64,
        status: u16,
        charge: Option<u64>,
    },
    /// API: the processor has not answered call `call` for `order`.
    ProcessorTimeout { order: u64, call: u32 },
    /// API: resend pending shipments, expire keys, resume abandoned ones.
    Sweep,
    /// Processor: the charge for `order` is done.
    Settle {
        from: usize,
        order: u64,
        idem: Option<u64>,
        call: u32,
        purchase: u64,
        declined: bool,
    },
}

//! What the clients and the counter say to each other, on the model of
//! Maelstrom's protocol: every request carries the sender's `msg_id`, every
//! reply names the request it answers in `in_reply_to`, and the reply goes
//! back to the request's sender (the envelope's `src`, which the simulator
//! keeps for every message). With `correlation` off the ids are left out.

use crate::sim::Message;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Client → counter: add one. `msg_id` is new for every message, a retry
    /// included; `seq` names the increment and stays the same across its
    /// retries (the de-duplication key, with the client's address); `acked`
    /// says that every increment of this client up to it has its answer, so
    /// the counter may forget them.
    Add {
        msg_id: Option<u32>,
        seq: u32,
        acked: u32,
    },
    /// Counter → client: added; the count is now `value`.
    AddOk {
        in_reply_to: Option<u32>,
        value: u64,
    },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Add { .. } => "add",
            Msg::AddOk { .. } => "add_ok",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A paced client starts its next call.
    Pace,
    /// A client has waited `timeout` for the answer to attempt `msg_id` of
    /// increment `seq`.
    Timeout { seq: u32, msg_id: u32 },
    /// The counter has finished with a request: the answer leaves now.
    Reply { to: usize, msg: Msg },
}

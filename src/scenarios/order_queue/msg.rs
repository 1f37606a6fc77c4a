//! What the producer, the broker, the consumers and the database say to
//! each other.

use crate::sim::Message;

/// What a message asks of whoever processes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An ordinary order: `WORK` to process.
    Normal,
    /// A large order: `LARGE_WORK` to process, longer than a short
    /// visibility timeout.
    Large,
    /// A message its consumer's code cannot handle: processing it crashes
    /// the consumer, every time.
    Poison,
}

/// One message as the broker hands it to a consumer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The queue it comes from (an index into the broker's queues).
    pub queue: u8,
    pub id: u64,
    /// Its message group (partition key): order holds within a group only.
    pub group: u8,
    pub kind: Kind,
    /// This delivery's receipt: an acknowledgement must carry the latest.
    pub receipt: u64,
    /// How many times the message has been delivered, this time included.
    pub receives: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Producer → broker: put message `id` on the queue (or the topic).
    Publish { id: u64, group: u8, kind: Kind },
    /// Broker → producer: message `id` is stored and will survive a crash.
    Confirm { id: u64 },
    /// Consumer → broker: deliver up to `want` messages from the queues of
    /// subscription `sub`; the broker holds the poll until it has some, or
    /// for `POLL_WAIT` (a long poll).
    Poll { sub: u8, want: u32, poll: u64 },
    /// Broker → consumer: the messages for poll `poll` (maybe none).
    Deliver { poll: u64, msgs: Vec<Delivery> },
    /// Consumer → broker: delete the message delivered with `receipt`.
    Ack { queue: u8, id: u64, receipt: u64 },
    /// Consumer → database: has message `id` of `queue` been processed?
    Check { queue: u8, id: u64, job: u64 },
    /// Database → consumer: the answer to `Check`.
    Checked { job: u64, done: bool },
    /// Consumer → database: apply message `id`'s side effect, in one
    /// transaction with its record in the processed-messages table; with
    /// `dedup`, do nothing if that record is already there.
    Apply {
        queue: u8,
        id: u64,
        job: u64,
        dedup: bool,
    },
    /// Database → consumer: applied (`fresh`) or already applied.
    Applied { job: u64, fresh: bool },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Publish { .. } => "publish",
            Msg::Confirm { .. } => "confirm",
            Msg::Poll { .. } => "poll",
            Msg::Deliver { .. } => "deliver",
            Msg::Ack { .. } => "ack",
            Msg::Check { .. } => "check",
            Msg::Checked { .. } => "checked",
            Msg::Apply { .. } => "apply",
            Msg::Applied { .. } => "applied",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Producer: the next ordinary message.
    Tick,
    /// Producer: the next message of a burst.
    BurstTick,
    /// Producer: publish again what the broker has not confirmed.
    Resend,
    /// Broker: expire leases and long polls, move messages on.
    Sweep,
    /// Consumer: poll `poll` has had no answer.
    PollTimeout { poll: u64 },
    /// Consumer: the work of job `job` is done.
    Worked { job: u64 },
    /// Consumer: the database has not answered job `job`.
    DbTimeout { job: u64 },
    /// Consumer: its process is back after a poison message killed it.
    Revive,
}

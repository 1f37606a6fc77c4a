//! What clients, lock servers and the storage say to each other.

use crate::sim::Message;
use std::fmt;

#[derive(Clone)]
pub enum Msg {
    /// Client → lock server: may I have the lock? `value` names this
    /// attempt (Redlock's random value; 0 for a single server). With
    /// `wait` the server queues the client when the lock is taken; without,
    /// it refuses at once.
    Acquire { value: u64, wait: bool },
    /// Lock server → client: the lock is yours, with this fencing token.
    Granted { token: u64, value: u64 },
    /// Lock server → client: someone else holds it.
    Refused { value: u64 },
    /// Client → lock server: I am done with the grant `token` / `value`.
    Release { token: u64, value: u64 },
    /// Client → storage: store my result. `token` is the fencing token, if
    /// the client has one. `grant` numbers the grant for the judge
    /// only: the storage never looks at it.
    Write {
        token: Option<u64>,
        grant: u64,
        seq: u32,
    },
    /// Storage → client: accepted, or refused because of its token.
    WriteReply { seq: u32, accepted: bool },
}

impl Message for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Acquire { .. } => "acquire",
            Msg::Granted { .. } => "granted",
            Msg::Refused { .. } => "refused",
            Msg::Release { .. } => "release",
            Msg::Write { .. } => "write",
            Msg::WriteReply { accepted: true, .. } => "write-ok",
            Msg::WriteReply { .. } => "write-refused",
        }
    }
}

impl fmt::Debug for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Msg::Acquire { value: 0, wait } => {
                write!(f, "Acquire{}", if *wait { " (wait)" } else { "" })
            }
            Msg::Acquire { value, .. } => write!(f, "Acquire value {value}"),
            Msg::Granted { token, value: 0 } => write!(f, "Granted token {token}"),
            Msg::Granted { value, .. } => write!(f, "Granted value {value}"),
            Msg::Refused { value } => write!(f, "Refused value {value}"),
            Msg::Release { token, value: 0 } => write!(f, "Release token {token}"),
            Msg::Release { value, .. } => write!(f, "Release value {value}"),
            Msg::Write {
                token: Some(t),
                seq,
                ..
            } => write!(f, "Write #{seq} token {t}"),
            Msg::Write { seq, .. } => write!(f, "Write #{seq} (no token)"),
            Msg::WriteReply { seq, accepted } => {
                let word = if *accepted { "accepted" } else { "refused" };
                write!(f, "WriteReply #{seq} {word}")
            }
        }
    }
}

#[derive(Clone, Debug)]
pub enum Timer {
    /// A lock server looks at its clock.
    Tick,
    /// A client's turn to ask for the lock (after resting or retrying).
    Ask { attempt: u32 },
    /// Single server: nothing heard for a while; ask again.
    Reask { attempt: u32 },
    /// Redlock: stop waiting for the servers' answers and decide.
    Decide { attempt: u32 },
    /// The client's work is done: check the lease.
    Check { attempt: u32 },
    /// The write is ready to go.
    Send { attempt: u32 },
    /// No answer from the storage.
    WriteTimeout { attempt: u32 },
}

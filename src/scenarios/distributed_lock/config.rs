//! The knobs of the scenario, as every node keeps them, and the fixed rhythm
//! of the clients' work.

use crate::knobs;
use crate::scenarios::knob::{duration, switch};
use crate::sim::Time;

/// How long a client works with the lock before it checks its lease.
pub const WORK: Time = Time::secs(3);
/// How long it takes, after the check, for the write to go out.
pub const PREPARE: Time = Time::secs(1);
/// How long a client rests after releasing the lock before asking again.
pub const THINK: Time = Time::secs(1);
/// The longest a lock server with a lease to watch goes without looking at
/// its clock (it looks at the lease's end, or sooner).
pub const TICK: Time = Time::secs(1);
/// Redlock: how long a client waits for the servers' answers.
pub const ASK_TIMEOUT: Time = Time::millis(100);
/// Redlock: the shortest wait before trying again after a failed attempt;
/// a random extra of up to half as much is added.
pub const RETRY: Time = Time::millis(100);
/// Single server: how often a waiting client asks again, in case its
/// request or the grant was lost.
pub const REASK: Time = Time::secs(5);
/// How long a client waits for the storage to answer a write.
pub const WRITE_TIMEOUT: Time = Time::secs(30);
/// How much later than the first client the next one starts.
pub const STAGGER: Time = Time::millis(500);

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        /// The storage refuses a write whose token is lower than the highest it has seen.
        pub fencing: bool = switch(
            false,
            "The storage remembers the highest fencing token it has seen and refuses writes \
             that carry a lower one.",
        ),
        /// How long a grant lasts.
        pub lease: Time = duration(
            Time::secs(10),
            Time::secs(1)..=Time::secs(120),
            "How long a grant of the lock lasts before the lock service takes it back, \
             whatever the holder is doing.",
        ),
        /// Five independent servers and a majority, instead of one server.
        pub redlock: bool = switch(
            false,
            "Redlock: clients ask five independent lock servers and hold the lock when a \
             majority granted it in less than the lease minus a drift allowance. No server's \
             counter orders the grants, so there is no fencing token.",
        ),
    }
}

impl Config {
    /// Redlock's allowance for clock drift between the servers: 1% of the
    /// lease plus 2 ms, as its description suggests.
    pub fn drift(&self) -> Time {
        Time(self.lease.0 / 100 + 2_000)
    }
}

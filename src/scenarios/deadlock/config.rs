//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::{KnobKind, KnobSpec, Setup};
use crate::sim::{KnobValue, Time};

/// In which order a transfer takes its two account locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The order the transfer names them: from, then to.
    Request,
    /// Lower account number first, whatever the direction of the transfer.
    Global,
}

/// What the bank does about transactions that wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detection {
    /// Nothing: a waiter waits for as long as it takes, forever if need be.
    None,
    /// A waiter that has waited `lock_timeout` is aborted.
    Timeout,
    /// Every `detect_every` the bank looks for cycles in its wait-for graph
    /// and aborts the youngest transaction on each.
    Graph,
}

/// How many accounts the bank keeps.
pub const ACCOUNTS: u8 = 6;
/// What each account holds at the start.
pub const OPENING_BALANCE: i64 = 1000;
/// The judge calls a deadlock late once it has stood this long.
pub const LATE_AFTER: Time = Time::secs(2);
/// The work a transaction does once it holds both accounts, before it commits.
pub const APPLY_TIME: Time = Time::millis(5);

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub order: Order,
    pub detection: Detection,
    pub lock_timeout: Time,
    pub detect_every: Time,
    pub permits: u32,
    pub think_time: Time,
    pub work_time: Time,
    pub hot_share: f64,
    pub stall_time: Time,
    pub backoff: Time,
}

impl Config {
    /// The setup's values, each knob missing from it at its default.
    pub fn from_setup(setup: &Setup) -> Config {
        let mut cfg = Config {
            order: Order::Request,
            detection: Detection::None,
            lock_timeout: Time::secs(1),
            detect_every: Time::millis(200),
            permits: 4,
            think_time: Time::millis(300),
            work_time: Time::millis(20),
            hot_share: 0.0,
            stall_time: Time::secs(4),
            backoff: Time::millis(100),
        };
        for k in knobs() {
            cfg.set(k.name, &k.default);
        }
        for (name, value) in &setup.knobs {
            cfg.set(name, value);
        }
        cfg
    }

    /// Applies a knob; unknown names and ill-typed values change nothing.
    pub fn set(&mut self, name: &str, value: &KnobValue) {
        let dur = |old: Time| value.as_duration().unwrap_or(old);
        match name {
            "order" => {
                self.order = match value.as_choice() {
                    "global" => Order::Global,
                    _ => Order::Request,
                }
            }
            "detection" => {
                self.detection = match value.as_choice() {
                    "timeout" => Detection::Timeout,
                    "graph" => Detection::Graph,
                    _ => Detection::None,
                }
            }
            "lock_timeout" => self.lock_timeout = dur(self.lock_timeout).max(Time::millis(1)),
            "detect_every" => self.detect_every = dur(self.detect_every).max(Time::millis(1)),
            "permits" => self.permits = value.as_int().clamp(1, 64) as u32,
            "think_time" => self.think_time = dur(self.think_time).max(Time::millis(1)),
            "work_time" => self.work_time = dur(self.work_time),
            "hot_share" => self.hot_share = value.as_float().clamp(0.0, 1.0),
            "stall_time" => self.stall_time = dur(self.stall_time),
            "backoff" => self.backoff = dur(self.backoff).max(Time::millis(1)),
            _ => {}
        }
    }
}

pub fn knobs() -> Vec<KnobSpec> {
    let ms = Time::millis;
    vec![
        KnobSpec {
            name: "order",
            kind: KnobKind::Choice(vec!["request".into(), "global".into()]),
            default: KnobValue::Choice("request".into()),
            description: "The order a transfer locks its two accounts in: request (from, then \
                          to) or global (lower account number first).",
        },
        KnobSpec {
            name: "detection",
            kind: KnobKind::Choice(vec!["none".into(), "timeout".into(), "graph".into()]),
            default: KnobValue::Choice("none".into()),
            description: "What the bank does about waiting transactions: none, abort those that \
                          wait longer than lock_timeout, or look for cycles in the wait-for \
                          graph every detect_every and abort the youngest on each.",
        },
        KnobSpec {
            name: "lock_timeout",
            kind: KnobKind::Duration {
                min: ms(10),
                max: Time::secs(30),
            },
            default: KnobValue::Duration(Time::secs(1)),
            description: "With detection=timeout: how long a transaction may wait for a lock \
                          before the bank aborts it.",
        },
        KnobSpec {
            name: "detect_every",
            kind: KnobKind::Duration {
                min: ms(10),
                max: Time::secs(30),
            },
            default: KnobValue::Duration(ms(200)),
            description: "With detection=graph: how often the bank looks for cycles in its \
                          wait-for graph.",
        },
        KnobSpec {
            name: "permits",
            kind: KnobKind::Int { min: 1, max: 8 },
            default: KnobValue::Int(4),
            description: "Permits of the connection pool, a semaphore every transfer takes \
                          before any account.",
        },
        KnobSpec {
            name: "think_time",
            kind: KnobKind::Duration {
                min: ms(1),
                max: Time::secs(10),
            },
            default: KnobValue::Duration(ms(300)),
            description: "Mean pause of a worker between two transfers (exponential).",
        },
        KnobSpec {
            name: "work_time",
            kind: KnobKind::Duration {
                min: Time::ZERO,
                max: Time::secs(5),
            },
            default: KnobValue::Duration(ms(20)),
            description: "Work a transfer does holding its first account, before it asks for \
                          the second.",
        },
        KnobSpec {
            name: "hot_share",
            kind: KnobKind::Float { min: 0.0, max: 1.0 },
            default: KnobValue::Float(0.0),
            description: "Share of transfers between the two hot accounts acct1 and acct2, in \
                          either direction; the rest pick two accounts at random.",
        },
        KnobSpec {
            name: "stall_time",
            kind: KnobKind::Duration {
                min: Time::ZERO,
                max: Time::secs(60),
            },
            default: KnobValue::Duration(Time::secs(4)),
            description: "How long a transfer told to `stall` holds both its accounts before \
                          committing.",
        },
        KnobSpec {
            name: "backoff",
            kind: KnobKind::Duration {
                min: ms(1),
                max: Time::secs(10),
            },
            default: KnobValue::Duration(ms(100)),
            description: "An aborted transfer waits a random time up to this long before it \
                          tries again.",
        },
    ]
}

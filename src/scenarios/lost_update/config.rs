//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::{KnobKind, KnobSpec, Setup};
use crate::sim::{KnobValue, Time};

/// How a client adds one to the shared count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Read the count, write back what it read plus one.
    Rmw,
    /// Ask the store to add one itself.
    Atomic,
    /// Read count and version, then compare-and-set on the version; on a
    /// conflict read again and retry.
    Optimistic,
    /// Take the lock from the lock server, read, write, unlock.
    Pessimistic,
    /// Mail an increment to the count's single owner, which applies its
    /// mailbox in order; several may be on their way at once.
    Actor,
}

impl Strategy {
    pub const ALL: [Strategy; 5] = [
        Strategy::Rmw,
        Strategy::Atomic,
        Strategy::Optimistic,
        Strategy::Pessimistic,
        Strategy::Actor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Rmw => "rmw",
            Strategy::Atomic => "atomic",
            Strategy::Optimistic => "optimistic",
            Strategy::Pessimistic => "pessimistic",
            Strategy::Actor => "actor",
        }
    }

    pub fn parse(text: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.name() == text)
    }
}

/// Most increments an actor-mode client has in the owner's mailbox at once.
pub const PIPELINE: usize = 4;

/// Most clients the `clients` knob can make active.
pub const MAX_CLIENTS: i64 = 10;

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub strategy: Strategy,
    /// How many clients increment (the first ones, in cluster order).
    pub clients: usize,
    /// How long the store spends on each request.
    pub store_time: Time,
}

impl Config {
    /// The setup's values, each knob missing from it at its default.
    pub fn from_setup(setup: &Setup) -> Config {
        let mut cfg = Config {
            strategy: Strategy::Rmw,
            clients: 0,
            store_time: Time::ZERO,
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
        match name {
            "strategy" => {
                if let Some(s) = Strategy::parse(value.as_choice()) {
                    self.strategy = s;
                }
            }
            "clients" => self.clients = value.as_int().clamp(0, MAX_CLIENTS) as usize,
            "store_time" => {
                if let Some(t) = value.as_duration() {
                    self.store_time = t;
                }
            }
            _ => {}
        }
    }
}

pub fn knobs() -> Vec<KnobSpec> {
    vec![
        KnobSpec {
            name: "strategy",
            kind: KnobKind::Choice(Strategy::ALL.iter().map(|s| s.name().into()).collect()),
            default: KnobValue::Choice("rmw".into()),
            description: "How a client adds one: rmw reads then writes back plus one; atomic \
                          asks the store to add; optimistic compares-and-sets on the version and \
                          retries on conflict; pessimistic takes the lock first; actor mails the \
                          increment to the count's single owner.",
        },
        KnobSpec {
            name: "clients",
            kind: KnobKind::Int {
                min: 1,
                max: MAX_CLIENTS,
            },
            default: KnobValue::Int(MAX_CLIENTS),
            description: "How many clients increment the count, each as fast as its answers \
                          come back (the others stay idle).",
        },
        KnobSpec {
            name: "store_time",
            kind: KnobKind::Duration {
                min: Time::ZERO,
                max: Time::millis(100),
            },
            default: KnobValue::Duration(Time::millis(2)),
            description: "How long the store spends on each request; it serves one at a time, \
                          so this caps it at 1/store_time requests per second.",
        },
    ]
}

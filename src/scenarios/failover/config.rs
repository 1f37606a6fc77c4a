//! The knobs of the scenario, as every node keeps them.

use crate::scenarios::{KnobKind, KnobSpec, Setup};
use crate::sim::{KnobValue, Time};

/// When a primary acknowledges a write to its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replication {
    /// As soon as it is in the primary's own log; shipped in the background.
    Async,
    /// Once every replica has it.
    Sync,
    /// Once a majority of replicas (the primary included) has it.
    Quorum,
}

impl Replication {
    fn parse(text: &str) -> Replication {
        match text {
            "sync" => Replication::Sync,
            "quorum" => Replication::Quorum,
            _ => Replication::Async,
        }
    }
}

/// Most entries one append carries when a client is waiting (sync and quorum).
pub const MAX_BATCH: u32 = 256;

#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub replication: Replication,
    pub fencing: bool,
    pub heartbeat: Time,
    pub election_min: Time,
    pub election_max: Time,
    pub ship_batch: u32,
    pub write_rate: f64,
    pub read_rate: f64,
    pub client_timeout: Time,
}

impl Config {
    /// The setup's values, each knob missing from it at its default.
    pub fn from_setup(setup: &Setup) -> Config {
        let mut cfg = Config::from_defaults();
        for (name, value) in &setup.knobs {
            cfg.set(name, value);
        }
        cfg
    }

    fn from_defaults() -> Config {
        let mut cfg = Config {
            replication: Replication::Async,
            fencing: false,
            heartbeat: Time::millis(50),
            election_min: Time::millis(150),
            election_max: Time::millis(300),
            ship_batch: 10,
            write_rate: 50.0,
            read_rate: 10.0,
            client_timeout: Time::millis(500),
        };
        for k in knobs() {
            cfg.set(k.name, &k.default);
        }
        cfg
    }

    /// Applies a knob; unknown names and ill-typed values change nothing.
    pub fn set(&mut self, name: &str, value: &KnobValue) {
        let dur = |old: Time| value.as_duration().unwrap_or(old);
        match name {
            "replication" => self.replication = Replication::parse(value.as_choice()),
            "fencing" => self.fencing = value.as_bool(),
            "heartbeat" => self.heartbeat = dur(self.heartbeat).max(Time::millis(1)),
            "election_timeout_min" => self.election_min = dur(self.election_min),
            "election_timeout_max" => self.election_max = dur(self.election_max),
            "ship_batch" => self.ship_batch = value.as_int().max(1) as u32,
            "write_rate" => self.write_rate = value.as_int().max(0) as f64,
            "read_rate" => self.read_rate = value.as_int().max(0) as f64,
            "client_timeout" => self.client_timeout = dur(self.client_timeout).max(Time::millis(1)),
            _ => {}
        }
    }

    /// The range election timeouts are drawn from, in microseconds.
    pub fn election_range(&self) -> (u64, u64) {
        let lo = self.election_min.0.max(1);
        (lo, self.election_max.0.max(lo))
    }
}

pub fn knobs() -> Vec<KnobSpec> {
    let ms = Time::millis;
    vec![
        KnobSpec {
            name: "replication",
            kind: KnobKind::Choice(vec!["async".into(), "sync".into(), "quorum".into()]),
            default: KnobValue::Choice("async".into()),
            description: "When the primary acknowledges a write: async as soon as it is in its \
                          own log, sync once every replica has it, quorum once a majority has it.",
        },
        KnobSpec {
            name: "fencing",
            kind: KnobKind::Switch,
            default: KnobValue::Bool(false),
            description: "Epoch fencing: replicas refuse appends from an older epoch, and a \
                          primary that sees a newer epoch steps down.",
        },
        KnobSpec {
            name: "heartbeat",
            kind: KnobKind::Duration {
                min: ms(5),
                max: ms(1000),
            },
            default: KnobValue::Duration(ms(50)),
            description: "How often the primary sends heartbeats (and, with async replication, \
                          ships its log).",
        },
        KnobSpec {
            name: "election_timeout_min",
            kind: KnobKind::Duration {
                min: ms(10),
                max: ms(5000),
            },
            default: KnobValue::Duration(ms(150)),
            description: "Shortest silence after which a replica suspects the primary.",
        },
        KnobSpec {
            name: "election_timeout_max",
            kind: KnobKind::Duration {
                min: ms(10),
                max: ms(5000),
            },
            default: KnobValue::Duration(ms(300)),
            description: "Longest such silence; each timeout is drawn at random in between.",
        },
        KnobSpec {
            name: "ship_batch",
            kind: KnobKind::Int { min: 1, max: 1000 },
            default: KnobValue::Int(10),
            description: "Async replication: most entries shipped to each replica per heartbeat \
                          (the bandwidth of background log shipping).",
        },
        KnobSpec {
            name: "write_rate",
            kind: KnobKind::Int { min: 0, max: 2000 },
            default: KnobValue::Int(50),
            description: "Writes per second each client issues (Poisson arrivals).",
        },
        KnobSpec {
            name: "read_rate",
            kind: KnobKind::Int { min: 0, max: 2000 },
            default: KnobValue::Int(10),
            description: "Reads per second each client issues, of the key it last wrote, to a \
                          random replica.",
        },
        KnobSpec {
            name: "client_timeout",
            kind: KnobKind::Duration {
                min: ms(10),
                max: ms(10_000),
            },
            default: KnobValue::Duration(ms(500)),
            description: "How long a client waits for an acknowledgement before retrying at \
                          another replica; it gives up after twice this.",
        },
    ]
}

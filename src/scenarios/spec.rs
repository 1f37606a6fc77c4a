//! What a scenario declares about itself.

use crate::sim::{Cluster, KnobValue, LinkConfig, MetricKind, Node, Sim, SimConfig, Time};
use std::collections::BTreeMap;

/// The type and range of a knob.
#[derive(Clone, Debug, PartialEq)]
pub enum KnobKind {
    /// `on` / `off`.
    Switch,
    Int {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    Duration {
        min: Time,
        max: Time,
    },
    /// A duration, or `off`.
    DurationOrOff {
        min: Time,
        max: Time,
    },
    Choice(Vec<String>),
}

impl KnobKind {
    /// The word a lesson file uses for this kind.
    pub fn name(&self) -> &'static str {
        match self {
            KnobKind::Switch => "switch",
            KnobKind::Int { .. } => "int",
            KnobKind::Float { .. } => "float",
            KnobKind::Duration { .. } => "duration",
            KnobKind::DurationOrOff { .. } => "duration-or-off",
            KnobKind::Choice(_) => "choice",
        }
    }

    /// Reads a value written as text (`on`, `3`, `0.5`, `250ms`, `off`, `quorum`).
    pub fn parse(&self, text: &str) -> Result<KnobValue, String> {
        let t = text.trim();
        match self {
            KnobKind::Switch => match t {
                "on" | "true" | "yes" => Ok(KnobValue::Bool(true)),
                "off" | "false" | "no" => Ok(KnobValue::Bool(false)),
                _ => Err(format!("expected on or off, found `{t}`")),
            },
            KnobKind::Int { min, max } => {
                let v: i64 = t
                    .parse()
                    .map_err(|_| format!("expected a whole number, found `{t}`"))?;
                if v < *min || v > *max {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Int(v))
            }
            KnobKind::Float { min, max } => {
                let v: f64 = t
                    .parse()
                    .map_err(|_| format!("expected a number, found `{t}`"))?;
                if !(v >= *min && v <= *max) {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Float(v))
            }
            KnobKind::Duration { min, max } | KnobKind::DurationOrOff { min, max } => {
                if t == "off" {
                    return match self {
                        KnobKind::DurationOrOff { .. } => Ok(KnobValue::Off),
                        _ => Err("this knob cannot be off: give a duration such as 250ms".into()),
                    };
                }
                let v = Time::parse(t)?;
                if v < *min || v > *max {
                    return Err(format!("{v} is out of range {min}..={max}"));
                }
                Ok(KnobValue::Duration(v))
            }
            KnobKind::Choice(choices) => {
                if choices.iter().any(|c| c == t) {
                    Ok(KnobValue::Choice(t.to_string()))
                } else {
                    Err(format!(
                        "expected one of {}, found `{t}`",
                        choices.join(", ")
                    ))
                }
            }
        }
    }

    /// Whether `other` (a lesson's narrowing of this knob) stays within this kind.
    pub fn contains(&self, other: &KnobKind) -> bool {
        match (self, other) {
            (KnobKind::Switch, KnobKind::Switch) => true,
            (KnobKind::Int { min, max }, KnobKind::Int { min: a, max: b }) => min <= a && b <= max,
            (KnobKind::Float { min, max }, KnobKind::Float { min: a, max: b }) => {
                min <= a && b <= max
            }
            (KnobKind::Duration { min, max }, KnobKind::Duration { min: a, max: b })
            | (KnobKind::DurationOrOff { min, max }, KnobKind::DurationOrOff { min: a, max: b })
            | (KnobKind::DurationOrOff { min, max }, KnobKind::Duration { min: a, max: b }) => {
                min <= a && b <= max
            }
            (KnobKind::Choice(all), KnobKind::Choice(some)) => some.iter().all(|c| all.contains(c)),
            _ => false,
        }
    }

    /// A human description of the accepted values.
    pub fn accepted(&self) -> String {
        match self {
            KnobKind::Switch => "on or off".into(),
            KnobKind::Int { min, max } => format!("a whole number in {min}..={max}"),
            KnobKind::Float { min, max } => format!("a number in {min}..={max}"),
            KnobKind::Duration { min, max } => format!("a duration in {min}..={max}"),
            KnobKind::DurationOrOff { min, max } => format!("off or a duration in {min}..={max}"),
            KnobKind::Choice(c) => format!("one of {}", c.join(", ")),
        }
    }
}

/// A knob as the scenario defines it; a lesson may narrow its range and change
/// its default and description.
#[derive(Clone, Debug)]
pub struct KnobSpec {
    pub name: &'static str,
    pub kind: KnobKind,
    pub default: KnobValue,
    pub description: &'static str,
}

/// A scenario-specific instruction a script can give to nodes of some roles.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub roles: &'static [&'static str],
    pub description: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricSpec {
    pub name: String,
    pub kind: MetricKind,
    pub description: String,
}

impl MetricSpec {
    pub fn new(name: impl Into<String>, kind: MetricKind, description: impl Into<String>) -> Self {
        MetricSpec {
            name: name.into(),
            kind,
            description: description.into(),
        }
    }
}

/// A node of the cluster a lesson asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeDef {
    pub name: String,
    pub role: String,
}

/// A view of a run the interface can draw without knowing the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    /// A gauge's value over time as bands, each value named (e.g. breaker
    /// states) and given a tone that says whether it is good news.
    StateTimeline {
        title: String,
        metric: String,
        states: Vec<(f64, &'static str, Tone)>,
    },
    /// Gauges' current values and history, e.g. pool occupancy; `max` scales bars.
    Gauges {
        title: String,
        metrics: Vec<(String, String)>,
        max: Option<f64>,
    },
    /// Counters as rates over time, e.g. successes, degraded and failures per second.
    Rates {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// Latency histograms as p50 / p99 / max.
    Latencies {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// Counter totals, e.g. acknowledged writes lost.
    Totals {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// One row per node with these of its facts as columns.
    NodeTable {
        title: String,
        columns: Vec<&'static str>,
    },
    /// Every lock the nodes keep ([`crate::sim::LockView`]): its holders, its
    /// waiters in line with how long each has waited, and its note.
    LockTable { title: String },
    /// The wait-for graph of those locks (who waits for whom), with a cycle,
    /// a deadlock, marked.
    WaitFor { title: String },
    /// For each named lock, the share of the time it was held and the share
    /// it had someone waiting, from its gauges ([`lock_held_metric`],
    /// [`lock_waiting_metric`]) over the window.
    Contention { title: String, locks: Vec<String> },
    /// Gauges drawn as bars over time wherever they are above zero, each
    /// stretch labelled with its value: leases with their fencing tokens, say.
    Spans {
        title: String,
        metrics: Vec<(String, String)>,
    },
}

/// The gauge a scenario keeps of how many hold lock `name` (see [`Panel::Contention`]).
pub fn lock_held_metric(name: &str) -> String {
    format!("lock.{name}.held")
}

/// The gauge a scenario keeps of how many wait for lock `name`.
pub fn lock_waiting_metric(name: &str) -> String {
    format!("lock.{name}.waiting")
}

/// The two gauges of each lock in `names`, declared for a [`Panel::Contention`].
pub fn lock_metric_specs(names: &[&str]) -> Vec<MetricSpec> {
    names
        .iter()
        .flat_map(|n| {
            [
                MetricSpec::new(
                    lock_held_metric(n),
                    MetricKind::Gauge,
                    format!("How many hold lock {n}."),
                ),
                MetricSpec::new(
                    lock_waiting_metric(n),
                    MetricKind::Gauge,
                    format!("How many wait for lock {n}."),
                ),
            ]
        })
        .collect()
}

/// How a state reads: the interface gives each tone its own colour and glyph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Working as it should.
    Good,
    /// Protecting itself, or on its way back: worth a look.
    Warn,
    /// Failing, or the failure the lesson is about.
    Bad,
    /// Neither: a mechanism switched off, say.
    Neutral,
}

/// Everything a scenario needs to build a run.
#[derive(Clone, Debug)]
pub struct Setup {
    pub seed: u64,
    pub nodes: Vec<NodeDef>,
    pub link: LinkConfig,
    /// Per-link overrides, by node index.
    pub links: Vec<(usize, usize, LinkConfig)>,
    pub processing: Time,
    /// A value for every knob of the scenario.
    pub knobs: BTreeMap<String, KnobValue>,
    pub trace: bool,
}

impl Setup {
    pub fn knob(&self, name: &str) -> &KnobValue {
        self.knobs.get(name).unwrap_or(&KnobValue::Off)
    }

    /// Indices of the nodes with `role`.
    pub fn with_role(&self, role: &str) -> Vec<usize> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == role)
            .map(|(i, _)| i)
            .collect()
    }
}

/// A scenario: the cluster behaviour behind one or more lessons.
pub struct ScenarioSpec {
    pub id: &'static str,
    pub summary: &'static str,
    pub roles: &'static [&'static str],
    pub knobs: fn() -> Vec<KnobSpec>,
    pub commands: &'static [CommandSpec],
    /// The metrics a run of this cluster records.
    pub metrics: fn(&[NodeDef]) -> Vec<MetricSpec>,
    pub panels: fn(&[NodeDef]) -> Vec<Panel>,
    /// Builds a run; `Err` explains what is wrong with the cluster.
    pub build: fn(&Setup) -> Result<Box<dyn Cluster + Send>, String>,
}

impl ScenarioSpec {
    pub fn knob(&self, name: &str) -> Option<KnobSpec> {
        (self.knobs)().into_iter().find(|k| k.name == name)
    }
}

/// A simulation of `nodes` set up as `setup` says, with `metrics` declared.
pub fn new_sim<N: Node>(setup: &Setup, nodes: Vec<N>, metrics: &[MetricSpec]) -> Sim<N> {
    let config = SimConfig {
        seed: setup.seed,
        link: setup.link,
        processing: setup.processing,
        trace: setup.trace,
    };
    let named = setup
        .nodes
        .iter()
        .map(|d| d.name.clone())
        .zip(nodes)
        .collect();
    let mut sim = Sim::new(config, named);
    for &(a, b, link) in &setup.links {
        *sim.network_mut().link_mut(a, b) = link;
    }
    for m in metrics {
        sim.metrics_mut().register(&m.name, m.kind);
    }
    sim
}

//! Inputs: everything from outside the cluster that changes a run (a fault, a
//! knob, a hand-delivered message). Each is a timed entry in the run's input
//! log, so (lesson, seed, input log) determines the run.

use super::network::{Latency, LinkChange};
use super::time::Time;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A node, named directly or by the role it has when the input is applied
/// (`role:primary` picks the first live node whose role is `primary`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeSel {
    Id(usize),
    Role(String),
}

/// A knob's value. Durations are virtual time; `Off` disables an optional setting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum KnobValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Duration(Time),
    Off,
    Choice(String),
}

impl KnobValue {
    pub fn as_bool(&self) -> bool {
        matches!(self, KnobValue::Bool(true))
    }
    pub fn as_int(&self) -> i64 {
        match self {
            KnobValue::Int(i) => *i,
            KnobValue::Float(f) => *f as i64,
            _ => 0,
        }
    }
    pub fn as_float(&self) -> f64 {
        match self {
            KnobValue::Float(f) => *f,
            KnobValue::Int(i) => *i as f64,
            _ => 0.0,
        }
    }
    /// The duration, or `None` for `off`.
    pub fn as_duration(&self) -> Option<Time> {
        match self {
            KnobValue::Duration(t) => Some(*t),
            _ => None,
        }
    }
    pub fn as_choice(&self) -> &str {
        match self {
            KnobValue::Choice(s) => s,
            _ => "",
        }
    }
}

impl fmt::Display for KnobValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KnobValue::Bool(true) => f.write_str("on"),
            KnobValue::Bool(false) | KnobValue::Off => f.write_str("off"),
            KnobValue::Int(i) => write!(f, "{i}"),
            KnobValue::Float(x) => write!(f, "{x}"),
            KnobValue::Duration(t) => write!(f, "{t}"),
            KnobValue::Choice(s) => f.write_str(s),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Input {
    /// The node stops; its volatile state and pending timers are lost.
    Crash(NodeSel),
    /// A crashed node starts again from its durable state.
    Restart(NodeSel),
    /// A stop-the-world freeze: nothing is processed until it resumes, then
    /// everything that arrived meanwhile is handled at once, with a stale view.
    Pause {
        node: NodeSel,
        duration: Option<Time>,
    },
    Resume(NodeSel),
    /// Every event the node handles takes `factor` times its processing time.
    Slow {
        node: NodeSel,
        factor: f64,
    },
    /// Moves the node's local clock by `by` microseconds (negative goes back).
    ClockJump {
        node: NodeSel,
        by: i64,
    },
    /// Cuts every link between nodes of different groups, both ways. Nodes in
    /// no group keep their links.
    Partition {
        groups: Vec<Vec<NodeSel>>,
    },
    /// Cuts the node off from every other node, both ways.
    Isolate(NodeSel),
    /// Cuts one direction of one link.
    Cut {
        from: NodeSel,
        to: NodeSel,
    },
    /// Removes every cut and releases every held link.
    Heal,
    /// Messages on the link wait, undelivered, until it is released.
    Hold {
        from: NodeSel,
        to: NodeSel,
    },
    Release {
        from: NodeSel,
        to: NodeSel,
    },
    /// Changes the link(s): `None` for `from` or `to` means every node.
    SetLink {
        from: Option<NodeSel>,
        to: Option<NodeSel>,
        change: LinkChange,
    },
    /// Loses the in-flight message with this id.
    DropMessage(u64),
    /// Delivers the in-flight message with this id now.
    DeliverMessage(u64),
    Knob {
        name: String,
        value: KnobValue,
    },
    /// A scenario-specific instruction to one node (e.g. `hang` for a dependency).
    Command {
        node: NodeSel,
        command: String,
    },
}

/// An input and the virtual instant it applies at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedInput {
    pub at: Time,
    pub input: Input,
}

impl Input {
    /// Short label for traces.
    pub fn describe(&self, name: &dyn Fn(&NodeSel) -> String) -> String {
        let lat = |l: &Latency| l.to_string();
        match self {
            Input::Crash(n) => format!("crash {}", name(n)),
            Input::Restart(n) => format!("restart {}", name(n)),
            Input::Pause {
                node,
                duration: Some(d),
            } => format!("pause {} for {d}", name(node)),
            Input::Pause {
                node,
                duration: None,
            } => format!("pause {}", name(node)),
            Input::Resume(n) => format!("resume {}", name(n)),
            Input::Slow { node, factor } => format!("slow {} x{factor}", name(node)),
            Input::ClockJump { node, by } => {
                let sign = if *by < 0 { "-" } else { "+" };
                format!(
                    "clock-jump {} {sign}{}",
                    name(node),
                    Time(by.unsigned_abs())
                )
            }
            Input::Partition { groups } => {
                let g: Vec<String> = groups
                    .iter()
                    .map(|g| g.iter().map(name).collect::<Vec<_>>().join(","))
                    .collect();
                format!("partition {}", g.join(" | "))
            }
            Input::Isolate(n) => format!("isolate {}", name(n)),
            Input::Cut { from, to } => format!("cut {}->{}", name(from), name(to)),
            Input::Heal => "heal".to_string(),
            Input::Hold { from, to } => format!("hold {}->{}", name(from), name(to)),
            Input::Release { from, to } => format!("release {}->{}", name(from), name(to)),
            Input::SetLink { from, to, change } => {
                let side = |s: &Option<NodeSel>| s.as_ref().map_or("*".to_string(), name);
                let mut parts = Vec::new();
                if let Some(l) = &change.latency {
                    parts.push(format!("latency {}", lat(l)));
                }
                if let Some(p) = change.loss {
                    parts.push(format!("loss {p}"));
                }
                if let Some(p) = change.duplicate {
                    parts.push(format!("duplicate {p}"));
                }
                format!("set-link {}->{} {}", side(from), side(to), parts.join(" "))
            }
            Input::DropMessage(id) => format!("drop m{id}"),
            Input::DeliverMessage(id) => format!("deliver m{id}"),
            Input::Knob { name: k, value } => format!("set {k}={value}"),
            Input::Command { node, command } => format!("{command} {}", name(node)),
        }
    }
}

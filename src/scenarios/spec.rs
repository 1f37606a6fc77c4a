//! What a scenario declares about itself: its roles and how many nodes of
//! each a cluster has, its knobs, commands, metrics and panels, and how to
//! build a run.

use super::knob::KnobSpec;
use super::panel::Panel;
use crate::sim::{Cluster, KnobValue, LinkConfig, MetricKind, Node, Sim, SimConfig, Time};
use std::collections::BTreeMap;

/// How many nodes of a role a cluster declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    Exactly(usize),
    AtLeast(usize),
    /// None: a node takes this role while it runs (a replica elected
    /// primary, a client holding a lock). Scripts can still pick nodes by it.
    Taken,
}

/// A role of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleSpec {
    pub name: &'static str,
    pub count: Count,
    /// How the nodes of this role are told apart, when it matters (e.g.
    /// "the first backs endpoint A, the second B").
    pub note: &'static str,
}

impl RoleSpec {
    pub const fn exactly(n: usize, name: &'static str) -> RoleSpec {
        RoleSpec {
            name,
            count: Count::Exactly(n),
            note: "",
        }
    }

    pub const fn at_least(n: usize, name: &'static str) -> RoleSpec {
        RoleSpec {
            name,
            count: Count::AtLeast(n),
            note: "",
        }
    }

    /// A role nodes take while running; no cluster declares it.
    pub const fn taken(name: &'static str) -> RoleSpec {
        RoleSpec {
            name,
            count: Count::Taken,
            note: "",
        }
    }

    pub const fn note(self, note: &'static str) -> RoleSpec {
        RoleSpec { note, ..self }
    }
}

/// A scenario's roles, each declared once with how many nodes may have it.
#[derive(Clone, Copy, Debug)]
pub struct Roles(pub &'static [RoleSpec]);

impl Roles {
    /// Whether `name` is a role of the scenario, declared or taken.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|r| r.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&'static RoleSpec> {
        self.0.iter().find(|r| r.name == name)
    }

    /// Every role's name, declared or taken.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|r| r.name).collect()
    }

    /// The roles a cluster can declare nodes with.
    pub fn declared(&self) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|r| r.count != Count::Taken)
            .map(|r| r.name)
            .collect()
    }

    pub fn join(&self, separator: &str) -> String {
        self.names().join(separator)
    }

    /// Checks that `nodes` declare only roles a cluster can declare, and as
    /// many of each as the scenario needs; `scenario` names it in messages.
    pub fn check(&self, scenario: &str, nodes: &[NodeDef]) -> Result<(), String> {
        let declared = self.declared();
        if let Some(other) = nodes.iter().find(|n| !declared.contains(&n.role.as_str())) {
            return Err(format!(
                "node `{}` has role `{}`; {scenario} clusters declare only {} nodes",
                other.name,
                other.role,
                and_list(&declared)
            ));
        }
        for role in self.0 {
            let found = nodes.iter().filter(|n| n.role == role.name).count();
            let note = if role.note.is_empty() {
                String::new()
            } else {
                format!(" ({})", role.note)
            };
            let wanted = match role.count {
                Count::Exactly(n) if found != n => format!("exactly {}", nodes_of(n)),
                Count::AtLeast(n) if found < n => match n {
                    1 => "at least one node".to_string(),
                    n => format!("at least {n} nodes"),
                },
                _ => continue,
            };
            return Err(format!(
                "{scenario} needs {wanted} with role `{}`{note}, found {found}",
                role.name
            ));
        }
        Ok(())
    }
}

/// `one node`, `two nodes`, ... in words up to ten.
fn nodes_of(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let count = WORDS.get(n).map_or(n.to_string(), |w| w.to_string());
    if n == 1 {
        format!("{count} node")
    } else {
        format!("{count} nodes")
    }
}

/// `` `a`, `b` and `c` ``.
fn and_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "no".to_string(),
    }
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
    pub roles: Roles,
    pub knobs: fn() -> Vec<KnobSpec>,
    pub commands: &'static [CommandSpec],
    /// The metrics a run of this cluster records.
    pub metrics: fn(&[NodeDef]) -> Vec<MetricSpec>,
    pub panels: fn(&[NodeDef]) -> Vec<Panel>,
    /// The headline: the metrics that count the lesson's broken promises
    /// (the judge's counters). The metrics pane gives the panels that show
    /// them room first, so they are on screen at every size.
    pub headline: &'static [&'static str],
    /// Builds a run; `Err` explains what is wrong with the cluster.
    pub build: fn(&Setup) -> Result<Box<dyn Cluster + Send>, String>,
}

impl ScenarioSpec {
    pub fn knob(&self, name: &str) -> Option<KnobSpec> {
        (self.knobs)().into_iter().find(|k| k.name == name)
    }

    /// Checks the cluster's roles against the scenario's (see [`Roles::check`]).
    pub fn check_roles(&self, setup: &Setup) -> Result<(), String> {
        self.roles.check(self.id, &setup.nodes)
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

//! What the outside sees of a simulation: its nodes, their locks and the
//! messages in flight, as plain values.

use super::Sim;
use crate::sim::locks::LockView;
use crate::sim::node::{Message, Node};
use crate::sim::time::Time;

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Up,
    Down,
    Paused,
}

impl Health {
    pub fn name(self) -> &'static str {
        match self {
            Health::Up => "up",
            Health::Down => "down",
            Health::Paused => "paused",
        }
    }
}

/// What the outside world may see of a node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: usize,
    pub name: String,
    pub role: String,
    pub health: Health,
    /// Processing slowdown factor (1 = normal).
    pub slow: f64,
    /// Local clock minus virtual time, in microseconds.
    pub clock_offset: i64,
    pub facts: Vec<(&'static str, String)>,
}

/// A message on its way.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlightView {
    pub id: u64,
    pub from: usize,
    pub to: usize,
    pub kind: &'static str,
    pub sent_at: Time,
    /// `None` while held on a held link.
    pub arrives_at: Option<Time>,
}

impl<N: Node> Sim<N> {
    pub fn node_views(&self) -> Vec<NodeView> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(id, s)| NodeView {
                id,
                name: self.names[id].clone(),
                role: s.node.role().to_string(),
                health: s.health,
                slow: s.slow,
                clock_offset: s.clock_offset,
                facts: s.node.facts(),
            })
            .collect()
    }

    /// Every lock kept by a node that is not down, node by node.
    pub fn locks(&self) -> Vec<LockView> {
        self.nodes
            .iter()
            .filter(|s| s.health != Health::Down)
            .flat_map(|s| s.node.locks())
            .collect()
    }

    /// Messages sent and not yet delivered or dropped, oldest first.
    pub fn in_flight(&self) -> Vec<InFlightView> {
        let mut v: Vec<InFlightView> = self
            .flights
            .iter()
            .map(|(_, f)| InFlightView {
                id: f.id,
                from: f.from,
                to: f.to,
                kind: f.msg.kind(),
                sent_at: f.sent_at,
                arrives_at: f.arrives_at,
            })
            .collect();
        v.sort_by_key(|f| f.id);
        v
    }

    /// The whole of in-flight message `id`, written out (its fields, not only
    /// its kind), or `None` once it has landed or been dropped.
    pub fn in_flight_detail(&self, id: u64) -> Option<String> {
        let slot = self.flights.find(id)?;
        self.flights.get(slot, id).map(|f| format!("{:?}", f.msg))
    }
}

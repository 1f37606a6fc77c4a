//! Inputs applied to a running simulation: node faults (crash, restart,
//! pause, resume, slow-down, clock jump), network faults (handed to the
//! [`Network`](crate::sim::Network), apart from releasing held messages,
//! which needs the messages), hand-delivered or dropped messages, knob
//! changes and scenario commands.

use super::messages::sample;
use super::{EventKind, Health, Sim};
use crate::sim::input::{Input, NodeSel};
use crate::sim::node::Node;
use crate::sim::time::Time;
use crate::sim::trace::{DropReason, TraceKind};

impl<N: Node> Sim<N> {
    /// The node `sel` names now: a role picks its first live node, or the
    /// first node with the role if none is up.
    pub(super) fn resolve(&self, sel: &NodeSel) -> Option<usize> {
        match sel {
            NodeSel::Id(i) => (*i < self.nodes.len()).then_some(*i),
            NodeSel::Role(role) => {
                let with_role = |h: Option<Health>| {
                    self.nodes
                        .iter()
                        .position(|s| s.node.role() == role && h.is_none_or(|h| s.health == h))
                };
                with_role(Some(Health::Up)).or_else(|| with_role(None))
            }
        }
    }

    fn describe(&self, input: &Input) -> String {
        input.describe(&|sel| match self.resolve(sel) {
            Some(i) => self.names[i].clone(),
            None => match sel {
                NodeSel::Role(r) => format!("role:{r}(none)"),
                NodeSel::Id(i) => format!("#{i}"),
            },
        })
    }

    /// Whether `input`, applied now, would find nothing to change: a crash
    /// of a node that is down, a restart of one that is not, a pause of a
    /// down node, a resume of one not paused, a message no longer in flight.
    /// Other inputs always count as doing something.
    fn changes_nothing(&self, input: &Input) -> bool {
        let health = |sel: &NodeSel| self.resolve(sel).map(|i| self.nodes[i].health);
        match input {
            Input::Crash(n) => health(n).is_none_or(|h| h == Health::Down),
            Input::Restart(n) => health(n).is_none_or(|h| h != Health::Down),
            Input::Pause { node, .. } => health(node).is_none_or(|h| h == Health::Down),
            Input::Resume(n) => health(n).is_none_or(|h| h != Health::Paused),
            Input::DropMessage(id) | Input::DeliverMessage(id) => self.flights.find(*id).is_none(),
            _ => false,
        }
    }

    /// Applies an input now, and traces it.
    pub(super) fn apply(&mut self, input: Input) {
        if self.trace.is_some() {
            let text = self.describe(&input);
            let idle = self.changes_nothing(&input);
            self.record(None, TraceKind::Input { text, idle });
        }
        let one = |sim: &Self, sel: &NodeSel| sim.resolve(sel);
        let both = |sim: &Self, a: &NodeSel, b: &NodeSel| Some((sim.resolve(a)?, sim.resolve(b)?));
        match input {
            Input::Crash(sel) => {
                if let Some(i) = one(self, &sel) {
                    self.crash(i);
                }
            }
            Input::Restart(sel) => {
                if let Some(i) = one(self, &sel) {
                    self.restart(i);
                }
            }
            Input::Pause { node, duration } => {
                if let Some(i) = one(self, &node) {
                    self.pause(i, duration);
                }
            }
            Input::Resume(sel) => {
                if let Some(i) = one(self, &sel).filter(|&i| self.nodes[i].health == Health::Paused)
                {
                    self.resume(i);
                }
            }
            Input::Slow { node, factor } => {
                if let Some(i) = one(self, &node) {
                    self.nodes[i].slow = factor.max(0.0);
                }
            }
            Input::ClockJump { node, by } => {
                if let Some(i) = one(self, &node) {
                    self.nodes[i].clock_offset += by;
                }
            }
            Input::Partition { groups } => {
                let groups: Vec<Vec<usize>> = groups
                    .iter()
                    .map(|g| g.iter().filter_map(|s| one(self, s)).collect())
                    .collect();
                self.network.partition(&groups);
            }
            Input::Isolate(sel) => {
                if let Some(i) = one(self, &sel) {
                    self.network.isolate(i);
                }
            }
            Input::Cut { from, to } => {
                if let Some((a, b)) = both(self, &from, &to) {
                    self.network.set_cut(a, b, true);
                }
            }
            Input::Heal => {
                self.network.heal();
                for (a, b) in self.network.held_links() {
                    self.release(a, b);
                }
            }
            Input::Hold { from, to } => {
                if let Some((a, b)) = both(self, &from, &to) {
                    self.network.set_held(a, b, true);
                }
            }
            Input::Release { from, to } => {
                if let Some((a, b)) = both(self, &from, &to) {
                    self.release(a, b);
                }
            }
            Input::SetLink { from, to, change } => {
                // No side given means every node; a side that names nobody, none.
                let side = |sim: &Self, s: &Option<NodeSel>| -> Vec<usize> {
                    match s {
                        None => (0..sim.nodes.len()).collect(),
                        Some(sel) => one(sim, sel).into_iter().collect(),
                    }
                };
                let (from, to) = (side(self, &from), side(self, &to));
                self.network.change_links(&from, &to, &change);
            }
            Input::DropMessage(id) => {
                if let Some(slot) = self.flights.find(id) {
                    let f = self.flights.take(slot);
                    self.record_drop(&f, DropReason::Input);
                }
            }
            Input::DeliverMessage(id) => {
                if let Some(slot) = self.flights.find(id) {
                    self.deliver_now(slot, id);
                }
            }
            Input::Knob { name, value } => {
                for i in 0..self.nodes.len() {
                    self.dispatch(i, |n, ctx| n.on_knob(ctx, &name, &value));
                }
            }
            Input::Command { node, command } => {
                if let Some(i) = one(self, &node) {
                    self.command(i, &command);
                }
            }
        }
    }

    /// The node stops: its volatile state, its timers and whatever waited
    /// for it are lost.
    fn crash(&mut self, i: usize) {
        if self.nodes[i].health == Health::Down {
            return;
        }
        let s = &mut self.nodes[i];
        s.health = Health::Down;
        s.incarnation += 1;
        s.slow = 1.0;
        let waiting: Vec<EventKind<N::Timer>> = std::mem::take(&mut s.deferred)
            .into_iter()
            .map(|q| q.kind)
            .chain(std::mem::take(&mut s.inbox))
            .collect();
        self.record(Some(i), TraceKind::Crash);
        self.dispatch(i, |n, ctx| n.on_crash(ctx));
        // What waited for the node is lost with it.
        for kind in waiting {
            if let EventKind::Deliver { slot, id } = kind
                && self.flights.get(slot, id).is_some()
            {
                self.deliver(slot);
            }
        }
    }

    /// A crashed node starts again from its durable state.
    fn restart(&mut self, i: usize) {
        if self.nodes[i].health != Health::Down {
            return;
        }
        let s = &mut self.nodes[i];
        s.health = Health::Up;
        s.busy_until = self.now;
        self.record(Some(i), TraceKind::Restart);
        self.dispatch(i, |n, ctx| n.on_start(ctx));
    }

    /// Freezes a node that is not down, for `duration` or until resumed.
    fn pause(&mut self, i: usize, duration: Option<Time>) {
        if self.nodes[i].health == Health::Down {
            return;
        }
        let s = &mut self.nodes[i];
        s.health = Health::Paused;
        s.pause += 1;
        let pause = s.pause;
        self.record(Some(i), TraceKind::Pause);
        if let Some(d) = duration {
            self.push(self.now + d, EventKind::PauseOver { node: i, pause });
        }
    }

    /// Wakes a paused node: what arrived meanwhile joins its inbox, in
    /// arrival order, and is handled one event at a time from now on.
    pub(super) fn resume(&mut self, i: usize) {
        let s = &mut self.nodes[i];
        s.health = Health::Up;
        let deferred = std::mem::take(&mut s.deferred);
        self.record(Some(i), TraceKind::Resume);
        for q in deferred {
            if let EventKind::Deliver { slot, id } = q.kind
                && let Some(f) = self.flights.get_mut(slot, id)
            {
                f.arrives_at = Some(self.now);
            }
            self.nodes[i].inbox.push_back(q.kind);
        }
        self.arm_wake(i);
    }

    /// A scenario command; a crashed process hears nothing, commands included.
    fn command(&mut self, i: usize, command: &str) {
        if self.nodes[i].health == Health::Down {
            if self.trace.is_some() {
                let text = format!("{command}: ignored, the node is down");
                self.record(Some(i), TraceKind::Log(text));
            }
        } else {
            self.dispatch(i, |n, ctx| n.on_command(ctx, command));
        }
    }

    /// Delivers the message in `slot` now, by hand; a frozen receiver sees
    /// it when it wakes.
    fn deliver_now(&mut self, slot: u32, id: u64) {
        let Some(f) = self.flights.get_mut(slot, id) else {
            return;
        };
        let to = f.to;
        if self.nodes[to].health == Health::Paused {
            f.arrives_at = Some(self.now);
            self.park(to, EventKind::Deliver { slot, id });
        } else {
            self.deliver(slot);
        }
    }

    /// Sends every message held on `from -> to` on its way.
    fn release(&mut self, from: usize, to: usize) {
        if !self.network.is_held(from, to) {
            return;
        }
        self.network.set_held(from, to, false);
        let latency = self.network.link(from, to).latency;
        let mut parked: Vec<(u64, u32)> = self
            .flights
            .iter()
            .filter(|(_, f)| f.from == from && f.to == to && f.arrives_at.is_none())
            .map(|(slot, f)| (f.id, slot))
            .collect();
        parked.sort_unstable();
        for (id, slot) in parked {
            let at = self.now + sample(&latency, &mut self.rng);
            self.flights.get_mut(slot, id).expect("parked").arrives_at = Some(at);
            self.push(at, EventKind::Deliver { slot, id });
        }
    }
}

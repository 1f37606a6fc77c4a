//! The life of a message: sent (lost, duplicated, cut off or held on the
//! way, as its link says), arriving at its receiver (who may be paused or
//! busy, or down by then), and delivered to the node's handler.

use super::flights::InFlight;
use super::{EventKind, Health, Sim, Wait};
use crate::sim::network::Latency;
use crate::sim::node::{Message, Node};
use crate::sim::time::Time;
use crate::sim::trace::{Detail, DropReason, TraceKind};
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

impl<N: Node> Sim<N> {
    /// A message reaches its destination at its arrival time.
    #[inline]
    pub(super) fn arrive(&mut self, slot: u32, id: u64) {
        let Some(f) = self.flights.get(slot, id) else {
            return; // delivered early or dropped
        };
        if f.arrives_at != Some(self.now) {
            return; // rescheduled
        }
        let (from, to) = (f.from, f.to);
        if self.network.is_held(from, to) {
            self.flights
                .get_mut(slot, id)
                .expect("checked above")
                .arrives_at = None;
            return;
        }
        let wait = self.wait_state(to);
        if wait != Wait::No {
            self.hold_for(to, wait, EventKind::Deliver { slot, id });
            return;
        }
        self.deliver(slot);
    }

    #[inline]
    pub(super) fn deliver(&mut self, slot: u32) {
        let f = self.flights.take(slot);
        if self.nodes[f.to].health == Health::Down {
            self.record_drop(&f, DropReason::Down);
            return;
        }
        if self.network.is_cut(f.from, f.to) {
            self.record_drop(&f, DropReason::Partition);
            return;
        }
        let s = &mut self.nodes[f.to];
        s.lamport = s.lamport.max(f.lamport) + 1;
        if let Some(trace) = &mut self.trace {
            let kind = TraceKind::Deliver {
                msg: f.id,
                from: f.from,
                kind: f.msg.kind(),
                sent_at: f.sent_at,
            };
            trace.push(self.now, Some(f.to), s.lamport, kind);
        }
        self.occupy(f.to);
        let from = f.from;
        self.dispatch(f.to, |n, ctx| n.on_message(ctx, from, f.msg));
    }

    pub(super) fn record_drop(&mut self, f: &InFlight<N::Msg>, reason: DropReason) {
        let kind = TraceKind::Drop {
            msg: f.id,
            from: f.from,
            to: f.to,
            kind: f.msg.kind(),
            reason,
        };
        self.record(None, kind);
    }

    #[inline]
    pub(super) fn send(&mut self, from: usize, to: usize, msg: N::Msg) {
        let s = &mut self.nodes[from];
        s.lamport += 1;
        let lamport = s.lamport;
        let depart = s.busy_until.max(self.now);
        let duplicate = self.network.link(from, to).duplicate;
        // Random draws in a fixed order: duplication, then per copy loss and latency.
        if duplicate > 0.0 && self.rng.random_bool(duplicate) {
            self.send_copy(from, to, msg.clone(), lamport, depart, false);
            self.send_copy(from, to, msg, lamport, depart, true);
        } else {
            self.send_copy(from, to, msg, lamport, depart, false);
        }
    }

    /// Puts one copy of a message on the link, or loses it.
    #[inline]
    fn send_copy(
        &mut self,
        from: usize,
        to: usize,
        msg: N::Msg,
        lamport: u64,
        depart: Time,
        duplicate: bool,
    ) {
        let id = self.next_msg;
        self.next_msg += 1;
        let (link, cut, held) = self.network.state(from, to);
        let lost = link.loss > 0.0 && self.rng.random_bool(link.loss);
        let arrives = if lost || cut || held {
            None
        } else {
            Some(depart + sample(&link.latency, &mut self.rng))
        };
        if let Some(trace) = &mut self.trace {
            let kind = TraceKind::Send {
                msg: id,
                to,
                kind: msg.kind(),
                detail: Detail::new(msg.clone()),
                arrives,
                duplicate,
            };
            trace.push(self.now, Some(from), lamport, kind);
            if lost || cut {
                let reason = if cut {
                    DropReason::Partition
                } else {
                    DropReason::Loss
                };
                let kind = TraceKind::Drop {
                    msg: id,
                    from,
                    to,
                    kind: msg.kind(),
                    reason,
                };
                trace.push(self.now, None, 0, kind);
            }
        }
        if lost || cut {
            return;
        }
        let flight = InFlight {
            id,
            from,
            to,
            msg,
            sent_at: self.now,
            arrives_at: arrives,
            lamport,
        };
        let slot = self.flights.insert(flight);
        if let Some(at) = arrives {
            self.push(at, EventKind::Deliver { slot, id });
        }
    }
}

/// [`Latency::sample`], with the constant case (the default, and the common
/// one) inlined into the send path.
#[inline]
pub(super) fn sample(latency: &Latency, rng: &mut Xoshiro256PlusPlus) -> Time {
    match *latency {
        Latency::Constant { value } => value,
        ref other => other.sample(rng),
    }
}

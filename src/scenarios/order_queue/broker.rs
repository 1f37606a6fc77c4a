//! The broker: keeps the queues. In `queue` mode the producer's messages go
//! to one queue, `orders`, whose consumers compete for them; in `pubsub`
//! mode they go to a topic with two subscriptions, `billing` and
//! `shipping`, each of which gets every message in a queue of its own.
//!
//! Consumers poll (a long poll: held up to `POLL_WAIT` while there is
//! nothing to deliver). A delivered message is not deleted: it is leased to
//! its consumer, invisible to the others, for the visibility timeout, and
//! each delivery has a receipt of its own. An acknowledgement with the
//! latest receipt deletes it; one with an older receipt is refused, as SQS
//! does. A lease that expires makes the message visible again, and the next
//! poll delivers it again with its receive count one higher. With
//! `max_receives`, a message already received that many times goes to the
//! queue's dead-letter queue instead.
//!
//! Order holds within a message group only: a group's messages are delivered
//! one at a time, in the order they arrived, and no message of a group is
//! delivered while an earlier one is out (as in an SQS FIFO queue), so a
//! message that is never acknowledged holds up its group and no other.
//!
//! The queues, the leases, the receive counts, the dead-letter queues and
//! the ids already stored are durable (they survive a crash); the polls
//! waiting are not.

use super::config::{Config, Mode, POLL_WAIT, SWEEP};
use super::msg::{Delivery, Kind, Msg, Timer};
use super::{IdMap, IdSet, OrderQueueNode, metrics};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, QueueLease, QueueView, Time};
use std::collections::BTreeMap;

/// The queues' names, by index.
pub const QUEUES: [&str; 3] = ["orders", "billing", "shipping"];

#[derive(Clone, Copy, Debug)]
struct Lease {
    consumer: usize,
    receipt: u64,
    until: Time,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    id: u64,
    group: u8,
    kind: Kind,
    enqueued: Time,
    receives: u32,
    lease: Option<Lease>,
}

#[derive(Clone, Copy, Debug)]
struct Dead {
    id: u64,
    kind: Kind,
    receives: u32,
}

#[derive(Clone, Debug, Default)]
struct Queue {
    /// In arrival order.
    entries: BTreeMap<u64, Entry>,
    seq_of: IdMap<u64, u64>,
    next_seq: u64,
    dead: Vec<Dead>,
}

impl Queue {
    fn push(&mut self, id: u64, group: u8, kind: Kind, now: Time) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(
            seq,
            Entry {
                id,
                group,
                kind,
                enqueued: now,
                receives: 0,
                lease: None,
            },
        );
        self.seq_of.insert(id, seq);
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let seq = self.seq_of.remove(&id)?;
        self.entries.remove(&seq)
    }
}

/// A poll waiting for messages.
#[derive(Clone, Copy, Debug)]
struct Poll {
    sub: u8,
    want: u32,
    poll: u64,
    until: Time,
}

#[derive(Clone, Debug)]
pub struct Broker {
    cfg: Config,
    names: Vec<String>,
    /// Durable.
    queues: [Queue; 3],
    seen: IdSet<u64>,
    next_receipt: u64,
    /// Volatile: polls waiting, by consumer.
    polls: BTreeMap<usize, Poll>,
    turn: usize,
    /// The gauges as last set: ready, in flight, oldest (tenths of a second), dead.
    shown: (usize, usize, u64, usize),
    drained: Option<Time>,
}

impl Broker {
    pub fn new(cfg: Config, names: Vec<String>) -> Broker {
        Broker {
            cfg,
            names,
            queues: Default::default(),
            seen: IdSet::default(),
            next_receipt: 1,
            polls: BTreeMap::new(),
            turn: 0,
            shown: (usize::MAX, usize::MAX, u64::MAX, usize::MAX),
            drained: None,
        }
    }

    /// Messages held in queue `q` (waiting and leased), and in its
    /// dead-letter queue.
    pub fn held(&self, q: usize) -> (usize, usize) {
        (self.queues[q].entries.len(), self.queues[q].dead.len())
    }

    /// The ids in queue `q`'s dead-letter queue.
    pub fn dead_ids(&self, q: usize) -> Vec<u64> {
        self.queues[q].dead.iter().map(|d| d.id).collect()
    }

    /// Leases a consumer may have: delivers up to `want` messages to
    /// `consumer`, from its subscription's queue first.
    fn take(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, consumer: usize, sub: u8, want: u32) -> Vec<Delivery> {
        let now = ctx.now();
        let own = 1 + usize::from(sub % 2);
        let order = match self.cfg.mode {
            Mode::Queue => [0, own],
            Mode::Pubsub => [own, 0],
        };
        let limit = self.cfg.max_receives.limit();
        let mut out = Vec::new();
        for q in order {
            if out.len() as u32 >= want {
                break;
            }
            let queue = &mut self.queues[q];
            let mut blocked: u32 = 0;
            let mut to_dead = Vec::new();
            for (&seq, e) in queue.entries.iter_mut() {
                let bit = 1u32 << e.group;
                if blocked & bit != 0 {
                    continue;
                }
                blocked |= bit;
                if e.lease.is_none() {
                    if limit.is_some_and(|max| e.receives >= max) {
                        to_dead.push(seq);
                    } else {
                        e.receives += 1;
                        let receipt = self.next_receipt;
                        self.next_receipt += 1;
                        e.lease = Some(Lease {
                            consumer,
                            receipt,
                            until: now + self.cfg.visibility,
                        });
                        out.push((
                            Delivery {
                                queue: q as u8,
                                id: e.id,
                                group: e.group,
                                kind: e.kind,
                                receipt,
                                receives: e.receives,
                            },
                            e.enqueued,
                        ));
                        if out.len() as u32 >= want {
                            break;
                        }
                    }
                }
                if blocked == (1u32 << super::config::GROUPS) - 1 {
                    break;
                }
            }
            for seq in to_dead {
                if let Some(e) = queue.entries.remove(&seq) {
                    queue.seq_of.remove(&e.id);
                    queue.dead.push(Dead {
                        id: e.id,
                        kind: e.kind,
                        receives: e.receives,
                    });
                    ctx.count(metrics::DEAD, 1);
                    if e.kind == Kind::Poison {
                        ctx.count(metrics::POISON_DEAD, 1);
                    }
                    ctx.world().parked(q as u8, e.id);
                    if ctx.logging() {
                        ctx.log(format!(
                            "m{} moved to {}.dlq after {} receives",
                            e.id, QUEUES[q], e.receives
                        ));
                    }
                }
            }
        }
        out.into_iter()
            .map(|(d, enqueued)| {
                ctx.count(metrics::DELIVERED, 1);
                if d.receives > 1 {
                    ctx.count(metrics::REDELIVERED, 1);
                } else {
                    ctx.observe(metrics::WAIT, now.saturating_sub(enqueued));
                }
                d
            })
            .collect()
    }

    /// Answers the polls waiting that it now has messages for, taking the
    /// consumers in turn.
    fn serve(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        if self.polls.is_empty() {
            return;
        }
        let mut who: Vec<usize> = self.polls.keys().copied().collect();
        let n = who.len();
        who.rotate_left(self.turn % n);
        self.turn = self.turn.wrapping_add(1);
        for c in who {
            let Some(p) = self.polls.get(&c).copied() else {
                continue;
            };
            let msgs = self.take(ctx, c, p.sub, p.want);
            if !msgs.is_empty() {
                self.polls.remove(&c);
                ctx.send(c, Msg::Deliver { poll: p.poll, msgs });
            }
        }
    }

    fn sweep(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        let now = ctx.now();
        let mut ready = 0;
        let mut out = 0;
        let mut oldest: Option<Time> = None;
        let mut dead = 0;
        for q in &mut self.queues {
            for e in q.entries.values_mut() {
                if e.lease.is_some_and(|l| l.until <= now) {
                    e.lease = None;
                }
                if e.lease.is_some() {
                    out += 1;
                } else {
                    ready += 1;
                    oldest = Some(oldest.map_or(e.enqueued, |o| o.min(e.enqueued)));
                }
            }
            dead += q.dead.len();
        }
        self.serve(ctx);
        let expired: Vec<(usize, u64)> = self
            .polls
            .iter()
            .filter(|(_, p)| p.until <= now)
            .map(|(&c, p)| (c, p.poll))
            .collect();
        for (c, poll) in expired {
            self.polls.remove(&c);
            ctx.send(c, Msg::Deliver { poll, msgs: Vec::new() });
        }
        let age = oldest.map_or(0, |o| now.saturating_sub(o).0 / 100_000);
        if self.shown.0 != ready {
            ctx.gauge(metrics::READY, ready as f64);
        }
        if self.shown.1 != out {
            ctx.gauge(metrics::IN_FLIGHT, out as f64);
        }
        if self.shown.2 != age {
            ctx.gauge(metrics::OLDEST, age as f64 / 10.0);
        }
        if self.shown.3 != dead {
            ctx.gauge(metrics::DLQ_DEPTH, dead as f64);
        }
        self.shown = (ready, out, age, dead);
        if let Some(took) = ctx.world().held(now, ready + out) {
            ctx.observe(metrics::DRAIN, took);
            self.drained = Some(took);
            if ctx.logging() {
                ctx.log(format!("the burst has drained, {took} after it began"));
            }
        }
        ctx.set_timer(SWEEP, Timer::Sweep);
    }

    fn view(&self, q: usize) -> QueueView {
        let queue = &self.queues[q];
        let mut v = QueueView::new(QUEUES[q]);
        let label = |id: u64, kind: Kind| match kind {
            Kind::Poison => format!("m{id} poison"),
            Kind::Large => format!("m{id} large"),
            Kind::Normal => format!("m{id}"),
        };
        for e in queue.entries.values() {
            match e.lease {
                Some(l) => v.in_flight.push(QueueLease {
                    message: label(e.id, e.kind),
                    consumer: self.names.get(l.consumer).cloned().unwrap_or_default(),
                    until: l.until,
                    receives: e.receives,
                }),
                None => {
                    v.ready += 1;
                    if v.head.len() < 6 {
                        v.head.push(label(e.id, e.kind));
                    }
                }
            }
        }
        v.oldest = queue
            .entries
            .values()
            .filter(|e| e.lease.is_none())
            .map(|e| e.enqueued)
            .min();
        v.in_flight.sort_by_key(|l| l.until);
        if q == 0 && let Some(t) = self.drained {
            v.note = format!("burst drained in {t}");
        }
        v
    }
}

impl Role<OrderQueueNode> for Broker {
    fn name(&self) -> &str {
        "broker"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        self.shown = (usize::MAX, usize::MAX, u64::MAX, usize::MAX);
        ctx.set_timer(SWEEP, Timer::Sweep);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Publish { id, group, kind } => {
                if self.seen.insert(id) {
                    let now = ctx.now();
                    let to: &[usize] = match self.cfg.mode {
                        Mode::Queue => &[0],
                        Mode::Pubsub => &[1, 2],
                    };
                    for &q in to {
                        self.queues[q].push(id, group, kind, now);
                    }
                    ctx.count(metrics::PUBLISHED, 1);
                }
                ctx.send(from, Msg::Confirm { id });
                self.serve(ctx);
            }
            Msg::Poll { sub, want, poll } => {
                let until = ctx.now() + POLL_WAIT;
                self.polls.insert(
                    from,
                    Poll {
                        sub,
                        want,
                        poll,
                        until,
                    },
                );
                self.serve(ctx);
            }
            Msg::Ack { queue, id, receipt } => {
                let q = usize::from(queue).min(2);
                let fresh = self.queues[q]
                    .seq_of
                    .get(&id)
                    .and_then(|s| self.queues[q].entries.get(s))
                    .and_then(|e| e.lease)
                    .is_some_and(|l| l.receipt == receipt);
                if fresh {
                    self.queues[q].remove(id);
                    ctx.count(metrics::ACKED, 1);
                    let lost = ctx.world().deleted(queue, id);
                    if lost > 0 {
                        ctx.count(metrics::LOST, lost);
                    }
                    self.serve(ctx);
                } else {
                    ctx.count(metrics::STALE, 1);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, timer: Timer) {
        if timer == Timer::Sweep {
            self.sweep(ctx);
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, OrderQueueNode>) {
        self.polls.clear();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, OrderQueueNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let held: usize = self.queues.iter().map(|q| q.entries.len()).sum();
        let dead: usize = self.queues.iter().map(|q| q.dead.len()).sum();
        vec![
            ("role", "broker".into()),
            ("state", format!("{held} held, {dead} dead")),
        ]
    }

    fn queues(&self) -> Vec<QueueView> {
        let mut v = Vec::new();
        let dlq = self.cfg.max_receives.limit().is_some();
        for (q, name) in QUEUES.iter().enumerate() {
            let primary = match self.cfg.mode {
                Mode::Queue => q == 0,
                Mode::Pubsub => q > 0,
            };
            let queue = &self.queues[q];
            if !primary && queue.entries.is_empty() && queue.dead.is_empty() {
                continue;
            }
            v.push(self.view(q));
            if dlq || !queue.dead.is_empty() {
                let mut d = QueueView::new(format!("{name}.dlq"));
                d.dead_letter = true;
                d.ready = queue.dead.len();
                d.head = queue
                    .dead
                    .iter()
                    .rev()
                    .take(6)
                    .map(|e| match e.kind {
                        Kind::Poison => format!("m{} poison ×{}", e.id, e.receives),
                        _ => format!("m{} ×{}", e.id, e.receives),
                    })
                    .collect();
                if !dlq {
                    d.note = "max_receives off: no new ones".into();
                }
                v.push(d);
            }
        }
        v
    }
}

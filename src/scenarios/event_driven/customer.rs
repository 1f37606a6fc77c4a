//! The Customer service: owns the customers' addresses, takes the users'
//! changes, answers consumers' callbacks, and publishes "address changed"
//! to its subscribers, Shipping and Billing.
//!
//! It serves one request at a time (a change's local transaction, 2 ms; a
//! callback, 1 ms), in arrival order. A change is committed when its turn
//! comes, and its event joins the publisher's pending set: with `outbox`
//! on, that set is a table written in the same transaction as the change, so
//! it is durable; with it off, the event is handed to a publisher in memory
//! once the commit is done, and a crash loses whatever it holds (the dual
//! write). Either way the publisher sends each pending event every
//! `relay_every` to every subscriber that has not acknowledged it, again
//! after a second without an acknowledgement, and forgets it when all have:
//! at least once, so consumers ignore versions they already have.

use super::EventDrivenNode;
use super::config::{BATCH, CHANGE_TIME, CUSTOMERS, Config, GET_TIME, RESEND_AFTER, Style};
use super::metrics;
use super::msg::{Event, Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::collections::{BTreeMap, VecDeque};

/// A pending event and the subscribers (a bit per rank) yet to acknowledge it.
#[derive(Clone, Copy, Debug)]
struct Row {
    event: Event,
    missing: u32,
    /// When the publisher last sent it (volatile: `None` after a restart).
    sent: Option<Time>,
}

#[derive(Clone, Copy, Debug)]
enum Work {
    Change { customer: u32 },
    Get { from: usize, customer: u32, call: u64 },
}

#[derive(Clone, Debug)]
pub struct Customer {
    cfg: Config,
    /// Shipping, Billing: the subscribers, by rank.
    subscribers: Vec<usize>,
    /// Durable: each customer's (version, address).
    records: Vec<(u64, u64)>,
    next_event: u64,
    next_address: u64,
    /// The pending set: durable with the outbox, volatile without.
    pending: BTreeMap<u64, Row>,
    queue: VecDeque<Work>,
    busy_until: Time,
    armed: bool,
    commits: u64,
    served: u64,
}

impl Customer {
    pub fn new(cfg: Config, subscribers: Vec<usize>) -> Customer {
        Customer {
            cfg,
            subscribers,
            records: (0..CUSTOMERS).map(|c| (0, u64::from(c))).collect(),
            next_event: 1,
            next_address: u64::from(CUSTOMERS),
            pending: BTreeMap::new(),
            queue: VecDeque::new(),
            busy_until: Time::ZERO,
            armed: false,
            commits: 0,
            served: 0,
        }
    }

    /// Each customer's (version, address), the source of truth.
    pub fn records(&self) -> &[(u64, u64)] {
        &self.records
    }

    /// Events not yet acknowledged by every subscriber.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn all(&self) -> u32 {
        (1u32 << self.subscribers.len()) - 1
    }

    fn next_change(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let u: f64 = ctx.rng().random();
        let wait = -(1.0 - u).ln() / f64::from(self.cfg.changes);
        ctx.set_timer(Time::from_secs_f64(wait), Timer::Change);
    }

    fn pump(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        while !self.armed && !self.queue.is_empty() {
            let now = ctx.now();
            if now < self.busy_until {
                self.armed = true;
                ctx.set_timer(self.busy_until - now, Timer::Serve);
            } else if let Some(work) = self.queue.pop_front() {
                self.serve(ctx, work);
            }
        }
        ctx.gauge(metrics::QUEUE, self.queue.len() as f64);
    }

    fn serve(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, work: Work) {
        let now = ctx.now();
        match work {
            Work::Change { customer } => {
                self.busy_until = now + CHANGE_TIME;
                self.commit(ctx, customer);
            }
            Work::Get {
                from,
                customer,
                call,
            } => {
                self.busy_until = now + GET_TIME;
                self.served += 1;
                ctx.count(metrics::SERVED, 1);
                let (version, address) = self.records[customer as usize];
                ctx.send(
                    from,
                    Msg::Record {
                        customer,
                        call,
                        version,
                        address,
                    },
                );
            }
        }
    }

    /// The local transaction of a change: the new record, and with the
    /// outbox its event in the same commit. Without it the event is handed to
    /// the publisher in memory just after.
    fn commit(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, customer: u32) {
        let record = &mut self.records[customer as usize];
        record.0 += 1;
        record.1 = self.next_address;
        self.next_address += 1;
        let (version, address) = *record;
        self.commits += 1;
        ctx.count(metrics::COMMITTED, 1);
        let now = ctx.now();
        ctx.world().committed(customer, version, now);
        let event = Event {
            id: self.next_event,
            customer,
            version,
            address: (self.cfg.style == Style::StateTransfer).then_some(address),
        };
        self.next_event += 1;
        let missing = self.all();
        self.pending.insert(
            event.id,
            Row {
                event,
                missing,
                sent: None,
            },
        );
        self.gauges(ctx);
    }

    fn gauges(&self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let (outbox, memory) = if self.cfg.outbox {
            (self.pending.len(), 0)
        } else {
            (0, self.pending.len())
        };
        ctx.gauge(metrics::BACKLOG, outbox as f64);
        ctx.gauge(metrics::IN_MEMORY, memory as f64);
    }

    /// Sends each pending event not sent yet, or sent a second ago and not
    /// acknowledged, to the subscribers that miss it, oldest first.
    fn flush(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let now = ctx.now();
        let mut batches: Vec<Vec<Event>> = vec![Vec::new(); self.subscribers.len()];
        let mut resent = 0;
        for row in self.pending.values_mut() {
            let due = row.sent.is_none_or(|t| now.saturating_sub(t) >= RESEND_AFTER);
            if !due {
                continue;
            }
            let mut any = false;
            for (rank, batch) in batches.iter_mut().enumerate() {
                if row.missing & (1 << rank) != 0 && batch.len() < BATCH {
                    batch.push(row.event);
                    any = true;
                }
            }
            if any {
                if row.sent.is_some() {
                    resent += 1;
                }
                row.sent = Some(now);
            }
        }
        let mut sent = 0;
        for (rank, events) in batches.into_iter().enumerate() {
            if !events.is_empty() {
                sent += events.len() as u64;
                ctx.send(self.subscribers[rank], Msg::Events { events });
            }
        }
        ctx.count(metrics::SENT, sent);
        ctx.count(metrics::RESENT, resent);
        let every = self.cfg.relay_every;
        ctx.set_timer(every, Timer::Flush);
    }

    fn acked(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, from: usize, ids: &[u64]) {
        let Some(rank) = self.subscribers.iter().position(|&s| s == from) else {
            return;
        };
        for id in ids {
            if let Some(row) = self.pending.get_mut(id) {
                row.missing &= !(1 << rank);
                if row.missing == 0 {
                    self.pending.remove(id);
                }
            }
        }
        self.gauges(ctx);
    }
}

impl Role<EventDrivenNode> for Customer {
    fn name(&self) -> &str {
        "customer"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let consumers = self.subscribers.len();
        ctx.world().init(CUSTOMERS, consumers);
        self.gauges(ctx);
        ctx.gauge(metrics::QUEUE, 0.0);
        self.next_change(ctx);
        // The publisher's first round comes at a random point of its period,
        // as a real one's would: nothing ties it to the instant of a crash.
        let every = self.cfg.relay_every.as_micros();
        let first = ctx.rng().random_range(0..=every);
        ctx.set_timer(Time::micros(first), Timer::Flush);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Get { customer, call } => {
                self.queue.push_back(Work::Get {
                    from,
                    customer,
                    call,
                });
                self.pump(ctx);
            }
            Msg::Ack { ids } => self.acked(ctx, from, &ids),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, timer: Timer) {
        match timer {
            Timer::Change => {
                let customer = ctx.rng().random_range(0..CUSTOMERS);
                self.queue.push_back(Work::Change { customer });
                self.pump(ctx);
                self.next_change(ctx);
            }
            Timer::Serve => {
                if ctx.now() < self.busy_until {
                    return;
                }
                self.armed = false;
                self.pump(ctx);
            }
            Timer::Flush => self.flush(ctx),
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        self.queue.clear();
        self.busy_until = Time::ZERO;
        self.armed = false;
        if self.cfg.outbox {
            // The outbox is a table: it stays; only the relay's memory of
            // what it sent when goes.
            for row in self.pending.values_mut() {
                row.sent = None;
            }
        } else {
            let now = ctx.now();
            for row in std::mem::take(&mut self.pending).into_values() {
                ctx.world().orphaned(row.event.id, row.missing, now);
            }
        }
        self.gauges(ctx);
        ctx.gauge(metrics::QUEUE, 0.0);
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        self.gauges(ctx);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let where_ = if self.cfg.outbox { "outbox" } else { "memory" };
        vec![
            ("role", "customer".into()),
            ("pending", format!("{} in {where_}", self.pending.len())),
            ("doing", format!("{} changes, {} calls", self.commits, self.served)),
        ]
    }
}

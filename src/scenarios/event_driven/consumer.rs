//! What Shipping and Billing share as consumers of "address changed": a
//! local view of every customer's record, events applied to it or turned
//! into callbacks, the callbacks themselves with their timeouts and
//! retries, and the acknowledgements that let Customer forget an event.
//!
//! A fat event (state transfer) is applied to the replica if its version is
//! newer than the replica's, and ignored otherwise: that is the de-duplication
//! an at-least-once relay needs, and it also puts reordered events right. A
//! thin event (notification) is recorded as a callback owed, then
//! acknowledged; the callback asks Customer for the record, with a 500 ms
//! timeout (checked every tick, about 100 ms) and retries backing off
//! from 250 ms to 4 s. The replica and the
//! callbacks owed are durable (the consumer's own database); calls in flight
//! are not.

use super::EventDrivenNode;
use super::config::{BACKOFF_BASE, BACKOFF_CAP, CALL_TIMEOUT, CUSTOMERS, TICK};
use super::metrics;
use super::msg::{Event, Msg, Timer};
use crate::sim::{Ctx, Time};
use rand::RngExt;
use std::collections::BTreeMap;

/// Why a consumer calls Customer back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A notification said the record changed.
    Fetch,
    /// Shipping needs the address for this order.
    Order(u64),
}

#[derive(Clone, Copy, Debug)]
struct Call {
    customer: u32,
    purpose: Purpose,
    attempts: u32,
    /// When the attempt in flight times out; `None` while waiting to retry.
    deadline: Option<Time>,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    /// This consumer's bit in Customer's pending rows, and its place in the judge.
    pub rank: usize,
    customer: usize,
    /// Durable: each customer's (version, address) as this consumer knows it.
    replica: Vec<(u64, u64)>,
    /// Durable: customers with a notification whose callback has not been
    /// answered yet, with the version the notification announced.
    owed: BTreeMap<u32, u64>,
    /// Volatile: callbacks in flight or waiting to be retried.
    calls: BTreeMap<u64, Call>,
    next_call: u64,
    pub applied: u64,
    pub duplicates: u64,
}

impl Consumer {
    pub fn new(rank: usize, customer: usize) -> Consumer {
        Consumer {
            rank,
            customer,
            replica: (0..CUSTOMERS).map(|c| (0, u64::from(c))).collect(),
            owed: BTreeMap::new(),
            calls: BTreeMap::new(),
            next_call: 1,
            applied: 0,
            duplicates: 0,
        }
    }

    pub fn replica(&self) -> &[(u64, u64)] {
        &self.replica
    }

    pub fn record(&self, customer: u32) -> (u64, u64) {
        self.replica[customer as usize]
    }

    pub fn owed(&self) -> usize {
        self.owed.len()
    }

    pub fn calls(&self) -> usize {
        self.calls.len()
    }

    /// Learns `version` of `customer` with `address`, if it is newer.
    fn learn(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, customer: u32, version: u64, address: u64) -> bool {
        let r = &mut self.replica[customer as usize];
        if version <= r.0 {
            return false;
        }
        *r = (version, address);
        let rank = self.rank;
        ctx.world().learned(rank, customer, version);
        true
    }

    /// A batch of events: applies the fat ones, owes a callback for each thin
    /// one, then acknowledges them all.
    pub fn on_events(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, events: Vec<Event>) {
        let mut ids = Vec::with_capacity(events.len());
        let mut dups = 0;
        for e in events {
            ids.push(e.id);
            let rank = self.rank;
            ctx.world().received(rank, e.id);
            let known = self.replica[e.customer as usize].0;
            let owed = self.owed.get(&e.customer).copied().unwrap_or(0);
            if e.version <= known.max(owed) {
                dups += 1;
                continue;
            }
            match e.address {
                Some(address) => {
                    self.learn(ctx, e.customer, e.version, address);
                    self.applied += 1;
                    if owed <= e.version {
                        self.owed.remove(&e.customer);
                    }
                }
                None => {
                    let first = self.owed.insert(e.customer, e.version).is_none();
                    if first {
                        self.call(ctx, e.customer, Purpose::Fetch);
                    }
                }
            }
        }
        self.duplicates += dups;
        ctx.count(metrics::DUPLICATE, dups);
        ctx.send(self.customer, Msg::Ack { ids });
    }

    /// Calls Customer back for `customer`'s record.
    pub fn call(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, customer: u32, purpose: Purpose) {
        let call = self.next_call;
        self.next_call += 1;
        self.calls.insert(
            call,
            Call {
                customer,
                purpose,
                attempts: 0,
                deadline: None,
            },
        );
        self.send(ctx, call);
    }

    fn send(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, call: u64) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        c.attempts += 1;
        let customer = c.customer;
        c.deadline = Some(ctx.now() + CALL_TIMEOUT);
        ctx.count(metrics::CALLS, 1);
        ctx.send(self.customer, Msg::Get { customer, call });
    }

    /// A callback's retry is due.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, timer: &Timer) {
        if let Timer::Retry { call } = *timer {
            self.send(ctx, call);
        }
    }

    /// Gives up on the attempts whose answer is overdue and sets their
    /// retries. (Checked at each tick rather than with a timer per call: the
    /// same timeout, to within a tick, at a fraction of the events.)
    fn time_out(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let now = ctx.now();
        let mut retries = Vec::new();
        for (&call, c) in self.calls.iter_mut() {
            if c.deadline.is_some_and(|d| d <= now) {
                c.deadline = None;
                retries.push((call, c.attempts));
            }
        }
        for (call, attempts) in retries {
            let exp = BACKOFF_BASE.as_micros() << (attempts - 1).min(8);
            let cap = exp.min(BACKOFF_CAP.as_micros());
            let half = cap / 2;
            let wait = half + ctx.rng().random_range(0..=half);
            ctx.set_timer(Time::micros(wait), Timer::Retry { call });
        }
    }

    /// Customer's answer to a callback: learns the record and says what the
    /// call was for, with the version and address, if it was still open.
    pub fn on_record(
        &mut self,
        ctx: &mut Ctx<'_, EventDrivenNode>,
        customer: u32,
        call: u64,
        version: u64,
        address: u64,
    ) -> Option<(Purpose, u64, u64)> {
        self.learn(ctx, customer, version, address);
        if self.owed.get(&customer).is_some_and(|&v| v <= version) {
            self.owed.remove(&customer);
        }
        let c = self.calls.remove(&call)?;
        if c.purpose == Purpose::Fetch && self.owed.contains_key(&customer) {
            // A newer notification came meanwhile: fetch again.
            self.call(ctx, customer, Purpose::Fetch);
        }
        Some((c.purpose, version, address))
    }

    /// Restarted: calls back again for every notification still owed.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let owed: Vec<u32> = self.owed.keys().copied().collect();
        for customer in owed {
            self.call(ctx, customer, Purpose::Fetch);
        }
    }

    pub fn on_crash(&mut self) {
        self.calls.clear();
    }

    /// Sets the next staleness measurement: every 100 ms on average, at a
    /// random phase, so that it does not beat against the publisher's rounds.
    pub fn next_tick(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let t = TICK.as_micros();
        let wait = ctx.rng().random_range(t / 2..=t + t / 2);
        ctx.set_timer(Time::micros(wait), Timer::Tick);
    }

    /// Measures staleness, and lets the judge count events no copy of which
    /// can still arrive.
    pub fn tick(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, metric: &str) {
        self.time_out(ctx);
        let now = ctx.now();
        let rank = self.rank;
        let stale = ctx.world().staleness(rank, now);
        ctx.observe(metric, stale);
        let lost = ctx.world().settle(now);
        if lost > 0 {
            ctx.count(metrics::LOST, lost);
            if ctx.logging() {
                ctx.log(format!("{lost} event(s) lost in Customer's crash: never published"));
            }
        }
    }
}

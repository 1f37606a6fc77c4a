//! The payment API: the shop's server. For each payment it creates an
//! order, charges the card through the processor, records the outcome in
//! its database (a write that takes `DB_TIME`) and answers; a paid order is
//! then shipped by the warehouse. The order moves created → charged →
//! recorded → shipped.
//!
//! Its database (orders, keys, shipments owed) is durable; what it is doing
//! right now (calls out to the processor, writes not yet done, who waits for
//! an answer) is not. A crash between "charged" and "recorded" therefore
//! leaves a charged card and an order that says `created`.
//!
//! - `none`: every request is a new order and a new charge.
//! - `keys`: a request whose key has a saved response gets that response
//!   again (`Idempotent-Replayed`), and one that reuses a key with other
//!   parameters is refused (422). The key and its response are written with
//!   the record, after the charge: a retry that arrives while the first is
//!   still at work, or after a crash between charge and record, finds no key
//!   and charges again. A processor that does not answer in time makes the
//!   API record a 502 and save it, although the card may have been charged.
//! - `keys-atomic`: Brandur Leach's design. The key is inserted in the same
//!   transaction as the order, at recovery point `started`; a request that
//!   finds its key at work gets a 409. The processor is called with a key of
//!   its own (the order), so calling it again is safe, and the record, the
//!   response and recovery point `finished` are one transaction. Whoever
//!   finds a key at `started` and nobody working on it (a retry, or the API's
//!   sweep, the "completer") carries on from there. A processor that does not
//!   answer makes it answer 503 and leave the key at `started`, unsaved.

use super::ChargeOnceNode;
use super::config::{Config, DB_TIME, Idempotency, PROCESSOR_TIMEOUT, SWEEP_EVERY};
use super::metrics;
use super::msg::{Body, Msg, Timer, status};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use crate::scenarios::tables::{IdMap, SeqMap};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Where an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Created,
    /// The processor charged it; the record is being written.
    Charged(u64),
    Recorded,
    Shipped,
    /// Recorded with this error status.
    Failed(u16),
}

#[derive(Clone, Copy, Debug)]
pub struct Order {
    pub purchase: u64,
    pub amount: u32,
    pub key: Option<u64>,
    pub stage: Stage,
}

/// Where the work behind a key is (Brandur's recovery points).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// The order exists; whether the card is charged is the processor's to
    /// say, and asking it again is safe.
    Started,
    /// Recorded and answered: the response is saved.
    Finished,
}

#[derive(Clone, Copy, Debug)]
pub struct KeyRecord {
    pub purchase: u64,
    pub amount: u32,
    pub created: Time,
    pub order: u64,
    pub point: Point,
    pub response: Option<(u16, Body)>,
}

/// A request being worked on: who waits for its answer, and the call out
/// to the processor.
#[derive(Clone, Debug)]
struct Work {
    waiters: Vec<(usize, u64, u32)>,
    call: u32,
}

#[derive(Clone, Debug)]
pub struct Api {
    cfg: Config,
    processor: usize,
    warehouse: usize,
    /// Durable: the database. (Orders shipped or failed are done and leave
    /// the table the API works from.)
    orders: SeqMap<Order>,
    keys: IdMap<KeyRecord>,
    /// Keys in order of creation, for expiry.
    by_age: VecDeque<(Time, u64)>,
    /// Orders at `created` under keys-atomic, which someone must finish.
    unfinished: BTreeSet<u64>,
    /// Paid orders the warehouse has not confirmed, and when each was last
    /// sent.
    to_ship: BTreeMap<u64, Time>,
    next_order: u64,
    next_call: u32,
    /// Counts of orders per stage, for the gauges.
    created: u64,
    charged: u64,
    recorded: u64,
    /// The values the gauges were last set to.
    shown: [Option<u64>; 4],
    /// Volatile.
    work: BTreeMap<u64, Work>,
    charging: BTreeSet<u64>,
    ids: Option<metrics::Ids>,
}

fn body(order: u64, amount: u32, charge: Option<u64>, error: &'static str) -> Body {
    Body {
        order,
        charge,
        amount,
        error,
    }
}

impl Api {
    pub fn new(cfg: Config, processor: usize, warehouse: usize) -> Api {
        Api {
            cfg,
            processor,
            warehouse,
            orders: SeqMap::default(),
            keys: IdMap::default(),
            by_age: VecDeque::new(),
            unfinished: BTreeSet::new(),
            to_ship: BTreeMap::new(),
            next_order: 1,
            next_call: 1,
            created: 0,
            charged: 0,
            recorded: 0,
            shown: [None; 4],
            work: BTreeMap::new(),
            charging: BTreeSet::new(),
            ids: None,
        }
    }

    pub fn orders(&self) -> &SeqMap<Order> {
        &self.orders
    }

    pub fn keys(&self) -> &IdMap<KeyRecord> {
        &self.keys
    }

    fn atomic(&self) -> bool {
        self.cfg.idempotency == Idempotency::KeysAtomic
    }

    /// Sets the gauges that changed since they were last set.
    fn ids(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) -> metrics::Ids {
        *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx))
    }

    fn gauges(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        let now = [
            self.created,
            self.charged,
            self.recorded,
            self.keys.len() as u64,
        ];
        let ids = self.ids(ctx);
        for ((shown, value), id) in self.shown.iter_mut().zip(now).zip(ids.stages) {
            if *shown != Some(value) {
                *shown = Some(value);
                ctx.gauge_id(id, value as f64);
            }
        }
    }

    /// Moves `order` to `stage`, keeping the counts.
    fn set_stage(&mut self, order: u64, stage: Stage) {
        let Some(o) = self.orders.get_mut(&order) else {
            return;
        };
        for (s, by) in [(o.stage, -1i64), (stage, 1)] {
            let n = match s {
                Stage::Created => &mut self.created,
                Stage::Charged(_) => &mut self.charged,
                Stage::Recorded => &mut self.recorded,
                _ => continue,
            };
            *n = n.saturating_add_signed(by);
        }
        o.stage = stage;
        if matches!(stage, Stage::Charged(_)) {
            self.charging.insert(order);
        } else {
            self.charging.remove(&order);
        }
    }

    fn reply(
        ctx: &mut Ctx<'_, ChargeOnceNode>,
        (to, purchase, attempt): (usize, u64, u32),
        (code, body): (u16, Body),
        replayed: bool,
    ) {
        ctx.send(
            to,
            Msg::Reply {
                purchase,
                attempt,
                status: code,
                body,
                replayed,
            },
        );
    }

    /// The key `key`, if it is there and has not expired.
    fn live_key(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, key: u64) -> Option<KeyRecord> {
        let rec = *self.keys.get(&key)?;
        // A key whose work is not finished is kept until it is.
        if rec.point == Point::Finished && ctx.now() >= rec.created + self.cfg.key_ttl {
            self.expire(ctx, key);
            return None;
        }
        Some(rec)
    }

    fn expire(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, key: u64) {
        if let Some(rec) = self.keys.remove(&key) {
            self.unfinished.remove(&rec.order);
            ctx.count(metrics::EXPIRED, 1);
        }
    }

    fn pay(
        &mut self,
        ctx: &mut Ctx<'_, ChargeOnceNode>,
        waiter: (usize, u64, u32),
        key: u64,
        amount: u32,
    ) {
        let purchase = waiter.1;
        if self.cfg.idempotency != Idempotency::None
            && let Some(rec) = self.live_key(ctx, key)
        {
            if (rec.purchase, rec.amount) != (purchase, amount) {
                ctx.count(metrics::REFUSED, 1);
                let b = body(0, amount, None, "idempotency_key_reused");
                Self::reply(ctx, waiter, (status::MISMATCH, b), false);
                return;
            }
            if let Some(response) = rec.response {
                ctx.count(metrics::REPLAYED, 1);
                Self::reply(ctx, waiter, response, true);
                return;
            }
            // At `started`: someone works on it (409), or nobody does any
            // more and this request carries on from the recovery point.
            if self.work.contains_key(&rec.order) {
                ctx.count(metrics::CONFLICT, 1);
                let b = body(rec.order, amount, None, "request_in_progress");
                Self::reply(ctx, waiter, (status::CONFLICT, b), false);
                return;
            }
            self.resume(ctx, rec.order, Some(waiter));
            return;
        }
        let order = self.next_order;
        self.next_order += 1;
        let keyed = self.cfg.idempotency != Idempotency::None;
        self.orders.insert(
            order,
            Order {
                purchase,
                amount,
                key: keyed.then_some(key),
                stage: Stage::Created,
            },
        );
        self.created += 1;
        if self.atomic() {
            // One transaction: the order and the key at `started`.
            let now = ctx.now();
            self.keys.insert(
                key,
                KeyRecord {
                    purchase,
                    amount,
                    created: now,
                    order,
                    point: Point::Started,
                    response: None,
                },
            );
            self.by_age.push_back((now, key));
            {
 let ids = self.ids(ctx);
 ctx.count_id(ids.keys_saved, 1);
}
            self.unfinished.insert(order);
        }
        self.call(ctx, order, vec![waiter]);
        self.gauges(ctx);
    }

    /// Picks order `order` up again from recovery point `started`.
    fn resume(
        &mut self,
        ctx: &mut Ctx<'_, ChargeOnceNode>,
        order: u64,
        waiter: Option<(usize, u64, u32)>,
    ) {
        ctx.count(metrics::RESUMED, 1);
        self.call(ctx, order, waiter.into_iter().collect());
    }

    /// Calls the processor for `order`.
    fn call(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, order: u64, waiters: Vec<(usize, u64, u32)>) {
        let Some(o) = self.orders.get(&order).copied() else {
            return;
        };
        let call = self.next_call;
        self.next_call += 1;
        self.work.insert(order, Work { waiters, call });
        let idem = self.atomic().then_some(order);
        ctx.send(
            self.processor,
            Msg::Charge {
                order,
                idem,
                amount: o.amount,
                call,
                purchase: o.purchase,
            },
        );
        ctx.set_timer(PROCESSOR_TIMEOUT, Timer::ProcessorTimeout { order, call });
    }

    fn charge_reply(
        &mut self,
        ctx: &mut Ctx<'_, ChargeOnceNode>,
        order: u64,
        call: u32,
        charge: Option<u64>,
    ) {
        let Some(o) = self.orders.get(&order).copied() else {
            return;
        };
        let fresh =
            o.stage == Stage::Created && self.work.get(&order).is_some_and(|w| w.call == call);
        // A repeated transition (a duplicated answer, an answer after the
        // order moved on) is a no-op under the state machine.
        let repeat = o.stage != Stage::Created && !self.cfg.state_machine;
        if !fresh && !repeat {
            return;
        }
        let code = match charge {
            Some(c) => {
                self.set_stage(order, Stage::Charged(c));
                status::OK
            }
            None => status::DECLINED,
        };
        ctx.set_timer(
            DB_TIME,
            Timer::Recorded {
                order,
                status: code,
                charge,
            },
        );
        self.gauges(ctx);
    }

    /// The database write of order `order`'s outcome is done.
    fn recorded(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, order: u64, code: u16, charge: Option<u64>) {
        let Some(o) = self.orders.get(&order).copied() else {
            return;
        };
        let error = match code {
            status::OK => "",
            status::DECLINED => "card_declined",
            _ => "processor_unavailable",
        };
        let response = (code, body(order, o.amount, charge, error));
        if code == status::OK {
            self.set_stage(order, Stage::Recorded);
        } else {
            self.set_stage(order, Stage::Failed(code));
            if code != status::DECLINED && ctx.world().order_failed(order) > 0 {
                ctx.count(metrics::LOST, 1);
            }
        }
        if let Some(key) = o.key {
            match self.cfg.idempotency {
                Idempotency::KeysAtomic => {
                    if let Some(rec) = self.keys.get_mut(&key)
                        && rec.order == order
                    {
                        rec.point = Point::Finished;
                        rec.response = Some(response);
                    }
                    self.unfinished.remove(&order);
                }
                _ => {
                    let now = ctx.now();
                    if !self.keys.contains_key(&key) {
                        self.keys.insert(key, KeyRecord {
                            purchase: o.purchase,
                            amount: o.amount,
                            created: now,
                            order,
                            point: Point::Finished,
                            response: Some(response),
                        },
                        );
                        self.by_age.push_back((now, key));
                        {
 let ids = self.ids(ctx);
 ctx.count_id(ids.keys_saved, 1);
}
                    }
                }
            }
        }
        for w in self.work.remove(&order).map(|w| w.waiters).unwrap_or_default() {
            Self::reply(ctx, w, response, false);
        }
        if code != status::OK {
            // Done: the order leaves the table the API works from.
            self.orders.remove(&order);
        } else {
            self.to_ship.insert(order, ctx.now());
            ctx.send(
                self.warehouse,
                Msg::Ship {
                    order,
                    purchase: o.purchase,
                },
            );
        }
        self.gauges(ctx);
    }

    fn processor_timeout(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, order: u64, call: u32) {
        if self.work.get(&order).is_none_or(|w| w.call != call)
            || self.orders.get(&order).is_none_or(|o| o.stage != Stage::Created)
        {
            return;
        }
        if self.atomic() {
            // Unknown outcome: leave the key at `started`, save nothing.
            let amount = self.orders[&order].amount;
            let b = body(order, amount, None, "processor_unavailable");
            for w in self.work.remove(&order).map(|w| w.waiters).unwrap_or_default() {
                Self::reply(ctx, w, (status::UNAVAILABLE, b), false);
            }
        } else {
            // The naive API gives up on the charge and records a failure; a
            // late answer from the processor is no longer listened to.
            if let Some(w) = self.work.get_mut(&order) {
                w.call = 0;
            }
            ctx.set_timer(
                DB_TIME,
                Timer::Recorded {
                    order,
                    status: status::BAD_GATEWAY,
                    charge: None,
                },
            );
        }
    }

    fn sweep(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        let now = ctx.now();
        for (&order, sent) in self.to_ship.iter_mut() {
            if now >= *sent + SWEEP_EVERY
                && let Some(o) = self.orders.get(&order)
            {
                *sent = now;
                let purchase = o.purchase;
                ctx.send(self.warehouse, Msg::Ship { order, purchase });
            }
        }
        let mut unfinished = Vec::new();
        while let Some(&(created, key)) = self.by_age.front() {
            if now < created + self.cfg.key_ttl {
                break;
            }
            self.by_age.pop_front();
            match self.keys.get(&key) {
                Some(r) if r.created == created && r.point == Point::Started => {
                    unfinished.push((created, key));
                }
                Some(r) if r.created == created => self.expire(ctx, key),
                _ => {}
            }
        }
        // Looked at again next time.
        self.by_age.extend(unfinished);
        if self.atomic() {
            let idle: Vec<u64> = self
                .unfinished
                .iter()
                .copied()
                .filter(|o| !self.work.contains_key(o))
                .collect();
            for order in idle {
                self.resume(ctx, order, None);
            }
        }
        self.gauges(ctx);
        ctx.set_timer(SWEEP_EVERY, Timer::Sweep);
    }
}

impl Role<ChargeOnceNode> for Api {
    fn name(&self) -> &str {
        "api"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        self.shown = [None; 4];
        self.gauges(ctx);
        ctx.set_timer(SWEEP_EVERY, Timer::Sweep);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Pay {
                key,
                purchase,
                amount,
                attempt,
            } => self.pay(ctx, (from, purchase, attempt), key, amount),
            Msg::ChargeReply {
                order,
                call,
                charge,
            } => self.charge_reply(ctx, order, call, charge),
            Msg::Shipped { order, .. } if self.to_ship.remove(&order).is_some() => {
                if self
                    .orders
                    .get(&order)
                    .is_some_and(|o| o.stage == Stage::Recorded)
                {
                    self.set_stage(order, Stage::Shipped);
                    // Done: the order leaves the table the API works from.
                    self.orders.remove(&order);
                }
                let ids = self.ids(ctx);
                ctx.count_id(ids.shipped, 1);
                self.gauges(ctx);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, timer: Timer) {
        match timer {
            Timer::Recorded {
                order,
                status,
                charge,
            } => self.recorded(ctx, order, status, charge),
            Timer::ProcessorTimeout { order, call } => self.processor_timeout(ctx, order, call),
            Timer::Sweep => self.sweep(ctx),
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>) {
        // A charge not yet recorded is forgotten: the database still says
        // `created`. So is a failure not yet recorded.
        self.work.clear();
        let charging: Vec<u64> = std::mem::take(&mut self.charging).into_iter().collect();
        for order in charging {
            self.set_stage(order, Stage::Created);
        }
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "api".into()),
            (
                "doing",
                format!("{} keys · {} at work", self.keys.len(), self.work.len()),
            ),
        ]
    }
}

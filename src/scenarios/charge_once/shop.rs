//! The shop: the API's client. It starts `rate` purchases a second, each
//! with an idempotency key of its own making, and sends each to the API,
//! waiting `TIMEOUT` for an answer. After a timeout, a 409 or a 5xx it
//! retries with the same key and the same parameters, after a backoff, up to
//! `retries` times, then gives up. A timeout tells it nothing about what
//! happened: the request may be lost, the API slow or down, or the answer
//! lost. Its purchases are durable (a restarted shop carries on retrying);
//! its timers are not.

use super::ChargeOnceNode;
use super::config::{BACKOFF_BASE, BACKOFF_CAP, Config, TIMEOUT};
use super::metrics;
use super::msg::{Msg, Timer, status};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::collections::BTreeMap;

/// A purchase the shop is paying for.
#[derive(Clone, Copy, Debug)]
pub struct Purchase {
    pub key: u64,
    pub amount: u32,
    /// Attempts sent so far.
    pub attempts: u32,
    pub started: Time,
    /// Whether an attempt is out, waiting for its answer or its timeout.
    pub waiting: bool,
}

#[derive(Clone, Debug)]
pub struct Shop {
    cfg: Config,
    api: usize,
    /// Durable: purchase numbers stay unique across crashes.
    next: u64,
    /// Durable: purchases not yet settled.
    open: BTreeMap<u64, Purchase>,
    paid: u64,
    failed: u64,
    abandoned: u64,
    /// Whether the next retry sends a different amount under the same key
    /// (the `tamper` command: a shop bug the API must refuse).
    tamper: bool,
    ids: Option<metrics::Ids>,
}

impl Shop {
    pub fn new(cfg: Config, api: usize) -> Shop {
        Shop {
            cfg,
            api,
            next: 1,
            open: BTreeMap::new(),
            paid: 0,
            failed: 0,
            abandoned: 0,
            tamper: false,
            ids: None,
        }
    }

    pub fn open(&self) -> usize {
        self.open.len()
    }

    pub fn paid(&self) -> u64 {
        self.paid
    }

    fn ids(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) -> metrics::Ids {
        *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx))
    }

    fn send(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, purchase: u64) {
        let ids = self.ids(ctx);
        let tamper = self.tamper;
        let Some(p) = self.open.get_mut(&purchase) else {
            return;
        };
        p.attempts += 1;
        p.waiting = true;
        let attempt = p.attempts;
        let mut amount = p.amount;
        if attempt > 1 && tamper {
            amount += 1;
            self.tamper = false;
        }
        ctx.count_id(ids.requests, 1);
        if attempt > 1 {
            ctx.count_id(ids.retries, 1);
        }
        ctx.send(
            self.api,
            Msg::Pay {
                key: p.key,
                purchase,
                amount,
                attempt,
            },
        );
        ctx.set_timer(TIMEOUT, Timer::Timeout { purchase, attempt });
    }

    /// Retries after a backoff, or gives up.
    fn again(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, purchase: u64) {
        let Some(p) = self.open.get_mut(&purchase) else {
            return;
        };
        p.waiting = false;
        if p.attempts > self.cfg.retries {
            self.open.remove(&purchase);
            self.abandoned += 1;
            ctx.count(metrics::ABANDONED, 1);
            return;
        }
        let exp = BACKOFF_BASE.as_micros() << (p.attempts - 1).min(8);
        let cap = exp.min(BACKOFF_CAP.as_micros());
        let half = cap / 2;
        let wait = half + ctx.rng().random_range(0..=half);
        ctx.set_timer(Time(wait), Timer::Retry { purchase });
    }

    fn settle(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, purchase: u64, code: u16) {
        let ids = self.ids(ctx);
        let Some(p) = self.open.remove(&purchase) else {
            return;
        };
        ctx.observe_id(ids.latency, ctx.now() - p.started);
        if code == status::OK {
            self.paid += 1;
            ctx.count_id(ids.paid, 1);
        } else {
            self.failed += 1;
            ctx.count(metrics::DECLINED, 1);
        }
    }

    fn arrive(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        let id = self.next;
        self.next += 1;
        let key = ctx.rng().random::<u64>() >> 16;
        let amount = ctx.rng().random_range(5..=120);
        self.open.insert(
            id,
            Purchase {
                key,
                amount,
                attempts: 0,
                started: ctx.now(),
                waiting: false,
            },
        );
        self.send(ctx, id);
    }

    fn arm(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        let every = 1_000_000 / u64::from(self.cfg.rate.max(1));
        ctx.set_timer(Time(every), Timer::Arrive);
    }
}

impl Role<ChargeOnceNode> for Shop {
    fn name(&self) -> &str {
        "shop"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>) {
        // Purchases open before a crash are retried, as after a timeout.
        let open: Vec<u64> = self.open.keys().copied().collect();
        for purchase in open {
            self.again(ctx, purchase);
        }
        self.arm(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, _from: usize, msg: Msg) {
        let Msg::Reply {
            purchase,
            attempt,
            status: code,
            body,
            replayed: _,
        } = msg
        else {
            return;
        };
        if status::is_final(code) {
            let (mismatched, lost) = ctx.world().answered(purchase, code, body);
            if mismatched > 0 {
                ctx.count(metrics::MISMATCHED, mismatched);
            }
            if lost > 0 {
                ctx.count(metrics::LOST, lost);
            }
            if mismatched > 0 && ctx.logging() {
                ctx.log(format!(
                    "purchase p{purchase}: answer {code} (order o{}) differs from the first",
                    body.order
                ));
            }
        }
        let Some(p) = self.open.get(&purchase) else {
            return;
        };
        if !p.waiting || p.attempts != attempt {
            return; // a late or duplicated answer to an earlier attempt
        }
        match code {
            status::OK | status::DECLINED | status::MISMATCH => self.settle(ctx, purchase, code),
            _ => self.again(ctx, purchase),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, timer: Timer) {
        match timer {
            Timer::Arrive => {
                self.arrive(ctx);
                self.arm(ctx);
            }
            Timer::Timeout { purchase, attempt }
                if self
                    .open
                    .get(&purchase)
                    .is_some_and(|p| p.waiting && p.attempts == attempt) =>
            {
                self.again(ctx, purchase);
            }
            Timer::Retry { purchase } => self.send(ctx, purchase),
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>) {
        self.tamper = false;
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn on_command(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>, command: &str) {
        if command == "tamper" {
            self.tamper = true;
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "shop".into()),
            (
                "doing",
                format!("{} open · {} paid", self.open.len(), self.paid),
            ),
        ]
    }
}

//! The three layers that retry: `users` (who send requests at `load` a
//! second), `front` and `service`. Each calls the next one down (users →
//! front → service → database) and retries a failed call by its own rules:
//! `retries`, `backoff`, `retry_on`, `retry_budget` (gRPC retry throttling),
//! `throttle` (SRE adaptive throttling) and, when `deadline` is on, the
//! deadline the user's request carries down the chain.
//!
//! Without deadlines each attempt waits `timeout` and a layer never learns
//! that its caller has given up, so work goes on below for callers long gone.

use super::RetryNode;
use super::backoff::Sleeper;
use super::config::{Config, RetryOn};
use super::guard::{RetryBudget, Throttle};
use super::metrics;
use super::msg::{Kind, Msg, Outcome, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time, TimerId};
use rand::RngExt;
use rand_distr::{Distribution, Exp};
use std::collections::BTreeMap;

/// Which of the three retrying layers a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Users,
    Front,
    Service,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Users => "users",
            Tier::Front => "front",
            Tier::Service => "service",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Share of user requests that are orders (not idempotent) and malformed.
pub const ORDERS: f64 = 0.08;
pub const BAD: f64 = 0.02;

#[derive(Clone, Debug)]
struct Task {
    origin: u64,
    /// Who asked, and their attempt's id (none for a user's own request).
    caller: Option<(usize, u64)>,
    kind: Kind,
    deadline: Option<Time>,
    started: Time,
    attempts: u32,
    current: Option<u64>,
    timer: Option<TimerId>,
    sleeper: Sleeper,
    sleeping: bool,
}

/// Why an attempt failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    Timeout,
    Answer(Outcome),
}

#[derive(Clone, Debug)]
pub struct Layer {
    tier: Tier,
    cfg: Config,
    below: usize,
    tasks: BTreeMap<u64, Task>,
    attempt_of: BTreeMap<u64, u64>,
    /// Durable: ids are never reused, so a late answer to an attempt made
    /// before a crash is not taken for a new one's.
    next_id: u64,
    budget: RetryBudget,
    throttle: Throttle,
    arrival: Option<TimerId>,
    sent: u64,
    retried: u64,
    succeeded: u64,
    restarts: u64,
}

impl Layer {
    pub fn new(tier: Tier, cfg: Config, below: usize) -> Layer {
        Layer {
            tier,
            cfg,
            below,
            tasks: BTreeMap::new(),
            attempt_of: BTreeMap::new(),
            next_id: 1,
            budget: RetryBudget::new(),
            throttle: Throttle::new(),
            arrival: None,
            sent: 0,
            retried: 0,
            succeeded: 0,
            restarts: 0,
        }
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// Calls this layer has sent below, and how many of them were retries.
    pub fn sent(&self) -> (u64, u64) {
        (self.sent, self.retried)
    }

    /// Calls below that succeeded, and how often this node has crashed.
    pub fn succeeded(&self) -> (u64, u64) {
        (self.succeeded, self.restarts)
    }

    pub fn tokens(&self) -> f64 {
        self.budget.tokens()
    }

    fn fresh(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn arm_arrival(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        if let Some(t) = self.arrival.take() {
            ctx.cancel_timer(t);
        }
        if self.tier != Tier::Users || self.cfg.load == 0 {
            return;
        }
        let gap = Exp::new(self.cfg.load as f64)
            .expect("rate is positive")
            .sample(ctx.rng());
        self.arrival = Some(ctx.set_timer(Time::from_secs_f64(gap), Timer::Arrival));
    }

    fn new_request(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        let id = self.fresh();
        let r: f64 = ctx.rng().random();
        let kind = if r < BAD {
            Kind::Bad
        } else if r < BAD + ORDERS {
            Kind::Order
        } else {
            Kind::Read
        };
        let now = ctx.now();
        ctx.world().request(id);
        ctx.count(metrics::REQUESTS, 1);
        self.tasks.insert(
            id,
            Task {
                origin: id,
                caller: None,
                kind,
                deadline: Some(now + self.cfg.timeout),
                started: now,
                attempts: 0,
                current: None,
                timer: None,
                sleeper: Sleeper::new(self.cfg.base),
                sleeping: false,
            },
        );
        self.attempt(ctx, id);
    }

    /// Sends the next attempt of task `id`, unless its deadline has passed
    /// or the throttle refuses it.
    fn attempt(&mut self, ctx: &mut Ctx<'_, RetryNode>, id: u64) {
        let now = ctx.now();
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        let deadline = task.deadline.filter(|_| self.cfg.deadline);
        if deadline.is_some_and(|d| d <= now) {
            ctx.count(metrics::EXPIRED[self.tier.index()], 1);
            self.finish(ctx, id, Outcome::GaveUp);
            return;
        }
        if self.cfg.throttle {
            let p = self.throttle.reject_probability(now);
            self.throttle.request(now);
            if p > 0.0 && ctx.rng().random::<f64>() < p {
                ctx.count(metrics::THROTTLED[self.tier.index()], 1);
                self.finish(ctx, id, Outcome::GaveUp);
                return;
            }
        }
        let aid = self.fresh();
        let task = self.tasks.get_mut(&id).expect("checked");
        task.attempts += 1;
        task.current = Some(aid);
        task.sleeping = false;
        let (origin, kind, attempts) = (task.origin, task.kind, task.attempts);
        let wait = deadline.map_or(self.cfg.timeout, |d| self.cfg.timeout.min(d - now));
        task.timer = Some(ctx.set_timer(
            wait,
            Timer::Timeout {
                task: id,
                attempt: attempts,
            },
        ));
        self.attempt_of.insert(aid, id);
        self.sent += 1;
        if attempts > 1 {
            self.retried += 1;
            ctx.count(metrics::RETRIES[self.tier.index()], 1);
        }
        if kind == Kind::Order {
            let tier = self.tier.index();
            ctx.world().order_attempt(tier, origin);
        }
        ctx.send(
            self.below,
            Msg::Call {
                id: aid,
                origin,
                kind,
                deadline,
            },
        );
    }

    /// Attempt of task `id` failed: retry it after a backoff if the rules
    /// allow, else give up.
    fn failed(&mut self, ctx: &mut Ctx<'_, RetryNode>, id: u64, why: Failure) {
        let now = ctx.now();
        self.budget.failure();
        let Some(task) = self.tasks.get(&id) else {
            return;
        };
        let retryable = match (self.cfg.retry_on, why) {
            (RetryOn::All, _) => true,
            (RetryOn::Transient, Failure::Answer(Outcome::Overloaded)) => true,
            (RetryOn::Transient, Failure::Timeout) => task.kind.idempotent(),
            (RetryOn::Transient, Failure::Answer(_)) => false,
        };
        let within_deadline = !self.cfg.deadline || task.deadline.is_none_or(|d| now < d);
        let budget_ok = self.cfg.retry_budget.ratio().is_none() || self.budget.allows_retry();
        let last = match why {
            Failure::Answer(Outcome::Invalid) => Outcome::Invalid,
            Failure::Answer(Outcome::Overloaded) if self.cfg.retry_on == RetryOn::All => {
                Outcome::Overloaded
            }
            _ => Outcome::GaveUp,
        };
        if !(retryable && within_deadline && task.attempts <= self.cfg.retries) {
            self.finish(ctx, id, last);
            return;
        }
        if !budget_ok {
            ctx.count(metrics::BUDGET_DENIED[self.tier.index()], 1);
            self.finish(ctx, id, last);
            return;
        }
        let (policy, base, cap) = (self.cfg.backoff, self.cfg.base, self.cfg.cap);
        let n = task.attempts;
        let mut sleeper = task.sleeper;
        let sleep = sleeper.sleep(policy, base, cap, n, ctx.rng());
        let task = self.tasks.get_mut(&id).expect("checked");
        task.sleeper = sleeper;
        if sleep == Time::ZERO {
            self.attempt(ctx, id);
        } else {
            task.sleeping = true;
            task.timer = Some(ctx.set_timer(sleep, Timer::Attempt { task: id }));
            ctx.observe(metrics::LAYER_SLEEP[self.tier.index()], sleep);
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, RetryNode>, id: u64, outcome: Outcome) {
        let Some(task) = self.tasks.remove(&id) else {
            return;
        };
        if let Some(t) = task.timer {
            ctx.cancel_timer(t);
        }
        if let Some(aid) = task.current {
            self.attempt_of.remove(&aid);
        }
        match task.caller {
            None => {
                ctx.world().answered(task.origin);
                if outcome == Outcome::Ok {
                    ctx.count(metrics::USERS_OK, 1);
                    ctx.observe(metrics::USERS_LATENCY, ctx.now() - task.started);
                } else {
                    ctx.count(metrics::USERS_FAILED, 1);
                }
            }
            Some((to, aid)) => ctx.send(to, Msg::Reply { id: aid, outcome }),
        }
    }

    fn gauges(&self, ctx: &mut Ctx<'_, RetryNode>) {
        let t = self.tier.index();
        ctx.gauge(metrics::INFLIGHT[t], self.tasks.len() as f64);
        let sleeping = self.tasks.values().filter(|t| t.sleeping).count();
        ctx.gauge(metrics::SLEEPING[t], sleeping as f64);
        if self.cfg.retry_budget.ratio().is_some() {
            ctx.gauge(metrics::TOKENS[t], self.budget.tokens());
        }
    }
}

impl Role<RetryNode> for Layer {
    fn name(&self) -> &str {
        self.tier.name()
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        self.arm_arrival(ctx);
        ctx.set_timer(Time::secs(1), Timer::Tick);
        self.gauges(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, RetryNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Call {
                id,
                origin,
                kind,
                deadline,
            } => {
                if self.tier == Tier::Users {
                    return;
                }
                ctx.count(metrics::CALLS[self.tier.index()], 1);
                let now = ctx.now();
                if deadline.is_some_and(|d| d <= now) {
                    ctx.count(metrics::EXPIRED[self.tier.index()], 1);
                    return; // the caller has given up already
                }
                let tid = self.fresh();
                self.tasks.insert(
                    tid,
                    Task {
                        origin,
                        caller: Some((from, id)),
                        kind,
                        deadline,
                        started: now,
                        attempts: 0,
                        current: None,
                        timer: None,
                        sleeper: Sleeper::new(self.cfg.base),
                        sleeping: false,
                    },
                );
                self.attempt(ctx, tid);
            }
            Msg::Reply { id: aid, outcome } => {
                let Some(tid) = self.attempt_of.remove(&aid) else {
                    return; // an answer to an attempt given up on
                };
                let Some(task) = self.tasks.get_mut(&tid) else {
                    return;
                };
                if task.current != Some(aid) {
                    return;
                }
                task.current = None;
                if let Some(t) = task.timer.take() {
                    ctx.cancel_timer(t);
                }
                let now = ctx.now();
                if matches!(outcome, Outcome::Ok | Outcome::Invalid) {
                    self.throttle.accept(now);
                }
                if outcome == Outcome::Ok {
                    self.succeeded += 1;
                    if let Some(r) = self.cfg.retry_budget.ratio() {
                        self.budget.success(r);
                    }
                    self.finish(ctx, tid, Outcome::Ok);
                } else {
                    self.failed(ctx, tid, Failure::Answer(outcome));
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, RetryNode>, timer: Timer) {
        match timer {
            Timer::Arrival => {
                self.arrival = None;
                self.new_request(ctx);
                self.arm_arrival(ctx);
            }
            Timer::Attempt { task } if self.tasks.get(&task).is_some_and(|t| t.sleeping) => {
                self.attempt(ctx, task);
            }
            Timer::Timeout { task, attempt } => {
                let Some(t) = self.tasks.get_mut(&task) else {
                    return;
                };
                if t.attempts != attempt || t.sleeping {
                    return;
                }
                t.timer = None;
                if let Some(aid) = t.current.take() {
                    self.attempt_of.remove(&aid);
                }
                ctx.count(metrics::TIMEOUTS[self.tier.index()], 1);
                if t.kind == Kind::Order {
                    let (tier, origin) = (self.tier.index(), t.origin);
                    ctx.world().order_timed_out(tier, origin);
                }
                self.failed(ctx, task, Failure::Timeout);
            }
            Timer::Tick => {
                self.gauges(ctx);
                ctx.set_timer(Time::secs(1), Timer::Tick);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        // Requests the users had open are answered by nobody now.
        if self.tier == Tier::Users {
            for t in self.tasks.values() {
                ctx.world().answered(t.origin);
            }
        }
        self.restarts += 1;
        self.tasks.clear();
        self.attempt_of.clear();
        self.arrival = None;
        self.budget = RetryBudget::new();
        self.throttle = Throttle::new();
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, RetryNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "load" {
            self.arm_arrival(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let sleeping = self.tasks.values().filter(|t| t.sleeping).count();
        let mut v = vec![
            ("role", self.tier.name().into()),
            ("open", self.tasks.len().to_string()),
            ("sleeping", sleeping.to_string()),
            ("sent", self.sent.to_string()),
            ("retries", self.retried.to_string()),
        ];
        if self.cfg.retry_budget.ratio().is_some() {
            v.push(("tokens", format!("{:.1}", self.budget.tokens())));
        }
        v
    }
}

//! The bank: account balances and the lock manager that guards them.
//!
//! One mutex per account and a semaphore for the connection pool. Requests
//! queue first come, first served; a lock freed goes to the head of its line.
//! What happens to a transaction that waits depends on `detection`: nothing,
//! a timeout, or a periodic search for cycles in the wait-for graph.

use super::DeadlockNode;
use super::config::{ACCOUNTS, Config, Detection, LATE_AFTER, OPENING_BALANCE};
use super::judge::cycles;
use super::metrics as m;
use super::msg::{LockId, Msg, Timer, Why};
use crate::scenarios::Role;
use crate::scenarios::{lock_held_metric, lock_waiting_metric};
use crate::sim::{Ctx, KnobValue, LockClaim, LockView, MetricId, MetricKind, Time};
use std::collections::VecDeque;
use std::sync::Arc;

/// A claim on a lock: which worker, for which of its transactions, since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Claim {
    worker: usize,
    txn: u32,
    since: Time,
}

#[derive(Clone, Debug, Default)]
struct Lock {
    holders: Vec<Claim>,
    waiters: VecDeque<Claim>,
}

#[derive(Clone, Debug)]
pub struct Bank {
    cfg: Config,
    names: Arc<[String]>,
    workers: Arc<[usize]>,
    /// Durable: the money.
    balances: Vec<i64>,
    /// Volatile: the pool, then one lock per account.
    locks: Vec<Lock>,
    /// Per node: every transaction numbered up to this is over (aborted or
    /// reset), and late requests from it are ignored.
    dead: Vec<u32>,
    /// Per node: its current transaction and when the bank first heard of it.
    started: Vec<Option<(u32, Time)>>,
    detect_gen: u32,
    /// Durable: how many times the bank has started.
    starts: u32,
    committed: u64,
    aborted: u64,
    /// Each lock's held and waiting gauges, resolved once at start so a lock
    /// change records without building or hashing a name.
    lock_gauges: Vec<(MetricId, MetricId)>,
}

impl Bank {
    pub fn new(cfg: Config, names: Arc<[String]>, workers: Arc<[usize]>) -> Bank {
        let n = names.len();
        Bank {
            cfg,
            names,
            workers,
            balances: vec![OPENING_BALANCE; ACCOUNTS as usize],
            locks: vec![Lock::default(); ACCOUNTS as usize + 1],
            dead: vec![0; n],
            started: vec![None; n],
            detect_gen: 0,
            starts: 0,
            committed: 0,
            lock_gauges: Vec::new(),
            aborted: 0,
        }
    }

    pub fn balances(&self) -> &[i64] {
        &self.balances
    }

    pub fn total(&self) -> i64 {
        self.balances.iter().sum()
    }

    fn capacity(&self, i: usize) -> usize {
        if i == 0 { self.cfg.permits as usize } else { 1 }
    }

    fn arm_detector(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        self.detect_gen += 1;
        if self.cfg.detection == Detection::Graph {
            ctx.set_timer(
                self.cfg.detect_every,
                Timer::Detect {
                    generation: self.detect_gen,
                },
            );
        }
    }

    fn acquire(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, w: usize, txn: u32, lock: LockId) {
        let i = lock.index();
        if txn <= self.dead[w] || i >= self.locks.len() {
            return;
        }
        let now = ctx.now();
        if self.started[w].is_none_or(|(t, _)| t != txn) {
            self.started[w] = Some((txn, now));
        }
        let claim = Claim {
            worker: w,
            txn,
            since: now,
        };
        let l = &mut self.locks[i];
        if l.holders.iter().any(|c| c.worker == w) || l.waiters.iter().any(|c| c.worker == w) {
            return;
        }
        if l.waiters.is_empty() && l.holders.len() < self.capacity(i) {
            self.grant(ctx, i, claim);
        } else {
            self.locks[i].waiters.push_back(claim);
            if self.cfg.detection == Detection::Timeout {
                ctx.set_timer(
                    self.cfg.lock_timeout,
                    Timer::WaitTimeout {
                        worker: w,
                        txn,
                        since: now,
                    },
                );
            }
        }
        self.gauge(ctx, i);
        self.judge(ctx);
    }

    /// Gives lock `i` to `claim` and tells its worker.
    fn grant(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, i: usize, claim: Claim) {
        let now = ctx.now();
        if now > claim.since {
            ctx.observe(m::LOCK_WAIT, now - claim.since);
        }
        self.locks[i].holders.push(Claim {
            since: now,
            ..claim
        });
        ctx.send(
            claim.worker,
            Msg::Granted {
                txn: claim.txn,
                lock: LockId::from_index(i),
            },
        );
    }

    /// Hands every lock with room in it to the head of its line.
    fn grant_waiters(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        for i in 0..self.locks.len() {
            while self.locks[i].holders.len() < self.capacity(i) {
                let Some(next) = self.locks[i].waiters.pop_front() else {
                    break;
                };
                self.grant(ctx, i, next);
            }
        }
    }

    fn gauge(&self, ctx: &mut Ctx<'_, DeadlockNode>, i: usize) {
        let l = &self.locks[i];
        let (held, waiting) = self.lock_gauges[i];
        ctx.gauge_id(held, l.holders.len() as f64);
        ctx.gauge_id(waiting, l.waiters.len() as f64);
    }

    fn gauges(&self, ctx: &mut Ctx<'_, DeadlockNode>) {
        for i in 0..self.locks.len() {
            self.gauge(ctx, i);
        }
    }

    /// Releases everything worker `w` holds or waits for; true if it had any.
    fn release_all(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, w: usize) -> bool {
        self.release(ctx, w, u32::MAX)
    }

    /// Releases what transactions of worker `w` numbered below `below` hold
    /// or wait for; true if they had any.
    fn release(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, w: usize, below: u32) -> bool {
        let mut any = false;
        let keep = |c: &Claim| c.worker != w || c.txn >= below;
        for l in &mut self.locks {
            let before = l.holders.len() + l.waiters.len();
            l.holders.retain(keep);
            l.waiters.retain(keep);
            any |= l.holders.len() + l.waiters.len() != before;
        }
        if any {
            self.grant_waiters(ctx);
            self.gauges(ctx);
            self.judge(ctx);
        }
        any
    }

    fn holds(&self, w: usize, txn: u32, i: usize) -> bool {
        self.locks
            .get(i)
            .is_some_and(|l| l.holders.iter().any(|c| c.worker == w && c.txn == txn))
    }

    fn commit(
        &mut self,
        ctx: &mut Ctx<'_, DeadlockNode>,
        w: usize,
        txn: u32,
        a: u8,
        b: u8,
        amount: u32,
    ) {
        let (ia, ib) = (LockId::Acct(a).index(), LockId::Acct(b).index());
        if txn <= self.dead[w] || a == b || !self.holds(w, txn, ia) || !self.holds(w, txn, ib) {
            ctx.log(format!(
                "refused a commit of t{txn} from {}: it does not hold both accounts",
                self.names[w]
            ));
            return;
        }
        let amount = (amount as i64).min(self.balances[a as usize]).max(0);
        self.balances[a as usize] -= amount;
        self.balances[b as usize] += amount;
        self.committed += 1;
        self.started[w] = None;
        ctx.count(m::COMMITTED, 1);
        ctx.gauge(m::MONEY, self.total() as f64);
        ctx.send(w, Msg::Committed { txn });
        self.release_all(ctx, w);
    }

    /// Aborts worker `w`'s transaction `txn`: it loses every lock it holds
    /// and its place in line, and is told so.
    fn abort(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, w: usize, txn: u32, why: Why) {
        let on_cycle = cycles(&self.locks())
            .iter()
            .any(|c| c.contains(&self.names[w]));
        self.dead[w] = self.dead[w].max(txn);
        self.started[w] = None;
        self.aborted += 1;
        ctx.count(m::ABORTS, 1);
        ctx.count(
            match why {
                Why::Timeout => m::ABORTS_TIMEOUT,
                Why::Victim => m::ABORTS_VICTIM,
            },
            1,
        );
        if !on_cycle {
            ctx.count(m::ABORTS_NEEDLESS, 1);
        }
        if ctx.logging() {
            let what = match (why, on_cycle) {
                (Why::Victim, _) => "as the victim of a cycle",
                (Why::Timeout, true) => "after waiting too long (it was deadlocked)",
                (Why::Timeout, false) => "after waiting too long (it was not deadlocked)",
            };
            ctx.log(format!("aborts {} t{txn} {what}", self.names[w]));
        }
        ctx.send(w, Msg::Aborted { txn, why });
        self.release_all(ctx, w);
    }

    /// One look for cycles: on each, abort the youngest transaction (the one
    /// the bank heard of last), which has the least work to lose.
    fn detect(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        for cycle in cycles(&self.locks()) {
            let victim = cycle
                .iter()
                .filter_map(|name| self.names.iter().position(|n| n == name))
                .filter_map(|w| self.started[w].map(|(txn, t)| (t, w, txn)))
                .max();
            if let Some((_, w, txn)) = victim {
                self.abort(ctx, w, txn, Why::Victim);
            }
        }
    }

    /// Shows the judge the lock table as it is now and records what changed.
    fn judge(&self, ctx: &mut Ctx<'_, DeadlockNode>) {
        let locks = self.locks();
        let now = ctx.now();
        let changes = ctx.world().observe(&locks, now);
        for (id, cycle) in &changes.formed {
            ctx.count(m::FORMED, 1);
            ctx.set_timer(LATE_AFTER, Timer::Late { id: *id });
            if ctx.logging() {
                ctx.log(format!("deadlock: {} wait in a circle", cycle.join(" → ")));
            }
        }
        for (cycle, lasted) in &changes.broken {
            ctx.count(m::BROKEN, 1);
            ctx.observe(m::DURATION, *lasted);
            if ctx.logging() {
                ctx.log(format!(
                    "deadlock of {} broken after {lasted}",
                    cycle.join(", ")
                ));
            }
        }
        if !changes.formed.is_empty() || !changes.broken.is_empty() {
            ctx.gauge(m::DEADLOCKED, changes.deadlocked as f64);
        }
    }
}

impl Role<DeadlockNode> for Bank {
    fn name(&self) -> &str {
        "bank"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        self.lock_gauges = (0..self.locks.len())
            .map(|i| {
                let name = LockId::from_index(i).name();
                (
                    ctx.metric(&lock_held_metric(&name), MetricKind::Gauge),
                    ctx.metric(&lock_waiting_metric(&name), MetricKind::Gauge),
                )
            })
            .collect();
        ctx.gauge(m::MONEY, self.total() as f64);
        self.gauges(ctx);
        self.arm_detector(ctx);
        ctx.gauge(m::DEADLOCKED, 0.0);
        if self.starts > 0 {
            for &w in self.workers.iter() {
                ctx.send(w, Msg::Restarted);
            }
        }
        self.starts += 1;
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, from: usize, msg: Msg) {
        if from >= self.dead.len() {
            return;
        }
        match msg {
            Msg::Acquire { txn, lock } => self.acquire(ctx, from, txn, lock),
            Msg::Commit {
                txn,
                from: a,
                to: b,
                amount,
            } => self.commit(ctx, from, txn, a, b, amount),
            Msg::Reset { next } => {
                self.dead[from] = self.dead[from].max(next.saturating_sub(1));
                if self.started[from].is_some_and(|(t, _)| t < next) {
                    self.started[from] = None;
                }
                if self.release(ctx, from, next) {
                    ctx.log(format!(
                        "{} restarted: its locks are released",
                        self.names[from]
                    ));
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, timer: Timer) {
        match timer {
            Timer::WaitTimeout { worker, txn, since } => {
                let still = self.locks.iter().any(|l| {
                    l.waiters
                        .iter()
                        .any(|c| c.worker == worker && c.txn == txn && c.since <= since)
                });
                if still && self.cfg.detection == Detection::Timeout {
                    self.abort(ctx, worker, txn, Why::Timeout);
                }
            }
            Timer::Detect { generation } if generation == self.detect_gen => {
                self.detect(ctx);
                self.arm_detector(ctx);
            }
            Timer::Late { id } if ctx.world().standing(id) => {
                ctx.count(m::LATE, 1);
                ctx.log(format!(
                    "a deadlock has stood for {LATE_AFTER} and is still there"
                ));
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        for l in &mut self.locks {
            *l = Lock::default();
        }
        self.started.iter_mut().for_each(|s| *s = None);
        // The lock table is gone: so is every cycle in it.
        let now = ctx.now();
        let changes = ctx.world().observe(&[], now);
        for (_, lasted) in changes.broken {
            ctx.count(m::BROKEN, 1);
            ctx.observe(m::DURATION, lasted);
        }
        ctx.gauge(m::DEADLOCKED, 0.0);
        self.gauges(ctx);
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, name: &str, value: &KnobValue) {
        let before = self.cfg.detection;
        self.cfg.set(name, value);
        match name {
            "permits" => {
                self.grant_waiters(ctx);
                self.gauges(ctx);
                self.judge(ctx);
            }
            "detection" | "detect_every" => {
                self.arm_detector(ctx);
                if self.cfg.detection == Detection::Timeout && before != Detection::Timeout {
                    // Those already waiting get a deadline from now.
                    let now = ctx.now();
                    for l in &self.locks {
                        for c in &l.waiters {
                            ctx.set_timer(
                                self.cfg.lock_timeout,
                                Timer::WaitTimeout {
                                    worker: c.worker,
                                    txn: c.txn,
                                    since: now,
                                },
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let waiting: usize = self.locks.iter().map(|l| l.waiters.len()).sum();
        vec![
            ("role", "bank".into()),
            (
                "state",
                if waiting > 0 {
                    format!("{waiting} waiting")
                } else {
                    "ok".into()
                },
            ),
            ("done", self.committed.to_string()),
            ("aborts", self.aborted.to_string()),
            ("total", self.total().to_string()),
        ]
    }

    fn locks(&self) -> Vec<LockView> {
        let claim = |c: &Claim| LockClaim::new(self.names[c.worker].clone(), c.since);
        self.locks
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let note = match LockId::from_index(i) {
                    LockId::Pool => {
                        format!("{} of {} permits in use", l.holders.len(), self.cfg.permits)
                    }
                    LockId::Acct(a) => format!("balance {}", self.balances[a as usize]),
                };
                LockView {
                    name: LockId::from_index(i).name(),
                    holders: l.holders.iter().map(claim).collect(),
                    capacity: self.capacity(i) as u32,
                    waiters: l.waiters.iter().map(claim).collect(),
                    note,
                }
            })
            .collect()
    }
}

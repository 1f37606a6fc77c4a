//! A client: increments the shared count again and again, as fast as its
//! answers come back, in the way the `strategy` knob says. Only the first
//! `clients` clients work; the rest stay idle.

use super::LostUpdateNode;
use super::config::{Config, PIPELINE, Strategy};
use super::metrics;
use super::msg::Msg;
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;

/// Where an increment is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Asked the lock server for the lock (pessimistic).
    Locking { asked: Time },
    /// Asked the store for the count (rmw, optimistic, pessimistic).
    Reading,
    /// Sent the new count: a blind write (rmw, pessimistic) or a
    /// compare-and-set (optimistic).
    Writing,
    /// Asked the store to add one (atomic).
    Incrementing,
}

/// The increment a client is working on.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    pub id: u32,
    pub strategy: Strategy,
    pub stage: Stage,
    pub started: Time,
}

impl Op {
    /// Whether the client holds the lock for this increment.
    fn holds_lock(&self) -> bool {
        self.strategy == Strategy::Pessimistic && !matches!(self.stage, Stage::Locking { .. })
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    cfg: Config,
    /// Position among the clients: the first `clients` work.
    rank: usize,
    store: usize,
    lock_server: usize,
    /// Durable: operation numbers stay unique across crashes, so a late
    /// answer to an operation from before a crash is recognised as such.
    next_op: u32,
    /// Durable: whether the client ever asked for the lock.
    used_lock: bool,
    op: Option<Op>,
    /// Actor mode: increments in the owner's mailbox, oldest first.
    adds: VecDeque<(u32, Time)>,
    done: u64,
}

impl Client {
    pub fn new(cfg: Config, rank: usize, store: usize, lock_server: usize) -> Client {
        Client {
            cfg,
            rank,
            store,
            lock_server,
            next_op: 1,
            used_lock: false,
            op: None,
            adds: VecDeque::new(),
            done: 0,
        }
    }

    pub fn op(&self) -> Option<&Op> {
        self.op.as_ref()
    }

    /// Whether it believes it holds the lock.
    pub fn holds_lock(&self) -> bool {
        self.op.is_some_and(|o| o.holds_lock())
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    fn active(&self) -> bool {
        self.rank < self.cfg.clients
    }

    pub fn role(&self) -> &'static str {
        if self.holds_lock() {
            "holder"
        } else {
            "client"
        }
    }

    fn set_stage(&mut self, stage: Stage) {
        if let Some(o) = self.op.as_mut() {
            o.stage = stage;
        }
    }

    fn believe(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, holds: bool) {
        let me = ctx.me();
        let n = ctx.world().believes(me, holds);
        ctx.gauge(metrics::BELIEVERS, n as f64);
    }

    fn new_op(&mut self) -> u32 {
        let id = self.next_op;
        self.next_op += 1;
        id
    }

    /// The current increment is done.
    fn finish(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        let Some(op) = self.op.take() else { return };
        if op.strategy == Strategy::Pessimistic {
            self.believe(ctx, false);
            ctx.send(self.lock_server, Msg::Unlock { op: op.id });
        }
        self.count_done(ctx, op.started);
        self.fill(ctx);
    }

    fn count_done(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, started: Time) {
        self.done += 1;
        ctx.count(metrics::DONE, 1);
        ctx.observe(metrics::LATENCY, ctx.now() - started);
    }

    /// Starts the next increment(s), if this client works and is free.
    fn fill(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        if !self.active() || self.op.is_some() {
            return;
        }
        let now = ctx.now();
        let strategy = self.cfg.strategy;
        if strategy == Strategy::Actor {
            while self.adds.len() < PIPELINE {
                let id = self.new_op();
                self.adds.push_back((id, now));
                ctx.send(self.store, Msg::Add { op: id });
            }
            return;
        }
        if !self.adds.is_empty() {
            return; // let the mailbox drain first
        }
        let id = self.new_op();
        let (stage, to, msg) = match strategy {
            Strategy::Rmw | Strategy::Optimistic => {
                (Stage::Reading, self.store, Msg::Read { op: id })
            }
            Strategy::Atomic => (Stage::Incrementing, self.store, Msg::Incr { op: id }),
            // (actor was handled above)
            Strategy::Pessimistic | Strategy::Actor => {
                self.used_lock = true;
                (
                    Stage::Locking { asked: now },
                    self.lock_server,
                    Msg::Lock { op: id },
                )
            }
        };
        self.op = Some(Op {
            id,
            strategy,
            stage,
            started: now,
        });
        ctx.send(to, msg);
    }
}

impl Role<LostUpdateNode> for Client {
    fn name(&self) -> &str {
        self.role()
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        if self.used_lock {
            // Whatever this client held or waited for before it crashed, it
            // no longer wants.
            ctx.send(
                self.lock_server,
                Msg::Unlock {
                    op: self.next_op - 1,
                },
            );
        }
        self.fill(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, _from: usize, msg: Msg) {
        let current = |op: u32| self.op.filter(|o| o.id == op);
        match msg {
            Msg::Value { op, count, version } => {
                let Some(o) = current(op).filter(|o| o.stage == Stage::Reading) else {
                    return;
                };
                let next = match o.strategy {
                    Strategy::Optimistic => Msg::Cas {
                        op,
                        version,
                        count: count + 1,
                    },
                    _ => Msg::Write {
                        op,
                        count: count + 1,
                    },
                };
                self.set_stage(Stage::Writing);
                ctx.send(self.store, next);
            }
            Msg::Written { op } | Msg::Incremented { op, .. } | Msg::CasOk { op, .. }
                if current(op).is_some() =>
            {
                self.finish(ctx);
            }
            Msg::CasConflict { op, .. } => {
                if current(op).is_none() {
                    return;
                }
                if self.cfg.strategy != Strategy::Optimistic || !self.active() {
                    self.op = None;
                    self.fill(ctx);
                    return;
                }
                // Someone wrote first: read again and try again.
                ctx.count(metrics::RETRIES, 1);
                self.set_stage(Stage::Reading);
                ctx.send(self.store, Msg::Read { op });
            }
            Msg::Granted { op } => match current(op).map(|o| o.stage) {
                Some(Stage::Locking { asked }) => {
                    ctx.observe(metrics::LOCK_WAIT, ctx.now() - asked);
                    self.set_stage(Stage::Reading);
                    self.believe(ctx, true);
                    ctx.send(self.store, Msg::Read { op });
                }
                Some(_) => {}
                // A grant for an increment this client no longer works on.
                None => ctx.send(self.lock_server, Msg::Unlock { op }),
            },
            Msg::Added { op } => {
                if let Some(i) = self.adds.iter().position(|a| a.0 == op) {
                    let (_, started) = self.adds.remove(i).expect("found");
                    self.count_done(ctx, started);
                    self.fill(ctx);
                }
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        if self.holds_lock() {
            self.believe(ctx, false);
        }
        self.op = None;
        self.adds.clear();
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name != "strategy" && name != "clients" {
            return;
        }
        // An increment that has only read so far is given up if it is no
        // longer wanted: nothing of it reached the store. (One whose write
        // is already on its way cannot be called back.)
        if let Some(op) = self.op
            && op.stage == Stage::Reading
            && matches!(op.strategy, Strategy::Rmw | Strategy::Optimistic)
            && (op.strategy != self.cfg.strategy || !self.active())
        {
            self.op = None;
        }
        self.fill(ctx);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let doing = match (&self.op, self.adds.len()) {
            (Some(op), _) => {
                let stage = match op.stage {
                    Stage::Locking { .. } => "waits for the lock",
                    Stage::Reading => "reads",
                    Stage::Writing if op.strategy == Strategy::Optimistic => "compares-and-sets",
                    Stage::Writing => "writes",
                    Stage::Incrementing => "increments",
                };
                format!("{} {stage}", op.strategy.name())
            }
            (None, 0) if self.active() => "starting".into(),
            (None, 0) => "idle".into(),
            (None, n) => format!("actor, {n} in the mailbox"),
        };
        vec![
            ("role", self.role().into()),
            ("doing", doing),
            ("done", self.done.to_string()),
        ]
    }
}

//! A client: works the account through the handlers, one command at a
//! time (deposits and withdrawals of 10 to 60, to either handler at
//! random), and follows half of its acknowledged commands with a query of
//! the balance to the projection. With `read_your_writes` on, the query
//! carries the version of its last acknowledged write, its token.

use super::EventSourcingNode;
use super::config::{
    COMMAND_TIMEOUT, Config, DEPOSIT_SHARE, QUERY_SHARE, QUERY_TIMEOUT, THINK,
};
use super::metrics;
use super::model::command_id;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;

#[derive(Clone, Copy, Debug)]
enum Waiting {
    Command { cmd: u64, sent: Time },
    Query { q: u64, sent: Time },
}

#[derive(Clone, Debug)]
pub struct Client {
    cfg: Config,
    rank: usize,
    handlers: Vec<usize>,
    projection: usize,
    /// Durable: command numbers are never reused.
    seq: u64,
    /// Durable: the version of its last acknowledged write (its token).
    written: u64,
    waiting: Option<Waiting>,
    done: u64,
    stale: u64,
}

impl Client {
    pub fn new(cfg: Config, rank: usize, handlers: Vec<usize>, projection: usize) -> Client {
        Client {
            cfg,
            rank,
            handlers,
            projection,
            seq: 0,
            written: 0,
            waiting: None,
            done: 0,
            stale: 0,
        }
    }

    fn think(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.waiting = None;
        let u: f64 = ctx.rng().random_range(0.0..1.0f64);
        let wait = Time::micros((-(1.0 - u).ln() * THINK.as_micros() as f64) as u64);
        ctx.set_timer(wait, Timer::Next);
    }

    fn command(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        if self.handlers.is_empty() {
            return;
        }
        self.seq += 1;
        let cmd = command_id(self.rank, self.seq);
        let deposit = ctx.rng().random_bool(DEPOSIT_SHARE);
        let amount = 10 * ctx.rng().random_range(1..=6i64);
        let to = self.handlers[ctx.rng().random_range(0..self.handlers.len())];
        let msg = if deposit {
            Msg::Deposit { cmd, amount }
        } else {
            Msg::Withdraw { cmd, amount }
        };
        ctx.send(to, msg);
        self.waiting = Some(Waiting::Command {
            cmd,
            sent: ctx.now(),
        });
        ctx.set_timer(COMMAND_TIMEOUT, Timer::CommandTimeout { cmd });
    }

    /// Moves the whole balance out, through the handler of its rank, now.
    fn sweep(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        if self.handlers.is_empty() {
            return;
        }
        self.seq += 1;
        let cmd = command_id(self.rank, self.seq);
        let to = self.handlers[self.rank % self.handlers.len()];
        ctx.send(to, Msg::Sweep { cmd });
        self.waiting = Some(Waiting::Command {
            cmd,
            sent: ctx.now(),
        });
        ctx.set_timer(COMMAND_TIMEOUT, Timer::CommandTimeout { cmd });
    }

    fn query(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.seq += 1;
        let q = command_id(self.rank, self.seq);
        let min = self.cfg.read_your_writes.then_some(self.written);
        ctx.send(self.projection, Msg::Query { q, min });
        self.waiting = Some(Waiting::Query { q, sent: ctx.now() });
        ctx.set_timer(QUERY_TIMEOUT, Timer::QueryTimeout { q });
    }
}

impl Role<EventSourcingNode> for Client {
    fn name(&self) -> &str {
        "client"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.think(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, _from: usize, msg: Msg) {
        match (self.waiting, msg) {
            (Some(Waiting::Command { cmd, sent }), Msg::Done { cmd: c, offset }) if c == cmd => {
                ctx.observe(metrics::LATENCY, ctx.now() - sent);
                self.done += 1;
                self.written = self.written.max(offset + 1);
                let (rank, written) = (self.rank, self.written);
                ctx.world().wrote(rank, written);
                if ctx.rng().random_bool(QUERY_SHARE) {
                    self.query(ctx);
                } else {
                    self.think(ctx);
                }
            }
            (Some(Waiting::Command { cmd, sent }), Msg::Refused { cmd: c, .. }) if c == cmd => {
                ctx.observe(metrics::LATENCY, ctx.now() - sent);
                self.think(ctx);
            }
            (
                Some(Waiting::Query { q, sent }),
                Msg::Answer {
                    q: a,
                    position,
                    checksum,
                    ..
                },
            ) if a == q => {
                ctx.observe(metrics::QUERY_WAIT, ctx.now() - sent);
                ctx.count(metrics::ANSWERED, 1);
                let (stale, wrong) = ctx.world().answered(self.rank, position, checksum);
                if stale {
                    self.stale += 1;
                    ctx.count(metrics::STALE_READS, 1);
                }
                if wrong {
                    ctx.count(metrics::WRONG, 1);
                }
                self.think(ctx);
            }
            (Some(Waiting::Query { q, .. }), Msg::NotYet { q: a, .. }) if a == q => {
                ctx.count(metrics::NOT_YET, 1);
                self.think(ctx);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, timer: Timer) {
        match (self.waiting, timer) {
            (None, Timer::Next) => self.command(ctx),
            (Some(Waiting::Command { cmd, .. }), Timer::CommandTimeout { cmd: c }) if c == cmd => {
                ctx.count(metrics::TIMED_OUT, 1);
                self.think(ctx);
            }
            (Some(Waiting::Query { q, .. }), Timer::QueryTimeout { q: t }) if t == q => {
                self.think(ctx);
            }
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, command: &str) {
        if command == "sweep" {
            self.sweep(ctx);
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.waiting = None;
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let doing = match self.waiting {
            Some(Waiting::Command { .. }) => "command",
            Some(Waiting::Query { .. }) => "query",
            None => "thinking",
        };
        vec![
            ("role", "client".into()),
            ("token", format!("v{}", self.written)),
            ("doing", doing.into()),
            ("done", self.done.to_string()),
            ("stale reads", self.stale.to_string()),
        ]
    }
}

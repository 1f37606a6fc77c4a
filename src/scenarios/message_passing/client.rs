//! A client: calls the counter's `add`, again and again, as the `mode`,
//! `delivery`, `correlation`, `timeout`, `window` and `pace` knobs say. Only
//! the first `clients` clients call.
//!
//! Each call is an increment with its own sequence number; each request of
//! it (the first and every retry) is a message with its own `msg_id`. With
//! `correlation` on, a reply is matched to the call whose request it names
//! in `in_reply_to`, and dropped if it names none the client waits for; off,
//! the client takes it as the answer to its oldest outstanding call.
//!
//! The client keeps its counters and its outstanding calls on disk: after a
//! crash it sends them again (or, at-most-once, gives them up).

use super::MessagePassingNode;
use super::config::{Config, Mode};
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time, TimerId};
use std::collections::VecDeque;

/// A call waiting for its answer.
#[derive(Clone, Debug)]
pub struct Call {
    pub seq: u32,
    /// The msg_id of each of its requests, the latest last.
    pub attempts: Vec<u32>,
    pub started: Time,
    timer: Option<TimerId>,
}

#[derive(Clone, Debug)]
pub struct Client {
    cfg: Config,
    /// Position among the clients: the first `clients` call.
    rank: usize,
    counter: usize,
    /// Durable: the last sequence number and msg_id used.
    seq: u32,
    msg_id: u32,
    /// Durable: the calls waiting for an answer, oldest first.
    calls: VecDeque<Call>,
    pace_armed: bool,
    ids: Option<metrics::Ids>,
    done: u64,
    /// The value of the last reply taken.
    last: Option<u64>,
}

impl Client {
    pub fn new(cfg: Config, rank: usize, counter: usize) -> Client {
        Client {
            cfg,
            rank,
            counter,
            seq: 0,
            msg_id: 0,
            calls: VecDeque::new(),
            pace_armed: false,
            ids: None,
            done: 0,
            last: None,
        }
    }

    pub fn calls(&self) -> &VecDeque<Call> {
        &self.calls
    }

    pub fn done(&self) -> u64 {
        self.done
    }

    fn active(&self) -> bool {
        self.rank < self.cfg.clients
    }

    fn room(&self) -> usize {
        match self.cfg.mode {
            Mode::Sync => 1,
            Mode::Async => self.cfg.window,
        }
    }

    fn ids(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) -> metrics::Ids {
        *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx))
    }

    fn outstanding(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, by: i64) {
        let n = ctx.world().outstanding(by);
        let id = self.ids(ctx).outstanding;
        ctx.gauge_id(id, n as f64);
    }

    /// Starts calls while there is room (unpaced), or arms the pace.
    fn fill(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) {
        if !self.active() {
            return;
        }
        match self.cfg.pace {
            Some(p) => {
                if !self.pace_armed {
                    self.pace_armed = true;
                    ctx.set_timer(p, Timer::Pace);
                }
            }
            None => {
                while self.calls.len() < self.room() {
                    self.start(ctx);
                }
            }
        }
    }

    fn start(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) {
        self.seq += 1;
        self.calls.push_back(Call {
            seq: self.seq,
            attempts: Vec::new(),
            started: ctx.now(),
            timer: None,
        });
        self.outstanding(ctx, 1);
        let i = self.calls.len() - 1;
        self.send(ctx, i);
    }

    /// Sends a request for call `i`, with a new msg_id, and sets its timeout.
    fn send(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, i: usize) {
        self.msg_id += 1;
        let msg_id = self.msg_id;
        let acked = self.calls.iter().map(|c| c.seq).min().unwrap_or(self.seq + 1) - 1;
        let seq = self.calls[i].seq;
        let msg = Msg::Add {
            msg_id: self.cfg.correlation.then_some(msg_id),
            seq,
            acked,
        };
        ctx.send(self.counter, msg);
        let timer = ctx.set_timer(self.cfg.timeout, Timer::Timeout { seq, msg_id });
        let call = &mut self.calls[i];
        call.attempts.push(msg_id);
        call.timer = Some(timer);
    }

    /// Call `i` is over: answered by a reply carrying `value`, or given up.
    fn end(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, i: usize, value: Option<u64>) {
        let Some(call) = self.calls.remove(i) else {
            return;
        };
        if let Some(t) = call.timer {
            ctx.cancel_timer(t);
        }
        self.outstanding(ctx, -1);
        let me = ctx.me();
        if let Some(v) = value {
            self.done += 1;
            self.last = Some(v);
            let ids = self.ids(ctx);
            ctx.count_id(ids.done, 1);
            let took = ctx.now() - call.started;
            ctx.observe_id(ids.latency, took);
            if ctx.world().took(me, call.seq, v) {
                ctx.count(metrics::MISMATCHED, 1);
                if ctx.logging() {
                    ctx.log(format!(
                        "took add_ok value {v} as the answer to #{}, which it does not answer",
                        call.seq
                    ));
                }
            }
        } else {
            ctx.count(metrics::GIVEN_UP, 1);
        }
        let before = ctx.world().expected();
        let lost = ctx.world().ended(me, call.seq);
        if lost > 0 {
            ctx.count(metrics::LOST, lost);
        }
        let expected = ctx.world().expected();
        if expected != before {
            let id = self.ids(ctx).expected;
            ctx.gauge_id(id, expected as f64);
        }
    }
}

impl Role<MessagePassingNode> for Client {
    fn name(&self) -> &str {
        "client"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) {
        // Calls left from before a crash: send them again, or give them up.
        if self.cfg.delivery.retries() {
            for i in 0..self.calls.len() {
                ctx.count(metrics::RETRIES, 1);
                self.send(ctx, i);
            }
        } else {
            while !self.calls.is_empty() {
                self.end(ctx, 0, None);
            }
        }
        self.fill(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, _from: usize, msg: Msg) {
        let Msg::AddOk { in_reply_to, value } = msg else {
            return;
        };
        let found = if self.cfg.correlation {
            in_reply_to.and_then(|id| self.calls.iter().position(|c| c.attempts.contains(&id)))
        } else {
            (!self.calls.is_empty()).then_some(0)
        };
        match found {
            Some(i) => {
                self.end(ctx, i, Some(value));
                if self.cfg.pace.is_none() {
                    self.fill(ctx);
                }
            }
            None => ctx.count(metrics::IGNORED, 1),
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, timer: Timer) {
        match timer {
            Timer::Pace => {
                self.pace_armed = false;
                if !self.active() {
                    return;
                }
                if self.cfg.pace.is_some() && self.calls.len() < self.room() {
                    self.start(ctx);
                }
                self.fill(ctx);
            }
            Timer::Timeout { seq, msg_id } => {
                let Some(i) = self
                    .calls
                    .iter()
                    .position(|c| c.seq == seq && c.attempts.last() == Some(&msg_id))
                else {
                    return;
                };
                ctx.count(metrics::TIMEOUTS, 1);
                self.calls[i].timer = None;
                if self.cfg.delivery.retries() {
                    ctx.count(metrics::RETRIES, 1);
                    self.send(ctx, i);
                } else {
                    self.end(ctx, i, None);
                    if self.cfg.pace.is_none() {
                        self.fill(ctx);
                    }
                }
            }
            Timer::Reply { .. } => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, MessagePassingNode>) {
        // The calls are on disk; their timers and the pace are not.
        for c in &mut self.calls {
            c.timer = None;
        }
        self.pace_armed = false;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if matches!(name, "clients" | "mode" | "window" | "pace") {
            self.fill(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let waiting = match self.calls.len() {
            0 if self.active() => "nothing".into(),
            0 => "nothing (off)".into(),
            1 => format!("#{}", self.calls[0].seq),
            n => format!("{n} calls"),
        };
        vec![
            ("role", "client".into()),
            ("waits for", waiting),
            ("done", self.done.to_string()),
            ("last", self.last.map_or("-".into(), |v| v.to_string())),
        ]
    }
}

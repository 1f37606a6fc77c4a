//! A client: asks for the lock, works with it for a while, checks that its
//! lease has not run out, prepares its write and sends it to the storage
//! with its fencing token, then releases the lock and rests.
//!
//! It judges its lease by its own clock: from the grant's arrival, less an
//! allowance for drift, with a single server (it may have waited in line
//! long before the grant); from the moment it asked with Redlock. The check before the write is what a
//! careful client does, and it is not enough: a pause after the check, or
//! a write held up in the network, lands after the lease is gone all the same.
//!
//! With Redlock it asks all five servers at once without waiting in line,
//! and holds the lock if a majority granted it and the time the asking took
//! leaves some validity: the lease minus the time elapsed minus a drift
//! allowance. Otherwise it releases whatever it got and tries again after a
//! random wait.

use super::config::{ASK_TIMEOUT, PREPARE, REASK, RETRY, STAGGER, THINK, WORK, WRITE_TIMEOUT};
use super::metrics::{ABANDONED, FAILED, HOLDERS, WAIT};
use super::msg::{Msg, Timer};
use super::{Config, GrantKey, LockNode, Topology};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Working,
    Preparing,
    Writing { seq: u32 },
}

#[derive(Clone, Debug)]
enum State {
    /// Resting, or waiting to try again.
    Idle,
    Asking {
        redlock: bool,
        value: u64,
        /// Its clock when it asked, in microseconds.
        asked_clock: i64,
        asked_at: Time,
        granted: Vec<usize>,
        answered: usize,
    },
    Holding {
        redlock: bool,
        token: Option<u64>,
        value: u64,
        /// The judge's number for this grant.
        grant: u64,
        /// The end of the lease on its own clock.
        lease_end: i64,
        step: Step,
    },
}

#[derive(Clone, Debug)]
pub struct Client {
    topo: Arc<Topology>,
    cfg: Config,
    /// Position among the clients: the first starts at once, the next
    /// a little later.
    pos: usize,
    /// Bumped at every change of state, so timers of an older state are ignored.
    attempt: u32,
    state: State,
    /// Durable: write numbers stay unique across crashes.
    seq: u32,
    started: bool,
    accepted: u64,
    refused: u64,
    /// Its clock minus virtual time, as of its last event.
    skew: i64,
}

impl Client {
    pub fn new(topo: Arc<Topology>, pos: usize, cfg: Config) -> Client {
        Client {
            topo,
            cfg,
            pos,
            attempt: 0,
            state: State::Idle,
            seq: 0,
            started: false,
            accepted: 0,
            refused: 0,
            skew: 0,
        }
    }

    /// Whether it believes it holds the lock.
    pub fn holding(&self) -> bool {
        matches!(self.state, State::Holding { .. })
    }

    fn on_granted(&mut self, ctx: &mut Ctx<'_, LockNode>, from: usize, token: u64, value: u64) {
        let single = self.topo.servers[0];
        match &mut self.state {
            State::Asking {
                redlock: false,
                asked_at,
                ..
            } if from == single => {
                // It may have waited in line for a long time: the lease
                // starts at the grant, which it dates by the answer, less
                // the same allowance for drift as Redlock's.
                let lease_end = ctx.clock() + self.cfg.lease.0 as i64 - self.cfg.drift().0 as i64;
                let asked_at = *asked_at;
                self.hold(ctx, false, Some(token), 0, lease_end, asked_at);
            }
            State::Asking {
                redlock: true,
                value: v,
                granted,
                answered,
                ..
            } if *v == value => {
                granted.push(from);
                *answered += 1;
                if *answered == self.topo.servers.len() {
                    self.decide(ctx);
                }
            }
            // The same grant again (it asked twice): nothing new.
            State::Holding {
                redlock: false,
                token: Some(t),
                ..
            } if *t == token && from == single => {}
            // A grant it no longer wants: hand it back.
            _ => ctx.send(from, Msg::Release { token, value }),
        }
    }

    fn ask(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        self.attempt += 1;
        let attempt = self.attempt;
        let redlock = self.cfg.redlock;
        let value = if redlock { ctx.world().next_value() } else { 0 };
        self.state = State::Asking {
            redlock,
            value,
            asked_clock: ctx.clock(),
            asked_at: ctx.now(),
            granted: Vec::new(),
            answered: 0,
        };
        if redlock {
            for &s in self.topo.servers.iter() {
                ctx.send(s, Msg::Acquire { value, wait: false });
            }
            ctx.set_timer(ASK_TIMEOUT, Timer::Decide { attempt });
        } else {
            ctx.send(self.topo.servers[0], Msg::Acquire { value, wait: true });
            ctx.set_timer(REASK, Timer::Reask { attempt });
        }
    }

    /// Redlock: a majority, in time, or try again.
    fn decide(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        let State::Asking {
            redlock: true,
            value,
            asked_clock,
            asked_at,
            granted,
            ..
        } = &self.state
        else {
            return;
        };
        let (value, asked_clock, asked_at) = (*value, *asked_clock, *asked_at);
        let got = granted.len();
        let quorum = self.topo.servers.len() / 2 + 1;
        let elapsed = ctx.clock() - asked_clock;
        let lease = self.cfg.lease.0 as i64;
        let drift = self.cfg.drift().0 as i64;
        let validity = lease - elapsed - drift;
        if got >= quorum && validity > 0 {
            if ctx.logging() {
                ctx.log(format!(
                    "{} won {got} of {} servers with value {value}: valid for {}",
                    ctx.name(ctx.me()),
                    self.topo.servers.len(),
                    Time(validity as u64)
                ));
            }
            self.hold(
                ctx,
                true,
                None,
                value,
                asked_clock + lease - drift,
                asked_at,
            );
        } else {
            if ctx.logging() {
                ctx.log(format!(
                    "{} won only {got} of {} servers with value {value}, and lets them go",
                    ctx.name(ctx.me()),
                    self.topo.servers.len()
                ));
            }
            ctx.count(FAILED, 1);
            for &s in self.topo.servers.iter() {
                ctx.send(s, Msg::Release { token: 0, value });
            }
            let extra = ctx.rng().random_range(0..=RETRY.0 / 2);
            self.rest(ctx, Time(RETRY.0 + extra));
        }
    }

    fn hold(
        &mut self,
        ctx: &mut Ctx<'_, LockNode>,
        redlock: bool,
        token: Option<u64>,
        value: u64,
        lease_end: i64,
        asked_at: Time,
    ) {
        let me = ctx.me();
        let key = match token {
            Some(t) => GrantKey::Token(t),
            None => GrantKey::Value(value),
        };
        let grant = ctx.world().acquired(me, key);
        let label = token.unwrap_or(value);
        ctx.gauge(&self.topo.holds_metrics[self.pos], label as f64);
        let n = ctx.world().believers() as f64;
        ctx.gauge(HOLDERS, n);
        ctx.observe(WAIT, ctx.now() - asked_at);
        self.attempt += 1;
        let attempt = self.attempt;
        self.state = State::Holding {
            redlock,
            token,
            value,
            grant,
            lease_end,
            step: Step::Working,
        };
        ctx.set_timer(WORK, Timer::Check { attempt });
    }

    fn check(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        let State::Holding {
            lease_end, step, ..
        } = &mut self.state
        else {
            return;
        };
        let left = *lease_end - ctx.clock();
        if left > 0 {
            *step = Step::Preparing;
            if ctx.logging() {
                ctx.log(format!(
                    "{} checks its lease: {} left on its clock; preparing the write",
                    ctx.name(ctx.me()),
                    Time(left as u64)
                ));
            }
            let attempt = self.attempt;
            ctx.set_timer(PREPARE, Timer::Send { attempt });
        } else {
            if ctx.logging() {
                ctx.log(format!(
                    "{} checks its lease: it ran out {} ago on its clock; it drops the write",
                    ctx.name(ctx.me()),
                    Time(left.unsigned_abs())
                ));
            }
            ctx.count(ABANDONED, 1);
            self.release_and_rest(ctx, THINK);
        }
    }

    fn send_write(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        let State::Holding {
            token, grant, step, ..
        } = &mut self.state
        else {
            return;
        };
        self.seq += 1;
        let seq = self.seq;
        *step = Step::Writing { seq };
        let (token, grant) = (*token, *grant);
        ctx.send(self.topo.store, Msg::Write { token, grant, seq });
        let attempt = self.attempt;
        ctx.set_timer(WRITE_TIMEOUT, Timer::WriteTimeout { attempt });
    }

    fn let_go(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        let me = ctx.me();
        let n = ctx.world().let_go(me) as f64;
        ctx.gauge(HOLDERS, n);
        ctx.gauge(&self.topo.holds_metrics[self.pos], 0.0);
    }

    /// Releases the lock (if it holds it) and asks again after `wait`.
    fn release_and_rest(&mut self, ctx: &mut Ctx<'_, LockNode>, wait: Time) {
        if let State::Holding {
            redlock,
            token,
            value,
            ..
        } = self.state
        {
            let token = token.unwrap_or(0);
            if redlock {
                for &s in self.topo.servers.iter() {
                    ctx.send(s, Msg::Release { token, value });
                }
            } else {
                ctx.send(self.topo.servers[0], Msg::Release { token, value });
            }
            self.let_go(ctx);
        }
        self.rest(ctx, wait);
    }

    fn rest(&mut self, ctx: &mut Ctx<'_, LockNode>, wait: Time) {
        self.state = State::Idle;
        self.attempt += 1;
        let attempt = self.attempt;
        ctx.set_timer(wait, Timer::Ask { attempt });
    }
}

impl Role<LockNode> for Client {
    fn name(&self) -> &str {
        if self.holding() { "holder" } else { "client" }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        self.skew = ctx.clock() - ctx.now().0 as i64;
        self.state = State::Idle;
        self.attempt += 1;
        let wait = if self.started {
            THINK
        } else {
            Time(STAGGER.0 * self.pos as u64 + 1)
        };
        self.started = true;
        let attempt = self.attempt;
        ctx.set_timer(wait, Timer::Ask { attempt });
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LockNode>, from: usize, msg: Msg) {
        self.skew = ctx.clock() - ctx.now().0 as i64;
        match msg {
            Msg::Granted { token, value } => self.on_granted(ctx, from, token, value),
            Msg::Refused { value } => {
                if let State::Asking {
                    redlock: true,
                    value: v,
                    answered,
                    ..
                } = &mut self.state
                    && *v == value
                {
                    *answered += 1;
                    if *answered == self.topo.servers.len() {
                        self.decide(ctx);
                    }
                }
            }
            Msg::WriteReply { seq, accepted } => {
                let State::Holding {
                    step: Step::Writing { seq: s },
                    ..
                } = self.state
                else {
                    return;
                };
                if s != seq {
                    return;
                }
                if accepted {
                    self.accepted += 1;
                } else {
                    self.refused += 1;
                    ctx.log(format!(
                        "{}: the storage refused its write: its token is out of date",
                        ctx.name(ctx.me())
                    ));
                }
                self.release_and_rest(ctx, THINK);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, LockNode>, timer: Timer) {
        self.skew = ctx.clock() - ctx.now().0 as i64;
        match timer {
            Timer::Ask { attempt } if attempt == self.attempt => self.ask(ctx),
            Timer::Reask { attempt } if attempt == self.attempt => {
                if let State::Asking { value, .. } = self.state {
                    ctx.send(self.topo.servers[0], Msg::Acquire { value, wait: true });
                    ctx.set_timer(REASK, Timer::Reask { attempt });
                }
            }
            Timer::Decide { attempt } if attempt == self.attempt => self.decide(ctx),
            Timer::Check { attempt } if attempt == self.attempt => self.check(ctx),
            Timer::Send { attempt } if attempt == self.attempt => self.send_write(ctx),
            Timer::WriteTimeout { attempt } if attempt == self.attempt => {
                ctx.log(format!(
                    "{} hears nothing from the storage and gives up its write",
                    ctx.name(ctx.me())
                ));
                self.release_and_rest(ctx, THINK);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        if self.holding() {
            self.let_go(ctx);
        }
        self.state = State::Idle;
        self.attempt += 1;
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, LockNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let (state, token, lease) = match &self.state {
            State::Idle => ("resting", "-".to_string(), "-".to_string()),
            State::Asking { .. } => ("asking", "-".to_string(), "-".to_string()),
            State::Holding {
                token,
                value,
                lease_end,
                step,
                ..
            } => {
                let s = match step {
                    Step::Working => "working",
                    Step::Preparing => "preparing",
                    Step::Writing { .. } => "writing",
                };
                let t = token.map_or(format!("value {value}"), |t| t.to_string());
                let end = (*lease_end - self.skew).max(0) as u64;
                (s, t, format!("to {}", Time(end)))
            }
        };
        vec![
            (
                "role",
                if self.holding() { "holder" } else { "client" }.into(),
            ),
            ("state", state.into()),
            ("token", token),
            ("lease", lease),
            ("written", self.accepted.to_string()),
            ("refused", self.refused.to_string()),
        ]
    }
}

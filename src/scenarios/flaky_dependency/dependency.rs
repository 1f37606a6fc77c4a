//! A downstream service with three moods, switched by commands:
//!
//! - `recover` (healthy): answers each call after a normally distributed
//!   service time, all calls concurrently (no queue of its own);
//! - `hang`: answers, but only after `hang_time`, the worst kind of failure
//!   for a caller, because nothing tells it to stop waiting;
//! - `fail`: answers every call at once with an error, like a refused
//!   connection: bad news, but cheap news.
//!
//! Calls already waiting when the mood changes: `fail` answers them with an
//! error at once (the process went away and their connections broke);
//! `recover` answers them at once (the stall cleared); `hang` leaves them be.

use super::FlakyNode;
use super::breaker::State;
use super::config::Settings;
use super::metrics::names;
use super::msg::{Ep, Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time, TimerId};
use rand_distr::{Distribution, Normal};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Healthy,
    Hanging,
    Down,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Healthy => "healthy",
            Mode::Hanging => "hanging",
            Mode::Down => "down",
        }
    }
}

#[derive(Clone, Debug)]
struct Pending {
    from: usize,
    task: u64,
    attempt: u32,
    timer: TimerId,
}

#[derive(Clone, Debug)]
pub struct Dependency {
    /// Which endpoint this dependency backs.
    ep: Ep,
    settings: Settings,
    mode: Mode,
    next: u64,
    pending: BTreeMap<u64, Pending>,
}

impl Dependency {
    pub fn new(ep: Ep, settings: Settings) -> Dependency {
        Dependency {
            ep,
            settings,
            mode: Mode::Healthy,
            next: 0,
            pending: BTreeMap::new(),
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    fn answer(&mut self, ctx: &mut Ctx<'_, FlakyNode>, p: Pending, ok: bool) {
        let reply = Msg::CallReply {
            task: p.task,
            attempt: p.attempt,
            ok,
        };
        ctx.send(p.from, reply);
    }

    /// Normal around `service_time` with a quarter of it as spread (5 ms at
    /// the default 20 ms), never below a tenth of it.
    fn service_time(&self, ctx: &mut Ctx<'_, FlakyNode>) -> Time {
        let mean = self.settings.service_time.as_micros() as f64;
        let normal = Normal::new(mean, mean / 4.0).expect("spread is finite");
        let us = normal.sample(ctx.rng()).max(mean / 10.0);
        Time(us.round() as u64)
    }

    /// Writes down the recovery for the front end's breaker-close measurement.
    /// A breaker that is closed already closes in no time at all; with the
    /// breaker off there is nothing to measure.
    fn note_recovery(&mut self, ctx: &mut Ctx<'_, FlakyNode>) {
        let i = self.ep.index();
        let now = ctx.now();
        let breaker = ctx.world().breaker[i];
        let r = &mut ctx.world().recovery[i];
        r.at = Some(now);
        r.measured = !matches!(breaker, Some(State::Open | State::HalfOpen));
        if breaker == Some(State::Closed) {
            ctx.observe(names(self.ep).recovery_close, Time::ZERO);
        }
    }
}

impl Role<FlakyNode> for Dependency {
    fn name(&self) -> &str {
        "dependency"
    }

    /// Its mood survives a restart: a hung or broken service is usually
    /// still hung or broken after one.
    fn on_start(&mut self, _ctx: &mut Ctx<'_, FlakyNode>) {}

    fn on_message(&mut self, ctx: &mut Ctx<'_, FlakyNode>, from: usize, msg: Msg) {
        let Msg::Call { task, attempt } = msg else {
            return;
        };
        let delay = match self.mode {
            Mode::Down => {
                ctx.send(
                    from,
                    Msg::CallReply {
                        task,
                        attempt,
                        ok: false,
                    },
                );
                return;
            }
            Mode::Healthy => self.service_time(ctx),
            Mode::Hanging => self.settings.hang_time + self.service_time(ctx),
        };
        let id = self.next;
        self.next += 1;
        let timer = ctx.set_timer(delay, Timer::Answer { pending: id });
        let p = Pending {
            from,
            task,
            attempt,
            timer,
        };
        self.pending.insert(id, p);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, FlakyNode>, timer: Timer) {
        if let Timer::Answer { pending } = timer
            && let Some(p) = self.pending.remove(&pending)
        {
            self.answer(ctx, p, true);
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, FlakyNode>) {
        self.pending.clear();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, FlakyNode>, name: &str, value: &KnobValue) {
        self.settings.set(name, value);
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, FlakyNode>, command: &str) {
        let mode = match command {
            "hang" => Mode::Hanging,
            "fail" => Mode::Down,
            "recover" => Mode::Healthy,
            _ => return,
        };
        let me = ctx.name(ctx.me()).to_string();
        ctx.log(format!(
            "{me}: {command} ({} -> {})",
            self.mode.name(),
            mode.name()
        ));
        self.mode = mode;
        if mode != Mode::Hanging {
            let ok = mode == Mode::Healthy;
            for (_, p) in std::mem::take(&mut self.pending) {
                ctx.cancel_timer(p.timer);
                self.answer(ctx, p, ok);
            }
        }
        if mode == Mode::Healthy {
            self.note_recovery(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("mode", self.mode.name().to_string()),
            ("waiting", self.pending.len().to_string()),
        ]
    }
}

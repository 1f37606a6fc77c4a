//! The load generator: independent Poisson arrivals per endpoint, and the
//! judge of each request's outcome as a user would see it.
//!
//! Arrivals are open-loop: a client keeps sending at its rate whatever
//! happens to earlier requests, the way real users keep clicking. That is what
//! turns a slow dependency into a pile-up rather than a slowdown.

use super::FlakyNode;
use super::config::Settings;
use super::metrics::names;
use super::msg::{Answer, Ep, Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time, TimerId};
use rand_distr::{Distribution, Exp};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Outstanding {
    ep: Ep,
    sent: Time,
    deadline: TimerId,
}

#[derive(Clone, Debug)]
pub struct Client {
    frontend: usize,
    settings: Settings,
    next_id: u64,
    /// Bumped when a rate changes, so the old arrival timer goes stale.
    round: [u64; 2],
    arrival: [Option<TimerId>; 2],
    outstanding: BTreeMap<u64, Outstanding>,
    /// Outcomes seen (success, degraded, failed), for display.
    tally: [u64; 3],
}

impl Client {
    pub fn new(frontend: usize, settings: Settings) -> Client {
        Client {
            frontend,
            settings,
            next_id: 0,
            round: [0; 2],
            arrival: [None; 2],
            outstanding: BTreeMap::new(),
            tally: [0; 3],
        }
    }

    fn send(&mut self, ctx: &mut Ctx<'_, FlakyNode>, ep: Ep) {
        let id = self.next_id;
        self.next_id += 1;
        ctx.send(self.frontend, Msg::Request { id, ep });
        let deadline = ctx.set_timer(self.settings.client_deadline, Timer::Deadline { id });
        let sent = ctx.now();
        self.outstanding
            .insert(id, Outstanding { ep, sent, deadline });
    }

    /// Draws the gap to the next arrival: exponential with mean 1/rate.
    fn schedule_arrival(&mut self, ctx: &mut Ctx<'_, FlakyNode>, ep: Ep) {
        let rate = self.settings.rates()[ep.index()];
        if rate == 0 {
            return;
        }
        let gap = Exp::new(rate as f64)
            .expect("rate is positive")
            .sample(ctx.rng());
        let round = self.round[ep.index()];
        let t = ctx.set_timer(Time::from_secs_f64(gap), Timer::Arrival { ep, round });
        self.arrival[ep.index()] = Some(t);
    }

    /// Records a finished request. Every metric is written at completion, so
    /// in any window `requests = success + degraded + failed`.
    fn complete(&mut self, ctx: &mut Ctx<'_, FlakyNode>, o: Outstanding, answer: Answer) {
        let n = names(o.ep);
        let (outcome, slot) = match answer {
            Answer::Success => (n.success, 0),
            Answer::Degraded => (n.degraded, 1),
            Answer::Error => (n.failed, 2),
        };
        self.tally[slot] += 1;
        ctx.count(n.requests, 1);
        ctx.count(outcome, 1);
        ctx.observe(n.latency, ctx.now() - o.sent);
    }
}

impl Role<FlakyNode> for Client {
    fn name(&self) -> &str {
        "client"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, FlakyNode>) {
        for ep in Ep::BOTH {
            self.schedule_arrival(ctx, ep);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, FlakyNode>, _from: usize, msg: Msg) {
        let Msg::Reply { id, answer } = msg else {
            return;
        };
        // A reply after the deadline finds nothing: the user already left.
        if let Some(o) = self.outstanding.remove(&id) {
            ctx.cancel_timer(o.deadline);
            self.complete(ctx, o, answer);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, FlakyNode>, timer: Timer) {
        match timer {
            Timer::Arrival { ep, round } if round == self.round[ep.index()] => {
                self.arrival[ep.index()] = None;
                self.send(ctx, ep);
                self.schedule_arrival(ctx, ep);
            }
            Timer::Deadline { id } => {
                if let Some(o) = self.outstanding.remove(&id) {
                    self.complete(ctx, o, Answer::Error);
                }
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, FlakyNode>) {
        self.outstanding.clear();
        self.arrival = [None; 2];
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, FlakyNode>, name: &str, value: &KnobValue) {
        let before = self.settings.rates();
        self.settings.set(name, value);
        for ep in Ep::BOTH {
            let i = ep.index();
            if self.settings.rates()[i] != before[i] {
                if let Some(t) = self.arrival[i].take() {
                    ctx.cancel_timer(t);
                }
                self.round[i] += 1;
                self.schedule_arrival(ctx, ep);
            }
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let [ok, degraded, failed] = self.tally;
        vec![
            ("waiting", self.outstanding.len().to_string()),
            ("ok/degraded/failed", format!("{ok}/{degraded}/{failed}")),
        ]
    }
}

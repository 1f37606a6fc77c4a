//! The producer: publishes `rate` orders a second to the broker, each with
//! an id of its own and a message group (the customer), and keeps every
//! message until the broker confirms it has stored it, publishing it again
//! every `RESEND` until then. The `burst` command makes it publish five
//! times the consumers' capacity for ten seconds; `poison` publishes one
//! message no consumer can process. What it has published and not had
//! confirmed is durable.

use super::OrderQueueNode;
use super::config::{BURST_FACTOR, BURST_FOR, CAPACITY, Config, GROUPS, LARGE_EVERY, RESEND};
use super::msg::{Kind, Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Producer {
    cfg: Config,
    broker: usize,
    /// Durable: ids stay unique across crashes.
    next: u64,
    /// Durable: published and not yet confirmed, with when last sent.
    unconfirmed: BTreeMap<u64, (u8, Kind, Time)>,
    /// Durable: when the burst under way ends.
    burst_until: Option<Time>,
    confirmed: u64,
}

impl Producer {
    pub fn new(cfg: Config, broker: usize) -> Producer {
        Producer {
            cfg,
            broker,
            next: 1,
            unconfirmed: BTreeMap::new(),
            burst_until: None,
            confirmed: 0,
        }
    }

    /// Ids published so far (the next id is this plus one).
    pub fn published(&self) -> u64 {
        self.next - 1
    }

    /// Messages not yet confirmed by the broker.
    pub fn unconfirmed(&self) -> usize {
        self.unconfirmed.len()
    }

    fn publish(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, poison: bool) {
        let id = self.next;
        self.next += 1;
        let group = ctx.rng().random_range(0..GROUPS);
        let kind = if poison {
            Kind::Poison
        } else if id.is_multiple_of(LARGE_EVERY) {
            Kind::Large
        } else {
            Kind::Normal
        };
        self.unconfirmed.insert(id, (group, kind, ctx.now()));
        ctx.send(self.broker, Msg::Publish { id, group, kind });
    }

    fn burst_rate(&self) -> u32 {
        BURST_FACTOR * CAPACITY * self.cfg.consumers
    }
}

fn every(rate: u32) -> Time {
    Time(1_000_000 / u64::from(rate.max(1)))
}

impl Role<OrderQueueNode> for Producer {
    fn name(&self) -> &str {
        "producer"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        ctx.set_timer(every(self.cfg.rate), Timer::Tick);
        ctx.set_timer(RESEND, Timer::Resend);
        if self.burst_until.is_some_and(|t| t > ctx.now()) {
            ctx.set_timer(every(self.burst_rate()), Timer::BurstTick);
        }
    }

    fn on_message(&mut self, _ctx: &mut Ctx<'_, OrderQueueNode>, _from: usize, msg: Msg) {
        if let Msg::Confirm { id } = msg
            && self.unconfirmed.remove(&id).is_some()
        {
            self.confirmed += 1;
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, timer: Timer) {
        match timer {
            Timer::Tick => {
                self.publish(ctx, false);
                // A little jitter, so that arrivals are not in lockstep with work.
                let base = every(self.cfg.rate).0;
                let jitter = ctx.rng().random_range(0..=base / 5);
                ctx.set_timer(Time(base - base / 10 + jitter), Timer::Tick);
            }
            Timer::BurstTick => {
                let Some(until) = self.burst_until else {
                    return;
                };
                if ctx.now() >= until {
                    self.burst_until = None;
                    ctx.world().burst_ended();
                    return;
                }
                self.publish(ctx, false);
                ctx.set_timer(every(self.burst_rate()), Timer::BurstTick);
            }
            Timer::Resend => {
                let now = ctx.now();
                let due: Vec<(u64, u8, Kind)> = self
                    .unconfirmed
                    .iter()
                    .filter(|(_, (_, _, at))| now.saturating_sub(*at) >= RESEND)
                    .take(200)
                    .map(|(&id, &(g, k, _))| (id, g, k))
                    .collect();
                for (id, group, kind) in due {
                    if let Some(e) = self.unconfirmed.get_mut(&id) {
                        e.2 = now;
                    }
                    ctx.send(self.broker, Msg::Publish { id, group, kind });
                }
                ctx.set_timer(RESEND, Timer::Resend);
            }
            _ => {}
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, command: &str) {
        match command {
            "burst" => {
                let now = ctx.now();
                let already = self.burst_until.is_some_and(|t| t > now);
                self.burst_until = Some(now + BURST_FOR);
                ctx.world().burst_started(now);
                if !already {
                    ctx.set_timer(Time::ZERO, Timer::BurstTick);
                }
                if ctx.logging() {
                    let rate = self.burst_rate();
                    ctx.log(format!("burst: {rate} messages a second for 10 s"));
                }
            }
            "poison" => {
                self.publish(ctx, true);
                if ctx.logging() {
                    let id = self.next - 1;
                    ctx.log(format!("published poison message m{id}"));
                }
            }
            _ => {}
        }
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, OrderQueueNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "producer".into()),
            ("state", format!("sent m1–m{}", self.published())),
            ("unconfirmed", self.unconfirmed.len().to_string()),
        ]
    }
}

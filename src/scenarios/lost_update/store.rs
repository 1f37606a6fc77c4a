//! The store: holds the count and its version, and serves one request at a
//! time, each taking `store_time`. What arrives meanwhile waits in line, in
//! arrival order; in actor mode that line is the owner's mailbox.
//!
//! A request is answered as soon as its turn comes, and the store stays busy
//! for `store_time` after it: the same capacity as answering at the end, and
//! a learner delivering messages by hand sees the answer at once.

use super::LostUpdateNode;
use super::config::Config;
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct Store {
    cfg: Config,
    /// Durable: the count and its version survive a crash.
    count: i64,
    version: u64,
    queue: VecDeque<(usize, Msg)>,
    busy_until: Time,
    /// Whether a `Serve` timer is set.
    armed: bool,
    served: u64,
}

impl Store {
    pub fn new(cfg: Config) -> Store {
        Store {
            cfg,
            count: 0,
            version: 0,
            queue: VecDeque::new(),
            busy_until: Time::ZERO,
            armed: false,
            served: 0,
        }
    }

    pub fn count(&self) -> i64 {
        self.count
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Serves what waits, as far as the store is free, and sets a timer for
    /// when it is free again.
    fn pump(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        while !self.armed && !self.queue.is_empty() {
            let now = ctx.now();
            if now < self.busy_until {
                self.armed = true;
                ctx.set_timer(self.busy_until - now, Timer::Serve);
            } else if let Some((from, msg)) = self.queue.pop_front() {
                self.busy_until = now + self.cfg.store_time;
                self.serve(ctx, from, msg);
            }
        }
        ctx.gauge(metrics::QUEUE, self.queue.len() as f64);
    }

    fn serve(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, from: usize, msg: Msg) {
        self.served += 1;
        match msg {
            Msg::Read { op } => ctx.send(
                from,
                Msg::Value {
                    op,
                    count: self.count,
                    version: self.version,
                },
            ),
            Msg::Write { op, count } => {
                self.apply(ctx, from, count);
                ctx.send(from, Msg::Written { op });
            }
            Msg::Incr { op } => {
                self.apply(ctx, from, self.count + 1);
                ctx.send(
                    from,
                    Msg::Incremented {
                        op,
                        count: self.count,
                    },
                );
            }
            Msg::Cas { op, version, count } => {
                if version == self.version {
                    self.apply(ctx, from, count);
                    ctx.send(
                        from,
                        Msg::CasOk {
                            op,
                            version: self.version,
                        },
                    );
                } else {
                    ctx.count(metrics::CONFLICTS, 1);
                    ctx.send(
                        from,
                        Msg::CasConflict {
                            op,
                            version: self.version,
                        },
                    );
                }
            }
            Msg::Add { op } => {
                self.apply(ctx, from, self.count + 1);
                ctx.send(from, Msg::Added { op });
            }
            _ => {}
        }
    }

    /// Sets the count for an increment from `from`, and lets the judge see it.
    fn apply(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, from: usize, count: i64) {
        let before = self.count;
        self.count = count;
        self.version += 1;
        let lost = ctx.world().applied(count);
        let expected = ctx.world().expected();
        ctx.gauge(metrics::ACTUAL, count as f64);
        ctx.gauge(metrics::EXPECTED, expected as f64);
        if lost > 0 {
            ctx.count(metrics::LOST, lost);
            if ctx.logging() {
                let who = ctx.name(from).to_string();
                ctx.log(format!(
                    "{who} wrote {count} over {before}: {lost} update(s) lost \
                     (expected {expected})"
                ));
            }
        }
    }
}

impl Role<LostUpdateNode> for Store {
    fn name(&self) -> &str {
        "store"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        ctx.gauge(metrics::ACTUAL, self.count as f64);
        ctx.gauge(metrics::QUEUE, 0.0);
        let expected = ctx.world().expected() as f64;
        ctx.gauge(metrics::EXPECTED, expected);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, from: usize, msg: Msg) {
        if !msg.is_store_request() {
            return;
        }
        self.queue.push_back((from, msg));
        self.pump(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, timer: Timer) {
        match timer {
            Timer::Serve => {
                // A timer can fire late, never early; one left over from
                // before a knob change may fire early and is ignored.
                if ctx.now() < self.busy_until {
                    return;
                }
                self.armed = false;
                self.pump(ctx);
            }
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, LostUpdateNode>) {
        self.queue.clear();
        self.busy_until = Time::ZERO;
        self.armed = false;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "store_time" {
            // Finish the current request at the new pace.
            let now = ctx.now();
            self.busy_until = self.busy_until.min(now + self.cfg.store_time);
            self.armed = false;
            self.pump(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "store".into()),
            ("count", self.count.to_string()),
            ("version", self.version.to_string()),
            ("queue", self.queue.len().to_string()),
            ("served", self.served.to_string()),
        ]
    }
}

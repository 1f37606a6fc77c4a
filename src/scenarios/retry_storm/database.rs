//! The database. It holds the one row the writers contend for (a version,
//! read and conditionally written at once, as in the AWS blog's model), and
//! serves the service's calls one at a time, `db_time` each, from a queue of
//! at most `db_queue`; a call that finds the queue full is answered
//! `overloaded` at once, and a malformed call is refused at once (checking
//! it costs next to nothing). With deadlines on, a call whose deadline has passed
//! by the time its turn comes is skipped without being served.

use super::RetryNode;
use super::config::Config;
use super::metrics;
use super::msg::{Kind, Msg, Outcome, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug)]
struct Queued {
    from: usize,
    id: u64,
    origin: u64,
    kind: Kind,
    deadline: Option<Time>,
}

/// Seconds over which the amplification gauge is taken.
pub const AMP_WINDOW: usize = 5;

#[derive(Clone, Debug)]
pub struct Database {
    cfg: Config,
    /// Durable: the row's version.
    version: u64,
    queue: VecDeque<Queued>,
    serving: Option<Queued>,
    calls: u64,
    /// (calls here, user requests) at each of the last seconds' ticks.
    history: VecDeque<(u64, u64)>,
}

impl Database {
    pub fn new(cfg: Config) -> Database {
        Database {
            cfg,
            version: 0,
            queue: VecDeque::new(),
            serving: None,
            calls: 0,
            history: VecDeque::new(),
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn queued(&self) -> usize {
        self.queue.len() + usize::from(self.serving.is_some())
    }

    fn pump(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        let now = ctx.now();
        while self.serving.is_none() {
            let Some(q) = self.queue.pop_front() else {
                break;
            };
            if self.cfg.deadline && q.deadline.is_some_and(|d| d <= now) {
                ctx.count(metrics::DB_SKIPPED, 1);
                continue;
            }
            self.serving = Some(q);
            ctx.set_timer(self.cfg.db_time, Timer::Serve);
        }
        ctx.gauge(metrics::DB_QUEUE, self.queued() as f64);
    }

    fn served(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        let Some(q) = self.serving.take() else {
            return;
        };
        if q.kind == Kind::Order {
            ctx.world().order_placed(q.origin);
        }
        let outcome = if q.kind == Kind::Bad {
            Outcome::Invalid
        } else {
            Outcome::Ok
        };
        ctx.count(metrics::DB_SERVED, 1);
        if !ctx.world().is_open(q.origin) {
            // Nobody is waiting for this any more: the work is wasted.
            ctx.count(metrics::DB_WASTED, 1);
        }
        ctx.send(
            q.from,
            Msg::Reply {
                id: q.id,
                outcome,
            },
        );
    }
}

impl Role<RetryNode> for Database {
    fn name(&self) -> &str {
        "database"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        ctx.gauge(metrics::DB_QUEUE, 0.0);
        ctx.set_timer(Time::secs(1), Timer::Tick);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, RetryNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Read { c, contest } => ctx.send(
                from,
                Msg::Value {
                    c,
                    contest,
                    version: self.version,
                },
            ),
            Msg::Write { c, contest, version } => {
                let ok = version == self.version;
                if ok {
                    self.version += 1;
                    ctx.world().write_accepted(version, self.version);
                }
                ctx.send(from, Msg::Written { c, contest, ok });
            }
            Msg::Call {
                id,
                origin,
                kind,
                deadline,
            } => {
                self.calls += 1;
                ctx.count(metrics::CALLS_DB, 1);
                if kind == Kind::Bad {
                    // Validation is cheap: a malformed call is refused at once.
                    ctx.send(
                        from,
                        Msg::Reply {
                            id,
                            outcome: Outcome::Invalid,
                        },
                    );
                    return;
                }
                if self.queue.len() >= self.cfg.db_queue {
                    ctx.count(metrics::DB_REJECTED, 1);
                    ctx.send(
                        from,
                        Msg::Reply {
                            id,
                            outcome: Outcome::Overloaded,
                        },
                    );
                    return;
                }
                self.queue.push_back(Queued {
                    from,
                    id,
                    origin,
                    kind,
                    deadline,
                });
                self.pump(ctx);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, RetryNode>, timer: Timer) {
        match timer {
            Timer::Serve => {
                self.served(ctx);
                self.pump(ctx);
            }
            Timer::Tick => {
                let requests = ctx.world().requests();
                self.history.push_back((self.calls, requests));
                if self.history.len() > AMP_WINDOW + 1 {
                    self.history.pop_front();
                }
                if let (Some(a), Some(b)) = (self.history.front(), self.history.back()) {
                    let users = b.1 - a.1;
                    if users > 0 {
                        let amp = (b.0 - a.0) as f64 / users as f64;
                        ctx.gauge(metrics::DB_AMPLIFICATION, amp);
                    }
                }
                ctx.set_timer(Time::secs(1), Timer::Tick);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, RetryNode>) {
        self.queue.clear();
        self.serving = None;
        self.history.clear();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, RetryNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![("role", "database".into())];
        if self.calls == 0 || self.version > 0 {
            v.push(("version", self.version.to_string()));
        }
        if self.calls > 0 {
            v.push(("queue", self.queued().to_string()));
            v.push(("calls", self.calls.to_string()));
        }
        v
    }
}

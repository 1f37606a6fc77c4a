//! The writers: `clients` logical clients on one node, each updating the
//! database's one row exactly once per contest with optimistic concurrency
//! (read the version, write conditionally on it, back off and start again on
//! a conflict). All start together, as in the AWS Architecture Blog's
//! simulation; a contest ends when the last of them has succeeded, and the
//! next begins a second later.
//!
//! Changing `clients`, `backoff`, `base` or `cap` starts a new contest, so
//! every contest measures one setting.

use super::RetryNode;
use super::backoff::Sleeper;
use super::config::Config;
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};

/// The pause between two contests.
pub const GAP: Time = Time::secs(1);
/// How long a writer waits for an answer before counting the request lost.
pub const LOST_AFTER: Time = Time::secs(1);
/// Writers whose backoff the screen shows as spans.
pub const SHOWN: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Writing,
    Sleeping,
    Done,
}

#[derive(Clone, Debug)]
struct Writer {
    stage: Stage,
    failures: u32,
    sleeper: Sleeper,
    /// When its last request left.
    sent_at: Time,
}

#[derive(Clone, Debug)]
pub struct Writers {
    cfg: Config,
    db: usize,
    /// Durable: the number of the current contest, so answers to an
    /// earlier one are never taken for this one's.
    contest: u32,
    started: Time,
    writers: Vec<Writer>,
    finished: usize,
    writes: u64,
    /// Contests finished since the setting last changed, and their writes,
    /// for the running mean.
    contests: u64,
    all_writes: u64,
    /// Whether the once-a-second check for unanswered requests is set.
    checking: bool,
}

impl Writers {
    pub fn new(cfg: Config, db: usize) -> Writers {
        Writers {
            cfg,
            db,
            contest: 0,
            started: Time::ZERO,
            writers: Vec::new(),
            finished: 0,
            writes: 0,
            contests: 0,
            all_writes: 0,
            checking: false,
        }
    }

    pub fn contest(&self) -> u32 {
        self.contest
    }

    /// Writers that have succeeded in this contest, of how many.
    pub fn progress(&self) -> (usize, usize) {
        (self.finished, self.writers.len())
    }

    fn start_contest(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        self.contest += 1;
        self.started = ctx.now();
        self.finished = 0;
        self.writes = 0;
        let n = self.cfg.clients;
        self.writers = (0..n)
            .map(|_| Writer {
                stage: Stage::Reading,
                failures: 0,
                sleeper: Sleeper::new(self.cfg.base),
                sent_at: Time::ZERO,
            })
            .collect();
        if !self.checking {
            self.checking = true;
            ctx.set_timer(LOST_AFTER, Timer::Check);
        }
        ctx.gauge(metrics::CONTEST_DONE, 0.0);
        ctx.gauge(metrics::CONTEST_WRITES, 0.0);
        ctx.gauge(metrics::CONTEST_ELAPSED, 0.0);
        for c in 0..n {
            self.read(ctx, c);
        }
    }

    /// Stops the current contest without counting it, and starts another
    /// after the gap.
    fn restart(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        self.writers.clear();
        self.contest += 1;
        // The mean is of the contests of one setting.
        self.contests = 0;
        self.all_writes = 0;
        for c in 0..SHOWN {
            ctx.gauge(metrics::BACKOFF[c], 0.0);
        }
        ctx.set_timer(
            GAP,
            Timer::NextContest {
                contest: self.contest,
            },
        );
    }

    fn send(&mut self, ctx: &mut Ctx<'_, RetryNode>, c: usize, msg: Msg) {
        self.writers[c].sent_at = ctx.now();
        ctx.send(self.db, msg);
    }

    fn read(&mut self, ctx: &mut Ctx<'_, RetryNode>, c: usize) {
        self.writers[c].stage = Stage::Reading;
        if c < SHOWN {
            ctx.gauge(metrics::BACKOFF[c], 0.0);
        }
        let contest = self.contest;
        self.send(
            ctx,
            c,
            Msg::Read {
                c: c as u16,
                contest,
            },
        );
    }

    /// Writer `c` failed (a conflict, or no answer): back off, then read again.
    fn failed(&mut self, ctx: &mut Ctx<'_, RetryNode>, c: usize) {
        let (policy, base, cap) = (self.cfg.backoff, self.cfg.base, self.cfg.cap);
        let w = &mut self.writers[c];
        w.failures += 1;
        let n = w.failures;
        let mut sleeper = w.sleeper;
        let sleep = sleeper.sleep(policy, base, cap, n, ctx.rng());
        let w = &mut self.writers[c];
        w.sleeper = sleeper;
        if sleep == Time::ZERO {
            self.read(ctx, c);
            return;
        }
        w.stage = Stage::Sleeping;
        if c < SHOWN {
            ctx.gauge(metrics::BACKOFF[c], sleep.as_millis_f64().max(0.001));
        }
        ctx.observe(metrics::SLEEP, sleep);
        let contest = self.contest;
        ctx.set_timer(
            sleep,
            Timer::Retry {
                c: c as u16,
                contest,
            },
        );
    }

    fn succeeded(&mut self, ctx: &mut Ctx<'_, RetryNode>, c: usize) {
        self.writers[c].stage = Stage::Done;
        self.finished += 1;
        ctx.gauge(metrics::CONTEST_DONE, self.finished as f64);
        if self.finished < self.writers.len() {
            return;
        }
        // The last writer is through: the contest is over.
        let took = ctx.now() - self.started;
        ctx.gauge(metrics::CONTEST_ELAPSED, took.as_secs_f64());
        self.contests += 1;
        self.all_writes += self.writes;
        ctx.observe(metrics::CONTEST_TIME, took);
        ctx.count(metrics::CONTESTS, 1);
        ctx.count(metrics::CONTEST_CALLS, self.writes);
        ctx.gauge(
            metrics::CALLS_MEAN,
            self.all_writes as f64 / self.contests as f64,
        );
        if ctx.logging() {
            ctx.log(format!(
                "contest {} over: {} writers, {} conditional writes, {:.0} ms",
                self.contest,
                self.writers.len(),
                self.writes,
                took.as_millis_f64()
            ));
        }
        ctx.set_timer(
            GAP,
            Timer::NextContest {
                contest: self.contest,
            },
        );
    }

    fn writer(&self, c: u16, contest: u32, stage: Stage) -> Option<usize> {
        let c = c as usize;
        (contest == self.contest && self.writers.get(c).is_some_and(|w| w.stage == stage))
            .then_some(c)
    }
}

impl Role<RetryNode> for Writers {
    fn name(&self) -> &str {
        "writers"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, RetryNode>) {
        if self.cfg.clients > 0 {
            self.start_contest(ctx);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, RetryNode>, _from: usize, msg: Msg) {
        match msg {
            Msg::Value {
                c,
                contest,
                version,
            } => {
                let Some(c) = self.writer(c, contest, Stage::Reading) else {
                    return;
                };
                self.writers[c].stage = Stage::Writing;
                self.writes += 1;
                ctx.count(metrics::WRITES, 1);
                ctx.gauge(metrics::CONTEST_WRITES, self.writes as f64);
                self.send(
                    ctx,
                    c,
                    Msg::Write {
                        c: c as u16,
                        contest,
                        version,
                    },
                );
            }
            Msg::Written { c, contest, ok } => {
                let Some(c) = self.writer(c, contest, Stage::Writing) else {
                    return;
                };
                if ok {
                    self.succeeded(ctx, c);
                } else {
                    ctx.count(metrics::CONFLICTS, 1);
                    self.failed(ctx, c);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, RetryNode>, timer: Timer) {
        match timer {
            Timer::Retry { c, contest } => {
                if let Some(c) = self.writer(c, contest, Stage::Sleeping) {
                    self.read(ctx, c);
                }
            }
            Timer::Check => {
                // A request unanswered for a second was lost (or the
                // database is down): it counts as a failure.
                let now = ctx.now();
                let stale: Vec<usize> = (0..self.writers.len())
                    .filter(|&c| {
                        let w = &self.writers[c];
                        matches!(w.stage, Stage::Reading | Stage::Writing)
                            && now - w.sent_at >= LOST_AFTER
                    })
                    .collect();
                for c in stale {
                    ctx.count(metrics::WRITER_TIMEOUTS, 1);
                    self.failed(ctx, c);
                }
                if !self.writers.is_empty() && self.finished < self.writers.len() {
                    let secs = (now - self.started).as_secs_f64();
                    ctx.gauge(metrics::CONTEST_ELAPSED, (secs * 2.0).floor() / 2.0);
                }
                if self.writers.iter().any(|w| w.stage != Stage::Done) {
                    ctx.set_timer(Time::millis(500), Timer::Check);
                } else {
                    self.checking = false;
                }
            }
            Timer::NextContest { contest } if contest == self.contest && self.cfg.clients > 0 => {
                self.start_contest(ctx);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, RetryNode>) {
        self.checking = false;
        self.writers.clear();
        self.finished = 0;
        self.contest += 1;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, RetryNode>, name: &str, value: &KnobValue) {
        let before = self.cfg;
        self.cfg.set(name, value);
        if matches!(name, "clients" | "backoff" | "base" | "cap") && self.cfg != before {
            self.restart(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let sleeping = self
            .writers
            .iter()
            .filter(|w| w.stage == Stage::Sleeping)
            .count();
        vec![
            ("role", "writers".into()),
            ("contest", self.contest.to_string()),
            (
                "done",
                format!("{}/{}", self.finished, self.writers.len()),
            ),
            ("sleeping", sleeping.to_string()),
            ("writes", self.writes.to_string()),
        ]
    }
}

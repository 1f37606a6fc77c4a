//! A consumer: polls the broker for up to `prefetch` messages, and works on
//! them one at a time: it does the work (`WORK`, or `LARGE_WORK` for a large
//! order), writes the side effect to the database, and acknowledges the
//! message, after the side effect (`ack = after`, at-least-once) or as soon
//! as it receives it (`ack = before`, at-most-once). With `dedup` it first
//! asks the database whether the message's id is already there and skips
//! it if so, and the database applies the effect only if the id is not
//! there, in the same transaction.
//!
//! A poison message kills the consumer's process: everything it held is
//! gone, and it is back `POISON_DOWN` later. A crash does the same. Only its
//! counts are durable; its messages and its work in progress are not. Only
//! the first `consumers` consumer nodes take messages; the others stand by.

use super::config::{
    Ack, Config, DB_TIMEOUT, LARGE_WORK, POISON_DOWN, POLL_TIMEOUT, WORK,
};
use super::msg::{Delivery, Kind, Msg, Timer};
use super::{OrderQueueNode, metrics};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Asking the database whether it has the id.
    Checking,
    Working,
    /// Writing the side effect.
    Applying,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    d: Delivery,
    job: u64,
    stage: Stage,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    cfg: Config,
    /// Its place among the consumer nodes (from 0).
    rank: usize,
    broker: usize,
    db: usize,
    done_metric: String,
    /// Volatile: messages received and not yet started.
    buffer: VecDeque<Delivery>,
    /// Volatile: the message it is working on.
    current: Option<Job>,
    /// Volatile: the poll waiting for an answer.
    poll: Option<u64>,
    /// Volatile: its process is down until then (a poison message).
    down_until: Option<Time>,
    killed_by: Option<u64>,
    next_poll: u64,
    next_job: u64,
    done: u64,
    again: u64,
}

impl Consumer {
    pub fn new(cfg: Config, rank: usize, name: &str, broker: usize, db: usize) -> Consumer {
        Consumer {
            cfg,
            rank,
            broker,
            db,
            done_metric: metrics::done_of(name),
            buffer: VecDeque::new(),
            current: None,
            poll: None,
            down_until: None,
            killed_by: None,
            next_poll: 1,
            next_job: 1,
            done: 0,
            again: 0,
        }
    }

    /// Messages finished.
    pub fn done(&self) -> u64 {
        self.done
    }

    fn active(&self) -> bool {
        (self.rank as u32) < self.cfg.consumers && self.down_until.is_none()
    }

    fn held(&self) -> usize {
        self.buffer.len() + usize::from(self.current.is_some())
    }

    fn poll(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        if !self.active() || self.poll.is_some() {
            return;
        }
        let room = (self.cfg.prefetch as usize).saturating_sub(self.held());
        if room == 0 {
            return;
        }
        let poll = self.next_poll;
        self.next_poll += 1;
        self.poll = Some(poll);
        ctx.send(
            self.broker,
            Msg::Poll {
                sub: (self.rank % 2) as u8,
                want: room as u32,
                poll,
            },
        );
        ctx.set_timer(POLL_TIMEOUT, Timer::PollTimeout { poll });
    }

    fn next(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        if self.current.is_some() || self.down_until.is_some() {
            return;
        }
        let Some(d) = self.buffer.pop_front() else {
            return;
        };
        let job = self.next_job;
        self.next_job += 1;
        if self.cfg.dedup {
            self.current = Some(Job {
                d,
                job,
                stage: Stage::Checking,
            });
            ctx.send(
                self.db,
                Msg::Check {
                    queue: d.queue,
                    id: d.id,
                    job,
                },
            );
            ctx.set_timer(DB_TIMEOUT, Timer::DbTimeout { job });
        } else {
            self.current = Some(Job {
                d,
                job,
                stage: Stage::Working,
            });
            self.work(ctx);
        }
    }

    fn work(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        let Some(j) = self.current.as_mut() else {
            return;
        };
        j.stage = Stage::Working;
        let (d, job) = (j.d, j.job);
        match d.kind {
            Kind::Poison => self.poisoned(ctx, d.id),
            Kind::Large => {
                ctx.set_timer(LARGE_WORK, Timer::Worked { job });
            }
            Kind::Normal => {
                ctx.set_timer(WORK, Timer::Worked { job });
            }
        }
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        let Some(j) = self.current.take() else {
            return;
        };
        if self.cfg.ack == Ack::After {
            ctx.send(
                self.broker,
                Msg::Ack {
                    queue: j.d.queue,
                    id: j.d.id,
                    receipt: j.d.receipt,
                },
            );
        }
        self.done += 1;
        let name = std::mem::take(&mut self.done_metric);
        ctx.count(&name, 1);
        self.done_metric = name;
        self.next(ctx);
        self.poll(ctx);
    }

    /// Everything it held is gone, unprocessed.
    fn drop_all(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        let held: Vec<Delivery> = self
            .current
            .take()
            .map(|j| j.d)
            .into_iter()
            .chain(self.buffer.drain(..))
            .collect();
        for d in held {
            let lost = ctx.world().dropped(d.queue, d.id);
            if lost > 0 {
                ctx.count(metrics::LOST, lost);
                if ctx.logging() {
                    ctx.log(format!("m{} lost: deleted on receipt, never processed", d.id));
                }
            }
        }
        self.poll = None;
    }

    fn poisoned(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, id: u64) {
        ctx.count(metrics::CRASHED, 1);
        if ctx.logging() {
            ctx.log(format!("m{id} crashed the consumer's process"));
        }
        self.drop_all(ctx);
        self.down_until = Some(ctx.now() + POISON_DOWN);
        self.killed_by = Some(id);
        ctx.set_timer(POISON_DOWN, Timer::Revive);
    }

    fn is_current(&self, job: u64, stage: Stage) -> bool {
        self.current.is_some_and(|j| j.job == job && j.stage == stage)
    }
}

impl Role<OrderQueueNode> for Consumer {
    fn name(&self) -> &str {
        "consumer"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        self.poll(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, _from: usize, msg: Msg) {
        if self.down_until.is_some() {
            return;
        }
        match msg {
            Msg::Deliver { poll, msgs } => {
                if self.poll == Some(poll) {
                    self.poll = None;
                }
                for d in msgs {
                    if d.receives > 1 {
                        self.again += 1;
                    }
                    if self.cfg.ack == Ack::Before {
                        ctx.send(
                            self.broker,
                            Msg::Ack {
                                queue: d.queue,
                                id: d.id,
                                receipt: d.receipt,
                            },
                        );
                    }
                    self.buffer.push_back(d);
                }
                self.next(ctx);
                self.poll(ctx);
            }
            Msg::Checked { job, done } => {
                if !self.is_current(job, Stage::Checking) {
                    return;
                }
                if done {
                    ctx.count(metrics::SKIPPED, 1);
                    self.finish(ctx);
                } else {
                    self.work(ctx);
                }
            }
            Msg::Applied { job, .. } if self.is_current(job, Stage::Applying) => {
                self.finish(ctx);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, timer: Timer) {
        match timer {
            Timer::PollTimeout { poll } if self.poll == Some(poll) => {
                self.poll = None;
                self.poll(ctx);
            }
            Timer::Worked { job } => {
                if !self.is_current(job, Stage::Working) {
                    return;
                }
                let Some(j) = self.current.as_mut() else {
                    return;
                };
                j.stage = Stage::Applying;
                let d = j.d;
                ctx.send(
                    self.db,
                    Msg::Apply {
                        queue: d.queue,
                        id: d.id,
                        job,
                        dedup: self.cfg.dedup,
                    },
                );
                ctx.set_timer(DB_TIMEOUT, Timer::DbTimeout { job });
            }
            Timer::DbTimeout { job } => {
                let waiting = self.is_current(job, Stage::Checking)
                    || self.is_current(job, Stage::Applying);
                if !waiting {
                    return;
                }
                // Gives the message up; unacknowledged, it comes back.
                if let Some(j) = self.current.take() {
                    let lost = ctx.world().dropped(j.d.queue, j.d.id);
                    if lost > 0 {
                        ctx.count(metrics::LOST, lost);
                    }
                }
                self.next(ctx);
                self.poll(ctx);
            }
            Timer::Revive => {
                self.down_until = None;
                self.poll(ctx);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>) {
        self.drop_all(ctx);
        self.down_until = None;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "consumers" || name == "prefetch" {
            self.poll(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let state = if let (Some(_), Some(id)) = (self.down_until, self.killed_by) {
            format!("down: killed by m{id}")
        } else if let Some(j) = self.current {
            let doing = match j.stage {
                Stage::Checking => "checking",
                Stage::Working => "working on",
                Stage::Applying => "writing",
            };
            let nth = if j.d.receives > 1 {
                format!(" (receive {})", j.d.receives)
            } else {
                String::new()
            };
            format!("{doing} m{}{nth}", j.d.id)
        } else if (self.rank as u32) >= self.cfg.consumers {
            "standby".into()
        } else {
            "waiting".into()
        };
        vec![
            ("role", "consumer".into()),
            ("doing", state),
            ("done", self.done.to_string()),
            ("again", self.again.to_string()),
            ("held", self.held().to_string()),
        ]
    }
}

//! The projection: the query side. It follows the log from the store in
//! batches and applies each event to its read model (the balance and a
//! statement per client, in its own database), and answers queries from it.
//! It lags the log by up to a poll interval, and more after a crash or a
//! pause, catching up in batches.
//!
//! Its table and its position are durable; what it fetched but did not
//! apply, and the queries waiting, are not. With `projection_bug` on it
//! writes the table after every event but saves its position (the
//! checkpoint) apart, every [`CHECKPOINT_EVERY`]: after a crash
//! it resumes from the checkpoint and applies again the events since, into
//! a table that already has them. Fixed, the position is saved in the same
//! transaction as the table, so it resumes exactly where the table is.
//!
//! `rebuild` deploys the fix and replays the whole log from offset 0 into a
//! fresh table in bigger batches, while the old one keeps answering; once
//! the new one has caught up with the head, queries switch over to it.

use super::EventSourcingNode;
use super::config::{
    CHECKPOINT_EVERY, Config, LIVE_BATCH, LIVE_COST, POLL, QUERY_WAIT, REBUILD_BATCH,
    REBUILD_COST,
};
use super::metrics;
use super::model::{Events, ReadModel};
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};

/// How long the projection waits for a fetch's answer before asking again.
const FETCH_TIMEOUT: Time = Time::millis(500);

#[derive(Clone, Copy, Debug)]
struct Parked {
    client: usize,
    q: u64,
    min: u64,
}

#[derive(Clone, Debug)]
pub struct Projection {
    cfg: Config,
    store: usize,
    /// Durable: the table queries are answered from, with its position.
    live: ReadModel,
    /// Durable: where the buggy projection resumes after a crash.
    checkpoint: u64,
    /// Durable: whether the code running has the resume bug.
    buggy: bool,
    /// Durable: the fresh table a rebuild is filling.
    rebuild: Option<ReadModel>,
    /// Durable: request numbers stay unique across restarts.
    next_req: u64,
    /// The fetches outstanding, for the live table and the rebuild.
    live_req: Option<u64>,
    rebuild_req: Option<u64>,
    /// The log's length at the latest answer.
    head: u64,
    parked: Vec<Parked>,
    rebuilds: u64,
    replayed: u64,
}

impl Projection {
    pub fn new(cfg: Config, store: usize) -> Projection {
        Projection {
            cfg,
            store,
            live: ReadModel::default(),
            checkpoint: 0,
            buggy: cfg.projection_bug,
            rebuild: None,
            next_req: 1,
            live_req: None,
            rebuild_req: None,
            head: 0,
            parked: Vec::new(),
            rebuilds: 0,
            replayed: 0,
        }
    }

    /// The table that answers queries.
    pub fn read_model(&self) -> &ReadModel {
        &self.live
    }

    /// The table a rebuild is filling, if one runs.
    pub fn rebuilding(&self) -> Option<&ReadModel> {
        self.rebuild.as_ref()
    }

    pub fn rebuilds(&self) -> u64 {
        self.rebuilds
    }

    fn fetch(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, rebuild: bool) {
        let req = self.next_req;
        self.next_req += 1;
        let (from, max) = if rebuild {
            let Some(rb) = &self.rebuild else { return };
            self.rebuild_req = Some(req);
            (rb.position, REBUILD_BATCH)
        } else {
            self.live_req = Some(req);
            (self.live.position, LIVE_BATCH)
        };
        ctx.send(self.store, Msg::Fetch { req, from, max });
        ctx.set_timer(FETCH_TIMEOUT, Timer::FetchTimeout { req });
    }

    fn gauges(&self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        ctx.gauge(metrics::POSITION, self.live.position as f64);
        ctx.gauge(metrics::READ_BALANCE, self.live.balance as f64);
        ctx.gauge(
            metrics::REBUILD,
            self.rebuild.map_or(-1.0, |r| r.position as f64),
        );
        let right = ctx
            .world()
            .matches(self.live.position, self.live.checksum());
        ctx.gauge(metrics::MODEL_WRONG, if right { 0.0 } else { 1.0 });
    }

    fn answer(&self, ctx: &mut Ctx<'_, EventSourcingNode>, client: usize, q: u64) {
        ctx.send(
            client,
            Msg::Answer {
                q,
                position: self.live.position,
                balance: self.live.balance,
                checksum: self.live.checksum(),
            },
        );
    }

    /// Answers the parked queries the table has now reached.
    fn release(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        let position = self.live.position;
        let (ready, waiting): (Vec<Parked>, Vec<Parked>) =
            self.parked.iter().partition(|p| p.min <= position);
        self.parked = waiting;
        for p in ready {
            self.answer(ctx, p.client, p.q);
        }
    }

    /// Applies the events from offset `from` to `model`: those it has not
    /// applied yet, and none past a gap. Returns how many it applied.
    fn apply(model: &mut ReadModel, from: u64, events: &Events) -> u64 {
        if from > model.position {
            return 0;
        }
        let skip = (model.position - from) as usize;
        let mut n = 0;
        for e in events.iter().skip(skip) {
            model.apply(e);
            n += 1;
        }
        n
    }

    fn live_batch(&mut self, from: u64, events: &Events) -> u64 {
        let n = Self::apply(&mut self.live, from, events);
        if !self.buggy {
            // In the same transaction as the table.
            self.checkpoint = self.live.position;
        }
        n
    }

    fn switch_over(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        let Some(rb) = self.rebuild.take() else {
            return;
        };
        self.live = rb;
        self.checkpoint = rb.position;
        self.rebuild_req = None;
        self.rebuilds += 1;
        ctx.count(metrics::REBUILDS, 1);
        if ctx.logging() {
            ctx.log(format!(
                "rebuilt from the log: {} events, switched over",
                rb.position
            ));
        }
        // The live fetch outstanding was for the old table.
        self.fetch(ctx, false);
    }
}

impl Role<EventSourcingNode> for Projection {
    fn name(&self) -> &str {
        "projection"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        if self.buggy && self.live.position > self.checkpoint {
            // Resume from the checkpoint: the table keeps what it has.
            self.replayed += self.live.position - self.checkpoint;
            self.live.position = self.checkpoint;
        }
        self.gauges(ctx);
        ctx.set_timer(CHECKPOINT_EVERY, Timer::Checkpoint);
        self.fetch(ctx, false);
        if self.rebuild.is_some() {
            self.fetch(ctx, true);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Fetched {
                req,
                from: start,
                events,
                head,
            } => {
                self.head = self.head.max(head);
                if self.live_req == Some(req) {
                    self.live_req = None;
                    let n = self.live_batch(start, &events);
                    let full = events.len() == LIVE_BATCH;
                    let wait = Time::micros(LIVE_COST.as_micros() * n) + if full { Time::ZERO } else { POLL };
                    ctx.set_timer(wait, Timer::Poll);
                    self.release(ctx);
                } else if self.rebuild_req == Some(req) {
                    self.rebuild_req = None;
                    let Some(rb) = self.rebuild.as_mut() else {
                        return;
                    };
                    let n = Self::apply(rb, start, &events);
                    if events.len() < REBUILD_BATCH && rb.position >= head {
                        self.switch_over(ctx);
                        self.release(ctx);
                    } else {
                        ctx.set_timer(Time::micros(REBUILD_COST.as_micros() * n), Timer::PollRebuild);
                    }
                } else {
                    return;
                }
                self.gauges(ctx);
            }
            Msg::Query { q, min } => match min {
                Some(min) if min > self.live.position => {
                    self.parked.push(Parked {
                        client: from,
                        q,
                        min,
                    });
                    ctx.set_timer(QUERY_WAIT, Timer::QueryDeadline { q });
                }
                _ => self.answer(ctx, from, q),
            },
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, timer: Timer) {
        match timer {
            Timer::Poll if self.live_req.is_none() => self.fetch(ctx, false),
            Timer::PollRebuild if self.rebuild_req.is_none() => self.fetch(ctx, true),
            Timer::FetchTimeout { req } => {
                if self.live_req == Some(req) {
                    self.fetch(ctx, false);
                } else if self.rebuild_req == Some(req) {
                    self.fetch(ctx, true);
                }
            }
            Timer::Checkpoint => {
                // With the bug, the position is saved here, in a write of
                // its own; fixed, it was saved with the table already.
                self.checkpoint = self.live.position;
                ctx.set_timer(CHECKPOINT_EVERY, Timer::Checkpoint);
            }
            Timer::QueryDeadline { q } => {
                if let Some(i) = self.parked.iter().position(|p| p.q == q) {
                    let p = self.parked.remove(i);
                    let position = self.live.position;
                    ctx.send(p.client, Msg::NotYet { q, position });
                }
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.live_req = None;
        self.rebuild_req = None;
        self.parked.clear();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "projection_bug" {
            self.buggy = self.cfg.projection_bug;
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, command: &str) {
        if command != "rebuild" || self.rebuild.is_some() {
            return;
        }
        // The fix goes out with the rebuild.
        self.buggy = false;
        self.rebuild = Some(ReadModel::default());
        if ctx.logging() {
            ctx.log("rebuild: replaying the log from offset 0 into a fresh table".to_string());
        }
        self.fetch(ctx, true);
        self.gauges(ctx);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let lag = self.head.saturating_sub(self.live.position);
        let mut facts = vec![
            ("role", "projection".into()),
            ("position", format!("{} (lag {lag})", self.live.position)),
            ("balance", self.live.balance.to_string()),
            ("checkpoint", self.checkpoint.to_string()),
            ("code", if self.buggy { "buggy" } else { "fixed" }.into()),
        ];
        if let Some(rb) = &self.rebuild {
            facts.push(("rebuild", format!("{} of {}", rb.position, self.head)));
        }
        facts.push(("waiting", self.parked.len().to_string()));
        facts
    }
}

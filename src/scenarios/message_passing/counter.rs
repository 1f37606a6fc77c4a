//! The counter: one number, incremented by `add` requests and answered with
//! `add_ok` and the new value. It commits the increment the moment a request
//! arrives and answers `SERVICE` later, when it has finished with it; a
//! crash in between leaves an increment done and never answered. It serves
//! requests concurrently.
//!
//! Under `at-most-once` and `exactly-once` it keeps a de-duplication table:
//! for each (client, sequence number) the answer it gave. A repeated request
//! is answered from the table and not applied again; a request at or below
//! the client's `acked` floor belongs to a call its client has finished
//! with and is dropped. Entries at or below the floor are forgotten, so the
//! table holds about one entry per outstanding call. The count is durable;
//! the table is durable or volatile as the `table` knob says.

use super::MessagePassingNode;
use super::config::{Config, SERVICE, Table};
use super::judge::Applied;
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::scenarios::knob::Choice;
use crate::sim::{Ctx, KnobValue};
use std::collections::BTreeMap;

/// What the counter remembers of one client.
#[derive(Clone, Debug, Default)]
struct Session {
    /// Every sequence number up to this one is finished with.
    floor: u32,
    /// Sequence number → the value answered.
    answers: BTreeMap<u32, u64>,
}

#[derive(Clone, Debug)]
pub struct Counter {
    cfg: Config,
    /// Durable.
    count: u64,
    /// Per client node: the answers given, by sequence number, and the
    /// floor. Durable if `table = durable`.
    table: Vec<Session>,
    /// Entries over all clients.
    entries: usize,
    applied: u64,
    replayed: u64,
    /// The table's size as last recorded.
    shown: Option<usize>,
    ids: Option<metrics::Ids>,
}

impl Counter {
    pub fn new(cfg: Config) -> Counter {
        Counter {
            cfg,
            count: 0,
            table: Vec::new(),
            entries: 0,
            applied: 0,
            replayed: 0,
            shown: None,
            ids: None,
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn table_len(&self) -> usize {
        self.entries
    }

    fn forget(&mut self) {
        self.table.clear();
        self.entries = 0;
    }

    fn answer(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, to: usize, msg_id: Option<u32>, value: u64) {
        let msg = Msg::AddOk {
            in_reply_to: msg_id,
            value,
        };
        ctx.set_timer(SERVICE, Timer::Reply { to, msg });
    }

    fn apply(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, from: usize, seq: u32) -> u64 {
        self.count += 1;
        self.applied += 1;
        let value = self.count;
        let how = ctx.world().applied(from, seq, value);
        match how {
            Applied::Again => {
                ctx.count(metrics::DOUBLED, 1);
                if ctx.logging() {
                    let who = ctx.name(from).to_string();
                    ctx.log(format!("{who}'s increment #{seq} applied again: count {value}"));
                }
            }
            Applied::Late => ctx.count(metrics::LATE, 1),
            Applied::First => {}
        }
        let expected = ctx.world().expected() as f64;
        let ids = *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx));
        ctx.gauge_id(ids.actual, value as f64);
        ctx.gauge_id(ids.expected, expected);
        value
    }

    fn table_gauge(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) {
        let n = self.entries;
        if self.shown != Some(n) {
            self.shown = Some(n);
            let ids = *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx));
            ctx.gauge_id(ids.table, n as f64);
        }
    }
}

impl Role<MessagePassingNode> for Counter {
    fn name(&self) -> &str {
        "counter"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>) {
        ctx.gauge(metrics::ACTUAL, self.count as f64);
        let expected = ctx.world().expected() as f64;
        ctx.gauge(metrics::EXPECTED, expected);
        self.table_gauge(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, from: usize, msg: Msg) {
        let Msg::Add { msg_id, seq, acked } = msg else {
            return;
        };
        if !self.cfg.delivery.dedup() {
            let value = self.apply(ctx, from, seq);
            self.answer(ctx, from, msg_id, value);
            return;
        }
        if self.table.len() <= from {
            self.table.resize_with(from + 1, Session::default);
        }
        let session = &mut self.table[from];
        if acked > session.floor {
            session.floor = acked;
            while let Some((&s, _)) = session.answers.first_key_value()
                && s <= acked
            {
                session.answers.pop_first();
                self.entries -= 1;
            }
        }
        if seq <= session.floor {
            // A copy of a request its client has finished with.
            self.table_gauge(ctx);
            return;
        }
        let value = match session.answers.get(&seq) {
            Some(&v) => {
                self.replayed += 1;
                ctx.count(metrics::REPLAYED, 1);
                v
            }
            None => {
                let v = self.apply(ctx, from, seq);
                self.table[from].answers.insert(seq, v);
                self.entries += 1;
                v
            }
        };
        self.table_gauge(ctx);
        self.answer(ctx, from, msg_id, value);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, timer: Timer) {
        if let Timer::Reply { to, msg } = timer {
            ctx.send(to, msg);
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, MessagePassingNode>) {
        // Answers not yet sent die with the timers; the count is on disk.
        if self.cfg.table == Table::Volatile {
            self.forget();
        }
        self.shown = None;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, MessagePassingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "delivery" && !self.cfg.delivery.dedup() {
            self.forget();
            self.table_gauge(ctx);
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let table = if self.cfg.delivery.dedup() {
            format!("{} ({})", self.entries, self.cfg.table.word())
        } else {
            "off".into()
        };
        vec![
            ("role", "counter".into()),
            ("count", self.count.to_string()),
            ("table", table),
            ("replayed", self.replayed.to_string()),
        ]
    }
}

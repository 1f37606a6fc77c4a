//! The event store: the account's stream, append-only, and the latest
//! snapshot of the account next to it. Everything it keeps is durable; it
//! does not know what a balance is.
//!
//! An append carries the version its command was decided on; with
//! `expected_version` on, the store refuses it unless the stream is still
//! at that version (optimistic concurrency, EventStoreDB's expected
//! revision). An event whose id is already in the stream is taken as the
//! same append again and answered with its offset, so a handler may resend
//! an append it had no answer to.

use super::EventSourcingNode;
use super::config::Config;
use super::metrics;
use super::model::{Event, Events, Snapshot};
use super::msg::Msg;
use crate::scenarios::Role;
use crate::scenarios::tables::{IdMap, SeqMap};
use crate::sim::{Ctx, KnobValue};

/// Newest entries the store lists among its facts.
const LISTED: usize = 6;

#[derive(Clone, Debug)]
pub struct Store {
    cfg: Config,
    /// The stream, by offset: a table whose older chunks every
    /// checkpoint's copy shares.
    log: SeqMap<Event>,
    /// Offset of each event id in the log.
    ids: IdMap<u64>,
    snapshot: Option<Snapshot>,
    refused: u64,
}

impl Store {
    pub fn new(cfg: Config) -> Store {
        Store {
            cfg,
            log: SeqMap::default(),
            ids: IdMap::default(),
            snapshot: None,
            refused: 0,
        }
    }

    /// The stream, oldest first.
    pub fn log(&self) -> impl Iterator<Item = &Event> {
        self.log.iter().map(|(_, e)| e)
    }

    pub fn snapshot(&self) -> Option<Snapshot> {
        self.snapshot
    }

    fn head(&self) -> u64 {
        self.log.len() as u64
    }

    fn from(&self, from: u64, max: usize) -> Events {
        let head = self.head();
        let start = from.min(head);
        let end = start.saturating_add(max as u64).min(head);
        Events((start..end).map(|i| self.log[&i]).collect())
    }

    /// Appends `event`, decided on version `expected`; returns its offset.
    fn append(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, expected: u64, event: Event) -> u64 {
        let offset = self.head();
        self.log.insert(offset, event);
        self.ids.insert(event.id, offset);
        let broken = ctx.world().appended(&event, expected);
        let balance = ctx.world().truth().balance;
        ctx.gauge(metrics::HEAD, self.head() as f64);
        ctx.gauge(metrics::BALANCE, balance as f64);
        if event.delta() < 0 {
            ctx.count(metrics::WITHDRAWALS, 1);
        }
        if broken.stale {
            ctx.count(metrics::STALE_APPENDS, 1);
        }
        if broken.overdraft {
            ctx.count(metrics::OVERDRAFTS, 1);
            if ctx.logging() {
                ctx.log(format!(
                    "overdraft: {} decided on version {expected}, appended at {offset}: \
                     balance {balance}",
                    event.describe(offset)
                ));
            }
        }
        offset
    }
}

impl Role<EventSourcingNode> for Store {
    fn name(&self) -> &str {
        "store"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        ctx.gauge(metrics::HEAD, self.head() as f64);
        let balance = ctx.world().truth().balance;
        ctx.gauge(metrics::BALANCE, balance as f64);
        ctx.gauge(
            metrics::SNAPSHOT,
            self.snapshot.map_or(-1.0, |s| s.version as f64),
        );
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Load { req } => {
                let start = self.snapshot.map_or(0, |s| s.version);
                let events = self.from(start, usize::MAX);
                let snapshot = self.snapshot;
                ctx.send(
                    from,
                    Msg::Loaded {
                        req,
                        snapshot,
                        events,
                    },
                );
            }
            Msg::Read { req, from: start } => {
                let events = self.from(start, usize::MAX);
                ctx.send(
                    from,
                    Msg::Batch {
                        req,
                        from: start,
                        events,
                    },
                );
            }
            Msg::Append {
                req,
                expected,
                event,
            } => {
                let answer = if let Some(&offset) = self.ids.get(&event.id) {
                    Msg::Appended { req, offset }
                } else if self.cfg.expected_version && expected != self.head() {
                    self.refused += 1;
                    ctx.count(metrics::REFUSED, 1);
                    Msg::WrongVersion {
                        req,
                        current: self.head(),
                    }
                } else {
                    let offset = self.append(ctx, expected, event);
                    Msg::Appended { req, offset }
                };
                ctx.send(from, answer);
            }
            Msg::SaveSnapshot { snapshot }
                if snapshot.version <= self.head()
                    && self.snapshot.is_none_or(|s| s.version < snapshot.version) =>
            {
                self.snapshot = Some(snapshot);
                ctx.gauge(metrics::SNAPSHOT, snapshot.version as f64);
            }
            Msg::Fetch {
                req,
                from: start,
                max,
            } => {
                let events = self.from(start, max);
                let head = self.head();
                ctx.send(
                    from,
                    Msg::Fetched {
                        req,
                        from: start,
                        events,
                        head,
                    },
                );
            }
            _ => {}
        }
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let mut facts = vec![
            ("role", "store".into()),
            ("events", self.head().to_string()),
            (
                "snapshot",
                self.snapshot
                    .map_or("none".into(), |s| format!("at {}", s.version)),
            ),
            ("refused", self.refused.to_string()),
        ];
        let head = self.head();
        for i in (head.saturating_sub(LISTED as u64)..head).rev() {
            facts.push(("entry", self.log[&i].describe(i)));
        }
        facts
    }
}

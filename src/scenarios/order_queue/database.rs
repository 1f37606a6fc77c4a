//! The database the consumers write their side effects to (an order booked,
//! say). It keeps, in the same transaction as each side effect, the id of
//! the message that caused it: a table of processed messages. A consumer
//! with `dedup` asks it first, and an `Apply` with `dedup` does nothing if
//! the id is already there: an idempotent receiver. Everything here is
//! durable.

use super::{IdSet, OrderQueueNode, metrics};
use super::msg::Msg;
use crate::scenarios::Role;
use crate::sim::Ctx;

#[derive(Clone, Debug, Default)]
pub struct Database {
    /// Durable: (queue, id) of every message applied.
    processed: IdSet<u64>,
    effects: u64,
    duplicates: u64,
}

fn key(queue: u8, id: u64) -> u64 {
    (id << 2) | u64::from(queue)
}

impl Database {
    pub fn new() -> Database {
        Database::default()
    }

    pub fn effects(&self) -> u64 {
        self.effects
    }
}

impl Role<OrderQueueNode> for Database {
    fn name(&self) -> &str {
        "database"
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, OrderQueueNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Check { queue, id, job } => {
                let done = self.processed.contains(&key(queue, id));
                ctx.send(from, Msg::Checked { job, done });
            }
            Msg::Apply {
                queue,
                id,
                job,
                dedup,
            } => {
                let k = key(queue, id);
                if dedup && self.processed.contains(&k) {
                    ctx.send(from, Msg::Applied { job, fresh: false });
                    return;
                }
                self.processed.insert(k);
                self.effects += 1;
                ctx.count(metrics::EFFECTS, 1);
                if ctx.world().effect(queue, id) {
                    ctx.count(metrics::UNIQUE, 1);
                } else {
                    self.duplicates += 1;
                    ctx.count(metrics::DUPLICATE, 1);
                    if ctx.logging() {
                        ctx.log(format!("m{id} applied again: a duplicate side effect"));
                    }
                }
                ctx.send(from, Msg::Applied { job, fresh: true });
            }
            _ => {}
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "database".into()),
            ("state", format!("{} effects", self.effects)),
            ("twice", self.duplicates.to_string()),
        ]
    }
}

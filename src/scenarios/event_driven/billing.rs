//! Billing: keeps each customer's address for its invoices, from the events
//! (a replica under state transfer, callbacks under notification). It has
//! no work of its own here; what it shows is its staleness and the load its
//! callbacks put on Customer.

use super::EventDrivenNode;
use super::consumer::Consumer;
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::Ctx;

#[derive(Clone, Debug)]
pub struct Billing {
    pub consumer: Consumer,
}

impl Billing {
    pub fn new(rank: usize, customer: usize) -> Billing {
        Billing {
            consumer: Consumer::new(rank, customer),
        }
    }
}

impl Role<EventDrivenNode> for Billing {
    fn name(&self) -> &str {
        "billing"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        self.consumer.on_start(ctx);
        self.consumer.next_tick(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, _from: usize, msg: Msg) {
        match msg {
            Msg::Events { events } => self.consumer.on_events(ctx, events),
            Msg::Record {
                customer,
                call,
                version,
                address,
            } => {
                self.consumer.on_record(ctx, customer, call, version, address);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, timer: Timer) {
        if timer == Timer::Tick {
            self.consumer.tick(ctx, metrics::STALE_BILLING);
            self.consumer.next_tick(ctx);
        } else {
            self.consumer.on_timer(ctx, &timer);
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, EventDrivenNode>) {
        self.consumer.on_crash();
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let c = &self.consumer;
        vec![
            ("role", "billing".into()),
            ("pending", format!("{} owed, {} calls", c.owed(), c.calls())),
            ("doing", format!("{} applied, {} dups", c.applied, c.duplicates)),
        ]
    }
}

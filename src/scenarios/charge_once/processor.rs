//! The card processor: an outside service with its own idempotency. A
//! charge takes `CHARGE_TIME`, a few take `SLOW_CHARGE_TIME`, and a few cards
//! are declined. A charge sent with a key is made at most once for that key:
//! a repeat, even one that arrives while the first is still at work, is
//! answered as the first was once it is settled. A charge sent without a key
//! is a new charge every time. Its charges and its table of keys are durable.

use super::ChargeOnceNode;
use super::config::{CHARGE_TIME, DECLINE_SHARE, SLOW_CHARGE_TIME, SLOW_SHARE};
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::Ctx;
use rand::RngExt;
use crate::scenarios::tables::{IdMap, SeqMap};

/// What the processor decided for a key: charged (with the charge) or
/// declined; `None` while the charge is at work.
type Decision = Option<Option<u64>>;

#[derive(Clone, Debug, Default)]
pub struct Processor {
    /// Durable: charges made so far.
    charges: u64,
    /// Durable: the decision for each key it was called with, and who waits
    /// for it while it is at work.
    keys: IdMap<Decision>,
    /// Volatile: calls waiting for a key's decision.
    waiting: IdMap<Vec<(usize, u64, u32)>>,
    declined: u64,
    /// Durable, its ledger: charges per purchase (the shop's reference
    /// travels with each charge, as metadata does), and the purchases
    /// charged more than once, for display.
    per_purchase: SeqMap<u32>,
    twice: Vec<u64>,
    ids: Option<metrics::Ids>,
}

impl Processor {
    pub fn new() -> Processor {
        Processor::default()
    }

    pub fn charges(&self) -> u64 {
        self.charges
    }

    /// Purchases charged more than once.
    pub fn twice(&self) -> &[u64] {
        &self.twice
    }

}

impl Role<ChargeOnceNode> for Processor {
    fn name(&self) -> &str {
        "processor"
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, from: usize, msg: Msg) {
        let Msg::Charge {
            order,
            idem,
            call,
            purchase,
            ..
        } = msg
        else {
            return;
        };
        if let Some(k) = idem {
            match self.keys.get(&k) {
                Some(Some(decision)) => {
                    let charge = *decision;
                    ctx.send(
                        from,
                        Msg::ChargeReply {
                            order,
                            call,
                            charge,
                        },
                    );
                    return;
                }
                Some(None) if self.waiting.contains_key(&k) => {
                    // At work: answer this call too when it is settled.
                    self.waiting.or_default(k).push((from, order, call));
                    return;
                }
                // At work before a crash of ours and lost with it: start again.
                _ => {
                    self.keys.insert(k, None);
                    self.waiting.insert(k, Vec::new());
                }
            }
        }
        let rng = ctx.rng();
        let slow = rng.random_bool(SLOW_SHARE);
        let declined = rng.random_bool(DECLINE_SHARE);
        let after = if slow { SLOW_CHARGE_TIME } else { CHARGE_TIME };
        ctx.set_timer(
            after,
            Timer::Settle {
                from,
                order,
                idem,
                call,
                purchase,
                declined,
            },
        );
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, timer: Timer) {
        let Timer::Settle {
            from,
            order,
            idem,
            call,
            purchase,
            declined,
        } = timer
        else {
            return;
        };
        let charge = if declined {
            self.declined += 1;
            None
        } else {
            self.charges += 1;
            let id = self.charges;
            let ids = *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx));
            ctx.count_id(ids.charges, 1);
            let n = self.per_purchase.or_default(purchase);
            *n += 1;
            if *n == 2 {
                self.twice.push(purchase);
            }
            let (double, lost) = ctx.world().charged(purchase, order, id);
            if double > 0 {
                ctx.count(metrics::DOUBLE, double);
            }
            if lost > 0 {
                ctx.count(metrics::LOST, lost);
            }
            if double > 0 && ctx.logging() {
                ctx.log(format!(
                    "purchase p{purchase} charged a second time (charge ch{id}, order o{order})"
                ));
            }
            Some(id)
        };
        let mut to = vec![(from, order, call)];
        if let Some(k) = idem {
            self.keys.insert(k, Some(charge));
            to.extend(self.waiting.remove(&k).unwrap_or_default());
        }
        for (node, order, call) in to {
            ctx.send(
                node,
                Msg::ChargeReply {
                    order,
                    call,
                    charge,
                },
            );
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>) {
        self.waiting.clear();
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "processor".into()),
            ("doing", format!("{} charges", self.charges)),
            ("twice", super::latest(&self.twice, 'p')),
        ]
    }
}

//! The warehouse: ships an order when the API says so and answers with the
//! parcel. With the state machine on, shipping is a transition applied once:
//! a repeated `ship` (a duplicated message, a resend after a lost answer) is
//! a no-op answered with the first parcel. With it off, every `ship` sends a
//! parcel. What it shipped is durable.

use super::ChargeOnceNode;
use super::config::Config;
use super::metrics;
use super::msg::Msg;
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue};
use crate::scenarios::tables::SeqMap;

#[derive(Clone, Debug)]
pub struct Warehouse {
    cfg: Config,
    /// Durable: the first parcel of each order shipped.
    shipped: SeqMap<u64>,
    parcels: u64,
    /// Orders shipped more than once, for display.
    twice: Vec<u64>,
    ids: Option<metrics::Ids>,
}

impl Warehouse {
    pub fn new(cfg: Config) -> Warehouse {
        Warehouse {
            cfg,
            shipped: SeqMap::default(),
            parcels: 0,
            twice: Vec::new(),
            ids: None,
        }
    }

    pub fn parcels(&self) -> u64 {
        self.parcels
    }
}

impl Role<ChargeOnceNode> for Warehouse {
    fn name(&self) -> &str {
        "warehouse"
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, ChargeOnceNode>, from: usize, msg: Msg) {
        let Msg::Ship { order, purchase } = msg else {
            return;
        };
        if self.cfg.state_machine
            && let Some(&parcel) = self.shipped.get(&order)
        {
            ctx.send(from, Msg::Shipped { order, parcel });
            return;
        }
        self.parcels += 1;
        let parcel = self.parcels;
        self.shipped.get_or_insert_with(order, || parcel);
        let ids = *self.ids.get_or_insert_with(|| metrics::Ids::register(ctx));
        ctx.count_id(ids.parcels, 1);
        let twice = ctx.world().parcel(order);
        if twice > 0 {
            self.twice.push(order);
            ctx.count(metrics::DOUBLE_SHIPPED, 1);
            if ctx.logging() {
                ctx.log(format!(
                    "order o{order} (purchase p{purchase}) shipped again: parcel {parcel}"
                ));
            }
        }
        ctx.send(from, Msg::Shipped { order, parcel });
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, ChargeOnceNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "warehouse".into()),
            ("doing", format!("{} parcels", self.parcels)),
            ("twice", super::latest(&self.twice, 'o')),
        ]
    }
}


//! Shipping: orders arrive for customers picked at random, and each must go
//! to the customer's address. Under state transfer Shipping ships at once
//! from its replica, whatever Customer's health, and ships to an old address
//! when the replica is behind. Under notification it keeps no copy it trusts:
//! every order calls Customer back for the address, so while Customer is
//! down orders wait, and when it is back they all call at once. An order is
//! on time if it ships within 2 s of arriving. Orders are durable (they wait
//! in Shipping's database); calls in flight are not.

use super::EventDrivenNode;
use super::config::{CUSTOMERS, Config, DEADLINE, Style};
use super::consumer::{Consumer, Purpose};
use super::metrics;
use super::msg::{Msg, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug)]
struct Order {
    customer: u32,
    placed: Time,
    late: bool,
}

#[derive(Clone, Debug)]
pub struct Shipping {
    cfg: Config,
    pub consumer: Consumer,
    /// Durable: orders waiting for an address.
    waiting: BTreeMap<u64, Order>,
    next_order: u64,
    shipped: u64,
    old_address: u64,
    late: u64,
}

impl Shipping {
    pub fn new(cfg: Config, rank: usize, customer: usize) -> Shipping {
        Shipping {
            cfg,
            consumer: Consumer::new(rank, customer),
            waiting: BTreeMap::new(),
            next_order: 1,
            shipped: 0,
            old_address: 0,
            late: 0,
        }
    }

    /// Orders waiting for an address.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn next_order(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let u: f64 = ctx.rng().random();
        let wait = -(1.0 - u).ln() / f64::from(self.cfg.orders);
        ctx.set_timer(Time::from_secs_f64(wait), Timer::Order);
    }

    fn arrive(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let customer = ctx.rng().random_range(0..CUSTOMERS);
        let order = self.next_order;
        self.next_order += 1;
        ctx.count(metrics::PLACED, 1);
        let o = Order {
            customer,
            placed: ctx.now(),
            late: false,
        };
        match self.cfg.style {
            Style::StateTransfer => {
                let (version, _) = self.consumer.record(customer);
                self.ship(ctx, order, o, version);
            }
            Style::Notification => {
                self.waiting.insert(order, o);
                self.consumer.call(ctx, customer, Purpose::Order(order));
            }
        }
    }

    fn ship(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, order: u64, o: Order, version: u64) {
        self.shipped += 1;
        ctx.count(metrics::SHIPPED, 1);
        if !o.late {
            ctx.count(metrics::ON_TIME, 1);
        }
        if ctx.world().is_old(o.customer, version) {
            self.old_address += 1;
            ctx.count(metrics::OLD_ADDRESS, 1);
            if ctx.logging() {
                ctx.log(format!(
                    "order {order} shipped to customer {}'s old address (version {version})",
                    o.customer
                ));
            }
        }
    }
}

impl Shipping {
    /// Counts the waiting orders that have just passed their 2 s, checked at
    /// each tick (orders wait in arrival order).
    fn late(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        let now = ctx.now();
        let mut more = 0;
        for o in self.waiting.values_mut() {
            if o.placed + DEADLINE > now {
                break;
            }
            if !o.late {
                o.late = true;
                more += 1;
            }
        }
        self.late += more;
        ctx.count(metrics::LATE, more);
    }
}

impl Role<EventDrivenNode> for Shipping {
    fn name(&self) -> &str {
        "shipping"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>) {
        self.consumer.on_start(ctx);
        // Orders that waited through the crash call again.
        let waiting: Vec<(u64, Order)> = self.waiting.iter().map(|(&k, &v)| (k, v)).collect();
        for (order, o) in waiting {
            self.consumer.call(ctx, o.customer, Purpose::Order(order));
        }
        self.consumer.next_tick(ctx);
        self.next_order(ctx);
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
                let answer = self
                    .consumer
                    .on_record(ctx, customer, call, version, address);
                if let Some((Purpose::Order(order), version, _)) = answer
                    && let Some(o) = self.waiting.remove(&order)
                {
                    self.ship(ctx, order, o, version);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventDrivenNode>, timer: Timer) {
        match timer {
            Timer::Tick => {
                self.late(ctx);
                self.consumer.tick(ctx, metrics::STALE_SHIPPING);
                self.consumer.next_tick(ctx);
            }
            Timer::Order => {
                self.arrive(ctx);
                self.next_order(ctx);
            }
            t => self.consumer.on_timer(ctx, &t),
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, EventDrivenNode>) {
        self.consumer.on_crash();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, EventDrivenNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "shipping".into()),
            (
                "pending",
                format!("{} orders, {} calls", self.waiting.len(), self.consumer.calls()),
            ),
            (
                "doing",
                format!("{} shipped, {} late, {} old addr", self.shipped, self.late, self.old_address),
            ),
        ]
    }
}

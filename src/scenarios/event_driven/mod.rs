//! Event-driven: a Customer service owns the customers' addresses and
//! publishes "address changed"; Shipping and Billing consume it.
//!
//! With thin notifications (`style = notification`) the consumers call
//! Customer back for the data, and Shipping asks for the address of every
//! order: Customer carries their load, and when it is down Shipping cannot
//! ship. With event-carried state transfer the event holds the address and
//! each consumer keeps a replica: Shipping works through Customer's outage,
//! on data that may be stale. Publishing after the commit is a dual write:
//! a crash between the two loses the event, and Shipping ships to the old
//! address until that customer changes again. A transactional outbox
//! (`outbox = on`) writes the event in the same local transaction as the
//! change, and a relay sends it until every consumer has acknowledged it: at
//! least once, so consumers ignore versions they already have. A [`Judge`]
//! tracks when every version was committed and what each consumer knows,
//! which gives each consumer's staleness, and counts the events lost.

mod billing;
mod config;
mod consumer;
mod customer;
mod judge;
pub mod metrics;
mod msg;
mod shipping;

pub use billing::Billing;
pub use config::{CUSTOMERS, Config, Style};
pub use consumer::{Consumer, Purpose};
pub use customer::Customer;
pub use judge::Judge;
pub use msg::{Event, Msg, Timer};
pub use shipping::Shipping;

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;

roles! {
    /// A node of the event-driven cluster.
    pub enum EventDrivenNode { msg: Msg, timer: Timer, world: Judge }
    Customer(Customer) as_customer,
    Shipping(Shipping) as_shipping,
    Billing(Billing) as_billing,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    vec![
        Panel::totals(
            "Events",
            &[
                (metrics::LOST, "lost"),
                (metrics::OLD_ADDRESS, "old address"),
                (metrics::LATE, "late orders"),
                (metrics::DUPLICATE, "duplicates"),
            ],
        ),
        Panel::rates(
            "Shipping",
            &[
                (metrics::ON_TIME, "on time"),
                (metrics::LATE, "late"),
                (metrics::OLD_ADDRESS, "old address"),
            ],
        ),
        Panel::latencies(
            "Staleness",
            &[
                (metrics::STALE_SHIPPING, "ship"),
                (metrics::STALE_BILLING, "bill"),
            ],
        ),
        Panel::rates(
            "Customer load",
            &[
                (metrics::SERVED, "calls"),
                (metrics::COMMITTED, "changes"),
                (metrics::CALLS, "calls sent"),
            ],
        ),
        Panel::gauges(
            "To publish",
            &[
                (metrics::BACKLOG, "outbox"),
                (metrics::IN_MEMORY, "in memory"),
            ],
        ),
        Panel::NodeTable {
            title: "Nodes".into(),
            columns: vec!["pending", "doing"],
        },
    ]
}

/// The cluster: one `customer`, one `shipping` and one `billing`.
pub fn build_sim(setup: &Setup) -> Result<Sim<EventDrivenNode>, String> {
    SPEC.check_roles(setup)?;
    let customer = setup.with_role("customer")[0];
    let shipping = setup.with_role("shipping")[0];
    let billing = setup.with_role("billing")[0];
    let cfg = Config::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "customer" => Customer::new(cfg, vec![shipping, billing]).into(),
            "shipping" => Shipping::new(cfg, 0, customer).into(),
            _ => Billing::new(1, customer).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "event-driven",
    summary: "A Customer service publishes address changes to Shipping and Billing: thin \
              notifications make them call back and stop with it; fat events keep them \
              working on stale data; publishing after the commit loses events in a crash \
              unless a transactional outbox holds them.",
    roles: Roles(&[
        RoleSpec::exactly(1, "customer"),
        RoleSpec::exactly(1, "shipping"),
        RoleSpec::exactly(1, "billing"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::LOST, metrics::OLD_ADDRESS, metrics::LATE, metrics::DUPLICATE],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

//! Charge once: a shop pays for purchases through a payment API that
//! charges cards through an outside processor, over a network that loses
//! replies, against a processor that is sometimes slow and an API that can
//! crash between charging a card and recording the charge.
//!
//! The shop times out after 1 s and retries. Without idempotency every
//! retry is a new payment; with Stripe-style keys saved after the work, a
//! retry that overtakes a slow first attempt, or follows a crash between
//! charge and record, still charges twice; with the key saved in the same
//! transaction as the order, recovery points, and the processor called with
//! a key of its own (Brandur Leach's design), nothing is charged twice and
//! every retry gets the first answer again. The order behind a payment moves
//! created → charged → recorded → shipped, each transition once; turning the
//! state machine off ships some orders twice. A [`Judge`] counts charges per
//! purchase, charges the books got wrong, answers that differ from the first,
//! and parcels per order.

mod api;
mod config;
mod judge;
pub mod metrics;
mod msg;
mod processor;
mod shop;
mod warehouse;

pub use api::{Api, KeyRecord, Order, Point, Stage};
pub use config::{Config, Idempotency};
pub use judge::Judge;
pub use msg::{Body, Msg, Timer, status};
pub use processor::Processor;
pub use shop::Shop;
pub use warehouse::Warehouse;

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use super::{CommandSpec, NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;

roles! {
    /// A node of the charge-once cluster.
    pub enum ChargeOnceNode { msg: Msg, timer: Timer, world: Judge }
    Shop(Shop) as_shop,
    Api(Api) as_api,
    Processor(Processor) as_processor,
    Warehouse(Warehouse) as_warehouse,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    vec![
        Panel::totals(
            "Charges",
            &[
                (metrics::DOUBLE, "charged twice"),
                (metrics::LOST, "lost"),
                (metrics::CHARGES, "made"),
            ],
        ),
        Panel::totals(
            "Answers",
            &[
                (metrics::MISMATCHED, "≠ first"),
                (metrics::REPLAYED, "replayed"),
                (metrics::CONFLICT, "409"),
                (metrics::REFUSED, "422"),
            ],
        ),
        Panel::rates(
            "Requests",
            &[
                (metrics::REQUESTS, "requests"),
                (metrics::RETRIES, "retries"),
                (metrics::REPLAYED, "replayed"),
                (metrics::CONFLICT, "409 at work"),
                (metrics::DOUBLE, "charged twice"),
            ],
        ),
        Panel::gauges(
            "Orders by state",
            &[
                (metrics::CREATED, "created"),
                (metrics::CHARGED, "charged"),
                (metrics::RECORDED, "recorded"),
            ],
        ),
        Panel::totals(
            "Keys",
            &[
                (metrics::EXPIRED, "expired"),
                (metrics::RESUMED, "resumed"),
                (metrics::KEYS_SAVED, "saved"),
            ],
        ),
        Panel::totals(
            "Shipping",
            &[
                (metrics::DOUBLE_SHIPPED, "shipped twice"),
                (metrics::SHIPPED, "shipped"),
                (metrics::ABANDONED, "purchases given up"),
            ],
        ),
        Panel::NodeTable {
            title: "Nodes (twice: charged or shipped)".into(),
            columns: vec!["twice", "doing"],
        },
        Panel::latencies("Payment time", &[(metrics::LATENCY, "purchase")]),
    ]
}

pub use crate::scenarios::tables::{IdHasher, IdMap, SeqMap};
/// A set of ids.
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

/// The latest of `ids`, newest first, with how many more.
fn latest(ids: &[u64], prefix: char) -> String {
    if ids.is_empty() {
        return "none".into();
    }
    let mut s: Vec<String> = ids.iter().rev().take(2).map(|i| format!("{prefix}{i}")).collect();
    if ids.len() > 2 {
        s.push(format!("+{}", ids.len() - 2));
    }
    s.join(" ")
}

/// The cluster: one `shop`, one `api`, one `processor` and one `warehouse`.
pub fn build_sim(setup: &Setup) -> Result<Sim<ChargeOnceNode>, String> {
    SPEC.check_roles(setup)?;
    let api = setup.with_role("api")[0];
    let processor = setup.with_role("processor")[0];
    let warehouse = setup.with_role("warehouse")[0];
    let cfg = Config::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "shop" => Shop::new(cfg, api).into(),
            "api" => Api::new(cfg, processor, warehouse).into(),
            "processor" => Processor::new().into(),
            _ => Warehouse::new(cfg).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "charge-once",
    summary: "A shop pays through an API that can crash between charging a card and recording \
              it, over a network that loses replies: retries charge twice unless the API keeps \
              idempotency keys, saved atomically with the order and its recovery points.",
    roles: Roles(&[
        RoleSpec::exactly(1, "shop"),
        RoleSpec::exactly(1, "api"),
        RoleSpec::exactly(1, "processor"),
        RoleSpec::exactly(1, "warehouse"),
    ]),
    knobs: Config::knobs,
    commands: &[CommandSpec {
        name: "tamper",
        roles: &["shop"],
        description: "The shop's next retry sends a different amount under the same key, as a                       shop whose cart changed between attempts would: the API must refuse it.",
    }],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::DOUBLE, metrics::LOST, metrics::DOUBLE_SHIPPED],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

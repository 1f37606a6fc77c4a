//! Order queue: a producer publishes orders to a broker, consumers take
//! them from its queues and write each one's side effect to a database.
//!
//! The broker works as SQS does: a delivered message is leased to its
//! consumer for the visibility timeout and deleted only when acknowledged
//! with its latest receipt; unacknowledged, it is delivered again, with its
//! receive count one higher, and after `max_receives` it goes to a
//! dead-letter queue. Order holds within a message group only. In `pubsub`
//! mode a topic fans every message out to two subscriptions' queues.
//!
//! The lesson's script sends a burst at five times the consumers' capacity,
//! kills a consumer mid-message, makes the visibility timeout shorter than
//! a large order's work, and publishes a poison message that kills whoever
//! processes it. Acknowledging before processing loses messages;
//! acknowledging after delivers some twice, which only an idempotent
//! receiver (`dedup`) keeps from being applied twice; without a dead-letter
//! queue the poison message comes back for ever and holds up its group.
//! A [`Judge`] counts side effects per message, messages lost, and how long
//! the burst takes to drain.

mod broker;
mod config;
mod consumer;
mod database;
mod judge;
pub mod metrics;
mod msg;
mod producer;

pub use broker::{Broker, QUEUES};
pub use config::{Ack, Config, MaxReceives, Mode};
pub use consumer::Consumer;
pub use database::Database;
pub use judge::Judge;
pub use msg::{Delivery, Kind, Msg, Timer};
pub use producer::Producer;

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use super::CommandSpec;
use crate::roles;
use crate::sim::Sim;
use std::collections::{BTreeMap, BTreeSet};

/// Tables keyed by ids (ordered, so nothing depends on a hash).
pub type IdMap<K, V> = BTreeMap<K, V>;
pub type IdSet<K> = BTreeSet<K>;

roles! {
    /// A node of the order-queue cluster.
    pub enum OrderQueueNode { msg: Msg, timer: Timer, world: Judge }
    Producer(Producer) as_producer,
    Broker(Broker) as_broker,
    Consumer(Consumer) as_consumer,
    Database(Database) as_database,
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
    let per_consumer: Vec<(String, String)> = nodes
        .iter()
        .filter(|n| n.role == "consumer")
        .map(|n| (metrics::done_of(&n.name), n.name.clone()))
        .collect();
    vec![
        Panel::totals(
            "Promises",
            &[
                (metrics::LOST, "lost"),
                (metrics::DUPLICATE, "effects twice"),
                (metrics::UNIQUE, "unique"),
                (metrics::EFFECTS, "effects"),
                (metrics::DEAD, "dead-lettered"),
            ],
        ),
        Panel::Queues {
            title: "Queues".into(),
        },
        Panel::NodeTable {
            title: "Consumers".into(),
            columns: vec!["doing", "done", "again"],
        },
        Panel::rates(
            "Messages",
            &[
                (metrics::PUBLISHED, "published"),
                (metrics::DELIVERED, "delivered"),
                (metrics::REDELIVERED, "redelivered"),
                (metrics::DUPLICATE, "effects twice"),
                (metrics::CRASHED, "poison crashes"),
            ],
        ),
        Panel::gauges(
            "Depth",
            &[
                (metrics::READY, "waiting"),
                (metrics::IN_FLIGHT, "in flight"),
                (metrics::OLDEST, "oldest (s)"),
            ],
        ),
        Panel::Rates {
            title: "Throughput per consumer".into(),
            metrics: per_consumer,
        },
        Panel::latencies(
            "Times",
            &[(metrics::WAIT, "wait"), (metrics::DRAIN, "burst drain")],
        ),
    ]
}

/// The cluster: one `producer`, one `broker`, one `database` and one or
/// more `consumer`s.
pub fn build_sim(setup: &Setup) -> Result<Sim<OrderQueueNode>, String> {
    SPEC.check_roles(setup)?;
    let broker = setup.with_role("broker")[0];
    let db = setup.with_role("database")[0];
    let cfg = Config::from_setup(setup);
    let names: Vec<String> = setup.nodes.iter().map(|n| n.name.clone()).collect();
    let mut rank = 0;
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "producer" => Producer::new(cfg, broker).into(),
            "broker" => Broker::new(cfg, names.clone()).into(),
            "database" => Database::new().into(),
            _ => {
                rank += 1;
                Consumer::new(cfg, rank - 1, &d.name, broker, db).into()
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs(&setup.nodes)))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "order-queue",
    summary: "A broker with queues and topics, visibility timeouts, receive counts and a \
              dead-letter queue: acknowledging before processing loses messages, after it \
              applies some twice unless the receiver is idempotent, and a poison message \
              needs a dead-letter queue.",
    roles: Roles(&[
        RoleSpec::exactly(1, "producer"),
        RoleSpec::exactly(1, "broker"),
        RoleSpec::exactly(1, "database"),
        RoleSpec::at_least(1, "consumer"),
    ]),
    knobs: Config::knobs,
    commands: &[
        CommandSpec {
            name: "burst",
            roles: &["producer"],
            description: "The producer publishes five times the consumers' capacity for ten \
                          seconds.",
        },
        CommandSpec {
            name: "poison",
            roles: &["producer"],
            description: "The producer publishes one message that kills the process of \
                          whoever processes it.",
        },
    ],
    metrics: metrics::specs,
    panels,
    headline: &[metrics::LOST, metrics::DUPLICATE],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

//! Event sourcing: an account whose state is the fold of its events in an
//! append-only store, worked by concurrent clients through two command
//! handlers, and read through a projection (the CQRS read model) that
//! follows the log asynchronously.
//!
//! Each command is decided on the account as a handler has folded it, and
//! its event appended with the version it was decided on. With
//! `expected_version` on the store refuses an append if another event came
//! first (optimistic concurrency); off, two withdrawals decided on the same
//! balance both land, and the account is overdrawn. Snapshots bound what a
//! restarted handler replays. The projection lags; with `read_your_writes`
//! a query carries the client's version token and waits for the read model
//! to reach it. With `projection_bug` the projection re-applies events
//! after a crash; `rebuild` replays the log into a fresh table and switches
//! over. A [`Judge`] folds the log itself and counts appends past their
//! version, overdrafts, stale and wrong answers.

mod client;
mod config;
mod handler;
mod judge;
pub mod metrics;
mod model;
mod msg;
mod projection;
mod store;

pub use client::Client;
pub use config::{Config, MAX_CLIENTS, Snapshots};
pub use handler::Handler;
pub use judge::Judge;
pub use model::{Account, Event, Events, Kind, ReadModel, Snapshot};
pub use msg::{Msg, Refusal, Timer};
pub use projection::Projection;
pub use store::Store;

use super::{CommandSpec, NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;

roles! {
    /// A node of the event-sourcing cluster.
    pub enum EventSourcingNode { msg: Msg, timer: Timer, world: Judge }
    Client(Client) as_client,
    Handler(Handler) as_handler,
    Store(Store) as_store,
    Projection(Projection) as_projection,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    vec![
        Panel::totals(
            "Broken promises",
            &[
                (metrics::OVERDRAFTS, "overdrafts"),
                (metrics::STALE_APPENDS, "stale appends"),
                (metrics::WRONG, "wrong answers"),
                (metrics::STALE_READS, "stale reads"),
            ],
        ),
        Panel::stream(
            "Event log",
            metrics::HEAD,
            &[
                (metrics::POSITION, "read model"),
                (metrics::REBUILD, "rebuild"),
                (metrics::SNAPSHOT, "snapshot"),
            ],
            Some("entry"),
        ),
        Panel::gauges(
            "Balance",
            &[
                (metrics::BALANCE, "account (log)"),
                (metrics::READ_BALANCE, "read model"),
            ],
        ),
        Panel::rates(
            "Commands",
            &[
                (metrics::DONE, "appended"),
                (metrics::REFUSED, "version conflicts"),
                (metrics::REJECTED, "insufficient funds"),
                (metrics::TIMED_OUT, "timed out"),
            ],
        ),
        Panel::latencies(
            "Waiting",
            &[
                (metrics::REPLAY_TIME, "replay on restart"),
                (metrics::QUERY_WAIT, "query"),
            ],
        ),
    ]
}

/// The cluster: `client` nodes (at most eight), `handler` nodes, one
/// `store` and one `projection`.
pub fn build_sim(setup: &Setup) -> Result<Sim<EventSourcingNode>, String> {
    SPEC.check_roles(setup)?;
    let store = setup.with_role("store")[0];
    let projection = setup.with_role("projection")[0];
    let handlers = setup.with_role("handler");
    let clients = setup.with_role("client");
    if clients.len() > MAX_CLIENTS {
        return Err(format!(
            "event-sourcing takes at most {MAX_CLIENTS} clients, not {}",
            clients.len()
        ));
    }
    let cfg = Config::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "store" => Store::new(cfg).into(),
            "projection" => Projection::new(cfg, store).into(),
            "handler" => Handler::new(cfg, store).into(),
            _ => {
                let rank = clients.iter().position(|&c| c == i).unwrap_or(0);
                Client::new(cfg, rank, handlers.clone(), projection).into()
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "event-sourcing",
    summary: "An account kept as events in an append-only store, worked by concurrent clients \
              and read through a lagging projection: without the expected-version check two \
              withdrawals overdraw it; a version token gives read-your-writes; a rebuild from \
              the log repairs a broken read model.",
    roles: Roles(&[
        RoleSpec::at_least(1, "client"),
        RoleSpec::at_least(1, "handler"),
        RoleSpec::exactly(1, "store"),
        RoleSpec::exactly(1, "projection"),
    ]),
    knobs: Config::knobs,
    commands: &[
        CommandSpec {
            name: "sweep",
            roles: &["client"],
            description: "The client moves the whole balance to savings at once, through the \
                          handler of its rank (c1 through h1, c2 through h2).",
        },
        CommandSpec {
        name: "rebuild",
        roles: &["projection"],
        description: "Deploy the projection's fix, replay the whole log from offset 0 into a \
                      fresh read model while the old one keeps answering, and switch queries \
                      over to it once it has caught up.",
        },
    ],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::OVERDRAFTS, metrics::STALE_APPENDS, metrics::WRONG, metrics::STALE_READS],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

//! Retry storms: what retries do to a system under contention or overload,
//! and the patterns that keep them in check. One scenario, two lessons.
//!
//! - **Backoff and jitter** (`writers` and a `database`): the AWS
//!   Architecture Blog's "Exponential Backoff and Jitter" (2015). `clients`
//!   writers all start at once and each updates the database's one row with
//!   optimistic concurrency; a loser backs off by the `backoff` policy and
//!   tries again. Without jitter the losers retry in lockstep and collide
//!   again; with it they spread out.
//! - **Amplification** (`users` → `front` → `service` → `database`): each of
//!   the three upper layers retries a failed call up to `retries` times, so
//!   one user request can become (retries + 1)³ calls at the database. When
//!   the database is overloaded for a while, the retries keep it overloaded
//!   after the trigger is gone: a metastable failure. Retry budgets (gRPC's
//!   retry throttling), propagated deadlines, retrying only transient errors
//!   and client-side adaptive throttling stop it.
//!
//! [`backoff`] and [`guard`] are pure; [`writers`], [`layer`] (users, front
//! and service, which share their code) and [`database`] are the roles.

pub mod backoff;
pub mod config;
pub mod database;
pub mod guard;
pub mod judge;
pub mod layer;
pub mod metrics;
pub mod msg;
pub mod writers;

pub use config::{Backoff, Budget, Config, RetryOn};
pub use database::Database;
pub use judge::Judge;
pub use layer::{Layer, Tier};
pub use msg::{Kind, Msg, Outcome, Timer};
pub use writers::Writers;

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;

roles! {
    /// A node of the retry-storm cluster.
    pub enum RetryNode { msg: Msg, timer: Timer, world: Judge }
    Writers(Writers) as_writers,
    Layer(Layer) as_layer,
    Database(Database) as_database,
}

fn panels(nodes: &[NodeDef]) -> Vec<Panel> {
    let has = |role: &str| nodes.iter().any(|n| n.role == role);
    let mut v = Vec::new();
    if has("writers") {
        v.extend([
            Panel::gauges(
                "This contest",
                &[
                    (metrics::CONTEST_ELAPSED, "seconds"),
                    (metrics::CONTEST_DONE, "done"),
                    (metrics::CONTEST_WRITES, "writes"),
                    (metrics::CALLS_MEAN, "mean writes"),
                ],
            ),
            Panel::latencies("Contest time", &[(metrics::CONTEST_TIME, "finished")]),
            Panel::rates(
                "Conditional writes",
                &[(metrics::WRITES, "writes"), (metrics::CONFLICTS, "conflicts")],
            ),
            Panel::Spans {
                title: "Backoff sleeps of writers 1-4 (ms)".into(),
                metrics: super::labelled(&[
                    (metrics::BACKOFF[0], "w1"),
                    (metrics::BACKOFF[1], "w2"),
                    (metrics::BACKOFF[2], "w3"),
                    (metrics::BACKOFF[3], "w4"),
                ]),
            },
        ]);
    }
    if has("users") {
        v.extend([
            Panel::rates(
                "Attempts per layer",
                &[
                    (metrics::REQUESTS, "requests"),
                    (metrics::CALLS[1], "at front"),
                    (metrics::CALLS[2], "at service"),
                    (metrics::CALLS_DB, "at db"),
                ],
            ),
            Panel::gauges(
                "Database",
                &[
                    (metrics::DB_AMPLIFICATION, "amplified"),
                    (metrics::DB_QUEUE, "queue"),
                ],
            ),
            Panel::rates(
                "Goodput",
                &[
                    (metrics::USERS_OK, "ok"),
                    (metrics::USERS_FAILED, "failed"),
                    (metrics::DB_WASTED, "wasted"),
                ],
            ),
            Panel::latencies("Successes", &[(metrics::USERS_LATENCY, "latency")]),
            Panel::Spans {
                title: "Asleep in backoff".into(),
                metrics: super::labelled(&[
                    (metrics::SLEEPING[0], "users"),
                    (metrics::SLEEPING[1], "front"),
                    (metrics::SLEEPING[2], "service"),
                ]),
            },
        ]);
    }
    v
}

/// The cluster: exactly one `database`; `writers` for the contest; `users`,
/// `front` and `service` (one each) for the chain.
pub fn build_sim(setup: &Setup) -> Result<Sim<RetryNode>, String> {
    SPEC.check_roles(setup)?;
    let db = setup.with_role("database")[0];
    let front = setup.with_role("front").first().copied();
    let service = setup.with_role("service").first().copied();
    let users = setup.with_role("users");
    let chain = [users.is_empty(), front.is_none(), service.is_none()];
    if chain.iter().any(|c| *c) && !chain.iter().all(|c| *c) {
        return Err(
            "retry-storm's chain needs one node each with roles `users`, `front` and `service`"
                .into(),
        );
    }
    let cfg = Config::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "writers" => Writers::new(cfg, db).into(),
            "users" => Layer::new(Tier::Users, cfg, front.expect("checked")).into(),
            "front" => Layer::new(Tier::Front, cfg, service.expect("checked")).into(),
            "service" => Layer::new(Tier::Service, cfg, db).into(),
            _ => Database::new(cfg).into(),
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "retry-storm",
    summary: "Writers contend for one row and back off with or without jitter; a three-tier \
              chain retries at every layer over an overloaded database, and budgets, \
              deadlines and retrying only transient errors stop the storm.",
    roles: Roles(&[
        RoleSpec::exactly(1, "database"),
        RoleSpec::at_least(0, "writers"),
        RoleSpec::at_least(0, "users"),
        RoleSpec::at_least(0, "front"),
        RoleSpec::at_least(0, "service"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::CALLS_MEAN, metrics::CONFLICTS, metrics::USERS_FAILED, metrics::DB_WASTED],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

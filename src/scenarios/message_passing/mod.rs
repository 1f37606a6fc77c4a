//! Message passing: clients call a counter service across a network that
//! loses, duplicates, delays and reorders messages.
//!
//! Every call is a request and a reply on Maelstrom's model: the request
//! carries a `msg_id`, the reply an `in_reply_to` naming it, and the reply
//! goes back to the request's sender. A client that times out cannot tell
//! whether its request was lost, the server crashed before answering, or the
//! reply was lost; the knobs choose what it does about it:
//!
//! - `correlation`: match replies by id, or take whatever arrives as the
//!   answer to the oldest outstanding call (and be fooled by a late or
//!   duplicated reply);
//! - `mode`: one blocking call at a time, or a window of calls in flight;
//! - `delivery`: give up on a timeout (`at-most-once`), send again
//!   (`at-least-once`), or send again and let the counter apply each
//!   (client, sequence number) once (`exactly-once`, an exactly-once
//!   *effect*), with a de-duplication table that is `durable` or `volatile`.
//!
//! A [`Judge`] sees what the count should be, what it is, every increment
//! applied twice or never, and every reply taken for the wrong call.

mod client;
mod config;
mod counter;
mod judge;
pub mod metrics;
mod msg;

pub use client::{Call, Client};
pub use config::{Config, Delivery, MAX_CLIENTS, Mode, SERVICE, Table};
pub use counter::Counter;
pub use judge::{Applied, Judge};
pub use msg::{Msg, Timer};

use super::{NodeDef, Panel, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::roles;
use crate::sim::Sim;

roles! {
    /// A node of the message-passing cluster.
    pub enum MessagePassingNode { msg: Msg, timer: Timer, world: Judge }
    Counter(Counter) as_counter,
    Client(Client) as_client,
}

fn panels(_nodes: &[NodeDef]) -> Vec<Panel> {
    vec![
        Panel::totals(
            "Broken",
            &[
                (metrics::LOST, "lost increments"),
                (metrics::DOUBLED, "double increments"),
                (metrics::MISMATCHED, "mismatched replies"),
            ],
        ),
        Panel::gauges(
            "Count",
            &[(metrics::EXPECTED, "expected"), (metrics::ACTUAL, "actual")],
        ),
        Panel::rates(
            "Throughput",
            &[
                (metrics::DONE, "increments"),
                (metrics::TIMEOUTS, "timeouts"),
                (metrics::RETRIES, "retries"),
            ],
        ),
        Panel::gauges(
            "In flight",
            &[
                (metrics::OUTSTANDING, "outstanding calls"),
                (metrics::TABLE, "dedup table"),
            ],
        ),
        Panel::totals(
            "Calls",
            &[
                (metrics::DONE, "done"),
                (metrics::TIMEOUTS, "timeouts"),
                (metrics::GIVEN_UP, "given up"),
                (metrics::LATE, "applied late"),
                (metrics::IGNORED, "replies dropped"),
                (metrics::REPLAYED, "answered from table"),
            ],
        ),
        Panel::latencies("Call latency", &[(metrics::LATENCY, "call")]),
    ]
}

/// The cluster: one `counter` and `client` nodes (at most three call; the
/// `clients` knob says how many).
pub fn build_sim(setup: &Setup) -> Result<Sim<MessagePassingNode>, String> {
    SPEC.check_roles(setup)?;
    let counter = setup.with_role("counter")[0];
    let clients = setup.with_role("client");
    let cfg = Config::from_setup(setup);
    let nodes = setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, d)| match d.role.as_str() {
            "counter" => Counter::new(cfg).into(),
            _ => {
                let rank = clients.iter().position(|&c| c == i).unwrap_or(usize::MAX);
                Client::new(cfg, rank, counter).into()
            }
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics::specs()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "message-passing",
    summary: "Clients call a counter across a network that loses, duplicates and reorders: \
              correlation ids, blocking or pipelined calls, and at-most-once, at-least-once \
              or exactly-once effect with a de-duplication table.",
    roles: Roles(&[
        RoleSpec::exactly(1, "counter"),
        RoleSpec::at_least(1, "client"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: |_| metrics::specs(),
    panels,
    headline: &[metrics::LOST, metrics::DOUBLED],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

//! A minimal workload: clients keep a fixed number of requests in flight to
//! echo servers. It teaches nothing; it measures the simulator, so its node
//! type implements [`Node`] directly, with no role types in between.

use super::knob::int;
use super::{MetricSpec, RoleSpec, Roles, ScenarioSpec, Setup, new_sim};
use crate::knobs;
use crate::sim::{Ctx, Message, MetricKind, Node};

#[derive(Clone, Debug)]
pub enum EchoMsg {
    Ping(u64),
    Pong(u64),
}

impl Message for EchoMsg {
    fn kind(&self) -> &'static str {
        match self {
            EchoMsg::Ping(_) => "ping",
            EchoMsg::Pong(_) => "pong",
        }
    }
}

#[derive(Clone, Debug)]
pub enum EchoNode {
    Server,
    /// Keeps `window` pings in flight, spread over `servers`.
    Client {
        servers: Vec<usize>,
        window: u64,
        next: u64,
        done: u64,
    },
}

impl Node for EchoNode {
    type Msg = EchoMsg;
    type Timer = ();
    type World = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let EchoNode::Client {
            servers,
            window,
            next,
            ..
        } = self
        {
            for _ in 0..*window {
                let to = servers[(*next % servers.len() as u64) as usize];
                ctx.send(to, EchoMsg::Ping(*next));
                *next += 1;
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, from: usize, msg: EchoMsg) {
        match (self, msg) {
            (EchoNode::Server, EchoMsg::Ping(n)) => ctx.send(from, EchoMsg::Pong(n)),
            (
                EchoNode::Client {
                    servers,
                    next,
                    done,
                    ..
                },
                EchoMsg::Pong(_),
            ) => {
                *done += 1;
                let to = servers[(*next % servers.len() as u64) as usize];
                ctx.send(to, EchoMsg::Ping(*next));
                *next += 1;
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, _ctx: &mut Ctx<'_, Self>, _timer: ()) {}

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, Self>) {}

    fn role(&self) -> &str {
        match self {
            EchoNode::Server => "server",
            EchoNode::Client { .. } => "client",
        }
    }
}

impl EchoNode {
    /// Round trips completed, for a client.
    pub fn completed(&self) -> u64 {
        match self {
            EchoNode::Client { done, .. } => *done,
            EchoNode::Server => 0,
        }
    }
}

knobs! {
    #[derive(Clone, Copy, Debug)]
    pub struct Config {
        pub window: u64 = int(100, 1..=100_000, "Requests each client keeps in flight."),
    }
}

fn metrics() -> Vec<MetricSpec> {
    vec![MetricSpec::new(
        "unused",
        MetricKind::Counter,
        "Echo records no metrics.",
    )]
}

/// The echo cluster: every `server` node answers, every `client` node asks.
pub fn build_sim(setup: &Setup) -> Result<crate::sim::Sim<EchoNode>, String> {
    SPEC.check_roles(setup)?;
    let servers = setup.with_role("server");
    let window = Config::from_setup(setup).window;
    let nodes = setup
        .nodes
        .iter()
        .map(|d| match d.role.as_str() {
            "client" => EchoNode::Client {
                servers: servers.clone(),
                window,
                next: 0,
                done: 0,
            },
            _ => EchoNode::Server,
        })
        .collect();
    Ok(new_sim(setup, nodes, &metrics()))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "echo",
    summary: "Clients keep requests in flight to echo servers (a benchmark workload).",
    roles: Roles(&[
        RoleSpec::at_least(1, "server"),
        RoleSpec::at_least(0, "client"),
    ]),
    knobs: Config::knobs,
    commands: &[],
    metrics: |_| metrics(),
    panels: |_| Vec::new(),
    headline: &[],
    build: |setup| Ok(Box::new(build_sim(setup)?)),
};

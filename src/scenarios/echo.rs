//! A minimal workload: clients keep a fixed number of requests in flight to
//! echo servers. It teaches nothing; it measures the simulator.

use super::spec::{KnobKind, KnobSpec, MetricSpec, NodeDef, Panel, ScenarioSpec, Setup, new_sim};
use crate::sim::{Cluster, Ctx, KnobValue, Message, MetricKind, Node};

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

fn knobs() -> Vec<KnobSpec> {
    vec![KnobSpec {
        name: "window",
        kind: KnobKind::Int {
            min: 1,
            max: 100_000,
        },
        default: KnobValue::Int(100),
        description: "Requests each client keeps in flight.",
    }]
}

fn metrics(_: &[NodeDef]) -> Vec<MetricSpec> {
    vec![MetricSpec::new(
        "unused",
        MetricKind::Counter,
        "Echo records no metrics.",
    )]
}

fn panels(_: &[NodeDef]) -> Vec<Panel> {
    Vec::new()
}

/// The echo cluster: every `server` node answers, every `client` node asks.
pub fn build_sim(setup: &Setup) -> Result<crate::sim::Sim<EchoNode>, String> {
    let servers = setup.with_role("server");
    if servers.is_empty() {
        return Err("the echo scenario needs at least one node with role `server`".into());
    }
    let window = setup.knob("window").as_int().max(1) as u64;
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
    Ok(new_sim(setup, nodes, &metrics(&setup.nodes)))
}

fn build(setup: &Setup) -> Result<Box<dyn Cluster + Send>, String> {
    Ok(Box::new(build_sim(setup)?))
}

pub static SPEC: ScenarioSpec = ScenarioSpec {
    id: "echo",
    summary: "Clients keep requests in flight to echo servers (a benchmark workload).",
    roles: &["server", "client"],
    knobs,
    commands: &[],
    metrics,
    panels,
    build,
};

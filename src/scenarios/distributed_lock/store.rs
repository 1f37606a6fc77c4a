//! The storage: takes writes, and with fencing refuses any whose token is
//! lower than the highest it has seen. It knows nothing of leases or locks;
//! the token is all it can go by.

use super::metrics::{ACCEPTED, MAX_TOKEN, REJECTED, STALE};
use super::msg::Msg;
use super::{Config, LockNode};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue};

#[derive(Clone, Debug)]
pub struct Store {
    cfg: Config,
    /// Durable: the highest token seen.
    max_token: u64,
    accepted: u64,
    rejected: u64,
    stale: u64,
    /// Durable: the token of every write accepted, in order (0: none).
    history: Vec<u64>,
}

impl Store {
    pub fn new(cfg: Config) -> Store {
        Store {
            cfg,
            max_token: 0,
            accepted: 0,
            rejected: 0,
            stale: 0,
            history: Vec::new(),
        }
    }

    pub fn max_token(&self) -> u64 {
        self.max_token
    }

    /// The token of every write it accepted, in the order it accepted them
    /// (0 for a write without one).
    pub fn history(&self) -> &[u64] {
        &self.history
    }
}

impl Role<LockNode> for Store {
    fn name(&self) -> &str {
        "storage"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        ctx.gauge(MAX_TOKEN, self.max_token as f64);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LockNode>, from: usize, msg: Msg) {
        let Msg::Write { token, grant, seq } = msg else {
            return;
        };
        let ok = match (self.cfg.fencing, token) {
            (true, Some(t)) => t >= self.max_token,
            _ => true,
        };
        if !ok {
            self.rejected += 1;
            ctx.count(REJECTED, 1);
            if ctx.logging() {
                ctx.log(format!(
                    "storage refuses {}'s write: token {} is lower than {}",
                    ctx.name(from),
                    token.unwrap_or(0),
                    self.max_token
                ));
            }
            ctx.send(
                from,
                Msg::WriteReply {
                    seq,
                    accepted: false,
                },
            );
            return;
        }
        if let Some(t) = token {
            self.max_token = self.max_token.max(t);
            ctx.gauge(MAX_TOKEN, self.max_token as f64);
        }
        self.accepted += 1;
        self.history.push(token.unwrap_or(0));
        ctx.count(ACCEPTED, 1);
        if ctx.world().accepted(grant) {
            self.stale += 1;
            ctx.count(STALE, 1);
            if ctx.logging() {
                let t = token.map_or("no token".to_string(), |t| format!("token {t}"));
                ctx.log(format!(
                    "storage accepts a STALE write from {} ({t}): the lock had passed to \
                     someone whose write it already took",
                    ctx.name(from)
                ));
            }
        }
        ctx.send(
            from,
            Msg::WriteReply {
                seq,
                accepted: true,
            },
        );
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, LockNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let fencing = if self.cfg.redlock {
            "n/a"
        } else if self.cfg.fencing {
            "on"
        } else {
            "off"
        };
        vec![
            ("role", "storage".into()),
            ("fencing", fencing.into()),
            ("max token", self.max_token.to_string()),
            ("accepted", self.accepted.to_string()),
            ("refused", self.rejected.to_string()),
            ("stale", self.stale.to_string()),
        ]
    }
}

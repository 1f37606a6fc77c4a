//! The lock server: one lock, `stock`, granted to one client at a time, the
//! others queued first come, first served. No leases: a holder keeps the lock
//! until it lets go, and a client that crashed holding it lets go when it
//! starts again. The table survives the server's own crashes. (Leases, and what they cannot promise, are another lesson.)

use super::LostUpdateNode;
use super::metrics::LOCK;
use super::msg::Msg;
use crate::scenarios::{Role, lock_held_metric, lock_waiting_metric};
use crate::sim::{Ctx, LockClaim, LockView, Time};
use std::collections::VecDeque;
use std::sync::Arc;

/// A client's claim on the lock: which client, for which of its operations, since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Claim {
    client: usize,
    op: u32,
    since: Time,
}

#[derive(Clone, Debug)]
pub struct LockServer {
    names: Arc<[String]>,
    holder: Option<Claim>,
    waiting: VecDeque<Claim>,
    granted: u64,
}

impl LockServer {
    pub fn new(names: Arc<[String]>) -> LockServer {
        LockServer {
            names,
            holder: None,
            waiting: VecDeque::new(),
            granted: 0,
        }
    }

    /// The client holding the lock, if any.
    pub fn holder(&self) -> Option<usize> {
        self.holder.map(|c| c.client)
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn grant(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, claim: Claim) {
        self.holder = Some(Claim {
            since: ctx.now(),
            ..claim
        });
        self.granted += 1;
        ctx.send(claim.client, Msg::Granted { op: claim.op });
    }

    fn gauges(&self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        ctx.gauge(&lock_held_metric(LOCK), self.holder.is_some() as u8 as f64);
        ctx.gauge(&lock_waiting_metric(LOCK), self.waiting.len() as f64);
    }
}

impl Role<LostUpdateNode> for LockServer {
    fn name(&self) -> &str {
        "lock-server"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>) {
        self.gauges(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LostUpdateNode>, from: usize, msg: Msg) {
        let now = ctx.now();
        match msg {
            Msg::Lock { op } => {
                let claim = Claim {
                    client: from,
                    op,
                    since: now,
                };
                if let Some(h) = self.holder.filter(|h| h.client == from) {
                    if op == h.op {
                        // The same request again (a duplicate): same answer.
                        ctx.send(from, Msg::Granted { op });
                    } else if op > h.op {
                        // A newer operation: the client is done with the old
                        // one (its unlock is still on its way, or it crashed
                        // and forgot). It lets go and joins the back of the line.
                        self.holder = None;
                        self.waiting.push_back(claim);
                        if let Some(next) = self.waiting.pop_front() {
                            self.grant(ctx, next);
                        }
                    }
                } else if let Some(w) = self.waiting.iter_mut().find(|w| w.client == from) {
                    w.op = w.op.max(op);
                } else if self.holder.is_none() {
                    self.grant(ctx, claim);
                } else {
                    self.waiting.push_back(claim);
                }
            }
            Msg::Unlock { op } => {
                self.waiting.retain(|w| !(w.client == from && w.op <= op));
                if self.holder.is_some_and(|h| h.client == from && h.op <= op) {
                    self.holder = None;
                    if let Some(next) = self.waiting.pop_front() {
                        self.grant(ctx, next);
                    }
                }
            }
            _ => {}
        }
        self.gauges(ctx);
    }

    /// The lock table is durable (kept on disk before any answer goes out),
    /// so a crash forgets no claim: a restarted server that had forgotten
    /// its holder would hand the lock to a second client.
    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", "lock-server".into()),
            (
                "holder",
                self.holder
                    .map_or("-".into(), |c| self.names[c.client].clone()),
            ),
            ("waiting", self.waiting.len().to_string()),
            ("granted", self.granted.to_string()),
        ]
    }

    fn locks(&self) -> Vec<LockView> {
        let claim = |c: &Claim| LockClaim::new(self.names[c.client].clone(), c.since);
        vec![LockView {
            holders: self.holder.iter().map(claim).collect(),
            waiters: self.waiting.iter().map(claim).collect(),
            note: format!("{} granted, first come first served", self.granted),
            ..LockView::mutex(LOCK)
        }]
    }
}

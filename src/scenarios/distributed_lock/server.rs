//! A lock server: grants one lock, `file`, as a lease with a fencing token.
//!
//! Its clock decides when a lease runs out: every tick it compares its own
//! clock (which a clock jump moves) with the expiry it wrote down at the
//! grant. The next token is durable, so a restarted server never hands out
//! a token twice; the table of holders is not, so a restarted server waits
//! one lease before granting, which lets any lease it forgot run out.
//!
//! A client that asks with `wait` is queued when the lock is taken and
//! granted in turn (as etcd's and ZooKeeper's lock recipes do); one that
//! asks without (Redlock's `SET NX`) is refused at once.

use super::config::TICK;
use super::metrics::{EXPIRED, GRANTS, lock_name};
use super::msg::{Msg, Timer};
use super::{Config, GrantKey, LockNode, Topology};
use crate::scenarios::{Role, lock_held_metric, lock_waiting_metric};
use crate::sim::{Ctx, KnobValue, LockClaim, LockView, Time};
use std::sync::Arc;

#[derive(Clone, Debug)]
struct Hold {
    client: usize,
    token: u64,
    value: u64,
    since: Time,
    /// On this server's clock, in microseconds.
    expires: i64,
}

#[derive(Clone, Debug)]
struct Waiter {
    client: usize,
    value: u64,
    since: Time,
}

#[derive(Clone, Debug)]
pub struct Server {
    topo: Arc<Topology>,
    cfg: Config,
    lock: String,
    held_metric: String,
    waiting_metric: String,
    /// Durable: the token the next grant gets.
    next_token: u64,
    /// Durable: whether the server has run before (a restart waits a lease).
    started: bool,
    holder: Option<Hold>,
    waiters: Vec<Waiter>,
    /// No grants before this instant of its clock (after a restart).
    ready_at: i64,
    /// Its clock minus virtual time, as of its last event.
    skew: i64,
    /// Whether a tick is on its way (it ticks only while it has a lease to
    /// watch or a waiter to serve).
    ticking: bool,
}

impl Server {
    pub fn new(topo: Arc<Topology>, name: &str, cfg: Config) -> Server {
        let lock = lock_name(name);
        Server {
            topo,
            cfg,
            held_metric: lock_held_metric(&lock),
            waiting_metric: lock_waiting_metric(&lock),
            lock,
            next_token: 1,
            started: false,
            holder: None,
            waiters: Vec::new(),
            ready_at: i64::MIN,
            skew: 0,
            ticking: false,
        }
    }

    /// Makes sure a tick comes while there is a lease to watch or a waiter
    /// to serve: at the lease's end by its clock, or within a second, so a
    /// jump of its clock is noticed soon.
    fn keep_ticking(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        if self.ticking {
            return;
        }
        let until = match &self.holder {
            Some(h) => h.expires,
            None if !self.waiters.is_empty() => self.ready_at,
            None => return,
        };
        let left = until.saturating_sub(ctx.clock());
        let wait = Time(left.clamp(1_000, TICK.0 as i64) as u64);
        self.ticking = true;
        ctx.set_timer(wait, Timer::Tick);
    }

    /// Takes the lease back if it has run out on this server's clock.
    fn expire(&mut self, ctx: &mut Ctx<'_, LockNode>) -> bool {
        let Some(h) = &self.holder else { return false };
        if ctx.clock() < h.expires {
            return false;
        }
        if ctx.logging() {
            let what = if h.value == 0 {
                format!("token {}", h.token)
            } else {
                format!("value {}", h.value)
            };
            ctx.log(format!(
                "{}: the lease of {} ({what}) ran out on its clock",
                ctx.name(ctx.me()),
                ctx.name(h.client),
            ));
        }
        self.holder = None;
        ctx.count(EXPIRED, 1);
        self.publish(ctx);
        true
    }

    fn grant_next(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        if self.holder.is_some() || ctx.clock() < self.ready_at || self.waiters.is_empty() {
            return;
        }
        let w = self.waiters.remove(0);
        self.grant(ctx, w.client, w.value);
    }

    fn grant(&mut self, ctx: &mut Ctx<'_, LockNode>, client: usize, value: u64) {
        let token = self.next_token;
        self.next_token += 1;
        self.waiters.retain(|w| w.client != client);
        self.holder = Some(Hold {
            client,
            token,
            value,
            since: ctx.now(),
            expires: ctx.clock() + self.cfg.lease.0 as i64,
        });
        ctx.count(GRANTS, 1);
        let (_, quorum) = self.topo.in_use(self.cfg.redlock);
        let key = if value == 0 {
            GrantKey::Token(token)
        } else {
            GrantKey::Value(value)
        };
        ctx.world().granted(key, quorum);
        if ctx.logging() {
            let what = if value == 0 {
                format!("token {token}")
            } else {
                format!("value {value}")
            };
            ctx.log(format!(
                "{} grants the lock to {} with {what} for {}",
                ctx.name(ctx.me()),
                ctx.name(client),
                self.cfg.lease
            ));
        }
        ctx.send(client, Msg::Granted { token, value });
        self.keep_ticking(ctx);
        self.publish(ctx);
    }

    /// Updates the lock's gauges, the judge's view of the service and the
    /// lease bars of every client.
    fn publish(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        let held = self.holder.is_some() as u8 as f64;
        let waiting = self.waiters.len() as f64;
        ctx.gauge(&self.held_metric, held);
        ctx.gauge(&self.waiting_metric, waiting);
        let me = ctx.me();
        let claim = self
            .holder
            .as_ref()
            .map(|h| (h.client, if h.value == 0 { h.token } else { h.value }));
        ctx.world().served(me, claim);
        let (servers, quorum) = self.topo.in_use(self.cfg.redlock);
        for (i, &c) in self.topo.clients.iter().enumerate() {
            let v = ctx.world().lease_of(c, servers, quorum);
            ctx.gauge(&self.topo.lease_metrics[i], v as f64);
        }
    }

    pub fn holder(&self) -> Option<usize> {
        self.holder.as_ref().map(|h| h.client)
    }

    /// When the lease runs out, in virtual time, as the server's clock now stands.
    fn expiry_text(&self, h: &Hold) -> String {
        // To the tenth of a second: enough to compare with the header's time.
        let at = (h.expires - self.skew).max(0) as u64;
        format!("{}", Time(at / 100_000 * 100_000))
    }
}

impl Role<LockNode> for Server {
    fn name(&self) -> &str {
        "lock-server"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        self.skew = ctx.clock() - ctx.now().0 as i64;
        self.ready_at = if self.started {
            ctx.clock() + self.cfg.lease.0 as i64
        } else {
            i64::MIN
        };
        if self.started {
            ctx.log(format!(
                "{} restarts with next token {} and grants nothing for one lease ({})",
                ctx.name(ctx.me()),
                self.next_token,
                self.cfg.lease
            ));
        }
        self.started = true;
        self.ticking = false;
        self.publish(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, LockNode>, from: usize, msg: Msg) {
        self.skew = ctx.clock() - ctx.now().0 as i64;
        match msg {
            Msg::Acquire { value, wait } => {
                self.expire(ctx);
                match &self.holder {
                    None if ctx.clock() >= self.ready_at => self.grant(ctx, from, value),
                    // The holder asks again (its grant may have been lost):
                    // the same grant, not a new token.
                    Some(h) if h.client == from && h.value == value => {
                        let (token, value) = (h.token, h.value);
                        ctx.send(from, Msg::Granted { token, value });
                    }
                    _ if wait => {
                        if !self.waiters.iter().any(|w| w.client == from) {
                            self.waiters.push(Waiter {
                                client: from,
                                value,
                                since: ctx.now(),
                            });
                            self.keep_ticking(ctx);
                            self.publish(ctx);
                        }
                    }
                    _ => ctx.send(from, Msg::Refused { value }),
                }
            }
            Msg::Release { token, value } => {
                let mine = self.holder.as_ref().is_some_and(|h| {
                    h.client == from
                        && if value == 0 {
                            h.token == token
                        } else {
                            h.value == value
                        }
                });
                if mine {
                    self.holder = None;
                    self.grant_next(ctx);
                    self.publish(ctx);
                } else {
                    self.waiters.retain(|w| w.client != from);
                    self.publish(ctx);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, LockNode>, timer: Timer) {
        if let Timer::Tick = timer {
            self.skew = ctx.clock() - ctx.now().0 as i64;
            self.ticking = false;
            // After an expiry, or once a restarted server is ready.
            self.expire(ctx);
            self.grant_next(ctx);
            self.keep_ticking(ctx);
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, LockNode>) {
        self.holder = None;
        self.waiters.clear();
        self.ticking = false;
        self.publish(ctx);
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, LockNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let holder = self
            .holder
            .as_ref()
            .map_or("-".to_string(), |h| self.topo.names[h.client].clone());
        let mut v = vec![
            ("role", "lock-server".to_string()),
            ("holder", holder),
            ("next token", self.next_token.to_string()),
        ];
        if let Some(h) = &self.holder {
            v.push(("expires", self.expiry_text(h)));
        }
        if self.skew != 0 {
            v.push(("clock", skew_text(self.skew)));
        }
        v
    }

    fn locks(&self) -> Vec<LockView> {
        let names = &self.topo.names;
        let mut view = LockView::mutex(self.lock.clone());
        if let Some(h) = &self.holder {
            view.holders
                .push(LockClaim::new(names[h.client].clone(), h.since));
            let id = if h.value == 0 {
                format!("token {}", h.token)
            } else {
                format!("value {}", h.value)
            };
            view.note = format!("{id}, expires {}", self.expiry_text(h));
        } else {
            view.note = format!("free, next token {}", self.next_token);
        }
        if self.skew != 0 {
            view.note
                .push_str(&format!(", clock {}", skew_text(self.skew)));
        }
        view.waiters = self
            .waiters
            .iter()
            .map(|w| LockClaim::new(names[w.client].clone(), w.since))
            .collect();
        vec![view]
    }
}

fn skew_text(skew: i64) -> String {
    let sign = if skew < 0 { "-" } else { "+" };
    format!("{sign}{}", Time(skew.unsigned_abs()))
}

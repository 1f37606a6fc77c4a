//! A command handler: one instance of the account's service (there are
//! two behind the clients, as behind a load balancer). It keeps the account
//! in memory, folded from the store's events, and takes one command at a
//! time: it reads the events appended since its copy, decides on the
//! balance it then has (a withdrawal the balance does not cover is refused,
//! and nothing is written), and appends the event with the version it
//! decided on. When the store refuses the append because another event came
//! first, it reads again and decides again.
//!
//! Its copy of the account is volatile: after a restart it loads the latest
//! snapshot and replays every event after it, at [`REPLAY_COST`] an event,
//! and queues commands meanwhile. With `snapshots` on, it saves a snapshot
//! whenever its copy reaches a multiple of the interval.

use super::EventSourcingNode;
use super::config::{CONFLICT_RETRIES, Config, REPLAY_COST, STORE_TIMEOUT, STORE_TRIES};
use super::metrics;
use super::model::{Account, Event, Kind, client_of};
use super::msg::{Msg, Refusal, Timer};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;

/// A command from a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Command {
    pub client: usize,
    pub cmd: u64,
    pub kind: Kind,
    /// What to withdraw or deposit; `None`: the whole balance.
    pub amount: Option<i64>,
}

/// Where the handler is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Phase {
    /// Asked the store for the snapshot and the events after it.
    Loading { since: Time },
    /// Replaying what it loaded, until `Timer::Replayed`.
    Replaying { since: Time, account: Account, events: u64 },
    Ready,
}

/// The command being worked on and the store request outstanding for it.
#[derive(Clone, Debug)]
struct Work {
    command: Command,
    /// The request now outstanding, as sent, and how many times it was.
    req: u64,
    sent: Msg,
    tries: u32,
    conflicts: u32,
}

#[derive(Clone, Debug)]
pub struct Handler {
    cfg: Config,
    store: usize,
    /// Durable: request numbers stay unique across restarts.
    next_req: u64,
    phase: Phase,
    account: Account,
    queue: VecDeque<Command>,
    work: Option<Work>,
    handled: u64,
}

impl Handler {
    pub fn new(cfg: Config, store: usize) -> Handler {
        Handler {
            cfg,
            store,
            next_req: 1,
            phase: Phase::Loading { since: Time::ZERO },
            account: Account::default(),
            queue: VecDeque::new(),
            work: None,
            handled: 0,
        }
    }

    /// The account as this handler has it, if it has it.
    pub fn account(&self) -> Option<Account> {
        (self.phase == Phase::Ready).then_some(self.account)
    }

    fn req(&mut self) -> u64 {
        let r = self.next_req;
        self.next_req += 1;
        r
    }

    /// Sends `msg` (made for request `req`) to the store, with a timeout.
    fn ask(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, req: u64, msg: Msg) {
        ctx.send(self.store, msg);
        ctx.set_timer(STORE_TIMEOUT, Timer::StoreTimeout { req });
    }

    fn load(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        let req = self.req();
        self.phase = Phase::Loading { since: ctx.now() };
        self.work = None;
        self.ask(ctx, req, Msg::Load { req });
        // (The load's request number is the latest; see `on_timer`.)
    }

    /// Applies `events`, the ones from offset `from`, to `account`, saving
    /// a snapshot at each multiple of the interval it passes.
    fn fold(
        &self,
        ctx: &mut Ctx<'_, EventSourcingNode>,
        account: &mut Account,
        from: u64,
        events: &[Event],
    ) {
        let every = self.cfg.snapshots.every();
        for (i, e) in events.iter().enumerate() {
            if from + i as u64 != account.version {
                continue;
            }
            account.apply(e);
            if every.is_some_and(|n| account.version.is_multiple_of(n)) {
                ctx.send(
                    self.store,
                    Msg::SaveSnapshot {
                        snapshot: *account,
                    },
                );
            }
        }
    }

    /// Starts the next command if free.
    fn pump(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        if self.phase != Phase::Ready || self.work.is_some() {
            return;
        }
        let Some(command) = self.queue.pop_front() else {
            return;
        };
        let req = self.req();
        let sent = Msg::Read {
            req,
            from: self.account.version,
        };
        self.work = Some(Work {
            command,
            req,
            sent: sent.clone(),
            tries: 1,
            conflicts: 0,
        });
        self.ask(ctx, req, sent);
    }

    /// Asks the store again, as part of the same command.
    fn next_request(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, make: impl Fn(u64) -> Msg) {
        let req = self.req();
        let msg = make(req);
        if let Some(w) = self.work.as_mut() {
            w.req = req;
            w.sent = msg.clone();
            w.tries = 1;
        }
        self.ask(ctx, req, msg);
    }

    fn finish(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, answer: impl Fn(u64) -> Msg) {
        if let Some(w) = self.work.take() {
            self.handled += 1;
            ctx.send(w.command.client, answer(w.command.cmd));
        }
        self.pump(ctx);
    }

    /// Decides the current command on the account as it now is.
    fn decide(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        let Some(w) = &self.work else { return };
        let c = w.command;
        let amount = c.amount.unwrap_or(self.account.balance);
        if c.kind == Kind::Withdrew && (amount > self.account.balance || amount <= 0) {
            ctx.count(metrics::REJECTED, 1);
            self.finish(ctx, |cmd| Msg::Refused {
                cmd,
                why: Refusal::InsufficientFunds,
            });
            return;
        }
        let event = Event {
            id: c.cmd,
            client: client_of(c.cmd),
            kind: c.kind,
            amount,
        };
        let expected = self.account.version;
        self.next_request(ctx, |req| Msg::Append {
            req,
            expected,
            event,
        });
    }
}

impl Role<EventSourcingNode> for Handler {
    fn name(&self) -> &str {
        "handler"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.load(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, from: usize, msg: Msg) {
        let current = |req: u64| self.work.as_ref().is_some_and(|w| w.req == req);
        match msg {
            Msg::Deposit { .. } | Msg::Withdraw { .. } | Msg::Sweep { .. } => {
                let (cmd, kind, amount) = match msg {
                    Msg::Deposit { cmd, amount } => (cmd, Kind::Deposited, Some(amount)),
                    Msg::Withdraw { cmd, amount } => (cmd, Kind::Withdrew, Some(amount)),
                    Msg::Sweep { cmd } => (cmd, Kind::Withdrew, None),
                    _ => return,
                };
                let command = Command {
                    client: from,
                    cmd,
                    kind,
                    amount,
                };
                // A command resent by the network is taken once.
                let known = self.queue.contains(&command)
                    || self.work.as_ref().is_some_and(|w| w.command == command);
                if !known {
                    self.queue.push_back(command);
                }
                self.pump(ctx);
            }
            Msg::Loaded {
                req,
                snapshot,
                events,
            } => {
                let Phase::Loading { since } = self.phase else {
                    return;
                };
                if req + 1 != self.next_req {
                    return;
                }
                let mut account = snapshot.unwrap_or_default();
                let from = account.version;
                self.fold(ctx, &mut account, from, &events.0);
                let n = events.len() as u64;
                self.phase = Phase::Replaying {
                    since,
                    account,
                    events: n,
                };
                ctx.set_timer(Time::micros(REPLAY_COST.as_micros() * n), Timer::Replayed { req });
            }
            Msg::Batch { req, from, events } if current(req) => {
                let mut account = self.account;
                self.fold(ctx, &mut account, from, &events.0);
                self.account = account;
                self.decide(ctx);
            }
            Msg::Appended { req, offset } if current(req) => {
                ctx.count(metrics::DONE, 1);
                self.finish(ctx, |cmd| Msg::Done { cmd, offset });
            }
            Msg::WrongVersion { req, .. } if current(req) => {
                let conflicts = self.work.as_ref().map_or(0, |w| w.conflicts) + 1;
                if conflicts > CONFLICT_RETRIES {
                    self.finish(ctx, |cmd| Msg::Refused {
                        cmd,
                        why: Refusal::Conflict,
                    });
                    return;
                }
                if let Some(w) = self.work.as_mut() {
                    w.conflicts = conflicts;
                }
                // Another event came first: read it, and decide again.
                let from = self.account.version;
                self.next_request(ctx, |req| Msg::Read { req, from });
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, EventSourcingNode>, timer: Timer) {
        match timer {
            Timer::Replayed { req } => {
                let Phase::Replaying {
                    since,
                    account,
                    events,
                } = self.phase
                else {
                    return;
                };
                if req + 1 != self.next_req {
                    return;
                }
                self.account = account;
                self.phase = Phase::Ready;
                ctx.observe(metrics::REPLAY_TIME, ctx.now() - since);
                ctx.gauge(metrics::REPLAY_EVENTS, events as f64);
                if ctx.logging() {
                    ctx.log(format!(
                        "replayed {events} events after the snapshot at {}: version {}",
                        account.version - events,
                        account.version
                    ));
                }
                self.pump(ctx);
            }
            Timer::StoreTimeout { req } => {
                if matches!(self.phase, Phase::Loading { .. }) {
                    if req + 1 == self.next_req {
                        // Ask again, as long as it takes.
                        let since = match self.phase {
                            Phase::Loading { since } => since,
                            _ => ctx.now(),
                        };
                        self.load(ctx);
                        self.phase = Phase::Loading { since };
                    }
                    return;
                }
                let Some(w) = self.work.as_mut().filter(|w| w.req == req) else {
                    return;
                };
                if w.tries >= STORE_TRIES {
                    self.finish(ctx, |cmd| Msg::Refused {
                        cmd,
                        why: Refusal::Unavailable,
                    });
                    return;
                }
                // The same request again: an append carries the same event
                // id, so the store takes it once however often it comes.
                w.tries += 1;
                let sent = w.sent.clone();
                self.ask(ctx, req, sent);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>) {
        self.phase = Phase::Loading { since: Time::ZERO };
        self.account = Account::default();
        self.queue.clear();
        self.work = None;
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, EventSourcingNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let state = match &self.phase {
            Phase::Loading { .. } => "loading".to_string(),
            Phase::Replaying { events, .. } => format!("replaying {events}"),
            Phase::Ready => match &self.work {
                Some(w) => match w.command.amount {
                    Some(a) => format!("{} {a}", verb(w.command.kind)),
                    None => "sweep".into(),
                },
                None => "ready".into(),
            },
        };
        vec![
            ("role", "handler".into()),
            ("doing", state),
            ("version", self.account.version.to_string()),
            ("queue", self.queue.len().to_string()),
            ("handled", self.handled.to_string()),
        ]
    }
}

fn verb(kind: Kind) -> &'static str {
    match kind {
        Kind::Deposited => "deposit",
        Kind::Withdrew => "withdraw",
    }
}

//! A worker: runs transfers one after another. Each takes a permit from the
//! pool, locks one account, works a little, locks the other, applies the
//! transfer and lets everything go. Which account it locks first is the
//! `order` knob; what it does when the bank aborts it is to wait a random
//! while and try the same transfer again.

use super::DeadlockNode;
use super::config::{ACCOUNTS, APPLY_TIME, Config, Order};
use super::metrics as m;
use super::msg::{LockId, Msg, Timer, account_name};
use crate::scenarios::Role;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub from: u8,
    pub to: u8,
    pub amount: u32,
    /// When its first attempt began.
    pub began: Time,
}

impl Transfer {
    /// The two accounts in the order they are locked.
    pub fn lock_order(&self, order: Order) -> [u8; 2] {
        match order {
            Order::Request => [self.from, self.to],
            Order::Global => [self.from.min(self.to), self.from.max(self.to)],
        }
    }
}

/// Where a worker is in its current transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Between transfers.
    Thinking,
    /// Waiting for a permit of the pool.
    WantPool,
    /// Waiting for the first account.
    WantFirst,
    /// Working with the first account.
    Working,
    /// Waiting for the second account.
    WantSecond,
    /// Holding both, applying the transfer.
    Applying,
    /// Waiting for the bank to confirm the commit.
    Committing,
    /// Aborted, waiting to try again.
    BackingOff,
}

#[derive(Clone, Debug)]
pub struct Worker {
    cfg: Config,
    bank: usize,
    /// Durable: the next transaction number, so numbers are never reused.
    next_txn: u32,
    txn: u32,
    phase: Phase,
    transfer: Option<Transfer>,
    /// The two accounts in locking order, fixed for the attempt.
    plan: [u8; 2],
    stall_next: bool,
    think_gen: u32,
    done: u64,
    aborts: u64,
}

impl Worker {
    pub fn new(cfg: Config, bank: usize) -> Worker {
        Worker {
            cfg,
            bank,
            next_txn: 1,
            txn: 0,
            phase: Phase::Thinking,
            transfer: None,
            plan: [0, 1],
            stall_next: false,
            think_gen: 0,
            done: 0,
            aborts: 0,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn transfer(&self) -> Option<Transfer> {
        self.transfer
    }

    fn think(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        self.phase = Phase::Thinking;
        self.think_gen += 1;
        let u: f64 = ctx.rng().random();
        let gap =
            Time::from_secs_f64(-(1.0 - u).ln() * self.cfg.think_time.as_secs_f64()).max(Time(1));
        ctx.set_timer(
            gap,
            Timer::Think {
                generation: self.think_gen,
            },
        );
    }

    fn pick(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) -> Transfer {
        let hot = ctx.rng().random::<f64>() < self.cfg.hot_share;
        let (from, to) = if hot {
            if ctx.rng().random::<bool>() {
                (0, 1)
            } else {
                (1, 0)
            }
        } else {
            let a = ctx.rng().random_range(0..ACCOUNTS);
            let b = (a + ctx.rng().random_range(1..ACCOUNTS)) % ACCOUNTS;
            (a, b)
        };
        let amount = ctx.rng().random_range(1..=100);
        Transfer {
            from,
            to,
            amount,
            began: ctx.now(),
        }
    }

    /// A new attempt at the current transfer, with a new transaction number.
    fn attempt(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        let Some(t) = self.transfer else {
            return;
        };
        self.txn = self.next_txn;
        self.next_txn += 1;
        self.plan = t.lock_order(self.cfg.order);
        self.phase = Phase::WantPool;
        ctx.send(
            self.bank,
            Msg::Acquire {
                txn: self.txn,
                lock: LockId::Pool,
            },
        );
    }

    fn back_off(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        self.phase = Phase::BackingOff;
        let wait = ctx.rng().random_range(1..=self.cfg.backoff.0.max(1));
        ctx.set_timer(Time(wait), Timer::Retry { txn: self.txn });
    }
}

impl Role<DeadlockNode> for Worker {
    fn name(&self) -> &str {
        "worker"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, DeadlockNode>) {
        if self.next_txn > 1 {
            // A restart: whatever an earlier life held at the bank is released.
            ctx.send(
                self.bank,
                Msg::Reset {
                    next: self.next_txn,
                },
            );
        }
        self.think(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, from: usize, msg: Msg) {
        if from != self.bank {
            return;
        }
        match msg {
            Msg::Granted { txn, lock } if txn == self.txn => match (self.phase, lock) {
                (Phase::WantPool, LockId::Pool) => {
                    self.phase = Phase::WantFirst;
                    ctx.send(
                        self.bank,
                        Msg::Acquire {
                            txn,
                            lock: LockId::Acct(self.plan[0]),
                        },
                    );
                }
                (Phase::WantFirst, LockId::Acct(a)) if a == self.plan[0] => {
                    self.phase = Phase::Working;
                    ctx.set_timer(self.cfg.work_time, Timer::Work { txn });
                }
                (Phase::WantSecond, LockId::Acct(a)) if a == self.plan[1] => {
                    self.phase = Phase::Applying;
                    let hold = if std::mem::take(&mut self.stall_next) {
                        ctx.log(format!(
                            "stalls for {} holding {} and {}",
                            self.cfg.stall_time,
                            account_name(self.plan[0]),
                            account_name(self.plan[1])
                        ));
                        self.cfg.stall_time
                    } else {
                        APPLY_TIME
                    };
                    ctx.set_timer(hold, Timer::Work { txn });
                }
                _ => {}
            },
            Msg::Committed { txn } if txn == self.txn && self.phase == Phase::Committing => {
                self.done += 1;
                if let Some(t) = self.transfer {
                    ctx.observe(m::LATENCY, ctx.now() - t.began);
                }
                self.think(ctx);
            }
            Msg::Aborted { txn, .. } if txn == self.txn => {
                self.aborts += 1;
                self.back_off(ctx);
            }
            Msg::Restarted => {
                // The bank lost its locks: whatever this worker had is void.
                ctx.send(
                    self.bank,
                    Msg::Reset {
                        next: self.next_txn,
                    },
                );
                if !matches!(self.phase, Phase::Thinking | Phase::BackingOff) {
                    self.back_off(ctx);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, timer: Timer) {
        match timer {
            Timer::Think { generation }
                if generation == self.think_gen && self.phase == Phase::Thinking =>
            {
                self.transfer = Some(self.pick(ctx));
                ctx.count(m::STARTED, 1);
                self.attempt(ctx);
            }
            Timer::Retry { txn } if txn == self.txn && self.phase == Phase::BackingOff => {
                self.attempt(ctx);
            }
            Timer::Work { txn } if txn == self.txn => match self.phase {
                Phase::Working => {
                    self.phase = Phase::WantSecond;
                    ctx.send(
                        self.bank,
                        Msg::Acquire {
                            txn,
                            lock: LockId::Acct(self.plan[1]),
                        },
                    );
                }
                Phase::Applying => {
                    if let Some(t) = self.transfer {
                        self.phase = Phase::Committing;
                        ctx.send(
                            self.bank,
                            Msg::Commit {
                                txn,
                                from: t.from,
                                to: t.to,
                                amount: t.amount,
                            },
                        );
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, DeadlockNode>) {
        self.phase = Phase::Thinking;
        self.transfer = None;
        self.stall_next = false;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        if name == "think_time" && self.phase == Phase::Thinking {
            self.think(ctx);
        }
    }

    fn on_command(&mut self, ctx: &mut Ctx<'_, DeadlockNode>, command: &str) {
        if command == "stall" {
            self.stall_next = true;
            ctx.log("the next transfer will hold its accounts for a long while");
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let state = match self.phase {
            Phase::Thinking => "idle",
            Phase::WantPool => "wants pool",
            Phase::WantFirst | Phase::WantSecond => "waits",
            Phase::Working | Phase::Applying => "works",
            Phase::Committing => "commits",
            Phase::BackingOff => "backs off",
        };
        let state = match self.phase {
            Phase::WantFirst => format!("{state} {}", account_name(self.plan[0])),
            Phase::WantSecond => format!("{state} {}", account_name(self.plan[1])),
            _ => state.to_string(),
        };
        let transfer = self
            .transfer
            .filter(|_| self.phase != Phase::Thinking)
            .map(|t| format!("{}→{}", account_name(t.from), account_name(t.to)))
            .unwrap_or_else(|| "-".into());
        vec![
            ("role", "worker".into()),
            ("state", state),
            ("transfer", transfer),
            ("done", self.done.to_string()),
            ("aborts", self.aborts.to_string()),
        ]
    }
}

//! A client: writes at a steady Poisson rate to whichever replica it believes
//! is primary, and reads back what it wrote from any replica.
//!
//! It learns who the primary is the hard way: a replica that is not primary
//! says so (with a hint when it knows better), and silence for a client
//! timeout sends the write to the next replica. A write that finds no
//! primary within twice the timeout is given up: that is unavailability as a
//! client feels it.
//!
//! One watchdog timer, set for the earliest moment any write needs attention,
//! serves all writes in flight (a timer per write would double the events of
//! a busy run).

use super::FailoverNode;
use super::config::Config;
use super::metrics::{Ids, Record};
use super::msg::{Msg, Timer};
use crate::scenarios;
use crate::sim::{Ctx, KnobValue, Time};
use rand::RngExt;
use std::collections::VecDeque;
use std::sync::Arc;

/// Keys per client: each client writes its own few keys, so "newer" is simply
/// a larger sequence number.
pub const KEYS: u8 = 8;

#[derive(Clone, Debug)]
struct Pending {
    key: u8,
    issued: Time,
    attempt: u32,
    target: usize,
    /// When the current attempt needs attention.
    due: Time,
    /// At `due`, send to `target` (after "not primary"), rather than give up on it.
    resend: bool,
}

#[derive(Clone, Debug)]
pub struct Client {
    replicas: Arc<[usize]>,
    names: Arc<[String]>,
    cfg: Config,
    ids: Option<Ids>,
    /// Kept across crashes so write ids stay unique.
    next_seq: u32,
    believed: usize,
    /// Writes in flight; `pending[0]` has sequence number `base`.
    pending: VecDeque<Option<Pending>>,
    base: u32,
    /// Newest acknowledged sequence number per key.
    acked_seq: [u32; KEYS as usize],
    last_key: Option<u8>,
    write_gen: u32,
    read_gen: u32,
    /// When the armed watchdog fires, if one is armed.
    watchdog: Option<Time>,
    scratch: Vec<u32>,
    acked: u64,
    failed: u64,
}

impl Client {
    pub fn new(replicas: Arc<[usize]>, names: Arc<[String]>, cfg: Config) -> Client {
        Client {
            believed: replicas[0],
            replicas,
            names,
            cfg,
            ids: None,
            next_seq: 1,
            pending: VecDeque::new(),
            base: 1,
            acked_seq: [0; KEYS as usize],
            last_key: None,
            write_gen: 0,
            read_gen: 0,
            watchdog: None,
            scratch: Vec::new(),
            acked: 0,
            failed: 0,
        }
    }

    fn ids(&self) -> &Ids {
        self.ids.as_ref().expect("metrics are registered at start")
    }

    /// A Poisson process: exponential gaps with mean 1 / `rate`.
    fn gap(ctx: &mut Ctx<'_, FailoverNode>, rate: f64) -> Time {
        let u: f64 = ctx.rng().random();
        Time::from_secs_f64(-(1.0 - u).ln() / rate).max(Time(1))
    }

    fn schedule_write(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.cfg.write_rate > 0.0 {
            let gap = Self::gap(ctx, self.cfg.write_rate);
            ctx.set_timer(
                gap,
                Timer::Arrival {
                    generation: self.write_gen,
                },
            );
        }
    }

    fn schedule_read(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.cfg.read_rate > 0.0 {
            let gap = Self::gap(ctx, self.cfg.read_rate);
            ctx.set_timer(
                gap,
                Timer::ReadTick {
                    generation: self.read_gen,
                },
            );
        }
    }

    fn issue(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = ctx.rng().random_range(0..KEYS);
        let id = self.ids().requested;
        ctx.add(id, 1);
        if self.pending.is_empty() {
            self.base = seq;
        }
        self.pending.push_back(Some(Pending {
            key,
            issued: ctx.now(),
            attempt: 0,
            target: self.believed,
            due: Time::MAX,
            resend: false,
        }));
        self.send(ctx, seq);
    }

    /// Sends the current attempt of write `seq` and sets its timeout.
    fn send(&mut self, ctx: &mut Ctx<'_, FailoverNode>, seq: u32) {
        let now = ctx.now();
        let due = self.deadline(seq).min(now + self.cfg.client_timeout);
        let p = self.get_mut(seq).expect("pending");
        p.due = due;
        p.resend = false;
        let (target, key, attempt) = (p.target, p.key, p.attempt);
        ctx.send(target, Msg::Write { seq, key, attempt });
        self.arm(ctx, due);
    }

    /// Makes sure the watchdog fires at `at` or earlier.
    fn arm(&mut self, ctx: &mut Ctx<'_, FailoverNode>, at: Time) {
        if self.watchdog.is_none_or(|w| at < w) {
            self.watchdog = Some(at);
            ctx.set_timer(at - ctx.now(), Timer::Watchdog);
        }
    }

    /// Deals with every write whose attempt is due, then re-arms for the next.
    fn on_watchdog(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let now = ctx.now();
        let mut due = std::mem::take(&mut self.scratch);
        due.clear();
        let base = self.base;
        due.extend(
            self.pending
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.as_ref().filter(|p| p.due <= now).map(|_| base + i as u32)),
        );
        for &seq in &due {
            let Some(p) = self.get(seq) else { continue };
            let target = if p.resend {
                p.target
            } else {
                // No answer in time: try the next replica, for later writes too.
                let next = self.after(p.target);
                self.believed = next;
                next
            };
            self.retry(ctx, seq, target);
        }
        self.scratch = due;
        if let Some(next) = self.pending.iter().flatten().map(|p| p.due).min() {
            self.arm(ctx, next);
        }
    }

    /// Tries write `seq` again at `target`, unless its time is up.
    fn retry(&mut self, ctx: &mut Ctx<'_, FailoverNode>, seq: u32, target: usize) {
        if ctx.now() >= self.deadline(seq) {
            self.take(seq);
            self.failed += 1;
            let id = self.ids().failed;
            ctx.add(id, 1);
            return;
        }
        let p = self.get_mut(seq).expect("pending");
        p.attempt += 1;
        p.target = target;
        let id = self.ids().retries;
        ctx.add(id, 1);
        self.send(ctx, seq);
    }

    fn deadline(&self, seq: u32) -> Time {
        let issued = self.get(seq).map_or(Time::ZERO, |p| p.issued);
        issued + Time(self.cfg.client_timeout.0 * 2)
    }

    /// The replica after `node` in the list, round robin.
    fn after(&self, node: usize) -> usize {
        let i = self.replicas.iter().position(|&r| r == node).unwrap_or(0);
        self.replicas[(i + 1) % self.replicas.len()]
    }

    fn slot(&self, seq: u32) -> Option<usize> {
        seq.checked_sub(self.base).map(|i| i as usize)
    }

    fn get(&self, seq: u32) -> Option<&Pending> {
        self.slot(seq)
            .and_then(|i| self.pending.get(i))
            .and_then(Option::as_ref)
    }

    fn get_mut(&mut self, seq: u32) -> Option<&mut Pending> {
        self.slot(seq)
            .and_then(|i| self.pending.get_mut(i))
            .and_then(Option::as_mut)
    }

    fn current(&self, seq: u32, attempt: u32) -> bool {
        self.get(seq).is_some_and(|p| p.attempt == attempt)
    }

    fn take(&mut self, seq: u32) -> Option<Pending> {
        let i = self.slot(seq)?;
        let p = self.pending.get_mut(i)?.take();
        while let Some(None) = self.pending.front() {
            self.pending.pop_front();
            self.base += 1;
        }
        p
    }
}

impl scenarios::Role<FailoverNode> for Client {
    fn name(&self) -> &str {
        "client"
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.ids = Some(Ids::register(ctx, &self.replicas));
        self.base = self.next_seq;
        self.schedule_write(ctx);
        self.schedule_read(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: usize, msg: Msg) {
        match msg {
            Msg::WriteOk { seq } => {
                if let Some(p) = self.take(seq) {
                    let ids = self.ids();
                    let (acked, latency) = (ids.acked, ids.latency);
                    ctx.add(acked, 1);
                    ctx.sample(latency, (ctx.now() - p.issued).0);
                    self.acked += 1;
                    let k = p.key as usize;
                    self.acked_seq[k] = self.acked_seq[k].max(seq);
                    self.last_key = Some(p.key);
                    self.believed = from;
                }
            }
            Msg::NotPrimary { seq, attempt, hint } => {
                if !self.current(seq, attempt) {
                    return;
                }
                match hint.map(usize::from) {
                    Some(h) if h != from => {
                        self.believed = h;
                        self.retry(ctx, seq, h);
                    }
                    _ => {
                        // Nobody knows yet: wait a moment, then ask the next one.
                        let target = self.after(from);
                        self.believed = target;
                        let wait = Time((self.cfg.client_timeout.0 / 20).max(1_000));
                        let due = ctx.now() + wait;
                        let p = self.get_mut(seq).expect("current");
                        p.attempt += 1;
                        p.target = target;
                        p.due = due;
                        p.resend = true;
                        self.arm(ctx, due);
                    }
                }
            }
            Msg::ReadOk { want, found } => {
                let ids = self.ids();
                let (reads, stale) = (ids.reads, ids.stale);
                ctx.add(reads, 1);
                if found < want {
                    ctx.add(stale, 1);
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, FailoverNode>, timer: Timer) {
        match timer {
            Timer::Arrival { generation } if generation == self.write_gen => {
                self.issue(ctx);
                self.schedule_write(ctx);
            }
            Timer::ReadTick { generation } if generation == self.read_gen => {
                if let Some(key) = self.last_key {
                    let i = ctx.rng().random_range(0..self.replicas.len());
                    let want = self.acked_seq[key as usize];
                    ctx.send(self.replicas[i], Msg::Read { key, want });
                }
                self.schedule_read(ctx);
            }
            // A timer can fire late (a busy or paused node), never early.
            Timer::Watchdog if self.watchdog.is_some_and(|w| ctx.now() >= w) => {
                self.watchdog = None;
                self.on_watchdog(ctx);
            }
            _ => {}
        }
    }

    fn on_crash(&mut self, _ctx: &mut Ctx<'_, FailoverNode>) {
        self.pending.clear();
        self.watchdog = None;
        self.believed = self.replicas[0];
        self.acked_seq = [0; KEYS as usize];
        self.last_key = None;
    }

    fn on_knob(&mut self, ctx: &mut Ctx<'_, FailoverNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
        match name {
            "write_rate" => {
                self.write_gen += 1;
                self.schedule_write(ctx);
            }
            "read_rate" => {
                self.read_gen += 1;
                self.schedule_read(ctx);
            }
            _ => {}
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let live = self.pending.iter().flatten().count();
        vec![
            ("role", "client".into()),
            ("primary", self.names[self.believed].clone()),
            ("acked", self.acked.to_string()),
            ("failed", self.failed.to_string()),
            ("pending", live.to_string()),
        ]
    }
}

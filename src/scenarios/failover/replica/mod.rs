//! A replica: one copy of the data, which at any moment is a follower, a
//! candidate or the primary.
//!
//! The primary takes every write, appends it to its log and copies the log
//! to the followers (master-slave replication, active-passive redundancy).
//! Followers watch the primary through its heartbeats; one that hears nothing
//! for a randomised election timeout suspects it has died, stands as a
//! candidate for the next epoch, and becomes primary if a majority votes for
//! it (failover). Epochs fence off a deposed primary: with fencing on, nobody
//! takes orders from an older epoch, so a primary that was only cut off, not
//! dead, cannot gather a quorum behind the new one's back.

mod election;
mod replication;

use super::FailoverNode;
use super::config::{Config, MAX_BATCH, Replication};
use super::log::Log;
use super::metrics::{Ids, Record};
use super::msg::{Msg, Timer};
use crate::scenarios;
use crate::sim::{Ctx, KnobValue, Time};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Primary,
}

/// An answer waiting for what it reports to be on stable storage.
#[derive(Clone, Debug)]
struct Unwritten {
    to: usize,
    msg: Msg,
}

#[derive(Clone, Debug)]
pub struct Replica {
    /// Node index of every replica, this one included.
    replicas: Arc<[usize]>,
    names: Arc<[String]>,
    /// This replica's position in `replicas`.
    pos: usize,
    starts_primary: bool,
    cfg: Config,
    ids: Option<Ids>,

    // Durable: survives a crash.
    log: Log,
    epoch: u32,
    voted_for: Option<usize>,
    booted: bool,

    // Volatile: lost in a crash.
    role: Role,
    commit: u32,
    known_primary: Option<usize>,
    last_heard: Time,
    election_deadline: Time,
    election_armed: bool,
    votes: Vec<bool>,
    /// Primary: next index to send to each replica, and the last known to match.
    next: Vec<u32>,
    matched: Vec<u32>,
    /// Primary: when it last sent each replica anything.
    last_sent: Vec<Time>,
    /// Primary: elected (not the first primary at boot), and acknowledged something yet.
    elected: bool,
    acked_any: bool,
    /// Primary: a split-brain write has been logged this epoch (the rest are only counted).
    split_logged: bool,
    /// Answers waiting for their writes to stable storage, oldest first
    /// (each write takes `disk`).
    writing: VecDeque<Unwritten>,
    scratch: Vec<u32>,
}

impl Replica {
    pub fn new(
        replicas: Arc<[usize]>,
        names: Arc<[String]>,
        pos: usize,
        starts_primary: bool,
        cfg: Config,
    ) -> Replica {
        Replica {
            replicas,
            names,
            pos,
            starts_primary,
            cfg,
            ids: None,
            log: Log::default(),
            epoch: 0,
            voted_for: None,
            booted: false,
            role: Role::Follower,
            commit: 0,
            known_primary: None,
            last_heard: Time::ZERO,
            election_deadline: Time::ZERO,
            election_armed: false,
            votes: Vec::new(),
            next: Vec::new(),
            matched: Vec::new(),
            last_sent: Vec::new(),
            elected: false,
            acked_any: false,
            split_logged: false,
            writing: VecDeque::new(),
            scratch: Vec::new(),
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    pub fn log(&self) -> &Log {
        &self.log
    }

    pub fn commit(&self) -> u32 {
        self.commit
    }

    pub fn voted_for(&self) -> Option<&str> {
        self.voted_for.map(|v| self.names[v].as_str())
    }

    fn ids(&self) -> &Ids {
        self.ids.as_ref().expect("metrics are registered at start")
    }

    fn me(&self) -> usize {
        self.replicas[self.pos]
    }

    fn majority(&self) -> usize {
        self.replicas.len() / 2 + 1
    }

    fn batch(&self) -> u32 {
        match self.cfg.replication {
            Replication::Async => self.cfg.ship_batch,
            _ => MAX_BATCH,
        }
    }

    fn drop_volatile(&mut self) {
        self.role = Role::Follower;
        self.commit = 0;
        self.known_primary = None;
        self.election_armed = false;
        self.votes.clear();
        self.next.clear();
        self.matched.clear();
        self.last_sent.clear();
        self.elected = false;
        self.acked_any = false;
        self.writing.clear();
    }

    /// Sends `msg` to `to`; if handling what it answers `wrote` a new
    /// epoch, vote or log entries, only once that is on stable storage, as
    /// Raft requires.
    fn answer(&mut self, ctx: &mut Ctx<'_, FailoverNode>, to: usize, msg: Msg, wrote: bool) {
        if wrote && self.cfg.disk > Time::ZERO {
            self.writing.push_back(Unwritten { to, msg });
            ctx.set_timer(self.cfg.disk, Timer::Written);
        } else {
            ctx.send(to, msg);
        }
    }

    /// The oldest write to stable storage is done: its answer goes out.
    fn written(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if let Some(Unwritten { to, msg }) = self.writing.pop_front() {
            ctx.send(to, msg);
        }
    }
}

impl scenarios::Role<FailoverNode> for Replica {
    fn name(&self) -> &str {
        match self.role {
            Role::Primary => "primary",
            Role::Candidate => "candidate",
            Role::Follower => "replica",
        }
    }

    fn on_start(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        self.ids = Some(Ids::register(ctx, &self.replicas));
        self.drop_volatile();
        self.last_heard = ctx.now();
        if !self.booted {
            self.booted = true;
            if self.starts_primary {
                self.epoch = 1;
                self.voted_for = Some(self.me());
                self.take_office(ctx, false);
                return;
            }
        }
        self.reset_election(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, FailoverNode>, from: usize, msg: Msg) {
        match msg {
            Msg::Write { seq, key, attempt } => self.on_write(ctx, from, seq, key, attempt),
            Msg::Read { key, want } => {
                let found = self.log.read(from as u16, key);
                ctx.send(from, Msg::ReadOk { want, found });
            }
            Msg::Append {
                epoch,
                prev_index,
                prev_epoch,
                entries,
                commit,
            } => self.on_append(ctx, from, epoch, prev_index, prev_epoch, &entries, commit),
            Msg::AppendReply {
                term,
                epoch,
                result,
            } => self.on_append_reply(ctx, from, term, epoch, result),
            Msg::Vote {
                epoch,
                last_index,
                last_epoch,
            } => self.on_vote(ctx, from, epoch, last_index, last_epoch),
            Msg::VoteReply { epoch, granted } => self.on_vote_reply(ctx, from, epoch, granted),
            Msg::WriteOk { .. } | Msg::NotPrimary { .. } | Msg::ReadOk { .. } => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, FailoverNode>, timer: Timer) {
        match timer {
            Timer::Election => {
                self.election_armed = false;
                if self.role == Role::Primary {
                    return;
                }
                let now = ctx.now();
                if now >= self.election_deadline {
                    self.start_election(ctx);
                } else {
                    self.election_armed = true;
                    ctx.set_timer(self.election_deadline - now, Timer::Election);
                }
            }
            Timer::Heartbeat { epoch } if self.role == Role::Primary && epoch == self.epoch => {
                self.heartbeat(ctx);
                ctx.set_timer(self.cfg.heartbeat, Timer::Heartbeat { epoch });
            }
            Timer::Written => self.written(ctx),
            _ => {}
        }
    }

    fn on_crash(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.role == Role::Primary {
            let now = ctx.now();
            let n = ctx.world().set_primary(self.me(), false, now);
            let id = self.ids().primaries;
            ctx.set(id, n as f64);
        }
        self.drop_volatile();
    }

    fn on_knob(&mut self, _ctx: &mut Ctx<'_, FailoverNode>, name: &str, value: &KnobValue) {
        self.cfg.set(name, value);
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("role", self.name().to_string()),
            ("epoch", self.epoch.to_string()),
            ("log", self.log.len().to_string()),
            ("commit", self.commit.to_string()),
            ("voted", self.voted_for().unwrap_or("-").to_string()),
        ]
    }
}

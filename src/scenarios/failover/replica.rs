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

use super::FailoverNode;
use super::config::{Config, MAX_BATCH, Replication};
use super::judge::Lost;
use super::log::Log;
use super::metrics::{Ids, Record};
use super::msg::{Entry, Msg, Refusal, Timer, WriteId};
use crate::scenarios;
use crate::sim::{Ctx, KnobValue, MetricId, Time};
use rand::RngExt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Follower,
    Candidate,
    Primary,
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

    // ---- lifecycle ----

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
    }

    // ---- failure detection and elections ----

    /// Pushes the election deadline a fresh random timeout into the future.
    fn reset_election(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let (lo, hi) = self.cfg.election_range();
        let timeout = Time(ctx.rng().random_range(lo..=hi));
        self.election_deadline = ctx.now() + timeout;
        if !self.election_armed {
            self.election_armed = true;
            ctx.set_timer(timeout, Timer::Election);
        }
    }

    fn start_election(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let now = ctx.now();
        if self.role == Role::Follower {
            let id = self.ids().detection;
            ctx.sample(id, (now - self.last_heard).0);
        }
        let id = self.ids().started;
        ctx.add(id, 1);
        self.epoch += 1;
        self.voted_for = Some(self.me());
        self.role = Role::Candidate;
        self.known_primary = None;
        self.votes.clear();
        self.votes.resize(self.replicas.len(), false);
        self.votes[self.pos] = true;
        if ctx.logging() {
            let line = format!(
                "{} stands for epoch {} (silent primary for {})",
                self.names[self.me()],
                self.epoch,
                now - self.last_heard
            );
            ctx.log(line);
        }
        let vote = Msg::Vote {
            epoch: self.epoch,
            last_index: self.log.len(),
            last_epoch: self.log.last_epoch(),
        };
        for (p, &r) in self.replicas.iter().enumerate() {
            if p != self.pos {
                ctx.send(r, vote.clone());
            }
        }
        self.reset_election(ctx);
    }

    fn on_vote(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        epoch: u32,
        last_index: u32,
        last_epoch: u32,
    ) {
        if epoch > self.epoch {
            if self.role == Role::Primary && !self.cfg.fencing {
                // Without fencing a primary ignores newer epochs altogether.
                ctx.send(
                    from,
                    Msg::VoteReply {
                        epoch: self.epoch,
                        granted: false,
                    },
                );
                return;
            }
            self.adopt_epoch(ctx, epoch, from);
        }
        let grant = epoch == self.epoch
            && self.role == Role::Follower
            && self.voted_for.is_none_or(|v| v == from)
            && self.log.candidate_is_current(last_epoch, last_index);
        if grant {
            self.voted_for = Some(from);
            self.reset_election(ctx);
        }
        ctx.send(
            from,
            Msg::VoteReply {
                epoch: self.epoch,
                granted: grant,
            },
        );
    }

    fn on_vote_reply(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        epoch: u32,
        granted: bool,
    ) {
        if epoch > self.epoch {
            if self.role != Role::Primary || self.cfg.fencing {
                self.adopt_epoch(ctx, epoch, from);
            }
            return;
        }
        if self.role != Role::Candidate || epoch != self.epoch || !granted {
            return;
        }
        if let Some(p) = self.replicas.iter().position(|&r| r == from) {
            self.votes[p] = true;
        }
        if self.votes.iter().filter(|&&v| v).count() >= self.majority() {
            self.take_office(ctx, true);
        }
    }

    /// A newer epoch exists: take its number and, if leading or standing, step down.
    fn adopt_epoch(&mut self, ctx: &mut Ctx<'_, FailoverNode>, epoch: u32, from: usize) {
        self.epoch = epoch;
        self.voted_for = None;
        if self.role != Role::Follower {
            if ctx.logging() {
                let line = format!(
                    "{} steps down: {} is in epoch {epoch}",
                    self.names[self.me()],
                    self.names[from]
                );
                ctx.log(line);
            }
            self.become_follower(ctx);
        }
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.role == Role::Primary {
            let n = ctx.world().set_primary(self.me(), false);
            let id = self.ids().primaries;
            ctx.set(id, n as f64);
        }
        self.role = Role::Follower;
        self.votes.clear();
        self.next.clear();
        self.matched.clear();
        self.last_sent.clear();
        self.last_heard = ctx.now();
        self.reset_election(ctx);
    }

    /// Becomes primary of the current epoch (`elected` is false only for the
    /// primary the cluster boots with).
    fn take_office(&mut self, ctx: &mut Ctx<'_, FailoverNode>, elected: bool) {
        let now = ctx.now();
        let me = self.me();
        self.role = Role::Primary;
        self.known_primary = Some(me);
        self.elected = elected;
        self.acked_any = false;
        self.split_logged = false;
        let n = self.replicas.len();
        let last = self.log.len();
        self.next = vec![last + 1; n];
        self.matched = vec![0; n];
        self.last_sent = vec![Time::ZERO; n];
        self.matched[self.pos] = last;
        let lost = ctx.world().elected(me, self.epoch, now, self.log.entries());
        self.report_lost(ctx, lost, "is missing from the new primary's log");
        let (primaries, max_epoch) = (ctx.world().primaries(), ctx.world().max_epoch());
        let ids = self.ids();
        let (p, e, won) = (ids.primaries, ids.epoch, ids.won);
        ctx.set(p, primaries as f64);
        ctx.set(e, max_epoch as f64);
        if elected {
            ctx.add(won, 1);
        }
        if ctx.logging() {
            let line = format!(
                "{} is primary of epoch {} with {} entries",
                self.names[me], self.epoch, last
            );
            ctx.log(line);
        }
        self.heartbeat(ctx);
        ctx.set_timer(self.cfg.heartbeat, Timer::Heartbeat { epoch: self.epoch });
    }

    // ---- the primary ----

    fn on_write(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        seq: u32,
        key: u8,
        attempt: u32,
    ) {
        if self.role != Role::Primary {
            let hint = self.known_primary.map(|p| p as u16);
            ctx.send(from, Msg::NotPrimary { seq, attempt, hint });
            return;
        }
        let entry = Entry {
            epoch: self.epoch,
            id: WriteId {
                client: from as u16,
                seq,
            },
            key,
            at: ctx.now(),
        };
        let index = self.log.push(entry);
        self.matched[self.pos] = index;
        if self.cfg.replication != Replication::Async {
            // A client is waiting: ship now rather than at the next heartbeat.
            for p in 0..self.replicas.len() {
                if p != self.pos && self.next[p] <= index {
                    self.ship(ctx, p, MAX_BATCH);
                }
            }
        }
        self.advance_commit(ctx);
    }

    /// Heartbeat tick: an append to every follower (empty when it is up to
    /// date), and a fresh reading of how far each trails. With sync or quorum
    /// replication a follower that was sent an append within the last half
    /// period needs no heartbeat: that append told it the primary lives.
    fn heartbeat(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let batch = self.batch();
        let recent = ctx.now().saturating_sub(Time(self.cfg.heartbeat.0 / 2));
        let eager = self.cfg.replication != Replication::Async;
        for p in 0..self.replicas.len() {
            let due = self.last_sent[p] <= recent || self.next[p] <= self.log.len();
            if p != self.pos && (!eager || due) {
                self.ship(ctx, p, batch);
            }
        }
        let last = self.log.len();
        for p in 0..self.replicas.len() {
            let id: MetricId = self.ids().lag[p];
            ctx.set(id, last.saturating_sub(self.matched[p]) as f64);
        }
    }

    /// Sends replica `p` the entries from its next index on, at most `cap`.
    /// Optimistic: the next index moves past them at once.
    fn ship(&mut self, ctx: &mut Ctx<'_, FailoverNode>, p: usize, cap: u32) {
        let last = self.log.len();
        let prev = self.next[p].clamp(1, last + 1) - 1;
        let end = last.min(prev + cap);
        let entries = self.log.slice(prev + 1, end);
        self.next[p] = end + 1;
        self.last_sent[p] = ctx.now();
        let msg = Msg::Append {
            epoch: self.epoch,
            prev_index: prev,
            prev_epoch: self.log.epoch_at(prev),
            entries,
            commit: self.commit,
        };
        ctx.send(self.replicas[p], msg);
    }

    fn on_append_reply(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        term: u32,
        epoch: u32,
        result: Result<u32, Refusal>,
    ) {
        if epoch > self.epoch && self.cfg.fencing {
            self.adopt_epoch(ctx, epoch, from);
            return;
        }
        if self.role != Role::Primary || term != self.epoch {
            return;
        }
        let Some(p) = self.replicas.iter().position(|&r| r == from) else {
            return;
        };
        let next = match result {
            Ok(m) => {
                self.matched[p] = self.matched[p].max(m);
                self.next[p] = self.next[p].max(m + 1);
                self.advance_commit(ctx);
                if self.cfg.replication != Replication::Async && self.next[p] <= self.log.len() {
                    self.ship(ctx, p, MAX_BATCH);
                }
                return;
            }
            Err(Refusal::StaleEpoch | Refusal::NotFollowing) => return,
            Err(Refusal::TooShort { len }) => len + 1,
            Err(Refusal::Conflict { epoch, first }) => self.after_epoch(epoch).unwrap_or(first),
        };
        self.next[p] = next.clamp(1, self.log.len() + 1);
        self.matched[p] = self.matched[p].min(self.next[p] - 1);
        let batch = self.batch();
        self.ship(ctx, p, batch);
    }

    /// One past this log's last entry of `epoch`, if it has any (logs are
    /// sorted by epoch, so a binary search finds it).
    fn after_epoch(&self, epoch: u32) -> Option<u32> {
        let entries = self.log.entries();
        let end = entries.partition_point(|e| e.epoch <= epoch);
        (end > 0 && entries[end - 1].epoch == epoch).then_some(end as u32 + 1)
    }

    /// Moves the commit index as far as the replication mode allows and
    /// acknowledges the writes it passes. Only entries of the primary's own
    /// epoch are counted (Raft's commit rule): an older entry on a majority
    /// may still be overwritten by a primary that never saw it.
    fn advance_commit(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let last = self.log.len();
        let target = match self.cfg.replication {
            Replication::Async => last,
            Replication::Sync => self.matched.iter().copied().min().unwrap_or(0),
            Replication::Quorum => {
                self.scratch.clear();
                self.scratch.extend_from_slice(&self.matched);
                self.scratch.sort_unstable_by(|a, b| b.cmp(a));
                self.scratch[self.majority() - 1]
            }
        };
        if target <= self.commit || self.log.epoch_at(target) != self.epoch {
            return;
        }
        for i in self.commit + 1..=target {
            let e = self.log.entries()[i as usize - 1];
            if e.epoch == self.epoch {
                self.ack(ctx, i, e);
            }
        }
        self.commit = target;
    }

    fn ack(&mut self, ctx: &mut Ctx<'_, FailoverNode>, index: u32, e: Entry) {
        ctx.send(e.id.client as usize, Msg::WriteOk { seq: e.id.seq });
        let now = ctx.now();
        let verdict = ctx.world().acked(index, &e, now);
        if verdict.split_brain {
            let id = self.ids().split_brain;
            ctx.add(id, 1);
            if ctx.logging() && !self.split_logged {
                self.split_logged = true;
                let line = format!(
                    "split brain: {} (epoch {}) acknowledged {}#{}, accepted at {} after a newer \
                     primary took over (more are counted, not logged)",
                    self.names[self.me()],
                    self.epoch,
                    self.names[e.id.client as usize],
                    e.id.seq,
                    e.at
                );
                ctx.log(line);
            }
        }
        if !self.acked_any {
            self.acked_any = true;
            if let (true, Some(gap)) = (self.elected, verdict.since_last_ack) {
                let id = self.ids().unavailable;
                ctx.sample(id, gap.0);
            }
        }
    }

    // ---- followers ----

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        epoch: u32,
        prev_index: u32,
        prev_epoch: u32,
        entries: &[Entry],
        commit: u32,
    ) {
        if epoch < self.epoch && self.cfg.fencing {
            self.reply(ctx, from, epoch, Err(Refusal::StaleEpoch));
            return;
        }
        match self.role {
            Role::Primary if epoch > self.epoch => {
                // Two primaries hear each other: even without fencing the
                // older one yields (like VRRP), but only now that it hears.
                if ctx.logging() {
                    let line = format!(
                        "{} steps down: {} is primary of epoch {epoch}",
                        self.names[self.me()],
                        self.names[from]
                    );
                    ctx.log(line);
                }
                self.become_follower(ctx);
            }
            Role::Primary => {
                self.reply(ctx, from, epoch, Err(Refusal::NotFollowing));
                return;
            }
            Role::Candidate => self.become_follower(ctx),
            Role::Follower => {}
        }
        if epoch > self.epoch {
            self.epoch = epoch;
            self.voted_for = None;
        }
        self.known_primary = Some(from);
        self.last_heard = ctx.now();
        self.reset_election(ctx);
        match self.log.append(prev_index, prev_epoch, entries) {
            Err(refusal) => self.reply(ctx, from, epoch, Err(refusal)),
            Ok(applied) => {
                if let Some((at, removed)) = applied.truncated {
                    self.commit = self.commit.min(at - 1);
                    if ctx.logging() {
                        let line = format!(
                            "{} truncates {} entries from index {at} (epoch {}) for {}",
                            self.names[self.me()],
                            removed.len(),
                            removed[0].epoch,
                            self.names[from]
                        );
                        ctx.log(line);
                    }
                    let lost = ctx.world().truncated(at, &removed);
                    self.report_lost(ctx, lost, "was truncated away");
                }
                if commit > self.commit {
                    self.commit = commit.min(applied.matched);
                }
                self.reply(ctx, from, epoch, Ok(applied.matched));
            }
        }
    }

    fn reply(
        &self,
        ctx: &mut Ctx<'_, FailoverNode>,
        to: usize,
        term: u32,
        result: Result<u32, Refusal>,
    ) {
        let msg = Msg::AppendReply {
            term,
            epoch: self.epoch,
            result,
        };
        ctx.send(to, msg);
    }

    fn report_lost(&self, ctx: &mut Ctx<'_, FailoverNode>, lost: Lost, how: &str) {
        if lost.count == 0 {
            return;
        }
        let id = self.ids().acked_lost;
        ctx.add(id, lost.count);
        if ctx.logging()
            && let Some(w) = lost.example
        {
            let line = format!(
                "{} acknowledged write(s) lost at {}: e.g. {}#{} {how}",
                lost.count,
                self.names[self.me()],
                self.names[w.client as usize],
                w.seq
            );
            ctx.log(line);
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
            _ => {}
        }
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

    fn on_crash(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.role == Role::Primary {
            let n = ctx.world().set_primary(self.me(), false);
            let id = self.ids().primaries;
            ctx.set(id, n as f64);
        }
        self.drop_volatile();
    }
}

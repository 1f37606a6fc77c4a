//! Failure detection and elections: a follower that hears nothing from the
//! primary for a randomised timeout stands for the next epoch, and becomes
//! primary with a majority of votes (Raft's RequestVote, with the
//! up-to-date rule).

use super::{Replica, Role};
use crate::scenarios::failover::FailoverNode;
use crate::scenarios::failover::metrics::Record;
use crate::scenarios::failover::msg::{Msg, Timer};
use crate::sim::{Ctx, Time};
use rand::RngExt;

impl Replica {
    /// Pushes the election deadline a fresh random timeout into the future.
    pub(super) fn reset_election(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        let (lo, hi) = self.cfg.election_range();
        let timeout = Time(ctx.rng().random_range(lo..=hi));
        self.election_deadline = ctx.now() + timeout;
        if !self.election_armed {
            self.election_armed = true;
            ctx.set_timer(timeout, Timer::Election);
        }
    }

    pub(super) fn start_election(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
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
        // Raft has a server store what it answers before answering; the
        // requests go out at once (the candidate's own write of its epoch and
        // vote is done before the answers can make it primary).
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

    pub(super) fn on_vote(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        from: usize,
        epoch: u32,
        last_index: u32,
        last_epoch: u32,
    ) {
        let adopted = epoch > self.epoch;
        if adopted {
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
        let reply = Msg::VoteReply {
            epoch: self.epoch,
            granted: grant,
        };
        // A new epoch or a vote is written down before the answer goes out.
        self.answer(ctx, from, reply, adopted || grant);
    }

    pub(super) fn on_vote_reply(
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
    pub(super) fn adopt_epoch(&mut self, ctx: &mut Ctx<'_, FailoverNode>, epoch: u32, from: usize) {
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

    pub(super) fn become_follower(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
        if self.role == Role::Primary {
            let now = ctx.now();
            let n = ctx.world().set_primary(self.me(), false, now);
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
    pub(super) fn take_office(&mut self, ctx: &mut Ctx<'_, FailoverNode>, elected: bool) {
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
            if let Some(gap) = ctx.world().leaderless() {
                let id = self.ids().leaderless;
                ctx.sample(id, gap.0);
            }
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
}

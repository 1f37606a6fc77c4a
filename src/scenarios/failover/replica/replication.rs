//! Replication: the primary appends each write to its log, ships the log to
//! the followers and acknowledges as `replication` says; a follower checks
//! each append against its own log (Raft's AppendEntries) and answers.

use super::{Replica, Role};
use crate::scenarios::failover::FailoverNode;
use crate::scenarios::failover::config::{MAX_BATCH, Replication};
use crate::scenarios::failover::judge::Lost;
use crate::scenarios::failover::metrics::Record;
use crate::scenarios::failover::msg::{Entry, Msg, Refusal, WriteId};
use crate::sim::{Ctx, MetricId, Time};

impl Replica {
    pub(super) fn on_write(
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
    pub(super) fn heartbeat(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
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
    pub(super) fn ship(&mut self, ctx: &mut Ctx<'_, FailoverNode>, p: usize, cap: u32) {
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

    pub(super) fn on_append_reply(
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
    pub(super) fn after_epoch(&self, epoch: u32) -> Option<u32> {
        let entries = self.log.entries();
        // The first entry of a later epoch: the search never finds an equal.
        let end = entries
            .binary_search_by(|e| {
                if e.epoch <= epoch {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            })
            .unwrap_or_else(|i| i);
        (end > 0 && entries[end - 1].epoch == epoch).then_some(end as u32 + 1)
    }

    /// Moves the commit index as far as the replication mode allows and
    /// acknowledges the writes it passes. Only entries of the primary's own
    /// epoch are counted (Raft's commit rule): an older entry on a majority
    /// may still be overwritten by a primary that never saw it.
    pub(super) fn advance_commit(&mut self, ctx: &mut Ctx<'_, FailoverNode>) {
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
            let Some(e) = self.log.get(i) else { break };
            if e.epoch == self.epoch {
                self.ack(ctx, i, e);
            }
        }
        self.commit = target;
    }

    pub(super) fn ack(&mut self, ctx: &mut Ctx<'_, FailoverNode>, index: u32, e: Entry) {
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

    // Followers.

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_append(
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
            self.reply(ctx, from, epoch, Err(Refusal::StaleEpoch), false);
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
                self.reply(ctx, from, epoch, Err(Refusal::NotFollowing), false);
                return;
            }
            Role::Candidate => self.become_follower(ctx),
            Role::Follower => {}
        }
        let adopted = epoch > self.epoch;
        if adopted {
            self.epoch = epoch;
            self.voted_for = None;
        }
        self.known_primary = Some(from);
        self.last_heard = ctx.now();
        self.reset_election(ctx);
        match self.log.append(prev_index, prev_epoch, entries) {
            Err(refusal) => self.reply(ctx, from, epoch, Err(refusal), adopted),
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
                // New entries (or a new epoch) are written down before the answer.
                let wrote = adopted || !entries.is_empty();
                self.reply(ctx, from, epoch, Ok(applied.matched), wrote);
            }
        }
    }

    /// Answers an append, once on stable storage if handling it `wrote` anything.
    pub(super) fn reply(
        &mut self,
        ctx: &mut Ctx<'_, FailoverNode>,
        to: usize,
        term: u32,
        result: Result<u32, Refusal>,
        wrote: bool,
    ) {
        let msg = Msg::AppendReply {
            term,
            epoch: self.epoch,
            result,
        };
        self.answer(ctx, to, msg, wrote);
    }

    pub(super) fn report_lost(&self, ctx: &mut Ctx<'_, FailoverNode>, lost: Lost, how: &str) {
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

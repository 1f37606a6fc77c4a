//! The judge: an observer that sees every node at once, which no real node
//! can. It remembers each acknowledged write and when each epoch's primary was
//! elected, and from that it tells which acknowledgements were broken
//! promises. The protocol never reads it.

use super::msg::{Entry, WriteId};
use crate::scenarios::tables::SeqMap;
use crate::sim::Time;
use std::collections::{BTreeMap, HashSet};

/// Where an acknowledged write sat in the log of the primary that acknowledged it.
#[derive(Clone, Copy, Debug, Default)]
struct AckRecord {
    /// Log index (from 1); 0 while the write has not been acknowledged.
    index: u32,
    epoch: u32,
    lost: bool,
}

/// What an acknowledgement turned out to be.
#[derive(Clone, Copy, Debug, Default)]
pub struct AckVerdict {
    /// The primary accepted the write after a newer primary had been elected.
    pub split_brain: bool,
    /// Time since the previous acknowledgement by any primary, if there was one.
    pub since_last_ack: Option<Time>,
}

/// Acknowledged writes that have just been found lost.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lost {
    pub count: u64,
    /// One of them, for the log.
    pub example: Option<WriteId>,
}

impl Lost {
    fn add(&mut self, id: WriteId) {
        self.count += 1;
        self.example.get_or_insert(id);
    }
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// `acks[client][seq]`: a table that a checkpoint's copy shares, but
    /// for its newest part (an hour is 360,000 acknowledged writes).
    acks: Vec<SeqMap<AckRecord>>,
    /// When the primary of each epoch was elected.
    elected_at: BTreeMap<u32, Time>,
    last_ack: Option<Time>,
    /// Which nodes believe they are primary.
    primary: Vec<bool>,
    /// The highest epoch any primary has had.
    max_epoch: u32,
    /// Since when no node has believed it is primary.
    leaderless_since: Option<Time>,
    /// How long it was, once a primary is back.
    back: Option<Time>,
}

impl Judge {
    fn record(&mut self, id: WriteId) -> &mut AckRecord {
        let c = id.client as usize;
        if self.acks.len() <= c {
            self.acks.resize_with(c + 1, SeqMap::default);
        }
        self.acks[c].or_default(u64::from(id.seq))
    }

    /// A primary of `entry.epoch` acknowledges `entry`, at `index` of its log.
    pub fn acked(&mut self, index: u32, entry: &Entry, now: Time) -> AckVerdict {
        let newer_primary = self
            .elected_at
            .range(entry.epoch + 1..)
            .any(|(_, &t)| t <= entry.at);
        let rec = self.record(entry.id);
        let first = rec.index == 0;
        if first {
            *rec = AckRecord {
                index,
                epoch: entry.epoch,
                lost: false,
            };
        }
        let verdict = AckVerdict {
            split_brain: first && newer_primary,
            since_last_ack: self.last_ack.map(|t| now - t),
        };
        self.last_ack = Some(now);
        verdict
    }

    /// `node` has become the primary of `epoch` with `log`: every write
    /// acknowledged so far that its log lacks is lost.
    pub fn elected(
        &mut self,
        node: usize,
        epoch: u32,
        now: Time,
        log: &imbl::Vector<Entry>,
    ) -> Lost {
        self.elected_at.insert(epoch, now);
        self.max_epoch = self.max_epoch.max(epoch);
        self.set_primary(node, true, now);
        let mut lost = Lost::default();
        // Every id in the log, gathered the first time an acknowledged write
        // is not where it was acknowledged: one pass over the log per
        // election, not one per write.
        let mut ids: Option<HashSet<WriteId>> = None;
        // Read first and write only the records found lost, so the parts of
        // the table a checkpoint shares stay shared.
        let mut found = Vec::new();
        for (client, recs) in self.acks.iter().enumerate() {
            for (seq, rec) in recs.iter() {
                if rec.index == 0 || rec.lost {
                    continue;
                }
                let id = WriteId {
                    client: client as u16,
                    seq: seq as u32,
                };
                let in_place = log
                    .get(rec.index as usize - 1)
                    .is_some_and(|e| e.epoch == rec.epoch && e.id == id);
                // A retry may have put another copy elsewhere.
                if !in_place
                    && !ids
                        .get_or_insert_with(|| log.iter().map(|e| e.id).collect())
                        .contains(&id)
                {
                    found.push(id);
                    lost.add(id);
                }
            }
        }
        for id in found {
            self.record(id).lost = true;
        }
        lost
    }

    /// A log dropped `removed`, which started at index `from`, to make way
    /// for a conflicting primary's entries.
    pub fn truncated(&mut self, from: u32, removed: &[Entry]) -> Lost {
        let mut lost = Lost::default();
        for (k, e) in removed.iter().enumerate() {
            let lost_here = self
                .acks
                .get(e.id.client as usize)
                .and_then(|r| r.get(&u64::from(e.id.seq)))
                .is_some_and(|rec| rec.index == from + k as u32 && rec.epoch == e.epoch && !rec.lost);
            if lost_here {
                self.record(e.id).lost = true;
                lost.add(e.id);
            }
        }
        lost
    }

    /// Records whether `node` believes it is primary at `now`; returns how many do.
    pub fn set_primary(&mut self, node: usize, primary: bool, now: Time) -> usize {
        if self.primary.len() <= node {
            self.primary.resize(node + 1, false);
        }
        self.primary[node] = primary;
        let n = self.primaries();
        if n == 0 {
            self.leaderless_since.get_or_insert(now);
        } else if primary {
            self.back = self.leaderless_since.take().map(|since| now - since);
        }
        n
    }

    /// How long the cluster was without a primary before the one that has
    /// just taken office, if it was (taken: asked once per election).
    pub fn leaderless(&mut self) -> Option<Time> {
        self.back.take()
    }

    pub fn primaries(&self) -> usize {
        self.primary.iter().filter(|&&p| p).count()
    }

    pub fn max_epoch(&self) -> u32 {
        self.max_epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(epoch: u32, seq: u32, at: u64) -> Entry {
        Entry {
            epoch,
            id: WriteId { client: 3, seq },
            key: 0,
            at: Time::secs(at),
        }
    }

    #[test]
    fn a_write_accepted_after_a_newer_election_is_split_brain() {
        let mut j = Judge::default();
        j.elected(0, 1, Time::ZERO, &imbl::Vector::new());
        assert!(!j.acked(1, &entry(1, 1, 5), Time::secs(5)).split_brain);
        j.elected(1, 2, Time::secs(10), &imbl::Vector::new());
        // accepted before epoch 2 began, acknowledged after: not split brain
        assert!(!j.acked(2, &entry(1, 2, 9), Time::secs(11)).split_brain);
        let late = j.acked(3, &entry(1, 3, 12), Time::secs(12));
        assert!(late.split_brain);
        assert_eq!(late.since_last_ack, Some(Time::secs(1)));
        assert_eq!(j.primaries(), 2);
    }

    #[test]
    fn lost_writes_are_counted_once() {
        let mut j = Judge::default();
        let (a, b) = (entry(1, 1, 1), entry(1, 2, 1));
        j.acked(1, &a, Time::secs(1));
        j.acked(2, &b, Time::secs(1));
        // the new primary has only the first
        let lost = j.elected(1, 2, Time::secs(2), &imbl::vector![a]);
        assert_eq!((lost.count, lost.example), (1, Some(b.id)));
        assert_eq!(j.truncated(2, &[b]).count, 0);
        assert_eq!(j.truncated(1, &[a]).count, 1);
        assert_eq!(j.elected(2, 3, Time::secs(3), &imbl::Vector::new()).count, 0);
    }

    #[test]
    fn an_election_leaves_what_a_checkpoint_shares_shared() {
        let mut j = Judge::default();
        j.elected(0, 1, Time::ZERO, &imbl::Vector::new());
        let mut log = imbl::Vector::new();
        for seq in 1..=5_000 {
            let e = entry(1, seq, 1);
            log.push_back(e);
            j.acked(seq, &e, Time::secs(1));
        }
        let copy = j.clone();
        // n2 has every write but the newest: one record changes.
        log.pop_back();
        let lost = j.elected(1, 2, Time::secs(2), &log);
        assert_eq!(lost.count, 1);
        let (now, then) = (&j.acks[3], &copy.acks[3]);
        assert!(now.chunks_shared_with(then) >= 5_000 / 256 - 1);
        assert!(!copy.acks[3].get(&5_000).unwrap().lost);
    }
}

//! The judge: an observer that sees Customer's commits and what each
//! consumer knows. It keeps, per customer, when each version was committed;
//! per consumer, the version it knows of each customer and the customers it
//! is behind on, ordered by the oldest change it has not seen, which is its
//! staleness. It also holds the events a crash took out of the publisher's
//! memory before every consumer had them, and counts them lost once no copy
//! can still be on its way. The protocol never reads it.

use crate::sim::Time;
use std::collections::{BTreeMap, BTreeSet};

/// How long after a crash an event sent before it may still arrive.
const IN_FLIGHT: Time = Time::secs(3);

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// Per customer, the commit time of version v at index v − 1.
    commits: Vec<Vec<Time>>,
    /// Per consumer (by rank), the version it knows of each customer.
    known: Vec<Vec<u64>>,
    /// Per consumer, (commit time of the first version it does not know,
    /// customer) for each customer it is behind on.
    behind: Vec<BTreeSet<(Time, u32)>>,
    /// Events taken out of a crashed publisher's memory: the consumers that
    /// had not acknowledged each (a bit per rank), and when.
    orphans: BTreeMap<u64, (u32, Time)>,
    /// Per consumer, a bit per event id: whether it has received that event.
    received: Vec<Vec<u64>>,
    lost: u64,
}

impl Judge {
    /// Sets up `customers` records, all at version 0, and `consumers`
    /// consumers that know them all (once; later calls do nothing).
    pub fn init(&mut self, customers: u32, consumers: usize) {
        if self.commits.is_empty() {
            self.commits = vec![Vec::new(); customers as usize];
            self.known = vec![vec![0; customers as usize]; consumers];
            self.behind = vec![BTreeSet::new(); consumers];
            self.received = vec![Vec::new(); consumers];
        }
    }

    /// The latest committed version of `customer`.
    pub fn latest(&self, customer: u32) -> u64 {
        self.commits[customer as usize].len() as u64
    }

    fn commit_time(&self, customer: u32, version: u64) -> Time {
        self.commits[customer as usize][version as usize - 1]
    }

    /// Customer committed `version` of `customer` at `now`.
    pub fn committed(&mut self, customer: u32, version: u64, now: Time) {
        let c = customer as usize;
        debug_assert_eq!(self.commits[c].len() as u64 + 1, version);
        self.commits[c].push(now);
        for (known, behind) in self.known.iter().zip(&mut self.behind) {
            if known[c] + 1 == version {
                behind.insert((now, customer));
            }
        }
    }

    /// Consumer `rank` now knows `version` of `customer` (a later version
    /// than it knew, or nothing happens).
    pub fn learned(&mut self, rank: usize, customer: u32, version: u64) {
        let c = customer as usize;
        let had = self.known[rank][c];
        if version <= had {
            return;
        }
        let latest = self.latest(customer);
        if had < latest {
            let t = self.commit_time(customer, had + 1);
            self.behind[rank].remove(&(t, customer));
        }
        self.known[rank][c] = version;
        if version < latest {
            let t = self.commit_time(customer, version + 1);
            self.behind[rank].insert((t, customer));
        }
    }

    /// How long ago the oldest change consumer `rank` does not know was
    /// committed; zero when it knows every change.
    pub fn staleness(&self, rank: usize, now: Time) -> Time {
        self.behind[rank]
            .first()
            .map_or(Time::ZERO, |&(t, _)| now.saturating_sub(t))
    }

    /// How many customers consumer `rank` is behind on.
    pub fn behind(&self, rank: usize) -> usize {
        self.behind[rank].len()
    }

    /// Whether `version` of `customer` has been replaced.
    pub fn is_old(&self, customer: u32, version: u64) -> bool {
        version < self.latest(customer)
    }

    /// A crash took event `id` out of the publisher's memory with the
    /// consumers in `missing` still to acknowledge it.
    pub fn orphaned(&mut self, id: u64, missing: u32, now: Time) {
        // An acknowledgement lost on its way leaves a consumer that has the
        // event among those Customer waits for: it has lost nothing.
        let missing = (0..self.received.len())
            .filter(|&r| missing & (1 << r) != 0 && !self.has(r, id))
            .fold(0, |m, r| m | (1 << r));
        if missing != 0 {
            self.orphans.insert(id, (missing, now));
        }
    }

    fn has(&self, rank: usize, id: u64) -> bool {
        let (word, bit) = ((id / 64) as usize, id % 64);
        self.received[rank].get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    /// Consumer `rank` received event `id`.
    pub fn received(&mut self, rank: usize, id: u64) {
        let (word, bit) = ((id / 64) as usize, id % 64);
        let bits = &mut self.received[rank];
        if bits.len() <= word {
            bits.resize(word + 1, 0);
        }
        bits[word] |= 1 << bit;
        if let Some((missing, _)) = self.orphans.get_mut(&id) {
            *missing &= !(1 << rank);
            if *missing == 0 {
                self.orphans.remove(&id);
            }
        }
    }

    /// Counts the orphans no copy of which can still arrive; returns how
    /// many more events are lost than before.
    pub fn settle(&mut self, now: Time) -> u64 {
        let before = self.lost;
        while let Some((&id, &(_, at))) = self.orphans.first_key_value() {
            // Orphans are made in id order at each crash, and crashes in time
            // order, so the first one is the oldest.
            if now.saturating_sub(at) < IN_FLIGHT {
                break;
            }
            self.orphans.remove(&id);
            self.lost += 1;
        }
        self.lost - before
    }

    pub fn lost(&self) -> u64 {
        self.lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge() -> Judge {
        let mut j = Judge::default();
        j.init(3, 2);
        j
    }

    #[test]
    fn staleness_is_the_age_of_the_oldest_change_not_known() {
        let mut j = judge();
        assert_eq!(j.staleness(0, Time::secs(5)), Time::ZERO);
        j.committed(1, 1, Time::secs(1));
        j.committed(2, 1, Time::secs(2));
        j.committed(1, 2, Time::secs(3));
        assert_eq!(j.staleness(0, Time::secs(5)), Time::secs(4));
        // Learning version 1 of customer 1 leaves version 2 (at 3 s) unknown,
        // and customer 2's change at 2 s is now the oldest.
        j.learned(0, 1, 1);
        assert_eq!(j.staleness(0, Time::secs(5)), Time::secs(3));
        j.learned(0, 2, 1);
        assert_eq!(j.staleness(0, Time::secs(5)), Time::secs(2));
        j.learned(0, 1, 2);
        assert_eq!(j.staleness(0, Time::secs(5)), Time::ZERO);
        // An old version learned late changes nothing.
        j.learned(0, 1, 1);
        assert_eq!(j.behind(0), 0);
        assert_eq!(j.behind(1), 2);
        assert!(j.is_old(1, 1) && !j.is_old(1, 2));
    }

    #[test]
    fn an_orphan_is_lost_unless_every_consumer_gets_it_in_time() {
        let mut j = judge();
        j.orphaned(7, 0b11, Time::secs(1));
        j.orphaned(8, 0b01, Time::secs(1));
        // Received before the crash, its acknowledgement lost: not an orphan.
        j.received(1, 9);
        j.orphaned(9, 0b10, Time::secs(1));
        j.received(0, 7);
        j.received(1, 7);
        assert_eq!(j.settle(Time::secs(2)), 0);
        assert_eq!(j.settle(Time::secs(4)), 1);
        j.received(0, 8);
        assert_eq!((j.settle(Time::secs(9)), j.lost()), (0, 1));
    }
}

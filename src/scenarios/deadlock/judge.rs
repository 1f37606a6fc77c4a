//! The judge: an observer that reads the bank's lock table after every change
//! and notices when a cycle of waits closes (a deadlock forms) and when it
//! opens again (the deadlock is broken). The protocol never reads it; the
//! bank's own detector builds its wait-for graph by itself.

use crate::sim::{LockView, Time, WaitFor};
use std::collections::BTreeMap;

/// Every cycle of the wait-for graph of `locks`, each as its owners from
/// the alphabetically smallest on, in a deterministic order.
///
/// A transaction waits for one lock at a time, so the cycles of such a graph
/// share no owner: once one is found, its owners' waits are set aside and
/// the search goes on for the next.
pub fn cycles(locks: &[LockView]) -> Vec<Vec<String>> {
    let mut locks = locks.to_vec();
    let mut found = Vec::new();
    while let Some(cycle) = WaitFor::from_locks(&locks).cycle() {
        for l in &mut locks {
            l.waiters.retain(|w| !cycle.contains(&w.owner));
        }
        found.push(cycle);
    }
    found
}

/// What changed since the previous look.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Deadlocks that have just formed: an id (for [`Judge::standing`]) and
    /// the owners on the cycle.
    pub formed: Vec<(u64, Vec<String>)>,
    /// Deadlocks that have just been broken, with how long each stood.
    pub broken: Vec<(Vec<String>, Time)>,
    /// Transactions on some cycle now.
    pub deadlocked: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// Cycles standing now, by their owners (sorted): id and since when.
    standing: BTreeMap<Vec<String>, (u64, Time)>,
    next_id: u64,
}

impl Judge {
    /// Looks at the lock table as it is at `now`.
    pub fn observe(&mut self, locks: &[LockView], now: Time) -> Changes {
        let mut now_cycles: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for c in cycles(locks) {
            let mut key = c.clone();
            key.sort();
            now_cycles.insert(key, c);
        }
        let mut changes = Changes {
            deadlocked: now_cycles.keys().map(Vec::len).sum(),
            ..Changes::default()
        };
        let gone: Vec<Vec<String>> = self
            .standing
            .keys()
            .filter(|k| !now_cycles.contains_key(*k))
            .cloned()
            .collect();
        for k in gone {
            if let Some((_, since)) = self.standing.remove(&k) {
                changes.broken.push((k, now - since));
            }
        }
        for (key, cycle) in now_cycles {
            if !self.standing.contains_key(&key) {
                self.next_id += 1;
                self.standing.insert(key, (self.next_id, now));
                changes.formed.push((self.next_id, cycle));
            }
        }
        changes
    }

    /// Whether deadlock `id` still stands.
    pub fn standing(&self, id: u64) -> bool {
        self.standing.values().any(|&(i, _)| i == id)
    }

    /// How many deadlocks stand now.
    pub fn count(&self) -> usize {
        self.standing.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::LockClaim;

    fn lock(name: &str, holder: &str, waiters: &[&str]) -> LockView {
        LockView {
            holders: vec![LockClaim::new(holder, Time::ZERO)],
            waiters: waiters
                .iter()
                .map(|w| LockClaim::new(*w, Time::ZERO))
                .collect(),
            ..LockView::mutex(name)
        }
    }

    #[test]
    fn two_separate_cycles_are_two_deadlocks() {
        let t = [
            lock("a", "w1", &["w2"]),
            lock("b", "w2", &["w1", "w5"]),
            lock("c", "w3", &["w4"]),
            lock("d", "w4", &["w3"]),
        ];
        assert_eq!(cycles(&t).len(), 2);
        let mut j = Judge::default();
        let c = j.observe(&t, Time::secs(1));
        assert_eq!(c.formed.len(), 2);
        assert_eq!(c.deadlocked, 4);
        // the same table again changes nothing
        assert_eq!(j.observe(&t, Time::secs(2)).formed.len(), 0);
        // w1 is aborted: its cycle is broken after 2 s, the other stands
        let t2 = [
            lock("a", "w2", &[]),
            lock("b", "w2", &["w5"]),
            t[2].clone(),
            t[3].clone(),
        ];
        let c = j.observe(&t2, Time::secs(3));
        assert_eq!(c.broken.len(), 1);
        assert_eq!(c.broken[0].1, Time::secs(2));
        assert_eq!(j.count(), 1);
        assert!(j.standing(2) && !j.standing(1));
    }

    #[test]
    fn a_long_chain_of_waits_behind_a_stuck_holder_is_no_deadlock() {
        let t = [lock("a", "w1", &["w2", "w3"]), lock("b", "w2", &["w4"])];
        let mut j = Judge::default();
        assert_eq!(j.observe(&t, Time::ZERO), Changes::default());
    }
}

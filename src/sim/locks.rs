//! Locks as the nodes that keep them see them: who holds each one, who waits
//! for it and in which order, and since when.
//!
//! A scenario with locks (a lock server, a lock manager, a semaphore) reports
//! them through [`Node::locks`](super::Node::locks), and the layers above draw
//! a lock table, a wait-for graph and a contention view from that alone,
//! without knowing the scenario. [`WaitFor`] builds the graph and finds its
//! cycles, for the interface and for a scenario's own judge alike.

use super::time::Time;
use std::collections::BTreeMap;

/// One owner's claim on a lock: held since, or waiting since.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockClaim {
    /// Who holds or waits: a client's or a transaction's name.
    pub owner: String,
    pub since: Time,
}

impl LockClaim {
    pub fn new(owner: impl Into<String>, since: Time) -> Self {
        LockClaim {
            owner: owner.into(),
            since,
        }
    }
}

/// A lock as its keeper sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockView {
    /// The lock's name, e.g. `acct3` or `stock`.
    pub name: String,
    /// Who holds it, in the order they got it; more than one only when
    /// `capacity` allows (a semaphore).
    pub holders: Vec<LockClaim>,
    /// How many may hold it at once: 1 for a mutex, N for a semaphore.
    pub capacity: u32,
    /// Who waits for it, first in line first.
    pub waiters: Vec<LockClaim>,
    /// Anything else worth showing, e.g. `token 34` or `lease to 31.2s`.
    pub note: String,
}

impl LockView {
    /// A mutex with no holder and nobody waiting.
    pub fn mutex(name: impl Into<String>) -> Self {
        LockView {
            name: name.into(),
            holders: Vec::new(),
            capacity: 1,
            waiters: Vec::new(),
            note: String::new(),
        }
    }
}

/// One edge of a wait-for graph: `waiter` waits for `lock`, which `holder` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitEdge {
    pub waiter: String,
    pub holder: String,
    pub lock: String,
}

/// The wait-for graph of a set of locks: an edge from every waiter to every
/// holder of the lock it waits for. A cycle in it is a deadlock: nobody on
/// the cycle can move until someone outside breaks it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WaitFor {
    edges: Vec<WaitEdge>,
}

impl WaitFor {
    pub fn from_locks(locks: &[LockView]) -> WaitFor {
        let mut edges = Vec::new();
        for lock in locks {
            for w in &lock.waiters {
                for h in &lock.holders {
                    if w.owner != h.owner {
                        edges.push(WaitEdge {
                            waiter: w.owner.clone(),
                            holder: h.owner.clone(),
                            lock: lock.name.clone(),
                        });
                    }
                }
            }
        }
        WaitFor { edges }
    }

    pub fn edges(&self) -> &[WaitEdge] {
        &self.edges
    }

    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// One cycle, as the owners along it (each waits for the next, the last
    /// for the first), starting from its alphabetically smallest owner; or
    /// `None` when nobody waits in a circle. Deterministic: the same graph
    /// always gives the same cycle.
    pub fn cycle(&self) -> Option<Vec<String>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for e in &self.edges {
            out.entry(&e.waiter).or_default().push(&e.holder);
        }
        for v in out.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        // Depth-first search with colours; the first back edge closes a cycle.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let mut mark: BTreeMap<&str, Mark> = out.keys().map(|&k| (k, Mark::New)).collect();
        let starts: Vec<&str> = out.keys().copied().collect();
        for start in starts {
            if mark.get(start) != Some(&Mark::New) {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(start, 0)];
            mark.insert(start, Mark::OnPath);
            while let Some(&mut (node, ref mut next)) = path.last_mut() {
                let succ = out.get(node).map(Vec::as_slice).unwrap_or(&[]);
                if let Some(&to) = succ.get(*next) {
                    *next += 1;
                    match mark.get(to).copied().unwrap_or(Mark::New) {
                        Mark::New => {
                            mark.insert(to, Mark::OnPath);
                            path.push((to, 0));
                        }
                        Mark::OnPath => {
                            let at = path.iter().position(|p| p.0 == to).expect("on the path");
                            let mut cycle: Vec<String> =
                                path[at..].iter().map(|p| p.0.to_string()).collect();
                            let min = (0..cycle.len())
                                .min_by(|&a, &b| cycle[a].cmp(&cycle[b]))
                                .expect("a cycle has owners");
                            cycle.rotate_left(min);
                            return Some(cycle);
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark.insert(node, Mark::Done);
                    path.pop();
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(name: &str, holder: &str, waiters: &[&str]) -> LockView {
        LockView {
            holders: vec![LockClaim::new(holder, Time::ZERO)],
            waiters: waiters
                .iter()
                .map(|w| LockClaim::new(*w, Time::secs(1)))
                .collect(),
            ..LockView::mutex(name)
        }
    }

    #[test]
    fn a_chain_of_waits_is_no_cycle() {
        let g = WaitFor::from_locks(&[lock("a", "t1", &["t2"]), lock("b", "t2", &["t3"])]);
        assert_eq!(g.edges().len(), 2);
        assert_eq!(g.cycle(), None);
    }

    #[test]
    fn two_transfers_in_opposite_order_close_a_cycle() {
        let g = WaitFor::from_locks(&[lock("a", "t2", &["t1"]), lock("b", "t1", &["t2"])]);
        assert_eq!(g.cycle(), Some(vec!["t1".to_string(), "t2".to_string()]));
    }

    #[test]
    fn the_cycle_is_found_behind_a_tail_and_starts_at_its_smallest_owner() {
        let g = WaitFor::from_locks(&[
            lock("a", "w3", &["w0"]),
            lock("b", "w4", &["w3"]),
            lock("c", "w5", &["w4"]),
            lock("d", "w3", &["w5"]),
        ]);
        assert_eq!(
            g.cycle(),
            Some(vec!["w3".to_string(), "w4".to_string(), "w5".to_string()])
        );
    }

    #[test]
    fn a_semaphore_waiter_waits_for_every_holder() {
        let pool = LockView {
            holders: vec![
                LockClaim::new("t1", Time::ZERO),
                LockClaim::new("t2", Time::ZERO),
            ],
            capacity: 2,
            waiters: vec![LockClaim::new("t3", Time::ZERO)],
            ..LockView::mutex("pool")
        };
        let g = WaitFor::from_locks(&[pool, lock("a", "t3", &["t1"])]);
        assert_eq!(g.edges().len(), 3);
        assert_eq!(g.cycle(), Some(vec!["t1".to_string(), "t3".to_string()]));
    }
}

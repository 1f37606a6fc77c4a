//! The locks the nodes report, as the lock panels need them: the wait-for
//! graph built and its cycle found once per frame, for the lock table and
//! the wait-for graph alike.

use crate::sim::{LockView, Time, WaitFor};

/// Most rows a lock table or a wait-for graph takes before it says "+N more".
pub(super) const MAX_LOCK_ROWS: usize = 12;

/// What the lock panels need from the locks, computed once per frame.
#[derive(Debug, Default)]
pub(super) struct LockState {
    pub locks: Vec<LockView>,
    pub graph: WaitFor,
    /// The owners on a wait-for cycle, if there is one.
    pub cycle: Option<Vec<String>>,
}

impl LockState {
    pub fn new(locks: Vec<LockView>) -> LockState {
        let graph = WaitFor::from_locks(&locks);
        let cycle = graph.cycle();
        LockState {
            locks,
            graph,
            cycle,
        }
    }

    pub fn on_cycle(&self, owner: &str) -> bool {
        self.cycle
            .as_ref()
            .is_some_and(|c| c.iter().any(|o| o == owner))
    }

    /// Rows of the wait-for graph beyond its title: two for a cycle, one per
    /// other waiting owner, or one saying nobody waits.
    pub fn graph_rows(&self) -> usize {
        let cycle = if self.cycle.is_some() { 2 } else { 0 };
        let others = self.waiters_off_cycle().len();
        (cycle + others).clamp(1, MAX_LOCK_ROWS)
    }

    /// Owners that wait but are not on the cycle, in order of first wait.
    pub fn waiters_off_cycle(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in self.graph.edges() {
            if !self.on_cycle(&e.waiter) && !out.contains(&e.waiter.as_str()) {
                out.push(&e.waiter);
            }
        }
        out
    }

    /// How long the cycle has stood: since the last of its waits began.
    pub fn cycle_age(&self, now: Time) -> Option<Time> {
        let cycle = self.cycle.as_ref()?;
        let closed = self
            .locks
            .iter()
            .flat_map(|l| l.waiters.iter())
            .filter(|w| cycle.contains(&w.owner))
            .map(|w| w.since)
            .max()?;
        Some(now.saturating_sub(closed))
    }
}

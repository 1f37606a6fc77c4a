//! The judge: an observer that sees every node at once. It knows which user
//! requests are still waiting (so the database's work for a request already
//! given up on can be counted as wasted), how often each layer sent an
//! order (a call that is not idempotent), how often the database placed
//! each, and whether every conditional write the row accepted was based on
//! the version it replaced. The protocol never reads it.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Judge {
    open: BTreeSet<u64>,
    requests: u64,
    /// (layer, user request) → attempts that layer sent for that order.
    order_attempts: BTreeMap<(usize, u64), u32>,
    /// Orders a layer sent more than once.
    orders_resent: u64,
    /// (layer, user request) of orders whose attempt timed out at that layer.
    orders_unknown: BTreeSet<(usize, u64)>,
    /// Orders a layer sent again after an attempt of it had timed out, when
    /// it could not know whether the first had been placed.
    orders_retried_unknown: u64,
    /// User request → times the database placed that order.
    placed: BTreeMap<u64, u32>,
    orders_twice: u64,
    /// Conditional writes the row accepted.
    accepted: u64,
    /// Accepted writes that did not name the version they replaced.
    lost: u64,
}

impl Judge {
    pub fn request(&mut self, origin: u64) {
        self.requests += 1;
        self.open.insert(origin);
    }

    pub fn answered(&mut self, origin: u64) {
        self.open.remove(&origin);
    }

    pub fn is_open(&self, origin: u64) -> bool {
        self.open.contains(&origin)
    }

    /// User requests made so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn order_attempt(&mut self, layer: usize, origin: u64) {
        if self.orders_unknown.contains(&(layer, origin)) {
            self.orders_retried_unknown += 1;
        }
        let n = self.order_attempts.entry((layer, origin)).or_insert(0);
        *n += 1;
        if *n == 2 {
            self.orders_resent += 1;
        }
    }

    /// An attempt of an order timed out at `layer`: its fate is unknown.
    pub fn order_timed_out(&mut self, layer: usize, origin: u64) {
        self.orders_unknown.insert((layer, origin));
    }

    /// Orders a layer sent again after one of its attempts had timed out.
    pub fn orders_retried_unknown(&self) -> u64 {
        self.orders_retried_unknown
    }

    /// Orders some layer sent again (a retry of a call that is not idempotent).
    pub fn orders_resent(&self) -> u64 {
        self.orders_resent
    }

    pub fn order_placed(&mut self, origin: u64) {
        let n = self.placed.entry(origin).or_insert(0);
        *n += 1;
        if *n == 2 {
            self.orders_twice += 1;
        }
    }

    /// Orders the database placed more than once.
    pub fn orders_twice(&self) -> u64 {
        self.orders_twice
    }

    /// The row accepted a write made at version `read`; it is now at `now`.
    pub fn write_accepted(&mut self, read: u64, now: u64) {
        self.accepted += 1;
        if now != read + 1 || now != self.accepted {
            self.lost += 1;
        }
    }

    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Accepted writes that overwrote one they had not seen.
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

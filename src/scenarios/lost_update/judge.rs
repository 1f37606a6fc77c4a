//! The judge: an observer that sees the store and every client at once. It
//! knows what the count should be (one more for each increment the store
//! applied) and what it is, and who believes it holds the lock. The protocol
//! never reads it.

use std::collections::BTreeSet;

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// Increments the store has applied, each meant as +1.
    applied: u64,
    /// The store's count.
    actual: i64,
    /// The highest shortfall (expected − actual) so far: the updates lost.
    lost: i64,
    /// Clients that believe they hold the lock.
    believers: BTreeSet<usize>,
    most_believers: usize,
}

impl Judge {
    /// The store applied an increment and the count is now `count`. Returns
    /// how many more updates are lost than before.
    pub fn applied(&mut self, count: i64) -> u64 {
        self.applied += 1;
        self.actual = count;
        let shortfall = self.applied as i64 - count;
        if shortfall > self.lost {
            let more = shortfall - self.lost;
            self.lost = shortfall;
            more as u64
        } else {
            0
        }
    }

    /// What the count should be.
    pub fn expected(&self) -> u64 {
        self.applied
    }

    pub fn actual(&self) -> i64 {
        self.actual
    }

    /// Updates lost so far: the largest shortfall seen. (A later stale write
    /// can put a larger number back by chance; that restores no update.)
    pub fn lost(&self) -> u64 {
        self.lost.max(0) as u64
    }

    /// `client` now believes it holds the lock, or no longer does. Returns
    /// how many clients believe they hold it.
    pub fn believes(&mut self, client: usize, holds: bool) -> usize {
        if holds {
            self.believers.insert(client);
        } else {
            self.believers.remove(&client);
        }
        self.most_believers = self.most_believers.max(self.believers.len());
        self.believers.len()
    }

    /// The most clients that ever believed at once that they held the lock.
    pub fn most_believers(&self) -> usize {
        self.most_believers
    }

    pub fn believers(&self) -> impl Iterator<Item = usize> + '_ {
        self.believers.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_writes_of_the_same_read_lose_one_update() {
        let mut j = Judge::default();
        assert_eq!(j.applied(1), 0);
        assert_eq!(j.applied(1), 1);
        assert_eq!((j.expected(), j.actual(), j.lost()), (2, 1, 1));
    }

    #[test]
    fn a_stale_write_that_raises_the_count_restores_no_lost_update() {
        let mut j = Judge::default();
        for c in 1..=10 {
            j.applied(c);
        }
        assert_eq!(j.applied(6), 5); // read 5, wrote 6 over 10
        assert_eq!(j.applied(10), 0); // read 9, wrote 10 over 6
        assert_eq!(j.lost(), 5);
        assert_eq!(j.applied(11), 0);
    }

    #[test]
    fn believers_are_counted() {
        let mut j = Judge::default();
        assert_eq!(j.believes(3, true), 1);
        assert_eq!(j.believes(3, true), 1);
        assert_eq!(j.believes(4, true), 2);
        assert_eq!(j.believes(3, false), 1);
        assert_eq!(j.most_believers(), 2);
    }
}

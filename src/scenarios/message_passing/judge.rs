//! The judge: an observer that sees every client and the counter at once.
//! It knows every increment by (client, sequence number), how many times the
//! counter applied it, and which increment produced each value of the
//! count, so it can tell a reply that answers another call. The protocol
//! never reads it.

#[derive(Clone, Copy, Debug, Default)]
struct Record {
    applied: u32,
    /// Counted lost: its client stopped waiting before it was applied.
    lost: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// Per client node, per sequence number (from 1).
    ops: Vec<Vec<Record>>,
    /// The increment behind each value of the count: `by_value[v - 1]`.
    by_value: Vec<(usize, u32)>,
    /// Increments applied at least once.
    distinct: u64,
    given_up: u64,
    late: u64,
    doubled: u64,
    mismatched: u64,
    outstanding: i64,
    /// The highest shortfall so far (given up and not applied, less those
    /// applied late): the increments lost.
    most_short: u64,
}

/// What an application of an increment was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    First,
    /// Its client had given up on it.
    Late,
    /// It had been applied before.
    Again,
}

impl Judge {
    fn record(&mut self, client: usize, seq: u32) -> &mut Record {
        if self.ops.len() <= client {
            self.ops.resize(client + 1, Vec::new());
        }
        let v = &mut self.ops[client];
        let i = seq as usize;
        if v.len() <= i {
            v.resize(i + 1, Record::default());
        }
        &mut v[i]
    }

    /// The counter applied `client`'s increment `seq`, making the count `value`.
    pub fn applied(&mut self, client: usize, seq: u32, value: u64) -> Applied {
        debug_assert_eq!(value as usize, self.by_value.len() + 1);
        self.by_value.push((client, seq));
        let r = self.record(client, seq);
        r.applied += 1;
        let (times, lost) = (r.applied, r.lost);
        if times > 1 {
            self.doubled += 1;
            return Applied::Again;
        }
        self.distinct += 1;
        if lost {
            self.late += 1;
            Applied::Late
        } else {
            Applied::First
        }
    }

    /// `client` stopped waiting for increment `seq` (it took a reply for it,
    /// gave it up, or gave it up on restarting). If it had not been applied
    /// it is missing, unless it is applied later. Returns how many more
    /// increments are lost than before: by how much the shortfall reached a
    /// new high.
    pub fn ended(&mut self, client: usize, seq: u32) -> u64 {
        let r = self.record(client, seq);
        if r.applied == 0 && !r.lost {
            r.lost = true;
            self.given_up += 1;
            let short = self.given_up - self.late;
            if short > self.most_short {
                let more = short - self.most_short;
                self.most_short = short;
                return more;
            }
        }
        0
    }

    /// `client` took a reply carrying `value` as the answer to increment
    /// `seq`. True if that value came from another increment.
    pub fn took(&mut self, client: usize, seq: u32, value: u64) -> bool {
        let truth = value
            .checked_sub(1)
            .and_then(|i| self.by_value.get(i as usize));
        let wrong = truth != Some(&(client, seq));
        if wrong {
            self.mismatched += 1;
        }
        wrong
    }

    /// A client has `by` more (or fewer) calls outstanding; returns the total.
    pub fn outstanding(&mut self, by: i64) -> i64 {
        self.outstanding += by;
        self.outstanding
    }

    /// What the count should be: one for every increment applied or given up on.
    pub fn expected(&self) -> u64 {
        self.distinct + self.given_up - self.late
    }

    /// Times the counter applied an increment: what the count is.
    pub fn actual(&self) -> u64 {
        self.by_value.len() as u64
    }

    /// Increments lost: the largest shortfall seen (an increment applied
    /// late makes up for one given up, and a later loss counts only past
    /// the earlier high).
    pub fn lost(&self) -> u64 {
        self.most_short
    }

    /// Increments given up on and not applied, now.
    pub fn missing(&self) -> u64 {
        self.given_up - self.late
    }

    pub fn late(&self) -> u64 {
        self.late
    }

    pub fn doubled(&self) -> u64 {
        self.doubled
    }

    pub fn mismatched(&self) -> u64 {
        self.mismatched
    }

    /// How many times increment `seq` of `client` was applied.
    pub fn times_applied(&self, client: usize, seq: u32) -> u32 {
        self.ops
            .get(client)
            .and_then(|v| v.get(seq as usize))
            .map_or(0, |r| r.applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_off_by_the_doubled_minus_the_lost() {
        let mut j = Judge::default();
        assert_eq!(j.applied(1, 1, 1), Applied::First);
        assert_eq!(j.applied(1, 1, 2), Applied::Again); // a retry applied again
        assert_eq!(j.ended(1, 1), 0);
        assert_eq!(j.ended(1, 2), 1); // given up, never applied
        assert_eq!((j.expected(), j.actual()), (2, 2));
        assert_eq!((j.doubled(), j.lost()), (1, 1));
        // the given-up one arrives after all
        assert_eq!(j.applied(1, 2, 3), Applied::Late);
        assert_eq!((j.expected(), j.actual(), j.late()), (2, 3, 1));
        assert_eq!((j.missing(), j.lost()), (0, 1));
        // another given up: the shortfall is back to 1, no new high
        assert_eq!(j.ended(1, 3), 0);
        assert_eq!(j.ended(1, 4), 1);
        assert_eq!((j.missing(), j.lost()), (2, 2));
    }

    #[test]
    fn a_reply_is_mismatched_when_its_value_came_from_another_increment() {
        let mut j = Judge::default();
        j.applied(1, 1, 1);
        j.applied(1, 2, 2);
        assert!(!j.took(1, 2, 2));
        assert!(j.took(1, 3, 1));
        assert!(j.took(1, 3, 0));
        assert_eq!(j.mismatched(), 2);
    }
}

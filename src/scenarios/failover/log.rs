//! The replication log: the durable heart of a replica. Indices count from 1;
//! index 0 is the empty prefix every log shares.

use super::msg::{Entry, Refusal};

/// The entries are a persistent vector: the log grows with the run, and a
/// checkpoint's copy shares all of it but the newest chunk.
#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: imbl::Vector<Entry>,
}

/// What a follower did with an append.
pub struct Applied {
    /// Index of the last entry the append vouched for.
    pub matched: u32,
    /// First index of the suffix dropped for conflicting with the primary's, and the entries.
    pub truncated: Option<(u32, Vec<Entry>)>,
}

impl Log {
    pub fn len(&self) -> u32 {
        self.entries.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &imbl::Vector<Entry> {
        &self.entries
    }

    /// Entry `index` (1-based).
    pub fn get(&self, index: u32) -> Option<Entry> {
        index
            .checked_sub(1)
            .and_then(|i| self.entries.get(i as usize).copied())
    }

    /// Epoch of the entry at `index` (0 for index 0 or beyond the end).
    pub fn epoch_at(&self, index: u32) -> u32 {
        match index {
            0 => 0,
            i => self.entries.get(i as usize - 1).map_or(0, |e| e.epoch),
        }
    }

    pub fn last_epoch(&self) -> u32 {
        self.epoch_at(self.len())
    }

    pub fn push(&mut self, entry: Entry) -> u32 {
        self.entries.push_back(entry);
        self.len()
    }

    /// Entries `from..=to` (1-based, inclusive), copied for a message.
    pub fn slice(&self, from: u32, to: u32) -> Vec<Entry> {
        if to < from {
            return Vec::new();
        }
        self.entries
            .focus()
            .narrow(from as usize - 1..to as usize)
            .into_iter()
            .copied()
            .collect()
    }

    /// Whether a candidate whose log ends at (`last_epoch`, `last_index`) is at
    /// least as up to date as this log: later last epoch, or same and as long.
    pub fn candidate_is_current(&self, last_epoch: u32, last_index: u32) -> bool {
        (last_epoch, last_index) >= (self.last_epoch(), self.len())
    }

    /// The last index holding an entry of `epoch`, searching back from `below`.
    pub fn last_of_epoch(&self, epoch: u32, below: u32) -> Option<u32> {
        let end = below.min(self.len());
        (1..=end).rev().find(|&i| self.epoch_at(i) == epoch)
    }

    /// Raft's consistency check and append: refuse unless this log holds
    /// (`prev_index`, `prev_epoch`); then drop any suffix that conflicts with
    /// `entries` and add what is missing. Entries already present are kept.
    pub fn append(
        &mut self,
        prev_index: u32,
        prev_epoch: u32,
        entries: &[Entry],
    ) -> Result<Applied, Refusal> {
        if prev_index > self.len() {
            return Err(Refusal::TooShort { len: self.len() });
        }
        let have = self.epoch_at(prev_index);
        if prev_index > 0 && have != prev_epoch {
            let mut first = prev_index;
            while first > 1 && self.epoch_at(first - 1) == have {
                first -= 1;
            }
            return Err(Refusal::Conflict { epoch: have, first });
        }
        let start = prev_index as usize;
        let mut skip = 0;
        while skip < entries.len()
            && self
                .entries
                .get(start + skip)
                .is_some_and(|e| e.epoch == entries[skip].epoch)
        {
            skip += 1;
        }
        let mut truncated = None;
        if skip < entries.len() {
            let cut = start + skip;
            if cut < self.entries.len() {
                let dropped = self.entries.split_off(cut);
                truncated = Some(((cut + 1) as u32, dropped.into_iter().collect()));
            }
            self.entries.extend(entries[skip..].iter().copied());
        }
        Ok(Applied {
            matched: prev_index + entries.len() as u32,
            truncated,
        })
    }

    /// The newest value this log holds for `client`'s `key` (0: none).
    pub fn read(&self, client: u16, key: u8) -> u32 {
        self.entries
            .iter()
            .rev()
            .find(|e| e.id.client == client && e.key == key)
            .map_or(0, |e| e.id.seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::failover::msg::WriteId;
    use crate::sim::Time;

    fn entry(epoch: u32, seq: u32) -> Entry {
        Entry {
            epoch,
            id: WriteId { client: 9, seq },
            key: (seq % 4) as u8,
            at: Time::ZERO,
        }
    }

    fn log_of(epochs: &[u32]) -> Log {
        let mut log = Log::default();
        for (i, &e) in epochs.iter().enumerate() {
            log.push(entry(e, i as u32 + 1));
        }
        log
    }

    #[test]
    fn refuses_a_gap_and_names_the_conflicting_epoch() {
        let mut log = log_of(&[1, 1, 2, 2, 2]);
        assert_eq!(
            log.append(7, 2, &[]).err(),
            Some(Refusal::TooShort { len: 5 })
        );
        assert_eq!(
            log.append(4, 3, &[]).err(),
            Some(Refusal::Conflict { epoch: 2, first: 3 })
        );
        assert_eq!(log.len(), 5);
    }

    #[test]
    fn truncates_only_a_conflicting_suffix() {
        let mut log = log_of(&[1, 1, 2, 2, 2]);
        // entries it already has change nothing
        let same = log.append(1, 1, &[entry(1, 2), entry(2, 3)]).unwrap();
        assert_eq!((same.matched, same.truncated.is_some()), (3, false));
        assert_eq!(log.len(), 5);
        // a newer epoch's entry at index 4 replaces 4 and 5
        let new = log.append(3, 2, &[entry(3, 40)]).unwrap();
        let (at, removed) = new.truncated.unwrap();
        assert_eq!((at, removed.len()), (4, 2));
        assert_eq!(log.len(), 4);
        assert_eq!(log.last_epoch(), 3);
        assert_eq!(log.read(9, 0), 40);
    }

    #[test]
    fn up_to_date_compares_last_epoch_then_length() {
        let log = log_of(&[1, 2, 2]);
        assert!(log.candidate_is_current(2, 3));
        assert!(log.candidate_is_current(3, 1));
        assert!(!log.candidate_is_current(2, 2));
        assert!(!log.candidate_is_current(1, 9));
    }
}

//! The replication log: the durable heart of a replica. Indices count from 1;
//! index 0 is the empty prefix every log shares.

use super::msg::{Entry, Refusal};

#[derive(Clone, Debug, Default)]
pub struct Log {
    entries: Vec<Entry>,
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

    pub fn entries(&self) -> &[Entry] {
        &self.entries
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
        self.entries.push(entry);
        self.len()
    }

    /// Entries `from..=to` (1-based, inclusive), copied for a message.
    pub fn slice(&self, from: u32, to: u32) -> Vec<Entry> {
        if to < from {
            return Vec::new();
        }
        self.entries[from as usize - 1..to as usize].to_vec()
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
                truncated = Some(((cut + 1) as u32, self.entries.split_off(cut)));
            }
            self.entries.extend_from_slice(&entries[skip..]);
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

//! The judge: an observer that sees the producer, the broker, the consumers
//! and the database at once. It knows every side effect the database
//! applied and for which message, which messages the broker deleted or
//! parked in a dead-letter queue, which ones a consumer dropped when it
//! crashed, and when a burst started. The protocol never reads it.

use super::IdMap;
use crate::sim::Time;

/// What the judge knows of one message in one queue.
#[derive(Clone, Copy, Debug, Default)]
struct Record {
    effects: u32,
    deleted: bool,
    dropped: bool,
    parked: bool,
    lost: bool,
}

/// The key of a message in a queue.
fn key(queue: u8, id: u64) -> u64 {
    (id << 2) | u64::from(queue)
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    records: IdMap<u64, Record>,
    effects: u64,
    unique: u64,
    duplicate: u64,
    lost: u64,
    /// Messages lost, newest last, for display.
    lost_ids: Vec<u64>,
    /// The burst under way or last seen: its start, and whether it drained.
    burst: Option<(Time, bool)>,
    /// When the last burst's messages all had been published.
    burst_sent: bool,
}

impl Judge {
    /// The database applied the side effect of message `id` of `queue`.
    /// Returns whether it is the first for that message.
    pub fn effect(&mut self, queue: u8, id: u64) -> bool {
        let r = self.records.entry(key(queue, id)).or_default();
        r.effects += 1;
        self.effects += 1;
        if r.effects == 1 {
            self.unique += 1;
            true
        } else {
            self.duplicate += 1;
            false
        }
    }

    /// The broker deleted message `id` from `queue` on an acknowledgement.
    /// Returns how many messages that makes lost (0 or 1).
    pub fn deleted(&mut self, queue: u8, id: u64) -> u64 {
        let r = self.records.entry(key(queue, id)).or_default();
        r.deleted = true;
        self.lose(queue, id)
    }

    /// A consumer dropped message `id` of `queue` unprocessed (it crashed).
    /// Returns how many messages that makes lost (0 or 1).
    pub fn dropped(&mut self, queue: u8, id: u64) -> u64 {
        let r = self.records.entry(key(queue, id)).or_default();
        r.dropped = true;
        self.lose(queue, id)
    }

    /// The broker moved message `id` of `queue` to its dead-letter queue.
    pub fn parked(&mut self, queue: u8, id: u64) {
        self.records.entry(key(queue, id)).or_default().parked = true;
    }

    /// A message is lost when its queue deleted it, a consumer dropped it,
    /// and its side effect never happened: nothing will ever process it.
    fn lose(&mut self, _queue: u8, id: u64) -> u64 {
        let Some(r) = self.records.get_mut(&key(_queue, id)) else {
            return 0;
        };
        if r.deleted && r.dropped && r.effects == 0 && !r.parked && !r.lost {
            r.lost = true;
            self.lost += 1;
            self.lost_ids.push(id);
            1
        } else {
            0
        }
    }

    /// A burst started at `now`.
    pub fn burst_started(&mut self, now: Time) {
        self.burst = Some((now, false));
        self.burst_sent = false;
    }

    /// The burst's last message has been published.
    pub fn burst_ended(&mut self) {
        self.burst_sent = true;
    }

    /// The broker holds `held` messages at `now`: if that drains the burst,
    /// returns how long it took, once.
    pub fn held(&mut self, now: Time, held: usize) -> Option<Time> {
        match self.burst {
            Some((start, false)) if self.burst_sent && held <= super::config::DRAINED => {
                self.burst = Some((start, true));
                Some(now.saturating_sub(start))
            }
            _ => None,
        }
    }

    /// Whether a burst is still draining.
    pub fn draining(&self) -> bool {
        matches!(self.burst, Some((_, false)))
    }

    /// How many side effects message `id` of `queue` has had.
    pub fn effects_of(&self, queue: u8, id: u64) -> u32 {
        self.records.get(&key(queue, id)).map_or(0, |r| r.effects)
    }

    /// Whether message `id` of `queue` is in a dead-letter queue.
    pub fn parked_of(&self, queue: u8, id: u64) -> bool {
        self.records.get(&key(queue, id)).is_some_and(|r| r.parked)
    }

    pub fn effects(&self) -> u64 {
        self.effects
    }

    pub fn unique(&self) -> u64 {
        self.unique
    }

    pub fn duplicate(&self) -> u64 {
        self.duplicate
    }

    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// The latest messages lost, newest first.
    pub fn latest_lost(&self, n: usize) -> impl Iterator<Item = u64> + '_ {
        self.lost_ids.iter().rev().take(n).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_effect_of_one_message_is_a_duplicate_but_not_in_another_queue() {
        let mut j = Judge::default();
        assert!(j.effect(0, 7));
        assert!(!j.effect(0, 7));
        assert!(j.effect(1, 7));
        assert_eq!((j.effects(), j.unique(), j.duplicate()), (3, 2, 1));
        assert_eq!(j.effects_of(0, 7), 2);
    }

    #[test]
    fn a_message_deleted_and_dropped_without_its_effect_is_lost_either_way_round() {
        let mut j = Judge::default();
        assert_eq!(j.deleted(0, 1), 0);
        assert_eq!(j.dropped(0, 1), 1);
        assert_eq!(j.dropped(0, 2), 0);
        assert_eq!(j.deleted(0, 2), 1);
        // Applied before the crash: not lost.
        j.effect(0, 3);
        assert_eq!(j.deleted(0, 3), 0);
        assert_eq!(j.dropped(0, 3), 0);
        // Dropped but never deleted: it will be delivered again.
        assert_eq!(j.dropped(0, 4), 0);
        assert_eq!(j.lost(), 2);
        assert_eq!(j.latest_lost(5).collect::<Vec<_>>(), vec![2, 1]);
    }

    #[test]
    fn a_burst_drains_once_after_its_last_message() {
        let mut j = Judge::default();
        j.burst_started(Time::secs(10));
        assert_eq!(j.held(Time::secs(12), 0), None);
        j.burst_ended();
        assert_eq!(j.held(Time::secs(30), 50), None);
        assert_eq!(j.held(Time::secs(70), 2), Some(Time::secs(60)));
        assert_eq!(j.held(Time::secs(71), 0), None);
        assert!(!j.draining());
    }
}

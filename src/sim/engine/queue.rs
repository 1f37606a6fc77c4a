//! The pending events, ordered by (virtual time, sequence number).

use crate::sim::time::Time;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

/// An event of type `E` due at `time`; `seq` breaks ties between events of
/// the same instant in the order they were scheduled.
#[derive(Clone, Debug)]
pub(super) struct Queued<E> {
    pub time: Time,
    pub seq: u64,
    pub kind: E,
}

impl<T> PartialEq for Queued<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl<T> Eq for Queued<T> {}
impl<T> PartialOrd for Queued<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Queued<T> {
    /// Reversed, so the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// Where an event waiting in the heap is: its key, and the slot of its
/// payload. The heap moves only these 24 bytes, however large an event.
#[derive(Clone, Copy, Debug)]
struct HeapKey {
    time: Time,
    seq: u64,
    slot: u32,
}

impl PartialEq for HeapKey {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}
impl Eq for HeapKey {}
impl PartialOrd for HeapKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for HeapKey {
    /// Reversed, so the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

/// The pending events, popped in (time, seq) order.
///
/// Most events are scheduled no earlier than every event already pending
/// (with a constant latency, every one is), so those go to the back of a
/// FIFO that stays sorted, in O(1); only the others go to a binary heap of
/// keys, their payloads kept in slots beside it. A pop takes the smaller of
/// the two fronts. Keys are unique (seq grows with every push), so the order
/// is exactly that of a single heap.
#[derive(Clone, Debug)]
pub(super) struct EventQueue<T> {
    /// Sorted by (time, seq), ascending.
    sorted: VecDeque<Queued<T>>,
    heap: BinaryHeap<HeapKey>,
    /// The payloads of the events in `heap`, by slot.
    slots: Vec<Option<T>>,
    /// Slots free for reuse.
    free: Vec<u32>,
}

impl<T> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            sorted: VecDeque::new(),
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// `q.seq` must be greater than that of every event pushed before.
    #[inline]
    pub fn push(&mut self, q: Queued<T>) {
        match self.sorted.back() {
            Some(last) if q.time < last.time => self.push_heap(q),
            _ => self.sorted.push_back(q),
        }
    }

    fn push_heap(&mut self, q: Queued<T>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(q.kind);
                slot
            }
            None => {
                self.slots.push(Some(q.kind));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 pending events")
            }
        };
        self.heap.push(HeapKey {
            time: q.time,
            seq: q.seq,
            slot,
        });
    }

    fn pop_heap(&mut self) -> Option<Queued<T>> {
        let key = self.heap.pop()?;
        let kind = self.slots[key.slot as usize]
            .take()
            .expect("a key's slot holds its event");
        self.free.push(key.slot);
        Some(Queued {
            time: key.time,
            seq: key.seq,
            kind,
        })
    }

    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        match (self.sorted.front(), self.heap.peek()) {
            (Some(a), Some(b)) => Some(a.time.min(b.time)),
            (Some(a), None) => Some(a.time),
            (None, b) => b.map(|b| b.time),
        }
    }

    #[inline]
    pub fn pop(&mut self) -> Option<Queued<T>> {
        self.pop_until(Time::MAX)
    }

    /// The earliest event, if it is due at or before `until`.
    #[inline]
    pub fn pop_until(&mut self, until: Time) -> Option<Queued<T>> {
        let from_heap = match (self.sorted.front(), self.heap.peek()) {
            (Some(a), Some(b)) => (b.time, b.seq) < (a.time, a.seq),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => return None,
        };
        if from_heap {
            if self.heap.peek().is_some_and(|q| q.time <= until) {
                self.pop_heap()
            } else {
                None
            }
        } else if self.sorted.front().is_some_and(|q| q.time <= until) {
            self.sorted.pop_front()
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng, rngs::Xoshiro256PlusPlus};
    use std::collections::BTreeSet;

    #[test]
    fn pops_in_time_then_push_order_whatever_the_delays() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut q = EventQueue::new();
        let mut all = BTreeSet::new();
        let mut now = 0u64;
        for round in 0..20_000u64 {
            // A few fixed delays, some random ones, and events at once.
            let delay = match rng.random_range(0..10) {
                0..=2 => 50,
                3..=4 => 3_000,
                5 => 0,
                6 => 120,
                _ => rng.random_range(0..5_000),
            };
            let q_ = Queued {
                time: Time(now + delay),
                seq: round,
                kind: round,
            };
            all.insert((q_.time, q_.seq));
            q.push(q_);
            if rng.random_bool(0.5)
                && let Some(p) = q.pop()
            {
                assert!(p.time.0 >= now, "popped the past");
                now = p.time.0;
                assert_eq!(Some((p.time, p.seq)), all.pop_first());
            }
        }
        while let Some(p) = q.pop_until(Time(now + 1_000)) {
            assert_eq!(Some((p.time, p.seq)), all.pop_first());
        }
        assert!(all.iter().all(|(t, _)| t.0 > now + 1_000));
    }
}

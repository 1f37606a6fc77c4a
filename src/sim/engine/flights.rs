//! The messages in flight: a slab, so that a message can be found, listed,
//! dropped or delivered early by its id, and its slot reused once it lands.

use crate::sim::time::Time;

/// A message on its way.
#[derive(Clone, Debug)]
pub(super) struct InFlight<M> {
    pub id: u64,
    pub from: usize,
    pub to: usize,
    pub msg: M,
    pub sent_at: Time,
    /// `None` while it waits on a held link.
    pub arrives_at: Option<Time>,
    pub lamport: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Flights<M> {
    slots: Vec<Option<InFlight<M>>>,
    free: Vec<u32>,
}

impl<M> Flights<M> {
    pub fn new() -> Self {
        Flights {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Puts a message in flight; returns the slot it occupies.
    #[inline]
    pub fn insert(&mut self, flight: InFlight<M>) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(flight);
                s
            }
            None => {
                self.slots.push(Some(flight));
                (self.slots.len() - 1) as u32
            }
        }
    }

    /// Message `id` in `slot`, if it is still there (it may have landed or
    /// been dropped, and the slot taken by another).
    #[inline]
    pub fn get(&self, slot: u32, id: u64) -> Option<&InFlight<M>> {
        self.slots[slot as usize].as_ref().filter(|f| f.id == id)
    }

    #[inline]
    pub fn get_mut(&mut self, slot: u32, id: u64) -> Option<&mut InFlight<M>> {
        self.slots[slot as usize].as_mut().filter(|f| f.id == id)
    }

    /// Takes the message out of `slot`, which must hold one, freeing the slot.
    #[inline]
    pub fn take(&mut self, slot: u32) -> InFlight<M> {
        let f = self.slots[slot as usize]
            .take()
            .expect("a message in flight");
        self.free.push(slot);
        f
    }

    /// The slot of message `id`, while it is in flight.
    pub fn find(&self, id: u64) -> Option<u32> {
        self.slots
            .iter()
            .position(|f| f.as_ref().is_some_and(|f| f.id == id))
            .map(|s| s as u32)
    }

    /// Every message in flight with its slot, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &InFlight<M>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(s, f)| f.as_ref().map(|f| (s as u32, f)))
    }
}

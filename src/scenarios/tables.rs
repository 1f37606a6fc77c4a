//! Tables that grow by one entry per request for the whole run (an hour of
//! charge-once is 200,000 purchases, of failover 360,000 acknowledged
//! writes) and are copied at every checkpoint, made so that a copy shares
//! what has not changed since the last one.
//!
//! `IdMap`, for ids that come in any order (random idempotency keys), has
//! two tiers. The newest entries, the ones a purchase's retries and
//! replies touch again within seconds, sit in a small hash map; everything
//! older sits in a persistent ordered map. A copy of the table copies the
//! small map and shares every older part of the ordered one, so a checkpoint
//! costs little however long the run, and the hot lookups are hash lookups.
//! An entry lives in exactly one tier.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Index;
use std::sync::Arc;

/// A hasher for tables keyed by ids, with no random state, so a table's
/// layout is the same in every run (and nothing iterates one in a way that
/// matters anyway).
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    /// The id itself in the low bits, so that consecutive ids (purchases,
    /// orders) sit in neighbouring buckets, and its low bits again in the top
    /// seven, which the table compares first.
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(7) ^ n ^ (n << 57);
    }
}

/// How many entries the hash map holds before they all move to the ordered
/// map: a few seconds of purchases.
const RECENT: usize = 512;

#[derive(Clone, Debug)]
pub struct IdMap<V> {
    recent: HashMap<u64, V, BuildHasherDefault<IdHasher>>,
    older: imbl::OrdMap<u64, V>,
    /// At least the greatest id in `older` (an id above it cannot be there).
    older_max: Option<u64>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            recent: HashMap::default(),
            older: imbl::OrdMap::new(),
            older_max: None,
        }
    }
}

impl<V: Clone> IdMap<V> {
    pub fn len(&self) -> usize {
        self.recent.len() + self.older.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn may_be_older(&self, id: u64) -> bool {
        self.older_max.is_some_and(|m| id <= m)
    }

    pub fn get(&self, id: &u64) -> Option<&V> {
        match self.recent.get(id) {
            Some(v) => Some(v),
            None if self.may_be_older(*id) => self.older.get(id),
            None => None,
        }
    }

    pub fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }

    /// The entry for `id`; an older one moves to the recent tier, since what
    /// is changed once is usually changed again soon.
    pub fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        if !self.recent.contains_key(id) {
            let v = if self.may_be_older(*id) {
                self.older.remove(id)?
            } else {
                return None;
            };
            self.make_room();
            self.recent.insert(*id, v);
        }
        self.recent.get_mut(id)
    }

    pub fn insert(&mut self, id: u64, v: V) -> Option<V> {
        let was_older = if self.may_be_older(id) {
            self.older.remove(&id)
        } else {
            None
        };
        if !self.recent.contains_key(&id) {
            self.make_room();
        }
        self.recent.insert(id, v).or(was_older)
    }

    pub fn remove(&mut self, id: &u64) -> Option<V> {
        match self.recent.remove(id) {
            Some(v) => Some(v),
            None if self.may_be_older(*id) => self.older.remove(id),
            None => None,
        }
    }

    /// The entry for `id`, made with `make` if there is none.
    pub fn get_or_insert_with(&mut self, id: u64, make: impl FnOnce() -> V) -> &mut V {
        if self.get_mut(&id).is_none() {
            self.make_room();
            self.recent.insert(id, make());
        }
        self.recent.get_mut(&id).expect("just inserted")
    }

    pub fn clear(&mut self) {
        *self = IdMap::default();
    }

    /// Every entry in order of id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        let mut all: Vec<(u64, &V)> = self.recent.iter().map(|(k, v)| (*k, v)).collect();
        all.extend(self.older.iter().map(|(k, v)| (*k, v)));
        all.sort_unstable_by_key(|(k, _)| *k);
        all.into_iter()
    }

    /// Before an entry joins the recent tier: when it is full, its entries
    /// all move to the ordered map.
    fn make_room(&mut self) {
        if self.recent.len() < RECENT {
            return;
        }
        for (id, v) in self.recent.drain() {
            self.older_max = Some(self.older_max.map_or(id, |m| m.max(id)));
            self.older.insert(id, v);
        }
    }
}

impl<V: Clone + Default> IdMap<V> {
    pub fn or_default(&mut self, id: u64) -> &mut V {
        self.get_or_insert_with(id, V::default)
    }
}

impl<V: Clone> Index<&u64> for IdMap<V> {
    type Output = V;

    fn index(&self, id: &u64) -> &V {
        self.get(id).expect("no entry for this id")
    }
}

/// A table keyed by ids handed out in order (purchase and order numbers):
/// fixed-size chunks of slots indexed by id, each behind its own `Arc`. A
/// copy shares every chunk; a write copies the one chunk it lands in if a
/// copy still holds it. Writes land in the newest chunks, so a checkpoint
/// costs a few chunks however long the run.
#[derive(Clone, Debug)]
pub struct SeqMap<V> {
    chunks: Vec<Arc<Vec<Option<V>>>>,
    len: usize,
}

/// Slots per chunk.
const CHUNK: usize = 256;

impl<V: Clone> Default for SeqMap<V> {
    fn default() -> Self {
        SeqMap {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

/// How far past the newest id a new one may be. Ids are handed out one
/// by one, so a larger gap is a bug, not a table to grow.
const GAP: u64 = 1 << 20;

fn split(id: u64) -> Option<(usize, usize)> {
    let id = usize::try_from(id).ok()?;
    Some((id / CHUNK, id % CHUNK))
}

impl<V: Clone> SeqMap<V> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, id: &u64) -> Option<&V> {
        let (c, i) = split(*id)?;
        self.chunks.get(c)?[i].as_ref()
    }

    pub fn contains_key(&self, id: &u64) -> bool {
        self.get(id).is_some()
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        self.get(id)?;
        let (c, i) = split(*id)?;
        Arc::make_mut(&mut self.chunks[c])[i].as_mut()
    }

    /// The slot for `id`, growing the table to reach it.
    fn slot(&mut self, id: u64) -> &mut Option<V> {
        let end = (self.chunks.len() * CHUNK) as u64;
        assert!(
            id < end + GAP,
            "id {id} is far past the newest ({end}): ids are handed out in order"
        );
        let (c, i) = split(id).expect("within the gap of a table in memory");
        while self.chunks.len() <= c {
            self.chunks.push(Arc::new(vec![None; CHUNK]));
        }
        &mut Arc::make_mut(&mut self.chunks[c])[i]
    }

    pub fn insert(&mut self, id: u64, v: V) -> Option<V> {
        let old = self.slot(id).replace(v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, id: &u64) -> Option<V> {
        self.get(id)?;
        let (c, i) = split(*id)?;
        self.len -= 1;
        Arc::make_mut(&mut self.chunks[c])[i].take()
    }

    /// The entry for `id`, made with `make` if there is none.
    pub fn get_or_insert_with(&mut self, id: u64, make: impl FnOnce() -> V) -> &mut V {
        if !self.contains_key(&id) {
            self.len += 1;
        }
        self.slot(id).get_or_insert_with(make)
    }

    /// Every entry in order of id.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.chunks
            .iter()
            .flat_map(|c| c.iter())
            .enumerate()
            .filter_map(|(i, v)| Some((i as u64, v.as_ref()?)))
    }
}

impl<V> SeqMap<V> {
    /// How many chunks this table and `other` share: what a copy costs
    /// nothing for.
    #[cfg(test)]
    pub(crate) fn chunks_shared_with(&self, other: &SeqMap<V>) -> usize {
        self.chunks
            .iter()
            .zip(&other.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count()
    }
}

impl<V: Clone + Default> SeqMap<V> {
    pub fn or_default(&mut self, id: u64) -> &mut V {
        self.get_or_insert_with(id, V::default)
    }
}

impl<V: Clone> Index<&u64> for SeqMap<V> {
    type Output = V;

    fn index(&self, id: &u64) -> &V {
        self.get(id).expect("no entry for this id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u64, u32),
        Remove(u64),
        Bump(u64),
        OrDefault(u64),
        Clear,
    }

    fn op() -> impl Strategy<Value = Op> {
        // Ids mostly new and rising, as purchases are, with old ones touched
        // again now and then.
        let id = prop_oneof![0u64..1500, 0u64..64];
        prop_oneof![
            10 => (id.clone(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            3 => id.clone().prop_map(Op::Remove),
            3 => id.clone().prop_map(Op::Bump),
            3 => id.prop_map(Op::OrDefault),
            1 => Just(Op::Clear),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        /// Both tables behave as one ordered map, whatever the mix of
        /// operations and however often the recent tier spills.
        #[test]
        fn each_table_behaves_as_one_ordered_map(ops in prop::collection::vec(op(), 0..6000)) {
            let mut map: IdMap<u32> = IdMap::default();
            let mut seq: SeqMap<u32> = SeqMap::default();
            let mut model: BTreeMap<u64, u32> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        prop_assert_eq!(seq.insert(k, v), model.get(&k).copied());
                        prop_assert_eq!(map.insert(k, v), model.insert(k, v));
                    }
                    Op::Remove(k) => {
                        prop_assert_eq!(seq.remove(&k), model.get(&k).copied());
                        prop_assert_eq!(map.remove(&k), model.remove(&k));
                    }
                    Op::Bump(k) => {
                        let a = map.get_mut(&k).map(|v| { *v = v.wrapping_add(1); *v });
                        let c = seq.get_mut(&k).map(|v| { *v = v.wrapping_add(1); *v });
                        let b = model.get_mut(&k).map(|v| { *v = v.wrapping_add(1); *v });
                        prop_assert_eq!(a, b);
                        prop_assert_eq!(c, b);
                    }
                    Op::OrDefault(k) => {
                        *map.or_default(k) += 1;
                        *seq.or_default(k) += 1;
                        *model.entry(k).or_default() += 1;
                    }
                    Op::Clear => { map.clear(); seq = SeqMap::default(); model.clear(); }
                }
                prop_assert_eq!(map.len(), model.len());
                prop_assert_eq!(seq.len(), model.len());
            }
            for (k, v) in &model {
                prop_assert_eq!(map.get(k), Some(v));
                prop_assert_eq!(seq.get(k), Some(v));
            }
            let all: Vec<(u64, u32)> = map.iter().map(|(k, v)| (k, *v)).collect();
            let in_seq: Vec<(u64, u32)> = seq.iter().map(|(k, v)| (k, *v)).collect();
            let want: Vec<(u64, u32)> = model.into_iter().collect();
            prop_assert_eq!(&all, &want);
            prop_assert_eq!(in_seq, want);
        }
    }

    #[test]
    fn an_old_entry_written_again_is_replaced_not_doubled() {
        let mut map: IdMap<u64> = IdMap::default();
        for id in 0..2_000 {
            map.insert(id, id);
        }
        assert_eq!(map.insert(5, 50), Some(5));
        *map.or_default(6) += 1;
        assert_eq!(map.remove(&7), Some(7));
        assert_eq!(map.len(), 1_999);
        assert_eq!(map.get(&5), Some(&50));
        assert_eq!(map.get(&6), Some(&7));
        assert_eq!(map.iter().count(), 1_999);
    }

    #[test]
    fn a_copy_shares_the_older_tier_and_goes_its_own_way() {
        let mut map: IdMap<u64> = IdMap::default();
        for id in 0..10_000 {
            map.insert(id, id);
        }
        assert!(map.recent.len() <= RECENT);
        let copy = map.clone();
        assert!(copy.older.ptr_eq(&map.older));
        map.insert(10_000, 1);
        *map.get_mut(&3).unwrap() = 7;
        assert_eq!(copy.get(&3), Some(&3));
        assert_eq!(copy.get(&10_000), None);
        assert_eq!(map.get(&3), Some(&7));
        assert_eq!(map.len(), 10_001);

        let mut seq: SeqMap<u64> = SeqMap::default();
        for id in 0..10_000 {
            seq.insert(id, id);
        }
        let copy = seq.clone();
        *seq.get_mut(&9_999).unwrap() = 7;
        assert!(Arc::ptr_eq(&copy.chunks[0], &seq.chunks[0]));
        assert!(!Arc::ptr_eq(
            copy.chunks.last().unwrap(),
            seq.chunks.last().unwrap()
        ));
        assert_eq!(copy.get(&9_999), Some(&9_999));
    }
}

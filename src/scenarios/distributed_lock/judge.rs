//! The judge: an observer that sees every node at once. It numbers the
//! grants of the lock in the order the service made them (a single server's
//! grant, or the moment a majority of Redlock's servers had granted the same
//! value), and tells which writes the storage accepted out of that order.
//! The protocol never reads it: a client only carries the number along.

use std::collections::BTreeMap;

/// A grant as the servers know it: a token (single server) or a Redlock value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GrantKey {
    Token(u64),
    Value(u64),
}

#[derive(Clone, Debug, Default)]
pub struct Judge {
    /// The last grant number handed out.
    grants: u64,
    /// How many servers granted each key, and its number once enough did.
    keys: BTreeMap<GrantKey, (usize, Option<u64>)>,
    /// The last Redlock attempt value handed out.
    values: u64,
    /// The highest grant number among the writes the storage accepted.
    max_accepted: u64,
    /// Which clients believe they hold the lock.
    believers: BTreeMap<usize, u64>,
    /// Who each lock server considers the holder, with the token or value.
    service: BTreeMap<usize, (usize, u64)>,
}

impl Judge {
    /// A server granted `key`; with `quorum` grants of it, the service has
    /// granted the lock, and the grant gets the next number.
    pub fn granted(&mut self, key: GrantKey, quorum: usize) {
        let e = self.keys.entry(key).or_default();
        e.0 += 1;
        if e.0 >= quorum && e.1.is_none() {
            self.grants += 1;
            e.1 = Some(self.grants);
        }
    }

    /// A client believes it has won the lock under `key`: the number of
    /// that grant.
    pub fn acquired(&mut self, client: usize, key: GrantKey) -> u64 {
        let n = match self.keys.get(&key).and_then(|e| e.1) {
            Some(n) => n,
            None => {
                // Not seen granted by enough servers (the knob changed
                // meanwhile, say): number it now.
                self.grants += 1;
                self.keys.insert(key, (0, Some(self.grants)));
                self.grants
            }
        };
        self.believers.insert(client, n);
        n
    }

    /// A client no longer believes it holds the lock. Returns how many still do.
    pub fn let_go(&mut self, client: usize) -> usize {
        self.believers.remove(&client);
        self.believers.len()
    }

    /// How many clients believe they hold the lock.
    pub fn believers(&self) -> usize {
        self.believers.len()
    }

    /// A fresh value for a Redlock attempt. Real clients draw a random one;
    /// numbering them makes them easy to follow, and nothing compares them.
    pub fn next_value(&mut self) -> u64 {
        self.values += 1;
        self.values
    }

    /// The storage accepted a write made under grant number `grant`: true
    /// if it is stale, older than a grant whose write it already took.
    pub fn accepted(&mut self, grant: u64) -> bool {
        let stale = grant < self.max_accepted;
        self.max_accepted = self.max_accepted.max(grant);
        stale
    }

    /// Lock server `server` now considers `holder` (with its token or value)
    /// the holder, or nobody.
    pub fn served(&mut self, server: usize, holder: Option<(usize, u64)>) {
        match holder {
            Some(h) => self.service.insert(server, h),
            None => self.service.remove(&server),
        };
    }

    /// The token or value under which `client` holds the lock in the eyes
    /// of the service, when at least `quorum` of `servers` agree; 0 if not.
    pub fn lease_of(&self, client: usize, servers: &[usize], quorum: usize) -> u64 {
        let mine: Vec<u64> = servers
            .iter()
            .filter_map(|s| self.service.get(s))
            .filter(|(c, _)| *c == client)
            .map(|&(_, v)| v)
            .collect();
        if mine.len() >= quorum {
            mine.into_iter().max().unwrap_or(0)
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_from_an_older_grant_after_a_newer_one_is_stale() {
        let mut j = Judge::default();
        j.granted(GrantKey::Token(1), 1);
        j.granted(GrantKey::Token(2), 1);
        // c6 hears of its grant first; the order is still the service's
        let b = j.acquired(6, GrantKey::Token(2));
        let a = j.acquired(5, GrantKey::Token(1));
        assert!(a < b);
        assert_eq!(j.believers(), 2);
        assert!(!j.accepted(b));
        assert!(j.accepted(a));
        assert!(!j.accepted(b), "the same grant may write again");
        assert_eq!(j.let_go(5), 1);
    }

    #[test]
    fn a_redlock_grant_counts_from_its_majority() {
        let mut j = Judge::default();
        j.granted(GrantKey::Value(1), 3);
        j.granted(GrantKey::Value(2), 3);
        j.granted(GrantKey::Value(2), 3);
        j.granted(GrantKey::Value(2), 3);
        j.granted(GrantKey::Value(1), 3);
        j.granted(GrantKey::Value(1), 3);
        assert!(j.acquired(0, GrantKey::Value(2)) < j.acquired(1, GrantKey::Value(1)));
    }

    #[test]
    fn the_service_grants_the_lease_with_a_quorum_only() {
        let mut j = Judge::default();
        let servers = [0, 1, 2, 3, 4];
        j.served(0, Some((6, 7)));
        j.served(1, Some((6, 7)));
        assert_eq!(j.lease_of(6, &servers, 3), 0);
        j.served(2, Some((6, 7)));
        assert_eq!(j.lease_of(6, &servers, 3), 7);
        j.served(2, None);
        assert_eq!(j.lease_of(6, &servers, 3), 0);
        assert_eq!(j.lease_of(6, &servers[..1], 1), 7);
    }
}

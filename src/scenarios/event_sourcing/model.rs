//! The data: events (facts, in the log for ever), the account they fold
//! into (the write side's state), and the read model a projection builds
//! from them (the query side's table), with the checksum that compares a
//! read model with the fold of the log.

use super::config::MAX_CLIENTS;
use std::fmt;
use std::sync::Arc;

/// What happened to the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Deposited,
    Withdrew,
}

/// One event of the account's stream. Its offset in the log is its place,
/// not a field: the store gives it when the event is appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The command's id, unique over the run: the store takes an event with
    /// an id it already has as the same event again (an idempotent append).
    pub id: u64,
    /// The client's rank among the clients.
    pub client: u8,
    pub kind: Kind,
    pub amount: i64,
}

impl Event {
    /// The change to the balance.
    pub fn delta(&self) -> i64 {
        match self.kind {
            Kind::Deposited => self.amount,
            Kind::Withdrew => -self.amount,
        }
    }

    /// `#12 c3 +40`, for the log's panel (`names` are the clients').
    pub fn describe(&self, offset: u64) -> String {
        format!("#{offset} c{} {:+}", self.client as usize + 1, self.delta())
    }
}

/// A command's id: the client's own count times [`MAX_CLIENTS`] plus its
/// rank, so ids are unique over the run without anyone handing them out.
pub fn command_id(rank: usize, seq: u64) -> u64 {
    seq * MAX_CLIENTS as u64 + (rank % MAX_CLIENTS) as u64
}

/// The rank of the client whose command had id `cmd`.
pub fn client_of(cmd: u64) -> u8 {
    (cmd % MAX_CLIENTS as u64) as u8
}

/// Events as a message carries them: shared, so copying a message (the
/// trace keeps one) copies no event, and shown by how many.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Events(pub Arc<[Event]>);

impl Events {
    pub fn new(events: &[Event]) -> Events {
        Events(events.into())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.0.iter()
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} events]", self.0.len())
    }
}

/// The account as the write side knows it: the fold of its first `version`
/// events. Commands are decided on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// How many events are folded in: the version a command decided on this
    /// state names when it appends.
    pub version: u64,
    pub balance: i64,
}

impl Account {
    pub fn apply(&mut self, e: &Event) {
        self.balance += e.delta();
        self.version += 1;
    }
}

/// A snapshot of the account, saved in the store next to the log.
pub type Snapshot = Account;

/// One client's line of the statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub deposited: i64,
    pub withdrawn: i64,
    pub events: u32,
}

/// The read model: the balance and a statement per client, as of the first
/// `position` events of the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadModel {
    pub position: u64,
    pub balance: i64,
    pub rows: [Row; MAX_CLIENTS],
}

impl ReadModel {
    /// Applies the event at offset `position`.
    pub fn apply(&mut self, e: &Event) {
        self.balance += e.delta();
        let row = &mut self.rows[(e.client as usize).min(MAX_CLIENTS - 1)];
        match e.kind {
            Kind::Deposited => row.deposited += e.amount,
            Kind::Withdrew => row.withdrawn += e.amount,
        }
        row.events += 1;
        self.position += 1;
    }

    /// FNV-1a over the table's contents and its position.
    pub fn checksum(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |v: u64| {
            for b in v.to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        mix(self.position);
        mix(self.balance as u64);
        for r in &self.rows {
            mix(r.deposited as u64);
            mix(r.withdrawn as u64);
            mix(u64::from(r.events));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u64, kind: Kind, amount: i64) -> Event {
        Event {
            id,
            client: (id % 3) as u8,
            kind,
            amount,
        }
    }

    #[test]
    fn an_event_applied_twice_changes_the_checksum() {
        let log = [
            ev(1, Kind::Deposited, 50),
            ev(2, Kind::Withdrew, 20),
            ev(3, Kind::Deposited, 10),
        ];
        let mut once = ReadModel::default();
        log.iter().for_each(|e| once.apply(e));
        assert_eq!((once.position, once.balance), (3, 40));
        let mut twice = ReadModel::default();
        log.iter().for_each(|e| twice.apply(e));
        // Back to the checkpoint at 1 and on again, as the bug does.
        twice.position = 1;
        log[1..].iter().for_each(|e| twice.apply(e));
        assert_eq!(twice.position, 3);
        assert_eq!(twice.balance, 30);
        assert_ne!(once.checksum(), twice.checksum());
    }

    #[test]
    fn events_show_as_a_count() {
        let e = Events::new(&[ev(1, Kind::Deposited, 5)]);
        assert_eq!(format!("{e:?}"), "[1 events]");
        assert_eq!(e.0[0].describe(7), "#7 c2 +5");
    }
}

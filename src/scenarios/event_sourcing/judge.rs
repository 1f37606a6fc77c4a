//! The judge: an observer that sees every append the store takes and every
//! answer a client gets. It folds the log itself, keeps the read model the
//! fold gives after each offset (by its checksum and balance), and checks
//! appends against the versions they were decided on, balances against
//! zero, answers against the fold and against the asker's own writes. The
//! protocol never reads it.

use super::config::MAX_CLIENTS;
use super::model::{Event, ReadModel};
use crate::scenarios::tables::SeqMap;

#[derive(Clone, Debug)]
pub struct Judge {
    /// The fold of the whole log.
    truth: ReadModel,
    /// Checksum and balance of the fold of the first `p` events, at `p`:
    /// one entry per event for the whole run, in chunks a checkpoint's copy
    /// shares.
    folds: SeqMap<(u64, i64)>,
    /// Each client's last acknowledged write: the version with it.
    written: [u64; MAX_CLIENTS],
    stale_appends: u64,
    overdrafts: u64,
}

impl Default for Judge {
    fn default() -> Judge {
        let truth = ReadModel::default();
        let mut folds = SeqMap::default();
        folds.insert(0, (truth.checksum(), 0));
        Judge {
            truth,
            folds,
            written: [0; MAX_CLIENTS],
            stale_appends: 0,
            overdrafts: 0,
        }
    }
}

/// What an append did that it should not have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Broken {
    /// Another event was appended after the version it was decided on.
    pub stale: bool,
    /// It took the balance below zero.
    pub overdraft: bool,
}

impl Judge {
    /// The store appended `event` at the end of the log, decided on the
    /// account at version `expected`.
    pub fn appended(&mut self, event: &Event, expected: u64) -> Broken {
        let offset = self.truth.position;
        self.truth.apply(event);
        self.folds.insert(
            self.truth.position,
            (self.truth.checksum(), self.truth.balance),
        );
        let broken = Broken {
            stale: expected != offset,
            overdraft: event.delta() < 0 && self.truth.balance < 0,
        };
        self.stale_appends += u64::from(broken.stale);
        self.overdrafts += u64::from(broken.overdraft);
        broken
    }

    /// The fold of the whole log.
    pub fn truth(&self) -> &ReadModel {
        &self.truth
    }

    /// Whether a read model at `position` with `checksum` is the fold of
    /// the log up to there.
    pub fn matches(&self, position: u64, checksum: u64) -> bool {
        self.folds
            .get(&position)
            .is_some_and(|f| f.0 == checksum)
    }

    /// The balance after the first `position` events.
    pub fn balance_at(&self, position: u64) -> Option<i64> {
        self.folds.get(&position).map(|f| f.1)
    }

    /// Client `rank` was told its event is in the log, at version `version`.
    pub fn wrote(&mut self, rank: usize, version: u64) {
        if let Some(w) = self.written.get_mut(rank) {
            *w = (*w).max(version);
        }
    }

    /// Client `rank` got an answer from a read model at `position` with
    /// `checksum`: whether it missed the client's own last write (stale), and
    /// whether it was not the fold of the log (wrong).
    pub fn answered(&self, rank: usize, position: u64, checksum: u64) -> (bool, bool) {
        let stale = self.written.get(rank).is_some_and(|&w| position < w);
        (stale, !self.matches(position, checksum))
    }

    pub fn stale_appends(&self) -> u64 {
        self.stale_appends
    }

    pub fn overdrafts(&self) -> u64 {
        self.overdrafts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::event_sourcing::model::Kind;

    fn ev(id: u64, kind: Kind, amount: i64) -> Event {
        Event {
            id,
            client: 0,
            kind,
            amount,
        }
    }

    #[test]
    fn two_withdrawals_decided_on_one_version_are_stale_and_overdraw() {
        let mut j = Judge::default();
        assert_eq!(j.appended(&ev(1, Kind::Deposited, 100), 0), Broken::default());
        assert_eq!(j.appended(&ev(2, Kind::Withdrew, 70), 1), Broken::default());
        // Decided on version 1 too (balance 100), appended after the first.
        let b = j.appended(&ev(3, Kind::Withdrew, 70), 1);
        assert_eq!(
            b,
            Broken {
                stale: true,
                overdraft: true
            }
        );
        assert_eq!((j.stale_appends(), j.overdrafts()), (1, 1));
        assert_eq!(j.balance_at(3), Some(-40));
    }

    #[test]
    fn answers_are_checked_against_the_fold_and_the_askers_writes() {
        let mut j = Judge::default();
        let mut m = ReadModel::default();
        for i in 0..3 {
            let e = ev(i, Kind::Deposited, 10);
            j.appended(&e, i);
            m.apply(&e);
        }
        j.wrote(0, 3);
        assert_eq!(j.answered(0, 3, m.checksum()), (false, false));
        assert_eq!(j.answered(1, 3, m.checksum()), (false, false));
        assert_eq!(j.answered(0, 2, m.checksum()), (true, true));
        assert!(j.matches(0, ReadModel::default().checksum()));
    }
}

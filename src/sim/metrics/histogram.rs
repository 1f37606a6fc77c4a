//! A latency histogram over virtual time: exact samples for the opening
//! stretch and the recent past, and in between one bucketed histogram (see
//! [`super::bins`]) per `histogram_bucket` of virtual time, with its exact
//! count, sum, lowest and highest value.

use super::bins;
use super::{Retention, Stat, quantile};
use crate::sim::time::Time;

/// The samples of one bucket of time, folded.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Folded {
    pub start: Time,
    pub count: u64,
    pub sum: u128,
    pub min: u64,
    pub max: u64,
    /// Counts per value bin, sorted by bin.
    pub bins: Box<[(u16, u32)]>,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Histogram {
    total: u64,
    last: Option<(Time, u64)>,
    /// Samples from before the retention's `exact_until`, in time order.
    early: Vec<(Time, u64)>,
    /// Folded buckets from `exact_until` on, in time order.
    folded: Vec<Folded>,
    /// Samples not yet folded, after every folded bucket.
    recent: Vec<(Time, u64)>,
}

/// Where a histogram stood, to bring it back there.
#[derive(Clone, Debug)]
pub(super) struct HistogramMark {
    total: u64,
    last: Option<(Time, u64)>,
    early: usize,
    folded: usize,
    recent: Vec<(Time, u64)>,
}

impl Histogram {
    pub fn observe(&mut self, now: Time, value: u64, keep: &Retention) {
        self.total += 1;
        self.last = Some((now, value));
        if now < keep.exact_until {
            self.early.push((now, value));
            return;
        }
        self.recent.push((now, value));
        // Fold every bucket that ended `histogram_recent` ago.
        let width = keep.histogram_bucket.0.max(1);
        while let Some(&(first, _)) = self.recent.first() {
            let k = (first.0 - keep.exact_until.0) / width;
            let start = Time(keep.exact_until.0 + k * width);
            let end = start + Time(width);
            if end + keep.histogram_recent > now {
                break;
            }
            let n = self.recent.partition_point(|s| s.0 < end);
            let values = || self.recent[..n].iter().map(|s| s.1);
            self.folded.push(Folded {
                start,
                count: n as u64,
                sum: values().map(u128::from).sum(),
                min: values().min().unwrap_or(0),
                max: values().max().unwrap_or(0),
                bins: bins::from_values(values()).into_boxed_slice(),
            });
            self.recent.drain(..n);
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn last(&self) -> Option<(Time, u64)> {
        self.last
    }

    /// The exact samples kept (the opening stretch, then the recent past),
    /// in time order.
    pub fn exact(&self) -> impl Iterator<Item = &(Time, u64)> {
        self.early.iter().chain(&self.recent)
    }

    pub fn mark(&self) -> HistogramMark {
        HistogramMark {
            total: self.total,
            last: self.last,
            early: self.early.len(),
            folded: self.folded.len(),
            recent: self.recent.clone(),
        }
    }

    pub fn rewind(&mut self, m: &HistogramMark) {
        self.total = m.total;
        self.last = m.last;
        self.early.truncate(m.early);
        self.folded.truncate(m.folded);
        self.recent.clone_from(&m.recent);
    }

    pub fn footprint(&self) -> (usize, usize) {
        let bins: usize = self.folded.iter().map(|f| f.bins.len()).sum();
        let entries = self.early.len() + self.recent.len() + bins;
        let bytes = (self.early.capacity() + self.recent.capacity()) * 16
            + self.folded.capacity() * size_of::<Folded>()
            + bins * size_of::<(u16, u32)>();
        (entries, bytes)
    }

    /// `stat` over `[from, to)`. Folded buckets count whole when they start
    /// in the window.
    pub fn stat(&self, stat: Stat, from: Time, to: Time) -> Option<f64> {
        let within = |s: &[(Time, u64)]| {
            let lo = s.partition_point(|s| s.0 < from);
            let hi = s.partition_point(|s| s.0 < to);
            lo..hi
        };
        let early = &self.early[within(&self.early)];
        let recent = &self.recent[within(&self.recent)];
        let lo = self.folded.partition_point(|f| f.start < from);
        let hi = self.folded.partition_point(|f| f.start < to);
        let folded = &self.folded[lo..hi];
        let exact = || early.iter().chain(recent).map(|s| s.1);
        let count =
            early.len() + recent.len() + folded.iter().map(|f| f.count as usize).sum::<usize>();
        if stat == Stat::Count {
            return Some(count as f64);
        }
        if count == 0 {
            return None;
        }
        if folded.is_empty() {
            // Only exact samples: exactly as they are.
            let mut values: Vec<u64> = exact().collect();
            return match stat {
                Stat::Mean => {
                    Some(values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64)
                }
                Stat::Min => values.iter().min().map(|&v| v as f64),
                Stat::Max => values.iter().max().map(|&v| v as f64),
                _ => quantile_of(stat).map(|q| quantile(&mut values, q) as f64),
            };
        }
        let min = exact().chain(folded.iter().map(|f| f.min)).min()?;
        let max = exact().chain(folded.iter().map(|f| f.max)).max()?;
        match stat {
            Stat::Mean => {
                let sum = exact().map(u128::from).sum::<u128>()
                    + folded.iter().map(|f| f.sum).sum::<u128>();
                Some(sum as f64 / count as f64)
            }
            Stat::Min => Some(min as f64),
            Stat::Max => Some(max as f64),
            _ => {
                let q = quantile_of(stat)?;
                let mut all: Vec<(u16, u32)> =
                    folded.iter().flat_map(|f| f.bins.iter().copied()).collect();
                all.extend(exact().map(|v| (bins::bin_of(v), 1)));
                bins::quantile(&mut all, q).map(|v| v.clamp(min, max) as f64)
            }
        }
    }
}

fn quantile_of(stat: Stat) -> Option<f64> {
    match stat {
        Stat::P50 => Some(0.50),
        Stat::P90 => Some(0.90),
        Stat::P99 => Some(0.99),
        Stat::P999 => Some(0.999),
        _ => None,
    }
}

//! A gauge over virtual time: its change points, where those of a busy
//! stretch older than the recent past are folded into one summary per
//! [`BUCKET`] (lowest, highest, last, time-weighted mean and share of the
//! bucket above zero). Sparse buckets keep their points, so a gauge that
//! changes now and then (a role, a state) keeps every change.

use super::{BUCKET, Retention, Stat};
use crate::sim::time::Time;

/// Buckets with more change points than this are folded into a summary.
const FOLD_ABOVE: usize = 3;

/// One [`BUCKET`] of a gauge, from `start`, in place of its change points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Summary {
    pub start: Time,
    pub min: f64,
    pub max: f64,
    pub last: f64,
    /// Time-weighted over the whole bucket.
    pub mean: f64,
    /// Share of the bucket (0 to 1) above zero.
    pub busy: f64,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Gauge {
    /// Change points no longer recent, in time order: all of those before
    /// the retention's `exact_until`, and those of sparse buckets after it.
    points: Vec<(Time, f64)>,
    /// Busy buckets after `exact_until`, in time order; none has points.
    summaries: Vec<Summary>,
    /// Change points not yet folded, after every point and summary above.
    recent: Vec<(Time, f64)>,
    /// The latest change point.
    last: Option<(Time, f64)>,
}

/// Where a gauge stood, to bring it back there (see [`super::MetricsMark`]).
#[derive(Clone, Debug)]
pub(super) struct GaugeMark {
    points: usize,
    summaries: usize,
    recent: Vec<(Time, f64)>,
    last: Option<(Time, f64)>,
}

/// A stretch of a gauge in a window: a value held, or a folded bucket.
#[derive(Clone, Copy, Debug)]
struct Piece {
    start: Time,
    end: Time,
    min: f64,
    max: f64,
    last: f64,
    mean: f64,
    busy: f64,
}

/// Something in the gauge's history, in time order.
#[derive(Clone, Copy)]
enum Item<'a> {
    Point(Time, f64),
    Folded(&'a Summary),
}

impl Item<'_> {
    fn at(&self) -> Time {
        match self {
            Item::Point(t, _) => *t,
            Item::Folded(s) => s.start,
        }
    }
}

impl Gauge {
    pub fn set(&mut self, now: Time, value: f64, keep: &Retention) {
        match self.last {
            Some((_, v)) if v == value => return,
            Some((t, _)) if t == now => {
                // Set again at the same instant: the latest point is recent.
                if let Some(p) = self.recent.last_mut() {
                    p.1 = value;
                }
                self.last = Some((now, value));
                return;
            }
            _ => {}
        }
        self.recent.push((now, value));
        self.last = Some((now, value));
        self.fold(now, keep);
    }

    pub fn last(&self) -> Option<(Time, f64)> {
        self.last
    }

    pub fn mark(&self) -> GaugeMark {
        GaugeMark {
            points: self.points.len(),
            summaries: self.summaries.len(),
            recent: self.recent.clone(),
            last: self.last,
        }
    }

    pub fn rewind(&mut self, m: &GaugeMark) {
        self.points.truncate(m.points);
        self.summaries.truncate(m.summaries);
        self.recent.clone_from(&m.recent);
        self.last = m.last;
    }

    pub fn footprint(&self) -> (usize, usize) {
        let entries = self.points.len() + self.summaries.len() + self.recent.len();
        let bytes = (self.points.capacity() + self.recent.capacity()) * 16
            + self.summaries.capacity() * size_of::<Summary>();
        (entries, bytes)
    }

    /// Folds every bucket of recent points that ended `keep.gauge_recent`
    /// or more before `now`.
    fn fold(&mut self, now: Time, keep: &Retention) {
        loop {
            let Some(&(first, _)) = self.recent.first() else {
                return;
            };
            let start = Time(first.0 / BUCKET.0 * BUCKET.0);
            let end = start + BUCKET;
            if end + keep.gauge_recent > now {
                return;
            }
            let n = self.recent.partition_point(|p| p.0 < end);
            // The value carried into the bucket, if any.
            let before = match (self.points.last(), self.summaries.last()) {
                (Some(p), Some(s)) if s.start > p.0 => Some(s.last),
                (Some(p), _) => Some(p.1),
                (None, Some(s)) => Some(s.last),
                (None, None) => None,
            };
            match before {
                Some(carried) if n > FOLD_ABOVE && start >= keep.exact_until => {
                    let s = summarize(start, carried, &self.recent[..n]);
                    self.summaries.push(s);
                }
                _ => self.points.extend_from_slice(&self.recent[..n]),
            }
            self.recent.drain(..n);
        }
    }

    /// Every point and folded bucket, from the last one at or before `from`.
    fn items_from(&self, from: Time) -> impl Iterator<Item = Item<'_>> {
        let p = self.points.partition_point(|p| p.0 <= from);
        let s = self.summaries.partition_point(|s| s.start <= from);
        let r = self.recent.partition_point(|p| p.0 <= from);
        // Step back to the item in force at `from`.
        let latest = [
            p.checked_sub(1).map(|i| self.points[i].0),
            s.checked_sub(1).map(|i| self.summaries[i].start),
            r.checked_sub(1).map(|i| self.recent[i].0),
        ];
        let best = latest.iter().flatten().max().copied();
        let (p, s, r) = match best {
            None => (p, s, r),
            Some(t) => (
                if p > 0 && self.points[p - 1].0 == t {
                    p - 1
                } else {
                    p
                },
                if s > 0 && self.summaries[s - 1].start == t {
                    s - 1
                } else {
                    s
                },
                if r > 0 && self.recent[r - 1].0 == t {
                    r - 1
                } else {
                    r
                },
            ),
        };
        let mut points = self.points[p..].iter().peekable();
        let mut summaries = self.summaries[s..].iter().peekable();
        let merged = std::iter::from_fn(move || match (points.peek(), summaries.peek()) {
            (Some(a), Some(b)) if a.0 < b.start => points.next().map(|&(t, v)| Item::Point(t, v)),
            (_, Some(_)) => summaries.next().map(Item::Folded),
            (Some(_), None) => points.next().map(|&(t, v)| Item::Point(t, v)),
            (None, None) => None,
        });
        merged.chain(self.recent[r..].iter().map(|&(t, v)| Item::Point(t, v)))
    }

    /// The gauge's history over `[from, to)` as pieces, each clipped to it.
    fn pieces(&self, from: Time, to: Time) -> Vec<Piece> {
        let mut out: Vec<Piece> = Vec::new();
        let mut items = self.items_from(from).peekable();
        while let Some(item) = items.next() {
            if item.at() >= to {
                break;
            }
            let next = items.peek().map_or(to, |i| i.at()).min(to);
            match item {
                Item::Point(t, v) => {
                    out.push(Piece {
                        start: t.max(from),
                        end: next.max(from),
                        min: v,
                        max: v,
                        last: v,
                        mean: v,
                        busy: if v > 0.0 { 1.0 } else { 0.0 },
                    });
                }
                Item::Folded(s) => {
                    let end = (s.start + BUCKET).min(to);
                    if end > from {
                        out.push(Piece {
                            start: s.start.max(from),
                            end,
                            min: s.min,
                            max: s.max,
                            last: s.last,
                            mean: s.mean,
                            busy: s.busy,
                        });
                    }
                    // After the bucket, its last value holds until the next item.
                    let after = s.start + BUCKET;
                    if after < next {
                        out.push(Piece {
                            start: after.max(from),
                            end: next,
                            min: s.last,
                            max: s.last,
                            last: s.last,
                            mean: s.last,
                            busy: if s.last > 0.0 { 1.0 } else { 0.0 },
                        });
                    }
                }
            }
        }
        out
    }

    /// Change points from the one in force at `from` on; a folded bucket
    /// stands as its highest value at its start, then its last value.
    pub fn points_since(&self, from: Time) -> Vec<(Time, f64)> {
        let mut out = Vec::new();
        for item in self.items_from(from) {
            match item {
                Item::Point(t, v) => out.push((t, v)),
                Item::Folded(s) => {
                    out.push((s.start, s.max));
                    out.push((s.start + Time(1), s.last));
                }
            }
        }
        out
    }

    pub fn stat(&self, stat: Stat, from: Time, to: Time) -> Option<f64> {
        let pieces = self.pieces(from, to);
        if pieces.is_empty() {
            return None;
        }
        match stat {
            Stat::Last => pieces.last().map(|p| p.last),
            Stat::Min => pieces.iter().map(|p| p.min).reduce(f64::min),
            Stat::Max => pieces.iter().map(|p| p.max).reduce(f64::max),
            Stat::Busy => {
                let (mut busy, mut span) = (0.0, 0.0);
                for p in &pieces {
                    let d = (p.end - p.start).as_secs_f64();
                    busy += p.busy * d;
                    span += d;
                }
                Some(if span > 0.0 { busy / span } else { 0.0 })
            }
            Stat::Mean => {
                let (mut weighted, mut span) = (0.0, 0.0);
                for p in &pieces {
                    let d = (p.end - p.start).as_secs_f64();
                    weighted += p.mean * d;
                    span += d;
                }
                if span > 0.0 {
                    Some(weighted / span)
                } else {
                    pieces.last().map(|p| p.last)
                }
            }
            _ => None,
        }
    }
}

/// One bucket from `start`, holding `carried` until its first point.
fn summarize(start: Time, carried: f64, points: &[(Time, f64)]) -> Summary {
    let end = start + BUCKET;
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut weighted, mut busy) = (0.0, 0.0);
    let mut held = (start, carried);
    for &(t, v) in points.iter().chain(std::iter::once(&(end, f64::NAN))) {
        let d = (t - held.0).as_secs_f64();
        if t > held.0 {
            min = min.min(held.1);
            max = max.max(held.1);
        }
        weighted += held.1 * d;
        if held.1 > 0.0 {
            busy += d;
        }
        held = (t, v);
    }
    let last = points.last().map_or(carried, |p| p.1);
    min = min.min(last);
    max = max.max(last);
    let span = BUCKET.as_secs_f64();
    Summary {
        start,
        min,
        max,
        last,
        mean: weighted / span,
        busy: busy / span,
    }
}

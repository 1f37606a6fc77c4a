//! Metrics recorded by nodes during a run: counters, gauges and latency histograms,
//! each kept as a series over virtual time so that a question like "the p99 of
//! `a.latency` between 30 s and 90 s" can be answered after the fact or live.

use super::time::Time;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::fmt;

/// Width of one counter bucket. Windows are resolved to this granularity.
pub const BUCKET: Time = Time::millis(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    Counter,
    Gauge,
    Histogram,
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Histogram => "histogram",
        })
    }
}

/// A statistic computed over a window of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// Counter: increments in the window. Histogram: samples in the window.
    Count,
    /// Counter: increments per second of the window.
    Rate,
    Min,
    Max,
    /// Histogram: mean sample. Gauge: time-weighted mean.
    Mean,
    P50,
    P90,
    P99,
    P999,
    /// Gauge: the value at the end of the window.
    Last,
    /// Gauge: the share of the window (0 to 1) during which it was above zero,
    /// e.g. how much of the time a lock was held, or had anyone waiting.
    Busy,
}

impl Stat {
    pub const ALL: [(&'static str, Stat); 11] = [
        ("count", Stat::Count),
        ("rate", Stat::Rate),
        ("min", Stat::Min),
        ("max", Stat::Max),
        ("mean", Stat::Mean),
        ("p50", Stat::P50),
        ("p90", Stat::P90),
        ("p99", Stat::P99),
        ("p999", Stat::P999),
        ("last", Stat::Last),
        ("busy", Stat::Busy),
    ];

    pub fn parse(name: &str) -> Option<Stat> {
        Stat::ALL.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
    }

    pub fn name(self) -> &'static str {
        Stat::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// Whether this statistic means anything for a metric of `kind`.
    pub fn applies_to(self, kind: MetricKind) -> bool {
        match kind {
            MetricKind::Counter => matches!(self, Stat::Count | Stat::Rate),
            MetricKind::Gauge => matches!(
                self,
                Stat::Min | Stat::Max | Stat::Mean | Stat::Last | Stat::Busy
            ),
            MetricKind::Histogram => !matches!(self, Stat::Rate | Stat::Last | Stat::Busy),
        }
    }
}

mod bins;
mod gauge;
mod histogram;

use gauge::{Gauge, GaugeMark};
use histogram::{Histogram, HistogramMark};

/// How much of each series is kept exactly. Counters keep every bucket;
/// gauges and histograms fold what is older than the recent past, once past
/// the opening stretch that lessons are judged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Everything recorded before this instant is kept exactly.
    pub exact_until: Time,
    /// Width of a folded histogram bucket, counted from `exact_until`.
    pub histogram_bucket: Time,
    /// A histogram bucket is folded once its last sample is this old.
    pub histogram_recent: Time,
    /// A gauge's [`BUCKET`] is folded once it ended this long ago.
    pub gauge_recent: Time,
}

impl Retention {
    /// What runs keep: the first five minutes exactly (longer than every
    /// lesson, so objectives, sweeps and figures see exact data), and after
    /// that the last 10 to 20 s of samples and the last 0.1 to 0.2 s of gauge
    /// changes (more than the panels' 5 s of recent latencies).
    pub const RUN: Retention = Retention {
        exact_until: Time::secs(300),
        histogram_bucket: Time::secs(10),
        histogram_recent: Time::secs(10),
        gauge_recent: Time::ZERO,
    };

    /// Keeps everything exactly: the reference the folded series are
    /// tested against.
    pub const EXACT: Retention = Retention {
        exact_until: Time::MAX,
        histogram_bucket: Time::secs(10),
        histogram_recent: Time::secs(10),
        gauge_recent: Time::ZERO,
    };
}

impl Default for Retention {
    fn default() -> Retention {
        Retention::RUN
    }
}

#[derive(Clone, Debug, Default)]
struct Counter {
    total: u64,
    /// Increments per [`BUCKET`] of virtual time.
    buckets: Vec<u64>,
}

#[derive(Clone, Debug)]
enum Series {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

/// Where every series of a [`Metrics`] stood at an instant: enough to bring
/// a later state of the same run back to it. Series only grow at their end
/// (a counter's last bucket, a gauge's last point, folded buckets after
/// folded buckets), so a checkpoint keeps this instead of a copy: lengths,
/// and a copy of what is not folded yet.
#[derive(Clone, Debug, Default)]
pub struct MetricsMark {
    series: Vec<SeriesMark>,
}

#[derive(Clone, Debug)]
enum SeriesMark {
    Counter {
        total: u64,
        buckets: usize,
        last: u64,
    },
    Gauge(GaugeMark),
    Histogram(HistogramMark),
}

/// Handle to a metric, cheaper to record through than its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetricId(usize);

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    names: Vec<String>,
    /// Looked up on every recording by name: a fast hash with a fixed seed.
    index: HashMap<String, usize, FixedState>,
    series: Vec<Series>,
    retention: Retention,
}

impl Metrics {
    /// Keeps series as `retention` says from now on. Meant for metrics with
    /// nothing recorded yet.
    pub fn set_retention(&mut self, retention: Retention) {
        self.retention = retention;
    }

    pub fn retention(&self) -> Retention {
        self.retention
    }

    /// The same history recorded under `retention`: every series recorded
    /// again, which gives back all of it only where `self` kept it exactly.
    pub fn refolded(&self, retention: Retention) -> Metrics {
        let mut out = Metrics {
            retention,
            ..Metrics::default()
        };
        for (name, s) in self.names.iter().zip(&self.series) {
            match s {
                Series::Counter(c) => {
                    out.register(name, MetricKind::Counter);
                    let i = out.series.len() - 1;
                    out.series[i] = Series::Counter(c.clone());
                }
                Series::Gauge(g) => {
                    let id = out.register(name, MetricKind::Gauge);
                    for (t, v) in g.points_since(Time::ZERO) {
                        out.set(id, t, v);
                    }
                }
                Series::Histogram(h) => {
                    let id = out.register(name, MetricKind::Histogram);
                    for &(t, v) in h.exact() {
                        out.observe(id, t, v);
                    }
                }
            }
        }
        out
    }

    /// Returns the id of `name`, creating it empty with `kind` if it is new.
    pub fn register(&mut self, name: &str, kind: MetricKind) -> MetricId {
        if let Some(&i) = self.index.get(name) {
            return MetricId(i);
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        self.series.push(match kind {
            MetricKind::Counter => Series::Counter(Counter::default()),
            MetricKind::Gauge => Series::Gauge(Gauge::default()),
            MetricKind::Histogram => Series::Histogram(Histogram::default()),
        });
        MetricId(i)
    }

    /// Where every series stands now.
    pub fn mark(&self) -> MetricsMark {
        MetricsMark {
            series: self
                .series
                .iter()
                .map(|s| match s {
                    Series::Counter(c) => SeriesMark::Counter {
                        total: c.total,
                        buckets: c.buckets.len(),
                        last: c.buckets.last().copied().unwrap_or(0),
                    },
                    Series::Gauge(g) => SeriesMark::Gauge(g.mark()),
                    Series::Histogram(h) => SeriesMark::Histogram(h.mark()),
                })
                .collect(),
        }
    }

    /// Brings every series back to where `mark` saw it, forgetting metrics
    /// made since. `mark` must come from an earlier state of this same
    /// history; anything else is a caller's bug, and panics.
    pub fn rewind(&mut self, mark: &MetricsMark) {
        let kept = mark.series.len();
        assert!(kept <= self.series.len(), "a mark from another run");
        for name in self.names.drain(kept..) {
            self.index.remove(&name);
        }
        self.series.truncate(kept);
        for (s, m) in self.series.iter_mut().zip(&mark.series) {
            match (s, m) {
                (
                    Series::Counter(c),
                    &SeriesMark::Counter {
                        total,
                        buckets,
                        last,
                    },
                ) => {
                    c.total = total;
                    c.buckets.truncate(buckets);
                    if let Some(b) = c.buckets.last_mut() {
                        *b = last;
                    }
                }
                (Series::Gauge(g), SeriesMark::Gauge(m)) => g.rewind(m),
                (Series::Histogram(h), SeriesMark::Histogram(m)) => h.rewind(m),
                _ => panic!("a mark from another run"),
            }
        }
    }

    pub fn add(&mut self, id: MetricId, now: Time, by: u64) {
        if let Series::Counter(c) = &mut self.series[id.0] {
            c.total += by;
            let b = (now.0 / BUCKET.0) as usize;
            if c.buckets.len() <= b {
                c.buckets.resize(b + 1, 0);
            }
            c.buckets[b] += by;
        }
    }

    pub fn set(&mut self, id: MetricId, now: Time, value: f64) {
        if let Series::Gauge(g) = &mut self.series[id.0] {
            g.set(now, value, &self.retention);
        }
    }

    pub fn observe(&mut self, id: MetricId, now: Time, value: u64) {
        if let Series::Histogram(h) = &mut self.series[id.0] {
            h.observe(now, value, &self.retention);
        }
    }

    pub fn counter(&mut self, name: &str, now: Time, by: u64) {
        let id = self.register(name, MetricKind::Counter);
        self.add(id, now, by);
    }

    pub fn gauge(&mut self, name: &str, now: Time, value: f64) {
        let id = self.register(name, MetricKind::Gauge);
        self.set(id, now, value);
    }

    pub fn histogram(&mut self, name: &str, now: Time, value: u64) {
        let id = self.register(name, MetricKind::Histogram);
        self.observe(id, now, value);
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub fn kind(&self, name: &str) -> Option<MetricKind> {
        self.index.get(name).map(|&i| match &self.series[i] {
            Series::Counter(_) => MetricKind::Counter,
            Series::Gauge(_) => MetricKind::Gauge,
            Series::Histogram(_) => MetricKind::Histogram,
        })
    }

    fn series(&self, name: &str) -> Option<&Series> {
        self.index.get(name).map(|&i| &self.series[i])
    }

    /// Counter total over the whole run (0 for an unknown name).
    pub fn total(&self, name: &str) -> u64 {
        match self.series(name) {
            Some(Series::Counter(c)) => c.total,
            Some(Series::Histogram(h)) => h.total(),
            _ => 0,
        }
    }

    /// The gauge's current value.
    pub fn current(&self, name: &str) -> Option<f64> {
        self.last_change(name).map(|p| p.1)
    }

    /// The gauge's latest change: when, and to what.
    pub fn last_change(&self, name: &str) -> Option<(Time, f64)> {
        match self.series(name) {
            Some(Series::Gauge(g)) => g.last(),
            _ => None,
        }
    }

    /// A gauge's change points from the one in force at `from` on, for
    /// drawing: a folded bucket stands as its highest value at its start,
    /// then its last value, so each [`BUCKET`]'s highest and last are right.
    pub fn gauge_points_since(&self, name: &str, from: Time) -> Vec<(Time, f64)> {
        match self.series(name) {
            Some(Series::Gauge(g)) => g.points_since(from),
            _ => Vec::new(),
        }
    }

    /// A gauge's change points over the whole run (see
    /// [`Metrics::gauge_points_since`]).
    pub fn gauge_points(&self, name: &str) -> Vec<(Time, f64)> {
        self.gauge_points_since(name, Time::ZERO)
    }

    /// Counter increments per bucket, for sparklines.
    pub fn counter_buckets(&self, name: &str) -> &[u64] {
        match self.series(name) {
            Some(Series::Counter(c)) => &c.buckets,
            _ => &[],
        }
    }

    /// The histogram's exact samples in time order: every one while the run
    /// is in its opening stretch (see [`Retention`]), after it the opening
    /// stretch's and the recent past's.
    pub fn samples(&self, name: &str) -> Vec<(Time, u64)> {
        match self.series(name) {
            Some(Series::Histogram(h)) => h.exact().copied().collect(),
            _ => Vec::new(),
        }
    }

    /// The histogram's latest sample.
    pub fn last_sample(&self, name: &str) -> Option<(Time, u64)> {
        match self.series(name) {
            Some(Series::Histogram(h)) => h.last(),
            _ => None,
        }
    }

    /// `stat` of metric `name` over `[from, to)`. `None` when the metric does not
    /// exist, the statistic does not apply, or there is no data in the window.
    ///
    /// Exact where the series is kept exactly. Over folded stretches, windows
    /// are resolved to their buckets (a gauge's [`BUCKET`], a histogram's
    /// `histogram_bucket` counted whole when it starts in the window); there
    /// counts, lowest, highest, last and means stay exact, and percentiles are
    /// within 0.4% of the exact value (values below 256 exact).
    pub fn query(&self, name: &str, stat: Stat, from: Time, to: Time) -> Option<f64> {
        let series = self.series(name)?;
        if to <= from {
            return None;
        }
        match series {
            Series::Counter(c) => {
                let lo = (from.0 / BUCKET.0) as usize;
                let hi = to.0.div_ceil(BUCKET.0) as usize;
                let sum: u64 = c.buckets.iter().take(hi).skip(lo).sum();
                match stat {
                    Stat::Count => Some(sum as f64),
                    Stat::Rate => Some(sum as f64 / (to - from).as_secs_f64()),
                    _ => None,
                }
            }
            Series::Histogram(h) => h.stat(stat, from, to),
            Series::Gauge(g) => g.stat(stat, from, to),
        }
    }
}

/// Heap bytes held by the series of one kind, and how many entries (counter
/// buckets, gauge points, histogram samples) they hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindFootprint {
    pub series: usize,
    pub entries: usize,
    pub bytes: usize,
}

/// Where a [`Metrics`]' memory goes, by kind of series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub counters: KindFootprint,
    pub gauges: KindFootprint,
    pub histograms: KindFootprint,
}

impl Metrics {
    /// Heap bytes held by each kind of series (capacity, not length).
    pub fn footprint(&self) -> Footprint {
        let mut f = Footprint::default();
        for s in &self.series {
            let (k, (entries, bytes)) = match s {
                Series::Counter(c) => {
                    (&mut f.counters, (c.buckets.len(), c.buckets.capacity() * 8))
                }
                Series::Gauge(g) => (&mut f.gauges, g.footprint()),
                Series::Histogram(h) => (&mut f.histograms, h.footprint()),
            };
            k.series += 1;
            k.entries += entries;
            k.bytes += bytes;
        }
        f
    }
}

/// Nearest-rank quantile: the smallest value with at least `q` of the samples at or below it.
pub fn quantile(values: &mut [u64], q: f64) -> u64 {
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    *values.select_nth_unstable(rank - 1).1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folds nearly everything: the opening stretch is empty and only the
    /// current second of samples and the current gauge bucket stay exact.
    const FOLD_ALL: Retention = Retention {
        exact_until: Time::ZERO,
        histogram_bucket: Time::secs(1),
        histogram_recent: Time::ZERO,
        gauge_recent: Time::ZERO,
    };

    /// Busy series: several changes and samples per gauge bucket.
    fn record(m: &mut Metrics, from: u64, to: u64) {
        for ms in from..to {
            let t = Time::millis(ms * 30);
            m.counter("ok", t, 1);
            m.histogram("lat", t, ms * 997 % 5_000);
            // Set twice at one instant: the second overwrites in place.
            m.gauge("depth", t, (ms % 4) as f64);
            m.gauge("depth", t, (ms % 5) as f64);
            if ms % 40 == 0 {
                m.gauge("role", t, (ms / 40 % 3) as f64);
            }
            if ms >= 50 {
                m.counter("late", t, 1);
            }
        }
    }

    /// Every series as stored, and what the queries say over a few windows.
    fn dump(m: &Metrics) -> String {
        let mut out = format!("{:?} {:?}\n", m.names, m.series);
        for name in m.names() {
            for (_, stat) in Stat::ALL {
                for (a, b) in [(0, 100_000), (300, 2_700), (1_350, 2_940), (0, 2_970)] {
                    let v = m.query(name, stat, Time::millis(a), Time::millis(b));
                    out += &format!("{name} {stat:?} {a} {b} {v:?}\n");
                }
            }
        }
        out
    }

    #[test]
    fn rewinding_to_a_mark_gives_back_the_metrics_as_they_were() {
        for retention in [Retention::RUN, FOLD_ALL, Retention::EXACT] {
            let mut straight = Metrics::default();
            straight.set_retention(retention);
            record(&mut straight, 0, 45);
            let mark = straight.mark();
            let mut went_on = straight.clone();
            record(&mut went_on, 45, 100);
            went_on.rewind(&mark);
            assert_eq!(
                went_on.names().collect::<Vec<_>>(),
                ["ok", "lat", "depth", "role"]
            );
            assert_eq!(went_on.kind("late"), None);
            assert_eq!(dump(&went_on), dump(&straight), "{retention:?}");
            // And it goes on from there as the straight run does.
            record(&mut went_on, 45, 100);
            record(&mut straight, 45, 100);
            assert_eq!(dump(&went_on), dump(&straight), "{retention:?}");
        }
    }

    #[test]
    fn folding_keeps_every_query_answerable_within_its_precision() {
        let mut exact = Metrics::default();
        exact.set_retention(Retention::EXACT);
        record(&mut exact, 0, 100);
        let folded = exact.refolded(FOLD_ALL);
        assert!(folded.footprint().histograms.entries < exact.footprint().histograms.entries);
        assert!(folded.footprint().gauges.entries < exact.footprint().gauges.entries);
        // The role changes rarely: every one of its changes is kept.
        assert_eq!(folded.gauge_points("role"), exact.gauge_points("role"));
        // Windows on whole seconds (for samples) and buckets (for gauges).
        for (a, b) in [(0, 3), (1, 2), (2, 3), (0, 1)] {
            let (a, b) = (Time::secs(a), Time::secs(b));
            for (_, stat) in Stat::ALL {
                for name in ["lat", "depth", "role"] {
                    let want = exact.query(name, stat, a, b);
                    let got = folded.query(name, stat, a, b);
                    let close = match (want, got) {
                        (Some(w), Some(g)) => match stat {
                            Stat::P50 | Stat::P90 | Stat::P99 | Stat::P999 => {
                                (w - g).abs() <= w / 256.0
                            }
                            Stat::Mean | Stat::Busy => (w - g).abs() <= 1e-9 * w.abs().max(1.0),
                            _ => w == g,
                        },
                        (w, g) => w == g,
                    };
                    assert!(close, "{name} {stat:?} over {a}..{b}: {want:?} vs {got:?}");
                }
            }
        }
        // A gauge's drawn points keep each bucket's highest and last value.
        let highest = |m: &Metrics, from: u64| {
            let from = Time::millis(from);
            m.gauge_points_since("depth", from)
                .iter()
                .filter(|p| p.0 >= from && p.0 < from + BUCKET)
                .map(|p| p.1)
                .reduce(f64::max)
        };
        for b in [300, 1_200, 2_000] {
            assert_eq!(highest(&folded, b), highest(&exact, b), "bucket at {b} ms");
        }
        assert_eq!(folded.current("depth"), exact.current("depth"));
        assert_eq!(folded.last_sample("lat"), exact.last_sample("lat"));
        assert_eq!(folded.total("lat"), 100);
    }

    #[test]
    fn an_hour_of_busy_series_stays_small() {
        let mut m = Metrics::default();
        let mut at_ten_minutes = Footprint::default();
        let mut highest = 0;
        let depth = m.register("depth", MetricKind::Gauge);
        let lat = m.register("lat", MetricKind::Histogram);
        for ms in 0..3_600_000u64 {
            let t = Time::millis(ms);
            m.set(depth, t, (ms * 7 % 11) as f64);
            if ms % 4 == 0 {
                let v = 1_000 + ms * 7919 % 3_000;
                highest = highest.max(v);
                m.observe(lat, t, v);
            }
            if ms == 600_000 {
                at_ten_minutes = m.footprint();
            }
        }
        let f = m.footprint();
        // Kept exactly, the last 50 minutes would be 3 M gauge points and
        // 750 k samples: 57 MB.
        let grew = |a: KindFootprint, b: KindFootprint| b.bytes - a.bytes;
        assert!(grew(at_ten_minutes.gauges, f.gauges) < 4 << 20, "{f:?}");
        assert!(
            grew(at_ten_minutes.histograms, f.histograms) < 2 << 20,
            "{f:?}"
        );
        assert_eq!(m.total("lat"), 900_000);
        assert_eq!(
            m.query("lat", Stat::Count, Time::ZERO, Time::secs(3_600)),
            Some(900_000.0)
        );
        assert_eq!(
            m.query("lat", Stat::Max, Time::ZERO, Time::secs(3_600)),
            Some(highest as f64)
        );
    }

    #[test]
    fn counters_answer_for_a_window() {
        let mut m = Metrics::default();
        for s in 0..10 {
            m.counter("ok", Time::secs(s), 2);
        }
        assert_eq!(m.total("ok"), 20);
        assert_eq!(
            m.query("ok", Stat::Count, Time::secs(3), Time::secs(6)),
            Some(6.0)
        );
        assert_eq!(
            m.query("ok", Stat::Rate, Time::secs(0), Time::secs(10)),
            Some(2.0)
        );
    }

    #[test]
    fn histogram_quantiles_use_nearest_rank() {
        let mut m = Metrics::default();
        for v in 1..=100 {
            m.histogram("lat", Time::millis(v), v);
        }
        let q = |s| m.query("lat", s, Time::ZERO, Time::secs(1));
        assert_eq!(q(Stat::P50), Some(50.0));
        assert_eq!(q(Stat::P99), Some(99.0));
        assert_eq!(q(Stat::Max), Some(100.0));
        assert_eq!(
            m.query("lat", Stat::P99, Time::secs(5), Time::secs(6)),
            None
        );
        assert_eq!(
            m.query("lat", Stat::Count, Time::secs(5), Time::secs(6)),
            Some(0.0)
        );
    }

    #[test]
    fn gauges_carry_their_value_into_a_window() {
        let mut m = Metrics::default();
        m.gauge("state", Time::ZERO, 0.0);
        m.gauge("state", Time::secs(10), 1.0);
        m.gauge("state", Time::secs(20), 0.0);
        let q = |s, a, b| m.query("state", s, Time::secs(a), Time::secs(b));
        assert_eq!(q(Stat::Max, 12, 15), Some(1.0));
        assert_eq!(q(Stat::Max, 0, 10), Some(0.0));
        assert_eq!(q(Stat::Mean, 0, 20), Some(0.5));
        assert_eq!(q(Stat::Last, 0, 30), Some(0.0));
        assert_eq!(q(Stat::Busy, 0, 40), Some(0.25));
        assert_eq!(q(Stat::Busy, 12, 15), Some(1.0));
        assert_eq!(q(Stat::Busy, 20, 30), Some(0.0));
    }
}

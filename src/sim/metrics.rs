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

#[derive(Clone, Debug, Default)]
struct Counter {
    total: u64,
    /// Increments per [`BUCKET`] of virtual time.
    buckets: Vec<u64>,
}

#[derive(Clone, Debug, Default)]
struct Gauge {
    /// Change points: the gauge holds `value` from `time` until the next point.
    points: Vec<(Time, f64)>,
}

#[derive(Clone, Debug, Default)]
struct Histogram {
    /// Samples in recording order (so in time order).
    samples: Vec<(Time, u64)>,
}

#[derive(Clone, Debug)]
enum Series {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

/// Where every series of a [`Metrics`] stood at an instant: enough to bring
/// a later state of the same run back to it. Series only grow at their end
/// (a counter's last bucket, a gauge's last point), so a checkpoint keeps
/// this instead of a copy.
#[derive(Clone, Debug, Default)]
pub struct MetricsMark {
    series: Vec<SeriesMark>,
}

#[derive(Clone, Copy, Debug)]
enum SeriesMark {
    Counter {
        total: u64,
        buckets: usize,
        last: u64,
    },
    Gauge {
        points: usize,
        last: Option<(Time, f64)>,
    },
    Histogram {
        samples: usize,
    },
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
}

impl Metrics {
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
                    Series::Gauge(g) => SeriesMark::Gauge {
                        points: g.points.len(),
                        last: g.points.last().copied(),
                    },
                    Series::Histogram(h) => SeriesMark::Histogram {
                        samples: h.samples.len(),
                    },
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
            match (s, *m) {
                (
                    Series::Counter(c),
                    SeriesMark::Counter {
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
                (Series::Gauge(g), SeriesMark::Gauge { points, last }) => {
                    g.points.truncate(points);
                    if let (Some(p), Some(l)) = (g.points.last_mut(), last) {
                        *p = l;
                    }
                }
                (Series::Histogram(h), SeriesMark::Histogram { samples }) => {
                    h.samples.truncate(samples);
                }
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
            match g.points.last_mut() {
                Some((_, v)) if *v == value => {}
                Some((t, v)) if *t == now => *v = value,
                _ => g.points.push((now, value)),
            }
        }
    }

    pub fn observe(&mut self, id: MetricId, now: Time, value: u64) {
        if let Series::Histogram(h) = &mut self.series[id.0] {
            h.samples.push((now, value));
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

    /// Counter total over the whole run (0 for an unknown name).
    pub fn total(&self, name: &str) -> u64 {
        match self.index.get(name).map(|&i| &self.series[i]) {
            Some(Series::Counter(c)) => c.total,
            Some(Series::Histogram(h)) => h.samples.len() as u64,
            _ => 0,
        }
    }

    /// The gauge's current value.
    pub fn current(&self, name: &str) -> Option<f64> {
        match self.index.get(name).map(|&i| &self.series[i]) {
            Some(Series::Gauge(g)) => g.points.last().map(|p| p.1),
            _ => None,
        }
    }

    /// A gauge's change points, for drawing a state timeline.
    pub fn gauge_points(&self, name: &str) -> &[(Time, f64)] {
        match self.index.get(name).map(|&i| &self.series[i]) {
            Some(Series::Gauge(g)) => &g.points,
            _ => &[],
        }
    }

    /// Counter increments per bucket, for sparklines.
    pub fn counter_buckets(&self, name: &str) -> &[u64] {
        match self.index.get(name).map(|&i| &self.series[i]) {
            Some(Series::Counter(c)) => &c.buckets,
            _ => &[],
        }
    }

    /// Histogram samples in time order.
    pub fn samples(&self, name: &str) -> &[(Time, u64)] {
        match self.index.get(name).map(|&i| &self.series[i]) {
            Some(Series::Histogram(h)) => &h.samples,
            _ => &[],
        }
    }

    /// `stat` of metric `name` over `[from, to)`. `None` when the metric does not
    /// exist, the statistic does not apply, or there is no data in the window.
    pub fn query(&self, name: &str, stat: Stat, from: Time, to: Time) -> Option<f64> {
        let series = &self.series[*self.index.get(name)?];
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
            Series::Histogram(h) => {
                let lo = h.samples.partition_point(|s| s.0 < from);
                let hi = h.samples.partition_point(|s| s.0 < to);
                let window = &h.samples[lo..hi];
                if stat == Stat::Count {
                    return Some(window.len() as f64);
                }
                if window.is_empty() {
                    return None;
                }
                let mut values: Vec<u64> = window.iter().map(|s| s.1).collect();
                match stat {
                    Stat::Mean => {
                        Some(values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64)
                    }
                    Stat::Min => values.iter().min().map(|&v| v as f64),
                    Stat::Max => values.iter().max().map(|&v| v as f64),
                    Stat::P50 | Stat::P90 | Stat::P99 | Stat::P999 => {
                        let q = match stat {
                            Stat::P50 => 0.50,
                            Stat::P90 => 0.90,
                            Stat::P99 => 0.99,
                            _ => 0.999,
                        };
                        Some(quantile(&mut values, q) as f64)
                    }
                    _ => None,
                }
            }
            Series::Gauge(g) => gauge_stat(&g.points, stat, from, to),
        }
    }
}

/// Nearest-rank quantile: the smallest value with at least `q` of the samples at or below it.
pub fn quantile(values: &mut [u64], q: f64) -> u64 {
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    *values.select_nth_unstable(rank - 1).1
}

fn gauge_stat(points: &[(Time, f64)], stat: Stat, from: Time, to: Time) -> Option<f64> {
    // The value in force at `from`, then every change inside the window.
    let start = points.partition_point(|p| p.0 <= from);
    let mut pieces: Vec<(Time, f64)> = Vec::new();
    if start > 0 {
        pieces.push((from, points[start - 1].1));
    }
    pieces.extend(points[start..].iter().take_while(|p| p.0 < to).copied());
    if pieces.is_empty() {
        return None;
    }
    match stat {
        Stat::Last => pieces.last().map(|p| p.1),
        Stat::Min => pieces.iter().map(|p| p.1).reduce(f64::min),
        Stat::Max => pieces.iter().map(|p| p.1).reduce(f64::max),
        Stat::Busy => {
            let (mut busy, mut span) = (0.0, 0.0);
            for (i, &(t, v)) in pieces.iter().enumerate() {
                let end = pieces.get(i + 1).map_or(to, |p| p.0);
                let d = (end - t).as_secs_f64();
                if v > 0.0 {
                    busy += d;
                }
                span += d;
            }
            Some(if span > 0.0 { busy / span } else { 0.0 })
        }
        Stat::Mean => {
            let mut weighted = 0.0;
            let mut span = 0.0;
            for (i, &(t, v)) in pieces.iter().enumerate() {
                let end = pieces.get(i + 1).map_or(to, |p| p.0);
                let d = (end - t).as_secs_f64();
                weighted += v * d;
                span += d;
            }
            if span > 0.0 {
                Some(weighted / span)
            } else {
                pieces.last().map(|p| p.1)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewinding_to_a_mark_gives_back_the_metrics_as_they_were() {
        let record = |m: &mut Metrics, from: u64, to: u64| {
            for ms in from..to {
                let t = Time::millis(ms * 30);
                m.counter("ok", t, 1);
                m.histogram("lat", t, ms);
                // Set twice at one instant: the second overwrites in place.
                m.gauge("depth", t, (ms % 4) as f64);
                m.gauge("depth", t, (ms % 5) as f64);
                if ms >= 50 {
                    m.counter("late", t, 1);
                }
            }
        };
        let mut straight = Metrics::default();
        record(&mut straight, 0, 45);
        let mark = straight.mark();
        let mut went_on = straight.clone();
        record(&mut went_on, 45, 100);
        went_on.rewind(&mark);
        assert_eq!(went_on.names().collect::<Vec<_>>(), ["ok", "lat", "depth"]);
        assert_eq!(went_on.kind("late"), None);
        for name in ["ok", "lat", "depth"] {
            assert_eq!(
                went_on.counter_buckets(name),
                straight.counter_buckets(name)
            );
            assert_eq!(went_on.gauge_points(name), straight.gauge_points(name));
            assert_eq!(went_on.samples(name), straight.samples(name));
            assert_eq!(went_on.total(name), straight.total(name));
        }
        // And it goes on from there as the straight run does.
        record(&mut went_on, 45, 100);
        record(&mut straight, 45, 100);
        for name in ["ok", "lat", "depth", "late"] {
            assert_eq!(
                went_on.counter_buckets(name),
                straight.counter_buckets(name)
            );
            assert_eq!(went_on.gauge_points(name), straight.gauge_points(name));
            assert_eq!(went_on.samples(name), straight.samples(name));
        }
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

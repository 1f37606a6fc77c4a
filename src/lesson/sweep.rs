//! Sweeps: the same lesson run headless over a range of one knob's values
//! (and optionally for each value of a second), measuring one metric, so a
//! learner can see where one strategy overtakes another as load rises.
//!
//! Each cell is the median over seeds (or their mean, least or greatest:
//! [`Across`]). The knobs swept are pinned: the lesson's script may not
//! change them, so a cell measures the value it names.

use super::{Lesson, Run};
use crate::sim::{KnobValue, MetricKind, Stat, Time};
use std::sync::Arc;

/// A knob and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub knob: String,
    /// Each value as written, and as parsed.
    pub values: Vec<(String, KnobValue)>,
}

impl Axis {
    /// Reads `KNOB=V1,V2,...` against the lesson's knobs.
    pub fn parse(lesson: &Lesson, text: &str) -> Result<Axis, String> {
        let (knob, values) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not a sweep: write it as KNOB=V1,V2,..."))?;
        let knob = knob.trim();
        let values = values
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| {
                lesson
                    .parse_setting(&format!("{knob}={v}"))
                    .map(|(_, value)| (v.to_string(), value))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if values.is_empty() {
            return Err(format!("`{text}` gives `{knob}` no values"));
        }
        Ok(Axis {
            knob: knob.to_string(),
            values,
        })
    }
}

/// How a cell sums up the runs of its seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Across {
    #[default]
    Median,
    Mean,
    Min,
    Max,
}

impl Across {
    pub const ALL: [(&'static str, Across); 4] = [
        ("median", Across::Median),
        ("mean", Across::Mean),
        ("min", Across::Min),
        ("max", Across::Max),
    ];

    pub fn parse(name: &str) -> Option<Across> {
        Across::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
    }

    pub fn name(self) -> &'static str {
        Across::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("median", |(n, _)| n)
    }

    /// The runs' values summed up; `None` when no run gave one.
    pub fn of(self, mut v: Vec<f64>) -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(match self {
            Across::Median => median(v)?,
            Across::Mean => v.iter().sum::<f64>() / v.len() as f64,
            Across::Min => v[0],
            Across::Max => v[v.len() - 1],
        })
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Sweep {
    pub vary: Axis,
    pub compare: Option<Axis>,
    /// Other knob settings, the same in every run.
    pub settings: Vec<(String, KnobValue)>,
    pub metric: String,
    pub stat: Stat,
    /// The window measured; the whole run when `None`.
    pub window: Option<(Time, Time)>,
    pub seeds: Vec<u64>,
    /// How each cell sums up its seeds' runs.
    pub across: Across,
}

/// The result: `cells[row][col]` is the metric for the row's value of
/// `vary` and the column's value of `compare`, over the seeds' runs.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepTable {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Vec<Option<f64>>>,
    /// `measured[row][col]`: how many of the cell's runs gave the metric a
    /// value (a histogram with no sample in the window gives none).
    pub measured: Vec<Vec<usize>>,
}

impl Sweep {
    /// The statistic that fits a metric when none is asked for: a counter's
    /// rate, a gauge's time-weighted mean, a histogram's median.
    pub fn default_stat(kind: MetricKind) -> Stat {
        match kind {
            MetricKind::Counter => Stat::Rate,
            MetricKind::Gauge => Stat::Mean,
            MetricKind::Histogram => Stat::P50,
        }
    }

    /// Runs every cell on up to `threads` threads. Each run is deterministic,
    /// so the table does not depend on how many there are.
    pub fn run(&self, lesson: &Lesson, threads: usize) -> Result<SweepTable, String> {
        self.run_telling(lesson, threads, &|_| {})
    }

    /// The virtual time all the runs of [`Sweep::run`] go through together.
    pub fn work(&self, lesson: &Lesson) -> Time {
        let cols = self.compare.as_ref().map_or(1, |c| c.values.len());
        let runs = (self.vary.values.len() * cols * self.seeds.len()) as u64;
        let to = self.window.map_or(lesson.length, |w| w.1);
        Time(to.as_micros().saturating_mul(runs))
    }

    /// [`Sweep::run`], telling `done` of each slice of virtual time a run
    /// has gone through (from any of the threads), for a progress display.
    pub fn run_telling(
        &self,
        lesson: &Lesson,
        threads: usize,
        done: &(dyn Fn(Time) + Sync),
    ) -> Result<SweepTable, String> {
        let mut pinned = vec![self.vary.knob.as_str()];
        if let Some(c) = &self.compare {
            pinned.push(c.knob.as_str());
        }
        let lesson = Arc::new(lesson.pinning(&pinned));
        let cols: Vec<Option<&(String, KnobValue)>> = match &self.compare {
            Some(c) => c.values.iter().map(Some).collect(),
            None => vec![None],
        };
        // Every (row, col, seed) is one job.
        let mut jobs = Vec::new();
        for (r, row) in self.vary.values.iter().enumerate() {
            for (c, col) in cols.iter().enumerate() {
                for &seed in &self.seeds {
                    let mut settings = self.settings.clone();
                    settings.push((self.vary.knob.clone(), row.1.clone()));
                    if let (Some(axis), Some(col)) = (&self.compare, col) {
                        settings.push((axis.knob.clone(), col.1.clone()));
                    }
                    jobs.push((r, c, seed, settings));
                }
            }
        }
        let (from, to) = self.window.unwrap_or((Time::ZERO, lesson.length));
        let measure =
            |seed: u64, settings: &[(String, KnobValue)]| -> Result<Option<f64>, String> {
                let mut run = Run::new(lesson.clone(), seed, settings, false)?;
                run.set_checkpointing(false);
                let mut told = Time::ZERO;
                run.advance_in_slices(to, super::SLICE, |r| {
                    done(r.now() - told);
                    told = r.now();
                    Ok(())
                })?;
                Ok(run
                    .cluster()
                    .metrics()
                    .query(&self.metric, self.stat, from, to))
            };
        let threads = threads.clamp(1, jobs.len().max(1));
        let results: Vec<Result<Option<f64>, String>> = std::thread::scope(|scope| {
            let chunks: Vec<_> = (0..threads)
                .map(|t| {
                    let jobs = &jobs;
                    let measure = &measure;
                    scope.spawn(move || {
                        jobs.iter()
                            .enumerate()
                            .filter(|(i, _)| i % threads == t)
                            .map(|(i, (_, _, seed, settings))| (i, measure(*seed, settings)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut all: Vec<_> = chunks
                .into_iter()
                .flat_map(|h| h.join().expect("a sweep thread panicked"))
                .collect();
            all.sort_by_key(|(i, _)| *i);
            all.into_iter().map(|(_, r)| r).collect()
        });
        let mut samples = vec![vec![Vec::new(); cols.len()]; self.vary.values.len()];
        for ((r, c, _, _), result) in jobs.iter().zip(results) {
            if let Some(v) = result? {
                samples[*r][*c].push(v);
            }
        }
        let measured = samples
            .iter()
            .map(|row| row.iter().map(Vec::len).collect())
            .collect();
        let cells = samples
            .into_iter()
            .map(|row| row.into_iter().map(|v| self.across.of(v)).collect())
            .collect();
        Ok(SweepTable {
            rows: self.vary.values.iter().map(|v| v.0.clone()).collect(),
            cols: match &self.compare {
                Some(c) => c.values.iter().map(|v| v.0.clone()).collect(),
                None => vec![self.metric.clone()],
            },
            cells,
            measured,
        })
    }
}

/// How far ahead the best column must be to count as ahead: 2%.
pub const MARGIN: f64 = 0.02;

/// The median of values sorted in ascending order.
fn median(v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Which way a metric is better, and why the sweep thinks so.
#[derive(Clone, Debug, PartialEq)]
pub enum Better {
    Higher,
    /// Lower, for the reason given ("the objective x bounds it from above").
    Lower(String),
}

impl Better {
    /// Lower when an objective of the lesson bounds the metric from above
    /// (`updates.lost ≤ 0`) or it is a statistic of durations (a latency's
    /// p99); higher when an objective bounds it from below, and otherwise.
    pub fn of(lesson: &Lesson, metric: &str, stat: Stat) -> Better {
        use super::Comparison::*;
        let histogram = (lesson.scenario.metrics)(&lesson.nodes)
            .iter()
            .any(|m| m.name == metric && m.kind == MetricKind::Histogram);
        let bound = lesson.objectives.iter().find_map(|o| {
            o.conditions
                .iter()
                .find(|c| c.over.is_none() && c.metrics.iter().any(|m| m == metric))
                .map(|c| (o.id.as_str(), c.op))
        });
        match bound {
            Some((id, Below | AtMost)) => {
                Better::Lower(format!("the objective {id} bounds it from above"))
            }
            Some((_, Above | AtLeast | Equals)) => Better::Higher,
            None if histogram && stat != Stat::Count => {
                Better::Lower("its samples are durations".into())
            }
            None => Better::Higher,
        }
    }
}

impl SweepTable {
    /// For each row, the column with the highest value, if it leads every
    /// other by more than [`MARGIN`]; `None` when two are that close (noise
    /// could swap them) or there is no data.
    pub fn best(&self) -> Vec<Option<usize>> {
        self.best_by(&Better::Higher)
    }

    /// [`SweepTable::best`], the best being the lowest when `better` says so.
    pub fn best_by(&self, better: &Better) -> Vec<Option<usize>> {
        let lower = matches!(better, Better::Lower(_));
        self.cells
            .iter()
            .map(|row| {
                let mut values: Vec<(usize, f64)> = row
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .collect();
                values.sort_by(|a, b| {
                    if lower {
                        a.1.total_cmp(&b.1)
                    } else {
                        b.1.total_cmp(&a.1)
                    }
                });
                match values.as_slice() {
                    [] => None,
                    [only] => Some(only.0),
                    [first, second, ..] => {
                        let scale = first.1.abs().max(second.1.abs());
                        let close = (first.1 - second.1).abs() <= MARGIN * scale;
                        (!close).then_some(first.0)
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_is_the_same_on_one_thread_or_many_and_pins_its_knobs() {
        let cat = crate::lesson::Catalog::embedded().unwrap();
        let lesson = cat.get("failover").unwrap();
        let sweep = Sweep {
            vary: Axis::parse(&lesson, "write_rate=20,40").unwrap(),
            compare: Some(Axis::parse(&lesson, "replication=async,quorum").unwrap()),
            settings: Vec::new(),
            metric: "writes.acked".into(),
            stat: Stat::Count,
            window: Some((Time::secs(15), Time::secs(25))),
            seeds: vec![3, 4, 5],
            across: Across::Median,
        };
        let one = sweep.run(&lesson, 1).unwrap();
        assert_eq!(one, sweep.run(&lesson, 3).unwrap());
        // Two clients at 20 writes a second for 10 s, the scripted burst at
        // 19 s pinned away: about 400 acknowledged, not thousands.
        let async_20 = one.cells[0][0].unwrap();
        assert!((300.0..=420.0).contains(&async_20), "{one:?}");
        assert!(one.cells[1][0].unwrap() > 1.5 * async_20, "{one:?}");
    }

    #[test]
    fn lost_writes_and_latencies_are_better_low_and_the_best_column_follows() {
        let cat = crate::lesson::Catalog::embedded().unwrap();
        let failover = cat.get("failover").unwrap();
        let lower = |m: &str, stat| matches!(Better::of(&failover, m, stat), Better::Lower(_));
        assert!(lower("writes.acked_lost", Stat::Count));
        assert!(lower("writes.latency", Stat::P99));
        assert!(!lower("writes.latency", Stat::Count));
        assert!(!lower("writes.acked", Stat::Count));
        let t = SweepTable {
            rows: vec!["async".into(), "quorum".into()],
            cols: vec!["off".into(), "on".into()],
            cells: vec![
                vec![Some(3640.0), Some(2238.0)],
                vec![Some(2986.0), Some(0.0)],
            ],
            measured: vec![vec![8, 8]; 2],
        };
        assert_eq!(t.best(), vec![Some(0), Some(0)]);
        let by = Better::Lower(String::new());
        assert_eq!(t.best_by(&by), vec![Some(1), Some(1)]);
    }

    #[test]
    fn medians_of_odd_and_even_counts_and_the_other_summaries() {
        let m = Across::Median;
        assert_eq!(m.of(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(m.of(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(m.of(vec![]), None);
        assert_eq!(Across::Mean.of(vec![4.0, 1.0, 1.0]), Some(2.0));
        assert_eq!(Across::Min.of(vec![4.0, 1.0, 2.0]), Some(1.0));
        assert_eq!(Across::Max.of(vec![4.0, 1.0, 2.0]), Some(4.0));
        assert_eq!(Across::parse("max"), Some(Across::Max));
        assert_eq!(Across::parse("p99"), None);
    }

    #[test]
    fn the_best_column_of_each_row() {
        let t = SweepTable {
            rows: vec!["1".into(), "2".into(), "3".into(), "4".into(), "5".into()],
            cols: vec!["a".into(), "b".into()],
            measured: Vec::new(),
            cells: vec![
                vec![Some(2.0), Some(1.0)],
                vec![Some(1.0), Some(1.0)],
                vec![None, Some(0.5)],
                vec![Some(100.0), Some(101.0)],
                vec![Some(100.0), Some(103.0)],
            ],
        };
        assert_eq!(t.best(), vec![Some(0), None, Some(1), None, Some(1)]);
    }
}

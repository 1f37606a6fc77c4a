//! Panels: the views of a run a scenario asks the interface to draw, in
//! generic kinds (state timelines, gauges, rates, latencies, totals, node
//! tables, lock tables, wait-for graphs, contention, spans), so that the
//! interface needs no code for a particular lesson.

use super::spec::MetricSpec;
use crate::sim::MetricKind;

/// A view of a run the interface can draw without knowing the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    /// A gauge's value over time as bands, each value named (e.g. breaker
    /// states) and given a tone that says whether it is good news.
    StateTimeline {
        title: String,
        metric: String,
        states: Vec<(f64, &'static str, Tone)>,
    },
    /// Gauges' current values and history, e.g. pool occupancy; `max` scales bars.
    Gauges {
        title: String,
        metrics: Vec<(String, String)>,
        max: Option<f64>,
    },
    /// Counters as rates over time, e.g. successes, degraded and failures per second.
    Rates {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// Latency histograms as p50 / p99 / max.
    Latencies {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// Counter totals, e.g. acknowledged writes lost.
    Totals {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// One row per node with these of its facts as columns.
    NodeTable {
        title: String,
        columns: Vec<&'static str>,
    },
    /// Every lock the nodes keep ([`crate::sim::LockView`]): its holders, its
    /// waiters in line with how long each has waited, and its note.
    LockTable { title: String },
    /// The wait-for graph of those locks (who waits for whom), with a cycle,
    /// a deadlock, marked.
    WaitFor { title: String },
    /// For each named lock, the share of the time it was held and the share
    /// it had someone waiting, from its gauges ([`lock_held_metric`],
    /// [`lock_waiting_metric`]) over the window.
    Contention { title: String, locks: Vec<String> },
    /// Gauges drawn as bars over time wherever they are above zero, each
    /// stretch labelled with its value: leases with their fencing tokens, say.
    Spans {
        title: String,
        metrics: Vec<(String, String)>,
    },
    /// Every queue the nodes keep ([`crate::sim::QueueView`]): how many
    /// messages wait and since when, which are out with which consumer and
    /// for how much longer, and what each dead-letter queue holds.
    Queues { title: String },
    /// An append-only log or stream: its length (the gauge `head`, the
    /// offset the next entry gets) and each reader's position along it
    /// (gauges: a projection, a consumer, a rebuild, a snapshot; a negative
    /// position is a reader not running, or no snapshot yet), drawn as bars over the offsets
    /// with each reader's lag; and the newest entries, as the node that keeps
    /// the log lists them among its facts: one fact each, all named
    /// `entries`, newest first.
    Stream {
        title: String,
        head: String,
        readers: Vec<(String, String)>,
        entries: Option<&'static str>,
    },
}

/// The gauge a scenario keeps of how many hold lock `name` (see [`Panel::Contention`]).
pub fn lock_held_metric(name: &str) -> String {
    format!("lock.{name}.held")
}

/// The gauge a scenario keeps of how many wait for lock `name`.
pub fn lock_waiting_metric(name: &str) -> String {
    format!("lock.{name}.waiting")
}

/// The two gauges of each lock in `names`, declared for a [`Panel::Contention`].
pub fn lock_metric_specs(names: &[&str]) -> Vec<MetricSpec> {
    names
        .iter()
        .flat_map(|n| {
            [
                MetricSpec::new(
                    lock_held_metric(n),
                    MetricKind::Gauge,
                    format!("How many hold lock {n}."),
                ),
                MetricSpec::new(
                    lock_waiting_metric(n),
                    MetricKind::Gauge,
                    format!("How many wait for lock {n}."),
                ),
            ]
        })
        .collect()
}

/// How a state reads: the interface gives each tone its own colour and glyph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Working as it should.
    Good,
    /// Protecting itself, or on its way back: worth a look.
    Warn,
    /// Failing, or the failure the lesson is about.
    Bad,
    /// Neither: a mechanism switched off, say.
    Neutral,
}

/// Metric names with the labels a panel shows them under.
pub fn labelled(metrics: &[(&str, &str)]) -> Vec<(String, String)> {
    metrics
        .iter()
        .map(|(m, l)| (m.to_string(), l.to_string()))
        .collect()
}

impl Panel {
    /// Gauges with their current values and history, bars scaled to the largest.
    pub fn gauges(title: &str, metrics: &[(&str, &str)]) -> Panel {
        Panel::Gauges {
            title: title.into(),
            metrics: labelled(metrics),
            max: None,
        }
    }

    /// Counters as rates over time.
    pub fn rates(title: &str, metrics: &[(&str, &str)]) -> Panel {
        Panel::Rates {
            title: title.into(),
            metrics: labelled(metrics),
        }
    }

    /// Latency histograms as p50 / p99 / max.
    pub fn latencies(title: &str, metrics: &[(&str, &str)]) -> Panel {
        Panel::Latencies {
            title: title.into(),
            metrics: labelled(metrics),
        }
    }

    /// A log with its readers' positions and its newest entries (the facts
    /// with the name `entries`, if given).
    pub fn stream(
        title: &str,
        head: &str,
        readers: &[(&str, &str)],
        entries: Option<&'static str>,
    ) -> Panel {
        Panel::Stream {
            title: title.into(),
            head: head.into(),
            readers: labelled(readers),
            entries,
        }
    }

    /// Counter totals.
    pub fn totals(title: &str, metrics: &[(&str, &str)]) -> Panel {
        Panel::Totals {
            title: title.into(),
            metrics: labelled(metrics),
        }
    }
}

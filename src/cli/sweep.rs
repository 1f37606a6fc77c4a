//! `splitbrain sweep`: a lesson run headless over the values of one knob
//! (and each value of a second), one metric tabulated: where does one
//! setting overtake another?

use super::{catalog, find_lesson, note_scripted, settings};
use crate::lesson::Lesson;
use crate::sim::{Stat, Time};
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The lesson's id (see `splitbrain list`).
    pub lesson: String,
    /// The knob to vary and its values, one row each, e.g. clients=1,2,4,8.
    #[arg(long, value_name = "KNOB=V1,V2,...")]
    pub vary: String,
    /// A second knob, one column per value, e.g. strategy=optimistic,pessimistic.
    #[arg(long, value_name = "KNOB=A,B,...")]
    pub compare: Option<String>,
    /// What to measure: a metric, optionally with a statistic, e.g.
    /// increments.done:rate or lock.wait:p99 (a counter's rate, a gauge's
    /// mean and a histogram's p50 when left out).
    #[arg(long, value_name = "METRIC[:STAT]")]
    pub metric: String,
    /// Measures only during this phase of the lesson (the whole run when left out).
    #[arg(long, value_name = "PHASE")]
    pub during: Option<String>,
    /// Sets another knob at the start of every run (the script may change it later).
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// The first seed; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// How many seeds to run each cell with (consecutive from --seed); a cell shows their median.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub seeds: u64,
    /// How a cell sums up its seeds' runs: median, mean, min or max (e.g.
    /// the worst case over many trials).
    #[arg(long, default_value = "median", value_name = "HOW")]
    pub across: String,
    /// Prints one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also draws the table as a chart into FILE (SVG): a line per compared
    /// value over the varied knob, where the lead changes marked.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Builds the sweep `args` asks for, checking every name against the lesson.
pub fn sweep_spec(lesson: &Lesson, args: &SweepArgs) -> Result<crate::lesson::Sweep, String> {
    use crate::lesson::{Axis, Sweep};
    let vary = Axis::parse(lesson, &args.vary)?;
    let compare = args
        .compare
        .as_deref()
        .map(|c| Axis::parse(lesson, c))
        .transpose()?;
    if compare.as_ref().is_some_and(|c| c.knob == vary.knob) {
        return Err(format!(
            "--vary and --compare both name `{}`: compare another knob",
            vary.knob
        ));
    }
    let settings = settings(lesson, &args.settings)?;
    let (metric, stat) = match args.metric.split_once(':') {
        Some((m, s)) => (m.trim(), Some(s.trim())),
        None => (args.metric.trim(), None),
    };
    let kind = (lesson.scenario.metrics)(&lesson.nodes)
        .into_iter()
        .find(|m| m.name == metric)
        .map(|m| m.kind)
        .ok_or_else(|| {
            format!(
                "lesson `{}` records no metric `{metric}` (see `splitbrain show {}`)",
                lesson.id, lesson.id
            )
        })?;
    let stat = match stat {
        None => Sweep::default_stat(kind),
        Some(s) => {
            let stat = Stat::parse(s).ok_or_else(|| {
                let names: Vec<&str> = Stat::ALL.iter().map(|(n, _)| *n).collect();
                format!("`{s}` is not a statistic; use one of {}", names.join(", "))
            })?;
            if !stat.applies_to(kind) {
                return Err(format!("`{s}` does not apply to {metric}, a {kind}"));
            }
            stat
        }
    };
    let window = match &args.during {
        None => None,
        Some(p) => {
            let phase = lesson.phase(p).ok_or_else(|| {
                let names: Vec<&str> = lesson.phases.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "lesson `{}` has no phase `{p}`; its phases are: {}",
                    lesson.id,
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            })?;
            Some((phase.from, phase.to))
        }
    };
    let across = crate::lesson::Across::parse(args.across.trim()).ok_or_else(|| {
        let names: Vec<&str> = crate::lesson::Across::ALL.iter().map(|(n, _)| *n).collect();
        format!(
            "`--across {}`: a cell sums up its runs with one of {}",
            args.across,
            names.join(", ")
        )
    })?;
    let first = args.seed.unwrap_or(lesson.seed);
    Ok(Sweep {
        vary,
        compare,
        settings,
        metric: metric.to_string(),
        stat,
        window,
        seeds: (0..args.seeds).map(|i| first.wrapping_add(i)).collect(),
        across,
    })
}

pub fn sweep(dir: Option<&Path>, args: &SweepArgs) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, &args.lesson)?;
    let spec = sweep_spec(&lesson, args)?;
    let mut held = vec![spec.vary.knob.as_str()];
    held.extend(spec.compare.as_ref().map(|c| c.knob.as_str()));
    note_scripted(&lesson, &spec.settings, &held);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bar = super::bar::Bar::new(format!("sweep {}", lesson.id), spec.work(&lesson));
    let table = spec.run_telling(&lesson, threads, &|t| bar.add(t))?;
    bar.finish();
    if let Some(path) = &args.svg {
        super::pictures::write(path, &crate::ui::plot::sweep_chart(&lesson, &spec, &table)?)?;
    }
    let out = if args.json {
        sweep_json(&lesson, &spec, &table)
    } else {
        sweep_text(&lesson, &spec, &table)
    };
    super::out::print(&out)?;
    Ok(())
}

fn sweep_window(lesson: &Lesson, spec: &crate::lesson::Sweep) -> (Time, Time) {
    spec.window.unwrap_or((Time::ZERO, lesson.length))
}

/// The table as text: a row per value of the varied knob, a column (value
/// and bar) per compared value, the best column named at the end of each
/// row, and where the best changes.
pub fn sweep_text(
    lesson: &Lesson,
    spec: &crate::lesson::Sweep,
    table: &crate::lesson::SweepTable,
) -> String {
    const BAR: usize = 12;
    let mut out = String::new();
    let (from, to) = sweep_window(lesson, spec);
    let seeds = match spec.seeds.as_slice() {
        [one] => format!("seed {one}"),
        many => format!(
            "{} of {} seeds from {}",
            spec.across.name(),
            many.len(),
            many.first().copied().unwrap_or(0)
        ),
    };
    let _ = writeln!(
        out,
        "{}: {} {} from {from} to {to}, {seeds}",
        lesson.id,
        spec.metric,
        spec.stat.name()
    );
    for (k, v) in &spec.settings {
        let _ = writeln!(out, "  with {k}={v}");
    }
    let _ = writeln!(out);
    let top = table
        .cells
        .iter()
        .flatten()
        .flatten()
        .fold(0.0f64, |a, &b| a.max(b));
    let durations = is_duration(lesson, spec);
    let fmt = |v: Option<f64>| match v {
        None => "–".to_string(),
        Some(v) if durations => Time(v.round() as u64).to_string(),
        Some(v) => format!("{v:.1}"),
    };
    let num_w = table
        .cells
        .iter()
        .flatten()
        .map(|v| fmt(*v).len())
        .max()
        .unwrap_or(1);
    let col_w = table
        .cols
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(num_w + 1 + BAR);
    let row_w = table
        .rows
        .iter()
        .map(|r| r.chars().count())
        .chain([spec.vary.knob.chars().count()])
        .max()
        .unwrap_or(1);
    let _ = write!(out, "{:>row_w$}", spec.vary.knob);
    for c in &table.cols {
        let _ = write!(out, "  {c:<col_w$}");
    }
    let compared = table.cols.len() > 1;
    if compared {
        let _ = write!(out, "  best");
    }
    let _ = writeln!(out);
    let better = crate::lesson::Better::of(lesson, &spec.metric, spec.stat);
    let best = table.best_by(&better);
    for ((row, cells), best) in table.rows.iter().zip(&table.cells).zip(&best) {
        let _ = write!(out, "{row:>row_w$}");
        for v in cells {
            let filled = match (*v, top > 0.0) {
                (Some(v), true) => ((v / top) * BAR as f64).round() as usize,
                _ => 0,
            };
            let cell = format!(
                "{:>num_w$} {}{}",
                fmt(*v),
                "█".repeat(filled),
                "·".repeat(BAR - filled.min(BAR))
            );
            let _ = write!(out, "  {cell:<col_w$}");
        }
        if compared {
            let name = best.map_or("≈ (within 2%)", |b| table.cols[b].as_str());
            let _ = write!(out, "  {name}");
        }
        let end = out.trim_end_matches(' ').len();
        out.truncate(end);
        let _ = writeln!(out);
    }
    if compared {
        // Where the leader changes, skipping rows too close to call.
        let leaders: Vec<(usize, usize)> = best
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| (i, b)))
            .collect();
        let mut notes = Vec::new();
        for pair in leaders.windows(2) {
            let ((i, a), (j, b)) = (pair[0], pair[1]);
            if a != b {
                notes.push(format!(
                    "{} overtakes {} between {k}={} and {k}={}.",
                    table.cols[b],
                    table.cols[a],
                    table.rows[i],
                    table.rows[j],
                    k = spec.vary.knob
                ));
            }
        }
        if notes.is_empty()
            && let Some(&(_, b)) = leaders.first()
            && leaders.len() == best.len()
        {
            notes.push(format!("{} is ahead at every value.", table.cols[b]));
        }
        if let crate::lesson::Better::Lower(why) = &better {
            notes.insert(0, format!("Lower is better: {why}."));
        }
        if !notes.is_empty() {
            let _ = writeln!(out);
            for n in notes {
                let _ = writeln!(out, "{n}");
            }
        }
    }
    // Cells some of whose runs gave no value (no sample in the window).
    let runs = spec.seeds.len();
    let mut short = Vec::new();
    for (r, row) in table.measured.iter().enumerate() {
        for (c, &n) in row.iter().enumerate() {
            if n < runs {
                let at = if compared {
                    format!("{}={} {}", spec.vary.knob, table.rows[r], table.cols[c])
                } else {
                    format!("{}={}", spec.vary.knob, table.rows[r])
                };
                short.push(format!("{at}: {n} of {runs}"));
            }
        }
    }
    if !short.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "Runs that gave {} a value: {}.",
            spec.metric,
            short.join(", ")
        );
    }
    out
}

/// Whether the cells are durations: a statistic of a histogram's samples
/// other than their count.
fn is_duration(lesson: &Lesson, spec: &crate::lesson::Sweep) -> bool {
    let kind = (lesson.scenario.metrics)(&lesson.nodes)
        .into_iter()
        .find(|m| m.name == spec.metric)
        .map(|m| m.kind);
    kind == Some(crate::sim::MetricKind::Histogram) && spec.stat != Stat::Count
}

pub fn sweep_json(
    lesson: &Lesson,
    spec: &crate::lesson::Sweep,
    table: &crate::lesson::SweepTable,
) -> String {
    use serde_json::json;
    let (from, to) = sweep_window(lesson, spec);
    let rows: Vec<_> = table
        .rows
        .iter()
        .zip(&table.cells)
        .map(|(r, cells)| {
            let values: serde_json::Map<String, serde_json::Value> = table
                .cols
                .iter()
                .zip(cells)
                .map(|(c, v)| (c.clone(), json!(v)))
                .collect();
            json!({ "value": r, "cells": values })
        })
        .collect();
    let measured: Vec<_> = table
        .rows
        .iter()
        .zip(&table.measured)
        .map(|(r, counts)| {
            let counts: serde_json::Map<String, serde_json::Value> = table
                .cols
                .iter()
                .zip(counts)
                .map(|(c, n)| (c.clone(), json!(n)))
                .collect();
            json!({ "value": r, "runs_with_a_value": counts })
        })
        .collect();
    let obj = json!({
        "lesson": lesson.id,
        "metric": spec.metric,
        "stat": spec.stat.name(),
        "from_ms": from.as_millis_f64(),
        "to_ms": to.as_millis_f64(),
        "seeds": spec.seeds,
        "across": spec.across.name(),
        "better": match crate::lesson::Better::of(lesson, &spec.metric, spec.stat) {
            crate::lesson::Better::Higher => "higher",
            crate::lesson::Better::Lower(_) => "lower",
        },
        "unit": if is_duration(lesson, spec) { "us" } else { "" },
        "vary": spec.vary.knob,
        "compare": spec.compare.as_ref().map(|c| c.knob.clone()),
        "rows": rows,
        "measured": measured,
    });
    let mut s = serde_json::to_string_pretty(&obj).expect("JSON of plain values");
    s.push('\n');
    s
}

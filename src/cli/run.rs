//! `splitbrain run`: a lesson run headless with its script (or a recorded
//! session replayed), then its metrics and objectives as text or JSON.

use super::bar::{self, Bar};
use super::{catalog, errors_text, find_lesson, note_scripted, out, parse_duration, settings};
use crate::lesson::{
    JsonStep, Lesson, RECORDING_LIMIT, ReplayError, Run, Status, parse_recording, position,
    read_source,
};
use crate::sim::{MetricKind, Stat, Time};
use crate::ui::text::report_number;
use std::fmt::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The lesson's id (see `splitbrain list`).
    pub lesson: String,
    /// Seed of the run's randomness; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// How much virtual time to run, e.g. 90s, 1500ms, 2m (the lesson's length when left out).
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Time>,
    /// Sets a knob at the start, e.g. --set timeout=250ms (the script may change it later).
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// Prints every event, one a line.
    #[arg(long)]
    pub trace: bool,
    /// Prints one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Plays a session recorded with `splitbrain lesson --record FILE`: its
    /// seed, knobs and inputs (runs to where it stopped unless --for says).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["seed", "settings"])]
    pub replay: Option<PathBuf>,
    /// Also draws the run's rates, totals and latencies over time into FILE
    /// (SVG): the series of the lesson's metrics pane.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

pub fn run(dir: Option<&Path>, args: &RunArgs) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, &args.lesson)?;
    let recording = args
        .replay
        .as_deref()
        .map(|p| read_recording(p, &lesson))
        .transpose()?;
    let until = args
        .duration
        .or(recording.as_ref().map(|(_, _, r)| r.until))
        .unwrap_or(lesson.length);
    let mut out = out::Stdout::new();
    // A text trace is written as the run goes, not kept to the end.
    let stream = args.trace && !args.json;
    let bar = if stream {
        Bar::hidden()
    } else {
        Bar::new(format!("run {}", lesson.id), until)
    };
    let mut each = |run: &mut Run| -> Result<(), String> {
        bar.set(run.now());
        if stream {
            for line in run.take_trace_lines() {
                out.write(&line)?;
                out.write("\n")?;
            }
        }
        Ok(())
    };
    let mut run = match &recording {
        Some((path, text, r)) => {
            let knobs: Vec<_> = r.knobs.clone().into_iter().collect();
            let mut run = Run::new(lesson.clone(), r.seed, &knobs, args.trace)?;
            run.set_checkpointing(false);
            // Inputs after where the run is to stop are not played.
            let mut log = r.log.clone();
            log.inputs.retain(|i| i.at <= until);
            run.replay_in_slices(&log, bar::SLICE, &mut each)
                .map_err(|e| replay_error(path, text, e))?;
            run
        }
        None => {
            let settings = settings(&lesson, &args.settings)?;
            note_scripted(&lesson, &settings, &[]);
            let seed = args.seed.unwrap_or(lesson.seed);
            let mut run = Run::new(lesson.clone(), seed, &settings, args.trace)?;
            run.set_checkpointing(false);
            run
        }
    };
    run.advance_in_slices(until, bar::SLICE, &mut each)?;
    bar.finish();
    if let Some(path) = &args.svg {
        super::pictures::write(path, &crate::ui::plot::run_chart(&run)?)?;
    }
    if args.json {
        out.write(&report_json(&run, args.trace))?;
    } else {
        if stream {
            for line in run.take_trace_lines() {
                out.write(&line)?;
                out.write("\n")?;
            }
            out.write("\n")?;
        }
        out.write(&report_text(&run, false))?;
    }
    out.finish()
}

/// A recording read and checked against `lesson`, with its path and text
/// (for placing errors found while it replays).
fn read_recording(
    path: &Path,
    lesson: &Lesson,
) -> Result<(String, String, crate::lesson::Recording), String> {
    let label = path.display().to_string();
    let text = read_source(path, RECORDING_LIMIT).map_err(|e| e.to_string())?;
    let r = parse_recording(&label, &text, lesson).map_err(|e| errors_text(&e))?;
    Ok((label, text, r))
}

fn replay_error(path: &str, text: &str, e: ReplayError) -> String {
    match e {
        ReplayError::Events { index, .. } => position(
            path,
            text,
            &[
                JsonStep::Key("log".into()),
                JsonStep::Key("inputs".into()),
                JsonStep::Index(index),
                JsonStep::Key("after_events".into()),
            ],
            e.to_string(),
        )
        .to_string(),
        other => other.to_string(),
    }
}

/// Every metric as one line of text.
fn metric_lines(run: &Run) -> Vec<(String, String)> {
    let m = run.cluster().metrics();
    let now = run.now();
    let mut names: Vec<&str> = m.names().collect();
    names.sort_unstable();
    names
        .into_iter()
        .map(|name| {
            let text = match m.kind(name) {
                Some(MetricKind::Counter) => format!("{}", m.total(name)),
                Some(MetricKind::Gauge) => match m.current(name) {
                    Some(v) => {
                        let max = m
                            .query(name, Stat::Max, Time::ZERO, now + Time(1))
                            .unwrap_or(v);
                        format!("now {} max {}", report_number(v), report_number(max))
                    }
                    None => "no data".into(),
                },
                _ => {
                    let q = |s| m.query(name, s, Time::ZERO, now + Time(1));
                    match (q(Stat::P50), q(Stat::P99), q(Stat::Max)) {
                        (Some(a), Some(b), Some(c)) => format!(
                            "p50 {} p99 {} max {} (n={})",
                            Time(a as u64),
                            Time(b as u64),
                            Time(c as u64),
                            m.total(name)
                        ),
                        _ => "no samples".into(),
                    }
                }
            };
            (name.to_string(), text)
        })
        .collect()
}

pub fn report_text(run: &Run, trace: bool) -> String {
    let lesson = run.lesson();
    let mut out = String::new();
    if trace {
        for line in run.trace_lines() {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "lesson {}  seed {}  virtual time {}  events {}",
        lesson.id,
        run.seed(),
        run.now(),
        run.cluster().processed()
    );
    let knobs: Vec<String> = lesson
        .knobs
        .iter()
        .map(|k| {
            format!(
                "{}={}",
                k.name,
                run.initial_knobs().get(&k.name).unwrap_or(&k.default)
            )
        })
        .collect();
    let _ = writeln!(out, "knobs: {}", knobs.join(" "));
    let _ = writeln!(out, "\nmetrics:");
    let lines = metric_lines(run);
    let w = lines.iter().map(|l| l.0.len()).max().unwrap_or(0);
    for (name, text) in lines {
        let _ = writeln!(out, "  {name:<w$}  {text}");
    }
    let _ = writeln!(out, "\nobjectives:");
    for (o, v) in lesson.objectives.iter().zip(run.verdicts()) {
        let mark = match v.status {
            Status::Met => "[met]    ",
            Status::Failed => "[FAILED] ",
            Status::Pending => "[pending]",
        };
        let _ = writeln!(out, "  {mark} {}: {}", o.id, o.description);
        for d in v.details {
            let _ = writeln!(out, "              {d}");
        }
    }
    out
}

pub fn report_json(run: &Run, trace: bool) -> String {
    use serde_json::{Map, Value, json};
    let m = run.cluster().metrics();
    let now = run.now();
    let mut metrics = Map::new();
    let mut names: Vec<&str> = m.names().collect();
    names.sort_unstable();
    for name in names {
        let all = |s| m.query(name, s, Time::ZERO, now + Time(1));
        let v = match m.kind(name) {
            Some(MetricKind::Counter) => json!({ "kind": "counter", "total": m.total(name) }),
            Some(MetricKind::Gauge) => json!({
                "kind": "gauge", "current": m.current(name), "max": all(Stat::Max), "min": all(Stat::Min),
            }),
            _ => json!({
                "kind": "histogram", "count": m.total(name),
                "p50_us": all(Stat::P50), "p99_us": all(Stat::P99), "max_us": all(Stat::Max), "mean_us": all(Stat::Mean),
            }),
        };
        metrics.insert(name.to_string(), v);
    }
    let objectives: Vec<Value> = run
        .lesson()
        .objectives
        .iter()
        .zip(run.verdicts())
        .map(|(o, v)| {
            json!({
                "id": o.id, "description": o.description, "passed": v.status == Status::Met,
                "status": v.status.name(), "from_ms": o.window.from.as_millis_f64(), "to_ms": o.window.to.as_millis_f64(),
                "details": v.details,
            })
        })
        .collect();
    let knobs: Map<String, Value> = run
        .initial_knobs()
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
        .collect();
    let mut obj = json!({
        "lesson": run.lesson().id,
        "seed": run.seed(),
        "virtual_time_ms": now.as_millis_f64(),
        "events": run.cluster().processed(),
        "knobs": knobs,
        "metrics": metrics,
        "objectives": objectives,
    });
    if trace {
        obj["trace"] = Value::Array(run.trace_lines().map(Value::String).collect());
    }
    let mut s = serde_json::to_string_pretty(&obj).expect("JSON of plain values");
    s.push('\n');
    s
}

//! The commands: the playground, `lesson`, `list`, `show`, `run`, `sweep`, `shot` and `check`.

use crate::lesson::{Catalog, Lesson, Run, SourceError, Status, lesson_files, load_file};
use crate::sim::{MetricKind, Stat, Time};
use crate::ui::text::report_number;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args, Debug, Default)]
pub struct LessonArgs {
    /// The lesson's id (see `splitbrain list`); the lesson picker when left out.
    pub lesson: Option<String>,
    /// Seed of the run's randomness; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sets a knob at the start, e.g. --set breaker=on.
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// On quitting, writes the session (seed, knobs, every input) to FILE,
    /// for `splitbrain run <LESSON> --replay FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

#[derive(clap::Args, Clone, Debug)]
pub struct ShotArgs {
    /// The lesson's id; the lesson picker when left out.
    pub lesson: Option<String>,
    /// Seed of the run's randomness; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The virtual instant to draw, e.g. 45s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s")]
    pub at: Time,
    /// The screen's size in cells.
    #[arg(long, value_name = "COLSxROWS", value_parser = parse_size, default_value = "120x40")]
    pub size: (u16, u16),
    /// Sets a knob, e.g. --set breaker=on.
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// Keys to press at that instant, e.g. "3c" or "k<Down>" (<Tab> <Enter> <Esc> <Up>…).
    #[arg(long, value_name = "KEYS", default_value = "")]
    pub keys: String,
    /// Writes an SVG picture with colours to FILE instead of printing text.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Prints the text followed by a grid of each cell's colour.
    #[arg(long, conflicts_with = "svg")]
    pub styles: bool,
    /// Draws without colour, as with NO_COLOR.
    #[arg(long)]
    pub no_color: bool,
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("`{s}` is not a size: write it as COLSxROWS, e.g. 120x40"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| format!("`{t}` in `{s}` is not a number of cells from 1 to 1000"))
    };
    Ok((num(w)?, num(h)?))
}

/// Opens the playground full-screen: the picker, or one lesson.
pub fn playground(dir: Option<&Path>, args: &LessonArgs) -> Result<(), String> {
    use crate::lesson::ProgressStore;
    use crate::ui::{app::App, terminal, theme::Theme};
    use std::io::IsTerminal;
    let c = catalog(dir)?;
    let opening = match &args.lesson {
        Some(id) => {
            let lesson = find_lesson(&c, id)?;
            let settings = args
                .settings
                .iter()
                .map(|s| lesson.parse_setting(s))
                .collect::<Result<Vec<_>, _>>()?;
            Some((lesson.id.clone(), settings))
        }
        None => None,
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(
            "the playground needs a terminal; for output to a pipe or file use \
             `splitbrain run`, `splitbrain shot` or `splitbrain list`"
                .into(),
        );
    }
    let mut app = App::new(c, ProgressStore::open_default(), Theme::from_env());
    if let Some((id, settings)) = opening {
        app.open(&id, args.seed, &settings)?;
    }
    let app = terminal::run_in_terminal(app)?;
    if let Some(path) = &args.record {
        let Some(recording) = app.recording() else {
            return Err(format!(
                "nothing recorded in {}: no lesson was opened",
                path.display()
            ));
        };
        let json = serde_json::to_string_pretty(&recording)
            .map_err(|e| format!("cannot record the session: {e}"))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!(
            "session recorded in {}; replay it with: splitbrain run {} --replay {}",
            path.display(),
            recording.lesson,
            path.display()
        );
    }
    Ok(())
}

/// Draws one screen headless: prints it, or writes the SVG file.
pub fn shot(dir: Option<&Path>, args: &ShotArgs) -> Result<(), String> {
    let mut args = args.clone();
    args.no_color |= std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let out = shot_output(dir, &args)?;
    match &args.svg {
        Some(path) => std::fs::write(path, out)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => print!("{out}"),
    }
    Ok(())
}

/// What `shot` prints or writes: text, text with styles, or SVG (colour
/// unless `no_color`; the environment is not read here).
pub fn shot_output(dir: Option<&Path>, args: &ShotArgs) -> Result<String, String> {
    use crate::ui::{shot, theme::Theme};
    let c = catalog(dir)?;
    let settings = match &args.lesson {
        Some(id) => {
            let lesson = find_lesson(&c, id)?;
            args.settings
                .iter()
                .map(|s| lesson.parse_setting(s))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => Vec::new(),
    };
    let spec = shot::ShotSpec {
        lesson: args.lesson.clone(),
        seed: args.seed,
        at: args.at,
        width: args.size.0,
        height: args.size.1,
        settings,
        keys: shot::parse_keys(&args.keys)?,
        theme: if args.no_color {
            Theme::monochrome()
        } else {
            Theme::default()
        },
    };
    let app = shot::app_at(c, &spec)?;
    let buf = shot::draw(&app);
    Ok(if args.svg.is_some() {
        shot::svg(&buf)
    } else if args.styles {
        shot::styled_text(&buf)
    } else {
        shot::text(&buf)
    })
}

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
    /// Sets a knob, e.g. --set timeout=250ms --set breaker=on.
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
}

fn parse_duration(s: &str) -> Result<Time, String> {
    Time::parse(s)
}

fn errors_text(errors: &[SourceError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The built-in lessons plus any in `dir`.
pub fn catalog(dir: Option<&Path>) -> Result<Catalog, String> {
    let mut c = Catalog::embedded().map_err(|e| errors_text(&e))?;
    if let Some(dir) = dir {
        c.add_dir(dir).map_err(|e| errors_text(&e))?;
    }
    Ok(c)
}

pub fn list(dir: Option<&Path>) -> Result<(), String> {
    let c = catalog(dir)?;
    let width = c.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let cw = c.lessons.iter().map(|l| l.chapter.len()).max().unwrap_or(0);
    for l in &c.lessons {
        println!("{:<width$}  {:<cw$}  {}", l.id, l.chapter, l.title);
    }
    Ok(())
}

/// Finds a lesson by id, or says which ids exist.
pub fn find_lesson(c: &Catalog, id: &str) -> Result<Arc<Lesson>, String> {
    c.find(id)
}

pub fn show(dir: Option<&Path>, id: &str) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, id)?;
    print!("{}", describe(&lesson));
    Ok(())
}

/// Everything a learner or teacher needs to know to run a lesson headless.
pub fn describe(l: &Lesson) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}, {})", l.title, l.id, l.chapter);
    let _ = writeln!(out, "{}\n", l.summary);
    let _ = writeln!(
        out,
        "scenario {}, runs {} of virtual time, default seed {}",
        l.scenario.id, l.length, l.seed
    );
    let nodes: Vec<String> = l
        .nodes
        .iter()
        .map(|n| format!("{} ({})", n.name, n.role))
        .collect();
    let _ = writeln!(out, "nodes: {}", nodes.join(", "));
    let _ = writeln!(out, "\nknobs (--set NAME=VALUE):");
    for name in l.knob_names() {
        if let Some(k) = l.knob(&name) {
            let shown = if l.knobs.iter().any(|lk| lk.name == name) {
                ""
            } else {
                " [scenario]"
            };
            let _ = writeln!(
                out,
                "  {}={}  ({}){shown}",
                k.name,
                k.default,
                k.kind.accepted()
            );
            if !k.description.is_empty() {
                let _ = writeln!(out, "      {}", k.description);
            }
        }
    }
    if !l.phases.is_empty() {
        let _ = writeln!(out, "\nphases:");
        for p in &l.phases {
            let _ = writeln!(
                out,
                "  {:<12} {}..{}  {}",
                p.name, p.from, p.to, p.description
            );
        }
    }
    if !l.script.is_empty() {
        let _ = writeln!(out, "\nscript:");
        let names: Vec<String> = l.nodes.iter().map(|n| n.name.clone()).collect();
        for e in &l.script {
            let what = e.input.describe(&|sel| match sel {
                crate::sim::NodeSel::Id(i) => names.get(*i).cloned().unwrap_or_default(),
                crate::sim::NodeSel::Role(r) => format!("role:{r}"),
            });
            let _ = writeln!(
                out,
                "  {:>8}  {what}{}",
                e.at.to_string(),
                if e.note.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", e.note)
                }
            );
        }
    }
    let _ = writeln!(out, "\nobjectives:");
    for o in &l.objectives {
        let window = match &o.window.phase {
            Some(p) => format!("during {p}"),
            None => format!("{}..{}", o.window.from, o.window.to),
        };
        let _ = writeln!(out, "  {} ({window}): {}", o.id, o.description);
        for c in &o.conditions {
            let _ = writeln!(out, "      {c}");
        }
    }
    let mut metrics = (l.scenario.metrics)(&l.nodes);
    metrics.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(out, "\nmetrics:");
    for m in metrics {
        let _ = writeln!(
            out,
            "  {:<28} {:<9} {}",
            m.name,
            m.kind.to_string(),
            m.description
        );
    }
    let _ = writeln!(
        out,
        "\n{} hints, {} questions, {} guided steps",
        l.hints.len(),
        l.questions.len(),
        l.steps.len()
    );
    out
}

pub fn run(dir: Option<&Path>, args: &RunArgs) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, &args.lesson)?;
    let recording = args.replay.as_deref().map(read_recording).transpose()?;
    let mut run = match &recording {
        Some(r) => {
            if r.lesson != lesson.id {
                return Err(format!(
                    "the recording is of lesson `{}`, not `{}`",
                    r.lesson, lesson.id
                ));
            }
            let knobs: Vec<_> = r.knobs.clone().into_iter().collect();
            let mut run = Run::new(lesson.clone(), r.seed, &knobs, args.trace)?;
            run.set_checkpointing(false);
            run.replay(&r.log)?;
            run
        }
        None => {
            let settings = args
                .settings
                .iter()
                .map(|s| lesson.parse_setting(s))
                .collect::<Result<Vec<_>, _>>()?;
            let seed = args.seed.unwrap_or(lesson.seed);
            let mut run = Run::new(lesson.clone(), seed, &settings, args.trace)?;
            run.set_checkpointing(false);
            run
        }
    };
    let until = args
        .duration
        .or(recording.as_ref().map(|r| r.until))
        .unwrap_or(lesson.length);
    run.advance_to(until);
    let out = if args.json {
        report_json(&run, args.trace)
    } else {
        report_text(&run, args.trace)
    };
    print!("{out}");
    Ok(())
}

fn read_recording(path: &Path) -> Result<crate::lesson::Recording, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a session recording: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
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

pub fn check(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        Catalog::embedded().map_err(|e| errors_text(&e))?;
        println!(
            "{} built-in lessons are valid",
            crate::lesson::EMBEDDED.len()
        );
        return Ok(());
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(lesson_files(p).map_err(|e| e.to_string())?);
        } else {
            files.push(p.clone());
        }
    }
    let mut errors = Vec::new();
    for f in &files {
        if let Err(e) = load_file(f) {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        println!(
            "{} lesson file{} valid",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        );
        Ok(())
    } else {
        Err(errors_text(&errors))
    }
}

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
    /// Sets another knob for every run, e.g. --set latency=5ms.
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// The first seed; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// How many seeds to run each cell with (consecutive from --seed); a cell shows their median.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub seeds: u64,
    /// Prints one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
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
    let settings = args
        .settings
        .iter()
        .map(|s| lesson.parse_setting(s))
        .collect::<Result<Vec<_>, _>>()?;
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
    let first = args.seed.unwrap_or(lesson.seed);
    Ok(Sweep {
        vary,
        compare,
        settings,
        metric: metric.to_string(),
        stat,
        window,
        seeds: (0..args.seeds).map(|i| first.wrapping_add(i)).collect(),
    })
}

pub fn sweep(dir: Option<&Path>, args: &SweepArgs) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, &args.lesson)?;
    let spec = sweep_spec(&lesson, args)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let table = spec.run(&lesson, threads)?;
    let out = if args.json {
        sweep_json(&lesson, &spec, &table)
    } else {
        sweep_text(&lesson, &spec, &table)
    };
    print!("{out}");
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
            "median of {} seeds from {}",
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
    let fmt = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.1}"));
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
    let best = table.best();
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
        if !notes.is_empty() {
            let _ = writeln!(out);
            for n in notes {
                let _ = writeln!(out, "{n}");
            }
        }
    }
    out
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
    let obj = json!({
        "lesson": lesson.id,
        "metric": spec.metric,
        "stat": spec.stat.name(),
        "from_ms": from.as_millis_f64(),
        "to_ms": to.as_millis_f64(),
        "seeds": spec.seeds,
        "vary": spec.vary.knob,
        "compare": spec.compare.as_ref().map(|c| c.knob.clone()),
        "rows": rows,
    });
    let mut s = serde_json::to_string_pretty(&obj).expect("JSON of plain values");
    s.push('\n');
    s
}

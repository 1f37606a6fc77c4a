//! A run's headline metrics over virtual time: one chart for each of the
//! lesson's panels of rates, totals and latencies (the series its metrics
//! pane shows), stacked on one time axis, with the lesson's phases shaded.

use super::{FONT, colour, failed, tick};
use crate::lesson::Run;
use crate::scenarios::Panel;
use crate::sim::{BUCKET, Metrics, Stat, Time};
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

const WIDTH: u32 = 900;
/// Width of the strip to the right of each chart that names its lines.
const LEGEND: u32 = 160;
/// Height of each panel's chart, and of the title over them.
const PANEL: u32 = 210;
const TITLE: u32 = 34;
/// At most this many time bins; at least a second each.
const BINS: u64 = 240;

/// Metric names with the labels a panel shows them under.
type Labelled = [(String, String)];

/// What one chart shows.
enum Kind {
    Rates,
    Totals,
    Latencies,
}

/// The chart of `run` up to where it has got.
pub fn run_chart(run: &Run) -> Result<String, String> {
    let lesson = run.lesson();
    let panels = (lesson.scenario.panels)(&lesson.nodes);
    let mut charts: Vec<(Kind, &str, &Labelled)> = Vec::new();
    for p in &panels {
        match p {
            Panel::Rates { title, metrics } => charts.push((Kind::Rates, title, metrics)),
            Panel::Totals { title, metrics } => charts.push((Kind::Totals, title, metrics)),
            Panel::Latencies { title, metrics } => {
                charts.push((Kind::Latencies, title, metrics));
            }
            _ => {}
        }
    }
    if charts.is_empty() {
        return Err(format!(
            "lesson `{}` has no panel of rates, totals or latencies to draw",
            lesson.id
        ));
    }
    let now = run.now();
    let bin = Time(
        now.0
            .div_ceil(BINS)
            .div_ceil(Time::secs(1).0)
            .max(1)
            .saturating_mul(Time::secs(1).0),
    );
    let metrics = run.cluster().metrics();
    let height = TITLE + PANEL * charts.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let root = root.titled(&title(run), (FONT, 15)).map_err(failed)?;
        let areas = root.split_evenly((charts.len(), 1));
        for ((kind, title, series), area) in charts.iter().zip(&areas) {
            let lines = match kind {
                Kind::Rates => rates(metrics, series, now, bin),
                Kind::Totals => totals(metrics, series, now, bin),
                Kind::Latencies => latencies(metrics, series, now, bin),
            };
            draw_panel(area, run, title, kind, &lines)?;
        }
        root.present().map_err(failed)?;
    }
    svg.push('\n');
    Ok(svg)
}

/// One line of a chart: its name, its pieces (broken where there is no
/// data) of (seconds, value), and whether it is drawn dashed.
struct Line {
    name: String,
    pieces: Vec<Vec<(f64, f64)>>,
    dashed: bool,
    colour: usize,
}

/// The bins of `[0, now)`: (start, end).
fn bins(now: Time, bin: Time) -> impl Iterator<Item = (Time, Time)> {
    (0..now.0.div_ceil(bin.0)).map(move |i| (Time(i * bin.0), Time(((i + 1) * bin.0).min(now.0))))
}

fn rates(m: &Metrics, series: &[(String, String)], now: Time, bin: Time) -> Vec<Line> {
    series
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| m.kind(name).is_some())
        .map(|(i, (name, label))| Line {
            name: label.clone(),
            pieces: vec![
                bins(now, bin)
                    // Whole counter buckets only: the last bin may be short.
                    .filter(|(a, b)| b.0 - a.0 >= BUCKET.0)
                    .map(|(a, b)| {
                        let v = m.query(name, Stat::Rate, a, b).unwrap_or(0.0);
                        ((a.0 + b.0) as f64 / 2e6, v)
                    })
                    .collect(),
            ],
            dashed: false,
            colour: i,
        })
        .collect()
}

fn totals(m: &Metrics, series: &[(String, String)], now: Time, bin: Time) -> Vec<Line> {
    series
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| m.kind(name).is_some())
        .map(|(i, (name, label))| {
            let mut total = 0.0;
            let mut points = vec![(0.0, 0.0)];
            for (a, b) in bins(now, bin) {
                total += m.query(name, Stat::Count, a, b).unwrap_or(0.0);
                points.push((b.0 as f64 / 1e6, total));
            }
            Line {
                name: label.clone(),
                pieces: vec![points],
                dashed: false,
                colour: i,
            }
        })
        .collect()
}

fn latencies(m: &Metrics, series: &[(String, String)], now: Time, bin: Time) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, (name, label)) in series.iter().enumerate() {
        if m.kind(name).is_none() {
            continue;
        }
        for (stat, word, dashed) in [(Stat::P50, "p50", false), (Stat::P99, "p99", true)] {
            let mut pieces: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (a, b) in bins(now, bin) {
                match m.query(name, stat, a, b) {
                    Some(v) => pieces
                        .last_mut()
                        .expect("a piece")
                        .push(((a.0 + b.0) as f64 / 2e6, (v / 1e3).max(0.001))),
                    None => pieces.push(Vec::new()),
                }
            }
            pieces.retain(|p| !p.is_empty());
            out.push(Line {
                name: format!("{label} {word}"),
                pieces,
                dashed,
                colour: i,
            });
        }
    }
    out
}

fn draw_panel(
    area: &DrawingArea<SVGBackend, Shift>,
    run: &Run,
    title: &str,
    kind: &Kind,
    lines: &[Line],
) -> Result<(), String> {
    let end = run.now().as_secs_f64().max(1.0);
    let values = lines
        .iter()
        .flat_map(|l| l.pieces.iter().flatten().map(|p| p.1));
    let (low, high) = values.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (area, key) = area.split_horizontally(WIDTH - LEGEND);
    legend(&key, lines)?;
    let mut builder = ChartBuilder::on(&area);
    builder
        .caption(title, (FONT, 14))
        .margin_left(12)
        .margin_right(12)
        .margin_top(4)
        .margin_bottom(4)
        .x_label_area_size(30)
        .y_label_area_size(64);
    let unit = match kind {
        Kind::Rates => "per second",
        Kind::Totals => "since the start",
        Kind::Latencies => "ms",
    };
    match kind {
        Kind::Latencies => {
            let lo = if low == f64::MAX {
                0.1
            } else {
                (low / 2.0).max(0.001)
            };
            let hi = (high * 2.0).max(lo * 10.0);
            let mut chart = builder
                .build_cartesian_2d(0f64..end, (lo..hi).log_scale())
                .map_err(failed)?;
            mesh(&mut chart, unit)?;
            phases(&mut chart, run, lo, hi)?;
            series(&mut chart, lines)
        }
        _ => {
            let hi = if high > 0.0 { high * 1.15 } else { 1.0 };
            let mut chart = builder
                .build_cartesian_2d(0f64..end, 0f64..hi)
                .map_err(failed)?;
            mesh(&mut chart, unit)?;
            phases(&mut chart, run, 0.0, hi)?;
            series(&mut chart, lines)
        }
    }
}

type Chart<'a, 'b, Y> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>;

fn mesh<Y>(chart: &mut Chart<'_, '_, Y>, unit: &str) -> Result<(), String>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_labels(10)
        .x_label_formatter(&|s| format!("{}", Time((s * 1e6).round() as u64)))
        .y_labels(5)
        .y_label_formatter(&|v| tick(*v))
        .y_desc(unit)
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 12))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(failed)
}

/// The lesson's phases as shaded bands, each named at its top.
fn phases<Y>(chart: &mut Chart<'_, '_, Y>, run: &Run, lo: f64, hi: f64) -> Result<(), String>
where
    Y: Ranged<ValueType = f64>,
{
    let end = run.now().as_secs_f64();
    for (i, p) in run.lesson().phases.iter().enumerate() {
        let (a, b) = (p.from.as_secs_f64(), p.to.as_secs_f64().min(end));
        if a >= b {
            continue;
        }
        let shade = if i % 2 == 0 {
            RGBColor(242, 242, 250)
        } else {
            RGBColor(250, 244, 236)
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, lo), (b, hi)],
                shade.filled(),
            )))
            .map_err(failed)?;
        chart
            .draw_series(std::iter::once(Text::new(
                p.name.clone(),
                (a, hi),
                (FONT, 11).into_font().color(&RGBColor(120, 120, 120)),
            )))
            .map_err(failed)?;
    }
    Ok(())
}

fn series<Y>(chart: &mut Chart<'_, '_, Y>, lines: &[Line]) -> Result<(), String>
where
    Y: Ranged<ValueType = f64>,
{
    for line in lines {
        let ink = colour(line.colour);
        let style = ink.stroke_width(if line.dashed { 1 } else { 2 });
        for piece in &line.pieces {
            if let [point] = piece.as_slice() {
                // A single value (a failover measured once) is a dot.
                let dot = if line.dashed {
                    ink.stroke_width(1)
                } else {
                    ink.filled()
                };
                chart
                    .draw_series(std::iter::once(Circle::new(*point, 3, dot)))
                    .map_err(failed)?;
            } else if line.dashed {
                chart
                    .draw_series(DashedLineSeries::new(piece.clone(), 5, 3, style))
                    .map_err(failed)?;
            } else {
                chart
                    .draw_series(LineSeries::new(piece.clone(), style))
                    .map_err(failed)?;
            }
        }
    }
    Ok(())
}

/// The names of the lines, in the strip to the right of the chart, each
/// after a stroke of its line.
fn legend(key: &DrawingArea<SVGBackend, Shift>, lines: &[Line]) -> Result<(), String> {
    let font = (FONT, 12).into_font().color(&BLACK);
    for (i, line) in lines.iter().enumerate() {
        let y = 34 + 16 * i as i32;
        let ink = colour(line.colour);
        if line.dashed {
            for x in [4, 12] {
                key.draw(&PathElement::new(
                    vec![(x, y), (x + 5, y)],
                    ink.stroke_width(1),
                ))
                .map_err(failed)?;
            }
        } else {
            key.draw(&PathElement::new(
                vec![(4, y), (20, y)],
                ink.stroke_width(2),
            ))
            .map_err(failed)?;
        }
        key.draw(&Text::new(line.name.clone(), (26, y - 6), font.clone()))
            .map_err(failed)?;
    }
    Ok(())
}

fn title(run: &Run) -> String {
    let lesson = run.lesson();
    let set: Vec<String> = lesson
        .knobs
        .iter()
        .filter_map(|k| {
            let v = run.initial_knobs().get(&k.name)?;
            (*v != k.default).then(|| format!("{}={v}", k.name))
        })
        .collect();
    let mut t = format!("{}: seed {}, 0s to {}", lesson.id, run.seed(), run.now());
    if !set.is_empty() {
        t.push_str(", ");
        t.push_str(&set.join(" "));
    }
    t
}

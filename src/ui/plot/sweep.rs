//! A sweep as a chart: the varied knob's values along the bottom, evenly
//! spaced as the table's rows are, a line for each compared value, and
//! where the leader changes marked (a dashed line between the two rows, or
//! a shaded stretch over rows too close to call).

use super::{FONT, colour, failed, tick};
use crate::lesson::{Lesson, Sweep, SweepTable};
use crate::sim::Time;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

const SIZE: (u32, u32) = (760, 420);

/// The chart of `table`, which `spec` made on `lesson`.
pub fn sweep_chart(lesson: &Lesson, spec: &Sweep, table: &SweepTable) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let rows = table.rows.len();
        let high = table
            .cells
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, &b| a.max(b));
        let top = if high > 0.0 { high * 1.25 } else { 1.0 };
        let mut chart = ChartBuilder::on(&root)
            .caption(title(lesson, spec), (FONT, 15))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((0..rows as i32 - 1).into_segmented(), 0f64..top)
            .map_err(failed)?;
        let label = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) => table.rows.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(rows + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|v| tick(*v))
            .x_desc(spec.vary.knob.as_str())
            .y_desc(format!("{} {}", spec.metric, spec.stat.name()))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()
            .map_err(failed)?;
        // Compared values that are numbers are named with their knob.
        let names: Vec<String> = table
            .cols
            .iter()
            .map(|c| match &spec.compare {
                Some(axis) if c.starts_with(|ch: char| ch.is_ascii_digit()) => {
                    format!("{}={c}", axis.knob)
                }
                _ => c.clone(),
            })
            .collect();
        // Where the leader changes, behind the lines.
        let best = table.best_by(&crate::lesson::Better::of(lesson, &spec.metric, spec.stat));
        let leaders: Vec<(usize, usize)> = best
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.map(|b| (i, b)))
            .collect();
        for pair in leaders.windows(2) {
            let ((i, a), (j, b)) = (pair[0], pair[1]);
            if a == b {
                continue;
            }
            let grey = RGBColor(110, 110, 110);
            if j == i + 1 {
                let x = SegmentValue::Exact(j as i32);
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x.clone(), 0.0), (x, top)],
                        6,
                        4,
                        grey.stroke_width(1),
                    ))
                    .map_err(failed)?;
            } else {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(i as i32 + 1), 0.0),
                            (SegmentValue::Exact(j as i32), top),
                        ],
                        RGBColor(225, 225, 225).filled(),
                    )))
                    .map_err(failed)?;
            }
            let note = format!("{} overtakes {}", names[b], names[a]);
            chart
                .draw_series(std::iter::once(Text::new(
                    note,
                    // At the foot of the marker, clear of the legend.
                    (SegmentValue::Exact(j as i32), top * 0.08),
                    (FONT, 13).into_font().color(&grey),
                )))
                .map_err(failed)?;
        }
        for (c, name) in names.iter().enumerate() {
            let points: Vec<(SegmentValue<i32>, f64)> = table
                .cells
                .iter()
                .enumerate()
                .filter_map(|(r, row)| row[c].map(|v| (SegmentValue::CenterOf(r as i32), v)))
                .collect();
            let ink = colour(c);
            let line = chart
                .draw_series(LineSeries::new(points.clone(), ink.stroke_width(2)))
                .map_err(failed)?;
            if table.cols.len() > 1 {
                line.label(name.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], ink.stroke_width(2))
                });
            }
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new(p.clone(), 3, ink.filled())),
                )
                .map_err(failed)?;
        }
        if table.cols.len() > 1 {
            // The legend goes where the lines are not: the upper left when
            // the right third of the chart runs high.
            let right = table.cells.iter().skip(rows * 2 / 3).flatten().flatten();
            let high_right = right.fold(0.0f64, |a, &b| a.max(b)) > 0.7 * top;
            chart
                .configure_series_labels()
                .position(if high_right {
                    SeriesLabelPosition::UpperLeft
                } else {
                    SeriesLabelPosition::UpperRight
                })
                .label_font((FONT, 13))
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(failed)?;
        }
        root.present().map_err(failed)?;
    }
    svg.push('\n');
    Ok(svg)
}

fn title(lesson: &Lesson, spec: &Sweep) -> String {
    let (from, to) = spec.window.unwrap_or((Time::ZERO, lesson.length));
    let seeds = match spec.seeds.as_slice() {
        [one] => format!("seed {one}"),
        many => format!(
            "{} of {} seeds from {}",
            spec.across.name(),
            many.len(),
            many.first().copied().unwrap_or(0)
        ),
    };
    let mut t = format!(
        "{}: {} {} from {from} to {to}, {seeds}",
        lesson.id,
        spec.metric,
        spec.stat.name()
    );
    for (k, v) in &spec.settings {
        t.push_str(&format!(", {k}={v}"));
    }
    t
}

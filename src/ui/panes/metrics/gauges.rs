//! Gauges: each series' value over time as a sparkline, and its value now
//! with a bar on a scale (the panel's maximum, or the highest value seen).

use super::chart::{bar, series_style, spark};
use super::panel::{DrawCx, PanelDraw, Widths, labels_width, series_rows};
use super::plan::Form;
use super::window::gauge_cells;
use crate::ui::text::{number, put_within};
use ratatui::buffer::Buffer;

/// A gauge's value now as the panel shows it.
pub(super) fn value_text(v: Option<f64>) -> String {
    v.map_or("–".to_string(), number)
}

/// Width of a gauge's number and of its bar in the value column.
const GAUGE_VALUE: usize = 5;
const GAUGE_BAR: usize = 8;

pub(super) struct Gauges<'a> {
    pub title: &'a str,
    pub metrics: &'a [(String, String)],
    pub max: Option<f64>,
}

impl PanelDraw for Gauges<'_> {
    fn columns(&self) -> Widths {
        Widths {
            label: labels_width(self.metrics) + 2,
            value: GAUGE_VALUE + 1 + GAUGE_BAR,
        }
    }

    fn rich_height(&self, _cx: &DrawCx, rows: u16) -> u16 {
        1 + series_rows(self.metrics) * rows
    }

    fn charts(&self, form: Form) -> bool {
        form != Form::Compact
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self {
            title,
            metrics,
            max,
        } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let histories: Vec<Vec<Option<f64>>> = match form {
            Form::Compact => Vec::new(),
            Form::Rich { .. } => metrics
                .iter()
                .map(|(name, _)| gauge_cells(&cx.m.gauge_points_since(name, cx.win.from), &cx.win))
                .collect(),
        };
        let currents: Vec<Option<f64>> = metrics.iter().map(|(n, _)| cx.m.current(n)).collect();
        let observed = histories
            .iter()
            .flatten()
            .flatten()
            .chain(currents.iter().flatten())
            .fold(0.0f64, |a, &b| a.max(b));
        let scale = max.unwrap_or(observed).max(1.0);
        let rows = match form {
            Form::Compact => {
                let items: Vec<_> = metrics
                    .iter()
                    .zip(&currents)
                    .map(|((_, label), v)| (label.clone(), value_text(*v), t.strong()))
                    .collect();
                cx.compact(title, &items, y, buf);
                return;
            }
            Form::Rich { rows } => rows,
        };
        let note = match max {
            Some(m) => format!("scale 0–{}", number(m)),
            None => format!("scale 0–{} (highest seen)", number(scale)),
        };
        cx.title(title, &note, y, buf);
        for (i, ((_, label), history)) in metrics.iter().zip(&histories).enumerate() {
            let top = y + 1 + i as u16 * rows;
            let style = series_style(t, i);
            put_within(buf, c.x + 2, top, c.lw.saturating_sub(2), label, t.text());
            spark(buf, c.chart_x(), top, rows, history, scale, style);
            let v = currents[i];
            let num = format!("{:>w$}", value_text(v), w = GAUGE_VALUE);
            let x = put_within(buf, c.value_x(), top, c.vw, &num, t.strong());
            let bw = (c.right.saturating_sub(x + 1)).min(GAUGE_BAR as u16);
            bar(
                buf,
                x + 1,
                top,
                bw,
                v.unwrap_or(0.0) / scale,
                style,
                t.dim(),
            );
        }
    }
}

//! Rates: counters as events per second over time, and their rate over the
//! last few seconds.

use super::RECENT;
use super::chart::{series_style, spark};
use super::panel::{DrawCx, PanelDraw, Widths, labels_width, series_rows};
use super::plan::Form;
use super::window::rate_cells;
use crate::sim::Stat;
use crate::sim::{Metrics, Time};
use crate::ui::text::{instant, put_within, rate};
use ratatui::buffer::Buffer;

/// A counter's rate over the last few seconds, as the panel shows it.
pub(super) fn value_text(m: &Metrics, name: &str, now: Time) -> String {
    rate(recent_rate(m, name, now))
}

fn recent_rate(m: &Metrics, name: &str, now: Time) -> Option<f64> {
    m.query(name, Stat::Rate, now.saturating_sub(RECENT), now)
}

pub(super) struct Rates<'a> {
    pub title: &'a str,
    pub metrics: &'a [(String, String)],
}

impl PanelDraw for Rates<'_> {
    fn columns(&self) -> Widths {
        Widths {
            label: labels_width(self.metrics) + 2,
            value: 8,
        }
    }

    fn rich_height(&self, _cx: &DrawCx, rows: u16) -> u16 {
        1 + series_rows(self.metrics) * rows
    }

    fn charts(&self, form: Form) -> bool {
        form != Form::Compact
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, metrics } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let recent: Vec<Option<f64>> = metrics
            .iter()
            .map(|(n, _)| recent_rate(cx.m, n, cx.now))
            .collect();
        let rows = match form {
            Form::Compact => {
                let items: Vec<_> = metrics
                    .iter()
                    .zip(&recent)
                    .map(|((_, label), r)| (label.clone(), rate(*r), t.strong()))
                    .collect();
                cx.compact(title, &items, y, buf);
                return;
            }
            Form::Rich { rows } => rows,
        };
        let histories: Vec<Vec<Option<f64>>> = metrics
            .iter()
            .map(|(name, _)| rate_cells(cx.m.counter_buckets(name), &cx.win))
            .collect();
        let top = histories
            .iter()
            .flatten()
            .flatten()
            .fold(0.0f64, |a, &b| a.max(b));
        let note = format!(
            "per second, top {}, now = last {}",
            rate(Some(top)),
            instant(RECENT)
        );
        cx.title(title, &note, y, buf);
        for (i, ((_, label), history)) in metrics.iter().zip(&histories).enumerate() {
            let row = y + 1 + i as u16 * rows;
            let style = series_style(t, i);
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), label, t.text());
            spark(buf, c.chart_x(), row, rows, history, top, style);
            let text = format!("{:>w$}", rate(recent[i]), w = c.vw as usize);
            put_within(buf, c.value_x(), row, c.vw, &text, t.strong());
        }
    }
}

//! Totals: counters since the start, and how many were added lately.

use super::RECENT;
use super::panel::{DrawCx, PanelDraw, labels_width, series_rows};
use super::plan::Form;
use crate::sim::Metrics;
use crate::sim::Stat;
use crate::ui::text::{instant, put_within};
use ratatui::buffer::Buffer;

/// A counter's total as the panel shows it.
pub(super) fn value_text(m: &Metrics, name: &str) -> String {
    m.total(name).to_string()
}

pub(super) struct Totals<'a> {
    pub title: &'a str,
    pub metrics: &'a [(String, String)],
}

impl PanelDraw for Totals<'_> {
    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        1 + series_rows(self.metrics)
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, metrics } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let totals: Vec<String> = metrics.iter().map(|(n, _)| value_text(cx.m, n)).collect();
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .zip(&totals)
                .map(|((_, label), v)| (label.clone(), v.clone(), t.strong()))
                .collect();
            cx.compact(title, &items, y, buf);
            return;
        }
        cx.title(title, "since the start", y, buf);
        let nw = totals.iter().map(|v| v.len()).max().unwrap_or(1) as u16;
        // Labels whole when they fit beside their numbers.
        let lw = (labels_width(metrics) + 2)
            .min((c.width() as usize).saturating_sub(nw as usize + 1)) as u16;
        let from = cx.now.saturating_sub(RECENT);
        for (i, ((name, label), total)) in metrics.iter().zip(&totals).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, lw.saturating_sub(2), label, t.text());
            let x = c.x + lw + 1;
            let text = format!("{total:>w$}", w = nw as usize);
            let x = put_within(buf, x, row, c.right.saturating_sub(x), &text, t.strong());
            let lately = cx.m.query(name, Stat::Count, from, cx.now).unwrap_or(0.0);
            if lately > 0.0 {
                let text = format!("  +{} in the last {}", lately as u64, instant(RECENT));
                put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
            }
        }
    }
}

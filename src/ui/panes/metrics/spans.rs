//! Spans: gauges drawn as bars over time wherever they are above zero, each
//! stretch labelled with its value (leases with their fencing tokens, say),
//! so that two owners holding at once show as overlapping bars.

use super::panel::{DrawCx, PanelDraw, Widths, labels_width, series_rows};
use super::plan::Form;
use super::window::gauge_cells;
use crate::ui::text::{put_within, width};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// A span's bar.
const SPAN: &str = "━";

pub(super) struct Spans<'a> {
    pub title: &'a str,
    pub metrics: &'a [(String, String)],
}

impl PanelDraw for Spans<'_> {
    fn columns(&self) -> Widths {
        Widths {
            label: labels_width(self.metrics) + 2,
            value: 4,
        }
    }

    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        1 + series_rows(self.metrics)
    }

    fn charts(&self, form: Form) -> bool {
        form != Form::Compact
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, metrics } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let value_text = |v: Option<f64>| match v {
            Some(v) if v > 0.0 => format!("{v:.0}"),
            _ => "–".to_string(),
        };
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .map(|(m, label)| (label.clone(), value_text(cx.m.current(m)), t.strong()))
                .collect();
            cx.compact(title, &items, y, buf);
            return;
        }
        cx.title(title, "bars where held, labelled with the value", y, buf);
        // Rows whose stretches overlap one of another row are the ones to see.
        let cells: Vec<Vec<Option<f64>>> = metrics
            .iter()
            .map(|(m, _)| gauge_cells(&cx.m.gauge_points_since(m, cx.win.from), &cx.win))
            .collect();
        for (i, ((metric, label), row_cells)) in metrics.iter().zip(&cells).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), label, t.text());
            span_row(cx, row_cells, row, buf);
            let text = format!("{:>w$}", value_text(cx.m.current(metric)), w = 4);
            put_within(buf, c.value_x(), row, c.vw, &text, t.strong());
        }
    }
}

/// One row of bars: each stretch of one value starts with the value.
fn span_row(cx: &DrawCx, cells: &[Option<f64>], row: u16, buf: &mut Buffer) {
    let c = cx.cols;
    let t = cx.theme;
    let mut j = 0;
    while j < cells.len() {
        let v = match cells[j] {
            Some(v) if v > 0.0 => v,
            _ => {
                j += 1;
                continue;
            }
        };
        let start = j;
        while j < cells.len() && cells[j] == Some(v) {
            j += 1;
        }
        let len = (j - start) as u16;
        let style = span_style(t, v);
        let x = c.chart_x() + start as u16;
        for k in 0..len {
            put_within(buf, x + k, row, 1, SPAN, style);
        }
        let label = format!("{v:.0}");
        if width(&label) as u16 <= len {
            put_within(buf, x, row, len, &label, style.patch(t.strong()));
        }
    }
}

/// The colour of a span with value `v`: the same value has the same colour in
/// every row, so one lease's token lines up across views of it.
fn span_style(theme: &Theme, v: f64) -> Style {
    theme.series(v as usize)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::draw;
    use crate::scenarios::Panel;
    use crate::sim::{Metrics, Time};

    #[test]
    fn spans_overlap_where_two_owners_hold_at_once_and_show_their_values() {
        let mut m = Metrics::default();
        m.gauge("lease.c1", Time::ZERO, 33.0);
        m.gauge("lease.c1", Time::secs(16), 0.0);
        m.gauge("lease.c2", Time::ZERO, 0.0);
        m.gauge("lease.c2", Time::secs(10), 34.0);
        let panel = Panel::Spans {
            title: "Leases".into(),
            metrics: vec![
                ("lease.c1".into(), "c1".into()),
                ("lease.c2".into(), "c2".into()),
            ],
        };
        let out = draw(&panel, Vec::new(), &m, 60, 3);
        println!("{out}");
        let c1 = out.lines().nth(1).unwrap();
        let c2 = out.lines().nth(2).unwrap();
        assert!(c1.contains("33━"), "{out}");
        assert!(c2.contains("34━"), "{out}");
        assert!(c1.trim_end().ends_with('–'), "c1 holds nothing now:\n{out}");
        assert!(c2.trim_end().ends_with("34"), "{out}");
        // Overlap: some column has a bar in both rows.
        let a: Vec<char> = c1.chars().collect();
        let b: Vec<char> = c2.chars().collect();
        assert!(
            (0..a.len().min(b.len())).any(|i| a[i] == '━' && b[i] == '━'),
            "{out}"
        );
    }
}

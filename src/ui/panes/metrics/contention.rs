//! Lock contention: for each named lock, over time, whether it was held and
//! whether someone waited for it, from its gauges alone; and the share of
//! the window it was held and contended.

use super::panel::{DrawCx, PanelDraw, Widths};
use super::plan::Form;
use super::window::gauge_cells;
use crate::scenarios::{lock_held_metric, lock_waiting_metric};
use crate::sim::Stat;
use crate::ui::text::{instant, put_within, share, width};
use ratatui::buffer::Buffer;

/// Glyphs of a contention chart: held with nobody waiting, held and contended.
const HELD: &str = "▄";
const CONTENDED: &str = "█";

pub(super) struct Contention<'a> {
    pub title: &'a str,
    pub locks: &'a [String],
}

impl PanelDraw for Contention<'_> {
    fn columns(&self) -> Widths {
        let w = self.locks.iter().map(|l| width(l)).max().unwrap_or(0);
        Widths {
            label: w + 2,
            value: 9,
        }
    }

    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        1 + self.locks.len().min(200) as u16
    }

    fn charts(&self, form: Form) -> bool {
        form != Form::Compact
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, locks } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let from = cx.win.from;
        let busy =
            |metric: &str| -> f64 { cx.m.query(metric, Stat::Busy, from, cx.now).unwrap_or(0.0) };
        let shares: Vec<(f64, f64)> = locks
            .iter()
            .map(|l| (busy(&lock_held_metric(l)), busy(&lock_waiting_metric(l))))
            .collect();
        if form == Form::Compact {
            // The most contended locks first.
            let mut order: Vec<usize> = (0..locks.len()).collect();
            order.sort_by(|&a, &b| shares[b].1.total_cmp(&shares[a].1).then(a.cmp(&b)));
            let items: Vec<_> = order
                .iter()
                .map(|&i| {
                    let (h, w) = shares[i];
                    let style = if w > 0.0 { t.warn() } else { t.strong() };
                    (
                        locks[i].clone(),
                        format!("{}/{}", share(h), share(w)),
                        style,
                    )
                })
                .collect();
            cx.compact(title, &items, y, buf);
            return;
        }
        let note = format!(
            "{HELD} held  {CONTENDED} someone waiting;  now: held %, contended % since {}",
            instant(from)
        );
        cx.title(title, &note, y, buf);
        for (i, lock) in locks.iter().enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), lock, t.text());
            let held = gauge_cells(
                &cx.m
                    .gauge_points_since(&lock_held_metric(lock), cx.win.from),
                &cx.win,
            );
            let waiting = gauge_cells(
                &cx.m
                    .gauge_points_since(&lock_waiting_metric(lock), cx.win.from),
                &cx.win,
            );
            for (j, (h, w)) in held.iter().zip(&waiting).enumerate() {
                let x = c.chart_x() + j as u16;
                if w.is_some_and(|w| w > 0.0) {
                    put_within(buf, x, row, 1, CONTENDED, t.warn());
                } else if h.is_some_and(|h| h > 0.0) {
                    put_within(buf, x, row, 1, HELD, t.good());
                }
            }
            let (h, w) = shares[i];
            let text = format!("{:>4} {:>4}", share(h), share(w));
            let style = if w > 0.5 { t.warn() } else { t.strong() };
            put_within(buf, c.value_x(), row, c.vw, &text, style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::draw;
    use super::*;
    use crate::scenarios::Panel;
    use crate::sim::{Metrics, Time};

    #[test]
    fn contention_charts_held_and_contended_time_and_their_shares() {
        let mut m = Metrics::default();
        // Held from 5 s to 15 s, contended from 10 s to 15 s.
        m.gauge("lock.stock.held", Time::ZERO, 0.0);
        m.gauge("lock.stock.held", Time::secs(5), 1.0);
        m.gauge("lock.stock.held", Time::secs(15), 0.0);
        m.gauge("lock.stock.waiting", Time::ZERO, 0.0);
        m.gauge("lock.stock.waiting", Time::secs(10), 2.0);
        m.gauge("lock.stock.waiting", Time::secs(15), 0.0);
        let panel = Panel::Contention {
            title: "Contention".into(),
            locks: vec!["stock".into()],
        };
        let out = draw(&panel, Vec::new(), &m, 60, 2);
        println!("{out}");
        let row = out.lines().nth(1).unwrap();
        assert!(row.contains(HELD) && row.contains(CONTENDED), "{out}");
        assert!(row.trim_end().ends_with("50%  25%"), "{out}");
        let held = row.find(HELD).unwrap();
        let contended = row.find(CONTENDED).unwrap();
        assert!(held < contended, "held before contended:\n{out}");
    }
}

//! The pane's time window, shared by every chart: which stretch of the run
//! each chart cell covers, the series of values per cell, and the time axis
//! drawn under the charts.
//!
//! The axis spans the lesson's length (at least [`super::MIN_SPAN`]) from
//! zero while the run is younger than that, with the future left blank, and
//! then scrolls so that its right edge is now.

use super::panel::DrawCx;
use crate::sim::{BUCKET, Metrics, Stat, Time};
use crate::ui::text::{put_within, tick_label, width};
use ratatui::buffer::Buffer;

/// Spacings of the time axis's labels, in seconds.
const TICKS: [u64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

/// The time axis: `cells` cells of `cell` each from `from`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub from: Time,
    pub cell: Time,
    pub cells: usize,
    pub now: Time,
}

impl Window {
    pub fn new(now: Time, span: Time, cells: usize) -> Window {
        if cells == 0 {
            return Window {
                from: Time::ZERO,
                cell: BUCKET,
                cells: 0,
                now,
            };
        }
        // Whole counter buckets per cell, so rates need no interpolation.
        let per = span.0.div_ceil(cells as u64);
        let cell = per.div_ceil(BUCKET.0).max(1) * BUCKET.0;
        let total = cell * cells as u64;
        let from = if now.0 <= total {
            0
        } else {
            now.0.div_ceil(cell) * cell - total
        };
        Window {
            from: Time(from),
            cell: Time(cell),
            cells,
            now,
        }
    }

    pub fn start(&self, i: usize) -> Time {
        Time(self.from.0 + self.cell.0 * i as u64)
    }

    pub fn to(&self) -> Time {
        self.start(self.cells)
    }

    /// Cell `i` as far as it has happened: `None` when it is all in the future.
    pub fn past(&self, i: usize) -> Option<(Time, Time)> {
        let start = self.start(i);
        (start < self.now).then(|| (start, self.start(i + 1).min(self.now)))
    }
}

/// Per cell of `win`, the highest value the gauge held in it.
pub(super) fn gauge_cells(points: &[(Time, f64)], win: &Window) -> Vec<Option<f64>> {
    let mut out = vec![None; win.cells];
    let mut idx = points.partition_point(|p| p.0 <= win.from);
    let mut cur = idx.checked_sub(1).map(|i| points[i].1);
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((_, end)) = win.past(i) else {
            break;
        };
        let mut high = cur;
        while idx < points.len() && points[idx].0 < end {
            let v = points[idx].1;
            high = Some(high.map_or(v, |h: f64| h.max(v)));
            cur = Some(v);
            idx += 1;
        }
        *slot = high;
    }
    out
}

/// Per cell of `win`, the counter's rate per second in it (so far, for the
/// cell that holds now).
pub(super) fn rate_cells(buckets: &[u64], win: &Window) -> Vec<Option<f64>> {
    let mut out = vec![None; win.cells];
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((start, end)) = win.past(i) else {
            break;
        };
        let lo = (start.0 / BUCKET.0) as usize;
        let hi = (end.0.div_ceil(BUCKET.0) as usize).max(lo + 1);
        let sum: u64 = buckets
            .get(lo.min(buckets.len())..hi.min(buckets.len()))
            .unwrap_or(&[])
            .iter()
            .sum();
        let secs = (hi - lo) as f64 * BUCKET.as_secs_f64();
        *slot = Some(sum as f64 / secs);
    }
    out
}

/// p50, p99 and maximum of histogram `name`'s samples from `from` up to
/// and including `to`.
pub(super) fn recent_quantiles(m: &Metrics, name: &str, from: Time, to: Time) -> Option<[u64; 3]> {
    let end = to.max(from) + Time(1);
    let q = |s| m.query(name, s, from, end).map(|v| v as u64);
    Some([q(Stat::P50)?, q(Stat::P99)?, q(Stat::Max)?])
}

/// The time axis on row `y`: a rule under the charts, a mark at now, and
/// round times that keep clear of it and of each other.
pub(super) fn draw_axis(cx: &DrawCx, y: u16, buf: &mut Buffer) {
    let t = cx.theme;
    let c = cx.cols;
    let w = cx.win;
    if w.cells == 0 {
        return;
    }
    let x0 = c.chart_x();
    let end = x0 + c.cw;
    for x in x0..end {
        put_within(buf, x, y, 1, "─", t.dim());
    }
    // Now, then ticks at round times that keep clear of it and of each other.
    let col = |at: Time| x0 + (((at - w.from).0 / w.cell.0) as u16).min(c.cw - 1);
    let now_col = (w.now < w.to()).then(|| col(w.now));
    if let Some(x) = now_col {
        put_within(buf, x, y, 1, "▲", t.strong());
    }
    let span = (w.to() - w.from).0;
    let most = (c.cw as u64 / 9).max(1);
    let step = TICKS
        .iter()
        .map(|s| s * 1_000_000)
        .find(|s| span / s <= most)
        .unwrap_or(span.max(1));
    let mut at = w.from.0.div_ceil(step) * step;
    let mut free = x0;
    while at <= w.to().0 {
        let text = tick_label(Time(at));
        let tw = width(&text) as u16;
        let lx = col(Time(at))
            .saturating_sub(tw / 2)
            .clamp(x0, end.saturating_sub(tw).max(x0));
        let hides_now = now_col.is_some_and(|n| n + 1 >= lx && n <= lx + tw);
        if lx >= free && !hides_now {
            put_within(buf, lx, y, end.saturating_sub(lx), &text, t.dim());
            free = lx + tw + 1;
        }
        at += step;
    }
    put_within(buf, c.x, y, c.lw, "time", t.dim());
    put_within(buf, c.value_x(), y, c.vw, "now", t.dim());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_lesson_then_scroll() {
        let w = Window::new(Time::secs(30), Time::secs(180), 60);
        assert_eq!(w.from, Time::ZERO);
        assert_eq!(w.cell, Time::secs(3));
        assert!(w.past(10).is_none());
        let w = Window::new(Time::secs(200), Time::secs(180), 60);
        assert_eq!(w.to(), Time::secs(201));
        assert_eq!(w.from, Time::secs(21));
    }
}

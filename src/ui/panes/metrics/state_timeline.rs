//! A state timeline: a gauge's value over time as bands, each value named
//! (a breaker's states, say) and given a tone that says whether it is good
//! news; the current state at the end of the row.

use super::panel::{DrawCx, PanelDraw, Widths};
use super::plan::Form;
use super::window::Window;
use crate::scenarios::Tone;
use crate::sim::Time;
use crate::ui::text::{instant, put_within, width};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// The glyph of a good state: a low line the others stand out of.
const BASE_GLYPH: &str = "▁";

pub(super) struct StateTimeline<'a> {
    pub title: &'a str,
    pub metric: &'a str,
    pub states: &'a [(f64, &'static str, Tone)],
}

impl PanelDraw for StateTimeline<'_> {
    fn columns(&self) -> Widths {
        Widths {
            label: width(self.title),
            value: self.states.iter().map(|s| width(s.1)).max().unwrap_or(1),
        }
    }

    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        2
    }

    fn charts(&self, _form: Form) -> bool {
        true
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self {
            title,
            metric,
            states,
        } = *self;
        let c = cx.cols;
        let t = cx.theme;
        let points = cx.m.gauge_points_since(metric, cx.win.from);
        let state_of = |v: f64| {
            states
                .iter()
                .position(|s| (s.0 - v).abs() < 1e-9)
                .unwrap_or(states.len())
        };
        let base = states.iter().position(|st| st.2 == Tone::Good).unwrap_or(0);
        let look = |i: usize| -> (&'static str, Style) {
            match states.get(i).map(|st| st.2) {
                None => ("?", t.dim()),
                Some(Tone::Good) => (BASE_GLYPH, t.good()),
                Some(Tone::Bad) => ("█", t.bad()),
                Some(Tone::Warn) => ("▒", t.warn()),
                Some(Tone::Neutral) => ("░", t.dim()),
            }
        };
        let cells = timeline_cells(&points, states.len(), base, &state_of, &cx.win);
        let current = cx.m.current(metric).map(state_of);
        let (name, name_style) = match current {
            Some(i) if i < states.len() => (states[i].1, look(i).1.patch(t.strong())),
            Some(_) => ("?", t.dim()),
            None => ("no data", t.dim()),
        };
        let mut row = y;
        match form {
            Form::Compact => {
                put_within(buf, c.x, row, c.lw, title, t.heading());
            }
            Form::Rich { .. } => {
                // Title, then a legend of the states seen on screen.
                let mut seen = vec![false; states.len() + 1];
                for i in cells.iter().flatten() {
                    seen[*i] = true;
                }
                if let Some(i) = current {
                    seen[i.min(states.len())] = true;
                }
                let mut x = cx.title(title, "", row, buf) + 2;
                for (i, s) in states.iter().enumerate() {
                    if !seen[i] || x >= c.right {
                        continue;
                    }
                    let (g, st) = look(i);
                    x = put_within(buf, x, row, c.right - x, g, st);
                    x = put_within(buf, x, row, c.right.saturating_sub(x), " ", st);
                    x = put_within(buf, x, row, c.right.saturating_sub(x), s.1, t.dim());
                    x = x.saturating_add(2);
                }
                row += 1;
                if let Some(since) = cx.m.last_change(metric).map(|p| p.0) {
                    let mut text = format!("  since {}", instant(since));
                    if width(&text) > usize::from(c.lw) {
                        // Whole seconds fit where tenths do not.
                        text =
                            format!("  since {}", instant(Time(since.0 / 1_000_000 * 1_000_000)));
                    }
                    put_within(buf, c.x, row, c.lw, &text, t.dim());
                }
            }
        }
        for (i, cell) in cells.iter().enumerate() {
            if let Some(state) = cell {
                let (g, st) = look(*state);
                put_within(buf, c.chart_x() + i as u16, row, 1, g, st);
            }
        }
        put_within(buf, c.value_x(), row, c.vw, name, name_style);
    }
}

/// Per cell of `win`, the state to show: the one the cell spent most time
/// in, preferring any state other than `base`, so a short excursion stays
/// visible however long a cell is. `None` for cells with no data yet.
fn timeline_cells(
    points: &[(Time, f64)],
    n_states: usize,
    base: usize,
    state_of: &dyn Fn(f64) -> usize,
    win: &Window,
) -> Vec<Option<usize>> {
    let mut out = vec![None; win.cells];
    let mut idx = points.partition_point(|p| p.0 <= win.from);
    let mut cur = idx.checked_sub(1).map(|i| state_of(points[i].1));
    let mut spent = vec![0u64; n_states + 1];
    let mut seen = vec![false; n_states + 1];
    for (i, slot) in out.iter_mut().enumerate() {
        let Some((start, end)) = win.past(i) else {
            break;
        };
        spent.iter_mut().for_each(|d| *d = 0);
        seen.iter_mut().for_each(|s| *s = false);
        let mut at = start;
        if let Some(s) = cur {
            seen[s] = true;
        }
        while idx < points.len() && points[idx].0 < end {
            if let Some(s) = cur {
                spent[s] += (points[idx].0 - at).0;
            }
            let s = state_of(points[idx].1);
            seen[s] = true;
            cur = Some(s);
            at = points[idx].0.max(start);
            idx += 1;
        }
        if let Some(s) = cur {
            spent[s] += (end - at).0;
        }
        // A state held for no time at all (set and replaced in one instant) is no state.
        let others = (0..=n_states)
            .filter(|&s| s != base && seen[s] && spent[s] > 0)
            .max_by_key(|&s| (spent[s], s));
        *slot = others.or(seen[base].then_some(base));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_excursions_show_in_long_cells() {
        let points = [
            (Time::ZERO, 0.0),
            (Time::millis(1500), 2.0),
            (Time::millis(1600), 0.0),
        ];
        let win = Window::new(Time::secs(4), Time::secs(4), 2);
        let state_of = |v: f64| v as usize;
        let cells = timeline_cells(&points, 3, 0, &state_of, &win);
        assert_eq!(cells, vec![Some(2), Some(0)]);
    }
}

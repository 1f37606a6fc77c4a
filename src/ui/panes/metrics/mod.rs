//! The metrics pane: every [`Panel`] the scenario declares, stacked, drawn
//! from the run's metrics and node facts without knowing the scenario.
//!
//! Every chart shares one time axis (`window`), so a breaker opening lines
//! up with the rates and gauges that explain it. Rows are laid out in three
//! columns: a label, the chart, and the value now.
//!
//! Each panel has a rich form (a title line and one row per series) and a
//! compact one (a line; a headline panel's wraps). When the pane is short,
//! panels turn compact from the last one up, the headline's (the panels
//! that show the scenario's broken promises) last; when even that does not
//! fit, the headline panels are drawn and the others share the rest, the
//! last one in part. When the pane is tall,
//! the charts of gauges and rates grow to two or three rows (`plan`).
//!
//! Each kind of panel is one module implementing `PanelDraw`: how tall it
//! is, whether it can be compact, how it draws itself. `drawer` is the one
//! place that maps a [`Panel`] to its kind; a new kind is a new module and
//! a line there.

mod chart;
mod contention;
mod gauges;
mod latencies;
mod lock_state;
mod lock_table;
mod node_table;
mod panel;
mod plan;
mod queues;
mod rates;
mod spans;
mod state_timeline;
mod stream;
mod totals;
mod wait_for;
mod window;

use crate::scenarios::Panel;
use crate::sim::Time;
use crate::ui::session::Session;
use crate::ui::text::put_within;
use crate::ui::theme::Theme;
use lock_state::LockState;
use panel::{Cols, DrawCx, PanelDraw};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use window::Window;

/// "Now" for rates, latencies and recent totals means this much recent time.
const RECENT: Time = Time::secs(5);
/// The shortest span the time axis covers.
const MIN_SPAN: Time = Time::secs(10);

/// The drawer of each kind of panel: the one place that knows them all.
#[rustfmt::skip]
fn drawer(panel: &Panel) -> Box<dyn PanelDraw + '_> {
    use Panel as P;
    match panel {
        P::StateTimeline { title, metric, states } => Box::new(state_timeline::StateTimeline { title, metric, states }),
        P::Gauges { title, metrics, max } => Box::new(gauges::Gauges { title, metrics, max: *max }),
        P::Rates { title, metrics } => Box::new(rates::Rates { title, metrics }),
        P::Latencies { title, metrics } => Box::new(latencies::Latencies { title, metrics }),
        P::Totals { title, metrics } => Box::new(totals::Totals { title, metrics }),
        P::NodeTable { title, columns } => Box::new(node_table::NodeTable { title, columns }),
        P::LockTable { title } => Box::new(lock_table::LockTable { title }),
        P::WaitFor { title } => Box::new(wait_for::WaitForGraph { title }),
        P::Contention { title, locks } => Box::new(contention::Contention { title, locks }),
        P::Spans { title, metrics } => Box::new(spans::Spans { title, metrics }),
        P::Queues { title } => Box::new(queues::Queues { title }),
        P::Stream { title, head, readers, entries } => Box::new(stream::Stream { title, head, readers, entries: *entries }),
    }
}

/// Draws every panel of `s.panels` inside `area`.
pub fn render(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    if s.panels.is_empty() {
        put_within(
            buf,
            area.x,
            area.y,
            area.width,
            "This lesson declares no metrics panels.",
            theme.dim(),
        );
        return;
    }
    let panels: Vec<Box<dyn PanelDraw>> = s.panels.iter().map(drawer).collect();
    let cols = Cols::new(panels.iter().map(|p| p.columns()), area);
    let now = s.now();
    let span = s.lesson().length.max(MIN_SPAN);
    let win = Window::new(now, span, cols.cw as usize);
    let reads_nodes = panels.iter().any(|p| p.reads().nodes);
    let reads_locks = panels.iter().any(|p| p.reads().locks);
    let reads_queues = panels.iter().any(|p| p.reads().queues);
    let cx = DrawCx {
        theme,
        m: s.run.cluster().metrics(),
        views: if reads_nodes {
            s.run.cluster().node_views()
        } else {
            Vec::new()
        },
        locks: if reads_locks {
            LockState::new(s.run.cluster().locks())
        } else {
            LockState::default()
        },
        queues: if reads_queues {
            s.run.cluster().queues()
        } else {
            Vec::new()
        },
        selected: s.selected,
        now,
        win,
        cols,
        wrap: std::cell::Cell::new(true),
    };
    let headline = headline_marks(&s.panels, s.lesson().scenario.headline);
    let plan = plan::plan(&cx, &panels, &headline, area.height);
    let mut y = area.y;
    for (((panel, form), &rows), &wraps) in panels
        .iter()
        .zip(&plan.forms)
        .zip(&plan.rows)
        .zip(&headline)
    {
        if rows == 0 {
            continue;
        }
        cx.wrap.set(wraps);
        let h = panel.height(&cx, *form);
        if rows < h {
            // A partial panel: drawn whole aside, its top rows copied.
            let mut whole = Buffer::empty(Rect::new(area.x, y, area.width, h));
            panel.draw(&cx, *form, y, &mut whole);
            for row in y..y + rows {
                for x in area.left()..area.right() {
                    buf[(x, row)] = whole[(x, row)].clone();
                }
            }
        } else {
            panel.draw(&cx, *form, y, buf);
        }
        y += rows;
    }
    if plan.axis {
        window::draw_axis(&cx, y, buf);
    }
}

/// The series a panel draws, by metric name, in its order.
fn panel_series(panel: &Panel) -> &[(String, String)] {
    use Panel as P;
    match panel {
        P::Gauges { metrics, .. }
        | P::Rates { metrics, .. }
        | P::Latencies { metrics, .. }
        | P::Totals { metrics, .. }
        | P::Spans { metrics, .. } => metrics,
        _ => &[],
    }
}

/// Which panels are the headline's: for each headline metric, the first
/// panel that shows it.
fn headline_marks(panels: &[Panel], headline: &[&str]) -> Vec<bool> {
    let mut marks = vec![false; panels.len()];
    for metric in headline {
        if let Some(i) = panels
            .iter()
            .position(|p| panel_series(p).iter().any(|(m, _)| m == metric))
        {
            marks[i] = true;
        }
    }
    marks
}

/// A headline metric as the metrics pane shows it: its label and its value
/// now, each as drawn (a total, a rate or a gauge's value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headline {
    pub metric: String,
    pub label: String,
    pub value: String,
}

/// The headline metrics of the session's lesson, as the first panel that
/// shows each draws it (those on no panel are left out).
pub fn headlines(s: &Session) -> Vec<Headline> {
    let m = s.run.cluster().metrics();
    let now = s.now();
    let mut out = Vec::new();
    for metric in s.lesson().scenario.headline {
        let Some((panel, label)) = s.panels.iter().find_map(|p| {
            panel_series(p)
                .iter()
                .find(|(name, _)| name == metric)
                .map(|(_, label)| (p, label))
        }) else {
            continue;
        };
        let value = match panel {
            Panel::Totals { .. } => totals::value_text(m, metric),
            Panel::Rates { .. } => rates::value_text(m, metric, now),
            Panel::Gauges { .. } => gauges::value_text(m.current(metric)),
            _ => continue,
        };
        out.push(Headline {
            metric: metric.to_string(),
            label: label.clone(),
            value,
        });
    }
    out
}

#[cfg(test)]
mod tests;

/// Helpers for the tests of each kind of panel.
#[cfg(test)]
mod test_support {
    use super::*;
    use crate::sim::{LockClaim, LockView, Metrics};

    /// A mutex `name` held by `holder` since 1 s, with `waiters` waiting
    /// since the given second.
    pub fn lock(name: &str, holder: &str, waiters: &[(&str, u64)]) -> LockView {
        LockView {
            holders: vec![LockClaim::new(holder, Time::secs(1))],
            waiters: waiters
                .iter()
                .map(|(w, at)| LockClaim::new(*w, Time::secs(*at)))
                .collect(),
            ..LockView::mutex(name)
        }
    }

    /// Draws `panel` alone, rich, into a `w`×`h` buffer at 20 s, from
    /// `locks` and `m`.
    pub fn draw(panel: &Panel, locks: Vec<LockView>, m: &Metrics, w: u16, h: u16) -> String {
        let theme = Theme::monochrome();
        let area = Rect::new(0, 0, w, h);
        let drawer = drawer(panel);
        let cols = Cols::new([drawer.columns()], area);
        let now = Time::secs(20);
        let cx = DrawCx {
            theme: &theme,
            m,
            views: Vec::new(),
            locks: LockState::new(locks),
            queues: Vec::new(),
            selected: 0,
            now,
            win: Window::new(now, Time::secs(20), cols.cw as usize),
            cols,
            wrap: std::cell::Cell::new(true),
        };
        let mut buf = Buffer::empty(area);
        drawer.draw(&cx, plan::Form::Rich { rows: 1 }, 0, &mut buf);
        crate::ui::panes::buffer_text(&buf)
    }

    /// Draws `panel` alone, rich, into a `w`×`h` buffer at 20 s, from `queues`.
    pub fn draw_queues(
        panel: &Panel,
        queues: Vec<crate::sim::QueueView>,
        w: u16,
        h: u16,
    ) -> String {
        let theme = Theme::monochrome();
        let area = Rect::new(0, 0, w, h);
        let drawer = drawer(panel);
        let cols = Cols::new([drawer.columns()], area);
        let now = Time::secs(20);
        let m = Metrics::default();
        let cx = DrawCx {
            theme: &theme,
            m: &m,
            views: Vec::new(),
            locks: LockState::default(),
            queues,
            selected: 0,
            now,
            win: Window::new(now, Time::secs(20), cols.cw as usize),
            cols,
            wrap: std::cell::Cell::new(true),
        };
        let mut buf = Buffer::empty(area);
        drawer.draw(&cx, plan::Form::Rich { rows: 1 }, 0, &mut buf);
        crate::ui::panes::buffer_text(&buf)
    }
}

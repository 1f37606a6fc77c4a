//! The panels about locks: the lock table, the wait-for graph, contention
//! over time, and spans (leases and their tokens). Like the rest of the
//! metrics pane they read only what any scenario exposes: the locks its nodes
//! report ([`LockView`]) and gauges.

use super::{Cx, Form, gauge_cells};
use crate::scenarios::{lock_held_metric, lock_waiting_metric};
use crate::sim::{LockView, Stat, Time, WaitFor};
use crate::ui::text::{self, put_within};
use ratatui::buffer::Buffer;
use ratatui::style::Style;

/// Most rows a lock table or a wait-for graph takes before it says "+N more".
pub(super) const MAX_LOCK_ROWS: usize = 12;

/// Glyphs of a contention chart: held with nobody waiting, held and contended.
const HELD: &str = "▄";
const CONTENDED: &str = "█";
/// A span's bar.
const SPAN: &str = "━";

/// What the lock panels need from the locks, computed once per frame.
#[derive(Debug, Default)]
pub(super) struct LockState {
    pub locks: Vec<LockView>,
    pub graph: WaitFor,
    /// The owners on a wait-for cycle, if there is one.
    pub cycle: Option<Vec<String>>,
}

impl LockState {
    pub fn new(locks: Vec<LockView>) -> LockState {
        let graph = WaitFor::from_locks(&locks);
        let cycle = graph.cycle();
        LockState {
            locks,
            graph,
            cycle,
        }
    }

    fn on_cycle(&self, owner: &str) -> bool {
        self.cycle
            .as_ref()
            .is_some_and(|c| c.iter().any(|o| o == owner))
    }

    /// Rows of the wait-for graph beyond its title: two for a cycle, one per
    /// other waiting owner, or one saying nobody waits.
    pub fn graph_rows(&self) -> usize {
        let cycle = if self.cycle.is_some() { 2 } else { 0 };
        let others = self.waiters_off_cycle().len();
        (cycle + others).clamp(1, MAX_LOCK_ROWS)
    }

    /// Owners that wait but are not on the cycle, in order of first wait.
    fn waiters_off_cycle(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in self.graph.edges() {
            if !self.on_cycle(&e.waiter) && !out.contains(&e.waiter.as_str()) {
                out.push(&e.waiter);
            }
        }
        out
    }

    /// How long the cycle has stood: since the last of its waits began.
    fn cycle_age(&self, now: Time) -> Option<Time> {
        let cycle = self.cycle.as_ref()?;
        let closed = self
            .locks
            .iter()
            .flat_map(|l| l.waiters.iter())
            .filter(|w| cycle.contains(&w.owner))
            .map(|w| w.since)
            .max()?;
        Some(now.saturating_sub(closed))
    }
}

impl Cx<'_> {
    // ----- the lock table -----

    pub(super) fn lock_table(&self, title: &str, form: Form, y: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let ls = &self.locks;
        let held = ls.locks.iter().filter(|l| !l.holders.is_empty()).count();
        let waiting: usize = ls.locks.iter().map(|l| l.waiters.len()).sum();
        let summary = format!("{held} of {} held, {waiting} waiting", ls.locks.len());
        if form == Form::Compact {
            let style = if waiting > 0 { t.warn() } else { t.strong() };
            self.compact(title, &[(String::new(), summary, style)], y, buf);
            return;
        }
        self.title(title, &summary, y, buf);
        if ls.locks.is_empty() {
            put_within(
                buf,
                c.x + 2,
                y + 1,
                c.width(),
                "no node keeps a lock",
                t.dim(),
            );
            return;
        }
        let name_w = ls
            .locks
            .iter()
            .map(|l| text::width(&l.name))
            .max()
            .unwrap_or(1)
            .min(12) as u16;
        let shown = ls.locks.len().min(MAX_LOCK_ROWS);
        for (i, lock) in ls.locks.iter().take(shown).enumerate() {
            let row = y + 1 + i as u16;
            if i + 1 == shown && shown < ls.locks.len() {
                let text = format!("+{} more locks", ls.locks.len() - shown + 1);
                put_within(buf, c.x + 2, row, c.width(), &text, t.dim());
                break;
            }
            self.lock_row(lock, name_w, row, buf);
        }
    }

    fn lock_row(&self, lock: &LockView, name_w: u16, row: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let ls = &self.locks;
        let deadlocked = |owner: &str| ls.on_cycle(owner);
        let name_style = if !lock.waiters.is_empty() {
            t.warn()
        } else {
            t.strong()
        };
        put_within(buf, c.x + 2, row, name_w, &lock.name, name_style);
        let mut x = c.x + 3 + name_w;
        let end = c.right;
        let room = |x: u16| end.saturating_sub(x);
        if lock.capacity > 1 {
            let text = format!("{}/{} ", lock.holders.len(), lock.capacity);
            x = put_within(buf, x, row, room(x), &text, t.dim());
        }
        if lock.holders.is_empty() {
            x = put_within(buf, x, row, room(x), "free", t.dim());
        }
        for (i, h) in lock.holders.iter().enumerate() {
            if i > 0 {
                x = put_within(buf, x, row, room(x), ", ", t.dim());
            }
            let style = if deadlocked(&h.owner) {
                t.bad()
            } else {
                t.good()
            };
            x = put_within(buf, x, row, room(x), "■ ", style);
            x = put_within(buf, x, row, room(x), &h.owner, t.strong());
            let held = format!(" {}", text::instant(self.now.saturating_sub(h.since)));
            x = put_within(buf, x, row, room(x), &held, t.dim());
        }
        if !lock.waiters.is_empty() {
            x = put_within(buf, x, row, room(x), "  ◀ ", t.warn());
            for (i, w) in lock.waiters.iter().enumerate() {
                if i > 0 {
                    x = put_within(buf, x, row, room(x), " › ", t.dim());
                }
                let style = if deadlocked(&w.owner) {
                    t.bad()
                } else {
                    t.text()
                };
                x = put_within(buf, x, row, room(x), &w.owner, style);
                let waited = format!(" {}", text::instant(self.now.saturating_sub(w.since)));
                x = put_within(buf, x, row, room(x), &waited, t.warn());
            }
        }
        if !lock.note.is_empty() {
            x = put_within(buf, x, row, room(x), "  ", t.dim());
            put_within(buf, x, row, room(x), &lock.note, t.dim());
        }
    }

    // ----- the wait-for graph -----

    pub(super) fn wait_for(&self, title: &str, form: Form, y: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let ls = &self.locks;
        let waits = ls.graph.edges().len();
        let (summary, style) = match (&ls.cycle, ls.cycle_age(self.now)) {
            (Some(cycle), age) => {
                let mut text = format!("DEADLOCK: {}", ring_text(cycle));
                if let Some(age) = age {
                    text.push_str(&format!(" for {}", text::instant(age)));
                }
                (text, t.bad().patch(t.strong()))
            }
            (None, _) if waits == 0 => ("nobody waits".to_string(), t.dim()),
            (None, _) => (
                format!(
                    "{waits} wait{}, no cycle",
                    if waits == 1 { "" } else { "s" }
                ),
                t.warn(),
            ),
        };
        if form == Form::Compact {
            self.compact(title, &[(String::new(), summary, style)], y, buf);
            return;
        }
        let x = self.title(title, "", y, buf);
        put_within(
            buf,
            x + 2,
            y,
            c.right.saturating_sub(x + 2),
            &summary,
            style,
        );
        let mut row = y + 1;
        let last = y + ls.graph_rows() as u16;
        if let Some(cycle) = &ls.cycle {
            self.ring(cycle, row, buf);
            row += 2;
        } else if waits == 0 {
            put_within(buf, c.x + 2, row, c.width(), "no edges", t.dim());
            return;
        }
        // The other waits, one line per waiter: who it waits for, and for what.
        let others = ls.waiters_off_cycle();
        for (i, owner) in others.iter().enumerate() {
            if row > last {
                break;
            }
            if row == last && i + 1 < others.len() {
                let text = format!("+{} more waiting", others.len() - i);
                put_within(buf, c.x + 2, row, c.width(), &text, t.dim());
                break;
            }
            let mut x = put_within(buf, c.x + 2, row, c.width(), owner, t.text());
            for e in ls.graph.edges().iter().filter(|e| e.waiter == *owner) {
                let arrow = format!(" ─{}─▶ ", e.lock);
                x = put_within(buf, x, row, c.right.saturating_sub(x), &arrow, t.dim());
                let style = if ls.on_cycle(&e.holder) {
                    t.bad()
                } else {
                    t.strong()
                };
                x = put_within(buf, x, row, c.right.saturating_sub(x), &e.holder, style);
            }
            row += 1;
        }
    }

    /// The cycle as a ring on two lines: each owner, the lock it waits for,
    /// the next owner, and a line back from the last to the first.
    fn ring(&self, cycle: &[String], row: u16, buf: &mut Buffer) {
        let t = self.theme;
        let c = self.cols;
        let bad = t.bad();
        let lock_of = |waiter: &str, holder: &str| -> String {
            self.locks
                .graph
                .edges()
                .iter()
                .find(|e| e.waiter == waiter && e.holder == holder)
                .map(|e| e.lock.clone())
                .unwrap_or_default()
        };
        let x0 = c.x + 2;
        let mut x = put_within(buf, x0, row, c.width(), "╭▶ ", bad);
        for (i, owner) in cycle.iter().enumerate() {
            let next = &cycle[(i + 1) % cycle.len()];
            x = put_within(buf, x, row, c.right.saturating_sub(x), owner, t.strong());
            let arrow = if i + 1 < cycle.len() {
                format!(" ─{}─▶ ", lock_of(owner, next))
            } else {
                format!(" ─{}─╮", lock_of(owner, next))
            };
            x = put_within(buf, x, row, c.right.saturating_sub(x), &arrow, bad);
        }
        let end = x.saturating_sub(1).min(c.right.saturating_sub(1));
        put_within(buf, x0, row + 1, 1, "╰", bad);
        for col in x0 + 1..end {
            put_within(buf, col, row + 1, 1, "─", bad);
        }
        if end > x0 {
            put_within(buf, end, row + 1, 1, "╯", bad);
        }
    }

    // ----- contention -----

    pub(super) fn contention(
        &self,
        title: &str,
        locks: &[String],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let from = self.win.from;
        let share = |metric: &str| -> f64 {
            self.m
                .query(metric, Stat::Busy, from, self.now)
                .unwrap_or(0.0)
        };
        let shares: Vec<(f64, f64)> = locks
            .iter()
            .map(|l| (share(&lock_held_metric(l)), share(&lock_waiting_metric(l))))
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
                        format!("{}/{}", text::share(h), text::share(w)),
                        style,
                    )
                })
                .collect();
            self.compact(title, &items, y, buf);
            return;
        }
        let note = format!(
            "{HELD} held  {CONTENDED} someone waiting;  now: held %, contended % since {}",
            text::instant(from)
        );
        self.title(title, &note, y, buf);
        for (i, lock) in locks.iter().enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), lock, t.text());
            let held = gauge_cells(self.m.gauge_points(&lock_held_metric(lock)), &self.win);
            let waiting = gauge_cells(self.m.gauge_points(&lock_waiting_metric(lock)), &self.win);
            for (j, (h, w)) in held.iter().zip(&waiting).enumerate() {
                let x = c.chart_x() + j as u16;
                if w.is_some_and(|w| w > 0.0) {
                    put_within(buf, x, row, 1, CONTENDED, t.warn());
                } else if h.is_some_and(|h| h > 0.0) {
                    put_within(buf, x, row, 1, HELD, t.good());
                }
            }
            let (h, w) = shares[i];
            let text = format!("{:>4} {:>4}", text::share(h), text::share(w));
            let style = if w > 0.5 { t.warn() } else { t.strong() };
            put_within(buf, c.value_x(), row, c.vw, &text, style);
        }
    }

    // ----- spans -----

    pub(super) fn spans(
        &self,
        title: &str,
        metrics: &[(String, String)],
        form: Form,
        y: u16,
        buf: &mut Buffer,
    ) {
        let t = self.theme;
        let c = self.cols;
        let value_text = |v: Option<f64>| match v {
            Some(v) if v > 0.0 => format!("{v:.0}"),
            _ => "–".to_string(),
        };
        if form == Form::Compact {
            let items: Vec<_> = metrics
                .iter()
                .map(|(m, label)| (label.clone(), value_text(self.m.current(m)), t.strong()))
                .collect();
            self.compact(title, &items, y, buf);
            return;
        }
        self.title(title, "bars where held, labelled with the value", y, buf);
        // Rows whose stretches overlap one of another row are the ones to see.
        let cells: Vec<Vec<Option<f64>>> = metrics
            .iter()
            .map(|(m, _)| gauge_cells(self.m.gauge_points(m), &self.win))
            .collect();
        for (i, ((metric, label), row_cells)) in metrics.iter().zip(&cells).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), label, t.text());
            self.span_row(row_cells, row, buf);
            let text = format!("{:>w$}", value_text(self.m.current(metric)), w = 4);
            put_within(buf, c.value_x(), row, c.vw, &text, t.strong());
        }
    }

    /// One row of bars: each stretch of one value starts with the value.
    fn span_row(&self, cells: &[Option<f64>], row: u16, buf: &mut Buffer) {
        let c = self.cols;
        let t = self.theme;
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
            if text::width(&label) as u16 <= len {
                put_within(buf, x, row, len, &label, style.patch(t.strong()));
            }
        }
    }
}

/// The colour of a span with value `v`: the same value has the same colour in
/// every row, so one lease's token lines up across views of it.
fn span_style(theme: &crate::ui::theme::Theme, v: f64) -> Style {
    theme.series(v as usize)
}

/// `w1 → w3 → w1`.
fn ring_text(cycle: &[String]) -> String {
    let mut text = cycle.join(" → ");
    if let Some(first) = cycle.first() {
        text.push_str(" → ");
        text.push_str(first);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::super::{Cols, Window};
    use super::*;
    use crate::scenarios::Panel;
    use crate::sim::{LockClaim, Metrics};
    use crate::ui::theme::Theme;
    use ratatui::layout::Rect;

    fn lock(name: &str, holder: &str, waiters: &[(&str, u64)]) -> LockView {
        LockView {
            holders: vec![LockClaim::new(holder, Time::secs(1))],
            waiters: waiters
                .iter()
                .map(|(w, at)| LockClaim::new(*w, Time::secs(*at)))
                .collect(),
            ..LockView::mutex(name)
        }
    }

    /// Draws `panel` rich into a `w`×`h` buffer at 20 s, from `locks` and `m`.
    fn draw(panel: &Panel, locks: Vec<LockView>, m: &Metrics, w: u16, h: u16) -> String {
        let theme = Theme::monochrome();
        let area = Rect::new(0, 0, w, h);
        let panels = [panel.clone()];
        let cols = Cols::new(&panels, area);
        let now = Time::secs(20);
        let cx = Cx {
            theme: &theme,
            m,
            views: Vec::new(),
            locks: LockState::new(locks),
            selected: 0,
            now,
            win: Window::new(now, Time::secs(20), cols.cw as usize),
            cols,
        };
        let mut buf = Buffer::empty(area);
        cx.draw(panel, Form::Rich { rows: 1 }, 0, &mut buf);
        crate::ui::panes::buffer_text(&buf)
    }

    #[test]
    fn the_lock_table_lists_holders_then_waiters_in_line_with_their_waits() {
        let locks = vec![
            lock("acct1", "w1", &[("w2", 15), ("w3", 18)]),
            LockView::mutex("acct2"),
        ];
        let panel = Panel::LockTable {
            title: "Locks".into(),
        };
        let out = draw(&panel, locks, &Metrics::default(), 80, 4);
        println!("{out}");
        assert!(out.contains("1 of 2 held, 2 waiting"), "{out}");
        let row = out.lines().nth(1).unwrap();
        assert!(row.contains("acct1 ■ w1 19s  ◀ w2 5s › w3 2s"), "{out}");
        assert!(out.lines().nth(2).unwrap().contains("acct2 free"), "{out}");
    }

    #[test]
    fn a_cycle_shows_as_a_ring_and_other_waits_below_it() {
        let locks = vec![
            lock("acct1", "w1", &[("w2", 12), ("w4", 15)]),
            lock("acct2", "w2", &[("w1", 14)]),
        ];
        let panel = Panel::WaitFor {
            title: "Wait-for".into(),
        };
        let out = draw(&panel, locks.clone(), &Metrics::default(), 80, 5);
        println!("{out}");
        assert!(out.contains("DEADLOCK: w1 → w2 → w1 for 6s"), "{out}");
        assert!(out.contains("╭▶ w1 ─acct2─▶ w2 ─acct1─╮"), "{out}");
        assert!(out.contains("╰──"), "{out}");
        assert!(out.contains("w4 ─acct1─▶ w1"), "{out}");
        // Without the second lock's wait there is no cycle, only waits.
        let out = draw(&panel, locks[..1].to_vec(), &Metrics::default(), 80, 5);
        assert!(out.contains("2 waits, no cycle"), "{out}");
        assert!(!out.contains("DEADLOCK"), "{out}");
    }

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

//! The wait-for graph: who waits for whom, for which lock; a cycle (a
//! deadlock) drawn as a ring, with how long it has stood, and the other
//! waits below it.

use super::panel::{DrawCx, PanelDraw, Reads};
use super::plan::Form;
use crate::ui::text::{instant, put_within};
use ratatui::buffer::Buffer;

pub(super) struct WaitForGraph<'a> {
    pub title: &'a str,
}

impl PanelDraw for WaitForGraph<'_> {
    fn reads(&self) -> Reads {
        Reads {
            locks: true,
            ..Reads::default()
        }
    }

    fn rich_height(&self, cx: &DrawCx, _rows: u16) -> u16 {
        1 + cx.locks.graph_rows() as u16
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let ls = &cx.locks;
        let waits = ls.graph.edges().len();
        let (summary, style) = match (&ls.cycle, ls.cycle_age(cx.now)) {
            (Some(cycle), age) => {
                let mut text = format!("DEADLOCK: {}", ring_text(cycle));
                if let Some(age) = age {
                    text.push_str(&format!(" for {}", instant(age)));
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
            cx.compact(title, &[(String::new(), summary, style)], y, buf);
            return;
        }
        let x = cx.title(title, "", y, buf);
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
            ring(cx, cycle, row, buf);
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
}

/// The cycle as a ring on two lines: each owner, the lock it waits for,
/// the next owner, and a line back from the last to the first.
fn ring(cx: &DrawCx, cycle: &[String], row: u16, buf: &mut Buffer) {
    let t = cx.theme;
    let c = cx.cols;
    let bad = t.bad();
    let lock_of = |waiter: &str, holder: &str| -> String {
        cx.locks
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
    use super::super::test_support::{draw, lock};
    use crate::scenarios::Panel;
    use crate::sim::Metrics;

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
}

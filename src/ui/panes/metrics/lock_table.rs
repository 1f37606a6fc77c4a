//! The lock table: every lock the nodes keep, with its holders and how long
//! each has held it, its waiters in line with how long each has waited, and
//! its note; holders and waiters on a deadlock cycle stand out.

use super::lock_state::MAX_LOCK_ROWS;
use super::panel::{DrawCx, PanelDraw, Reads};
use super::plan::Form;
use crate::sim::LockView;
use crate::ui::text::{instant, put_within, width};
use ratatui::buffer::Buffer;

pub(super) struct LockTable<'a> {
    pub title: &'a str,
}

impl PanelDraw for LockTable<'_> {
    fn reads(&self) -> Reads {
        Reads {
            locks: true,
            ..Reads::default()
        }
    }

    fn rich_height(&self, cx: &DrawCx, _rows: u16) -> u16 {
        1 + cx.locks.locks.len().clamp(1, MAX_LOCK_ROWS) as u16
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let ls = &cx.locks;
        let held = ls.locks.iter().filter(|l| !l.holders.is_empty()).count();
        let waiting: usize = ls.locks.iter().map(|l| l.waiters.len()).sum();
        let summary = format!("{held} of {} held, {waiting} waiting", ls.locks.len());
        if form == Form::Compact {
            let style = if waiting > 0 { t.warn() } else { t.strong() };
            cx.compact(title, &[(String::new(), summary, style)], y, buf);
            return;
        }
        cx.title(title, &summary, y, buf);
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
            .map(|l| width(&l.name))
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
            lock_row(cx, lock, name_w, row, buf);
        }
    }
}

fn lock_row(cx: &DrawCx, lock: &LockView, name_w: u16, row: u16, buf: &mut Buffer) {
    let t = cx.theme;
    let c = cx.cols;
    let ls = &cx.locks;
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
        let held = format!(" {}", instant(cx.now.saturating_sub(h.since)));
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
            let waited = format!(" {}", instant(cx.now.saturating_sub(w.since)));
            x = put_within(buf, x, row, room(x), &waited, t.warn());
        }
    }
    if !lock.note.is_empty() {
        x = put_within(buf, x, row, room(x), "  ", t.dim());
        put_within(buf, x, row, room(x), &lock.note, t.dim());
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{draw, lock};
    use crate::scenarios::Panel;
    use crate::sim::{LockView, Metrics};

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
}

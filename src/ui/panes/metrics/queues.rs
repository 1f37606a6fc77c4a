//! The queue panel: every queue the nodes keep. For each, how many messages
//! wait and how long the oldest has waited, the first of them, then the
//! messages out with consumers: which consumer has each, how long before
//! its lease runs out and it is delivered again, and how many times it has
//! been received. A dead-letter queue is one line: what it holds.

use super::panel::{DrawCx, PanelDraw, Reads};
use super::plan::Form;
use crate::sim::QueueView;
use crate::ui::text::{instant, put_within, width};
use ratatui::buffer::Buffer;

/// The most queues listed; more are counted.
const MAX_QUEUES: usize = 8;

pub(super) struct Queues<'a> {
    pub title: &'a str,
}

/// Rows a queue takes when rich: a dead-letter queue one, others two.
fn rows(q: &QueueView) -> u16 {
    if q.dead_letter { 1 } else { 2 }
}

impl PanelDraw for Queues<'_> {
    fn reads(&self) -> Reads {
        Reads {
            queues: true,
            ..Reads::default()
        }
    }

    fn rich_height(&self, cx: &DrawCx, _rows: u16) -> u16 {
        let qs = &cx.queues;
        1 + qs.iter().take(MAX_QUEUES).map(rows).sum::<u16>().max(1)
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let t = cx.theme;
        let c = cx.cols;
        let qs = &cx.queues;
        let live: Vec<&QueueView> = qs.iter().filter(|q| !q.dead_letter).collect();
        let waiting: usize = live.iter().map(|q| q.ready).sum();
        let out: usize = live.iter().map(|q| q.in_flight.len()).sum();
        let dead: usize = qs.iter().filter(|q| q.dead_letter).map(|q| q.ready).sum();
        let mut summary = format!("{waiting} waiting, {out} in flight");
        if qs.iter().any(|q| q.dead_letter) {
            summary.push_str(&format!(", {dead} dead-lettered"));
        }
        if form == Form::Compact {
            let style = if dead > 0 { t.warn() } else { t.strong() };
            cx.compact(self.title, &[(String::new(), summary, style)], y, buf);
            return;
        }
        cx.title(self.title, &summary, y, buf);
        if qs.is_empty() {
            put_within(
                buf,
                c.x + 2,
                y + 1,
                c.width().saturating_sub(2),
                "no node keeps a queue",
                t.dim(),
            );
            return;
        }
        let name_w = qs.iter().map(|q| width(&q.name)).max().unwrap_or(1).min(14) as u16;
        let mut row = y + 1;
        for (i, q) in qs.iter().enumerate() {
            if i == MAX_QUEUES {
                break;
            }
            if i + 1 == MAX_QUEUES && qs.len() > MAX_QUEUES {
                let text = format!("+{} more queues", qs.len() - i);
                put_within(buf, c.x + 2, row, c.width(), &text, t.dim());
                break;
            }
            queue_rows(cx, q, name_w, row, buf);
            row += rows(q);
        }
    }
}

fn queue_rows(cx: &DrawCx, q: &QueueView, name_w: u16, row: u16, buf: &mut Buffer) {
    let t = cx.theme;
    let c = cx.cols;
    let end = c.right;
    let room = |x: u16| end.saturating_sub(x);
    let x0 = c.x + 2;
    let name_style = if q.dead_letter && q.ready > 0 {
        t.bad()
    } else {
        t.strong()
    };
    put_within(buf, x0, row, name_w, &q.name, name_style);
    let mut x = x0 + name_w + 1;
    if q.dead_letter {
        let count = format!("{} dead", q.ready);
        let style = if q.ready > 0 { t.bad() } else { t.dim() };
        x = put_within(buf, x, row, room(x), &count, style);
        x = put_list(cx, &q.head, q.ready, x, row, buf);
        if !q.note.is_empty() {
            x = put_within(buf, x, row, room(x), "  ", t.dim());
            put_within(buf, x, row, room(x), &q.note, t.dim());
        }
        return;
    }
    let count = format!("{} waiting", q.ready);
    let style = if q.ready > 0 { t.warn() } else { t.good() };
    x = put_within(buf, x, row, room(x), &count, style);
    if let Some(since) = q.oldest {
        let age = format!(", oldest {}", instant(cx.now.saturating_sub(since)));
        x = put_within(buf, x, row, room(x), &age, t.text());
    }
    x = put_list(cx, &q.head, q.ready, x, row, buf);
    if !q.note.is_empty() {
        x = put_within(buf, x, row, room(x), "  ", t.dim());
        put_within(buf, x, row, room(x), &q.note, t.dim());
    }
    // The leases.
    let row = row + 1;
    let mut x = x0 + 2;
    if q.in_flight.is_empty() {
        put_within(buf, x, row, room(x), "nothing in flight", t.dim());
        return;
    }
    for (i, l) in q.in_flight.iter().enumerate() {
        let left = l.until.saturating_sub(cx.now);
        let mut text = format!("{}→{} {}", l.message, l.consumer, instant(left));
        if l.receives > 1 {
            text.push_str(&format!(" ×{}", l.receives));
        }
        let rest = q.in_flight.len() - i;
        let more = format!("+{rest}");
        let need = width(&text) as u16 + 2;
        // Leave room for the count of those that do not fit.
        let reserve = if rest > 1 { width(&more) as u16 + 1 } else { 0 };
        if x + need + reserve > end && i > 0 {
            put_within(buf, x, row, room(x), &more, t.dim());
            return;
        }
        let style = if l.receives > 1 { t.warn() } else { t.info() };
        x = put_within(buf, x, row, room(x), "▶ ", style);
        x = put_within(buf, x, row, room(x), &text, t.text());
        x = put_within(buf, x, row, room(x), "  ", t.text());
    }
}

/// Labels in a row, as many as fit, then how many more there are.
fn put_list(
    cx: &DrawCx,
    labels: &[String],
    total: usize,
    mut x: u16,
    row: u16,
    buf: &mut Buffer,
) -> u16 {
    let t = cx.theme;
    let end = cx.cols.right;
    for (i, l) in labels.iter().enumerate() {
        let rest = total - i;
        let tail = format!("+{rest}");
        let need = width(l) as u16 + 1 + if rest > 1 { width(&tail) as u16 } else { 0 };
        if x + need > end {
            // Nothing but a count would fit: the count is on the line already.
            if i == 0 {
                return x;
            }
            return put_within(buf, x, row, end.saturating_sub(x), &tail, t.dim());
        }
        if i == 0 {
            x = put_within(buf, x, row, end - x, ": ", t.dim());
        }
        x = put_within(buf, x, row, end.saturating_sub(x), l, t.text());
        x = put_within(buf, x, row, end.saturating_sub(x), " ", t.text());
    }
    if total > labels.len() {
        let tail = format!("+{}", total - labels.len());
        x = put_within(buf, x, row, end.saturating_sub(x), &tail, t.dim());
    }
    x
}

#[cfg(test)]
mod tests {
    use super::super::test_support::draw_queues;
    use crate::scenarios::Panel;
    use crate::sim::{QueueLease, QueueView, Time};

    fn orders() -> QueueView {
        let mut q = QueueView::new("orders");
        q.ready = 12;
        q.head = vec!["m31".into(), "m32".into(), "m33 large".into()];
        q.oldest = Some(Time::secs(15));
        q.in_flight = vec![
            QueueLease {
                message: "m29".into(),
                consumer: "c1".into(),
                until: Time::millis(21_500),
                receives: 1,
            },
            QueueLease {
                message: "m30".into(),
                consumer: "c2".into(),
                until: Time::secs(24),
                receives: 3,
            },
        ];
        q.note = "burst drained in 58s".into();
        q
    }

    #[test]
    fn a_queue_shows_its_waiting_messages_its_leases_and_its_dead_letters() {
        let mut dlq = QueueView::new("orders.dlq");
        dlq.dead_letter = true;
        dlq.ready = 1;
        dlq.head = vec!["m7 poison ×5".into()];
        let panel = Panel::Queues {
            title: "Queues".into(),
        };
        let out = draw_queues(&panel, vec![orders(), dlq], 100, 5);
        println!("{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].contains("Queues  12 waiting, 2 in flight, 1 dead-lettered"),
            "{out}"
        );
        assert!(
            lines[1].contains("orders     12 waiting, oldest 5s: m31 m32 m33 large +9"),
            "{out}"
        );
        assert!(lines[1].contains("burst drained in 58s"), "{out}");
        assert!(lines[2].contains("▶ m29→c1 1.5s  ▶ m30→c2 4s ×3"), "{out}");
        assert!(
            lines[3].contains("orders.dlq 1 dead: m7 poison ×5"),
            "{out}"
        );
    }

    #[test]
    fn leases_that_do_not_fit_are_counted() {
        let mut q = orders();
        for i in 0..20 {
            q.in_flight.push(QueueLease {
                message: format!("m{}", 100 + i),
                consumer: "c3".into(),
                until: Time::secs(25),
                receives: 1,
            });
        }
        let panel = Panel::Queues {
            title: "Queues".into(),
        };
        let out = draw_queues(&panel, vec![q], 60, 3);
        println!("{out}");
        let leases = out.lines().nth(2).unwrap();
        assert!(leases.trim_end().ends_with("▶ m100→c3 5s  +19"), "{out}");
        assert!(
            out.lines().all(|l| crate::ui::text::width(l) <= 60),
            "{out}"
        );
    }

    #[test]
    fn no_queue_says_so() {
        let panel = Panel::Queues {
            title: "Queues".into(),
        };
        let out = draw_queues(&panel, Vec::new(), 60, 2);
        assert!(out.contains("no node keeps a queue"), "{out}");
    }
}

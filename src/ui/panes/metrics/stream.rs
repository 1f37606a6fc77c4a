//! A stream: an append-only log drawn along its offsets, not along time.
//! Each reader (a projection, a consumer, a rebuild, a snapshot) is a bar
//! from offset 0 to its position, on a track as long as the log, with its
//! position at the bar's tip and its lag behind the head in the value
//! column; a reader not running (a negative position) shows as none. Under
//! them, the newest entries as the node keeping the log lists them.

use super::panel::{DrawCx, PanelDraw, Reads, Widths, labels_width};
use super::plan::Form;
use crate::ui::text::{put_within, width};
use ratatui::buffer::Buffer;

/// The value column: `lag 12345`.
const VALUE: usize = 10;
/// The label of the entries' row.
const NEWEST: &str = "newest";
/// A reader's bar, its tip, and the track of the log ahead of it.
const BAR: &str = "━";
const TIP: &str = "╸";
const TRACK: &str = "┄";

pub(super) struct Stream<'a> {
    pub title: &'a str,
    pub head: &'a str,
    pub readers: &'a [(String, String)],
    pub entries: Option<&'static str>,
}

/// A reader's position now: `None` if it is not running.
fn position(cx: &DrawCx, metric: &str) -> Option<u64> {
    cx.m.current(metric).filter(|v| *v >= 0.0).map(|v| v as u64)
}

impl Stream<'_> {
    fn head(&self, cx: &DrawCx) -> u64 {
        cx.m.current(self.head).unwrap_or(0.0).max(0.0) as u64
    }

    /// The newest entries, newest first, from the first node listing any.
    fn entries(&self, cx: &DrawCx) -> Vec<String> {
        let Some(key) = self.entries else {
            return Vec::new();
        };
        cx.views
            .iter()
            .map(|v| {
                v.facts
                    .iter()
                    .filter(|(k, _)| *k == key)
                    .map(|(_, s)| s.clone())
                    .collect::<Vec<_>>()
            })
            .find(|e| !e.is_empty())
            .unwrap_or_default()
    }

    fn lag_text(head: u64, pos: Option<u64>) -> String {
        match pos {
            Some(p) => format!("lag {}", head.saturating_sub(p)),
            None => "–".into(),
        }
    }
}

impl PanelDraw for Stream<'_> {
    fn columns(&self) -> Widths {
        Widths {
            label: labels_width(self.readers).max(width(NEWEST)) + 2,
            value: VALUE,
        }
    }

    fn reads(&self) -> Reads {
        Reads {
            nodes: self.entries.is_some(),
            ..Reads::default()
        }
    }

    fn rich_height(&self, _cx: &DrawCx, _rows: u16) -> u16 {
        1 + self.readers.len().min(50) as u16 + u16::from(self.entries.is_some())
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let t = cx.theme;
        let c = cx.cols;
        let head = self.head(cx);
        if form == Form::Compact {
            let mut items = vec![("head".to_string(), head.to_string(), t.strong())];
            for (metric, label) in self.readers {
                let pos = position(cx, metric);
                let style = if pos.is_some() { t.strong() } else { t.dim() };
                items.push((label.clone(), Self::lag_text(head, pos), style));
            }
            cx.compact(self.title, &items, y, buf);
            return;
        }
        cx.title(
            self.title,
            &format!("head {head}, offsets 0–{head}"),
            y,
            buf,
        );
        let cw = c.cw as u64;
        for (i, (metric, label)) in self.readers.iter().take(50).enumerate() {
            let row = y + 1 + i as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), label, t.text());
            let pos = position(cx, metric);
            let x0 = c.chart_x();
            match pos {
                None => {
                    put_within(buf, x0, row, c.cw, "none", t.dim());
                }
                Some(p) => {
                    let filled = (p.min(head) * cw).checked_div(head).unwrap_or(0) as u16;
                    for j in 0..c.cw {
                        let (g, st) = if j + 1 < filled {
                            (BAR, t.series(i + 3))
                        } else if j + 1 == filled {
                            (TIP, t.series(i + 3))
                        } else {
                            (TRACK, t.dim())
                        };
                        put_within(buf, x0 + j, row, 1, g, st);
                    }
                    // The position at the tip, inside the bar if the track
                    // after it is too short.
                    let text = format!(" {p} ");
                    let w = width(&text) as u16;
                    let at = if filled + w <= c.cw {
                        x0 + filled
                    } else {
                        x0 + c.cw.saturating_sub(w)
                    };
                    if w <= c.cw {
                        put_within(buf, at, row, w, &text, t.strong());
                    }
                }
            }
            let lag = Self::lag_text(head, pos);
            let style = match pos {
                None => t.dim(),
                Some(p) if p >= head => t.good(),
                Some(_) => t.strong(),
            };
            let text = format!("{lag:>w$}", w = c.vw as usize);
            put_within(buf, c.value_x(), row, c.vw, &text, style);
        }
        if self.entries.is_some() {
            let row = y + 1 + self.readers.len().min(50) as u16;
            put_within(buf, c.x + 2, row, c.lw.saturating_sub(2), NEWEST, t.text());
            let entries = self.entries(cx);
            let mut x = c.chart_x();
            if entries.is_empty() {
                put_within(buf, x, row, c.right.saturating_sub(x), "empty", t.dim());
            }
            for (i, e) in entries.iter().enumerate() {
                if x >= c.right {
                    break;
                }
                if i > 0 {
                    x = put_within(buf, x, row, c.right - x, "  ", t.dim());
                }
                let style = if i == 0 { t.strong() } else { t.text() };
                x = put_within(buf, x, row, c.right.saturating_sub(x), e, style);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lock_state::LockState;
    use super::super::panel::{Cols, DrawCx, PanelDraw};
    use super::super::plan::Form;
    use super::super::window::Window;
    use super::Stream;
    use crate::scenarios::Panel;
    use crate::sim::{Health, Metrics, NodeView, Time};
    use crate::ui::theme::Theme;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    fn draw(m: &Metrics, views: Vec<NodeView>, form: Form, w: u16, h: u16) -> String {
        let panel = Panel::stream(
            "Event log",
            "log.head",
            &[
                ("read.pos", "read model"),
                ("rebuild.pos", "rebuild"),
                ("snap.pos", "snapshot"),
            ],
            Some("entry"),
        );
        let Panel::Stream {
            title,
            head,
            readers,
            entries,
        } = &panel
        else {
            unreachable!()
        };
        let s = Stream {
            title,
            head,
            readers,
            entries: *entries,
        };
        let theme = Theme::monochrome();
        let area = Rect::new(0, 0, w, h);
        let cols = Cols::new([s.columns()], area);
        let now = Time::secs(20);
        let cx = DrawCx {
            theme: &theme,
            m,
            views,
            locks: LockState::default(),
            queues: Vec::new(),
            selected: 0,
            now,
            win: Window::new(now, Time::secs(20), cols.cw as usize),
            cols,
            wrap: std::cell::Cell::new(true),
        };
        let mut buf = Buffer::empty(area);
        s.draw(&cx, form, 0, &mut buf);
        crate::ui::panes::buffer_text(&buf)
    }

    fn store(entries: &[&str]) -> NodeView {
        NodeView {
            id: 0,
            name: "store".into(),
            role: "store".into(),
            health: Health::Up,
            slow: 1.0,
            clock_offset: 0,
            facts: [("role", "store".to_string())]
                .into_iter()
                .chain(entries.iter().map(|e| ("entry", e.to_string())))
                .collect(),
        }
    }

    fn metrics() -> Metrics {
        let mut m = Metrics::default();
        m.gauge("log.head", Time::secs(1), 1000.0);
        m.gauge("read.pos", Time::secs(1), 1000.0);
        m.gauge("rebuild.pos", Time::secs(1), 250.0);
        m.gauge("snap.pos", Time::secs(1), 500.0);
        m
    }

    #[test]
    fn readers_are_bars_along_the_log_with_their_lag_and_the_newest_entries() {
        let out = draw(
            &metrics(),
            vec![store(&["#999 c1 +20", "#998 c2 -30"])],
            Form::Rich { rows: 1 },
            80,
            5,
        );
        println!("{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].contains("Event log  head 1000, offsets 0–1000"),
            "{out}"
        );
        assert!(lines[1].contains("read model") && lines[1].trim_end().ends_with("lag 0"));
        assert!(lines[2].contains("━╸ 250 ┄"), "{out}");
        assert!(lines[2].trim_end().ends_with("lag 750"), "{out}");
        // A quarter of the log and half of it: the snapshot's tip is twice
        // as far along as the rebuild's.
        let start = lines[2].chars().position(|c| c == '━').unwrap();
        let tip = |l: &str| l.chars().position(|c| c == '╸').unwrap() - start;
        let (quarter, half) = (tip(lines[2]) + 1, tip(lines[3]) + 1);
        assert!(half.abs_diff(2 * quarter) <= 1, "{quarter} {half}\n{out}");
        assert!(lines[4].contains("newest") && lines[4].contains("#999 c1 +20  #998 c2 -30"));
    }

    #[test]
    fn a_reader_not_running_shows_as_none_and_the_compact_form_is_one_line() {
        let mut m = metrics();
        m.gauge("rebuild.pos", Time::secs(2), -1.0);
        let out = draw(&m, vec![store(&[])], Form::Rich { rows: 1 }, 80, 5);
        println!("{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[2].contains("none") && lines[2].trim_end().ends_with('–'),
            "{out}"
        );
        assert!(lines[4].contains("empty"), "{out}");
        let out = draw(&m, vec![], Form::Compact, 100, 1);
        println!("{out}");
        assert!(
            out.contains("head 1000 · read model lag 0 · rebuild – · snapshot lag 500"),
            "{out}"
        );
    }
}

//! What a kind of panel is to the pane: the [`PanelDraw`] trait each kind
//! implements, the [`DrawCx`] every panel is drawn from, and the columns
//! ([`Cols`]) that all of them share.

use super::lock_state::LockState;
use super::plan::Form;
use super::window::Window;
use crate::sim::{Metrics, NodeView, QueueView, Time};
use crate::ui::text::{put_within, width};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// One kind of panel: how much room it wants, and how it draws itself.
/// The pane's planner knows panels only through this.
pub(super) trait PanelDraw {
    /// The widths it needs for its labels and its values now (the columns
    /// are as wide as the widest panel asks, within limits).
    fn columns(&self) -> Widths {
        Widths::default()
    }

    /// What it reads besides the metrics.
    fn reads(&self) -> Reads {
        Reads::default()
    }

    /// Its height in rows when rich, with `rows` lines per series.
    fn rich_height(&self, cx: &DrawCx, rows: u16) -> u16;

    /// Whether it has a compact form, to give way to others when short of room.
    fn can_compact(&self) -> bool {
        true
    }

    /// Its height in rows when compact: as many as its compact form takes
    /// when drawn (a compact line wraps when its items do not fit one row).
    fn compact_height(&self, cx: &DrawCx) -> u16 {
        rows_drawn(cx, |buf| self.draw(cx, Form::Compact, 0, buf))
    }

    /// Whether it draws over time in the chart column in `form` (then the
    /// time axis goes under the panels).
    fn charts(&self, _form: Form) -> bool {
        false
    }

    /// Draws it in `form` from row `y` down.
    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer);
}

impl dyn PanelDraw + '_ {
    /// Its height in rows in `form`.
    pub(super) fn height(&self, cx: &DrawCx, form: Form) -> u16 {
        match form {
            Form::Compact => self.compact_height(cx),
            Form::Rich { rows } => self.rich_height(cx, rows),
        }
    }
}

impl DrawCx<'_> {
    /// A compact panel on one row: the items that fit whole, then `+N`.
    fn compact_line(
        &self,
        title: &str,
        items: &[(String, String, Style)],
        y: u16,
        buf: &mut Buffer,
    ) {
        let c = &self.cols;
        let t = self.theme;
        let title_end = put_within(buf, c.x, y, c.width(), title, t.heading());
        let mut x = (title_end + 2).max(c.chart_x());
        let item_w = |(label, value, _): &(String, String, Style)| {
            width(label) + usize::from(!label.is_empty()) + width(value)
        };
        let right = c.right as usize;
        for (i, item) in items.iter().enumerate() {
            let sep = if i > 0 { 3 } else { 0 };
            let rest = items.len() - i - 1;
            // Room for this item, and for the `+N` of those after it.
            let tail = if rest > 0 {
                3 + 1 + rest.to_string().len()
            } else {
                0
            };
            let whole = i == 0 && items.len() == 1;
            if !whole && x as usize + sep + item_w(item) + tail > right {
                let more = format!("+{}", items.len() - i);
                let sep = if i > 0 { " · " } else { "" };
                if x as usize + sep.len() + more.len() <= right {
                    x = put_within(buf, x, y, c.right - x, sep, t.dim());
                    put_within(buf, x, y, c.right - x, &more, t.dim());
                }
                return;
            }
            let (label, value, style) = item;
            if i > 0 {
                x = put_within(buf, x, y, c.right.saturating_sub(x), " · ", t.dim());
            }
            if !label.is_empty() {
                x = put_within(buf, x, y, c.right.saturating_sub(x), label, t.text());
                x = put_within(buf, x, y, c.right.saturating_sub(x), " ", t.text());
            }
            x = put_within(buf, x, y, c.right.saturating_sub(x), value, *style);
        }
    }
}

/// How many rows `draw` writes from row 0 down, in the pane's width (at
/// least one).
pub(super) fn rows_drawn(cx: &DrawCx, draw: impl FnOnce(&mut Buffer)) -> u16 {
    const MOST: u16 = 64;
    let area = Rect::new(cx.cols.x, 0, cx.cols.width(), MOST);
    let mut buf = Buffer::empty(area);
    draw(&mut buf);
    let used = (0..MOST)
        .rev()
        .find(|&y| (area.left()..area.right()).any(|x| buf[(x, y)].symbol() != " "));
    used.map_or(1, |y| y + 1)
}

/// Widths a panel needs in the label and value columns (0: no need).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Widths {
    pub label: usize,
    pub value: usize,
}

/// What a panel reads besides the metrics, so the pane gathers it only
/// when some panel needs it.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Reads {
    /// The nodes' views (health, name, facts).
    pub nodes: bool,
    /// The locks the nodes keep.
    pub locks: bool,
    /// The queues the nodes keep.
    pub queues: bool,
}

/// The three columns of a row: label, chart, value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cols {
    pub x: u16,
    pub right: u16,
    /// Label width.
    pub lw: u16,
    /// Chart width: one cell per cell of the time window.
    pub cw: u16,
    /// Value width.
    pub vw: u16,
}

impl Cols {
    /// Columns for panels needing `wants` in `area`.
    pub fn new(wants: impl IntoIterator<Item = Widths>, area: Rect) -> Cols {
        // Room for a timeline's "  since 2m05.3s".
        let mut label = 15usize;
        let mut value = 0usize;
        for w in wants {
            label = label.max(w.label);
            value = value.max(w.value);
        }
        let w = area.width as usize;
        let lw = label.min(w / 3);
        let vw = value.min(w / 4);
        let cw = w.saturating_sub(lw + vw + 2);
        Cols {
            x: area.x,
            right: area.right(),
            lw: lw as u16,
            cw: cw as u16,
            vw: vw as u16,
        }
    }

    pub fn chart_x(&self) -> u16 {
        self.x + self.lw + 1
    }

    pub fn value_x(&self) -> u16 {
        self.chart_x() + self.cw + 1
    }

    pub fn width(&self) -> u16 {
        self.right - self.x
    }
}

/// The widest of the series' labels.
pub(super) fn labels_width(metrics: &[(String, String)]) -> usize {
    metrics.iter().map(|m| width(&m.1)).max().unwrap_or(0)
}

/// Rows a list of series takes, one each (at most 200).
pub(super) fn series_rows(metrics: &[(String, String)]) -> u16 {
    metrics.len().min(200) as u16
}

/// What every panel is drawn from.
pub(super) struct DrawCx<'a> {
    pub theme: &'a Theme,
    pub m: &'a Metrics,
    /// The nodes' views, if a panel reads them.
    pub views: Vec<NodeView>,
    /// The locks, if a panel reads them.
    pub locks: LockState,
    /// The queues, if a panel reads them.
    pub queues: Vec<QueueView>,
    pub selected: usize,
    pub now: Time,
    pub win: Window,
    pub cols: Cols,
    /// Whether the panel being drawn wraps its compact line over more rows
    /// (a headline panel) or keeps to one, ending with how many items it
    /// left out. Set by the pane before it measures or draws each panel.
    pub wrap: std::cell::Cell<bool>,
}

impl DrawCx<'_> {
    /// A rich panel's title line, with `note` after it; returns where it ended.
    pub fn title(&self, title: &str, note: &str, y: u16, buf: &mut Buffer) -> u16 {
        let c = &self.cols;
        let x = put_within(buf, c.x, y, c.width(), title, self.theme.heading());
        if !note.is_empty() {
            put_within(
                buf,
                x + 2,
                y,
                c.right.saturating_sub(x + 2),
                note,
                self.theme.dim(),
            )
        } else {
            x
        }
    }

    /// A compact panel: the title, then `items` as `label value` pairs
    /// separated by dots; a label is never cut off before its value. When
    /// the panel wraps, an item that does not fit after the others goes to
    /// the next row (only an item wider than a whole row is cut); when it
    /// does not, the row ends with `+N`, the items left out.
    pub fn compact(
        &self,
        title: &str,
        items: &[(String, String, Style)],
        y: u16,
        buf: &mut Buffer,
    ) {
        if !self.wrap.get() {
            return self.compact_line(title, items, y, buf);
        }
        let c = &self.cols;
        let t = self.theme;
        let mut row = y;
        let title_end = put_within(buf, c.x, y, c.width(), title, t.heading());
        let mut x = (title_end + 2).max(c.chart_x());
        let mut first_on_row = true;
        for (label, value, style) in items {
            let item_w = width(label) + usize::from(!label.is_empty()) + width(value);
            let sep_w = if first_on_row { 0 } else { 3 };
            if x as usize + sep_w + item_w > c.right as usize && (!first_on_row || x > c.x + 2) {
                // On the next row, from the chart column if it fits there.
                row += 1;
                x = if c.chart_x() as usize + item_w <= c.right as usize {
                    c.chart_x()
                } else {
                    c.x + 2
                };
                first_on_row = true;
            }
            if !first_on_row {
                x = put_within(buf, x, row, c.right.saturating_sub(x), " · ", t.dim());
            }
            if !label.is_empty() {
                x = put_within(buf, x, row, c.right.saturating_sub(x), label, t.text());
                x = put_within(buf, x, row, c.right.saturating_sub(x), " ", t.text());
            }
            x = put_within(buf, x, row, c.right.saturating_sub(x), value, *style);
            first_on_row = false;
        }
    }
}

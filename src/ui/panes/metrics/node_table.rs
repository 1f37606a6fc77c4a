//! A node table: one row per node that reports any of the columns among
//! its facts, with its health and name, then each column's fact; columns
//! that do not fit are counted in the header.

use super::panel::{DrawCx, PanelDraw, Reads};
use super::plan::Form;
use crate::sim::NodeView;
use crate::ui::text::{put_within, width};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;

pub(super) struct NodeTable<'a> {
    pub title: &'a str,
    pub columns: &'a [&'static str],
}

impl PanelDraw for NodeTable<'_> {
    fn reads(&self) -> Reads {
        Reads {
            nodes: true,
            ..Reads::default()
        }
    }

    fn rich_height(&self, cx: &DrawCx, _rows: u16) -> u16 {
        2 + table_rows(cx, self.columns).len().max(1) as u16
    }

    fn compact_height(&self, cx: &DrawCx) -> u16 {
        1 + table_rows(cx, self.columns).len() as u16
    }

    fn draw(&self, cx: &DrawCx, form: Form, y: u16, buf: &mut Buffer) {
        let Self { title, columns } = *self;
        let t = cx.theme;
        let c = cx.cols;
        let rows = table_rows(cx, columns);
        let mut row = y;
        if form != Form::Compact {
            cx.title(title, "", row, buf);
            row += 1;
        }
        if rows.is_empty() {
            if form != Form::Compact {
                put_within(
                    buf,
                    c.x + 2,
                    row,
                    c.width().saturating_sub(2),
                    "no node reports these",
                    t.dim(),
                );
            } else {
                cx.compact(
                    title,
                    &[("".into(), "no node reports these".into(), t.dim())],
                    row,
                    buf,
                );
            }
            return;
        }
        // Cells: the node (health glyph and name), then each column's fact.
        let fact = |v: &NodeView, col: &str| -> Option<String> {
            v.facts
                .iter()
                .find(|(k, _)| *k == col)
                .map(|(_, s)| s.clone())
        };
        let name_w = rows.iter().map(|v| width(&v.name)).max().unwrap_or(1) + 2;
        let mut widths = Vec::with_capacity(columns.len());
        for col in columns {
            let w = rows
                .iter()
                .filter_map(|v| fact(v, col))
                .map(|s| width(&s))
                .chain([width(col)])
                .max()
                .unwrap_or(1);
            widths.push(w.min(30));
        }
        // Columns that fit, in order; the rest are counted in the header.
        let avail = c.width() as usize;
        let mut used = name_w.min(avail);
        let mut fit = 0;
        for w in &widths {
            if used + 2 + w > avail {
                break;
            }
            used += 2 + w;
            fit += 1;
        }
        let x0 = c.x;
        let mut x = x0 + name_w as u16 + 2;
        for (col, w) in columns.iter().zip(&widths).take(fit) {
            put_within(buf, x, row, *w as u16, col, t.title());
            x += *w as u16 + 2;
        }
        if fit < columns.len() {
            let text = format!("+{} col", columns.len() - fit);
            put_within(buf, x, row, c.right.saturating_sub(x), &text, t.dim());
        }
        row += 1;
        for v in rows {
            let selected = v.id == cx.selected;
            let glyph = Theme::health_glyph(v.health);
            let mut x = put_within(buf, x0, row, 2, glyph, t.health(v.health));
            x = x.max(x0 + 2);
            let name_style = if selected { t.selected() } else { t.strong() };
            put_within(buf, x, row, name_w as u16, &v.name, name_style);
            let mut x = x0 + name_w as u16 + 2;
            for (col, w) in columns.iter().zip(&widths).take(fit) {
                match fact(v, col) {
                    Some(s) => put_within(buf, x, row, *w as u16, &s, t.text()),
                    None => put_within(buf, x, row, *w as u16, "·", t.dim()),
                };
                x += *w as u16 + 2;
            }
            row += 1;
        }
    }
}

/// The nodes that have at least one of `columns` among their facts.
fn table_rows<'c>(cx: &'c DrawCx, columns: &[&str]) -> Vec<&'c NodeView> {
    cx.views
        .iter()
        .filter(|v| v.facts.iter().any(|(k, _)| columns.contains(k)))
        .collect()
}

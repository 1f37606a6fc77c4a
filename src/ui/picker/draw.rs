//! Drawing the picker: where its parts go, the title bar, the list by
//! chapter, the search line and the footer.

use super::details::render_details;
use super::{Picker, Row};
use crate::lesson::{Catalog, Mark, Progress};
use crate::ui::keys::{self, KeyHelp};
use crate::ui::text::{self, truncate};
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Where each part of the screen goes.
pub(super) struct Areas {
    pub title: Rect,
    pub list: Rect,
    /// The line between the list and the details.
    pub divider: Rect,
    pub details: Rect,
    pub search: Rect,
    pub footer: Rect,
}

impl Picker {
    pub(super) fn areas(&self, area: Rect) -> Areas {
        let searching = self.typing || !self.query.is_empty();
        let row = |y: u16| Rect::new(area.x, y, area.width, 1).intersection(area);
        let title = row(area.y);
        let footer_y = area.bottom().saturating_sub(1).max(area.y + 1);
        let footer = row(footer_y);
        let search = if searching {
            row(footer_y.saturating_sub(1).max(area.y + 1))
        } else {
            Rect::new(area.x, footer_y, area.width, 0).intersection(area)
        };
        let top = area.y.saturating_add(1);
        let bottom = if searching { search.y } else { footer.y }.max(top);
        let body = Rect::new(area.x, top, area.width, bottom - top).intersection(area);
        if body.width >= 64 {
            let lw = (body.width * 2 / 5).clamp(28, 44);
            let list = Rect::new(body.x, body.y, lw, body.height);
            let divider = Rect::new(body.x + lw, body.y, 1, body.height);
            let details = Rect::new(
                body.x + lw + 2,
                body.y,
                body.width.saturating_sub(lw + 3),
                body.height,
            );
            Areas {
                title,
                list,
                divider,
                details,
                search,
                footer,
            }
        } else {
            // Narrow: the list on top, the details under it.
            let want = self.rows.len() as u16;
            let lh = want.min(body.height / 2).max(body.height.min(3));
            let list = Rect::new(body.x, body.y, body.width, lh.min(body.height));
            let divider = Rect::new(body.x, list.bottom(), body.width, 1).intersection(body);
            let dy = divider.bottom().max(list.bottom());
            let details = Rect::new(
                body.x + 1,
                dy,
                body.width.saturating_sub(2),
                body.bottom().saturating_sub(dy),
            );
            Areas {
                title,
                list,
                divider,
                details,
                search,
                footer,
            }
        }
    }

    /// The first row to draw in a list `height` rows tall: the last one used,
    /// moved just enough to show the selection (and its chapter heading).
    pub(super) fn visible_offset(&self, height: usize) -> usize {
        let max = self.rows.len().saturating_sub(height);
        let mut off = self.offset.get().min(max);
        if let Some(sel) = self
            .selected
            .and_then(|s| self.rows.iter().position(|r| *r == Row::Lesson(s)))
        {
            // The heading just above the first lesson of a chapter comes along.
            let top = match sel.checked_sub(1).map(|i| self.rows[i]) {
                Some(Row::Chapter(_)) => sel - 1,
                _ => sel,
            };
            if top < off {
                off = top;
            }
            if height > 0 && sel >= off + height {
                off = sel + 1 - height;
            }
        }
        off
    }

    /// Draws the whole picker screen.
    pub fn render(
        &self,
        catalog: &Catalog,
        progress: &Progress,
        theme: &Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        let area = area.intersection(buf.area);
        if area.width == 0 || area.height == 0 {
            return;
        }
        let a = self.areas(area);
        self.render_title(catalog, progress, theme, a.title, buf);
        self.render_list(catalog, progress, theme, a.list, buf);
        if a.divider.width == 1 {
            for y in a.divider.top()..a.divider.bottom() {
                buf.set_string(a.divider.x, y, "│", theme.border());
            }
        } else if a.divider.height == 1 && a.divider.width > 1 {
            let rule = "─".repeat(usize::from(a.divider.width));
            buf.set_string(a.divider.x, a.divider.y, rule, theme.border());
        }
        if let Some(l) = self.selected_id().and_then(|id| catalog.get(id)) {
            render_details(&l, progress, theme, a.details, buf);
        }
        if a.search.height > 0 && a.search != a.title {
            self.render_search(theme, a.search, buf);
        }
        if a.footer != a.title {
            self.render_footer(theme, a.footer, buf);
        }
    }

    fn render_title(
        &self,
        catalog: &Catalog,
        progress: &Progress,
        theme: &Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let bar = theme.selected().patch(theme.title());
        buf.set_style(area, bar);
        let w = usize::from(area.width);
        let done = catalog
            .lessons
            .iter()
            .filter(|l| progress.mark(&l.id, l) == Mark::Done)
            .count();
        let right = format!("{done} of {} done ", catalog.lessons.len());
        let left = " splitbrain — pick a lesson";
        buf.set_stringn(area.x, area.y, left, w, bar);
        let (lw, rw) = (text::width(left), text::width(&right));
        if lw + rw + 2 <= w {
            buf.set_string(area.x + (w - rw) as u16, area.y, &right, bar);
        }
    }

    fn render_list(
        &self,
        catalog: &Catalog,
        progress: &Progress,
        theme: &Theme,
        area: Rect,
        buf: &mut Buffer,
    ) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let h = usize::from(area.height);
        self.page.set(h);
        let off = self.visible_offset(h);
        self.offset.set(off);
        let w = usize::from(area.width);
        if self.rows.is_empty() {
            let msg = if self.entries.is_empty() {
                " no lessons found".to_string()
            } else {
                format!(" no lesson matches “{}”", self.query)
            };
            buf.set_stringn(area.x, area.y, truncate(&msg, w), w, theme.dim());
            return;
        }
        for (k, row) in self.rows.iter().skip(off).take(h).enumerate() {
            let y = area.y + k as u16;
            match *row {
                Row::Gap => {}
                Row::Chapter(i) => {
                    let text = truncate(&format!(" {}", self.entries[i].chapter), w);
                    buf.set_stringn(area.x, y, text, w, theme.heading());
                }
                Row::Lesson(i) => {
                    let e = &self.entries[i];
                    let mark = catalog
                        .get(&e.id)
                        .map(|l| progress.mark(&e.id, &l))
                        .unwrap_or(Mark::NotStarted);
                    let selected = self.selected == Some(i);
                    let base = if selected {
                        theme.selected()
                    } else {
                        Style::new()
                    };
                    let mark_style = base.patch(match mark {
                        Mark::Done => theme.good(),
                        Mark::Started => theme.warn(),
                        Mark::NotStarted => theme.dim(),
                    });
                    let pointer = if selected { " › " } else { "   " };
                    let title = truncate(&e.title, w.saturating_sub(6));
                    let line = Line::from(vec![
                        Span::styled(pointer, base),
                        Span::styled(mark.glyph(), mark_style),
                        Span::styled(" ", base),
                        Span::styled(title, base.patch(theme.text())),
                    ]);
                    if selected {
                        buf.set_style(Rect::new(area.x, y, area.width, 1), theme.selected());
                    }
                    buf.set_line(area.x, y, &line, area.width);
                }
            }
        }
        // Say there is more than fits.
        if off > 0 {
            buf.set_string(area.right() - 1, area.y, "▲", theme.dim());
        }
        if off + h < self.rows.len() {
            buf.set_string(area.right() - 1, area.bottom() - 1, "▼", theme.dim());
        }
    }

    fn render_search(&self, theme: &Theme, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let w = usize::from(area.width);
        let n = self.shown().len();
        let count = format!("{n} of {} ", self.entries.len());
        let mut spans = vec![
            Span::styled(" / ", theme.key()),
            Span::styled(self.query.clone(), theme.text()),
        ];
        if self.typing {
            spans.push(Span::styled("▏", theme.key()));
        } else {
            spans.push(Span::styled("  (Esc clears)", theme.dim()));
        }
        let line = Line::from(spans);
        buf.set_line(area.x, area.y, &line, area.width);
        let cw = text::width(&count);
        if line.width() + cw + 2 <= w {
            buf.set_string(area.x + (w - cw) as u16, area.y, count, theme.dim());
        }
    }

    fn render_footer(&self, theme: &Theme, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let footer;
        let keys: &[KeyHelp] = if self.typing {
            keys::PICKER_SEARCH_FOOTER
        } else {
            footer = keys::footer(keys::PICKER);
            &footer
        };
        let mut spans = vec![Span::raw(" ")];
        for (i, k) in keys.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(k.keys, theme.key()));
            spans.push(Span::styled(format!(" {}", k.action), theme.dim()));
        }
        buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    }
}

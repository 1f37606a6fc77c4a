//! The lesson picker: every lesson by chapter, in teaching order, with how far
//! the learner has got in each, the selected lesson's details, and a search.
//! It holds its own state and answers keys and clicks with a
//! [`PickerAction`]; the app loop decides what to do with it.

use super::keys::{self, Action, KeyHelp};
use super::markdown;
use super::text::{self, escape_markdown, lesson_length, truncate};
use super::theme::Theme;
use crate::lesson::{Catalog, Lesson};
use crate::lesson::{Mark, Progress};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::cell::Cell;

/// What the app should do after a key or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickerAction {
    None,
    Redraw,
    /// Open the lesson with this id.
    Open(String),
    Quit,
    Help,
}

/// One lesson as the picker lists it.
struct Entry {
    id: String,
    chapter: String,
    title: String,
    /// Id, title, summary and chapter, lower-cased, for the search.
    haystack: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Row {
    Gap,
    Chapter(usize),
    /// Index into the entries.
    Lesson(usize),
}

pub struct Picker {
    /// Every lesson, in display order: chapters in teaching order, then by
    /// `order` within a chapter.
    entries: Vec<Entry>,
    /// The rows shown for the current search.
    rows: Vec<Row>,
    /// The selected lesson (index into the entries), if any lesson is shown.
    selected: Option<usize>,
    query: String,
    /// Keys go to the search line.
    typing: bool,
    /// First list row drawn; kept by `render` so the selection stays in view.
    offset: Cell<usize>,
    /// Rows in the list at the last render, for page keys.
    page: Cell<usize>,
}

/// Where each part of the screen goes.
struct Areas {
    title: Rect,
    list: Rect,
    /// The line between the list and the details.
    divider: Rect,
    details: Rect,
    search: Rect,
    footer: Rect,
}

impl Picker {
    pub fn new(catalog: &Catalog) -> Picker {
        let mut p = Picker {
            entries: Vec::new(),
            rows: Vec::new(),
            selected: None,
            query: String::new(),
            typing: false,
            offset: Cell::new(0),
            page: Cell::new(10),
        };
        p.load(catalog);
        p
    }

    /// Rebuilds the entries from the catalog, keeping the selection by id.
    fn load(&mut self, catalog: &Catalog) {
        let keep = self.selected_id().map(str::to_string);
        let mut chapters: Vec<(u32, &str)> = Vec::new();
        for l in &catalog.lessons {
            match chapters.iter_mut().find(|(_, c)| *c == l.chapter) {
                Some((o, _)) => *o = (*o).min(l.order),
                None => chapters.push((l.order, &l.chapter)),
            }
        }
        chapters.sort();
        let mut lessons: Vec<&Lesson> = catalog.lessons.iter().map(|l| l.as_ref()).collect();
        let chapter_rank = |c: &str| chapters.iter().position(|(_, n)| *n == c);
        lessons.sort_by(|a, b| {
            (chapter_rank(&a.chapter), a.order, &a.id).cmp(&(
                chapter_rank(&b.chapter),
                b.order,
                &b.id,
            ))
        });
        self.entries = lessons
            .iter()
            .map(|l| Entry {
                id: l.id.clone(),
                chapter: l.chapter.clone(),
                title: l.title.clone(),
                haystack: format!("{}\n{}\n{}\n{}", l.id, l.title, l.summary, l.chapter)
                    .to_lowercase(),
            })
            .collect();
        self.selected = keep.and_then(|id| self.entries.iter().position(|e| e.id == id));
        self.refilter();
    }

    /// Whether the catalog still lists the lessons the picker knows.
    fn same_catalog(&self, catalog: &Catalog) -> bool {
        catalog.lessons.len() == self.entries.len()
            && catalog.lessons.iter().all(|l| {
                self.entries
                    .iter()
                    .any(|e| e.id == l.id && e.title == l.title)
            })
    }

    fn matches(&self, e: &Entry) -> bool {
        let q = self.query.to_lowercase();
        q.split_whitespace().all(|w| e.haystack.contains(w))
    }

    /// Recomputes the rows for the search, keeping the selection if it is
    /// still shown, else selecting the first lesson shown.
    fn refilter(&mut self) {
        let mut rows = Vec::new();
        let mut chapter: Option<&str> = None;
        for (i, e) in self.entries.iter().enumerate() {
            if !self.matches(e) {
                continue;
            }
            if chapter != Some(e.chapter.as_str()) {
                if chapter.is_some() {
                    rows.push(Row::Gap);
                }
                rows.push(Row::Chapter(i));
                chapter = Some(&e.chapter);
            }
            rows.push(Row::Lesson(i));
        }
        self.rows = rows;
        let shown = |i: usize| self.rows.contains(&Row::Lesson(i));
        if !self.selected.is_some_and(shown) {
            self.selected = self.shown().first().copied();
        }
    }

    /// The lessons shown, in order.
    fn shown(&self) -> Vec<usize> {
        self.rows
            .iter()
            .filter_map(|r| match r {
                Row::Lesson(i) => Some(*i),
                _ => None,
            })
            .collect()
    }

    /// The selected lesson's id.
    pub fn selected_id(&self) -> Option<&str> {
        self.selected
            .and_then(|i| self.entries.get(i))
            .map(|e| e.id.as_str())
    }

    /// Selects lesson `id` if it is shown.
    pub fn select(&mut self, id: &str) -> bool {
        match self.entries.iter().position(|e| e.id == id) {
            Some(i) if self.rows.contains(&Row::Lesson(i)) => {
                self.selected = Some(i);
                true
            }
            _ => false,
        }
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// Whether keys are going to the search line.
    pub fn typing(&self) -> bool {
        self.typing
    }

    /// Moves the selection `delta` lessons down (up if negative), clamped.
    pub fn scroll(&mut self, delta: i32) -> PickerAction {
        let shown = self.shown();
        if shown.is_empty() {
            return PickerAction::None;
        }
        let pos = self
            .selected
            .and_then(|s| shown.iter().position(|i| *i == s))
            .unwrap_or(0) as i64;
        let to = (pos + i64::from(delta)).clamp(0, shown.len() as i64 - 1) as usize;
        if Some(shown[to]) == self.selected {
            PickerAction::None
        } else {
            self.selected = Some(shown[to]);
            PickerAction::Redraw
        }
    }

    fn jump(&mut self, last: bool) -> PickerAction {
        let shown = self.shown();
        let to = if last { shown.last() } else { shown.first() };
        match to {
            Some(&i) if Some(i) != self.selected => {
                self.selected = Some(i);
                PickerAction::Redraw
            }
            _ => PickerAction::None,
        }
    }

    fn page_size(&self) -> i32 {
        i32::try_from(self.page.get().saturating_sub(1).max(1)).unwrap_or(1)
    }

    pub fn handle_key(&mut self, key: KeyEvent, catalog: &Catalog) -> PickerAction {
        if key.kind == KeyEventKind::Release {
            return PickerAction::None;
        }
        if !self.same_catalog(catalog) {
            self.load(catalog);
        }
        match keys::picker_action(&key, self.typing) {
            Some(action) => self.act(action),
            None => match key.code {
                // Anything else typed goes into the search.
                KeyCode::Char(c)
                    if self.typing
                        && !key.modifiers.contains(KeyModifiers::CONTROL)
                        && !key.modifiers.contains(KeyModifiers::ALT) =>
                {
                    self.query.push(c);
                    self.refilter();
                    PickerAction::Redraw
                }
                _ => PickerAction::None,
            },
        }
    }

    /// Does what a key of the picker's table says.
    fn act(&mut self, action: Action) -> PickerAction {
        match action {
            Action::MoveUp => self.scroll(-1),
            Action::MoveDown => self.scroll(1),
            Action::PageUp => self.scroll(-self.page_size()),
            Action::PageDown => self.scroll(self.page_size()),
            Action::First => self.jump(false),
            Action::Last => self.jump(true),
            Action::Open => match self.selected_id() {
                Some(id) => PickerAction::Open(id.to_string()),
                None => PickerAction::None,
            },
            Action::Search => {
                self.typing = true;
                PickerAction::Redraw
            }
            Action::KeepSearch => {
                self.typing = false;
                PickerAction::Redraw
            }
            Action::ClearSearch if self.typing || !self.query.is_empty() => {
                self.typing = false;
                self.query.clear();
                self.refilter();
                PickerAction::Redraw
            }
            Action::DeleteChar => {
                self.query.pop();
                self.refilter();
                PickerAction::Redraw
            }
            Action::Quit => PickerAction::Quit,
            Action::Help => PickerAction::Help,
            _ => PickerAction::None,
        }
    }

    /// A click at (`col`, `row`) of the screen drawn in `area`: selects a
    /// lesson, or opens it if it was already selected.
    pub fn click(&mut self, area: Rect, col: u16, row: u16) -> PickerAction {
        let a = self.areas(area);
        let list = a.list;
        if col < list.x || col >= list.right() || row < list.y || row >= list.bottom() {
            return PickerAction::None;
        }
        let offset = self.visible_offset(list.height as usize);
        let i = offset + usize::from(row - list.y);
        match self.rows.get(i) {
            Some(Row::Lesson(e)) if Some(*e) == self.selected => {
                PickerAction::Open(self.entries[*e].id.clone())
            }
            Some(Row::Lesson(e)) => {
                self.selected = Some(*e);
                PickerAction::Redraw
            }
            _ => PickerAction::None,
        }
    }

    fn areas(&self, area: Rect) -> Areas {
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
    fn visible_offset(&self, height: usize) -> usize {
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

/// The selected lesson: title, chapter, summary, objectives and what the
/// learner has done in it.
fn render_details(
    lesson: &Lesson,
    progress: &Progress,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let w = area.width;
    let mark = progress.mark(&lesson.id, lesson);
    let p = progress.get(&lesson.id);
    let mut lines: Vec<Line<'static>> = Vec::new();
    lines.extend(markdown::render_styled(
        &escape_markdown(&lesson.title),
        theme,
        w,
        theme.title(),
        Span::raw(""),
        Span::raw(""),
    ));
    let mark_style = match mark {
        Mark::Done => theme.good(),
        Mark::Started => theme.warn(),
        Mark::NotStarted => theme.dim(),
    };
    let meta = format!("{} · {}", lesson.chapter, lesson_length(lesson.length));
    lines.extend(wrap_plain(&meta, theme.dim(), w));
    // The mark goes on the end of the line above when it fits.
    let tag = format!("{} {}", mark.glyph(), mark.word());
    match lines.last_mut() {
        Some(l) if l.width() + 3 + text::width(&tag) <= usize::from(w) => {
            l.spans.push(Span::styled(" · ", theme.dim()));
            l.spans.push(Span::styled(tag, mark_style));
        }
        _ => lines.push(Line::styled(tag, mark_style)),
    }
    lines.push(Line::default());
    lines.extend(markdown::render(&lesson.summary, theme, w));
    if !lesson.objectives.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Objectives", theme.title()));
        for o in &lesson.objectives {
            let met = p.is_some_and(|p| p.objectives_met.contains(&o.id));
            let (first, style) = if met {
                ("✓ met      ", theme.good())
            } else {
                ("· not yet  ", theme.dim())
            };
            let (first, rest) = if w >= 36 {
                (first.to_string(), " ".repeat(11))
            } else {
                (first.trim_end().to_string() + " ", "  ".to_string())
            };
            lines.extend(markdown::render_prefixed(
                &o.description,
                theme,
                w,
                Span::styled(first, style),
                Span::raw(rest),
            ));
        }
    }
    let hints = p.map_or(0, |p| p.hints_used).min(lesson.hints.len());
    let answered = p.map_or(0, |p| {
        lesson
            .questions
            .iter()
            .filter(|q| p.questions.contains_key(&q.id))
            .count()
    });
    let right = p.map_or(0, |p| {
        lesson
            .questions
            .iter()
            .filter(|q| p.questions.get(&q.id) == Some(&true))
            .count()
    });
    lines.push(Line::default());
    if !lesson.hints.is_empty() {
        let text = format!("Hints used: {hints} of {}", lesson.hints.len());
        lines.extend(wrap_plain(&text, theme.text(), w));
    }
    if !lesson.questions.is_empty() {
        let text = format!(
            "Questions answered: {answered} of {} ({right} right)",
            lesson.questions.len()
        );
        lines.extend(wrap_plain(&text, theme.text(), w));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("Enter", theme.key()),
        Span::styled(
            if p.is_some_and(|p| p.opened) {
                " opens it again"
            } else {
                " opens it"
            },
            theme.dim(),
        ),
    ]));
    for (k, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        buf.set_line(area.x, area.y + k as u16, line, w);
    }
}

fn wrap_plain(text: &str, style: Style, width: u16) -> Vec<Line<'static>> {
    markdown::render_styled(
        &escape_markdown(text),
        &Theme::monochrome(),
        width,
        style,
        Span::raw(""),
        Span::raw(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{EMBEDDED, parse};
    use crate::ui::panes::buffer_text;
    use std::sync::Arc;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn embedded(file: &str) -> &'static str {
        EMBEDDED.iter().find(|(f, _)| *f == file).unwrap().1
    }

    /// A catalog with more lessons and chapters than the built-in one: copies
    /// of the built-in lessons under other ids, chapters and orders.
    fn big_catalog() -> Catalog {
        let mut lessons = Vec::new();
        let specs = [
            ("failover.toml", "failover", "Replication", 16, "Failover"),
            (
                "flaky-dependency.toml",
                "flaky-dependency",
                "Resilience",
                3,
                "A flaky dependency",
            ),
            (
                "failover.toml",
                "fail-2",
                "Replication",
                18,
                "Leader leases",
            ),
            (
                "flaky-dependency.toml",
                "retry",
                "Resilience",
                5,
                "Retry storms",
            ),
            ("failover.toml", "clocks", "Time", 30, "Clocks lie"),
            ("failover.toml", "quorum", "Replication", 2, "Quorums"),
        ];
        for (file, id, chapter, order, title) in specs {
            let text = embedded(file);
            // Only the header's keys change, each the first time it appears.
            let mut out = String::new();
            let mut done = [false; 4];
            for line in text.lines() {
                let keys = ["id = ", "chapter = ", "order = ", "title = "];
                let vals = [
                    format!("id = \"{id}\""),
                    format!("chapter = \"{chapter}\""),
                    format!("order = {order}"),
                    format!("title = \"{title}\""),
                ];
                let k = keys.iter().position(|k| line.starts_with(k));
                match k {
                    Some(k) if !done[k] => {
                        done[k] = true;
                        out.push_str(&vals[k]);
                    }
                    _ => out.push_str(line),
                }
                out.push('\n');
            }
            lessons.push(Arc::new(parse(file, &out).unwrap()));
        }
        Catalog { lessons }
    }

    fn shown_ids(p: &Picker) -> Vec<&str> {
        p.shown()
            .iter()
            .map(|&i| p.entries[i].id.as_str())
            .collect()
    }

    fn screen(p: &Picker, cat: &Catalog, prog: &Progress, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        p.render(cat, prog, &Theme::monochrome(), area, &mut buf);
        buffer_text(&buf)
    }

    #[test]
    fn chapters_in_teaching_order_lessons_by_order() {
        let cat = big_catalog();
        let p = Picker::new(&cat);
        // Replication's lowest order is 2 (quorum), Resilience's 3, Time's 30.
        assert_eq!(
            shown_ids(&p),
            vec![
                "quorum",
                "failover",
                "fail-2",
                "flaky-dependency",
                "retry",
                "clocks"
            ]
        );
        assert_eq!(p.selected_id(), Some("quorum"));
    }

    #[test]
    fn keys_move_open_and_quit() {
        let cat = big_catalog();
        let mut p = Picker::new(&cat);
        assert_eq!(p.handle_key(key(KeyCode::Down), &cat), PickerAction::Redraw);
        assert_eq!(p.selected_id(), Some("failover"));
        p.handle_key(key(KeyCode::Char('j')), &cat);
        assert_eq!(p.selected_id(), Some("fail-2"));
        p.handle_key(key(KeyCode::Char('k')), &cat);
        assert_eq!(p.selected_id(), Some("failover"));
        assert_eq!(p.handle_key(key(KeyCode::End), &cat), PickerAction::Redraw);
        assert_eq!(p.selected_id(), Some("clocks"));
        assert_eq!(p.handle_key(key(KeyCode::Down), &cat), PickerAction::None);
        p.handle_key(key(KeyCode::Home), &cat);
        assert_eq!(p.selected_id(), Some("quorum"));
        assert_eq!(p.handle_key(key(KeyCode::Up), &cat), PickerAction::None);
        p.handle_key(key(KeyCode::PageDown), &cat);
        assert_eq!(p.selected_id(), Some("clocks"));
        assert_eq!(
            p.handle_key(key(KeyCode::Enter), &cat),
            PickerAction::Open("clocks".into())
        );
        assert_eq!(
            p.handle_key(key(KeyCode::Char('?')), &cat),
            PickerAction::Help
        );
        assert_eq!(
            p.handle_key(key(KeyCode::Char('q')), &cat),
            PickerAction::Quit
        );
        let release =
            KeyEvent::new_with_kind(KeyCode::Down, KeyModifiers::NONE, KeyEventKind::Release);
        assert_eq!(p.handle_key(release, &cat), PickerAction::None);
    }

    #[test]
    fn search_filters_and_escape_clears() {
        let cat = big_catalog();
        let mut p = Picker::new(&cat);
        p.handle_key(key(KeyCode::Char('/')), &cat);
        assert!(p.typing());
        // While typing, `q` and `j` are letters, not commands.
        for c in "RESIL".chars() {
            assert_eq!(
                p.handle_key(key(KeyCode::Char(c)), &cat),
                PickerAction::Redraw
            );
        }
        assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
        assert_eq!(p.selected_id(), Some("flaky-dependency"));
        p.handle_key(key(KeyCode::Enter), &cat);
        assert!(!p.typing());
        assert_eq!(p.query(), "RESIL");
        assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
        p.handle_key(key(KeyCode::Down), &cat);
        assert_eq!(p.selected_id(), Some("retry"));
        // Esc clears, and the selection stays where it was.
        p.handle_key(key(KeyCode::Esc), &cat);
        assert_eq!(p.query(), "");
        assert_eq!(shown_ids(&p).len(), 6);
        assert_eq!(p.selected_id(), Some("retry"));
        // Backspace edits; a search by id, by summary words.
        p.handle_key(key(KeyCode::Char('/')), &cat);
        for c in "clocksx".chars() {
            p.handle_key(key(KeyCode::Char(c)), &cat);
        }
        assert!(shown_ids(&p).is_empty());
        assert_eq!(p.selected_id(), None);
        assert_eq!(
            p.handle_key(key(KeyCode::Char('q')), &cat),
            PickerAction::Redraw
        );
        p.handle_key(key(KeyCode::Backspace), &cat);
        p.handle_key(key(KeyCode::Backspace), &cat);
        assert_eq!(shown_ids(&p), vec!["clocks"]);
        p.handle_key(key(KeyCode::Esc), &cat);
        assert!(!p.typing());
        p.handle_key(key(KeyCode::Char('/')), &cat);
        for c in "service DRAGS".chars() {
            p.handle_key(key(KeyCode::Char(c)), &cat);
        }
        assert_eq!(shown_ids(&p), vec!["flaky-dependency", "retry"]);
    }

    #[test]
    fn clicks_select_then_open() {
        let cat = big_catalog();
        let mut p = Picker::new(&cat);
        let area = Rect::new(0, 0, 120, 40);
        let text = screen(&p, &cat, &Progress::default(), 120, 40);
        let row = text
            .lines()
            .position(|l| l.contains("Retry storms"))
            .unwrap() as u16;
        assert_eq!(p.click(area, 5, row), PickerAction::Redraw);
        assert_eq!(p.selected_id(), Some("retry"));
        assert_eq!(p.click(area, 5, row), PickerAction::Open("retry".into()));
        // A chapter heading, the title bar, the details: nothing.
        assert_eq!(p.click(area, 5, 1), PickerAction::None);
        assert_eq!(p.click(area, 5, 0), PickerAction::None);
        assert_eq!(p.click(area, 100, row), PickerAction::None);
        assert_eq!(p.scroll(-1), PickerAction::Redraw);
        assert_eq!(p.selected_id(), Some("flaky-dependency"));
    }

    #[test]
    fn marks_show_progress_without_colour() {
        let cat = big_catalog();
        let p = Picker::new(&cat);
        let mut prog = Progress::default();
        prog.open("failover");
        for o in &cat.get("clocks").unwrap().objectives {
            prog.objective_met("clocks", &o.id);
        }
        let text = screen(&p, &cat, &prog, 120, 40);
        let line = |t: &str| text.lines().find(|l| l.contains(t)).unwrap().to_string();
        assert!(line("Failover").contains("◐ Failover"), "{text}");
        assert!(line("Clocks lie").contains("✓ Clocks lie"), "{text}");
        assert!(line("Retry storms").contains("· Retry storms"), "{text}");
        assert!(text.contains("1 of 6 done"), "{text}");
    }

    #[test]
    fn the_selection_stays_in_view_in_a_short_list() {
        let cat = big_catalog();
        let mut p = Picker::new(&cat);
        p.handle_key(key(KeyCode::End), &cat);
        let text = screen(&p, &cat, &Progress::default(), 80, 8);
        assert!(text.contains("› · Clocks lie"), "{text}");
        assert!(text.contains("▲"), "{text}");
        // The click maps through the same offset.
        let row = text
            .lines()
            .position(|l| l.contains("› · Clocks lie"))
            .unwrap() as u16;
        assert_eq!(
            p.click(Rect::new(0, 0, 80, 8), 3, row),
            PickerAction::Open("clocks".into())
        );
    }

    #[test]
    fn any_size_draws_without_panic() {
        let cat = big_catalog();
        let mut p = Picker::new(&cat);
        let prog = Progress::default();
        for w in [0u16, 1, 2, 5, 20, 40, 63, 64, 80, 120, 300] {
            for h in [0u16, 1, 2, 3, 4, 6, 24, 40, 200] {
                screen(&p, &cat, &prog, w, h);
                p.click(Rect::new(0, 0, w, h), w / 2, h / 2);
            }
        }
        p.handle_key(key(KeyCode::Char('/')), &cat);
        p.handle_key(key(KeyCode::Char('x')), &cat);
        for (w, h) in [(1u16, 1u16), (80, 24), (10, 3)] {
            screen(&p, &cat, &prog, w, h);
        }
        let empty = Catalog { lessons: vec![] };
        let p = Picker::new(&empty);
        assert!(screen(&p, &empty, &prog, 80, 24).contains("no lessons found"));
    }

    #[test]
    fn print_the_picker() {
        let cat = Catalog::embedded().unwrap();
        let mut p = Picker::new(&cat);
        let mut prog = Progress::default();
        prog.open("failover");
        prog.objective_met("failover", "no-split-brain");
        prog.hints("failover", 2);
        prog.answered("failover", "async-crash", true);
        p.select("failover");
        for (w, h) in [(120u16, 40u16), (80, 24)] {
            let text = screen(&p, &cat, &prog, w, h);
            println!("{text}");
            assert!(text.contains("splitbrain — pick a lesson"));
            assert!(text.contains("Enter open"));
            assert!(text.contains("✓ met"), "{text}");
            assert!(text.contains("Hints used: 2 of 5"), "{text}");
        }
        let big = big_catalog();
        let mut p = Picker::new(&big);
        p.handle_key(key(KeyCode::Char('/')), &big);
        p.handle_key(key(KeyCode::Char('r')), &big);
        let text = screen(&p, &big, &prog, 60, 20);
        println!("{text}");
        assert!(text.contains("/ r▏"), "{text}");
    }
}

//! The lesson picker: every lesson by chapter, in teaching order, with how far
//! the learner has got in each, the selected lesson's details, and a search.
//! It holds its own state and answers keys and clicks with a
//! [`PickerAction`]; the app loop decides what to do with it.

mod details;
mod draw;

use super::keys::{self, Action};
use crate::lesson::{Catalog, Lesson};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
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
    ToggleMouse,
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
            Action::ToggleMouse => PickerAction::ToggleMouse,
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
}

#[cfg(test)]
mod tests;

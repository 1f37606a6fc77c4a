//! Placeholder until the picker lands.
use super::progress::Progress;
use super::theme::Theme;
use crate::lesson::Catalog;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::{
    buffer::Buffer,
    layout::Rect,
    widgets::{Paragraph, Widget},
};
pub enum PickerAction {
    None,
    Redraw,
    Open(String),
    Quit,
    Help,
}
pub struct Picker {
    ids: Vec<String>,
    sel: usize,
}
impl Picker {
    pub fn new(c: &Catalog) -> Picker {
        Picker {
            ids: c.ids().iter().map(|s| s.to_string()).collect(),
            sel: 0,
        }
    }
    pub fn handle_key(&mut self, key: KeyEvent, _c: &Catalog) -> PickerAction {
        match key.code {
            KeyCode::Char('q') => PickerAction::Quit,
            KeyCode::Char('?') => PickerAction::Help,
            KeyCode::Down => {
                self.sel = (self.sel + 1).min(self.ids.len() - 1);
                PickerAction::Redraw
            }
            KeyCode::Up => {
                self.sel = self.sel.saturating_sub(1);
                PickerAction::Redraw
            }
            KeyCode::Enter => PickerAction::Open(self.ids[self.sel].clone()),
            _ => PickerAction::None,
        }
    }
    pub fn click(&mut self, _a: Rect, _c: u16, _r: u16) -> PickerAction {
        PickerAction::None
    }
    pub fn scroll(&mut self, _d: i32) {}
    pub fn render(&self, _c: &Catalog, _p: &Progress, _t: &Theme, area: Rect, buf: &mut Buffer) {
        Paragraph::new(self.ids.join("\n")).render(area, buf);
    }
}

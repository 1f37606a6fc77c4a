//! The map pane.

use crate::ui::session::Session;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Widget};

pub fn render(_s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    Paragraph::new("(not drawn yet)")
        .style(theme.dim())
        .render(area, buf);
}

pub fn node_at(_s: &Session, _area: Rect, _col: u16, _row: u16) -> Option<usize> {
    None
}

pub fn node_positions(n: usize, area: Rect) -> Vec<(u16, u16)> {
    (0..n).map(|i| (area.x + i as u16, area.y)).collect()
}

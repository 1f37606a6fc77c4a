//! The lesson pane.

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

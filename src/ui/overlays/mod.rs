//! Windows drawn over the lesson screen, one module each: help, knobs, a
//! question, the partition and link editors, in-flight messages and node
//! commands. An open window takes keys first; what it decides comes back as
//! [`Control`]s for the session to apply, so everything is recorded.

mod commands;
mod help;
mod knobs;
mod link;
mod messages;
mod partition;
mod question;

pub use commands::{Commands, commands_for};
pub use help::{Help, draw_help, help_lines};
pub use knobs::{Knobs, step_knob};
pub use link::Link;
pub use messages::Messages;
pub use partition::Partition;
pub use question::Question;

use super::session::{Control, Session};
use super::theme::Theme;
use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

/// A window over the lesson screen, with its own state.
pub trait Window {
    /// The title on its border.
    fn title(&self) -> &'static str;

    /// Handles a key. Esc closes every window and never reaches it (unless
    /// text is being typed in it); the session is read, never changed here.
    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome;

    /// Draws it centred over `area` (most through [`draw_window`]).
    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer);

    /// Whether text is being typed into it, so that keys such as `q` are
    /// letters, not commands.
    fn takes_text(&self) -> bool {
        false
    }
}

/// What a key did to the window.
pub enum Outcome {
    /// Still open (possibly changed).
    Keep,
    Close,
    /// Apply these and keep the window open.
    Apply(Vec<Control>),
    /// Apply these and close.
    Done(Vec<Control>),
}

/// Draws a bordered window of `lines`, at most `width` wide, centred in `area`.
pub fn draw_window(
    title: &str,
    lines: Vec<Line<'static>>,
    width: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let w = width.min(area.width);
    let inner_w = w.saturating_sub(2).max(1);
    // Wrapped height, roughly: each line takes ceil(len / width) rows.
    let rows: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(inner_w).max(1))
        .sum();
    let h = (rows + 2).min(area.height);
    let x = area.x + (area.width - w) / 2;
    let y = area.y + (area.height - h) / 2;
    let rect = Rect::new(x, y, w, h);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused())
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Line::from(Span::styled(" Esc closes ", theme.dim())).right_aligned());
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(rect, buf);
}

//! The panes of the lesson screen. Each draws inside the area it is given
//! (its border and title are drawn by the screen), from the [`Session`] alone,
//! and knows nothing of any particular scenario.

pub mod lesson;
pub mod log;
pub mod map;
pub mod metrics;
pub mod spacetime;

use super::session::{PaneId, Session};
use super::text;
use super::theme::Theme;
use crate::sim::Time;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Draws pane `id`'s contents inside `inner`.
pub fn render(id: PaneId, s: &Session, theme: &Theme, inner: Rect, buf: &mut Buffer) {
    match id {
        PaneId::Lesson => lesson::render(s, theme, inner, buf),
        PaneId::Map => map::render(s, theme, inner, buf),
        PaneId::SpaceTime => spacetime::render(s, theme, inner, buf),
        PaneId::Metrics => metrics::render(s, theme, inner, buf),
        PaneId::Log => log::render(s, theme, inner, buf),
    }
}

/// Pane `id` drawn alone into a `width`×`height` buffer, as plain text lines
/// (for tests and for trying a pane out).
pub fn render_text(id: PaneId, s: &Session, theme: &Theme, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    render(id, s, theme, area, &mut buf);
    buffer_text(&buf)
}

/// A buffer's symbols, one line per row, trailing spaces trimmed.
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = text::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// How far a message sent at `sent` and due at `arrives` is along at `now`,
/// from 0 to 1.
fn flight_progress(sent: Time, arrives: Time, now: Time) -> f64 {
    if arrives <= sent {
        return 1.0;
    }
    ((now - sent).0 as f64 / (arrives - sent).0 as f64).clamp(0.0, 1.0)
}

//! The in-flight messages: every message on its way, to drop or to deliver
//! at once by hand (the run is paused while the window is open).

use super::{Outcome, Window, draw_window};
use crate::sim::Input;
use crate::ui::session::{Control, Session};
use crate::ui::text;
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The most of a message's fields the in-flight window shows.
const DETAIL_WIDTH: usize = 50;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Messages {
    pub selected: usize,
}

impl Messages {
    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let msgs = s.run.cluster().in_flight();
        let names = s.run.cluster().names();
        let now = s.now();
        let mut lines = vec![Line::from(Span::styled(
            "↑↓ choose   d drop   Enter deliver now   n run to the next send   (paused)",
            theme.dim(),
        ))];
        if msgs.is_empty() {
            lines.push(Line::from(Span::styled(
                "nothing is in flight right now: n runs to the next message sent",
                theme.dim(),
            )));
        }
        // A window of at most 14 rows around the selection.
        let start = self.selected.saturating_sub(7);
        for (i, m) in msgs.iter().enumerate().skip(start).take(14) {
            let when = match m.arrives_at {
                Some(t) if t >= now => format!("in {}", t - now),
                Some(_) => "now".to_string(),
                None => "held".to_string(),
            };
            let from = names.get(m.from).cloned().unwrap_or_default();
            let to = names.get(m.to).cloned().unwrap_or_default();
            let style = if i == self.selected {
                theme.selected()
            } else {
                theme.text()
            };
            // The message's fields, so a learner can tell which read or write it is.
            let mut detail = s
                .run
                .cluster()
                .in_flight_detail(m.id)
                .unwrap_or_else(|| m.kind.to_string());
            if text::width(&detail) > DETAIL_WIDTH {
                detail = text::truncate(&detail, DETAIL_WIDTH);
            }
            lines.push(Line::from(Span::styled(
                format!("  m{:<7} {from:>6} → {to:<6} {when:<9} {detail}", m.id),
                style,
            )));
        }
        if msgs.len() > start + 14 {
            lines.push(Line::from(Span::styled(
                format!("  … {} more", msgs.len() - start - 14),
                theme.dim(),
            )));
        }
        lines
    }
}

impl Window for Messages {
    fn title(&self) -> &'static str {
        "In-flight messages"
    }

    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        let msgs = s.run.cluster().in_flight();
        let n = msgs.len();
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char('d') | KeyCode::Delete => {
                if let Some(m) = msgs.get(self.selected) {
                    return Outcome::Apply(vec![Control::Input(Input::DropMessage(m.id))]);
                }
            }
            KeyCode::Enter => {
                if let Some(m) = msgs.get(self.selected) {
                    return Outcome::Apply(vec![Control::Input(Input::DeliverMessage(m.id))]);
                }
                return Outcome::Apply(vec![Control::ToNextSend]);
            }
            KeyCode::Char('n') => {
                self.selected = 0;
                return Outcome::Apply(vec![Control::ToNextSend]);
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 92, theme, area, buf);
    }
}

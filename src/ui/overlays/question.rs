//! The question window: a prediction asked at its moment, the run paused
//! until it is answered.

use super::{Outcome, Window, draw_window};
use crate::ui::markdown;
use crate::ui::session::{Control, Session};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Question `index` of the lesson, with choice `choice` highlighted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Question {
    pub index: usize,
    pub choice: usize,
}

impl Question {
    pub fn new(index: usize) -> Question {
        Question { index, choice: 0 }
    }

    fn answer(&self, choice: usize) -> Outcome {
        Outcome::Done(vec![Control::Answer {
            question: self.index,
            choice,
        }])
    }

    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let Some(q) = s.lesson().questions.get(self.index) else {
            return vec![];
        };
        let mut lines = vec![
            Line::from(Span::styled(
                format!("The run is paused at {}. What do you expect?", s.now()),
                theme.dim(),
            )),
            Line::default(),
            Line::from(markdown::inline(&q.prompt, theme.strong(), theme)),
            Line::default(),
        ];
        for (i, c) in q.choices.iter().enumerate() {
            let style = if i == self.choice {
                theme.selected()
            } else {
                theme.text()
            };
            let mut spans = vec![Span::styled(format!(" {} ", i + 1), style)];
            spans.extend(markdown::inline(c, style, theme));
            lines.push(Line::from(spans));
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "1-9 or ↑↓ Enter to answer; then watch what happens",
            theme.dim(),
        )));
        lines
    }
}

impl Window for Question {
    fn title(&self) -> &'static str {
        "Predict"
    }

    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        let n = s
            .lesson()
            .questions
            .get(self.index)
            .map_or(0, |q| q.choices.len());
        match key.code {
            KeyCode::Up => self.choice = self.choice.saturating_sub(1),
            KeyCode::Down => self.choice = (self.choice + 1).min(n.saturating_sub(1)),
            KeyCode::Char(c @ '1'..='9') => {
                let i = c as usize - '1' as usize;
                if i < n {
                    self.choice = i;
                    return self.answer(i);
                }
            }
            KeyCode::Enter => return self.answer(self.choice),
            _ => {}
        }
        Outcome::Keep
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 70, theme, area, buf);
    }
}

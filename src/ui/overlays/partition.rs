//! The partition editor: the nodes in two groups, and every link between
//! the groups cut at once.

use super::{Outcome, Window, draw_window};
use crate::sim::{Input, NodeSel};
use crate::ui::session::{Control, Session};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Which side each node is on: `true` for side A.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Partition {
    pub side: Vec<bool>,
}

impl Partition {
    /// The selected node alone on side A.
    pub fn new(s: &Session) -> Partition {
        let n = s.run.cluster().names().len();
        let mut side = vec![false; n];
        if let Some(x) = side.get_mut(s.selected) {
            *x = true;
        }
        Partition { side }
    }

    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let names = s.run.cluster().names();
        let mut lines = vec![Line::from(Span::styled(
            "1-9 moves a node to the other side; Enter cuts every link between the sides",
            theme.dim(),
        ))];
        let group = |want: bool| -> String {
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| self.side.get(*i).copied().unwrap_or(false) == want)
                .map(|(i, n)| format!("{}:{n}", i + 1))
                .collect::<Vec<_>>()
                .join(" ")
        };
        lines.push(Line::default());
        lines.push(Line::from(vec![
            Span::styled("  side A  ", theme.strong()),
            Span::raw(group(true)),
        ]));
        lines.push(Line::from(vec![
            Span::styled("  side B  ", theme.strong()),
            Span::raw(group(false)),
        ]));
        if !self.side.iter().any(|x| *x) || self.side.iter().all(|x| *x) {
            lines.push(Line::from(Span::styled(
                "  both sides need a node",
                theme.warn(),
            )));
        }
        lines
    }
}

impl Window for Partition {
    fn title(&self) -> &'static str {
        "Partition"
    }

    fn key(&mut self, key: KeyEvent, _s: &Session) -> Outcome {
        let side = &mut self.side;
        match key.code {
            KeyCode::Char(c @ '1'..='9') => {
                if let Some(x) = side.get_mut(c as usize - '1' as usize) {
                    *x = !*x;
                }
                Outcome::Keep
            }
            KeyCode::Enter => {
                let a: Vec<NodeSel> = (0..side.len())
                    .filter(|&i| side[i])
                    .map(NodeSel::Id)
                    .collect();
                let b: Vec<NodeSel> = (0..side.len())
                    .filter(|&i| !side[i])
                    .map(NodeSel::Id)
                    .collect();
                if a.is_empty() || b.is_empty() {
                    return Outcome::Keep;
                }
                Outcome::Done(vec![Control::Input(Input::Partition {
                    groups: vec![a, b],
                })])
            }
            _ => Outcome::Keep,
        }
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 56, theme, area, buf);
    }
}

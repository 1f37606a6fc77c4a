//! The commands window: the scenario's commands for the selected node's role
//! (hang, fail, recover…), sent to it with Enter.

use super::{Outcome, Window, draw_window};
use crate::sim::{Input, NodeSel};
use crate::ui::session::{Control, Session};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Commands {
    pub selected: usize,
}

impl Commands {
    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let cmds = commands_for(s);
        let name = s
            .run
            .cluster()
            .names()
            .get(s.selected)
            .cloned()
            .unwrap_or_default();
        let mut lines = vec![Line::from(Span::styled(
            format!("↑↓ choose   Enter send to {name}"),
            theme.dim(),
        ))];
        if cmds.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("{name} takes no commands in this lesson: select another node (1-9)"),
                theme.dim(),
            )));
        }
        for (i, (c, d)) in cmds.iter().enumerate() {
            let style = if i == self.selected {
                theme.selected()
            } else {
                theme.text()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {c:<10}"), style),
                Span::styled(d.to_string(), theme.dim()),
            ]));
        }
        lines
    }
}

impl Window for Commands {
    fn title(&self) -> &'static str {
        "Commands"
    }

    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        let cmds = commands_for(s);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(cmds.len().saturating_sub(1))
            }
            KeyCode::Enter => {
                if let Some(c) = cmds.get(self.selected) {
                    return Outcome::Done(vec![Control::Input(Input::Command {
                        node: NodeSel::Id(s.selected),
                        command: c.0.to_string(),
                    })]);
                }
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 60, theme, area, buf);
    }
}

/// The scenario's commands that apply to the selected node's role.
pub fn commands_for(s: &Session) -> Vec<(&'static str, &'static str)> {
    let role = s
        .run
        .cluster()
        .node_views()
        .get(s.selected)
        .map(|v| v.role.clone())
        .unwrap_or_default();
    let lesson_role = s
        .lesson()
        .nodes
        .get(s.selected)
        .map(|n| n.role.clone())
        .unwrap_or_default();
    s.lesson()
        .scenario
        .commands
        .iter()
        .filter(|c| c.roles.is_empty() || c.roles.iter().any(|r| *r == role || *r == lesson_role))
        .map(|c| (c.name, c.description))
        .collect()
}

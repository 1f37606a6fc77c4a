//! The help window: every key of a screen, from the keys table, and on the
//! lesson screen every command of the `:` command line.

use super::{Outcome, Window, draw_window};
use crate::ui::command_line::{COMMANDS, CommandSpec};
use crate::ui::keys::{KeyGroup, LESSON};
use crate::ui::session::Session;
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The lesson screen's keys, scrolled `scroll` lines down when they are in
/// one column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Help {
    pub scroll: u16,
}

impl Window for Help {
    fn title(&self) -> &'static str {
        "Keys"
    }

    fn key(&mut self, key: KeyEvent, _s: &Session) -> Outcome {
        match key.code {
            KeyCode::Char('?') | KeyCode::Char('q') => Outcome::Close,
            KeyCode::Down | KeyCode::Char('j') => {
                self.scroll = self.scroll.saturating_add(1);
                Outcome::Keep
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.scroll = self.scroll.saturating_sub(1);
                Outcome::Keep
            }
            _ => Outcome::Keep,
        }
    }

    fn render(&self, _s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_help(LESSON, COMMANDS, self.scroll, theme, area, buf);
    }
}

/// A titled group of rows of the help window: keys or a command, and what
/// it does.
struct Group {
    title: &'static str,
    rows: Vec<(&'static str, &'static str)>,
}

/// The key groups, then the commands (if any) as a group of their own.
fn groups_of(keys: &[KeyGroup], commands: &[CommandSpec]) -> Vec<Group> {
    let mut groups: Vec<Group> = keys
        .iter()
        .map(|g| Group {
            title: g.title,
            rows: g.keys.iter().map(|k| (k.keys, k.action)).collect(),
        })
        .collect();
    if !commands.is_empty() {
        groups.push(Group {
            title: "Command line (: then Tab)",
            rows: commands.iter().map(|c| (c.usage, c.about)).collect(),
        });
    }
    groups
}

/// The help window: the key groups (and the commands) in two columns when
/// they fit side by side, else in one that scrolls.
pub fn draw_help(
    keys: &[KeyGroup],
    commands: &[CommandSpec],
    scroll: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    const COLUMN: u16 = 38;
    let groups = groups_of(keys, commands);
    let groups = groups.as_slice();
    let total: usize = groups.iter().map(|g| g.rows.len() + 2).sum();
    if area.width >= 2 * COLUMN + 2 {
        // Split the groups where the longer column is shortest.
        let split = (1..groups.len())
            .min_by_key(|&i| {
                let left: usize = groups[..i].iter().map(|g| g.rows.len() + 2).sum();
                left.max(total - left)
            })
            .unwrap_or(groups.len());
        let left = group_lines(&groups[..split], theme);
        let right = group_lines(&groups[split..], theme);
        let rows = left.len().max(right.len());
        let mut lines = Vec::with_capacity(rows);
        for i in 0..rows {
            let mut spans = left.get(i).map_or(vec![], |l| l.spans.clone());
            let w: usize = spans.iter().map(|s| s.width()).sum();
            spans.push(Span::raw(" ".repeat((COLUMN as usize).saturating_sub(w))));
            if let Some(r) = right.get(i) {
                spans.extend(r.spans.iter().cloned());
            }
            lines.push(Line::from(spans));
        }
        let skip = (scroll as usize).min(lines.len().saturating_sub(1));
        draw_window(
            "Keys",
            lines.into_iter().skip(skip).collect(),
            2 * COLUMN + 2,
            theme,
            area,
            buf,
        );
    } else {
        let lines = group_lines(groups, theme);
        let skip = (scroll as usize).min(lines.len().saturating_sub(1));
        draw_window(
            "Keys",
            lines.into_iter().skip(skip).collect(),
            COLUMN + 2,
            theme,
            area,
            buf,
        );
    }
}

/// The help window's lines for a screen's key groups.
pub fn help_lines(groups: &[KeyGroup], theme: &Theme) -> Vec<Line<'static>> {
    group_lines(&groups_of(groups, &[]), theme)
}

fn group_lines(groups: &[Group], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for g in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(g.title, theme.heading())));
        // Keys take 12 columns; a group of longer ones (commands) more.
        let width = g
            .rows
            .iter()
            .map(|(k, _)| k.chars().count() + 1)
            .max()
            .unwrap_or(0)
            .max(12);
        for (keys, action) in &g.rows {
            lines.push(Line::from(vec![
                Span::styled(format!(" {keys:<width$}"), theme.key()),
                Span::raw(*action),
            ]));
        }
    }
    lines
}

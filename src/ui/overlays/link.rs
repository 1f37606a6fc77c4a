//! The link editor: latency, loss and duplication of the link from the
//! selected node to another, one way or both.

use super::{Outcome, Window, draw_window};
use crate::sim::{Input, Latency, LinkChange, NodeSel, Time};
use crate::ui::session::{Control, Session};
use crate::ui::text;
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The latencies the editor offers.
const LATENCIES: [Time; 10] = [
    Time::millis(1),
    Time::millis(2),
    Time::millis(5),
    Time::millis(10),
    Time::millis(20),
    Time::millis(50),
    Time::millis(100),
    Time::millis(250),
    Time::millis(500),
    Time::secs(2),
];
/// The loss and duplication rates it offers.
const RATES: [f64; 8] = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 1.0];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub to: usize,
    /// Selected row: 0 target, 1 latency, 2 loss, 3 duplication, 4 both ways.
    pub row: usize,
    pub latency: usize,
    pub loss: usize,
    pub duplicate: usize,
    pub both: bool,
}

impl Link {
    /// The link from the selected node to the next one, both ways, as it is now.
    pub fn new(s: &Session) -> Link {
        let n = s.run.cluster().names().len();
        let to = (s.selected + 1) % n.max(1);
        let mut link = Link {
            to,
            row: 0,
            latency: 0,
            loss: 0,
            duplicate: 0,
            both: true,
        };
        link.load(s);
        link
    }

    /// Sets the editor's values from the link as it is now.
    fn load(&mut self, s: &Session) {
        let link = s.run.cluster().network().link(s.selected, self.to);
        let mean = link.latency.mean();
        self.latency = LATENCIES
            .iter()
            .position(|l| *l >= mean)
            .unwrap_or(LATENCIES.len() - 1);
        self.loss = RATES.iter().position(|r| *r >= link.loss).unwrap_or(0);
        self.duplicate = RATES.iter().position(|r| *r >= link.duplicate).unwrap_or(0);
    }

    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let names = s.run.cluster().names();
        let name = |i: usize| names.get(i).cloned().unwrap_or_default();
        let now = s.run.cluster().network().link(s.selected, self.to);
        let rows = [
            ("to", format!("{} → {}", name(s.selected), name(self.to))),
            ("latency", LATENCIES[self.latency].to_string()),
            ("loss", text::percent(RATES[self.loss])),
            ("duplication", text::percent(RATES[self.duplicate])),
            (
                "both ways",
                if self.both { "yes" } else { "no" }.to_string(),
            ),
        ];
        let mut lines = vec![
            Line::from(Span::styled(
                "↑↓ choose   ←→ change   Enter apply",
                theme.dim(),
            )),
            Line::from(Span::styled(
                format!(
                    "now: latency {}, loss {}, duplication {}",
                    now.latency,
                    text::percent(now.loss),
                    text::percent(now.duplicate)
                ),
                theme.dim(),
            )),
            Line::default(),
        ];
        for (i, (label, value)) in rows.into_iter().enumerate() {
            let style = if i == self.row {
                theme.selected()
            } else {
                theme.text()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {label:<12}"), style),
                Span::styled(format!("‹ {value} ›"), theme.strong()),
            ]));
        }
        lines
    }
}

impl Window for Link {
    fn title(&self) -> &'static str {
        "Link"
    }

    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        let n = s.run.cluster().names().len().max(1);
        match key.code {
            KeyCode::Up | KeyCode::Char('k') => self.row = self.row.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => self.row = (self.row + 1).min(4),
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
                let up = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
                let step = |i: usize, len: usize| {
                    if up {
                        (i + 1).min(len - 1)
                    } else {
                        i.saturating_sub(1)
                    }
                };
                match self.row {
                    0 => {
                        let mut to = self.to;
                        loop {
                            to = if up { (to + 1) % n } else { (to + n - 1) % n };
                            if to != s.selected || n == 1 {
                                break;
                            }
                        }
                        self.to = to;
                        self.load(s);
                    }
                    1 => self.latency = step(self.latency, LATENCIES.len()),
                    2 => self.loss = step(self.loss, RATES.len()),
                    3 => self.duplicate = step(self.duplicate, RATES.len()),
                    _ => self.both = !self.both,
                }
            }
            KeyCode::Enter => {
                let change = LinkChange {
                    latency: Some(Latency::Constant {
                        value: LATENCIES[self.latency],
                    }),
                    loss: Some(RATES[self.loss]),
                    duplicate: Some(RATES[self.duplicate]),
                };
                let mut out = vec![Control::Input(Input::SetLink {
                    from: Some(NodeSel::Id(s.selected)),
                    to: Some(NodeSel::Id(self.to)),
                    change,
                })];
                if self.both {
                    out.push(Control::Input(Input::SetLink {
                        from: Some(NodeSel::Id(self.to)),
                        to: Some(NodeSel::Id(s.selected)),
                        change,
                    }));
                }
                return Outcome::Done(out);
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 60, theme, area, buf);
    }
}

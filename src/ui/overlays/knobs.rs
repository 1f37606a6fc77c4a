//! The knobs window: every knob of the lesson (and the scenario's others),
//! changed live; a new value is chosen first and applied with Enter.

use super::{Outcome, Window, draw_window};
use crate::scenarios::KnobKind;
use crate::sim::{Input, KnobValue, Time};
use crate::ui::session::{Control, Session};
use crate::ui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Knobs {
    pub selected: usize,
    /// A value chosen but not applied yet, for the selected knob.
    pub pending: Option<KnobValue>,
    /// A value being typed for the selected knob (`=` or a digit starts it).
    pub typed: Option<String>,
    /// Why the value typed last was refused.
    pub error: Option<String>,
}

impl Window for Knobs {
    fn title(&self) -> &'static str {
        "Knobs"
    }

    fn takes_text(&self) -> bool {
        self.typed.is_some()
    }

    fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        let lesson = s.lesson();
        let names = lesson.knob_names();
        let current = s.run.knobs();
        if let Some(typed) = &mut self.typed {
            return match key.code {
                KeyCode::Enter => {
                    let Some(name) = names.get(self.selected) else {
                        return Outcome::Keep;
                    };
                    // Read as `--set` reads it: any value in the knob's range.
                    match lesson.parse_setting(&format!("{name}={typed}")) {
                        Ok((name, value)) => {
                            self.typed = None;
                            self.error = None;
                            self.pending = None;
                            if current.get(&name) == Some(&value) {
                                return Outcome::Keep;
                            }
                            Outcome::Apply(vec![Control::Input(Input::Knob { name, value })])
                        }
                        Err(e) => {
                            self.error = Some(e);
                            Outcome::Keep
                        }
                    }
                }
                KeyCode::Esc => {
                    self.typed = None;
                    self.error = None;
                    Outcome::Keep
                }
                KeyCode::Backspace => {
                    if typed.pop().is_none() {
                        self.typed = None;
                    }
                    self.error = None;
                    Outcome::Keep
                }
                KeyCode::Char(c) => {
                    typed.push(c);
                    self.error = None;
                    Outcome::Keep
                }
                _ => Outcome::Keep,
            };
        }
        match key.code {
            KeyCode::Char('=') => {
                self.typed = Some(String::new());
                self.pending = None;
            }
            KeyCode::Char(c) if c.is_ascii_digit() => {
                self.typed = Some(c.to_string());
                self.pending = None;
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.selected = self.selected.saturating_sub(1);
                self.pending = None;
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.selected = (self.selected + 1).min(names.len().saturating_sub(1));
                self.pending = None;
            }
            KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
                let up = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
                if let Some(knob) = names.get(self.selected).and_then(|n| lesson.knob(n)) {
                    let from = self
                        .pending
                        .clone()
                        .or_else(|| current.get(&knob.name).cloned())
                        .unwrap_or(KnobValue::Off);
                    self.pending = Some(step_knob(&knob.kind, &from, up));
                }
            }
            KeyCode::Enter | KeyCode::Char(' ') => {
                if let (Some(name), Some(value)) = (names.get(self.selected), self.pending.take())
                    && current.get(name) != Some(&value)
                {
                    return Outcome::Apply(vec![Control::Input(Input::Knob {
                        name: name.clone(),
                        value,
                    })]);
                }
            }
            _ => {}
        }
        Outcome::Keep
    }

    fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        draw_window(self.title(), self.lines(s, theme), 72, theme, area, buf);
    }
}

impl Knobs {
    fn lines(&self, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
        let lesson = s.lesson();
        let current = s.run.knobs();
        let mut lines = vec![Line::from(Span::styled(
            "↑↓ choose   ←→ change   = type a value   Enter apply now",
            theme.dim(),
        ))];
        let names = lesson.knob_names();
        let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
        let own = lesson.knobs.len();
        for (i, name) in names.iter().enumerate() {
            if i == own && own > 0 {
                lines.push(Line::from(Span::styled(
                    "  the scenario's other knobs:",
                    theme.dim(),
                )));
            }
            let value = current
                .get(name)
                .map_or("-".to_string(), ToString::to_string);
            let selected = i == self.selected;
            let mut spans = vec![
                Span::styled(
                    format!("{} {name:<width$}  ", if selected { "▸" } else { " " }),
                    if selected {
                        theme.selected()
                    } else {
                        theme.text()
                    },
                ),
                Span::styled(value, theme.strong()),
            ];
            if selected && let Some(t) = &self.typed {
                spans.push(Span::styled(format!("  = {t}"), theme.warn()));
                spans.push(Span::styled(" ", theme.selected()));
                spans.push(Span::styled("  (Enter applies)", theme.dim()));
            } else if selected && let Some(p) = &self.pending {
                spans.push(Span::styled(format!("  → {p}"), theme.warn()));
                spans.push(Span::styled("  (Enter applies)", theme.dim()));
            }
            lines.push(Line::from(spans));
            if selected && let Some(e) = &self.error {
                lines.push(Line::from(Span::styled(format!("    ✗ {e}"), theme.bad())));
            }
            if selected && let Some(k) = lesson.knob(name) {
                lines.push(Line::from(Span::styled(
                    format!("    {} ({})", k.description, k.kind.accepted()),
                    theme.dim(),
                )));
            }
        }
        lines
    }
}

/// The next value of a knob up or down: switches flip, choices cycle, numbers
/// and durations move along a 1-2-5 ladder within the knob's range.
pub fn step_knob(kind: &KnobKind, from: &KnobValue, up: bool) -> KnobValue {
    match kind {
        KnobKind::Switch => KnobValue::Bool(!from.as_bool()),
        KnobKind::Choice(choices) => {
            let n = choices.len().max(1);
            let i = choices
                .iter()
                .position(|c| c == from.as_choice())
                .unwrap_or(0);
            let j = if up { (i + 1) % n } else { (i + n - 1) % n };
            KnobValue::Choice(choices.get(j).cloned().unwrap_or_default())
        }
        KnobKind::Int { min, max } => {
            let v = from.as_int();
            let next = if *max - *min <= 20 {
                if up { v + 1 } else { v - 1 }
            } else {
                ladder_step(v as f64, up) as i64
            };
            KnobValue::Int(next.clamp(*min, *max))
        }
        KnobKind::Float { min, max } => {
            let v = from.as_float();
            let step = ((max - min) / 20.0).max(f64::EPSILON);
            let next = if up { v + step } else { v - step };
            KnobValue::Float((next.clamp(*min, *max) * 1000.0).round() / 1000.0)
        }
        KnobKind::Duration { min, max } | KnobKind::DurationOrOff { min, max } => {
            let can_off = matches!(kind, KnobKind::DurationOrOff { .. });
            match from.as_duration() {
                None if up => KnobValue::Duration(*min),
                None => {
                    if can_off {
                        KnobValue::Off
                    } else {
                        KnobValue::Duration(*min)
                    }
                }
                Some(d) if !up && d <= *min && can_off => KnobValue::Off,
                Some(d) => {
                    let next = Time(ladder_step(d.0 as f64, up).max(0.0) as u64);
                    KnobValue::Duration(next.clamp(*min, *max))
                }
            }
        }
    }
}

/// The next value on the 1, 2, 5, 10, 20, 50… ladder above or below `v`.
fn ladder_step(v: f64, up: bool) -> f64 {
    if v <= 0.0 {
        return if up { 1.0 } else { 0.0 };
    }
    let mut rungs = Vec::new();
    let mut p = 1.0;
    while p <= v * 100.0 {
        for m in [1.0, 2.0, 5.0] {
            rungs.push(m * p);
        }
        p *= 10.0;
    }
    if up {
        rungs
            .into_iter()
            .find(|r| *r > v * 1.0001)
            .unwrap_or(v * 2.0)
    } else {
        rungs
            .into_iter()
            .rev()
            .find(|r| *r < v * 0.9999)
            .unwrap_or(0.0)
    }
}

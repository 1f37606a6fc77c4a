//! Windows drawn over the lesson screen: help, knobs, a question, the
//! partition and link editors, in-flight messages and node commands. Each
//! takes keys first; what it decides comes back as [`Control`]s for the
//! session to apply, so everything is recorded.

use super::keys::{KeyGroup, LESSON};
use super::session::{Control, Session};
use super::text;
use super::theme::Theme;
use crate::scenarios::KnobKind;
use crate::sim::{Input, KnobValue, Latency, LinkChange, NodeSel, Time};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Widget, Wrap};

/// An open window and its own state.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Knobs(KnobsState),
    Question { index: usize, choice: usize },
    Partition { side: Vec<bool> },
    Link(LinkState),
    Messages { selected: usize },
    Commands { selected: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct KnobsState {
    pub selected: usize,
    /// A value chosen but not applied yet, for the selected knob.
    pub pending: Option<KnobValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    pub to: usize,
    /// Selected row: 0 target, 1 latency, 2 loss, 3 duplication, 4 both ways.
    pub row: usize,
    pub latency: usize,
    pub loss: usize,
    pub duplicate: usize,
    pub both: bool,
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
const RATES: [f64; 8] = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.9, 1.0];

impl Overlay {
    pub fn title(&self) -> &'static str {
        match self {
            Overlay::Help { .. } => "Keys",
            Overlay::Knobs(_) => "Knobs",
            Overlay::Question { .. } => "Predict",
            Overlay::Partition { .. } => "Partition",
            Overlay::Link(_) => "Link",
            Overlay::Messages { .. } => "In-flight messages",
            Overlay::Commands { .. } => "Commands",
        }
    }

    pub fn knobs() -> Overlay {
        Overlay::Knobs(KnobsState {
            selected: 0,
            pending: None,
        })
    }

    pub fn partition(s: &Session) -> Overlay {
        let n = s.run.cluster().names().len();
        let mut side = vec![false; n];
        if let Some(x) = side.get_mut(s.selected) {
            *x = true;
        }
        Overlay::Partition { side }
    }

    pub fn link(s: &Session) -> Overlay {
        let n = s.run.cluster().names().len();
        let to = (s.selected + 1) % n.max(1);
        let mut state = LinkState {
            to,
            row: 0,
            latency: 0,
            loss: 0,
            duplicate: 0,
            both: true,
        };
        state.load(s);
        Overlay::Link(state)
    }

    /// Handles a key; the session is read, never changed here.
    pub fn key(&mut self, key: KeyEvent, s: &Session) -> Outcome {
        if key.code == KeyCode::Esc {
            return Outcome::Close;
        }
        match self {
            Overlay::Help { scroll } => match key.code {
                KeyCode::Char('?') | KeyCode::Char('q') => Outcome::Close,
                KeyCode::Down | KeyCode::Char('j') => {
                    *scroll = scroll.saturating_add(1);
                    Outcome::Keep
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    *scroll = scroll.saturating_sub(1);
                    Outcome::Keep
                }
                _ => Outcome::Keep,
            },
            Overlay::Knobs(state) => knobs_key(state, key, s),
            Overlay::Question { index, choice } => {
                let n = s
                    .lesson()
                    .questions
                    .get(*index)
                    .map_or(0, |q| q.choices.len());
                match key.code {
                    KeyCode::Up => *choice = choice.saturating_sub(1),
                    KeyCode::Down => *choice = (*choice + 1).min(n.saturating_sub(1)),
                    KeyCode::Char(c @ '1'..='9') => {
                        let i = c as usize - '1' as usize;
                        if i < n {
                            *choice = i;
                            return answer(*index, i);
                        }
                    }
                    KeyCode::Enter => return answer(*index, *choice),
                    _ => {}
                }
                Outcome::Keep
            }
            Overlay::Partition { side } => match key.code {
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
            },
            Overlay::Link(state) => link_key(state, key, s),
            Overlay::Messages { selected } => {
                let msgs = s.run.cluster().in_flight();
                let n = msgs.len();
                match key.code {
                    KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        *selected = (*selected + 1).min(n.saturating_sub(1))
                    }
                    KeyCode::Char('d') | KeyCode::Delete => {
                        if let Some(m) = msgs.get(*selected) {
                            return Outcome::Apply(vec![Control::Input(Input::DropMessage(m.id))]);
                        }
                    }
                    KeyCode::Enter => {
                        if let Some(m) = msgs.get(*selected) {
                            return Outcome::Apply(vec![Control::Input(Input::DeliverMessage(
                                m.id,
                            ))]);
                        }
                    }
                    _ => {}
                }
                Outcome::Keep
            }
            Overlay::Commands { selected } => {
                let cmds = commands_for(s);
                match key.code {
                    KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        *selected = (*selected + 1).min(cmds.len().saturating_sub(1))
                    }
                    KeyCode::Enter => {
                        if let Some(c) = cmds.get(*selected) {
                            return Outcome::Done(vec![Control::Input(Input::Command {
                                node: s.node(),
                                command: c.0.to_string(),
                            })]);
                        }
                    }
                    _ => {}
                }
                Outcome::Keep
            }
        }
    }

    /// Draws the window centred over `area`.
    pub fn render(&self, s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let (lines, width) = match self {
            Overlay::Help { scroll } => {
                draw_help(LESSON, *scroll, theme, area, buf);
                return;
            }
            Overlay::Knobs(state) => (knobs_lines(state, s, theme), 72),
            Overlay::Question { index, choice } => (question_lines(*index, *choice, s, theme), 70),
            Overlay::Partition { side } => (partition_lines(side, s, theme), 56),
            Overlay::Link(state) => (link_lines(state, s, theme), 60),
            Overlay::Messages { selected } => (messages_lines(*selected, s, theme), 92),
            Overlay::Commands { selected } => (commands_lines(*selected, s, theme), 60),
        };
        draw_window(self.title(), lines, width, theme, area, buf);
    }
}

fn answer(index: usize, choice: usize) -> Outcome {
    Outcome::Done(vec![Control::Answer {
        question: index,
        choice,
    }])
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

/// The help window: the key groups in two columns when they fit side by
/// side, else in one that scrolls.
pub fn draw_help(groups: &[KeyGroup], scroll: u16, theme: &Theme, area: Rect, buf: &mut Buffer) {
    const COLUMN: u16 = 38;
    let total: usize = groups.iter().map(|g| g.keys.len() + 2).sum();
    if area.width >= 2 * COLUMN + 2 {
        // Split the groups where the longer column is shortest.
        let split = (1..groups.len())
            .min_by_key(|&i| {
                let left: usize = groups[..i].iter().map(|g| g.keys.len() + 2).sum();
                left.max(total - left)
            })
            .unwrap_or(groups.len());
        let left = help_lines(&groups[..split], theme);
        let right = help_lines(&groups[split..], theme);
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
        let lines = help_lines(groups, theme);
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
    let mut lines = Vec::new();
    for g in groups {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(g.title, theme.heading())));
        for k in g.keys {
            lines.push(Line::from(vec![
                Span::styled(format!(" {:<12}", k.keys), theme.key()),
                Span::raw(k.action),
            ]));
        }
    }
    lines
}

fn knobs_key(state: &mut KnobsState, key: KeyEvent, s: &Session) -> Outcome {
    let lesson = s.lesson();
    let names = lesson.knob_names();
    let current = s.run.knobs();
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => {
            state.selected = state.selected.saturating_sub(1);
            state.pending = None;
        }
        KeyCode::Down | KeyCode::Char('j') => {
            state.selected = (state.selected + 1).min(names.len().saturating_sub(1));
            state.pending = None;
        }
        KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
            let up = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
            if let Some(knob) = names.get(state.selected).and_then(|n| lesson.knob(n)) {
                let from = state
                    .pending
                    .clone()
                    .or_else(|| current.get(&knob.name).cloned())
                    .unwrap_or(KnobValue::Off);
                state.pending = Some(step_knob(&knob.kind, &from, up));
            }
        }
        KeyCode::Enter | KeyCode::Char(' ') => {
            if let (Some(name), Some(value)) = (names.get(state.selected), state.pending.take())
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

fn knobs_lines(state: &KnobsState, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
    let lesson = s.lesson();
    let current = s.run.knobs();
    let mut lines = vec![Line::from(Span::styled(
        "↑↓ choose   ←→ change   Enter apply now",
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
        let selected = i == state.selected;
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
        if selected && let Some(p) = &state.pending {
            spans.push(Span::styled(format!("  → {p}"), theme.warn()));
            spans.push(Span::styled("  (Enter applies)", theme.dim()));
        }
        lines.push(Line::from(spans));
        if selected && let Some(k) = lesson.knob(name) {
            lines.push(Line::from(Span::styled(
                format!("    {} ({})", k.description, k.kind.accepted()),
                theme.dim(),
            )));
        }
    }
    lines
}

fn question_lines(index: usize, choice: usize, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
    let Some(q) = s.lesson().questions.get(index) else {
        return vec![];
    };
    let mut lines = vec![
        Line::from(Span::styled(
            format!("The run is paused at {}. What do you expect?", s.now()),
            theme.dim(),
        )),
        Line::default(),
        Line::from(Span::styled(q.prompt.clone(), theme.strong())),
        Line::default(),
    ];
    for (i, c) in q.choices.iter().enumerate() {
        let style = if i == choice {
            theme.selected()
        } else {
            theme.text()
        };
        lines.push(Line::from(Span::styled(format!(" {} {c}", i + 1), style)));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "1-9 or ↑↓ Enter to answer; then watch what happens",
        theme.dim(),
    )));
    lines
}

fn partition_lines(side: &[bool], s: &Session, theme: &Theme) -> Vec<Line<'static>> {
    let names = s.run.cluster().names();
    let mut lines = vec![Line::from(Span::styled(
        "1-9 moves a node to the other side; Enter cuts every link between the sides",
        theme.dim(),
    ))];
    let group = |want: bool| -> String {
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| side.get(*i).copied().unwrap_or(false) == want)
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
    if !side.iter().any(|x| *x) || side.iter().all(|x| *x) {
        lines.push(Line::from(Span::styled(
            "  both sides need a node",
            theme.warn(),
        )));
    }
    lines
}

impl LinkState {
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
}

fn link_key(state: &mut LinkState, key: KeyEvent, s: &Session) -> Outcome {
    let n = s.run.cluster().names().len().max(1);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => state.row = state.row.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => state.row = (state.row + 1).min(4),
        KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
            let up = matches!(key.code, KeyCode::Right | KeyCode::Char('l'));
            let step = |i: usize, len: usize| {
                if up {
                    (i + 1).min(len - 1)
                } else {
                    i.saturating_sub(1)
                }
            };
            match state.row {
                0 => {
                    let mut to = state.to;
                    loop {
                        to = if up { (to + 1) % n } else { (to + n - 1) % n };
                        if to != s.selected || n == 1 {
                            break;
                        }
                    }
                    state.to = to;
                    state.load(s);
                }
                1 => state.latency = step(state.latency, LATENCIES.len()),
                2 => state.loss = step(state.loss, RATES.len()),
                3 => state.duplicate = step(state.duplicate, RATES.len()),
                _ => state.both = !state.both,
            }
        }
        KeyCode::Enter => {
            let change = LinkChange {
                latency: Some(Latency::Constant {
                    value: LATENCIES[state.latency],
                }),
                loss: Some(RATES[state.loss]),
                duplicate: Some(RATES[state.duplicate]),
            };
            let mut out = vec![Control::Input(s.link_change(state.to, change))];
            if state.both {
                out.push(Control::Input(Input::SetLink {
                    from: Some(NodeSel::Id(state.to)),
                    to: Some(s.node()),
                    change,
                }));
            }
            return Outcome::Done(out);
        }
        _ => {}
    }
    Outcome::Keep
}

fn link_lines(state: &LinkState, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
    let names = s.run.cluster().names();
    let name = |i: usize| names.get(i).cloned().unwrap_or_default();
    let now = s.run.cluster().network().link(s.selected, state.to);
    let rows = [
        ("to", format!("{} → {}", name(s.selected), name(state.to))),
        ("latency", LATENCIES[state.latency].to_string()),
        ("loss", text::percent(RATES[state.loss])),
        ("duplication", text::percent(RATES[state.duplicate])),
        (
            "both ways",
            if state.both { "yes" } else { "no" }.to_string(),
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
        let style = if i == state.row {
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

/// The most of a message's fields the in-flight window shows.
const DETAIL_WIDTH: usize = 50;

fn messages_lines(selected: usize, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
    let msgs = s.run.cluster().in_flight();
    let names = s.run.cluster().names();
    let now = s.now();
    let mut lines = vec![Line::from(Span::styled(
        "↑↓ choose   d drop   Enter deliver now   (the run is paused)",
        theme.dim(),
    ))];
    if msgs.is_empty() {
        lines.push(Line::from(Span::styled(
            "nothing is in flight right now: step with . and look again",
            theme.dim(),
        )));
    }
    // A window of at most 14 rows around the selection.
    let start = selected.saturating_sub(7);
    for (i, m) in msgs.iter().enumerate().skip(start).take(14) {
        let when = match m.arrives_at {
            Some(t) if t >= now => format!("in {}", t - now),
            Some(_) => "now".to_string(),
            None => "held".to_string(),
        };
        let from = names.get(m.from).cloned().unwrap_or_default();
        let to = names.get(m.to).cloned().unwrap_or_default();
        let style = if i == selected {
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

fn commands_lines(selected: usize, s: &Session, theme: &Theme) -> Vec<Line<'static>> {
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
        let style = if i == selected {
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

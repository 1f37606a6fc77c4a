//! Where the lesson screen's parts go, and how they are drawn: the header,
//! the panes in their borders, the footer, and an open window on top. Five
//! panes from 100×30 up; below that the map plus one shared slot that `Tab`
//! cycles; a message below 60×18.

use super::LessonScreen;
use crate::lesson::Status;
use crate::ui::command_line::Prompt;
use crate::ui::keys::{self, KeyHelp};
use crate::ui::panes;
use crate::ui::session::{PaneId, Session};
use crate::ui::text;
use crate::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};

/// Smallest terminal the lesson screen is drawn in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;
/// At or above this size every pane has its own place.
const WIDE: u16 = 100;
const TALL: u16 = 30;

/// Where each part of the lesson screen goes.
pub struct LessonLayout {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(PaneId, Rect)>,
}

/// Where the lesson screen's parts go at `area`'s size.
pub fn lesson_layout(area: Rect, s: &Session, compact_slot: PaneId) -> LessonLayout {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let panes = if s.zoomed {
        vec![(s.focus, body)]
    } else if area.width >= WIDE && area.height >= TALL {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(28), Constraint::Min(0)]).areas(body);
        // The space-time diagram needs a lane per node plus its window and axis rows.
        let lanes = s.run.cluster().names().len() as u16 + 4;
        let [top, middle, bottom] = Layout::vertical([
            Constraint::Percentage(46),
            Constraint::Length(lanes.max(body.height / 4)),
            Constraint::Min(0),
        ])
        .areas(right);
        let [map, metrics] =
            Layout::horizontal([Constraint::Percentage(47), Constraint::Min(0)]).areas(top);
        vec![
            (PaneId::Lesson, left),
            (PaneId::Map, map),
            (PaneId::Metrics, metrics),
            (PaneId::SpaceTime, middle),
            (PaneId::Log, bottom),
        ]
    } else {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(36), Constraint::Min(0)]).areas(body);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Min(0)]).areas(right);
        vec![
            (PaneId::Lesson, left),
            (PaneId::Map, top),
            (compact_slot, bottom),
        ]
    };
    LessonLayout {
        header,
        footer,
        panes,
    }
}

pub(super) fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

pub(super) fn render_lesson(l: &LessonScreen, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let s = &l.session;
    let layout = lesson_layout(area, s, l.compact_slot);
    header(s, theme, layout.header, buf);
    let compact = layout.panes.len() == 3;
    for (id, rect) in &layout.panes {
        let focused = *id == s.focus;
        let mut title = vec![Span::styled(
            format!(" {} ", id.title()),
            if focused {
                theme.border_focused()
            } else {
                theme.title()
            },
        )];
        if compact && *id == l.compact_slot {
            title.push(Span::styled("Tab: more ", theme.dim()));
        }
        if *id == PaneId::Map {
            let name = s
                .run
                .cluster()
                .names()
                .get(s.selected)
                .cloned()
                .unwrap_or_default();
            title.push(Span::styled(format!("selected {name} "), theme.dim()));
        }
        if *id == PaneId::Log {
            let filter = match s.log.filter {
                Some(n) => s.run.cluster().names().get(n).cloned().unwrap_or_default(),
                None => "all".into(),
            };
            title.push(Span::styled(format!("{filter} "), theme.dim()));
        }
        let block = Block::bordered()
            .border_type(if focused {
                BorderType::Thick
            } else {
                BorderType::Rounded
            })
            .border_style(if focused {
                theme.border_focused()
            } else {
                theme.border()
            })
            .title(Line::from(title));
        let inner_rect = block.inner(*rect);
        block.render(*rect, buf);
        panes::render(*id, s, theme, inner_rect, buf);
    }
    match &l.prompt {
        Some(p) => prompt_line(p, theme, layout.footer, buf),
        None => footer(s, theme, layout.footer, buf),
    }
    if let Some(o) = &l.overlay {
        o.render(s, theme, area, buf);
    }
}

fn header(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let lesson = s.lesson();
    let now = s.now();
    let (glyph, state) = if s.asking().is_some() {
        ("?", "question")
    } else if s.paused {
        ("‖", "paused")
    } else {
        ("▶", "running")
    };
    let phase = lesson
        .phases
        .iter()
        .find(|p| p.from <= now && now < p.to)
        .map(|p| p.name.as_str())
        .unwrap_or("-");
    let verdicts = s.verdicts();
    let met = verdicts.iter().filter(|v| v.status == Status::Met).count();
    let failed = verdicts
        .iter()
        .filter(|v| v.status == Status::Failed)
        .count();
    // Parts of the line, each with a rank: when the line is too wide the
    // highest ranks go first.
    let mut goals = vec![Span::styled(
        format!("goals ✓{met}/{}", verdicts.len()),
        if met == verdicts.len() {
            theme.good()
        } else {
            theme.text()
        },
    )];
    if failed > 0 {
        goals.push(Span::styled(format!(" ✗{failed}"), theme.bad()));
    }
    let mut parts: Vec<(u8, Vec<Span>)> = vec![
        (5, vec![Span::styled("splitbrain", theme.heading())]),
        (1, vec![Span::styled(lesson.title.clone(), theme.strong())]),
        (
            0,
            vec![Span::styled(
                format!("{glyph} {state} {}", s.speed_label()),
                if s.paused { theme.warn() } else { theme.good() },
            )],
        ),
        (
            0,
            vec![Span::raw(format!(
                "t {} / {}",
                text::clock_tenths(now),
                text::clock_tenths(lesson.length)
            ))],
        ),
        (3, vec![Span::raw(format!("phase {phase}"))]),
        (4, vec![Span::raw(format!("seed {}", s.run.seed()))]),
        (2, goals),
    ];
    let width = |parts: &[(u8, Vec<Span>)]| -> usize {
        let text: usize = parts
            .iter()
            .map(|(_, p)| p.iter().map(Span::width).sum::<usize>())
            .sum();
        text + 3 * parts.len().saturating_sub(1) + 1
    };
    while width(&parts) > area.width as usize && parts.len() > 1 {
        let worst = parts
            .iter()
            .enumerate()
            .max_by_key(|(i, (rank, _))| (*rank, *i))
            .map_or(0, |(i, _)| i);
        parts.remove(worst);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (_, p)) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.dim()));
        }
        spans.extend(p);
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

fn footer(s: &Session, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let line = match &s.status {
        Some(msg) => {
            let mut spans = vec![Span::styled(" » ", theme.key())];
            spans.extend(crate::ui::markdown::inline(msg, theme.text(), theme));
            Line::from(spans)
        }
        None => key_line(&keys::footer(keys::LESSON), theme),
    };
    Paragraph::new(line).render(area, buf);
}

/// The `:` command line in the footer's place: what is typed, a cursor,
/// and the candidates Tab offered (or, before anything is typed, how to go on).
fn prompt_line(p: &Prompt, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![
        Span::styled(":", theme.key()),
        Span::styled(p.text.clone(), theme.text()),
        Span::styled(" ", theme.selected()),
    ];
    if !p.candidates.is_empty() {
        spans.push(Span::styled(
            format!("  {}", p.candidates.join("  ")),
            theme.dim(),
        ));
    } else if p.text.is_empty() {
        spans.push(Span::styled(
            "  Tab completes · Enter runs · Esc cancels · ↑↓ earlier lines",
            theme.dim(),
        ));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// A line of `key action` pairs.
pub fn key_line(keys: &[KeyHelp], theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    for k in keys {
        spans.push(Span::styled(k.keys, theme.key()));
        spans.push(Span::styled(format!(" {}  ", k.action), theme.dim()));
    }
    Line::from(spans)
}

pub(super) fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
    let text = vec![
        Line::from(Span::styled("splitbrain", theme.heading())),
        Line::from(format!(
            "The terminal is {}×{}; it needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge the window, or press q to quit."),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

//! The application: which screen is showing, how keys, mouse and resizes
//! reach it, how time moves, and how a frame is drawn. Nothing here touches
//! a real terminal: the loop in [`super::terminal`] feeds events in and draws
//! frames out, and tests do the same on a test backend.

use super::keys::{self, KeyHelp, PICKER};
use super::overlays::{
    self, Commands, Help, Knobs, Link, Messages, Outcome, Partition, Question, Window,
};
use super::panes;
use super::picker::{Picker, PickerAction};
use super::session::{Control, PaneId, QuestionState, SEEK_LARGE, SEEK_SMALL, SPEEDS, Session};
use super::text;
use super::theme::Theme;
use crate::lesson::ProgressStore;
use crate::lesson::{Catalog, Status};
use crate::sim::{Input, KnobValue};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Widget, Wrap};
use std::time::Duration;

/// Smallest terminal the lesson screen is drawn in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 18;
/// At or above this size every pane has its own place.
const WIDE: u16 = 100;
const TALL: u16 = 30;

pub enum Screen {
    Picker(Picker),
    Lesson(Box<LessonScreen>),
}

pub struct LessonScreen {
    pub session: Session,
    pub overlay: Option<Box<dyn Window>>,
    /// The pane shown in the shared slot of the compact layout.
    pub compact_slot: PaneId,
    /// The question whose window was last opened by itself.
    shown_question: Option<usize>,
    /// What the saved progress was last told about this session.
    reported: Option<Achieved>,
}

/// What a session has achieved, as the saved progress records it: which
/// objectives are met, which questions are answered (and whether rightly),
/// how many hints were seen.
#[derive(Clone, Debug, PartialEq)]
struct Achieved {
    met: Vec<bool>,
    answers: Vec<Option<bool>>,
    hints: usize,
}

impl Achieved {
    fn of(s: &Session) -> Achieved {
        let lesson = s.lesson();
        Achieved {
            met: s
                .verdicts()
                .iter()
                .map(|v| v.status == Status::Met)
                .collect(),
            answers: lesson
                .questions
                .iter()
                .zip(&s.questions)
                .map(|(q, state)| match *state {
                    QuestionState::Answered { choice, .. } => Some(choice == q.answer),
                    _ => None,
                })
                .collect(),
            hints: s.hints_shown,
        }
    }
}

impl LessonScreen {
    /// A log scrolled up stays on the same lines while new events arrive
    /// (its scroll counts lines up from the newest).
    fn keep_log_still(&mut self, trace_len_before: usize) {
        let s = &mut self.session;
        if s.log.scroll == 0 {
            return;
        }
        let trace = s.run.cluster().trace();
        let new = trace.get(trace_len_before..).unwrap_or(&[]);
        let added = match s.log.filter {
            None => new.len(),
            Some(n) => new.iter().filter(|e| panes::log::concerns(e, n)).count(),
        };
        s.log.scroll = s.log.scroll.saturating_add(added);
    }

    /// Opens the window of a question that has just come due (once: after
    /// Esc it stays closed until space asks for it again).
    fn show_question(&mut self) {
        let asking = self.session.asking();
        if asking.is_some() && asking != self.shown_question {
            self.overlay = Some(Box::new(Question::new(asking.unwrap_or(0))));
        }
        self.shown_question = asking;
    }
}

pub struct App {
    pub theme: Theme,
    pub catalog: Catalog,
    pub progress: ProgressStore,
    pub screen: Screen,
    /// The picker's help window.
    picker_help: bool,
    pub quit: bool,
    /// The terminal's size, for mouse hit-testing.
    pub size: Rect,
    /// A message for the picker's status line (e.g. a lesson that failed to start).
    pub notice: Option<String>,
    /// The last lesson session left for the picker, kept for `--record`.
    left: Option<crate::lesson::Recording>,
}

/// Where each part of the lesson screen goes.
pub struct LessonLayout {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(PaneId, Rect)>,
}

impl App {
    pub fn new(catalog: Catalog, progress: ProgressStore, theme: Theme) -> App {
        let picker = Picker::new(&catalog);
        let notice = progress.warning.clone();
        let mut app = App {
            theme,
            catalog,
            progress,
            screen: Screen::Picker(picker),
            picker_help: false,
            quit: false,
            size: Rect::new(0, 0, 120, 40),
            notice,
            left: None,
        };
        if app.notice.is_some() {
            // A damaged file was set aside: start a fresh one in its place.
            app.save_progress();
        }
        app
    }

    /// Opens a lesson, with the lesson's seed unless `seed` is given.
    pub fn open(
        &mut self,
        id: &str,
        seed: Option<u64>,
        settings: &[(String, KnobValue)],
    ) -> Result<(), String> {
        let lesson = self.catalog.find(id)?;
        let seed = seed.unwrap_or(lesson.seed);
        let session = Session::new(lesson, seed, settings)?;
        self.progress.progress.open(id);
        self.save_progress();
        self.screen = Screen::Lesson(Box::new(LessonScreen {
            session,
            overlay: None,
            compact_slot: PaneId::Metrics,
            shown_question: None,
            reported: None,
        }));
        Ok(())
    }

    /// The session to record: the open lesson's, or the last one left.
    pub fn recording(&self) -> Option<crate::lesson::Recording> {
        match &self.screen {
            Screen::Lesson(l) => Some(l.session.run.recording()),
            Screen::Picker(_) => self.left.clone(),
        }
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.screen {
            Screen::Lesson(l) => Some(&l.session),
            Screen::Picker(_) => None,
        }
    }

    pub fn session_mut(&mut self) -> Option<&mut Session> {
        match &mut self.screen {
            Screen::Lesson(l) => Some(&mut l.session),
            Screen::Picker(_) => None,
        }
    }

    pub fn overlay(&self) -> Option<&dyn Window> {
        match &self.screen {
            Screen::Lesson(l) => l.overlay.as_deref(),
            Screen::Picker(_) => None,
        }
    }

    /// Whether time is moving, so the loop should tick.
    pub fn running(&self) -> bool {
        self.session().is_some_and(|s| !s.paused)
    }

    /// Moves time on by `wall`; true if something changed.
    pub fn tick(&mut self, wall: Duration) -> bool {
        let Screen::Lesson(l) = &mut self.screen else {
            return false;
        };
        let before = l.session.run.cluster().trace().len();
        let changed = l.session.tick(wall);
        l.keep_log_still(before);
        l.show_question();
        if changed {
            self.record_progress();
        }
        changed
    }

    /// Handles one terminal event; true if the screen must be redrawn.
    pub fn handle(&mut self, event: &Event) -> bool {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.key(*key),
            Event::Mouse(m) => self.mouse(*m),
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, *w, *h);
                true
            }
            _ => false,
        }
    }

    fn key(&mut self, key: KeyEvent) -> bool {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return true;
        }
        match &mut self.screen {
            Screen::Picker(picker) => {
                if self.picker_help {
                    if matches!(
                        key.code,
                        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
                    ) {
                        self.picker_help = false;
                    }
                    return true;
                }
                let action = picker.handle_key(key, &self.catalog);
                self.picker_action(action)
            }
            Screen::Lesson(_) => {
                self.lesson_key(key);
                if let Screen::Lesson(l) = &mut self.screen {
                    l.show_question();
                }
                self.record_progress();
                true
            }
        }
    }

    fn picker_action(&mut self, action: PickerAction) -> bool {
        match action {
            PickerAction::None => false,
            PickerAction::Redraw => true,
            PickerAction::Quit => {
                self.quit = true;
                true
            }
            PickerAction::Help => {
                self.picker_help = true;
                true
            }
            PickerAction::Open(id) => {
                if let Err(e) = self.open(&id, None, &[]) {
                    self.notice = Some(e);
                }
                true
            }
        }
    }

    fn lesson_key(&mut self, key: KeyEvent) {
        let Screen::Lesson(l) = &mut self.screen else {
            return;
        };
        let s = &mut l.session;
        s.status = None;
        // q quits from anywhere on this screen; no window takes text.
        if key.code == KeyCode::Char('q') {
            self.quit = true;
            return;
        }
        // An open window takes keys first.
        if let Some(overlay) = &mut l.overlay {
            // Esc closes any window.
            let outcome = if key.code == KeyCode::Esc {
                Outcome::Close
            } else {
                overlay.key(key, s)
            };
            match outcome {
                Outcome::Keep => {}
                Outcome::Close => {
                    l.overlay = None;
                    if s.asking().is_some() {
                        s.status = Some("the run waits for your answer: press space".into());
                    }
                }
                Outcome::Apply(controls) => controls.into_iter().for_each(|c| s.apply(c)),
                Outcome::Done(controls) => {
                    l.overlay = None;
                    controls.into_iter().for_each(|c| s.apply(c));
                }
            }
            return;
        }
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        match key.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Esc => {
                self.left = Some(s.run.recording());
                let mut picker = Picker::new(&self.catalog);
                picker.select(&s.lesson().id);
                self.screen = Screen::Picker(picker);
            }
            KeyCode::Char('?') => l.overlay = Some(Box::new(Help::default())),
            KeyCode::Tab => {
                s.focus = s.focus.next();
                l.compact_slot = slot_for(s.focus, l.compact_slot);
            }
            KeyCode::BackTab => {
                s.focus = s.focus.prev();
                l.compact_slot = slot_for(s.focus, l.compact_slot);
            }
            KeyCode::Char('z') => s.zoomed = !s.zoomed,
            KeyCode::Char(' ') => {
                if s.asking().is_some() {
                    let index = s.asking().unwrap_or(0);
                    l.overlay = Some(Box::new(Question::new(index)));
                } else if s.paused {
                    s.apply(Control::Resume);
                } else {
                    s.apply(Control::Pause);
                }
            }
            KeyCode::Char('.') => s.apply(Control::Step),
            KeyCode::Char('-') | KeyCode::Char('_') => {
                s.apply(Control::Speed(s.speed.saturating_sub(1)))
            }
            KeyCode::Char('+') | KeyCode::Char('=') => {
                s.apply(Control::Speed((s.speed + 1).min(SPEEDS.len() - 1)))
            }
            KeyCode::Char('[') => s.apply(Control::Seek(s.now().saturating_sub(SEEK_SMALL))),
            KeyCode::Char(']') => s.apply(Control::Seek(s.now() + SEEK_SMALL)),
            KeyCode::Char('{') => s.apply(Control::Seek(s.now().saturating_sub(SEEK_LARGE))),
            KeyCode::Char('}') => s.apply(Control::Seek(s.now() + SEEK_LARGE)),
            KeyCode::Char('r') => s.apply(Control::Restart),
            KeyCode::Char('R') => {
                // A new seed derived from the old one: deterministic, yet different.
                let seed = s
                    .run
                    .seed()
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    % 1_000_000;
                s.apply(Control::NewSeed(seed));
            }
            KeyCode::Char(c @ '1'..='9') => s.select(c as usize - '1' as usize),
            KeyCode::Char('c') => s.apply(Control::Input(s.crash())),
            KeyCode::Char('u') => s.apply(Control::Input(s.restart_node())),
            KeyCode::Char('g') => s.apply(Control::Input(s.freeze())),
            KeyCode::Char('s') => s.apply(Control::Input(s.toggle_slow())),
            KeyCode::Char('j') => s.apply(Control::Input(s.clock_jump(true))),
            KeyCode::Char('J') => s.apply(Control::Input(s.clock_jump(false))),
            KeyCode::Char('o') => l.overlay = Some(Box::new(Commands::default())),
            KeyCode::Char('x') => s.apply(Control::Input(s.isolate())),
            KeyCode::Char('p') => l.overlay = Some(Box::new(Partition::new(s))),
            KeyCode::Char('a') => s.apply(Control::Input(Input::Heal)),
            KeyCode::Char('l') => l.overlay = Some(Box::new(Link::new(s))),
            KeyCode::Char('m') => {
                if !s.paused {
                    s.apply(Control::Pause);
                }
                l.overlay = Some(Box::new(Messages::default()));
            }
            KeyCode::Char('k') => l.overlay = Some(Box::new(Knobs::default())),
            KeyCode::Char('h') => {
                let n = s.lesson().hints.len();
                if s.hints_shown < n {
                    s.apply(Control::Hint(s.hints_shown));
                    s.status = Some(format!(
                        "hint {}/{n}: {}",
                        s.hints_shown,
                        s.lesson().hints[s.hints_shown - 1]
                    ));
                } else if n == 0 {
                    s.status = Some("this lesson has no hints".into());
                } else {
                    s.status = Some("no more hints: the book's chapter goes further".into());
                }
            }
            KeyCode::Char('f') => {
                s.log.filter = match s.log.filter {
                    Some(_) => None,
                    None => Some(s.selected),
                };
                s.log.scroll = 0;
            }
            KeyCode::Left if s.focus == PaneId::Map || shift => s.select_next(false),
            KeyCode::Right if s.focus == PaneId::Map || shift => s.select_next(true),
            KeyCode::Up if s.focus == PaneId::Map => s.select_next(false),
            KeyCode::Down if s.focus == PaneId::Map => s.select_next(true),
            KeyCode::Up => scroll(s, -1),
            KeyCode::Down => scroll(s, 1),
            KeyCode::PageUp => scroll(s, -10),
            KeyCode::PageDown => scroll(s, 10),
            KeyCode::Home if s.focus == PaneId::Log => s.log.scroll = usize::MAX / 2,
            KeyCode::End if s.focus == PaneId::Log => s.log.scroll = 0,
            KeyCode::Home => s.text_scroll = 0,
            _ => {}
        }
    }

    fn mouse(&mut self, m: MouseEvent) -> bool {
        let size = self.size;
        match &mut self.screen {
            Screen::Picker(picker) => {
                let action = match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => picker.click(size, m.column, m.row),
                    MouseEventKind::ScrollDown => {
                        picker.scroll(1);
                        PickerAction::Redraw
                    }
                    MouseEventKind::ScrollUp => {
                        picker.scroll(-1);
                        PickerAction::Redraw
                    }
                    _ => PickerAction::None,
                };
                self.picker_action(action)
            }
            Screen::Lesson(l) => {
                if l.overlay.is_some() {
                    return false;
                }
                let layout = lesson_layout(size, &l.session, l.compact_slot);
                let Some((pane, rect)) = layout
                    .panes
                    .iter()
                    .find(|(_, r)| r.contains((m.column, m.row).into()))
                    .copied()
                else {
                    return false;
                };
                let s = &mut l.session;
                match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => {
                        s.focus = pane;
                        if pane == PaneId::Map
                            && let Some(n) = panes::map::node_at(s, inner(rect), m.column, m.row)
                        {
                            s.select(n);
                        }
                        true
                    }
                    MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                        let d = if m.kind == MouseEventKind::ScrollDown {
                            3
                        } else {
                            -3
                        };
                        let focus = s.focus;
                        s.focus = pane;
                        scroll(s, d);
                        s.focus = focus;
                        true
                    }
                    _ => false,
                }
            }
        }
    }

    /// Tells the saved progress what the open lesson has achieved, when that
    /// changed since it was last told: objectives met, answers, hints seen.
    fn record_progress(&mut self) {
        let Screen::Lesson(l) = &mut self.screen else {
            return;
        };
        let now = Achieved::of(&l.session);
        if l.reported.as_ref() == Some(&now) {
            return;
        }
        let lesson = l.session.lesson();
        let met = lesson
            .objectives
            .iter()
            .zip(&now.met)
            .filter(|(_, met)| **met)
            .map(|(o, _)| o.id.as_str());
        let answers = lesson
            .questions
            .iter()
            .zip(&now.answers)
            .filter_map(|(q, a)| a.map(|right| (q.id.as_str(), right)));
        let changed = self
            .progress
            .progress
            .record(&lesson.id, met, answers, now.hints);
        l.reported = Some(now);
        if changed {
            self.save_progress();
        }
    }

    fn save_progress(&mut self) {
        if let Err(e) = self.progress.save() {
            let msg = format!("progress not saved: {e}");
            match self.session_mut() {
                Some(s) => s.status = Some(msg),
                None => self.notice = Some(msg),
            }
        }
    }

    /// Draws the whole screen.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            too_small(area, buf, &self.theme);
            return;
        }
        match &self.screen {
            Screen::Picker(picker) => {
                picker.render(
                    &self.catalog,
                    &self.progress.progress,
                    &self.theme,
                    area,
                    buf,
                );
                if let Some(n) = &self.notice {
                    // Up to three lines above the footer, wrapped.
                    let text =
                        Paragraph::new(Line::from(Span::styled(n.clone(), self.theme.warn())))
                            .wrap(Wrap { trim: true });
                    let width = area.width.saturating_sub(2).max(1) as usize;
                    let rows = (text::width(n).div_ceil(width) as u16 + 1).min(3);
                    let y = area.bottom().saturating_sub(1 + rows);
                    let rect = Rect::new(area.x + 1, y, area.width.saturating_sub(2), rows);
                    ratatui::widgets::Clear.render(rect, buf);
                    text.render(rect, buf);
                }
                if self.picker_help {
                    overlays::draw_help(PICKER, 0, &self.theme, area, buf);
                }
            }
            Screen::Lesson(l) => render_lesson(l, &self.theme, area, buf),
        }
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        App::render(self, area, buf);
    }
}

/// Which pane the compact layout's shared slot shows once `focus` moves.
fn slot_for(focus: PaneId, slot: PaneId) -> PaneId {
    match focus {
        PaneId::Metrics | PaneId::Timeline | PaneId::Log => focus,
        _ => slot,
    }
}

/// Scrolls the focused pane: the lesson text or the event log.
fn scroll(s: &mut Session, delta: i32) {
    match s.focus {
        PaneId::Log => {
            // The log counts lines up from the newest.
            s.log.scroll = if delta < 0 {
                s.log.scroll.saturating_add(delta.unsigned_abs() as usize)
            } else {
                s.log.scroll.saturating_sub(delta as usize)
            };
        }
        _ => {
            s.text_scroll = if delta < 0 {
                s.text_scroll.saturating_sub(delta.unsigned_abs() as u16)
            } else {
                s.text_scroll.saturating_add(delta as u16)
            };
        }
    }
}

fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
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
            (PaneId::Timeline, middle),
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

fn render_lesson(l: &LessonScreen, theme: &Theme, area: Rect, buf: &mut Buffer) {
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
    footer(s, theme, layout.footer, buf);
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
        Some(msg) => Line::from(vec![
            Span::styled(" » ", theme.key()),
            Span::styled(msg.clone(), theme.text()),
        ]),
        None => key_line(keys::LESSON_FOOTER, theme),
    };
    Paragraph::new(line).render(area, buf);
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

fn too_small(area: Rect, buf: &mut Buffer, theme: &Theme) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;

    #[test]
    fn a_session_tells_the_progress_what_it_achieved_once() {
        let mut app = App::new(
            Catalog::embedded().unwrap(),
            ProgressStore::memory(),
            Theme::default(),
        );
        app.open("failover", Some(1), &[]).unwrap();
        let l = app.catalog.get("failover").unwrap();
        let s = app.session_mut().unwrap();
        s.apply(Control::Hint(1));
        s.apply(Control::Answer {
            question: 0,
            choice: l.questions[0].answer,
        });
        s.run.advance_to(Time::secs(5));
        app.record_progress();
        let lp = app.progress.progress.get("failover").unwrap().clone();
        assert!(lp.opened);
        assert_eq!(lp.hints_used, 2);
        assert_eq!(lp.questions.get(&l.questions[0].id), Some(&true));
        let Screen::Lesson(screen) = &app.screen else {
            panic!("the lesson is open");
        };
        assert_eq!(screen.reported, Some(Achieved::of(&screen.session)));
    }
}

//! The lesson screen: its session, the window open over it, and what its
//! keys and clicks do. A key goes to the open window if there is one, else
//! the keys table says which [`Action`] it triggers and [`LessonScreen::act`]
//! does it, through the session.

use super::layout::{inner, lesson_layout};
use crate::lesson::Status;
use crate::sim::{Input, NodeSel};
use crate::ui::command_line::{self, Command, Prompt, PromptKey};
use crate::ui::config::Config;
use crate::ui::keys::{self, Action};
use crate::ui::overlays::{
    Commands, Help, Knobs, Link, Messages, Outcome, Partition, Question, Window,
};
use crate::ui::panes;
use crate::ui::session::{
    CLOCK_JUMP, Control, FREEZE, PaneId, QuestionState, SLOWDOWN, SPEEDS, Session,
};
use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

pub struct LessonScreen {
    pub session: Session,
    pub overlay: Option<Box<dyn Window>>,
    /// The pane shown in the shared slot of the compact layout.
    pub compact_slot: PaneId,
    /// The question whose window was last opened by itself.
    shown_question: Option<usize>,
    /// What the saved progress was last told about this session.
    pub(super) reported: Option<Achieved>,
    /// The screen's size, for paging by what a pane shows.
    pub(super) size: Rect,
    /// The `:` command line, while it is open.
    pub prompt: Option<Prompt>,
    /// The command lines run in this session, oldest first.
    pub history: Vec<String>,
}

/// What a key on the lesson screen asks of the app itself.
pub(super) enum Leave {
    Stay,
    /// Back to the picker.
    Back,
    Quit,
    /// Mouse capture on or off: the terminal's business, not the lesson's.
    ToggleMouse,
}

impl LessonScreen {
    pub fn new(session: Session) -> LessonScreen {
        LessonScreen {
            session,
            overlay: None,
            compact_slot: PaneId::Metrics,
            shown_question: None,
            reported: None,
            size: Rect::new(0, 0, 120, 40),
            prompt: None,
            history: Vec::new(),
        }
    }

    /// Handles a key: the command line takes it first, then the open window
    /// (but `q` quits from anywhere unless text is being typed), else the
    /// keys table's action.
    pub(super) fn key(&mut self, key: KeyEvent, config: &Config) -> Leave {
        self.session.status = None;
        if let Some(prompt) = &mut self.prompt {
            return match prompt.key(key, &self.history, &self.session) {
                PromptKey::Editing => Leave::Stay,
                PromptKey::Cancel => {
                    self.prompt = None;
                    Leave::Stay
                }
                PromptKey::Run(line) => {
                    self.prompt = None;
                    self.run_command(&line)
                }
            };
        }
        let typing = self.overlay.as_ref().is_some_and(|o| o.takes_text());
        // Keys remapped in the config file, on the screen itself (not in a window).
        let key = if typing || self.overlay.is_some() {
            key
        } else {
            config.remap(key)
        };
        let action = keys::lesson_action(&key, self.session.focus).filter(|_| !typing);
        if action == Some(Action::Quit) {
            return Leave::Quit;
        }
        if action == Some(Action::ToggleMouse) && self.overlay.is_none() {
            return Leave::ToggleMouse;
        }
        if let Some(overlay) = &mut self.overlay {
            let s = &mut self.session;
            // Esc closes any window (a value being typed first).
            let outcome = if key.code == KeyCode::Esc && !typing {
                Outcome::Close
            } else {
                overlay.key(key, s)
            };
            match outcome {
                Outcome::Keep => {}
                Outcome::Close => {
                    self.overlay = None;
                    if s.asking().is_some() {
                        s.status = Some("the run waits for your answer: press space".into());
                    }
                }
                Outcome::Apply(controls) => controls.into_iter().for_each(|c| s.apply(c)),
                Outcome::Done(controls) => {
                    self.overlay = None;
                    controls.into_iter().for_each(|c| s.apply(c));
                }
            }
            return Leave::Stay;
        }
        match action {
            Some(Action::Back) => Leave::Back,
            Some(action) => {
                self.act(action);
                Leave::Stay
            }
            None => Leave::Stay,
        }
    }

    /// Runs a command line (without its `:`) as the equivalent key would,
    /// keeping it in the session's history; a mistake goes to the status line.
    pub(super) fn run_command(&mut self, line: &str) -> Leave {
        let line = line.trim();
        if line.is_empty() {
            return Leave::Stay;
        }
        if self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_string());
        }
        match command_line::parse(line, &self.session) {
            Ok(Command::Control(c)) => self.session.apply(c),
            Ok(Command::Act(a)) => self.act(a),
            Ok(Command::Quit) => return Leave::Quit,
            Err(e) => self.session.status = Some(format!("✗ `:{line}` · {e}")),
        }
        Leave::Stay
    }

    /// How far down the lesson text scrolls to show its last line at the
    /// bottom of its pane.
    fn text_bottom(&self) -> u16 {
        let s = &self.session;
        let layout = lesson_layout(self.size, s, self.compact_slot);
        let Some((_, rect)) = layout.panes.iter().find(|(id, _)| *id == PaneId::Lesson) else {
            return s.text_scroll;
        };
        let area = inner(*rect);
        let all =
            panes::lesson::content_height(s, &crate::ui::theme::Theme::monochrome(), area.width);
        u16::try_from(all.saturating_sub(usize::from(area.height))).unwrap_or(u16::MAX)
    }

    /// A page of the pane that scrolls: the lines it shows (the events
    /// under their header line), less one kept in view for context.
    fn page(&self) -> i32 {
        let s = &self.session;
        let (scrolled, above) = if s.focus == PaneId::Log {
            (PaneId::Log, 1)
        } else {
            (PaneId::Lesson, 0)
        };
        let layout = lesson_layout(self.size, s, self.compact_slot);
        layout
            .panes
            .iter()
            .find(|(id, _)| *id == scrolled)
            .map_or(10, |(_, r)| {
                (i32::from(inner(*r).height) - above - 1).max(1)
            })
    }

    /// Does what `action` says, through the session; a fault acts on the
    /// selected node.
    pub fn act(&mut self, action: Action) {
        let page = match action {
            Action::PageUp | Action::PageDown => self.page(),
            _ => 0,
        };
        let bottom = match action {
            Action::TextBottom => self.text_bottom(),
            _ => 0,
        };
        let s = &mut self.session;
        let node = NodeSel::Id(s.selected);
        let jump = CLOCK_JUMP.0 as i64;
        match action {
            Action::Help => self.overlay = Some(Box::new(Help::default())),
            Action::FocusNext => {
                s.focus = s.focus.next();
                self.compact_slot = slot_for(s.focus, self.compact_slot);
            }
            Action::FocusPrev => {
                s.focus = s.focus.prev();
                self.compact_slot = slot_for(s.focus, self.compact_slot);
            }
            Action::Zoom => s.zoomed = !s.zoomed,
            Action::PlayPause => {
                if let Some(index) = s.asking() {
                    self.overlay = Some(Box::new(Question::new(index)));
                } else if s.paused {
                    s.apply(Control::Resume);
                } else {
                    s.apply(Control::Pause);
                }
            }
            Action::Step => s.apply(Control::Step),
            Action::Slower => s.apply(Control::Speed(s.speed.saturating_sub(1))),
            Action::Faster => s.apply(Control::Speed((s.speed + 1).min(SPEEDS.len() - 1))),
            Action::SeekBack(by) => s.apply(Control::Seek(s.now().saturating_sub(by))),
            Action::SeekForward(by) => s.apply(Control::Seek(s.now() + by)),
            Action::RestartRun => s.apply(Control::RestartRun),
            Action::NewSeed => {
                // A new seed derived from the old one: deterministic, yet different.
                let seed = s
                    .run
                    .seed()
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407)
                    % 1_000_000;
                s.apply(Control::NewSeed(seed));
            }
            Action::SelectNode(i) => s.select(i),
            Action::PrevNode => s.select_next(false),
            Action::NextNode => s.select_next(true),
            Action::Crash => s.apply(Control::Input(Input::Crash(node))),
            Action::BringUp => s.apply(Control::Input(Input::Restart(node))),
            Action::Freeze => s.apply(Control::Input(Input::Pause {
                node,
                duration: Some(FREEZE),
            })),
            Action::ToggleSlow => {
                // Slowed down, or back to normal if it is slowed.
                let slowed = s
                    .run
                    .cluster()
                    .node_views()
                    .get(s.selected)
                    .is_some_and(|v| v.slow > 1.0);
                let factor = if slowed { 1.0 } else { SLOWDOWN };
                s.apply(Control::Input(Input::Slow { node, factor }));
            }
            Action::ClockForward => s.apply(Control::Input(Input::ClockJump { node, by: jump })),
            Action::ClockBack => s.apply(Control::Input(Input::ClockJump { node, by: -jump })),
            Action::Isolate => s.apply(Control::Input(Input::Isolate(node))),
            Action::HealAll => s.apply(Control::Input(Input::Heal)),
            Action::Commands => self.overlay = Some(Box::new(Commands::default())),
            Action::Partition => self.overlay = Some(Box::new(Partition::new(s))),
            Action::Link => self.overlay = Some(Box::new(Link::new(s))),
            Action::Messages => {
                if !s.paused {
                    s.apply(Control::Pause);
                }
                // Nothing to choose from: run to the first message sent.
                if s.run.cluster().in_flight().is_empty() {
                    s.apply(Control::ToNextSend);
                }
                self.overlay = Some(Box::new(Messages::default()));
            }
            Action::Knobs => self.overlay = Some(Box::new(Knobs::default())),
            Action::Hint => {
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
            Action::FilterLog => {
                s.log.filter = match s.log.filter {
                    Some(_) => None,
                    None => Some(s.selected),
                };
                s.log.scroll = 0;
            }
            Action::Scroll(lines) => scroll(s, lines),
            Action::PageUp => scroll(s, -page),
            Action::PageDown => scroll(s, page),
            Action::LogOldest => s.log.scroll = usize::MAX / 2,
            Action::LogNewest => s.log.scroll = 0,
            Action::TextTop => s.text_scroll = 0,
            Action::TextBottom => s.text_scroll = bottom,
            Action::CommandLine => self.prompt = Some(Prompt::default()),
            // The app's own business, and the picker's.
            Action::Back
            | Action::Quit
            | Action::ToggleMouse
            | Action::MoveUp
            | Action::MoveDown
            | Action::First
            | Action::Last
            | Action::Open
            | Action::Search
            | Action::KeepSearch
            | Action::ClearSearch
            | Action::DeleteChar => {}
        }
    }

    /// A click or a wheel turn on a screen of `size`: focuses the pane under
    /// it (and selects the node clicked on the map), or scrolls that pane.
    pub(super) fn mouse(&mut self, m: MouseEvent, size: Rect) -> bool {
        if self.overlay.is_some() {
            return false;
        }
        let layout = lesson_layout(size, &self.session, self.compact_slot);
        let Some((pane, rect)) = layout
            .panes
            .iter()
            .find(|(_, r)| r.contains((m.column, m.row).into()))
            .copied()
        else {
            return false;
        };
        let s = &mut self.session;
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

    /// A log scrolled up stays on the same lines while new events arrive
    /// (its scroll counts lines up from the newest).
    /// `trace_end_before` is the number the next event had before they came.
    pub(super) fn keep_log_still(&mut self, trace_end_before: u64) {
        let s = &mut self.session;
        if s.log.scroll == 0 {
            return;
        }
        let trace = s.run.cluster().trace();
        let added = match s.log.filter {
            None => trace.end().saturating_sub(trace_end_before) as usize,
            Some(n) => trace
                .since(trace_end_before)
                .filter(|e| panes::log::concerns(e, n))
                .count(),
        };
        s.log.scroll = s.log.scroll.saturating_add(added);
    }

    /// Opens the window of a question that has just come due (once: after
    /// Esc it stays closed until space asks for it again).
    pub(super) fn show_question(&mut self) {
        let asking = self.session.asking();
        if asking.is_some() && asking != self.shown_question {
            self.overlay = Some(Box::new(Question::new(asking.unwrap_or(0))));
        }
        self.shown_question = asking;
    }
}

/// Which pane the compact layout's shared slot shows once `focus` moves.
fn slot_for(focus: PaneId, slot: PaneId) -> PaneId {
    match focus {
        PaneId::Metrics | PaneId::SpaceTime | PaneId::Log => focus,
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

/// What a session has achieved, as the saved progress records it: which
/// objectives are met, which questions are answered (and whether rightly),
/// how many hints were seen.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Achieved {
    pub met: Vec<bool>,
    pub answers: Vec<Option<bool>>,
    pub hints: usize,
}

impl Achieved {
    pub fn of(s: &Session) -> Achieved {
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

//! The application: which screen is showing, how keys, mouse and resizes
//! reach it, how time moves, and how a frame is drawn. Nothing here touches
//! a real terminal: the loop in [`super::terminal`] feeds events in and draws
//! frames out, and tests do the same on a test backend.

mod kept;
mod layout;
mod lesson;

pub use layout::{LessonLayout, MIN_HEIGHT, MIN_WIDTH, key_line, lesson_layout};
pub use lesson::LessonScreen;

use super::config::Config;
use super::keys::PICKER;
use super::overlays::{self, Window};
use super::picker::{Picker, PickerAction};
use super::session::Session;
use super::text;
use super::theme::Theme;
use crate::lesson::{Catalog, ProgressStore};
use crate::sim::KnobValue;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use layout::{render_lesson, too_small};
use lesson::{Achieved, Leave};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};
use std::time::Duration;

pub enum Screen {
    Picker(Picker),
    Lesson(Box<LessonScreen>),
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
    /// Ctrl-Z was pressed: the loop is to suspend the program.
    suspend: bool,
    /// Whether the playground takes the mouse (clicks and the wheel); off,
    /// the terminal's own selection works.
    pub mouse: bool,
    /// The mouse was switched since the loop last asked.
    mouse_switched: bool,
    /// Where the session is recorded as it goes (`--record`).
    recorder: Option<Recorder>,
    /// Where the open lesson's session is kept as it goes, next to the
    /// progress, to be continued when the lesson is opened again.
    kept: Option<Recorder>,
    /// The config file's settings: the speed a lesson starts at, remapped keys.
    pub config: Config,
}

/// Keeps the session's recording on disk as the session goes, so that a
/// crash or a kill loses nothing: written (atomically) whenever an input is
/// made or the session changes, and at least once a second of running to
/// move its end on.
struct Recorder {
    path: std::path::PathBuf,
    /// What was last written, and how much running time has passed since.
    written: Option<crate::lesson::Recording>,
    since: Duration,
    /// The last error, said once in the status line.
    failed: Option<String>,
}

/// How much running time may pass before the recording's end is moved on.
const RECORD_EVERY: Duration = Duration::from_secs(1);

impl Recorder {
    fn new(path: std::path::PathBuf) -> Recorder {
        Recorder {
            path,
            written: None,
            since: Duration::ZERO,
            failed: None,
        }
    }

    /// Writes `now` if it differs from what was written (or only its end
    /// does, and a second of running has passed); a new error is returned
    /// once, to be said.
    fn keep(&mut self, now: &crate::lesson::Recording, wall: Duration) -> Option<String> {
        self.since += wall;
        let same_but_end = self.written.as_ref().is_some_and(|w| {
            let mut w = w.clone();
            w.until = now.until;
            w == *now
        });
        let due = self.since >= RECORD_EVERY
            && self.written.as_ref().is_some_and(|w| w.until != now.until);
        if same_but_end && !due {
            return None;
        }
        self.since = Duration::ZERO;
        let result = write_recording(&self.path, now);
        self.written = Some(now.clone());
        match result {
            Ok(()) => {
                self.failed = None;
                None
            }
            Err(e) if self.failed.as_ref() != Some(&e) => {
                self.failed = Some(e.clone());
                Some(e)
            }
            Err(_) => None,
        }
    }
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
            suspend: false,
            mouse: true,
            mouse_switched: false,
            recorder: None,
            kept: None,
            config: Config::default(),
        };
        if app.notice.is_some() {
            // A damaged file was set aside: start a fresh one in its place.
            app.save_progress();
        }
        app
    }

    /// Opens a lesson, with the lesson's seed unless `seed` is given. With
    /// neither a seed nor settings, a session of it kept from last time is
    /// continued where it stopped (`r` then starts over).
    pub fn open(
        &mut self,
        id: &str,
        seed: Option<u64>,
        settings: &[(String, KnobValue)],
    ) -> Result<(), String> {
        let fresh = seed.is_some() || !settings.is_empty();
        self.open_as(id, seed, settings, fresh)
    }

    /// [`App::open`], starting fresh if `fresh` even when a kept session
    /// could be continued.
    pub fn open_as(
        &mut self,
        id: &str,
        seed: Option<u64>,
        settings: &[(String, KnobValue)],
        fresh: bool,
    ) -> Result<(), String> {
        let lesson = self.catalog.find(id)?;
        let kept_at = self.progress.session_path(&lesson.id);
        let continued = match (&kept_at, fresh) {
            (Some(path), false) => kept::resume(path, &lesson),
            _ => None,
        };
        let mut session = match continued {
            Some(Ok(session)) => session,
            Some(Err(why)) => {
                let mut s = Session::new(lesson.clone(), lesson.seed, &[])?;
                s.status = Some(why);
                s
            }
            None => Session::new(lesson.clone(), seed.unwrap_or(lesson.seed), settings)?,
        };
        session.speed = self.config.speed;
        self.progress.progress.open(id);
        self.save_progress();
        self.screen = Screen::Lesson(Box::new(LessonScreen::new(session)));
        if let Some(dir) = kept_at.as_deref().and_then(std::path::Path::parent) {
            // A failure here is said when the first write fails.
            let _ = std::fs::create_dir_all(dir);
        }
        self.kept = kept_at.map(Recorder::new);
        self.keep_recording(Duration::ZERO);
        Ok(())
    }

    /// Records the session to `path` from now on, as it goes.
    pub fn record_to(&mut self, path: std::path::PathBuf) {
        self.recorder = Some(Recorder::new(path));
        self.keep_recording(Duration::ZERO);
    }

    /// Writes the recordings if the session changed (or its end, once a
    /// second): the one `--record` asked for and the one kept to continue.
    fn keep_recording(&mut self, wall: Duration) {
        if self.recorder.is_none() && self.kept.is_none() {
            return;
        }
        let Some(now) = self.recording() else {
            return;
        };
        let lesson_open = matches!(self.screen, Screen::Lesson(_));
        let mut said = None;
        for rec in [&mut self.recorder, &mut self.kept].into_iter().flatten() {
            if let Some(e) = rec.keep(&now, wall) {
                said.get_or_insert(e);
            }
        }
        if let Some(e) = said {
            match self.session_mut() {
                Some(s) if lesson_open => s.status = Some(e),
                _ => self.notice = Some(e),
            }
        }
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
        let before = l.session.run.cluster().trace().end();
        let changed = l.session.tick(wall);
        l.keep_log_still(before);
        l.show_question();
        if changed {
            self.record_progress();
        }
        self.keep_recording(wall);
        changed
    }

    /// Handles one terminal event; true if the screen must be redrawn. A
    /// key goes to the screen showing (Ctrl-C quits from anywhere).
    pub fn handle(&mut self, event: &Event) -> bool {
        let key = match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => *key,
            Event::Mouse(m) => return self.mouse(*m),
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, *w, *h);
                return true;
            }
            _ => return false,
        };
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return true;
        }
        if key.code == KeyCode::Char('z') && key.modifiers.contains(KeyModifiers::CONTROL) {
            // In raw mode Ctrl-Z is a key, not SIGTSTP: suspend as the shell would.
            self.suspend = true;
            return false;
        }
        let Screen::Lesson(l) = &mut self.screen else {
            return self.picker_key(key);
        };
        l.size = self.size;
        let leave = l.key(key, &self.config);
        // A question that came due has its window opened.
        l.show_question();
        match leave {
            Leave::Stay => {}
            Leave::Quit => self.quit = true,
            Leave::ToggleMouse => {
                self.switch_mouse();
                if let Screen::Lesson(l) = &mut self.screen {
                    l.session.status = Some(mouse_note(self.mouse).into());
                }
            }
            Leave::Back => {
                self.left = Some(l.session.run.recording());
                let mut picker = Picker::new(&self.catalog);
                picker.select(&l.session.lesson().id);
                self.screen = Screen::Picker(picker);
            }
        }
        self.record_progress();
        self.keep_recording(Duration::ZERO);
        true
    }

    /// Switches mouse capture; the loop tells the terminal.
    fn switch_mouse(&mut self) {
        self.mouse = !self.mouse;
        self.mouse_switched = true;
    }

    /// The mouse setting, if it was switched since the last call.
    pub fn take_mouse_switch(&mut self) -> Option<bool> {
        std::mem::take(&mut self.mouse_switched).then_some(self.mouse)
    }

    /// Whether Ctrl-Z was pressed since the last call.
    pub fn take_suspend(&mut self) -> bool {
        std::mem::take(&mut self.suspend)
    }

    fn picker_key(&mut self, key: KeyEvent) -> bool {
        let Screen::Picker(picker) = &mut self.screen else {
            return false;
        };
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
            PickerAction::ToggleMouse => {
                self.switch_mouse();
                self.notice = Some(mouse_note(self.mouse).into());
                true
            }
            PickerAction::Open(id) => {
                if let Err(e) = self.open(&id, None, &[]) {
                    self.notice = Some(e);
                }
                self.keep_recording(Duration::ZERO);
                true
            }
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
            Screen::Lesson(l) => l.mouse(m, size),
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
                    let notice =
                        Paragraph::new(Line::from(Span::styled(n.clone(), self.theme.warn())))
                            .wrap(Wrap { trim: true });
                    let width = area.width.saturating_sub(2).max(1) as usize;
                    let rows = (text::width(n).div_ceil(width) as u16 + 1).min(3);
                    let y = area.bottom().saturating_sub(1 + rows);
                    let rect = Rect::new(area.x + 1, y, area.width.saturating_sub(2), rows);
                    ratatui::widgets::Clear.render(rect, buf);
                    notice.render(rect, buf);
                }
                if self.picker_help {
                    overlays::draw_help(PICKER, &[], 0, &self.theme, area, buf);
                }
            }
            Screen::Lesson(l) => render_lesson(l, &self.theme, area, buf),
        }
    }
}

/// A recording written to `path` as `--record` promises: whole or not at all.
pub fn write_recording(path: &std::path::Path, r: &crate::lesson::Recording) -> Result<(), String> {
    let json =
        serde_json::to_string_pretty(r).map_err(|e| format!("cannot record the session: {e}"))?;
    crate::lesson::write_atomically(path, (json + "\n").as_bytes())
        .map_err(|e| format!("recording not saved to {}: {e}", path.display()))
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        App::render(self, area, buf);
    }
}

/// What the status line says when the mouse is switched.
fn mouse_note(on: bool) -> &'static str {
    if on {
        "mouse on: click to focus or select, wheel to scroll (M: off)"
    } else {
        "mouse off: the terminal selects and copies text (M: on)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Time;
    use crate::ui::session::Control;

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

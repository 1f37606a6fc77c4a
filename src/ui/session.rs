//! The lesson screen's model: a [`Run`] plus what the learner is looking at
//! (speed, selection, focus, scroll positions, hints, questions). Every
//! control the learner uses goes through [`Session::apply`]; those that
//! change the simulation become inputs of the run, so the run's own input
//! log replays the session exactly.

use crate::lesson::{Lesson, Recording, Run, Status, Verdict};
use crate::scenarios::Panel;
use crate::sim::{Input, KnobValue, Time, TraceKind, TraceLimit};
use crate::ui::text::clock_tenths;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Playback speeds, as multiples of real time; `None` is as fast as the machine goes.
pub const SPEEDS: [Option<f64>; 11] = [
    Some(0.1),
    Some(0.25),
    Some(0.5),
    Some(1.0),
    Some(2.0),
    Some(5.0),
    Some(10.0),
    Some(20.0),
    Some(50.0),
    Some(100.0),
    None,
];
const DEFAULT_SPEED: usize = 3;

/// How long a GC-style freeze lasts.
pub const FREEZE: Time = Time::secs(3);
/// How much slower a slowed node handles each event.
pub const SLOWDOWN: f64 = 10.0;
/// How far a clock jump moves the node's clock.
pub const CLOCK_JUMP: Time = Time::secs(10);
/// How far running to the next send may go.
pub const NEXT_SEND_WITHIN: Time = Time::secs(60);
/// How far the small and large seek steps move.
pub const SEEK_SMALL: Time = Time::secs(5);
pub const SEEK_LARGE: Time = Time::secs(30);
/// How long after an answer the explanation appears: time to watch first.
pub const REVEAL_AFTER: Time = Time::secs(10);
/// Longest wall time one frame may spend simulating at full speed.
const MAX_SPEED_BUDGET: Duration = Duration::from_millis(25);

/// The panes of the lesson screen, in Tab order: the screen's reading
/// order, left to right and top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaneId {
    Lesson,
    Map,
    Metrics,
    SpaceTime,
    Log,
}

impl PaneId {
    pub const ALL: [PaneId; 5] = [
        PaneId::Lesson,
        PaneId::Map,
        PaneId::Metrics,
        PaneId::SpaceTime,
        PaneId::Log,
    ];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Lesson => "Lesson",
            PaneId::Map => "Cluster",
            PaneId::SpaceTime => "Space-time",
            PaneId::Metrics => "Metrics",
            PaneId::Log => "Events",
        }
    }

    pub fn next(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + 1) % PaneId::ALL.len()]
    }

    pub fn prev(self) -> PaneId {
        let i = PaneId::ALL.iter().position(|p| *p == self).unwrap_or(0);
        PaneId::ALL[(i + PaneId::ALL.len() - 1) % PaneId::ALL.len()]
    }
}

/// What the learner does to the run.
#[derive(Clone, Debug, PartialEq)]
pub enum Control {
    /// Playback stops (nodes run on when it resumes; freezing a node is an
    /// [`Input::Pause`]).
    Pause,
    Resume,
    Step,
    /// Runs, paused, event by event until a message is in flight (at most
    /// [`NEXT_SEND_WITHIN`], and never past a question not yet asked).
    ToNextSend,
    Speed(usize),
    Seek(Time),
    /// The whole run again from the start, same seed (bringing a crashed
    /// node up is an [`Input::Restart`]).
    RestartRun,
    NewSeed(u64),
    /// An input to the simulation (faults, network, knobs, commands, messages).
    Input(Input),
    Hint(usize),
    Answer {
        question: usize,
        choice: usize,
    },
}

/// A question's state in this session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionState {
    NotYet,
    /// Due: the run is paused until the learner answers.
    Asking,
    /// Its moment went by without it being asked (a screenshot taken later
    /// in the run); it is asked if the run comes back before it.
    Passed,
    Answered {
        choice: usize,
        at: Time,
    },
}

/// The log pane's view: which node's events, and how far up from the newest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogView {
    pub filter: Option<usize>,
    /// Lines up from the bottom; 0 follows the newest.
    pub scroll: usize,
}

/// Verdicts and the (events processed, time) they were judged at.
type VerdictsAt = (u64, Time, Rc<Vec<Verdict>>);

/// The trace the playground keeps: the newest 150,000 events, or fewer if
/// they would take more than 24 MB. That is more than the space-time diagram
/// and the map read; older events are made again when the log is scrolled
/// back to them or the run is rewound.
pub const TRACE_WINDOW: TraceLimit = TraceLimit {
    events: 150_000,
    bytes: 24 << 20,
};

pub struct Session {
    pub run: Run,
    pub panels: Vec<Panel>,
    pub paused: bool,
    pub speed: usize,
    /// The selected node (index into the cluster).
    pub selected: usize,
    pub focus: PaneId,
    pub zoomed: bool,
    pub log: LogView,
    /// Lines scrolled down in the lesson text.
    pub text_scroll: u16,
    /// Hints revealed so far.
    pub hints_shown: usize,
    pub questions: Vec<QuestionState>,
    /// A short line for the status bar (what just happened, or why not).
    pub status: Option<String>,
    /// Virtual time left over from the last frame below one microsecond.
    carry: f64,
    /// The verdicts at (events processed, now): judged once per change, not
    /// once per pane that shows them.
    verdicts: RefCell<Option<VerdictsAt>>,
}

impl Session {
    pub fn new(
        lesson: Arc<Lesson>,
        seed: u64,
        settings: &[(String, KnobValue)],
    ) -> Result<Session, String> {
        let panels = (lesson.scenario.panels)(&lesson.nodes);
        let questions = vec![QuestionState::NotYet; lesson.questions.len()];
        let mut run = Run::new(lesson, seed, settings, true)?;
        run.set_trace_window(Some(TRACE_WINDOW));
        Ok(Session {
            run,
            panels,
            paused: false,
            speed: DEFAULT_SPEED,
            selected: 0,
            focus: PaneId::Map,
            zoomed: false,
            log: LogView::default(),
            text_scroll: 0,
            hints_shown: 0,
            questions,
            status: None,
            carry: 0.0,
            verdicts: RefCell::new(None),
        })
    }

    /// The session `recording` kept, made again: its seed and knobs, every
    /// input replayed at its instant, and paused where it stopped. The
    /// questions whose moment it passed are not asked again unless the run
    /// comes back before them.
    pub fn resumed(lesson: Arc<Lesson>, recording: &Recording) -> Result<Session, String> {
        let knobs: Vec<_> = recording.knobs.clone().into_iter().collect();
        let mut s = Session::new(lesson.clone(), recording.seed, &knobs)?;
        s.run.replay(&recording.log).map_err(|e| e.to_string())?;
        s.run.advance_to(recording.until);
        s.paused = true;
        for (q, state) in lesson.questions.iter().zip(&mut s.questions) {
            if q.at < recording.until {
                *state = QuestionState::Passed;
            }
        }
        Ok(s)
    }

    pub fn lesson(&self) -> &Arc<Lesson> {
        self.run.lesson()
    }

    pub fn now(&self) -> Time {
        self.run.now()
    }

    pub fn speed_factor(&self) -> Option<f64> {
        SPEEDS[self.speed]
    }

    /// "1×", "0.25×", "max".
    pub fn speed_label(&self) -> String {
        match self.speed_factor() {
            Some(f) => format!("{f}×"),
            None => "max".to_string(),
        }
    }

    /// The question waiting for an answer, if any.
    pub fn asking(&self) -> Option<usize> {
        self.questions
            .iter()
            .position(|q| *q == QuestionState::Asking)
    }

    /// The lesson's current guided step: the last one whose time has come.
    /// A step without a time is due at the start if it is the first, and
    /// otherwise once the script is over.
    pub fn current_step(&self) -> Option<usize> {
        let now = self.now();
        let lesson = self.lesson();
        let due = |i: usize, at: Option<Time>| {
            at.unwrap_or(if i == 0 { Time::ZERO } else { lesson.length })
        };
        lesson
            .steps
            .iter()
            .enumerate()
            .filter(|(i, s)| due(*i, s.at) <= now)
            .max_by_key(|(i, s)| (due(*i, s.at), *i))
            .map(|(i, _)| i)
    }

    /// Whether every objective has been met.
    pub fn all_met(&self) -> bool {
        self.verdicts().iter().all(|v| v.status == Status::Met)
    }

    /// Each objective's verdict now (judged once for each state of the run).
    pub fn verdicts(&self) -> Rc<Vec<Verdict>> {
        let key = (self.run.cluster().processed(), self.now());
        let mut cache = self.verdicts.borrow_mut();
        match &*cache {
            Some((p, t, v)) if (*p, *t) == key => Rc::clone(v),
            _ => {
                let v = Rc::new(self.run.verdicts());
                *cache = Some((key.0, key.1, Rc::clone(&v)));
                v
            }
        }
    }

    /// Steps until a message is in flight; says what it found.
    fn run_to_next_send(&mut self) -> String {
        let from = self.now();
        let question = self
            .lesson()
            .questions
            .iter()
            .zip(&self.questions)
            .filter(|(q, st)| **st == QuestionState::NotYet && q.at >= from)
            .map(|(q, _)| q.at)
            .min();
        let until = question.map_or(from + NEXT_SEND_WITHIN, |q| q.min(from + NEXT_SEND_WITHIN));
        loop {
            let c = self.run.cluster();
            if let Some(m) = c.in_flight().first() {
                let names = c.names();
                let name = |i: usize| names.get(i).cloned().unwrap_or_default();
                return format!(
                    "ran to {}: m{} {} → {} {} is on its way",
                    clock_tenths(self.now()),
                    m.id,
                    name(m.from),
                    name(m.to),
                    m.kind
                );
            }
            if self.now() >= until || !self.run.step() {
                let why = if question.is_some_and(|q| self.now() >= q) {
                    " (a question comes first)"
                } else {
                    ""
                };
                return format!(
                    "nothing was sent between {} and {}{why}",
                    clock_tenths(from),
                    clock_tenths(self.now())
                );
            }
        }
    }

    /// What the learner did after `t`, as the trace words it, with when:
    /// what a rewind to `t` forgets.
    fn undone_after(&self, t: Time) -> Vec<(Time, String)> {
        let names = self.run.cluster().names();
        self.run
            .inputs()
            .iter()
            .filter(|i| i.at > t)
            .map(|i| {
                let what = i.input.describe(&|sel| match sel {
                    crate::sim::NodeSel::Id(n) => names.get(*n).cloned().unwrap_or_default(),
                    crate::sim::NodeSel::Role(r) => format!("role:{r}"),
                });
                (i.at, what)
            })
            .collect()
    }

    /// Applies a control and says what happened on the status line.
    pub fn apply(&mut self, control: Control) {
        let at = self.now();
        match &control {
            Control::Pause => self.paused = true,
            Control::Resume => {
                if self.asking().is_some() {
                    self.status = Some("answer the question first".into());
                } else {
                    self.paused = false;
                }
            }
            Control::Step => {
                self.paused = true;
                if self.run.step() {
                    // Say what the step did: the event it processed.
                    let c = self.run.cluster();
                    self.status = c.trace().last().map(|e| {
                        let line = e.render(c.names());
                        line.split_whitespace().collect::<Vec<_>>().join(" ")
                    });
                } else {
                    self.status = Some("nothing left to happen".into());
                }
            }
            Control::ToNextSend => {
                self.paused = true;
                self.status = Some(self.run_to_next_send());
            }
            Control::Speed(i) => self.speed = (*i).min(SPEEDS.len() - 1),
            Control::Seek(t) => {
                // Going forward stops at a question not yet asked: the run
                // waits for the prediction before showing what happens.
                let next_question = self
                    .lesson()
                    .questions
                    .iter()
                    .zip(&self.questions)
                    .filter(|(q, st)| **st == QuestionState::NotYet && q.at >= at)
                    .map(|(q, _)| q.at)
                    .min();
                let wanted = *t;
                let t = match next_question {
                    Some(q) if *t > at => (*t).min(q),
                    _ => *t,
                };
                let undone = if t < at {
                    // The events scrolled to may be gone, and the ones that
                    // are left end where the run now is: follow them.
                    self.log.scroll = 0;
                    self.undone_after(t)
                } else {
                    Vec::new()
                };
                match self.run.seek(t) {
                    Ok(()) => {
                        self.carry = 0.0;
                        self.rewind_questions(t);
                        self.ask_due();
                        let mut line = seek_status(at, self.now(), &undone);
                        if t < wanted {
                            line.push_str(" · stopped for a question");
                        }
                        self.status = Some(line);
                    }
                    Err(e) => self.status = Some(e),
                }
            }
            Control::RestartRun | Control::NewSeed(_) => {
                let seed = match control {
                    Control::NewSeed(s) => Some(s),
                    _ => None,
                };
                match self.run.restart(seed) {
                    Ok(()) => {
                        self.carry = 0.0;
                        self.rewind_questions(Time::ZERO);
                        self.paused = false;
                        self.status = Some(format!("restarted with seed {}", self.run.seed()));
                    }
                    Err(e) => self.status = Some(e),
                }
            }
            Control::Input(input) => {
                let traced = self.run.cluster().trace().end();
                self.run.input(input.clone());
                // Takes effect now, even while paused: a message delivered
                // by hand lands, and its answers appear in flight at once.
                self.run.settle();
                // The status says what the engine traced as it applied the
                // input (the last input it traced just now is this one).
                self.status = self
                    .run
                    .cluster()
                    .trace()
                    .since(traced)
                    .rev()
                    .find_map(|e| match &e.kind {
                        TraceKind::Input { text, idle: false } => Some(text.clone()),
                        TraceKind::Input { text, idle: true } => {
                            Some(format!("{text} (changed nothing)"))
                        }
                        _ => None,
                    });
            }
            Control::Hint(i) => self.hints_shown = self.hints_shown.max(i + 1),
            Control::Answer { question, choice } => {
                if let Some(q) = self.questions.get_mut(*question) {
                    *q = QuestionState::Answered {
                        choice: *choice,
                        at,
                    };
                    self.paused = false;
                    // The question was asked just before the answer shows:
                    // faster than real time, it would be over before the
                    // learner could look or act.
                    if self.speed > DEFAULT_SPEED {
                        self.speed = DEFAULT_SPEED;
                        self.status = Some(
                            "answered · back to 1× to watch what happens (+ speeds up)".into(),
                        );
                    }
                }
            }
        }
    }

    /// After going back to `t`: a question being asked or passed over after
    /// `t` is asked when its moment comes again. An answer is kept: the
    /// prediction was made, and going back is for trying something else.
    fn rewind_questions(&mut self, t: Time) {
        let lesson = Arc::clone(self.lesson());
        for (q, state) in lesson.questions.iter().zip(self.questions.iter_mut()) {
            if matches!(*state, QuestionState::Asking | QuestionState::Passed) && q.at > t {
                *state = QuestionState::NotYet;
            }
        }
    }

    /// Runs straight to `t` without asking the questions on the way (for
    /// screenshots); those are marked passed.
    pub fn jump_to(&mut self, t: Time) {
        self.jump_telling(t, &|_| {});
    }

    /// [`Session::jump_to`], telling `done` the instant reached after each
    /// slice of virtual time, for a progress display.
    pub fn jump_telling(&mut self, t: Time, done: &dyn Fn(Time)) {
        let _ = self.run.advance_in_slices(t, crate::lesson::SLICE, |r| {
            done(r.now());
            Ok(())
        });
        let now = self.now();
        let lesson = Arc::clone(self.lesson());
        for (q, state) in lesson.questions.iter().zip(self.questions.iter_mut()) {
            if *state == QuestionState::NotYet && q.at < now {
                *state = QuestionState::Passed;
            }
        }
    }

    /// Selects a node, the next or previous one.
    pub fn select(&mut self, node: usize) {
        let n = self.run.cluster().names().len();
        if n > 0 {
            self.selected = node.min(n - 1);
        }
    }

    pub fn select_next(&mut self, forward: bool) {
        let n = self.run.cluster().names().len().max(1);
        self.selected = if forward {
            (self.selected + 1) % n
        } else {
            (self.selected + n - 1) % n
        };
    }

    /// Moves virtual time on by `wall` at the current speed, stopping for a
    /// question that comes due and at the end of the lesson. Returns whether
    /// anything changed.
    pub fn tick(&mut self, wall: Duration) -> bool {
        if self.paused {
            return false;
        }
        let now = self.now();
        let length = self.lesson().length;
        // Where this frame must stop: a due question or the lesson's end.
        let mut stop = None::<Time>;
        for (q, state) in self.lesson().questions.iter().zip(&self.questions) {
            if *state == QuestionState::NotYet && q.at >= now {
                stop = Some(stop.map_or(q.at, |s: Time| s.min(q.at)));
            }
        }
        if now < length {
            stop = Some(stop.map_or(length, |s| s.min(length)));
        }
        match self.speed_factor() {
            Some(f) => {
                let micros = wall.as_secs_f64() * 1e6 * f + self.carry;
                let whole = micros.floor();
                self.carry = micros - whole;
                let mut target = now + Time(whole as u64);
                if let Some(s) = stop {
                    target = target.min(s);
                }
                self.run.advance_to(target);
            }
            None => {
                // As fast as the machine goes: slices of virtual time until
                // the frame's budget is spent.
                let started = std::time::Instant::now();
                loop {
                    let mut target = self.now() + Time::millis(100);
                    if let Some(s) = stop {
                        target = target.min(s);
                    }
                    self.run.advance_to(target);
                    if Some(self.now()) == stop || started.elapsed() >= MAX_SPEED_BUDGET {
                        break;
                    }
                }
            }
        }
        let now = self.now();
        if !self.ask_due() && now >= length && stop == Some(length) {
            self.paused = true;
            self.status = Some("the lesson's script is over: space runs on, r restarts".into());
        }
        true
    }

    /// Asks the first question whose time has come, pausing the run.
    /// Returns whether one is being asked.
    fn ask_due(&mut self) -> bool {
        if self.asking().is_some() {
            return true;
        }
        let now = self.now();
        let due = self
            .lesson()
            .questions
            .iter()
            .enumerate()
            .find(|(i, q)| self.questions[*i] == QuestionState::NotYet && q.at <= now)
            .map(|(i, _)| i);
        match due {
            Some(i) => {
                self.questions[i] = QuestionState::Asking;
                self.paused = true;
                true
            }
            None => false,
        }
    }
}

/// The status line after a seek from `from`: where the run is now, whether a
/// question stopped it short, and what a rewind undid.
fn seek_status(from: Time, now: Time, undone: &[(Time, String)]) -> String {
    let mut line = if now < from {
        format!("rewound to {}", clock_tenths(now))
    } else if now == from {
        format!("still at {}", clock_tenths(now))
    } else {
        format!("forward to {}", clock_tenths(now))
    };
    const SHOWN: usize = 2;
    for (at, what) in undone.iter().take(SHOWN) {
        line.push_str(&format!(" · undone: {what} at {}", clock_tenths(*at)));
    }
    if undone.len() > SHOWN {
        line.push_str(&format!(" · and {} more", undone.len() - SHOWN));
    }
    line
}

//! A run of a lesson: the cluster, the seed, the knob settings it started
//! with and the log of every input since, so it can be replayed, rewound and
//! shared.

use super::Lesson;
use super::history::History;
use super::objective::Verdict;
use crate::scenarios::Setup;
use crate::sim::{Cluster, Input, KnobValue, MetricsMark, Retention, Time, TimedInput, TraceLimit};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The virtual time a headless run goes through between two looks at it
/// from outside (see [`Run::advance_in_slices`]).
pub const SLICE: Time = Time::secs(1);

/// Checkpoints kept at most; past this, every other one is dropped and the
/// spacing doubles, so memory stays bounded however long the run.
const MAX_CHECKPOINTS: usize = 32;
/// Initial spacing of checkpoints in virtual time.
const FIRST_SPACING: Time = Time::secs(5);

/// A copy of the run at an instant, without its trace (whose events before
/// number `trace_len` are, by determinism, the same in every replay) or its
/// metrics (whose every series, likewise, only grew since `metrics`).
pub(super) struct Checkpoint {
    pub(super) at: Time,
    pub(super) trace_len: u64,
    metrics: MetricsMark,
    /// Learner inputs already applied in it.
    pub(super) inputs: usize,
    pub(super) cluster: Box<dyn Cluster + Send>,
}

/// The learner's inputs, each with the point of the run it was made at:
/// enough to replay a session exactly.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InputLog {
    pub inputs: Vec<LoggedInput>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LoggedInput {
    /// Events processed when the input was made.
    pub after_events: u64,
    pub at: Time,
    pub input: Input,
}

/// A whole session as a file: which lesson, seed and starting knobs, and
/// every input the learner made. `splitbrain run --replay` plays it again.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recording {
    pub lesson: String,
    /// The hash of the lesson file it was recorded on (recordings made
    /// before it was kept have none, and are replayed on trust).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson_hash: Option<String>,
    pub seed: u64,
    pub knobs: BTreeMap<String, KnobValue>,
    pub log: InputLog,
    /// How far the session went.
    pub until: Time,
}

/// Why a log cannot be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplayError {
    /// The run could not start.
    Start(String),
    /// What was called on the way said to stop.
    Stopped(String),
    /// Input `index` (from 0) says it came after `wanted` events, but only
    /// `found` happen by its instant `at`.
    Events {
        index: usize,
        at: Time,
        wanted: u64,
        found: u64,
    },
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplayError::Start(e) | ReplayError::Stopped(e) => f.write_str(e),
            ReplayError::Events {
                index,
                at,
                wanted,
                found,
            } => write!(
                f,
                "input {} says it came after {wanted} events, but only {found} happen by {at}, \
                 its instant: the recording does not come from this run",
                index + 1
            ),
        }
    }
}

pub struct Run {
    pub(super) lesson: Arc<Lesson>,
    pub(super) seed: u64,
    /// Knob values at time zero.
    pub(super) knobs: BTreeMap<String, KnobValue>,
    pub(super) trace: bool,
    /// Most trace events kept (`None`: all); older ones are made again
    /// from a checkpoint when they are asked for.
    pub(super) trace_window: Option<TraceLimit>,
    /// The learner's inputs (the script is added separately), in time order.
    pub(super) inputs: Vec<TimedInput>,
    /// For each input, how many events had been processed when it was made:
    /// a replay applies it at exactly the same point, even among events of
    /// the same instant.
    pub(super) marks: Vec<u64>,
    pub(super) cluster: Box<dyn Cluster + Send>,
    pub(super) checkpoints: Vec<Checkpoint>,
    spacing: Time,
    /// Off for runs that never go back (the headless `run`): copying the
    /// state costs time that only rewinding repays.
    checkpointing: bool,
    /// Trace events before the window, as last made again.
    pub(super) history: History,
    /// How much of the metrics is kept exactly.
    retention: Retention,
}

impl Run {
    /// Starts a run with the lesson's defaults changed by `settings`.
    pub fn new(
        lesson: Arc<Lesson>,
        seed: u64,
        settings: &[(String, KnobValue)],
        trace: bool,
    ) -> Result<Run, String> {
        let mut knobs = lesson.default_knobs();
        for (name, value) in settings {
            knobs.insert(name.clone(), value.clone());
        }
        let cluster = Self::build(&lesson, seed, &knobs, trace)?;
        Ok(Run {
            lesson,
            seed,
            knobs,
            trace,
            trace_window: None,
            inputs: Vec::new(),
            marks: Vec::new(),
            cluster,
            checkpoints: Vec::new(),
            spacing: FIRST_SPACING,
            checkpointing: true,
            history: History::default(),
            retention: Retention::RUN,
        })
    }

    /// Keeps only the newest `limit` trace events (`None`: every one, the
    /// default). Older events stay within reach: [`Run::trace_events`] makes
    /// them again by replaying from the checkpoint before them.
    pub fn set_trace_window(&mut self, limit: Option<TraceLimit>) {
        self.trace_window = limit;
        self.cluster.set_trace_limit(limit);
    }

    /// Keeps the metrics as `retention` says (the default is
    /// [`Retention::RUN`]), for a run that has not begun.
    pub fn set_metrics_retention(&mut self, retention: Retention) {
        self.retention = retention;
        self.apply_retention();
    }

    fn apply_retention(&mut self) {
        let mut metrics = self.cluster.take_metrics();
        metrics.set_retention(self.retention);
        self.cluster.put_metrics(metrics);
    }

    /// A run with this one's lesson, seed, knobs and inputs on `cluster`
    /// (a copy of one of its checkpoints, or a fresh build), keeping no
    /// checkpoints and every trace event: to make older events again.
    pub(super) fn replica(&self, cluster: Box<dyn Cluster + Send>) -> Run {
        Run {
            lesson: self.lesson.clone(),
            seed: self.seed,
            knobs: self.knobs.clone(),
            trace: true,
            trace_window: None,
            inputs: self.inputs.clone(),
            marks: self.marks.clone(),
            cluster,
            checkpoints: Vec::new(),
            spacing: self.spacing,
            checkpointing: false,
            history: History::default(),
            retention: self.retention,
        }
    }

    pub(super) fn build(
        lesson: &Lesson,
        seed: u64,
        knobs: &BTreeMap<String, KnobValue>,
        trace: bool,
    ) -> Result<Box<dyn Cluster + Send>, String> {
        let setup = Setup {
            seed,
            nodes: lesson.nodes.clone(),
            link: lesson.link,
            links: lesson.links.clone(),
            processing: lesson.processing,
            knobs: knobs.clone(),
            trace,
        };
        let mut cluster = (lesson.scenario.build)(&setup)?;
        for entry in &lesson.script {
            cluster.schedule(entry.fires_at(seed), entry.input.clone());
        }
        Ok(cluster)
    }

    pub fn lesson(&self) -> &Arc<Lesson> {
        &self.lesson
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Time {
        self.cluster.now()
    }

    pub fn cluster(&self) -> &dyn Cluster {
        self.cluster.as_ref()
    }

    /// The knob values the run started with.
    pub fn initial_knobs(&self) -> &BTreeMap<String, KnobValue> {
        &self.knobs
    }

    /// The knob values now: initial values changed by any knob inputs so far.
    pub fn knobs(&self) -> BTreeMap<String, KnobValue> {
        let now = self.now();
        let mut k = self.knobs.clone();
        let script = self
            .lesson
            .script
            .iter()
            .map(|e| (e.fires_at(self.seed), &e.input));
        let mine = self.inputs.iter().map(|t| (t.at, &t.input));
        let mut changes: Vec<(Time, &Input)> =
            script.chain(mine).filter(|(at, _)| *at <= now).collect();
        changes.sort_by_key(|c| c.0);
        for (_, input) in changes {
            if let Input::Knob { name, value } = input {
                k.insert(name.clone(), value.clone());
            }
        }
        k
    }

    /// The learner's inputs so far.
    pub fn inputs(&self) -> &[TimedInput] {
        &self.inputs
    }

    /// Applies an input now and records it in the log.
    pub fn input(&mut self, input: Input) {
        let at = self.now();
        self.inputs.push(TimedInput {
            at,
            input: input.clone(),
        });
        self.marks.push(self.cluster.processed());
        self.cluster.schedule(at, input);
    }

    /// Processes every event still due at the current instant (an input just
    /// made, and whatever it set off that happens at once), without moving
    /// time on. A replay processes the same events in the same order.
    pub fn settle(&mut self) {
        self.cluster.run_until(self.now());
    }

    /// The learner's inputs so far, with the point each was made at.
    pub fn log(&self) -> InputLog {
        InputLog {
            inputs: self
                .inputs
                .iter()
                .zip(&self.marks)
                .map(|(t, m)| LoggedInput {
                    after_events: *m,
                    at: t.at,
                    input: t.input.clone(),
                })
                .collect(),
        }
    }

    /// This run as a recording.
    pub fn recording(&self) -> Recording {
        Recording {
            lesson: self.lesson.id.clone(),
            lesson_hash: Some(self.lesson.hash.clone()),
            seed: self.seed,
            knobs: self.knobs.clone(),
            log: self.log(),
            until: self.now(),
        }
    }

    /// Starts again from zero and applies `log`'s inputs, each at exactly the
    /// point it was first made. The run then stands just after the last one.
    /// A log that cannot have come from this run (an input said to come
    /// after more events than happen by its instant) is refused.
    pub fn replay(&mut self, log: &InputLog) -> Result<(), ReplayError> {
        self.replay_in_slices(log, Time::MAX, &mut |_| Ok(()))
    }

    /// [`Run::replay`], calling `each` after every `slice` of virtual time
    /// on the way (see [`Run::advance_in_slices`]); an error from `each`
    /// stops the replay.
    pub fn replay_in_slices(
        &mut self,
        log: &InputLog,
        slice: Time,
        each: &mut dyn FnMut(&mut Run) -> Result<(), String>,
    ) -> Result<(), ReplayError> {
        self.restart(None).map_err(ReplayError::Start)?;
        self.inputs = log
            .inputs
            .iter()
            .map(|l| TimedInput {
                at: l.at,
                input: l.input.clone(),
            })
            .collect();
        self.marks = log.inputs.iter().map(|l| l.after_events).collect();
        self.replay_inputs(0, slice, each)
    }

    /// Re-applies the learner's inputs from `first` on, each at the point it
    /// was made: after the events processed by then. Every event before the
    /// input's instant had been processed when it was made, and none after
    /// it; some of those at the instant itself may have been.
    pub(super) fn replay_inputs(
        &mut self,
        first: usize,
        slice: Time,
        each: &mut dyn FnMut(&mut Run) -> Result<(), String>,
    ) -> Result<(), ReplayError> {
        for i in first..self.inputs.len() {
            let at = self.inputs[i].at;
            // Straight on the cluster: a checkpoint taken here would not
            // know which of the inputs were applied.
            let before = at.saturating_sub(Time(1));
            while self.now() < before {
                let next = (self.now() + slice.max(Time(1))).min(before);
                self.cluster.run_until(next);
                each(self).map_err(ReplayError::Stopped)?;
            }
            while self.cluster.processed() < self.marks[i]
                && self.cluster.next_event_time().is_some_and(|t| t <= at)
                && self.cluster.step()
            {}
            if self.cluster.processed() < self.marks[i] {
                return Err(ReplayError::Events {
                    index: i,
                    at,
                    wanted: self.marks[i],
                    found: self.cluster.processed(),
                });
            }
            let t = &self.inputs[i];
            if t.at > self.cluster.now() {
                self.cluster.run_until(t.at);
            }
            self.cluster.schedule(t.at, t.input.clone());
        }
        Ok(())
    }

    /// Processes one event. False when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.cluster.step()
    }

    /// Whether to keep checkpoints for fast rewinding (on by default).
    pub fn set_checkpointing(&mut self, on: bool) {
        self.checkpointing = on;
        if !on {
            self.checkpoints.clear();
        }
    }

    /// Runs forward to `t` (no-op if `t` has passed), keeping checkpoints on the way.
    pub fn advance_to(&mut self, t: Time) {
        while self.checkpointing {
            let last = self.checkpoints.last().map_or(Time::ZERO, |c| c.at);
            let next = last + self.spacing;
            if next > t || self.now() > next {
                break;
            }
            self.cluster.run_until(next);
            self.keep_checkpoint();
        }
        if t > self.now() {
            self.cluster.run_until(t);
        }
    }

    /// Runs forward to `t` one `slice` of virtual time at a time, calling
    /// `each` after every slice: how the headless commands run, so that
    /// they can show progress and write the trace out as it is made. The
    /// events processed are the same as with one [`Run::advance_to`].
    pub fn advance_in_slices(
        &mut self,
        t: Time,
        slice: Time,
        mut each: impl FnMut(&mut Run) -> Result<(), String>,
    ) -> Result<(), String> {
        let slice = slice.max(Time(1));
        while self.now() < t {
            let next = (self.now() + slice).min(t);
            self.advance_to(next);
            each(self)?;
        }
        Ok(())
    }

    /// The trace lines made since the last call, taken out of the run so
    /// that a long traced run need not keep them (for a run that is never
    /// rewound: a rewind needs the trace it was taken from).
    pub fn take_trace_lines(&mut self) -> Vec<String> {
        let events = self.cluster.take_trace().drain();
        let names = self.cluster.names();
        events.iter().map(|e| e.render(names)).collect()
    }

    fn keep_checkpoint(&mut self) {
        let trace = self.cluster.take_trace();
        let metrics = self.cluster.take_metrics();
        let copy = self.cluster.checkpoint();
        let trace_len = trace.end();
        let mark = metrics.mark();
        self.cluster.put_trace(trace);
        self.cluster.put_metrics(metrics);
        let inputs = self.inputs.len();
        self.checkpoints.push(Checkpoint {
            at: self.now(),
            trace_len,
            metrics: mark,
            inputs,
            cluster: copy,
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 0
            });
            self.spacing = self.spacing + self.spacing;
        }
    }

    /// Moves to `t`, forwards or backwards. Going back restores the latest
    /// checkpoint at or before `t` (or replays from the start) and runs
    /// forward: by determinism this is exactly the history seen before.
    /// Inputs made after `t` are forgotten.
    pub fn seek(&mut self, t: Time) -> Result<(), String> {
        let back = t < self.now();
        if back {
            let kept = self.inputs.partition_point(|i| i.at <= t);
            self.inputs.truncate(kept);
            self.marks.truncate(kept);
            // A checkpoint that has seen a forgotten input is no use.
            self.checkpoints.retain(|c| c.at <= t && c.inputs <= kept);
            let applied = match self.checkpoints.last() {
                Some(cp) => {
                    let mut trace = self.cluster.take_trace();
                    trace.truncate(cp.trace_len);
                    let mut metrics = self.cluster.take_metrics();
                    metrics.rewind(&cp.metrics);
                    self.cluster = cp.cluster.checkpoint();
                    self.cluster.put_trace(trace);
                    self.cluster.put_metrics(metrics);
                    cp.inputs
                }
                None => {
                    self.cluster = Self::build(&self.lesson, self.seed, &self.knobs, self.trace)?;
                    self.cluster.set_trace_limit(self.trace_window);
                    self.apply_retention();
                    0
                }
            };
            // The inputs are the run's own, made at the points logged.
            self.replay_inputs(applied, Time::MAX, &mut |_| Ok(()))
                .map_err(|e| format!("cannot rewind: {e}"))?;
        }
        self.advance_to(t);
        if back {
            // The window a straight run would hold here, not just the
            // events since the checkpoint.
            self.fill_window()?;
        }
        Ok(())
    }

    /// Starts again from zero with the same seed, knobs and no inputs, or a new seed.
    pub fn restart(&mut self, seed: Option<u64>) -> Result<(), String> {
        if let Some(s) = seed {
            self.seed = s;
        }
        self.inputs.clear();
        self.marks.clear();
        self.checkpoints.clear();
        self.spacing = FIRST_SPACING;
        self.history = History::default();
        self.cluster = Self::build(&self.lesson, self.seed, &self.knobs, self.trace)?;
        self.cluster.set_trace_limit(self.trace_window);
        self.apply_retention();
        Ok(())
    }

    /// Each objective's verdict now.
    pub fn verdicts(&self) -> Vec<Verdict> {
        let now = self.now();
        self.lesson
            .objectives
            .iter()
            .map(|o| o.judge(self.cluster.metrics(), now))
            .collect()
    }

    /// Trace lines, one per event the trace's window keeps (empty unless
    /// tracing).
    pub fn trace_lines(&self) -> impl Iterator<Item = String> + '_ {
        let names = self.cluster.names();
        self.cluster
            .trace()
            .events()
            .iter()
            .map(move |e| e.render(names))
    }
}

//! A run of a lesson: the cluster, the seed, the knob settings it started
//! with and the log of every input since, so it can be replayed, rewound and
//! shared.

use super::Lesson;
use super::objective::Verdict;
use crate::scenarios::Setup;
use crate::sim::{Cluster, Input, KnobValue, Time, TimedInput};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Run {
    lesson: Arc<Lesson>,
    seed: u64,
    /// Knob values at time zero.
    knobs: BTreeMap<String, KnobValue>,
    trace: bool,
    /// The learner's inputs (the script is added separately), in time order.
    inputs: Vec<TimedInput>,
    cluster: Box<dyn Cluster + Send>,
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
        let cluster = Self::build(&lesson, seed, &knobs, trace, &[])?;
        Ok(Run {
            lesson,
            seed,
            knobs,
            trace,
            inputs: Vec::new(),
            cluster,
        })
    }

    fn build(
        lesson: &Lesson,
        seed: u64,
        knobs: &BTreeMap<String, KnobValue>,
        trace: bool,
        inputs: &[TimedInput],
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
        // Script first, then the learner's inputs: at the same instant the
        // script's entry comes first, every time.
        for entry in &lesson.script {
            cluster.schedule(entry.at, entry.input.clone());
        }
        for t in inputs {
            cluster.schedule(t.at, t.input.clone());
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
        let script = self.lesson.script.iter().map(|e| (e.at, &e.input));
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
        self.cluster.schedule(at, input);
    }

    /// Processes one event. False when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.cluster.step()
    }

    /// Runs forward to `t` (no-op if `t` has passed).
    pub fn advance_to(&mut self, t: Time) {
        if t > self.now() {
            self.cluster.run_until(t);
        }
    }

    /// Moves to `t`, forwards or backwards. Going back replays the run from
    /// the start with the same seed and inputs, which gives exactly the same
    /// history; inputs made after `t` are forgotten.
    pub fn seek(&mut self, t: Time) -> Result<(), String> {
        if t < self.now() {
            self.inputs.retain(|i| i.at <= t);
            self.cluster = Self::build(
                &self.lesson,
                self.seed,
                &self.knobs,
                self.trace,
                &self.inputs,
            )?;
        }
        self.cluster.run_until(t);
        Ok(())
    }

    /// Starts again from zero with the same seed, knobs and no inputs, or a new seed.
    pub fn restart(&mut self, seed: Option<u64>) -> Result<(), String> {
        if let Some(s) = seed {
            self.seed = s;
        }
        self.inputs.clear();
        self.cluster = Self::build(&self.lesson, self.seed, &self.knobs, self.trace, &[])?;
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

    /// Trace lines, one per event (empty unless tracing).
    pub fn trace_lines(&self) -> impl Iterator<Item = String> + '_ {
        let names = self.cluster.names();
        self.cluster.trace().iter().map(move |e| e.render(names))
    }
}

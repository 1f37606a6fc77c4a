//! Lessons: the files that describe them, checking those files against the
//! scenario they name, judging objectives, and driving a run of a lesson.

mod catalog;
mod error;
mod history;
mod load;
mod objective;
mod progress;
mod recording;
mod run;
mod schema;
mod sweep;

pub use catalog::{
    Catalog, EMBEDDED, LESSON_LIMIT, RECORDING_LIMIT, decode, duplicate_ids, lesson_files,
    load_file, read_source, write_atomically,
};
pub use error::{SourceError, line_col};
pub use history::LogPage;
pub use load::parse;
pub use objective::{Comparison, Condition, Objective, Status, Verdict, Window};
pub use progress::{LessonProgress, Mark, Progress, ProgressStore};
pub use recording::{Step as JsonStep, lesson_hash, locate, parse_recording, position};
pub use run::{InputLog, LoggedInput, Recording, ReplayError, Run, SLICE};
pub use sweep::{Across, Axis, Better, Sweep, SweepTable};

use crate::scenarios::{KnobKind, NodeDef, ScenarioSpec};
use crate::sim::{Input, KnobValue, LinkConfig, Time};
use std::collections::BTreeMap;

/// A lesson, checked and ready to run.
#[derive(Clone)]
pub struct Lesson {
    pub id: String,
    /// Line and column of the id in the file, for errors about it.
    pub id_at: (usize, usize),
    pub title: String,
    pub chapter: String,
    pub order: u32,
    pub summary: String,
    /// Where it was read from (a path, or `embedded:<file>`).
    pub source: String,
    /// A hash of the file's text, kept in recordings (see [`recording::lesson_hash`]).
    pub hash: String,
    pub scenario: &'static ScenarioSpec,
    pub length: Time,
    /// Line and column of the length in the file.
    pub length_at: (usize, usize),
    pub seed: u64,
    pub intro: String,
    pub nodes: Vec<NodeDef>,
    pub link: LinkConfig,
    pub links: Vec<(usize, usize, LinkConfig)>,
    pub processing: Time,
    /// The knobs the lesson shows, in file order.
    pub knobs: Vec<Knob>,
    pub phases: Vec<Phase>,
    pub script: Vec<ScriptEntry>,
    pub steps: Vec<Step>,
    pub objectives: Vec<Objective>,
    pub hints: Vec<String>,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug)]
pub struct Knob {
    pub name: String,
    pub kind: KnobKind,
    pub default: KnobValue,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct Phase {
    pub name: String,
    pub from: Time,
    pub to: Time,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct ScriptEntry {
    pub at: Time,
    /// Fires at a random instant in `at..at + within` (zero: at `at`).
    pub within: Time,
    /// Which entry of the file it is, so its random instant does not depend
    /// on which other entries a run keeps.
    pub key: u64,
    pub input: Input,
    pub note: String,
}

impl ScriptEntry {
    /// The instant the entry fires in a run with this seed: `at`, or for an
    /// entry with a `within`, an instant drawn from the seed and the entry
    /// alone (the simulation's own random numbers are not touched).
    pub fn fires_at(&self, seed: u64) -> Time {
        if self.within == Time::ZERO {
            return self.at;
        }
        use rand::{RngExt, SeedableRng};
        let mix = seed ^ (self.key + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(mix);
        self.at + Time(rng.random_range(0..self.within.0))
    }
}

#[derive(Clone, Debug)]
pub struct Step {
    pub title: String,
    pub text: String,
    pub at: Option<Time>,
}

#[derive(Clone, Debug)]
pub struct Question {
    pub id: String,
    pub at: Time,
    pub prompt: String,
    pub choices: Vec<String>,
    pub answer: usize,
    pub explanation: String,
}

impl Lesson {
    /// The lesson's knob, or the scenario's if the lesson does not show it.
    pub fn knob(&self, name: &str) -> Option<Knob> {
        self.knobs
            .iter()
            .find(|k| k.name == name)
            .cloned()
            .or_else(|| {
                self.scenario.knob(name).map(|k| Knob {
                    name: k.name.to_string(),
                    kind: k.kind,
                    default: k.default,
                    description: k.description.to_string(),
                })
            })
    }

    /// Every knob's default value: the lesson's where it sets one, else the scenario's.
    pub fn default_knobs(&self) -> BTreeMap<String, KnobValue> {
        let mut all: BTreeMap<String, KnobValue> = (self.scenario.knobs)()
            .into_iter()
            .map(|k| (k.name.to_string(), k.default))
            .collect();
        for k in &self.knobs {
            all.insert(k.name.clone(), k.default.clone());
        }
        all
    }

    /// Names of every knob that can be set, the lesson's first.
    pub fn knob_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.knobs.iter().map(|k| k.name.clone()).collect();
        for k in (self.scenario.knobs)() {
            if !names.iter().any(|n| n == k.name) {
                names.push(k.name.to_string());
            }
        }
        names
    }

    /// Parses `NAME=VALUE` into a knob setting, with a message listing what exists.
    pub fn parse_setting(&self, text: &str) -> Result<(String, KnobValue), String> {
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not a knob setting: write it as KNOB=VALUE"))?;
        let knob = self.knob(name.trim()).ok_or_else(|| {
            format!(
                "lesson `{}` has no knob `{}`; its knobs are: {}",
                self.id,
                name.trim(),
                self.knob_names().join(", ")
            )
        })?;
        let value = knob.kind.parse(value).map_err(|e| {
            format!(
                "knob `{}`: {e} (it takes {})",
                knob.name,
                knob.kind.accepted()
            )
        })?;
        Ok((knob.name, value))
    }

    /// The knob settings of the cure, as the last hint gives it: a command
    /// `splitbrain run <id> --set K=V ...`. `None` if the last hint gives
    /// no such command; an error names a setting that does not parse.
    pub fn cure(&self) -> Option<Result<Vec<(String, KnobValue)>, String>> {
        let hint = self.hints.last()?;
        let command = format!("splitbrain run {}", self.id);
        let at = hint.find(&command)?;
        let mut words = hint[at + command.len()..].split_whitespace();
        let mut settings = Vec::new();
        while words.next() == Some("--set") {
            let Some(setting) = words.next() else { break };
            match self.parse_setting(setting) {
                Ok(s) => settings.push(s),
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(settings))
    }

    pub fn phase(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// This lesson with every scripted change of the `pinned` knobs taken
    /// out, so a value set at the start holds for the whole run.
    pub fn pinning(&self, pinned: &[&str]) -> Lesson {
        let mut l = self.clone();
        l.script.retain(|e| match &e.input {
            Input::Knob { name, .. } => !pinned.contains(&name.as_str()),
            _ => true,
        });
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_with_a_window_fires_within_it_at_an_instant_set_by_the_seed() {
        let entry = |key| ScriptEntry {
            at: Time::secs(1),
            within: Time::millis(75),
            key,
            input: Input::Heal,
            note: String::new(),
        };
        let window = Time::secs(1)..Time::millis(1075);
        let instants: Vec<Time> = (0..200).map(|seed| entry(0).fires_at(seed)).collect();
        assert!(instants.iter().all(|t| window.contains(t)));
        assert_eq!(
            instants,
            (0..200).map(|s| entry(0).fires_at(s)).collect::<Vec<_>>()
        );
        // Spread over the window, and not the same for another entry.
        let early = instants
            .iter()
            .filter(|t| **t < Time::millis(1_037))
            .count();
        assert!(
            (70..=130).contains(&early),
            "{early} of 200 in the first half"
        );
        assert_ne!(entry(0).fires_at(7), entry(1).fires_at(7));
        let fixed = ScriptEntry {
            within: Time::ZERO,
            ..entry(0)
        };
        assert_eq!(fixed.fires_at(9), Time::secs(1));
    }
}

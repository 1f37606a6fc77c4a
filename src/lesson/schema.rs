//! The lesson file as written: TOML mapped onto these types by serde, with
//! spans kept on every value that is checked after parsing, so an error can
//! name the line and column it comes from. `load.rs` turns this into a
//! [`super::Lesson`].

use serde::Deserialize;
use toml::{Spanned, Value};

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    pub id: S<String>,
    pub title: String,
    pub chapter: String,
    pub order: u32,
    pub summary: String,
    pub scenario: S<String>,
    /// How much virtual time the lesson's story takes.
    pub length: S<String>,
    #[serde(default)]
    pub seed: u64,
    /// Markdown shown beside the cluster.
    #[serde(default)]
    pub intro: String,
    pub cluster: S<ClusterDef>,
    #[serde(default)]
    pub knobs: Vec<KnobDef>,
    #[serde(default)]
    pub phases: Vec<PhaseDef>,
    #[serde(default)]
    pub script: Vec<ScriptDef>,
    #[serde(default)]
    pub steps: Vec<StepDef>,
    #[serde(default)]
    pub objectives: Vec<ObjectiveDef>,
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(default)]
    pub questions: Vec<QuestionDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterDef {
    pub nodes: Vec<NodeDefRaw>,
    /// Time a node takes to handle one event.
    #[serde(default)]
    pub processing: Option<S<String>>,
    /// The default link: latency, loss and duplication.
    #[serde(default)]
    /// `"2ms"` for a constant, or `{ dist = "normal", mean = "2ms", stddev = "500us" }`.
    pub latency: Option<S<Value>>,
    #[serde(default)]
    pub loss: Option<S<f64>>,
    #[serde(default)]
    pub duplicate: Option<S<f64>>,
    #[serde(default)]
    pub links: Vec<LinkDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeDefRaw {
    pub name: S<String>,
    pub role: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkDef {
    /// A node name or `*` for every node.
    pub from: S<String>,
    pub to: S<String>,
    #[serde(default)]
    pub both_ways: bool,
    /// `"2ms"` for a constant, or `{ dist = "normal", mean = "2ms", stddev = "500us" }`.
    pub latency: Option<S<Value>>,
    pub loss: Option<S<f64>>,
    pub duplicate: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnobDef {
    pub name: S<String>,
    #[serde(rename = "type")]
    pub kind: S<String>,
    pub default: S<Value>,
    pub min: Option<S<Value>>,
    pub max: Option<S<Value>>,
    pub choices: Option<S<Vec<String>>>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseDef {
    pub name: S<String>,
    pub from: S<String>,
    pub to: S<String>,
    #[serde(default)]
    pub description: String,
}

/// One timed fault or change. Which fields apply depends on `do`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptDef {
    pub at: S<String>,
    /// The entry fires at a random instant from `at` up to `at + within`,
    /// drawn from the run's seed.
    pub within: Option<S<String>>,
    #[serde(rename = "do")]
    pub action: S<String>,
    pub node: Option<S<String>>,
    pub from: Option<S<String>>,
    pub to: Option<S<String>>,
    pub groups: Option<S<Vec<Vec<S<String>>>>>,
    #[serde(rename = "for")]
    pub duration: Option<S<String>>,
    pub factor: Option<S<f64>>,
    pub by: Option<S<String>>,
    pub knob: Option<S<String>>,
    pub value: Option<S<Value>>,
    pub command: Option<S<String>>,
    /// `"2ms"` for a constant, or `{ dist = "normal", mean = "2ms", stddev = "500us" }`.
    pub latency: Option<S<Value>>,
    pub loss: Option<S<f64>>,
    pub duplicate: Option<S<f64>>,
    /// Shown to the learner when the entry fires.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub title: String,
    pub text: String,
    /// The step becomes current at this instant (else only when the learner moves on).
    pub at: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveDef {
    pub id: S<String>,
    pub description: String,
    /// A phase name: the window the conditions are judged over.
    pub during: Option<S<String>>,
    pub from: Option<S<String>>,
    pub to: Option<S<String>>,
    pub require: Vec<ConditionDef>,
}

/// `{ metric = "a.success", over = "a.requests", at_least = 0.99 }` or
/// `{ metric = "a.latency", stat = "p99", below = "200ms" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    /// One metric, or several of one kind joined by `+`.
    pub metric: S<String>,
    pub stat: Option<S<String>>,
    /// Divides by these counters (joined by `+`): a ratio.
    pub over: Option<S<String>>,
    pub below: Option<S<Value>>,
    pub at_most: Option<S<Value>>,
    pub above: Option<S<Value>>,
    pub at_least: Option<S<Value>>,
    pub equals: Option<S<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionDef {
    pub id: S<String>,
    /// The run pauses at this instant and asks.
    pub at: S<String>,
    pub prompt: String,
    pub choices: S<Vec<String>>,
    /// Index of the right choice, from 0.
    pub answer: S<usize>,
    pub explanation: String,
}

//! From TOML text to a checked [`Lesson`]: every reference is resolved
//! (scenario, nodes, roles, knobs, commands, phases, metrics) and every
//! problem is reported with its file, line and column. The lesson's knobs,
//! its script and its objectives are checked in their own files.

mod knobs;
mod objectives;
mod script;

use super::error::SourceError;
use super::schema::*;
use super::{Lesson, Phase, Question, Step};
use crate::scenarios::{self, Count, NodeDef, ScenarioSpec};
use crate::sim::{Latency, LinkChange, LinkConfig, NodeSel, Time};
use std::ops::Range;
use toml::Value;

/// Reads and checks a lesson. `file` names the source in messages.
pub fn parse(file: &str, text: &str) -> Result<Lesson, Vec<SourceError>> {
    let raw: LessonFile = toml::from_str(text).map_err(|e| {
        vec![SourceError::at(
            file,
            text,
            e.span(),
            e.message().trim().replace('\n', "; "),
        )]
    })?;
    let mut cx = Checker {
        file,
        text,
        errors: Vec::new(),
    };
    cx.controls();
    let lesson = cx.lesson(raw);
    if cx.errors.is_empty() {
        Ok(lesson.expect("no errors means a lesson"))
    } else {
        cx.errors.sort_by_key(|e| (e.line, e.col));
        Err(cx.errors)
    }
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<SourceError>,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors
            .push(SourceError::at(self.file, self.text, Some(span), message));
    }

    /// Refuses control characters (a terminal escape, a bell) in every
    /// key and string of the file: they would reach the learner's terminal.
    /// Newlines and tabs are text; so is a carriage return before a newline.
    fn controls(&mut self) {
        fn bad(s: &str) -> Option<char> {
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                let allowed = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
                if c.is_control() && !allowed {
                    return Some(c);
                }
            }
            None
        }
        fn walk(cx: &mut Checker<'_>, path: &str, v: &toml::Spanned<toml::de::DeValue<'_>>) {
            use toml::de::DeValue;
            match v.get_ref() {
                DeValue::String(s) => {
                    if let Some(c) = bad(s) {
                        cx.error(
                            v.span(),
                            format!(
                                "`{path}` contains the control character U+{:04X}: names, titles \
                                 and text may not (they would reach the terminal)",
                                c as u32
                            ),
                        );
                    }
                }
                DeValue::Array(a) => {
                    for item in a.iter() {
                        walk(cx, path, item);
                    }
                }
                DeValue::Table(t) => table(cx, path, t),
                _ => {}
            }
        }
        fn table(cx: &mut Checker<'_>, path: &str, t: &toml::de::DeTable<'_>) {
            for (k, v) in t.iter() {
                let name = k.get_ref().as_ref();
                let here = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                if let Some(c) = bad(name) {
                    cx.error(
                        k.span(),
                        format!("a key contains the control character U+{:04X}", c as u32),
                    );
                }
                walk(cx, &here, v);
            }
        }
        if let Ok(doc) = toml::de::DeTable::parse(self.text) {
            table(self, "", doc.get_ref());
        }
    }

    fn duration(&mut self, s: &S<String>) -> Option<Time> {
        match Time::parse(s.get_ref()) {
            Ok(t) => Some(t),
            Err(e) => {
                self.error(s.span(), format!("expected a duration: {e}"));
                None
            }
        }
    }

    fn probability(&mut self, p: &Option<S<f64>>, what: &str) -> Option<f64> {
        let p = p.as_ref()?;
        let v = *p.get_ref();
        if (0.0..=1.0).contains(&v) {
            Some(v)
        } else {
            self.error(
                p.span(),
                format!("{what} is a probability: expected a number from 0 to 1, found {v}"),
            );
            None
        }
    }

    fn latency(&mut self, v: &Option<S<Value>>) -> Option<Latency> {
        let v = v.as_ref()?;
        let span = v.span();
        let time = |cx: &mut Self, t: Option<&Value>, key: &str, dist: &str| -> Option<Time> {
            match t {
                Some(Value::String(s)) => match Time::parse(s) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        cx.error(span.clone(), format!("latency `{key}`: {e}"));
                        None
                    }
                },
                Some(_) => {
                    cx.error(
                        span.clone(),
                        format!("latency `{key}` must be a duration string such as \"5ms\""),
                    );
                    None
                }
                None => {
                    cx.error(span.clone(), format!("a `{dist}` latency needs `{key}`"));
                    None
                }
            }
        };
        match v.get_ref() {
            Value::String(s) => match Time::parse(s) {
                Ok(t) => Some(Latency::Constant { value: t }),
                Err(e) => {
                    self.error(span, format!("expected a latency: {e}"));
                    None
                }
            },
            Value::Table(t) => {
                let allowed = ["dist", "value", "min", "max", "mean", "stddev"];
                if let Some(k) = t.keys().find(|k| !allowed.contains(&k.as_str())) {
                    self.error(
                        span.clone(),
                        format!(
                            "unknown latency field `{k}`, expected one of {}",
                            allowed.join(", ")
                        ),
                    );
                    return None;
                }
                let dist = t.get("dist").and_then(Value::as_str).unwrap_or("");
                match dist {
                    "constant" => Some(Latency::Constant {
                        value: time(self, t.get("value"), "value", dist)?,
                    }),
                    "uniform" => {
                        let min = time(self, t.get("min"), "min", dist)?;
                        let max = time(self, t.get("max"), "max", dist)?;
                        if max < min {
                            self.error(span, "a uniform latency needs min <= max");
                            return None;
                        }
                        Some(Latency::Uniform { min, max })
                    }
                    "normal" => Some(Latency::Normal {
                        mean: time(self, t.get("mean"), "mean", dist)?,
                        stddev: time(self, t.get("stddev"), "stddev", dist)?,
                    }),
                    "exponential" => Some(Latency::Exponential {
                        mean: time(self, t.get("mean"), "mean", dist)?,
                    }),
                    other => {
                        self.error(
                            span,
                            format!("unknown latency distribution `{other}`, expected constant, uniform, normal or exponential"),
                        );
                        None
                    }
                }
            }
            _ => {
                self.error(
                    span,
                    "expected a latency: a duration such as \"5ms\" or a table with `dist`",
                );
                None
            }
        }
    }

    fn lesson(&mut self, raw: LessonFile) -> Option<Lesson> {
        let id = raw.id.get_ref().clone();
        let id_at = crate::lesson::line_col(self.text, raw.id.span().start);
        let length_at = crate::lesson::line_col(self.text, raw.length.span().start);
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.error(
                raw.id.span(),
                "a lesson id is lowercase letters, digits and dashes, e.g. `lost-update`",
            );
        }
        let scenario = match scenarios::find(raw.scenario.get_ref()) {
            Some(s) => Some(s),
            None => {
                let known: Vec<&str> = scenarios::registry().iter().map(|s| s.id).collect();
                self.error(
                    raw.scenario.span(),
                    format!(
                        "unknown scenario `{}`, expected one of {}",
                        raw.scenario.get_ref(),
                        known.join(", ")
                    ),
                );
                None
            }
        };
        let length = self.duration(&raw.length);
        let cluster_span = raw.cluster.span();
        let cluster = raw.cluster.into_inner();
        let before = self.errors.len();
        let nodes = self.nodes(&cluster, scenario);
        let nodes_ok = self.errors.len() == before;
        let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        let mut link = LinkConfig::default();
        if let Some(l) = self.latency(&cluster.latency) {
            link.latency = l;
        }
        link.loss = self.probability(&cluster.loss, "loss").unwrap_or(0.0);
        link.duplicate = self
            .probability(&cluster.duplicate, "duplicate")
            .unwrap_or(0.0);
        let links = self.links(&cluster.links, &names, link);
        let processing = cluster
            .processing
            .as_ref()
            .and_then(|p| self.duration(p))
            .unwrap_or(Time::ZERO);
        let scenario = scenario?;
        // A cluster whose nodes are wrong has been reported node by node.
        if nodes_ok && let Err(e) = self.try_build(scenario, &nodes) {
            self.error(
                cluster_span,
                format!("scenario `{}` cannot run this cluster: {e}", scenario.id),
            );
        }
        let knobs = self.knobs(&raw.knobs, scenario);
        let phases = self.phases(&raw.phases);
        let script = self.script(&raw.script, scenario, &nodes, &knobs);
        let steps = raw
            .steps
            .into_iter()
            .map(|s| Step {
                title: s.title,
                at: s.at.as_ref().and_then(|a| self.duration(a)),
                text: s.text,
            })
            .collect();
        let metrics = (scenario.metrics)(&nodes);
        let objectives = self.objectives(
            &raw.objectives,
            &phases,
            &metrics,
            length.unwrap_or(Time::ZERO),
        );
        let questions = self.questions(raw.questions);
        Some(Lesson {
            id,
            id_at,
            title: raw.title,
            chapter: raw.chapter,
            order: raw.order,
            summary: raw.summary,
            source: self.file.to_string(),
            hash: crate::lesson::lesson_hash(self.text),
            scenario,
            length: length?,
            length_at,
            seed: raw.seed,
            intro: raw.intro,
            nodes,
            link,
            links,
            processing,
            knobs,
            phases,
            script,
            steps,
            objectives,
            hints: raw.hints,
            questions,
        })
    }

    fn nodes(&mut self, cluster: &ClusterDef, scenario: Option<&ScenarioSpec>) -> Vec<NodeDef> {
        let mut nodes: Vec<NodeDef> = Vec::new();
        for n in &cluster.nodes {
            let name = n.name.get_ref();
            if name.is_empty() || name.contains([' ', ':', '*', ',']) {
                self.error(
                    n.name.span(),
                    format!("`{name}` is not a usable node name: no spaces, `:`, `*` or `,`"),
                );
            } else if nodes.iter().any(|m| &m.name == name) {
                self.error(
                    n.name.span(),
                    format!("there are two nodes called `{name}`"),
                );
            }
            if let Some(s) = scenario {
                let role = n.role.get_ref().as_str();
                let declared = s.roles.declared();
                if s.roles.get(role).is_some_and(|r| r.count == Count::Taken) {
                    self.error(
                        n.role.span(),
                        format!(
                            "`{role}` is a role nodes of scenario `{}` take while they run; \
                             a cluster declares one of {}",
                            s.id,
                            declared.join(", ")
                        ),
                    );
                } else if !declared.contains(&role) {
                    self.error(
                        n.role.span(),
                        format!(
                            "unknown role `{role}` for scenario `{}`, expected one of {}",
                            s.id,
                            declared.join(", ")
                        ),
                    );
                }
            }
            nodes.push(NodeDef {
                name: name.clone(),
                role: n.role.get_ref().clone(),
            });
        }
        nodes
    }

    fn try_build(&mut self, scenario: &ScenarioSpec, nodes: &[NodeDef]) -> Result<(), String> {
        let setup = crate::scenarios::Setup {
            seed: 0,
            nodes: nodes.to_vec(),
            link: LinkConfig::default(),
            links: Vec::new(),
            processing: Time::ZERO,
            knobs: (scenario.knobs)()
                .into_iter()
                .map(|k| (k.name.to_string(), k.default))
                .collect(),
            trace: false,
        };
        (scenario.build)(&setup).map(|_| ())
    }

    /// Resolves a node name or `role:NAME`.
    fn node_sel(&mut self, s: &S<String>, nodes: &[NodeDef], roles: &[&str]) -> Option<NodeSel> {
        let text = s.get_ref();
        if let Some(role) = text.strip_prefix("role:") {
            if roles.contains(&role) {
                return Some(NodeSel::Role(role.to_string()));
            }
            self.error(
                s.span(),
                format!(
                    "unknown role `{role}`, expected one of {}",
                    roles.join(", ")
                ),
            );
            return None;
        }
        match nodes.iter().position(|n| &n.name == text) {
            Some(i) => Some(NodeSel::Id(i)),
            None => {
                let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
                self.error(
                    s.span(),
                    format!(
                        "unknown node `{text}`, expected one of {} (or role:ROLE)",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    }

    fn links(
        &mut self,
        defs: &[LinkDef],
        names: &[String],
        base: LinkConfig,
    ) -> Vec<(usize, usize, LinkConfig)> {
        let mut out = Vec::new();
        for d in defs {
            let pick = |cx: &mut Self, s: &S<String>| -> Option<Vec<usize>> {
                if s.get_ref() == "*" {
                    return Some((0..names.len()).collect());
                }
                match names.iter().position(|n| n == s.get_ref()) {
                    Some(i) => Some(vec![i]),
                    None => {
                        cx.error(
                            s.span(),
                            format!(
                                "unknown node `{}`, expected one of {} or `*`",
                                s.get_ref(),
                                names.join(", ")
                            ),
                        );
                        None
                    }
                }
            };
            let (Some(from), Some(to)) = (pick(self, &d.from), pick(self, &d.to)) else {
                continue;
            };
            let change = LinkChange {
                latency: self.latency(&d.latency),
                loss: self.probability(&d.loss, "loss"),
                duplicate: self.probability(&d.duplicate, "duplicate"),
            };
            for &a in &from {
                for &b in &to {
                    for (x, y) in if d.both_ways {
                        vec![(a, b), (b, a)]
                    } else {
                        vec![(a, b)]
                    } {
                        let mut link = out
                            .iter()
                            .rev()
                            .find(|(p, q, _)| (*p, *q) == (x, y))
                            .map_or(base, |(_, _, l): &(usize, usize, LinkConfig)| *l);
                        change.apply(&mut link);
                        out.push((x, y, link));
                    }
                }
            }
        }
        out
    }

    fn phases(&mut self, defs: &[PhaseDef]) -> Vec<Phase> {
        let mut out: Vec<Phase> = Vec::new();
        for d in defs {
            let (Some(from), Some(to)) = (self.duration(&d.from), self.duration(&d.to)) else {
                continue;
            };
            if to <= from {
                self.error(
                    d.to.span(),
                    format!(
                        "phase `{}` ends ({to}) before it starts ({from})",
                        d.name.get_ref()
                    ),
                );
                continue;
            }
            if out.iter().any(|p| &p.name == d.name.get_ref()) {
                self.error(
                    d.name.span(),
                    format!("there are two phases called `{}`", d.name.get_ref()),
                );
                continue;
            }
            out.push(Phase {
                name: d.name.get_ref().clone(),
                from,
                to,
                description: d.description.clone(),
            });
        }
        out
    }

    fn questions(&mut self, defs: Vec<QuestionDef>) -> Vec<Question> {
        let mut out: Vec<Question> = Vec::new();
        for d in defs {
            if out.iter().any(|q| &q.id == d.id.get_ref()) {
                self.error(
                    d.id.span(),
                    format!("there are two questions called `{}`", d.id.get_ref()),
                );
                continue;
            }
            let Some(at) = self.duration(&d.at) else {
                continue;
            };
            if d.choices.get_ref().len() < 2 {
                self.error(d.choices.span(), "a question needs at least two choices");
                continue;
            }
            if *d.answer.get_ref() >= d.choices.get_ref().len() {
                self.error(
                    d.answer.span(),
                    format!(
                        "answer {} is not a choice: choices are numbered from 0 to {}",
                        d.answer.get_ref(),
                        d.choices.get_ref().len() - 1
                    ),
                );
                continue;
            }
            out.push(Question {
                id: d.id.get_ref().clone(),
                at,
                prompt: d.prompt,
                choices: d.choices.into_inner(),
                answer: d.answer.into_inner(),
                explanation: d.explanation,
            });
        }
        out
    }
}

fn list_or_nothing(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

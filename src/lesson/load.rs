//! From TOML text to a checked [`Lesson`]: every reference is resolved
//! (scenario, nodes, roles, knobs, commands, phases, metrics) and every
//! problem is reported with its file, line and column.

use super::error::SourceError;
use super::objective::{Comparison, Condition, Objective, Window};
use super::schema::*;
use super::{Knob, Lesson, Phase, Question, ScriptEntry, Step};
use crate::scenarios::{self, Count, KnobKind, MetricSpec, NodeDef, ScenarioSpec};
use crate::sim::{
    Input, KnobValue, Latency, LinkChange, LinkConfig, MetricKind, NodeSel, Stat, Time,
};
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
            title: raw.title,
            chapter: raw.chapter,
            order: raw.order,
            summary: raw.summary,
            source: self.file.to_string(),
            scenario,
            length: length?,
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

    fn value_text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
            other => other.to_string(),
        }
    }

    fn knobs(&mut self, defs: &[KnobDef], scenario: &ScenarioSpec) -> Vec<Knob> {
        let mut out: Vec<Knob> = Vec::new();
        for d in defs {
            let name = d.name.get_ref();
            let Some(spec) = scenario.knob(name) else {
                let names: Vec<&str> = (scenario.knobs)().iter().map(|k| k.name).collect();
                self.error(
                    d.name.span(),
                    format!(
                        "scenario `{}` has no knob `{name}`; it has: {}",
                        scenario.id,
                        names.join(", ")
                    ),
                );
                continue;
            };
            if out.iter().any(|k| &k.name == name) {
                self.error(d.name.span(), format!("knob `{name}` is declared twice"));
                continue;
            }
            let kind_name = d.kind.get_ref().as_str();
            if kind_name != spec.kind.name() {
                self.error(
                    d.kind.span(),
                    format!(
                        "knob `{name}` is of type `{}` in scenario `{}`, not `{kind_name}`",
                        spec.kind.name(),
                        scenario.id
                    ),
                );
                continue;
            }
            let kind = match self.narrow(d, &spec.kind) {
                Some(k) => k,
                None => continue,
            };
            let default = match kind.parse(&Self::value_text(d.default.get_ref())) {
                Ok(v) => v,
                Err(e) => {
                    self.error(d.default.span(), format!("default of knob `{name}`: {e}"));
                    continue;
                }
            };
            out.push(Knob {
                name: name.clone(),
                kind,
                default,
                description: d.description.clone(),
            });
        }
        out
    }

    /// The lesson's range or choices for a knob, which must lie within the scenario's.
    fn narrow(&mut self, d: &KnobDef, full: &KnobKind) -> Option<KnobKind> {
        let bound = |cx: &mut Self, v: &Option<S<Value>>| -> Option<Option<KnobValue>> {
            let Some(v) = v else { return Some(None) };
            let text = Self::value_text(v.get_ref());
            let parsed = match full {
                KnobKind::Int { .. } => text
                    .parse::<i64>()
                    .map(KnobValue::Int)
                    .map_err(|_| "expected a whole number".to_string()),
                KnobKind::Float { .. } => text
                    .parse::<f64>()
                    .map(KnobValue::Float)
                    .map_err(|_| "expected a number".to_string()),
                KnobKind::Duration { .. } | KnobKind::DurationOrOff { .. } => {
                    Time::parse(&text).map(KnobValue::Duration)
                }
                _ => Err(format!("a `{}` knob has no range", full.name())),
            };
            match parsed {
                Ok(v) => Some(Some(v)),
                Err(e) => {
                    cx.error(v.span(), e);
                    None
                }
            }
        };
        let min = bound(self, &d.min)?;
        let max = bound(self, &d.max)?;
        let kind = match (full.clone(), min, max) {
            (KnobKind::Int { min: a, max: b }, lo, hi) => KnobKind::Int {
                min: lo.map_or(a, |v| v.as_int()),
                max: hi.map_or(b, |v| v.as_int()),
            },
            (KnobKind::Float { min: a, max: b }, lo, hi) => KnobKind::Float {
                min: lo.map_or(a, |v| v.as_float()),
                max: hi.map_or(b, |v| v.as_float()),
            },
            (KnobKind::Duration { min: a, max: b }, lo, hi) => KnobKind::Duration {
                min: lo.and_then(|v| v.as_duration()).unwrap_or(a),
                max: hi.and_then(|v| v.as_duration()).unwrap_or(b),
            },
            (KnobKind::DurationOrOff { min: a, max: b }, lo, hi) => KnobKind::DurationOrOff {
                min: lo.and_then(|v| v.as_duration()).unwrap_or(a),
                max: hi.and_then(|v| v.as_duration()).unwrap_or(b),
            },
            (KnobKind::Choice(all), _, _) => match &d.choices {
                Some(c) => KnobKind::Choice(c.get_ref().clone()),
                None => KnobKind::Choice(all),
            },
            (k, _, _) => k,
        };
        if let Some(c) = &d.choices
            && !matches!(full, KnobKind::Choice(_))
        {
            self.error(
                c.span(),
                format!(
                    "only a `choice` knob has choices; `{}` is a `{}`",
                    d.name.get_ref(),
                    full.name()
                ),
            );
            return None;
        }
        if !full.contains(&kind) {
            self.error(
                d.name.span(),
                format!(
                    "knob `{}` may only narrow the scenario's range: {}",
                    d.name.get_ref(),
                    full.accepted()
                ),
            );
            return None;
        }
        Some(kind)
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

    fn script(
        &mut self,
        defs: &[ScriptDef],
        scenario: &ScenarioSpec,
        nodes: &[NodeDef],
        knobs: &[Knob],
    ) -> Vec<ScriptEntry> {
        let mut out = Vec::new();
        for d in defs {
            let Some(at) = self.duration(&d.at) else {
                continue;
            };
            if let Some(input) = self.action(d, scenario, nodes, knobs) {
                out.push(ScriptEntry {
                    at,
                    input,
                    note: d.note.clone(),
                });
            }
        }
        out.sort_by_key(|e| e.at);
        out
    }

    fn action(
        &mut self,
        d: &ScriptDef,
        scenario: &ScenarioSpec,
        nodes: &[NodeDef],
        knobs: &[Knob],
    ) -> Option<Input> {
        const ACTIONS: [&str; 15] = [
            "crash",
            "restart",
            "pause",
            "resume",
            "slow",
            "clock-jump",
            "partition",
            "isolate",
            "cut",
            "heal",
            "hold",
            "release",
            "set-link",
            "set-knob",
            "command",
        ];
        let action = d.action.get_ref().as_str();
        if !ACTIONS.contains(&action) {
            self.error(
                d.action.span(),
                format!(
                    "unknown action `{action}`, expected one of {}",
                    ACTIONS.join(", ")
                ),
            );
            return None;
        }
        // Which of the optional fields this action takes.
        let takes: &[&str] = match action {
            "crash" | "restart" | "resume" | "isolate" => &["node"],
            "pause" => &["node", "for"],
            "slow" => &["node", "factor"],
            "clock-jump" => &["node", "by"],
            "partition" => &["groups"],
            "cut" | "hold" | "release" => &["from", "to"],
            "heal" => &[],
            "set-link" => &["from", "to", "latency", "loss", "duplicate"],
            "set-knob" => &["knob", "value"],
            _ => &["node", "command"],
        };
        let present: [(&str, Option<Range<usize>>); 11] = [
            ("node", d.node.as_ref().map(|v| v.span())),
            ("from", d.from.as_ref().map(|v| v.span())),
            ("to", d.to.as_ref().map(|v| v.span())),
            ("groups", d.groups.as_ref().map(|v| v.span())),
            ("for", d.duration.as_ref().map(|v| v.span())),
            ("factor", d.factor.as_ref().map(|v| v.span())),
            ("by", d.by.as_ref().map(|v| v.span())),
            ("knob", d.knob.as_ref().map(|v| v.span())),
            ("value", d.value.as_ref().map(|v| v.span())),
            ("command", d.command.as_ref().map(|v| v.span())),
            ("loss", d.loss.as_ref().map(|v| v.span())),
        ];
        let mut ok = true;
        for (field, span) in present {
            if let Some(span) = span
                && !takes.contains(&field)
            {
                self.error(
                    span,
                    format!(
                        "`{field}` does not apply to `{action}`; it takes: {}",
                        list_or_nothing(takes)
                    ),
                );
                ok = false;
            }
        }
        let need = |cx: &mut Self, v: &Option<S<String>>, field: &str| -> Option<S<String>> {
            if v.is_none() {
                cx.error(d.action.span(), format!("`{action}` needs `{field}`"));
            }
            v.clone()
        };
        let roles = &scenario.roles.names();
        let sel = |cx: &mut Self, v: &Option<S<String>>, field: &str| -> Option<NodeSel> {
            let s = need(cx, v, field)?;
            cx.node_sel(&s, nodes, roles)
        };
        let input = match action {
            "crash" => Input::Crash(sel(self, &d.node, "node")?),
            "restart" => Input::Restart(sel(self, &d.node, "node")?),
            "resume" => Input::Resume(sel(self, &d.node, "node")?),
            "isolate" => Input::Isolate(sel(self, &d.node, "node")?),
            "pause" => {
                let node = sel(self, &d.node, "node")?;
                let duration = match &d.duration {
                    Some(t) => Some(self.duration(t)?),
                    None => None,
                };
                Input::Pause { node, duration }
            }
            "slow" => {
                let node = sel(self, &d.node, "node")?;
                let Some(f) = &d.factor else {
                    self.error(d.action.span(), "`slow` needs `factor`, e.g. factor = 10");
                    return None;
                };
                if !(*f.get_ref() >= 1.0 && f.get_ref().is_finite()) {
                    self.error(f.span(), "a slow-down factor is a number of at least 1");
                    return None;
                }
                Input::Slow {
                    node,
                    factor: *f.get_ref(),
                }
            }
            "clock-jump" => {
                let node = sel(self, &d.node, "node")?;
                let by = need(self, &d.by, "by")?;
                let text = by.get_ref();
                let (neg, body) = match text.strip_prefix('-') {
                    Some(rest) => (true, rest),
                    None => (false, text.strip_prefix('+').unwrap_or(text)),
                };
                let t = match Time::parse(body) {
                    Ok(t) => t,
                    Err(e) => {
                        self.error(
                            by.span(),
                            format!("expected a signed duration such as \"-5s\": {e}"),
                        );
                        return None;
                    }
                };
                let us = t.as_micros() as i64;
                Input::ClockJump {
                    node,
                    by: if neg { -us } else { us },
                }
            }
            "partition" => {
                let Some(groups) = &d.groups else {
                    self.error(
                        d.action.span(),
                        "`partition` needs `groups`, e.g. groups = [[\"a\", \"b\"], [\"c\"]]",
                    );
                    return None;
                };
                if groups.get_ref().len() < 2 {
                    self.error(groups.span(), "a partition needs at least two groups");
                    return None;
                }
                let mut out = Vec::new();
                for g in groups.get_ref() {
                    let mut members = Vec::new();
                    for n in g {
                        members.push(self.node_sel(n, nodes, roles)?);
                    }
                    out.push(members);
                }
                Input::Partition { groups: out }
            }
            "cut" | "hold" | "release" => {
                let from = sel(self, &d.from, "from")?;
                let to = sel(self, &d.to, "to")?;
                match action {
                    "cut" => Input::Cut { from, to },
                    "hold" => Input::Hold { from, to },
                    _ => Input::Release { from, to },
                }
            }
            "heal" => Input::Heal,
            "set-link" => {
                let side = |cx: &mut Self, v: &Option<S<String>>| -> Option<Option<NodeSel>> {
                    match v {
                        Some(s) if s.get_ref() == "*" => Some(None),
                        Some(s) => cx.node_sel(s, nodes, roles).map(Some),
                        None => Some(None),
                    }
                };
                let from = side(self, &d.from)?;
                let to = side(self, &d.to)?;
                let change = LinkChange {
                    latency: self.latency(&d.latency),
                    loss: self.probability(&d.loss, "loss"),
                    duplicate: self.probability(&d.duplicate, "duplicate"),
                };
                if change == LinkChange::default() {
                    self.error(
                        d.action.span(),
                        "`set-link` needs at least one of `latency`, `loss`, `duplicate`",
                    );
                    return None;
                }
                Input::SetLink { from, to, change }
            }
            "set-knob" => {
                let name = need(self, &d.knob, "knob")?;
                let knob = knobs
                    .iter()
                    .find(|k| &k.name == name.get_ref())
                    .cloned()
                    .or_else(|| {
                        scenario.knob(name.get_ref()).map(|k| Knob {
                            name: k.name.to_string(),
                            kind: k.kind,
                            default: k.default,
                            description: String::new(),
                        })
                    });
                let Some(knob) = knob else {
                    let names: Vec<&str> = (scenario.knobs)().iter().map(|k| k.name).collect();
                    self.error(
                        name.span(),
                        format!(
                            "unknown knob `{}`, expected one of {}",
                            name.get_ref(),
                            names.join(", ")
                        ),
                    );
                    return None;
                };
                let Some(value) = &d.value else {
                    self.error(d.action.span(), "`set-knob` needs `value`");
                    return None;
                };
                match knob.kind.parse(&Self::value_text(value.get_ref())) {
                    Ok(v) => Input::Knob {
                        name: knob.name,
                        value: v,
                    },
                    Err(e) => {
                        self.error(value.span(), format!("knob `{}`: {e}", knob.name));
                        return None;
                    }
                }
            }
            _ => {
                let node = sel(self, &d.node, "node")?;
                let command = need(self, &d.command, "command")?;
                let Some(spec) = scenario
                    .commands
                    .iter()
                    .find(|c| c.name == command.get_ref())
                else {
                    let names: Vec<&str> = scenario.commands.iter().map(|c| c.name).collect();
                    self.error(
                        command.span(),
                        format!(
                            "scenario `{}` has no command `{}`; it has: {}",
                            scenario.id,
                            command.get_ref(),
                            list_or_nothing(&names)
                        ),
                    );
                    return None;
                };
                let role = match &node {
                    NodeSel::Id(i) => nodes[*i].role.clone(),
                    NodeSel::Role(r) => r.clone(),
                };
                if !spec.roles.contains(&role.as_str()) {
                    self.error(
                        d.node.as_ref().expect("resolved above").span(),
                        format!(
                            "command `{}` is for nodes of role {}, not `{role}`",
                            spec.name,
                            spec.roles.join(" or ")
                        ),
                    );
                    return None;
                }
                Input::Command {
                    node,
                    command: command.get_ref().clone(),
                }
            }
        };
        ok.then_some(input)
    }

    fn objectives(
        &mut self,
        defs: &[ObjectiveDef],
        phases: &[Phase],
        metrics: &[MetricSpec],
        length: Time,
    ) -> Vec<Objective> {
        let mut out: Vec<Objective> = Vec::new();
        for d in defs {
            if out.iter().any(|o| &o.id == d.id.get_ref()) {
                self.error(
                    d.id.span(),
                    format!("there are two objectives called `{}`", d.id.get_ref()),
                );
                continue;
            }
            let window = match (&d.during, &d.from, &d.to) {
                (Some(p), None, None) => match phases.iter().find(|ph| &ph.name == p.get_ref()) {
                    Some(ph) => Window {
                        from: ph.from,
                        to: ph.to,
                        phase: Some(ph.name.clone()),
                    },
                    None => {
                        let names: Vec<&str> = phases.iter().map(|p| p.name.as_str()).collect();
                        self.error(
                            p.span(),
                            format!(
                                "unknown phase `{}`, expected one of {}",
                                p.get_ref(),
                                list_or_nothing(&names)
                            ),
                        );
                        continue;
                    }
                },
                (Some(p), _, _) => {
                    self.error(p.span(), "give either `during` or `from`/`to`, not both");
                    continue;
                }
                (None, from, to) => {
                    let from = match from {
                        Some(f) => self.duration(f),
                        None => Some(Time::ZERO),
                    };
                    let to = match to {
                        Some(t) => self.duration(t),
                        None => Some(length),
                    };
                    let (Some(from), Some(to)) = (from, to) else {
                        continue;
                    };
                    Window {
                        from,
                        to,
                        phase: None,
                    }
                }
            };
            if d.require.is_empty() {
                self.error(
                    d.id.span(),
                    "an objective needs at least one condition in `require`",
                );
                continue;
            }
            let mut conditions = Vec::new();
            for c in &d.require {
                if let Some(c) = self.condition(c, metrics) {
                    conditions.push(c);
                }
            }
            if conditions.len() == d.require.len() {
                out.push(Objective {
                    id: d.id.get_ref().clone(),
                    description: d.description.clone(),
                    window,
                    conditions,
                });
            }
        }
        out
    }

    fn metric_sum(
        &mut self,
        s: &S<String>,
        metrics: &[MetricSpec],
    ) -> Option<(Vec<String>, MetricKind)> {
        let mut names = Vec::new();
        let mut kind = None;
        for part in s.get_ref().split('+').map(str::trim) {
            let Some(m) = metrics.iter().find(|m| m.name == part) else {
                let mut known: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
                known.sort_unstable();
                self.error(
                    s.span(),
                    format!(
                        "the scenario has no metric `{part}`; it has: {}",
                        known.join(", ")
                    ),
                );
                return None;
            };
            if kind.is_some_and(|k| k != m.kind) {
                self.error(
                    s.span(),
                    format!(
                        "`{part}` is a {}: only metrics of one kind can be added",
                        m.kind
                    ),
                );
                return None;
            }
            kind = Some(m.kind);
            names.push(part.to_string());
        }
        Some((names, kind?))
    }

    fn condition(&mut self, c: &ConditionDef, metrics: &[MetricSpec]) -> Option<Condition> {
        let (names, kind) = self.metric_sum(&c.metric, metrics)?;
        let over = match &c.over {
            Some(o) => {
                let (den, dkind) = self.metric_sum(o, metrics)?;
                if kind != MetricKind::Counter || dkind != MetricKind::Counter {
                    self.error(
                        o.span(),
                        "`over` makes a ratio of counters: both sides must be counters",
                    );
                    return None;
                }
                Some(den)
            }
            None => None,
        };
        let stat = match &c.stat {
            Some(s) => match Stat::parse(s.get_ref()) {
                Some(st) if st.applies_to(kind) => st,
                Some(_) | None => {
                    let fits: Vec<&str> = Stat::ALL
                        .iter()
                        .filter(|(_, st)| st.applies_to(kind))
                        .map(|(n, _)| *n)
                        .collect();
                    self.error(
                        s.span(),
                        format!(
                            "stat `{}` does not apply to a {kind}; use one of {}",
                            s.get_ref(),
                            fits.join(", ")
                        ),
                    );
                    return None;
                }
            },
            None if kind == MetricKind::Counter => Stat::Count,
            None => {
                let fits: Vec<&str> = Stat::ALL
                    .iter()
                    .filter(|(_, st)| st.applies_to(kind))
                    .map(|(n, _)| *n)
                    .collect();
                self.error(
                    c.metric.span(),
                    format!("a {kind} needs `stat`, one of {}", fits.join(", ")),
                );
                return None;
            }
        };
        if over.is_some() && stat != Stat::Count {
            self.error(
                c.metric.span(),
                "a ratio (`over`) compares counts: leave out `stat` or use `count`",
            );
            return None;
        }
        let ops = [
            (&c.below, Comparison::Below),
            (&c.at_most, Comparison::AtMost),
            (&c.above, Comparison::Above),
            (&c.at_least, Comparison::AtLeast),
            (&c.equals, Comparison::Equals),
        ];
        let given: Vec<_> = ops.iter().filter(|(v, _)| v.is_some()).collect();
        if given.len() != 1 {
            self.error(
                c.metric.span(),
                "a condition needs exactly one of `below`, `at_most`, `above`, `at_least`, `equals`",
            );
            return None;
        }
        let (value, op) = given[0];
        let value = value.as_ref().expect("filtered");
        let durations = kind == MetricKind::Histogram && over.is_none() && stat != Stat::Count;
        let threshold = match value.get_ref() {
            Value::String(s) if durations => match Time::parse(s) {
                Ok(t) => t.as_micros() as f64,
                Err(e) => {
                    self.error(value.span(), format!("expected a duration: {e}"));
                    return None;
                }
            },
            Value::Integer(i) if !durations => *i as f64,
            Value::Float(f) if !durations => *f,
            _ if durations => {
                self.error(
                    value.span(),
                    format!(
                        "`{}` of a latency is compared with a duration such as \"200ms\"",
                        stat.name()
                    ),
                );
                return None;
            }
            _ => {
                self.error(value.span(), "expected a number");
                return None;
            }
        };
        Some(Condition {
            metrics: names,
            over,
            stat,
            op: *op,
            threshold,
            duration: durations,
        })
    }

    fn questions(&mut self, defs: Vec<QuestionDef>) -> Vec<Question> {
        let mut out = Vec::new();
        for d in defs {
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

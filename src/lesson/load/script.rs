//! A lesson's script: timed entries, each an action (`do = "crash"`) with
//! the fields that action takes. Every action is one row of [`ACTIONS`]:
//! its word, its fields, and how its [`Input`] is made from them.

use super::{Checker, list_or_nothing};
use crate::lesson::schema::{S, ScriptDef};
use crate::lesson::{Knob, ScriptEntry};
use crate::scenarios::{NodeDef, ScenarioSpec};
use crate::sim::{Input, LinkChange, NodeSel, Time};
use std::ops::Range;

/// A field of a script entry besides `at`, `do` and `note`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Node,
    From,
    To,
    Groups,
    For,
    Factor,
    By,
    Knob,
    Value,
    Command,
    Loss,
    Latency,
    Duplicate,
}

impl Field {
    /// In the order problems are reported.
    const ALL: [Field; 13] = [
        Field::Node,
        Field::From,
        Field::To,
        Field::Groups,
        Field::For,
        Field::Factor,
        Field::By,
        Field::Knob,
        Field::Value,
        Field::Command,
        Field::Loss,
        Field::Latency,
        Field::Duplicate,
    ];

    /// The key in a lesson file.
    fn key(self) -> &'static str {
        match self {
            Field::Node => "node",
            Field::From => "from",
            Field::To => "to",
            Field::Groups => "groups",
            Field::For => "for",
            Field::Factor => "factor",
            Field::By => "by",
            Field::Knob => "knob",
            Field::Value => "value",
            Field::Command => "command",
            Field::Loss => "loss",
            Field::Latency => "latency",
            Field::Duplicate => "duplicate",
        }
    }

    /// Where the entry gives it, if it does.
    fn span(self, d: &ScriptDef) -> Option<Range<usize>> {
        match self {
            Field::Node => d.node.as_ref().map(S::span),
            Field::From => d.from.as_ref().map(S::span),
            Field::To => d.to.as_ref().map(S::span),
            Field::Groups => d.groups.as_ref().map(S::span),
            Field::For => d.duration.as_ref().map(S::span),
            Field::Factor => d.factor.as_ref().map(S::span),
            Field::By => d.by.as_ref().map(S::span),
            Field::Knob => d.knob.as_ref().map(S::span),
            Field::Value => d.value.as_ref().map(S::span),
            Field::Command => d.command.as_ref().map(S::span),
            Field::Loss => d.loss.as_ref().map(S::span),
            Field::Latency => d.latency.as_ref().map(S::span),
            Field::Duplicate => d.duplicate.as_ref().map(S::span),
        }
    }
}

/// A script action: its word in lesson files, the fields it takes, and how
/// its input is made once the entry has only fields it takes.
struct Action {
    word: &'static str,
    takes: &'static [Field],
    build: fn(&mut Checker<'_>, &Entry<'_>) -> Option<Input>,
}

use Field as F;

/// Every action a script can take.
const ACTIONS: &[Action] = &[
    Action {
        word: "crash",
        takes: &[F::Node],
        build: |cx, e| Some(Input::Crash(e.node(cx, &e.def.node, "node")?)),
    },
    Action {
        word: "restart",
        takes: &[F::Node],
        build: |cx, e| Some(Input::Restart(e.node(cx, &e.def.node, "node")?)),
    },
    Action {
        word: "pause",
        takes: &[F::Node, F::For],
        build: |cx, e| {
            let node = e.node(cx, &e.def.node, "node")?;
            let duration = match &e.def.duration {
                Some(t) => Some(cx.duration(t)?),
                None => None,
            };
            Some(Input::Pause { node, duration })
        },
    },
    Action {
        word: "resume",
        takes: &[F::Node],
        build: |cx, e| Some(Input::Resume(e.node(cx, &e.def.node, "node")?)),
    },
    Action {
        word: "slow",
        takes: &[F::Node, F::Factor],
        build: |cx, e| {
            let node = e.node(cx, &e.def.node, "node")?;
            let Some(f) = &e.def.factor else {
                cx.error(
                    e.def.action.span(),
                    "`slow` needs `factor`, e.g. factor = 10",
                );
                return None;
            };
            let factor = *f.get_ref();
            if !(factor >= 1.0 && factor.is_finite()) {
                cx.error(f.span(), "a slow-down factor is a number of at least 1");
                return None;
            }
            Some(Input::Slow { node, factor })
        },
    },
    Action {
        word: "clock-jump",
        takes: &[F::Node, F::By],
        build: |cx, e| {
            let node = e.node(cx, &e.def.node, "node")?;
            let by = e.need(cx, &e.def.by, "by")?;
            let text = by.get_ref();
            let (negative, magnitude) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.strip_prefix('+').unwrap_or(text)),
            };
            let t = match Time::parse(magnitude) {
                Ok(t) => t,
                Err(err) => {
                    cx.error(
                        by.span(),
                        format!("expected a signed duration such as \"-5s\": {err}"),
                    );
                    return None;
                }
            };
            let us = t.as_micros() as i64;
            let by = if negative { -us } else { us };
            Some(Input::ClockJump { node, by })
        },
    },
    Action {
        word: "partition",
        takes: &[F::Groups],
        build: |cx, e| {
            let Some(groups) = &e.def.groups else {
                cx.error(
                    e.def.action.span(),
                    "`partition` needs `groups`, e.g. groups = [[\"a\", \"b\"], [\"c\"]]",
                );
                return None;
            };
            if groups.get_ref().len() < 2 {
                cx.error(groups.span(), "a partition needs at least two groups");
                return None;
            }
            let mut out = Vec::new();
            for g in groups.get_ref() {
                let mut members = Vec::new();
                for n in g {
                    members.push(cx.node_sel(n, e.nodes, &e.roles)?);
                }
                out.push(members);
            }
            Some(Input::Partition { groups: out })
        },
    },
    Action {
        word: "isolate",
        takes: &[F::Node],
        build: |cx, e| Some(Input::Isolate(e.node(cx, &e.def.node, "node")?)),
    },
    Action {
        word: "cut",
        takes: &[F::From, F::To],
        build: |cx, e| {
            let (from, to) = e.link(cx)?;
            Some(Input::Cut { from, to })
        },
    },
    Action {
        word: "heal",
        takes: &[],
        build: |_, _| Some(Input::Heal),
    },
    Action {
        word: "hold",
        takes: &[F::From, F::To],
        build: |cx, e| {
            let (from, to) = e.link(cx)?;
            Some(Input::Hold { from, to })
        },
    },
    Action {
        word: "release",
        takes: &[F::From, F::To],
        build: |cx, e| {
            let (from, to) = e.link(cx)?;
            Some(Input::Release { from, to })
        },
    },
    Action {
        word: "set-link",
        takes: &[F::From, F::To, F::Latency, F::Loss, F::Duplicate],
        build: |cx, e| {
            // A side left out, or `*`, is every node.
            let side = |cx: &mut Checker<'_>, v: &Option<S<String>>| match v {
                Some(s) if s.get_ref() == "*" => Some(None),
                Some(s) => cx.node_sel(s, e.nodes, &e.roles).map(Some),
                None => Some(None),
            };
            let from = side(cx, &e.def.from)?;
            let to = side(cx, &e.def.to)?;
            let change = LinkChange {
                latency: cx.latency(&e.def.latency),
                loss: cx.probability(&e.def.loss, "loss"),
                duplicate: cx.probability(&e.def.duplicate, "duplicate"),
            };
            let given =
                e.def.latency.is_some() || e.def.loss.is_some() || e.def.duplicate.is_some();
            if !given {
                cx.error(
                    e.def.action.span(),
                    "`set-link` needs at least one of `latency`, `loss`, `duplicate`",
                );
                return None;
            }
            // A change given but wrong has been reported where it is.
            let complete = (e.def.latency.is_none() || change.latency.is_some())
                && (e.def.loss.is_none() || change.loss.is_some())
                && (e.def.duplicate.is_none() || change.duplicate.is_some());
            if !complete || change == LinkChange::default() {
                return None;
            }
            Some(Input::SetLink { from, to, change })
        },
    },
    Action {
        word: "set-knob",
        takes: &[F::Knob, F::Value],
        build: |cx, e| {
            let name = e.need(cx, &e.def.knob, "knob")?;
            let knob = e
                .knobs
                .iter()
                .find(|k| &k.name == name.get_ref())
                .cloned()
                .or_else(|| {
                    e.scenario.knob(name.get_ref()).map(|k| Knob {
                        name: k.name.to_string(),
                        kind: k.kind,
                        default: k.default,
                        description: String::new(),
                    })
                });
            let Some(knob) = knob else {
                let names: Vec<&str> = (e.scenario.knobs)().iter().map(|k| k.name).collect();
                cx.error(
                    name.span(),
                    format!(
                        "unknown knob `{}`, expected one of {}",
                        name.get_ref(),
                        names.join(", ")
                    ),
                );
                return None;
            };
            let Some(value) = &e.def.value else {
                cx.error(e.def.action.span(), "`set-knob` needs `value`");
                return None;
            };
            match knob.kind.parse(&Checker::value_text(value.get_ref())) {
                Ok(v) => Some(Input::Knob {
                    name: knob.name,
                    value: v,
                }),
                Err(err) => {
                    cx.error(value.span(), format!("knob `{}`: {err}", knob.name));
                    None
                }
            }
        },
    },
    Action {
        word: "command",
        takes: &[F::Node, F::Command],
        build: |cx, e| {
            let node = e.node(cx, &e.def.node, "node")?;
            let command = e.need(cx, &e.def.command, "command")?;
            let commands = e.scenario.commands;
            let Some(spec) = commands.iter().find(|c| c.name == command.get_ref()) else {
                let names: Vec<&str> = commands.iter().map(|c| c.name).collect();
                cx.error(
                    command.span(),
                    format!(
                        "scenario `{}` has no command `{}`; it has: {}",
                        e.scenario.id,
                        command.get_ref(),
                        list_or_nothing(&names)
                    ),
                );
                return None;
            };
            let role = match &node {
                NodeSel::Id(i) => e.nodes[*i].role.clone(),
                NodeSel::Role(r) => r.clone(),
            };
            if !spec.roles.contains(&role.as_str()) {
                cx.error(
                    e.def.node.as_ref().expect("resolved above").span(),
                    format!(
                        "command `{}` is for nodes of role {}, not `{role}`",
                        spec.name,
                        spec.roles.join(" or ")
                    ),
                );
                return None;
            }
            Some(Input::Command {
                node,
                command: command.get_ref().clone(),
            })
        },
    },
];

/// One script entry being checked, with what it may refer to.
struct Entry<'a> {
    def: &'a ScriptDef,
    word: &'a str,
    scenario: &'a ScenarioSpec,
    nodes: &'a [NodeDef],
    knobs: &'a [Knob],
    roles: Vec<&'static str>,
}

impl Entry<'_> {
    /// A field the action needs, reported missing if it is.
    fn need(&self, cx: &mut Checker<'_>, v: &Option<S<String>>, field: &str) -> Option<S<String>> {
        if v.is_none() {
            cx.error(
                self.def.action.span(),
                format!("`{}` needs `{field}`", self.word),
            );
        }
        v.clone()
    }

    /// A node the action needs, by name or `role:NAME`.
    fn node(&self, cx: &mut Checker<'_>, v: &Option<S<String>>, field: &str) -> Option<NodeSel> {
        let s = self.need(cx, v, field)?;
        cx.node_sel(&s, self.nodes, &self.roles)
    }

    /// The `from` and `to` of a one-way link.
    fn link(&self, cx: &mut Checker<'_>) -> Option<(NodeSel, NodeSel)> {
        let from = self.node(cx, &self.def.from, "from")?;
        let to = self.node(cx, &self.def.to, "to")?;
        Some((from, to))
    }
}

impl Checker<'_> {
    pub(super) fn script(
        &mut self,
        defs: &[ScriptDef],
        scenario: &ScenarioSpec,
        nodes: &[NodeDef],
        knobs: &[Knob],
    ) -> Vec<ScriptEntry> {
        let mut out = Vec::new();
        for (key, d) in defs.iter().enumerate() {
            let Some(at) = self.duration(&d.at) else {
                continue;
            };
            let within = match &d.within {
                Some(w) => match self.duration(w) {
                    Some(w) => w,
                    None => continue,
                },
                None => Time::ZERO,
            };
            if let Some(input) = self.action(d, scenario, nodes, knobs) {
                out.push(ScriptEntry {
                    at,
                    within,
                    key: key as u64,
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
        let word = d.action.get_ref().as_str();
        let Some(action) = ACTIONS.iter().find(|a| a.word == word) else {
            let words: Vec<&str> = ACTIONS.iter().map(|a| a.word).collect();
            self.error(
                d.action.span(),
                format!(
                    "unknown action `{word}`, expected one of {}",
                    words.join(", ")
                ),
            );
            return None;
        };
        let mut ok = true;
        for field in Field::ALL {
            if let Some(span) = field.span(d)
                && !action.takes.contains(&field)
            {
                let takes: Vec<&str> = action.takes.iter().map(|f| f.key()).collect();
                self.error(
                    span,
                    format!(
                        "`{}` does not apply to `{word}`; it takes: {}",
                        field.key(),
                        list_or_nothing(&takes)
                    ),
                );
                ok = false;
            }
        }
        let entry = Entry {
            def: d,
            word,
            scenario,
            nodes,
            knobs,
            roles: scenario.roles.names(),
        };
        let input = (action.build)(self, &entry)?;
        ok.then_some(input)
    }
}

//! Objectives: conditions on metrics over a phase or a window, each metric
//! (or sum of metrics) checked to exist with a statistic that applies to it.

use super::{Checker, list_or_nothing};
use crate::lesson::schema::{ConditionDef, ObjectiveDef, S};
use crate::lesson::{Comparison, Condition, Objective, Phase, Window};
use crate::scenarios::MetricSpec;
use crate::sim::{MetricKind, Stat, Time};
use toml::Value;

impl Checker<'_> {
    pub(super) fn objectives(
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
}

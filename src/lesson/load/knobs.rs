//! A lesson's knobs: each names one of the scenario's, may narrow its range
//! or choices and give it another default and description.

use super::Checker;
use crate::lesson::Knob;
use crate::lesson::schema::{KnobDef, S};
use crate::scenarios::{KnobKind, ScenarioSpec};
use crate::sim::{KnobValue, Time};
use toml::Value;

impl Checker<'_> {
    pub(super) fn value_text(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
            other => other.to_string(),
        }
    }

    pub(super) fn knobs(&mut self, defs: &[KnobDef], scenario: &ScenarioSpec) -> Vec<Knob> {
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
        let reversed = match &kind {
            KnobKind::Int { min, max } => min > max,
            KnobKind::Float { min, max } => {
                min.partial_cmp(max) != Some(std::cmp::Ordering::Less) && min != max
            }
            KnobKind::Duration { min, max } | KnobKind::DurationOrOff { min, max } => min > max,
            _ => false,
        };
        if reversed {
            let span = d
                .min
                .as_ref()
                .or(d.max.as_ref())
                .map_or(d.name.span(), S::span);
            let (lo, hi) = match &kind {
                KnobKind::Int { min, max } => (min.to_string(), max.to_string()),
                KnobKind::Float { min, max } => (min.to_string(), max.to_string()),
                KnobKind::Duration { min, max } | KnobKind::DurationOrOff { min, max } => {
                    (min.to_string(), max.to_string())
                }
                _ => unreachable!("only ranges can be reversed"),
            };
            self.error(
                span,
                format!(
                    "knob `{}` has min {lo} above max {hi}: the range is empty",
                    d.name.get_ref()
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
}

//! Objectives: conditions on metrics over a window of virtual time, judged
//! live as the run goes.

use crate::sim::{Metrics, Stat, Time};
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub from: Time,
    pub to: Time,
    /// The phase it was named by, if any.
    pub phase: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Below,
    AtMost,
    Above,
    AtLeast,
    Equals,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtMost => "≤",
            Comparison::Above => ">",
            Comparison::AtLeast => "≥",
            Comparison::Equals => "=",
        }
    }

    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Below => value < threshold,
            Comparison::AtMost => value <= threshold,
            Comparison::Above => value > threshold,
            Comparison::AtLeast => value >= threshold,
            Comparison::Equals => (value - threshold).abs() < 1e-9,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// Summed.
    pub metrics: Vec<String>,
    /// Summed, then divides: a ratio of counters.
    pub over: Option<Vec<String>>,
    pub stat: Stat,
    pub op: Comparison,
    pub threshold: f64,
    /// Values are durations in microseconds (printed as such).
    pub duration: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Objective {
    pub id: String,
    pub description: String,
    pub window: Window,
    pub conditions: Vec<Condition>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not decided yet: its window has not closed, and nothing seen so far
    /// settles it.
    Pending,
    Met,
    Failed,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Met => "met",
            Status::Failed => "failed",
        }
    }
}

/// An objective's status now, with what each condition measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub status: Status,
    /// One line per condition, e.g. `a.success / a.requests = 0.42 (needs ≥ 0.99)`.
    pub details: Vec<String>,
}

impl Condition {
    /// The measured value over `[from, to)`, or `None` if there is no data.
    pub fn measure(&self, m: &Metrics, from: Time, to: Time) -> Option<f64> {
        let sum = |names: &[String]| -> Option<f64> {
            names
                .iter()
                .map(|n| m.query(n, self.stat, from, to))
                .try_fold(0.0, |acc, v| v.map(|v| acc + v))
        };
        let value = sum(&self.metrics)?;
        match &self.over {
            Some(den) => {
                let d = sum(den)?;
                (d > 0.0).then(|| value / d)
            }
            None => Some(value),
        }
    }

    /// Whether a violation seen before the window closes can no longer be undone:
    /// counts and maxima only grow.
    fn final_when_violated(&self, value: f64) -> bool {
        self.over.is_none()
            && matches!(self.stat, Stat::Count | Stat::Max)
            && match self.op {
                Comparison::Below | Comparison::AtMost => true,
                Comparison::Equals => value > self.threshold,
                _ => false,
            }
    }

    /// Whether being met before the window closes is for good: a count or a
    /// maximum that has reached a lower bound stays above it.
    fn final_when_met(&self) -> bool {
        self.over.is_none()
            && matches!(self.stat, Stat::Count | Stat::Max)
            && matches!(self.op, Comparison::AtLeast | Comparison::Above)
    }

    fn show(&self, v: f64) -> String {
        if self.duration {
            Time(v.max(0.0) as u64).to_string()
        } else if self.over.is_some() {
            format!("{:.1}%", v * 100.0)
        } else if v.fract() == 0.0 {
            format!("{v}")
        } else {
            format!("{v:.3}")
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sum = |names: &[String]| match names {
            [one] => one.clone(),
            many => format!("({})", many.join(" + ")),
        };
        let lhs = match &self.over {
            Some(den) => format!("{} / {}", sum(&self.metrics), sum(den)),
            None if self.stat == Stat::Count => self.metrics.join(" + "),
            None => format!("{} of {}", self.stat.name(), sum(&self.metrics)),
        };
        write!(
            f,
            "{lhs} {} {}",
            self.op.symbol(),
            self.show(self.threshold)
        )
    }
}

impl Objective {
    pub fn judge(&self, m: &Metrics, now: Time) -> Verdict {
        let (from, to) = (self.window.from, self.window.to);
        if now <= from {
            let details = self
                .conditions
                .iter()
                .map(|c| format!("{c}: from {from}"))
                .collect();
            return Verdict {
                status: Status::Pending,
                details,
            };
        }
        let closed = now >= to;
        // While open, what has happened counts, including this instant.
        let end = (now + Time(1)).min(to);
        let mut status = if closed { Status::Met } else { Status::Pending };
        let mut details = Vec::new();
        // Met early when every condition is met for good.
        let mut met_for_good = !self.conditions.is_empty();
        for c in &self.conditions {
            let value = c.measure(m, from, end);
            let holds = value.is_some_and(|v| c.op.holds(v, c.threshold));
            let shown = value.map_or("no data".to_string(), |v| c.show(v));
            details.push(format!("{c}: measured {shown}"));
            if !holds && (closed || value.is_some_and(|v| c.final_when_violated(v))) {
                status = Status::Failed;
            }
            met_for_good &= holds && c.final_when_met();
        }
        if status == Status::Pending && met_for_good {
            status = Status::Met;
        }
        Verdict { status, details }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objective(op: Comparison, threshold: f64, over: Option<Vec<String>>) -> Objective {
        Objective {
            id: "o".into(),
            description: String::new(),
            window: Window {
                from: Time::ZERO,
                to: Time::secs(60),
                phase: None,
            },
            conditions: vec![Condition {
                metrics: vec!["lost".into()],
                over,
                stat: Stat::Count,
                op,
                threshold,
                duration: false,
            }],
        }
    }

    #[test]
    fn a_count_that_reached_its_lower_bound_is_met_before_the_window_closes() {
        let mut m = Metrics::default();
        m.counter("lost", Time::secs(5), 1);
        m.counter("all", Time::secs(5), 2);
        let at = |o: &Objective, s| o.judge(&m, Time::secs(s)).status;
        let at_least = objective(Comparison::AtLeast, 1.0, None);
        assert_eq!(at(&at_least, 4), Status::Pending);
        assert_eq!(at(&at_least, 6), Status::Met);
        // Not yet reached: pending until the window closes, then failed.
        let two = objective(Comparison::AtLeast, 2.0, None);
        assert_eq!(at(&two, 6), Status::Pending);
        assert_eq!(at(&two, 60), Status::Failed);
        // A ratio can fall again, and an upper bound can still be broken.
        let ratio = objective(Comparison::AtLeast, 0.5, Some(vec!["all".into()]));
        assert_eq!(at(&ratio, 6), Status::Pending);
        let at_most = objective(Comparison::AtMost, 1.0, None);
        assert_eq!(at(&at_most, 6), Status::Pending);
        assert_eq!(at(&at_most, 60), Status::Met);
    }
}

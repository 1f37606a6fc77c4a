//! `splitbrain show`: a lesson's story, knobs, phases, script, objectives
//! and metrics, for running it headless.

use super::{catalog, find_lesson};
use crate::lesson::Lesson;
use std::fmt::Write;
use std::path::Path;

pub fn show(dir: Option<&Path>, id: &str) -> Result<(), String> {
    let c = catalog(dir)?;
    let lesson = find_lesson(&c, id)?;
    super::out::print(&describe(&lesson))
}

/// Everything a learner or teacher needs to know to run a lesson headless.
pub fn describe(l: &Lesson) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({}, {})", l.title, l.id, l.chapter);
    let _ = writeln!(out, "{}\n", l.summary);
    let _ = writeln!(
        out,
        "scenario {}, runs {} of virtual time, default seed {}",
        l.scenario.id, l.length, l.seed
    );
    let nodes: Vec<String> = l
        .nodes
        .iter()
        .map(|n| format!("{} ({})", n.name, n.role))
        .collect();
    let _ = writeln!(out, "nodes: {}", nodes.join(", "));
    let _ = writeln!(out, "\nknobs (--set NAME=VALUE):");
    for name in l.knob_names() {
        if let Some(k) = l.knob(&name) {
            let shown = if l.knobs.iter().any(|lk| lk.name == name) {
                ""
            } else {
                " [scenario]"
            };
            let _ = writeln!(
                out,
                "  {}={}  ({}){shown}",
                k.name,
                k.default,
                k.kind.accepted()
            );
            if !k.description.is_empty() {
                let _ = writeln!(out, "      {}", k.description);
            }
        }
    }
    if !l.phases.is_empty() {
        let _ = writeln!(out, "\nphases:");
        for p in &l.phases {
            let _ = writeln!(
                out,
                "  {:<12} {}..{}  {}",
                p.name, p.from, p.to, p.description
            );
        }
    }
    if !l.script.is_empty() {
        let _ = writeln!(out, "\nscript:");
        let names: Vec<String> = l.nodes.iter().map(|n| n.name.clone()).collect();
        for e in &l.script {
            let what = e.input.describe(&|sel| match sel {
                crate::sim::NodeSel::Id(i) => names.get(*i).cloned().unwrap_or_default(),
                crate::sim::NodeSel::Role(r) => format!("role:{r}"),
            });
            let at = if e.within > crate::sim::Time::ZERO {
                format!("{} (+ up to {})", e.at, e.within)
            } else {
                e.at.to_string()
            };
            let _ = writeln!(
                out,
                "  {:>8}  {what}{}",
                at,
                if e.note.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", e.note)
                }
            );
        }
    }
    let _ = writeln!(out, "\nobjectives:");
    for o in &l.objectives {
        let window = match &o.window.phase {
            Some(p) => format!("during {p}"),
            None => format!("{}..{}", o.window.from, o.window.to),
        };
        let _ = writeln!(out, "  {} ({window}): {}", o.id, o.description);
        for c in &o.conditions {
            let _ = writeln!(out, "      {c}");
        }
    }
    let mut metrics = (l.scenario.metrics)(&l.nodes);
    metrics.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(out, "\nmetrics:");
    for m in metrics {
        let _ = writeln!(
            out,
            "  {:<28} {:<9} {}",
            m.name,
            m.kind.to_string(),
            m.description
        );
    }
    let _ = writeln!(
        out,
        "\n{} hints, {} questions, {} guided steps",
        l.hints.len(),
        l.questions.len(),
        l.steps.len()
    );
    out
}

//! What every lesson promises, checked on every built-in lesson found by
//! listing them: its last hint is the cure as a command that runs; at least
//! one of its objectives fails with the defaults and is met with the cure,
//! and the cure breaks none the defaults meet; its runs are deterministic.
//! Each lesson's own test file checks its objectives over more seeds.

mod common;

use splitbrain::lesson::{Catalog, Lesson, Run, Status};
use std::sync::Arc;

/// Seeds each lesson is judged over here.
const SEEDS: std::ops::Range<u64> = 0..4;

fn lessons() -> Vec<Arc<Lesson>> {
    Catalog::embedded().unwrap().lessons
}

/// The cure the lesson's last hint gives, as settings.
fn cure(lesson: &Lesson) -> Vec<String> {
    match lesson.cure() {
        Some(Ok(settings)) => settings.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        Some(Err(e)) => panic!("{}: the cure's settings: {e}", lesson.id),
        None => panic!(
            "{}: the last hint should give the cure as `splitbrain run {} --set ...`",
            lesson.id, lesson.id
        ),
    }
}

#[test]
fn every_lesson_ends_its_hints_with_a_cure_that_runs() {
    for lesson in lessons() {
        let cure = cure(&lesson);
        assert!(!cure.is_empty(), "{}: the cure sets no knob", lesson.id);
    }
}

#[test]
fn every_lesson_fails_an_objective_by_default_that_its_cure_meets() {
    for lesson in lessons() {
        let cure = cure(&lesson);
        let cure: Vec<&str> = cure.iter().map(String::as_str).collect();
        for seed in SEEDS {
            let broken = common::verdicts(&lesson, seed, &[]);
            let cured = common::verdicts(&lesson, seed, &cure);
            let pairs = || broken.iter().zip(&cured);
            assert!(
                pairs().any(|(b, c)| b.1 == Status::Failed && c.1 == Status::Met),
                "{} seed {seed}: no objective fails by default and is met with {cure:?}:\n\
                 defaults {broken:?}\ncured {cured:?}",
                lesson.id
            );
            for (b, c) in pairs() {
                assert!(
                    b.1 != Status::Met || c.1 == Status::Met,
                    "{} seed {seed}: `{}` is met by default but not with {cure:?}: {:?}",
                    lesson.id,
                    b.0,
                    c.2
                );
            }
        }
    }
}

#[test]
fn whole_lesson_traces_are_deterministic_per_seed() {
    for l in lessons() {
        let trace = |seed| {
            let mut run = Run::new(l.clone(), seed, &[], true).unwrap();
            run.advance_to(l.length);
            run.trace_lines().collect::<Vec<_>>()
        };
        let mut previous: Option<Vec<String>> = None;
        for seed in SEEDS {
            let a = trace(seed);
            assert_eq!(
                a,
                trace(seed),
                "{} seed {seed} differs between two runs",
                l.id
            );
            if let Some(p) = &previous {
                assert_ne!(
                    &a,
                    p,
                    "{}: seeds {} and {seed} give the same trace",
                    l.id,
                    seed - 1
                );
            }
            previous = Some(a);
        }
    }
}

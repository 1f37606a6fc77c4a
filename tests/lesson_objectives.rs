//! Each lesson's objectives fail with the pattern off and pass with it on,
//! over many seeds, and its runs are deterministic.

use splitbrain::lesson::{Catalog, Lesson, Run, Status};
use splitbrain::sim::Time;
use std::sync::Arc;

fn lesson(id: &str) -> Arc<Lesson> {
    Catalog::embedded()
        .unwrap_or_else(|e| panic!("{e:?}"))
        .get(id)
        .unwrap()
}

/// Runs the whole lesson; returns each objective's status by id.
fn verdicts(
    lesson: &Arc<Lesson>,
    seed: u64,
    settings: &[&str],
) -> Vec<(String, Status, Vec<String>)> {
    let settings: Vec<_> = settings
        .iter()
        .map(|s| lesson.parse_setting(s).unwrap())
        .collect();
    let mut run = Run::new(lesson.clone(), seed, &settings, false).unwrap();
    run.advance_to(lesson.length);
    lesson
        .objectives
        .iter()
        .zip(run.verdicts())
        .map(|(o, v)| (o.id.clone(), v.status, v.details))
        .collect()
}

fn status<'a>(
    v: &'a [(String, Status, Vec<String>)],
    id: &str,
) -> &'a (String, Status, Vec<String>) {
    v.iter()
        .find(|o| o.0 == id)
        .unwrap_or_else(|| panic!("no objective {id}"))
}

const SEEDS: std::ops::Range<u64> = 0..12;

#[test]
fn flaky_dependency_cascades_with_nothing_on() {
    let l = lesson("flaky-dependency");
    for seed in SEEDS {
        let v = verdicts(&l, seed, &[]);
        assert_eq!(
            status(&v, "a-survives-the-hang").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            status(&v, "b-degrades-gracefully").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            status(&v, "breaker-closes-after-recovery").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
    }
}

#[test]
fn flaky_dependency_is_contained_with_every_pattern_on() {
    let l = lesson("flaky-dependency");
    for seed in SEEDS {
        let v = verdicts(
            &l,
            seed,
            &["timeout=250ms", "bulkhead=on", "breaker=on", "fallback=on"],
        );
        for (id, s, details) in &v {
            assert_eq!(*s, Status::Met, "seed {seed}: {id} {details:?}");
        }
    }
}

#[test]
fn failover_loses_acknowledged_writes_and_splits_its_brain_with_async_and_no_fencing() {
    let l = lesson("failover");
    for seed in SEEDS {
        let v = verdicts(&l, seed, &[]);
        assert_eq!(
            status(&v, "no-acknowledged-write-lost").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            status(&v, "no-split-brain").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
    }
}

#[test]
fn failover_is_safe_and_available_with_quorum_and_fencing() {
    let l = lesson("failover");
    for seed in SEEDS {
        let v = verdicts(&l, seed, &["replication=quorum", "fencing=on"]);
        for (id, s, details) in &v {
            assert_eq!(*s, Status::Met, "seed {seed}: {id} {details:?}");
        }
    }
}

#[test]
fn objectives_are_pending_until_their_window_closes() {
    let l = lesson("failover");
    let mut run = Run::new(l.clone(), 1, &[], false).unwrap();
    run.advance_to(Time::secs(10));
    assert!(run.verdicts().iter().all(|v| v.status == Status::Pending));
}

#[test]
fn whole_lesson_traces_are_deterministic_per_seed() {
    for id in ["flaky-dependency", "failover"] {
        let l = lesson(id);
        let trace = |seed| {
            let mut run = Run::new(l.clone(), seed, &[], true).unwrap();
            run.advance_to(l.length);
            run.trace_lines().collect::<Vec<_>>()
        };
        let mut previous: Option<Vec<String>> = None;
        for seed in 0..8 {
            let a = trace(seed);
            assert_eq!(a, trace(seed), "{id} seed {seed} differs between two runs");
            if let Some(p) = &previous {
                assert_ne!(
                    &a,
                    p,
                    "{id}: seeds {} and {seed} give the same trace",
                    seed - 1
                );
            }
            previous = Some(a);
        }
    }
}

//! Folded metrics judge as exact ones do: for every lesson, 12 seeds, from
//! its defaults and with its cure, the objectives' verdicts at the lesson's
//! end are those of metrics kept exactly.

use splitbrain::lesson::{Catalog, Lesson, Run};
use splitbrain::sim::{Retention, Time};
use std::sync::Arc;

/// Folds all it can, so that every window of every objective is answered
/// from folded buckets (their windows fall on whole seconds).
const FOLD_ALL: Retention = Retention {
    exact_until: Time::ZERO,
    histogram_bucket: Time::secs(1),
    histogram_recent: Time::ZERO,
    gauge_recent: Time::ZERO,
};

#[test]
fn folded_metrics_give_the_verdicts_of_exact_ones() {
    let catalog = Catalog::embedded().unwrap();
    // One thread per lesson: each judges its 24 runs.
    let counts: Vec<(usize, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = catalog
            .lessons
            .iter()
            .map(|lesson| s.spawn(move || judge_lesson(lesson)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let judged: usize = counts.iter().map(|c| c.0).sum();
    let apart: usize = counts.iter().map(|c| c.1).sum();
    assert!(judged > 500, "{judged}");
    println!("{judged} verdicts, {apart} with measures moved by folding");
}

/// Verdicts judged, and how many of them folding measured differently.
fn judge_lesson(lesson: &Arc<Lesson>) -> (usize, usize) {
    let mut judged = 0;
    let mut folded_apart = 0;
    let cure = lesson.cure().transpose().unwrap().unwrap_or_default();
    for settings in [Vec::new(), cure] {
        for seed in 1..=12 {
            let mut run = Run::new(lesson.clone(), seed, &settings, false).unwrap();
            run.set_checkpointing(false);
            run.set_metrics_retention(Retention::EXACT);
            run.advance_to(lesson.length);
            let now = run.now();
            let exact = run.cluster().metrics();
            let kept = exact.refolded(Retention::RUN);
            let folded = exact.refolded(FOLD_ALL);
            for o in &lesson.objectives {
                let want = o.judge(exact, now);
                let case = format!("{} {settings:?} seed {seed}: {}", lesson.id, o.id);
                // What runs keep judges exactly, measures included.
                assert_eq!(o.judge(&kept, now), want, "{case}");
                let got = o.judge(&folded, now);
                assert_eq!(got.status, want.status, "{case}: {got:?} vs {want:?}");
                if got.details != want.details {
                    folded_apart += 1;
                }
                judged += 1;
            }
        }
    }
    (judged, folded_apart)
}

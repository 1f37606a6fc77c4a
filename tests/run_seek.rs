//! Rewinding: seeking back and forth gives exactly the history of a straight
//! run with the same seed and inputs.

use splitbrain::lesson::{Run, load_file};
use splitbrain::sim::{Input, NodeSel, Retention, Stat, Time};
use std::path::Path;
use std::sync::Arc;

fn run(trace: bool) -> Run {
    let lesson = load_file(Path::new("tests/lessons/valid/echo-everything.toml")).unwrap();
    Run::new(Arc::new(lesson), 11, &[], trace).unwrap()
}

fn text(run: &Run) -> Vec<String> {
    run.trace_lines().collect()
}

/// Asserts equal traces, showing where they part.
fn same(a: &[String], b: &[String], what: &str) {
    if a == b {
        return;
    }
    let i = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |t: &[String]| t[i.saturating_sub(3)..(i + 3).min(t.len())].join("\n");
    panic!(
        "{what}: traces part at line {i} (lengths {} and {}):\n{}\n--- versus ---\n{}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    );
}

#[test]
fn seeking_back_then_forward_repeats_history_exactly() {
    let mut straight = run(true);
    straight.advance_to(Time::secs(9));
    let expected = text(&straight);

    let mut r = run(true);
    r.advance_to(Time::secs(9));
    for back in [
        Time::secs(7),
        Time::millis(2500),
        Time::ZERO,
        Time::millis(8999),
    ] {
        r.seek(back).unwrap();
        assert_eq!(r.now(), back);
        let now = text(&r);
        assert_eq!(
            now[..],
            expected[..now.len()],
            "not a prefix after seeking to {back}"
        );
        r.seek(Time::secs(9)).unwrap();
        assert_eq!(text(&r), expected, "diverged after seeking back to {back}");
    }
}

#[test]
fn inputs_survive_a_rewind_and_later_ones_are_forgotten() {
    // Crash s1 just after some event (mid-instant), restart it later.
    let act = |r: &mut Run, restart_after: Time| -> Time {
        r.advance_to(Time::millis(1200));
        r.step();
        let crashed = r.now();
        r.input(Input::Crash(NodeSel::Id(0)));
        r.advance_to(crashed + restart_after);
        r.input(Input::Restart(NodeSel::Id(0)));
        r.advance_to(Time::secs(6));
        crashed
    };
    let mut straight = run(true);
    let crashed = act(&mut straight, Time::millis(600));
    let expected = text(&straight);

    let mut r = run(true);
    act(&mut r, Time::millis(600));
    assert_eq!(text(&r), expected);
    r.input(Input::Isolate(NodeSel::Id(1)));
    r.advance_to(Time::secs(8));
    let mid = crashed + Time::millis(300);
    r.seek(mid).unwrap();
    assert_eq!(
        r.inputs().len(),
        1,
        "the inputs after {mid} are forgotten: {:?}",
        r.inputs()
    );
    r.input(Input::Restart(NodeSel::Id(0)));
    r.seek(crashed + Time::millis(600)).unwrap();
    r.seek(mid).unwrap();
    r.seek(Time::secs(6)).unwrap();
    // The restart now comes 300ms earlier, so history differs after it…
    assert_ne!(text(&r), expected);
    // …but is identical to a straight run with those inputs.
    let mut again = run(true);
    act(&mut again, Time::millis(300));
    assert_eq!(text(&r), text(&again));
}

#[test]
fn restart_with_the_same_seed_repeats_and_a_new_seed_differs() {
    let mut r = run(true);
    r.advance_to(Time::secs(3));
    let first = text(&r);
    r.restart(None).unwrap();
    r.advance_to(Time::secs(3));
    assert_eq!(text(&r), first);
    r.restart(Some(12)).unwrap();
    r.advance_to(Time::secs(3));
    assert_ne!(text(&r), first);
}

#[test]
fn a_failover_run_with_learner_inputs_rewinds_exactly() {
    use splitbrain::lesson::Catalog;
    use splitbrain::sim::KnobValue;
    let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
    let act = |r: &mut Run| {
        r.advance_to(Time::secs(5));
        r.input(Input::Knob {
            name: "replication".into(),
            value: KnobValue::Choice("quorum".into()),
        });
        r.advance_to(Time::millis(7300));
        r.input(Input::Crash(NodeSel::Role("primary".into())));
        r.advance_to(Time::secs(9));
        r.step();
        r.input(Input::Isolate(NodeSel::Id(3)));
        r.advance_to(Time::secs(15));
    };
    let mut straight = Run::new(lesson.clone(), 4, &[], true).unwrap();
    act(&mut straight);
    let expected = text(&straight);
    assert!(expected.len() > 10_000);

    let mut r = Run::new(lesson.clone(), 4, &[], true).unwrap();
    act(&mut r);
    // Back to instants after the last input: the same history again.
    for back in [Time::secs(12), Time::millis(9001), Time::secs(14)] {
        r.seek(back).unwrap();
        r.seek(Time::secs(15)).unwrap();
        same(
            &text(&r),
            &expected,
            &format!("after seeking back to {back}"),
        );
    }
    assert_eq!(r.knobs()["replication"], KnobValue::Choice("quorum".into()));
    // Back before the isolation: it is forgotten, and history is that of a
    // run with only the first two inputs.
    r.seek(Time::millis(8000)).unwrap();
    assert_eq!(r.inputs().len(), 2);
    r.seek(Time::secs(15)).unwrap();
    let mut two = Run::new(lesson, 4, &[], true).unwrap();
    two.advance_to(Time::secs(5));
    two.input(Input::Knob {
        name: "replication".into(),
        value: KnobValue::Choice("quorum".into()),
    });
    two.advance_to(Time::millis(7300));
    two.input(Input::Crash(NodeSel::Role("primary".into())));
    two.advance_to(Time::secs(15));
    same(&text(&r), &text(&two), "after forgetting the isolation");
}

/// Every series of every metric, written out, and what it says over a few
/// windows.
fn all_metrics(run: &Run) -> Vec<String> {
    let m = run.cluster().metrics();
    let now = run.now();
    let windows = [
        (Time::ZERO, now + Time(1)),
        (Time::secs(60), Time::secs(120)),
        (now.saturating_sub(Time::secs(5)), now + Time(1)),
    ];
    m.names()
        .map(|n| {
            let queries: Vec<_> = Stat::ALL
                .iter()
                .flat_map(|&(_, s)| windows.iter().map(move |&(a, b)| (s, a, b)))
                .map(|(s, a, b)| m.query(n, s, a, b))
                .collect();
            format!(
                "{n} total={} buckets={:?} points={:?} samples={:?} last={:?} queries={queries:?}",
                m.total(n),
                m.counter_buckets(n),
                m.gauge_points(n),
                m.samples(n),
                m.last_sample(n),
            )
        })
        .collect()
}

/// Folds all it can: only the current second of samples and the current
/// tenth of a second of gauge changes are kept exactly.
const FOLD_ALL: Retention = Retention {
    exact_until: Time::ZERO,
    histogram_bucket: Time::secs(1),
    histogram_recent: Time::ZERO,
    gauge_recent: Time::ZERO,
};

#[test]
fn seeking_back_gives_the_metrics_of_a_straight_run() {
    // A checkpoint keeps only where each series stood and what was not
    // folded yet: rewinding cuts the later run's series back to that, and
    // the replay grows them again. With the runs' retention (nothing folded
    // this early) and with one that folds all it can.
    let lesson = splitbrain::lesson::Catalog::embedded()
        .unwrap()
        .get("lost-update")
        .unwrap();
    for retention in [Retention::RUN, FOLD_ALL] {
        let mut straight = Run::new(lesson.clone(), 3, &[], false).unwrap();
        straight.set_metrics_retention(retention);
        straight.advance_to(Time::secs(130));
        let mut r = Run::new(lesson.clone(), 3, &[], false).unwrap();
        r.set_metrics_retention(retention);
        r.advance_to(Time::secs(200));
        r.seek(Time::secs(130)).unwrap();
        assert_eq!(all_metrics(&r), all_metrics(&straight), "{retention:?}");
        assert_eq!(r.verdicts(), straight.verdicts());
        // And on from there, as the straight run goes.
        r.seek(Time::secs(170)).unwrap();
        straight.advance_to(Time::secs(170));
        assert_eq!(all_metrics(&r), all_metrics(&straight), "{retention:?}");
    }
}

//! The retry-storm scenario's first lesson, backoff and jitter: the AWS
//! Architecture Blog's contest of writers for one row comes out as its
//! reference simulation computes it, and only the jittered policies meet the
//! goals; whatever the faults, the contest loses no update.

mod common;

use common::retry::*;
use proptest::prelude::*;
use splitbrain::lesson::Status;
use splitbrain::scenarios::Setup;
use splitbrain::scenarios::retry_storm::build_sim;
use splitbrain::sim::*;
use splitbrain::ui::shot::ShotSpec;

/// The contest of the AWS blog: `writers` and the `database`, 10 ms ± 2 ms
/// each way, no processing time.
fn contest(seed: u64, knobs: &[(&str, KnobValue)]) -> Setup {
    setup(
        seed,
        vec![node("writers", "writers"), node("database", "database")],
        Latency::Normal {
            mean: Time::millis(10),
            stddev: Time::millis(2),
        },
        knobs,
    )
}

/// Mean time (ms) and conditional writes of `contests` contests of 50 writers.
fn means(policy: &str, contests: u64, seed: u64) -> (f64, f64) {
    let mut sim = build_sim(&contest(
        seed,
        &[("clients", KnobValue::Int(50)), ("backoff", choice(policy))],
    ))
    .unwrap();
    // Every contest's time, however long the contests take.
    sim.metrics_mut().set_retention(Retention::EXACT);
    let mut t = Time::ZERO;
    while sim.metrics().total("contests") < contests {
        t += Time::secs(10);
        sim.run_until(t);
    }
    let times = sim.metrics().samples("contest.time");
    let n = contests as usize;
    let ms = times[..n].iter().map(|s| s.1 as f64 / 1000.0).sum::<f64>() / n as f64;
    let writes =
        sim.metrics().total("contest.writes") as f64 / sim.metrics().total("contests") as f64;
    (ms, writes)
}

/// The curriculum's computed means of the blog's simulator for 50 clients
/// over 100 runs (time ms, calls), reproduced within 15% each over 40
/// contests, and the blog's conclusions in order.
#[test]
fn fifty_writers_reproduce_the_blogs_means_and_conclusions() {
    let reference = [
        ("none", 1140.0, 692.0),
        ("exponential", 36220.0, 624.0),
        ("equal-jitter", 4285.0, 348.0),
        ("full-jitter", 2892.0, 333.0),
        ("decorrelated", 2133.0, 375.0),
    ];
    let mut got = std::collections::BTreeMap::new();
    for (policy, time, calls) in reference {
        let (ms, writes) = means(policy, 40, 3);
        println!("{policy:13} {ms:8.0} ms {writes:6.1} writes (reference {time} / {calls})");
        assert!(
            (ms / time - 1.0).abs() < 0.15,
            "{policy}: {ms} ms vs {time}"
        );
        assert!(
            (writes / calls - 1.0).abs() < 0.15,
            "{policy}: {writes} vs {calls}"
        );
        got.insert(policy, (ms, writes));
    }
    let (none, exp, equal, full, decor) = (
        got["none"],
        got["exponential"],
        got["equal-jitter"],
        got["full-jitter"],
        got["decorrelated"],
    );
    // No jitter is the clear loser in time: ten times any jittered policy.
    for other in [equal, full, decor] {
        assert!(exp.0 > 8.0 * other.0);
    }
    // Full and equal jitter do about the same work; equal takes longer.
    assert!((equal.1 / full.1 - 1.0).abs() < 0.1);
    assert!(equal.0 > 1.2 * full.0);
    // Decorrelated does a little more work and finishes sooner.
    assert!(decor.1 > full.1 && decor.0 < full.0);
    // No backoff at all is quick but does twice the work.
    assert!(none.1 > 1.8 * full.1 && none.0 < full.0);
}

#[test]
fn exponential_backoff_without_jitter_misses_both_goals() {
    let l = common::lesson("retry-storm");
    expect(
        &l,
        &[],
        &[
            ("quick-contests", Status::Failed),
            ("little-wasted-work", Status::Failed),
        ],
    );
}

#[test]
fn full_jitter_meets_every_goal_and_decorrelated_too() {
    let l = common::lesson("retry-storm");
    let met = [
        ("quick-contests", Status::Met),
        ("little-wasted-work", Status::Met),
    ];
    expect(&l, &["backoff=full-jitter"], &met);
    expect(&l, &["backoff=decorrelated"], &met);
}

#[test]
fn no_backoff_wastes_work_and_equal_jitter_is_slow() {
    let l = common::lesson("retry-storm");
    expect(
        &l,
        &["backoff=none"],
        &[
            ("quick-contests", Status::Met),
            ("little-wasted-work", Status::Failed),
        ],
    );
    expect(
        &l,
        &["backoff=equal-jitter"],
        &[
            ("quick-contests", Status::Failed),
            ("little-wasted-work", Status::Met),
        ],
    );
}

proptest! {
    #![proptest_config(fixed(24))]

    /// The contest under the same faults: every conditional write the row
    /// accepts names the version it replaces (no update is lost), and once
    /// the faults are healed the contests finish again.
    #[test]
    fn the_contest_loses_no_update_and_recovers_from_faults(
        seed in 0u64..1_000_000,
        policy in prop::sample::select(vec!["none", "full-jitter", "decorrelated", "equal-jitter"]),
        faults in prop::collection::vec(fault(), 0..10),
    ) {
        let mut sim = build_sim(&contest(seed, &[("clients", KnobValue::Int(20)), ("backoff", choice(policy))])).unwrap();
        for (ms, input) in faults {
            // The contest's nodes are 0 and 1.
            let keep = match &input {
                Input::Crash(NodeSel::Id(n)) | Input::Restart(NodeSel::Id(n)) => *n < 2,
                Input::Pause { node: NodeSel::Id(n), .. } => *n < 2,
                _ => true,
            };
            if keep {
                sim.schedule(Time::millis(ms), input);
            }
        }
        let calm = Time::secs(61);
        sim.schedule(calm, Input::Heal);
        for n in 0..2 {
            sim.schedule(calm, Input::Restart(NodeSel::Id(n)));
            sim.schedule(calm, Input::Resume(NodeSel::Id(n)));
            sim.schedule(calm, Input::SetLink {
                from: Some(NodeSel::Id(n)),
                to: None,
                change: LinkChange {
                    latency: Some(Latency::Normal { mean: Time::millis(10), stddev: Time::millis(2) }),
                    loss: Some(0.0),
                    duplicate: Some(0.0),
                },
            });
        }
        sim.run_until(Time::secs(90));
        prop_assert_eq!(sim.world().lost(), 0);
        let db = sim.node(1).as_database().unwrap();
        prop_assert_eq!(db.version(), sim.world().accepted());
        let after = sim.metrics().query("contests", Stat::Count, calm, Time::secs(90)).unwrap_or(0.0);
        prop_assert!(after >= 1.0, "no contest finished after the faults");
    }
}

/// The lesson's screens at the instants its story turns on, drawn as
/// `splitbrain shot` draws them. Review every change as if it were code.
#[test]
fn screens() {
    let lockstep = ShotSpec::lesson("retry-storm", Time::secs(35), 120, 40);
    insta::assert_snapshot!("lockstep_120x40", common::screen(&lockstep));
    let mut jitter = ShotSpec::lesson("retry-storm", Time::secs(35), 120, 40);
    jitter.settings = vec![("backoff".into(), choice("full-jitter"))];
    insta::assert_snapshot!("full_jitter_120x40", common::screen(&jitter));
    let small = ShotSpec::lesson("retry-storm", Time::secs(35), 80, 24);
    insta::assert_snapshot!("lockstep_80x24", common::screen(&small));
}

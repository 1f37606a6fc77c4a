//! The failover scenario: what async replication and missing fencing cost,
//! and that quorum acknowledgements with epoch fencing cost nothing.

mod common;

use proptest::prelude::*;
use splitbrain::lesson::{Run, Status};
use splitbrain::scenarios::failover::{FailoverNode, build_sim};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use splitbrain::ui::shot::ShotSpec;
use splitbrain::ui::theme::Theme;
use std::collections::BTreeMap;

const SEEDS: std::ops::Range<u64> = 0..12;

const N1: usize = 0;
const C2: usize = 4;

fn setup(seed: u64, replication: &str, fencing: bool, trace: bool) -> Setup {
    let node = |name: &str, role: &str| NodeDef {
        name: name.into(),
        role: role.into(),
    };
    let nodes = vec![
        node("n1", "replica"),
        node("n2", "replica"),
        node("n3", "replica"),
        node("c1", "client"),
        node("c2", "client"),
    ];
    let mut knobs = BTreeMap::new();
    knobs.insert(
        "replication".to_string(),
        KnobValue::Choice(replication.into()),
    );
    knobs.insert("fencing".to_string(), KnobValue::Bool(fencing));
    Setup {
        seed,
        nodes,
        link: LinkConfig::default(),
        links: vec![],
        processing: Time::micros(50),
        knobs,
        trace,
    }
}

fn at(s: u64, input: Input) -> TimedInput {
    TimedInput {
        at: Time::secs(s),
        input,
    }
}

fn knob(name: &str, v: i64) -> Input {
    Input::Knob {
        name: name.into(),
        value: KnobValue::Int(v),
    }
}

/// The partition of the lesson: the primary keeps only client c1; it is cut
/// from every replica and from c2, both ways (cuts to itself do nothing).
pub fn cut_off_primary() -> Vec<Input> {
    let p = || NodeSel::Role("primary".into());
    let mut v = Vec::new();
    for other in [0, 1, 2, C2] {
        v.push(Input::Cut {
            from: p(),
            to: NodeSel::Id(other),
        });
        v.push(Input::Cut {
            from: NodeSel::Id(other),
            to: p(),
        });
    }
    v
}

/// The lesson's script: a burst, the primary crashes during it and comes
/// back, then the primary is cut off with one client, then the network heals.
fn story() -> Vec<TimedInput> {
    let mut v = vec![
        at(19, knob("write_rate", 400)),
        at(20, Input::Crash(NodeSel::Id(N1))),
        at(23, knob("write_rate", 50)),
        at(50, Input::Restart(NodeSel::Id(N1))),
    ];
    v.extend(cut_off_primary().into_iter().map(|i| at(70, i)));
    v.push(at(100, Input::Heal));
    v
}

fn run_story(seed: u64, replication: &str, fencing: bool) -> Sim<FailoverNode> {
    let mut sim = build_sim(&setup(seed, replication, fencing, false)).unwrap();
    sim.schedule_all(&story());
    sim.run_until(Time::secs(120));
    sim
}

fn total(sim: &Sim<FailoverNode>, name: &str) -> u64 {
    sim.metrics().total(name)
}

fn count(sim: &Sim<FailoverNode>, name: &str, from: u64, to: u64) -> f64 {
    sim.metrics()
        .query(name, Stat::Count, Time::secs(from), Time::secs(to))
        .unwrap_or(0.0)
}

/// Acknowledged / requested writes while the first primary is down.
fn availability(sim: &Sim<FailoverNode>) -> f64 {
    count(sim, "writes.acked", 20, 50) / count(sim, "writes.requested", 20, 50)
}

fn lost(sim: &Sim<FailoverNode>) -> u64 {
    total(sim, "writes.acked_lost")
}

fn split(sim: &Sim<FailoverNode>) -> u64 {
    total(sim, "writes.split_brain")
}

#[test]
fn async_replication_without_fencing_loses_acked_writes_and_splits_the_brain() {
    for seed in 0..10 {
        let mut sim = build_sim(&setup(seed, "async", false, false)).unwrap();
        sim.schedule_all(&story());
        sim.run_until(Time::secs(50));
        let lost_in_crash = lost(&sim);
        assert!(
            lost_in_crash > 0,
            "seed {seed}: the crash lost no acked write"
        );
        sim.run_until(Time::secs(70));
        assert_eq!(
            split(&sim),
            0,
            "seed {seed}: split brain before the partition"
        );
        sim.run_until(Time::secs(120));
        assert!(split(&sim) > 0, "seed {seed}: no split-brain write");
        assert!(
            lost(&sim) > lost_in_crash,
            "seed {seed}: the split brain lost nothing"
        );
        let max_primaries =
            sim.metrics()
                .query("primaries", Stat::Max, Time::secs(70), Time::secs(100));
        assert_eq!(max_primaries, Some(2.0), "seed {seed}");
        let after_heal =
            sim.metrics()
                .query("primaries", Stat::Last, Time::secs(110), Time::secs(120));
        assert_eq!(
            after_heal,
            Some(1.0),
            "seed {seed}: the split brain outlived the heal"
        );
    }
}

#[test]
fn quorum_with_fencing_loses_nothing_and_stays_available() {
    for seed in 0..10 {
        let sim = run_story(seed, "quorum", true);
        assert_eq!(lost(&sim), 0, "seed {seed}");
        assert_eq!(split(&sim), 0, "seed {seed}");
        let a = availability(&sim);
        assert!(a >= 0.95, "seed {seed}: availability {a} while n1 was down");
        // after the heal there is one primary again, and it takes writes
        assert_eq!(sim.metrics().current("primaries"), Some(1.0), "seed {seed}");
        assert!(count(&sim, "writes.acked", 110, 120) > 500.0, "seed {seed}");
    }
}

#[test]
fn sync_replication_loses_nothing_when_the_primary_crashes_but_stalls() {
    for seed in 0..3 {
        let mut sim = build_sim(&setup(seed, "sync", false, false)).unwrap();
        sim.schedule_all(&story());
        sim.run_until(Time::secs(60));
        assert_eq!(lost(&sim), 0, "seed {seed}");
        assert!(
            availability(&sim) < 0.5,
            "seed {seed}: sync kept acknowledging without n1"
        );
        // once n1 is back and caught up, writes are acknowledged again
        assert!(count(&sim, "writes.acked", 55, 60) > 400.0, "seed {seed}");
    }
}

#[test]
fn a_new_primary_is_elected_within_a_second_of_the_crash() {
    for seed in 0..10 {
        let mut sim = build_sim(&setup(seed, "quorum", true, false)).unwrap();
        sim.run_until(Time::secs(5));
        assert_eq!(sim.node(N1).role(), "primary");
        assert_eq!(sim.metrics().current("epoch"), Some(1.0));
        sim.schedule(Time::secs(5), Input::Crash(NodeSel::Id(N1)));
        sim.run_until(Time::secs(6));
        let primary = (1..3).find(|&i| sim.node(i).role() == "primary");
        assert!(
            primary.is_some(),
            "seed {seed}: no primary 1s after the crash"
        );
        let detection = sim.metrics().samples("failover.detection");
        assert!(!detection.is_empty(), "seed {seed}: no detection recorded");
        assert!(
            detection
                .iter()
                .all(|&(_, d)| (Time::millis(150).0..Time::secs(1).0).contains(&d))
        );
        assert!(sim.metrics().current("epoch").unwrap() > 1.0);
        assert_eq!(total(&sim, "elections.won"), 1, "seed {seed}");
    }
}

#[test]
fn a_restarted_primary_comes_back_as_a_follower_and_catches_up() {
    let mut sim = build_sim(&setup(1, "quorum", true, false)).unwrap();
    sim.schedule(Time::secs(2), Input::Crash(NodeSel::Id(N1)));
    sim.schedule(Time::secs(4), Input::Restart(NodeSel::Id(N1)));
    sim.run_until(Time::secs(6));
    let n1 = sim.node(N1).as_replica().unwrap();
    assert_eq!(n1.role(), splitbrain::scenarios::failover::Role::Follower);
    let primary = (1..3)
        .find_map(|i| {
            sim.node(i)
                .as_replica()
                .filter(|r| r.role() == splitbrain::scenarios::failover::Role::Primary)
        })
        .expect("a primary");
    assert!(n1.epoch() == primary.epoch() && n1.log().len() + 5 >= primary.log().len());
    let facts = sim.node_views()[N1].facts.clone();
    assert_eq!(facts[0], ("role", "replica".to_string()));
}

#[test]
fn scripts_can_name_the_primary_by_role() {
    let mut sim = build_sim(&setup(2, "quorum", true, false)).unwrap();
    sim.schedule(Time::secs(1), Input::Crash(NodeSel::Role("primary".into())));
    sim.run_until(Time::secs(3));
    assert_eq!(sim.health(N1), Health::Down);
    sim.schedule(Time::secs(3), Input::Crash(NodeSel::Role("primary".into())));
    sim.run_until(Time::secs(3));
    assert_eq!(
        (0..3).filter(|&i| sim.health(i) == Health::Down).count(),
        2,
        "the second crash did not find the new primary"
    );
}

#[test]
fn the_cluster_must_have_two_replicas_and_a_client() {
    let mut s = setup(0, "async", false, false);
    s.nodes.retain(|n| n.name != "n2" && n.name != "n3");
    assert!(build_sim(&s).err().unwrap().contains("at least 2"));
    let mut s = setup(0, "async", false, false);
    s.nodes.retain(|n| n.role != "client");
    assert!(build_sim(&s).err().unwrap().contains("client"));
    let spec = splitbrain::scenarios::find("failover").expect("registered");
    for role in ["replica", "client", "primary", "candidate"] {
        assert!(spec.roles.contains(role));
    }
    assert!((spec.build)(&setup(0, "async", false, false)).is_ok());
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = |seed| {
        let mut sim = build_sim(&setup(seed, "async", false, true)).unwrap();
        let mut script = story();
        for t in &mut script {
            t.at = Time(t.at.0 / 10); // the whole story in 12 s
        }
        sim.schedule_all(&script);
        sim.run_until(Time::secs(12));
        sim.trace()
            .iter()
            .map(|e| e.render(sim.names()) + "\n")
            .collect::<String>()
    };
    let a = run(5);
    assert!(a.contains("is primary of epoch"));
    assert_eq!(a, run(5));
    assert_ne!(a, run(6));
}

/// Arbitrary faults for the safety property.
fn fault() -> impl Strategy<Value = (u64, Input)> {
    let node = 0usize..5;
    let replica = 0usize..3;
    let id = |i| NodeSel::Id(i);
    let input = prop_oneof![
        3 => replica.clone().prop_map(move |r| Input::Crash(id(r))),
        3 => replica.clone().prop_map(move |r| Input::Restart(id(r))),
        1 => Just(Input::Crash(NodeSel::Role("primary".into()))),
        2 => node.clone().prop_map(move |n| Input::Isolate(id(n))),
        1 => Just(Input::Isolate(NodeSel::Role("primary".into()))),
        3 => (node.clone(), node.clone()).prop_map(move |(a, b)| Input::Cut { from: id(a), to: id(b) }),
        2 => Just(Input::Heal),
        2 => (node, 10u64..2_000).prop_map(move |(n, ms)| Input::Pause {
            node: id(n),
            duration: Some(Time::millis(ms)),
        }),
    ];
    (0u64..20_000, input)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// With quorum acknowledgements and epoch fencing, no fault loses an
    /// acknowledged write or lets a deposed primary acknowledge one.
    #[test]
    fn quorum_with_fencing_never_loses_or_splits(
        seed in 0u64..1_000_000,
        faults in prop::collection::vec(fault(), 0..12),
    ) {
        let mut s = setup(seed, "quorum", true, false);
        s.link = LinkConfig {
            latency: Latency::Uniform { min: Time::millis(1), max: Time::millis(8) },
            loss: 0.01,
            duplicate: 0.01,
        };
        let mut sim = build_sim(&s).unwrap();
        for (ms, input) in faults {
            sim.schedule(Time::millis(ms), input);
        }
        let end = Time::secs(20);
        sim.schedule(end, Input::Heal);
        for i in 0..5 {
            sim.schedule(end, Input::Restart(NodeSel::Id(i)));
            sim.schedule(end, Input::Resume(NodeSel::Id(i)));
        }
        sim.run_until(Time::secs(25));
        prop_assert_eq!(lost(&sim), 0);
        prop_assert_eq!(split(&sim), 0);
        // and the healed cluster works again
        prop_assert!(count(&sim, "writes.acked", 24, 25) > 20.0);
    }
}

/// Prints the numbers behind the lesson, per configuration over 20 seeds:
/// `cargo test --test failover report -- --ignored --nocapture`.
#[test]
#[ignore]
fn report() {
    let configs = [
        ("async", false),
        ("quorum", true),
        ("quorum", false),
        ("sync", true),
        ("async", true),
    ];
    for (rep, fencing) in configs {
        let mut rows = Vec::new();
        let mut detection = Vec::new();
        let mut unavailable = Vec::new();
        let mut crash_lost = Vec::new();
        for seed in 0..20 {
            let mut sim = build_sim(&setup(seed, rep, fencing, false)).unwrap();
            sim.schedule_all(&story());
            sim.run_until(Time::secs(50));
            crash_lost.push(lost(&sim));
            sim.run_until(Time::secs(120));
            let m = sim.metrics();
            detection.extend(m.samples("failover.detection").iter().map(|s| s.1));
            // the failover after the crash (the partition's overlaps the old primary)
            unavailable.extend(
                m.samples("failover.unavailable")
                    .iter()
                    .filter(|s| s.0 < Time::secs(50))
                    .map(|s| s.1),
            );
            rows.push((lost(&sim), split(&sim), availability(&sim)));
        }
        let min = |f: fn(&(u64, u64, f64)) -> f64| rows.iter().map(f).fold(f64::MAX, f64::min);
        let max = |f: fn(&(u64, u64, f64)) -> f64| rows.iter().map(f).fold(0.0, f64::max);
        let ms = |v: &mut Vec<u64>| {
            if v.is_empty() {
                return -1.0;
            }
            quantile(v, 0.5) as f64 / 1e3
        };
        println!(
            "{rep:6} fencing={fencing:5}: acked_lost by 50s {}..{}, by 120s {}..{} split_brain {}..{} availability[20s,50s) {:.3}..{:.3} detection p50 {:.0}ms unavailable p50 {:.0}ms",
            crash_lost.iter().min().unwrap(),
            crash_lost.iter().max().unwrap(),
            min(|r| r.0 as f64),
            max(|r| r.0 as f64),
            min(|r| r.1 as f64),
            max(|r| r.1 as f64),
            min(|r| r.2),
            max(|r| r.2),
            ms(&mut detection),
            ms(&mut unavailable),
        );
    }
}

#[test]
#[ignore]
fn show_logs() {
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let rep = std::env::var("REP").unwrap_or("async".into());
    let fencing = std::env::var("FENCING").is_ok();
    let mut sim = build_sim(&setup(seed, &rep, fencing, true)).unwrap();
    sim.schedule_all(&story());
    sim.run_until(Time::secs(120));
    for e in sim.trace() {
        if matches!(
            e.kind,
            TraceKind::Log(_) | TraceKind::Input { .. } | TraceKind::Crash | TraceKind::Restart
        ) {
            println!("{}", e.render(sim.names()));
        }
    }
}

/// One hour of the lesson, for timing: `cargo test --release --test failover
/// an_hour -- --ignored --nocapture`.
#[test]
#[ignore]
fn an_hour_of_the_lesson() {
    for (rep, fencing) in [("async", false), ("quorum", true), ("sync", false)] {
        let t = std::time::Instant::now();
        let mut sim = build_sim(&setup(1, rep, fencing, false)).unwrap();
        sim.schedule_all(&story());
        sim.run_until(Time::secs(3600));
        println!(
            "{rep} fencing={fencing}: {} events in {:?}, acked {} lost {}",
            sim.processed(),
            t.elapsed(),
            total(&sim, "writes.acked"),
            lost(&sim)
        );
    }
}

/// The lesson's screens at its key instants, drawn as `splitbrain shot` draws
/// them. Review every change as if it were code.
#[test]
fn screens() {
    for (at, label) in [(10, "steady"), (25, "primary_down"), (75, "partition")] {
        let spec = ShotSpec::lesson("failover", Time::secs(at), 120, 40);
        insta::assert_snapshot!(format!("{label}_120x40"), common::screen(&spec));
    }
    let small = ShotSpec::lesson("failover", Time::secs(25), 80, 24);
    insta::assert_snapshot!("primary_down_80x24", common::screen(&small));
    let styled_spec = ShotSpec::lesson("failover", Time::secs(25), 120, 40);
    insta::assert_snapshot!("primary_down_styled", common::styled(&styled_spec));
    let mut mono = ShotSpec::lesson("failover", Time::secs(25), 120, 40);
    mono.theme = Theme::monochrome();
    insta::assert_snapshot!("primary_down_no_color", common::styled(&mono));
}

#[test]
fn the_lesson_loses_acknowledged_writes_and_splits_its_brain_with_async_and_no_fencing() {
    let l = common::lesson("failover");
    for seed in SEEDS {
        let v = common::verdicts(&l, seed, &[]);
        assert_eq!(
            common::status(&v, "no-acknowledged-write-lost").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            common::status(&v, "no-split-brain").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
    }
}

#[test]
fn the_lesson_is_safe_and_available_with_quorum_and_fencing() {
    let l = common::lesson("failover");
    for seed in SEEDS {
        let v = common::verdicts(&l, seed, &["replication=quorum", "fencing=on"]);
        for (id, s, details) in &v {
            assert_eq!(*s, Status::Met, "seed {seed}: {id} {details:?}");
        }
    }
}

#[test]
fn objectives_are_pending_until_their_window_closes() {
    let l = common::lesson("failover");
    let mut run = Run::new(l.clone(), 1, &[], false).unwrap();
    run.advance_to(Time::secs(10));
    assert!(run.verdicts().iter().all(|v| v.status == Status::Pending));
}

/// Raft §9.3 (Figure 16), reproduced with the experiment in
/// `experiments/raft-elections.toml`: five replicas, a broadcast time of
/// about 15 ms, the primary crashed at a random moment of its heartbeat
/// interval, one trial per seed. The time without a primary, in
/// milliseconds, of each trial that elected one, and how many trials ran.
fn figure_16(settings: &[&str], trials: u64) -> (Vec<f64>, u64) {
    let lesson = std::sync::Arc::new(
        splitbrain::lesson::load_file(std::path::Path::new("experiments/raft-elections.toml"))
            .unwrap(),
    );
    let settings: Vec<_> = settings
        .iter()
        .map(|s| lesson.parse_setting(s).unwrap())
        .collect();
    let mut downtimes: Vec<f64> = (1..=trials)
        .filter_map(|seed| {
            let mut run = Run::new(lesson.clone(), seed, &settings, false).unwrap();
            run.set_checkpointing(false);
            run.advance_to(lesson.length);
            let m = run.cluster().metrics();
            m.query("failover.leaderless", Stat::P50, Time::ZERO, lesson.length)
                .map(|us| us / 1000.0)
        })
        .collect();
    downtimes.sort_by(f64::total_cmp);
    (downtimes, trials)
}

/// The shape of the paper's results, within these tolerances (the paper's
/// figures in brackets): no randomness never settles (> 10 s, every trial);
/// 1 ms of it leaves a long tail; 5 ms settles most elections at the first
/// try (median 287 ms: 100–350 ms here); more randomness cuts the worst case
/// (150–200 ms worst 513 ms: 250–800 ms here, and no worse than 150–155);
/// and 12–24 ms timeouts elect a primary within tens of milliseconds (mean
/// 35 ms: 25–60 ms here; longest 152 ms: under 250 ms here).
#[test]
fn elections_time_out_like_figure_16_of_the_raft_paper() {
    const TRIALS: u64 = 200;
    let median = |v: &[f64]| v[v.len() / 2];
    let worst = |v: &[f64]| v[v.len() - 1];
    let (none, n) = figure_16(&["election_timeout_max=150ms"], TRIALS);
    assert!(
        none.len() as u64 <= n / 20,
        "150–150 ms elected a primary within 11 s in {} of {n} trials",
        none.len()
    );
    let (t151, _) = figure_16(&["election_timeout_max=151ms"], TRIALS);
    let (t155, n155) = figure_16(&["election_timeout_max=155ms"], TRIALS);
    assert_eq!(
        t155.len() as u64,
        n155,
        "every 150–155 ms trial elects a primary"
    );
    assert!((100.0..=350.0).contains(&median(&t155)), "150–155 {t155:?}");
    assert!(median(&t151) >= 3.0 * median(&t155), "150–151 {t151:?}");
    let (t200, _) = figure_16(&["election_timeout_max=200ms"], TRIALS);
    assert!((250.0..=800.0).contains(&worst(&t200)), "150–200 {t200:?}");
    assert!(
        worst(&t200) <= worst(&t155),
        "150–200 {t200:?} vs 150–155 {t155:?}"
    );
    assert!((100.0..=250.0).contains(&median(&t200)), "150–200 {t200:?}");
    let (fast, _) = figure_16(
        &[
            "election_timeout_min=12ms",
            "election_timeout_max=24ms",
            "heartbeat=6ms",
        ],
        TRIALS,
    );
    let mean = fast.iter().sum::<f64>() / fast.len() as f64;
    assert!(
        (25.0..=60.0).contains(&mean),
        "12–24 mean {mean} of {fast:?}"
    );
    assert!(worst(&fast) < 250.0, "12–24 {fast:?}");
}

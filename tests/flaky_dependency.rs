//! The flaky-dependency scenario: the lesson's story (B hangs at 30 s, fails
//! at 90 s, recovers at 130 s) with the patterns off and on, and the circuit
//! breaker's safety properties under random use.

mod common;

use proptest::prelude::*;
use splitbrain::lesson::{Run, Status};
use splitbrain::scenarios::flaky_dependency::breaker::{
    Breaker, Config, Outcome, State, WindowKind,
};
use splitbrain::scenarios::flaky_dependency::{FlakyNode, build_sim};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use splitbrain::ui::shot::ShotSpec;
use std::collections::BTreeMap;

const SEEDS: std::ops::Range<u64> = 0..12;

const HANG: Time = Time::secs(30);
const FAIL: Time = Time::secs(90);
const RECOVER: Time = Time::secs(130);
const END: Time = Time::secs(180);

const CURE: &[(&str, &str)] = &[
    ("timeout", "250ms"),
    ("breaker", "on"),
    ("bulkhead", "on"),
    ("fallback", "on"),
];

fn setup(seed: u64, knobs: &[(&str, &str)]) -> Setup {
    let node = |name: &str, role: &str| NodeDef {
        name: name.into(),
        role: role.into(),
    };
    let nodes = vec![
        node("client", "client"),
        node("frontend", "frontend"),
        node("dep-a", "dependency"),
        node("dep-b", "dependency"),
    ];
    let spec = splitbrain::scenarios::find("flaky-dependency").expect("registered");
    let mut values = BTreeMap::new();
    for &(name, text) in knobs {
        let kind = spec.knob(name).expect("known knob").kind;
        values.insert(name.to_string(), kind.parse(text).expect("valid value"));
    }
    Setup {
        seed,
        nodes,
        link: LinkConfig::default(),
        links: vec![],
        processing: Time::micros(50),
        knobs: values,
        trace: false,
    }
}

/// The lesson's script, run to the end.
fn story(seed: u64, knobs: &[(&str, &str)]) -> Sim<FlakyNode> {
    let mut sim = build_sim(&setup(seed, knobs)).expect("valid cluster");
    for (at, command) in [(HANG, "hang"), (FAIL, "fail"), (RECOVER, "recover")] {
        let command = command.into();
        sim.schedule(
            at,
            Input::Command {
                node: NodeSel::Id(3),
                command,
            },
        );
    }
    sim.run_until(END);
    sim
}

fn count(sim: &Sim<FlakyNode>, name: &str, from: Time, to: Time) -> f64 {
    sim.metrics()
        .query(name, Stat::Count, from, to)
        .unwrap_or(0.0)
}

/// Share of `ep`'s requests finished in the window with one of `outcomes`.
fn share(sim: &Sim<FlakyNode>, ep: &str, outcomes: &[&str], from: Time, to: Time) -> f64 {
    let good: f64 = outcomes
        .iter()
        .map(|o| count(sim, &format!("{ep}.{o}"), from, to))
        .sum();
    good / count(sim, &format!("{ep}.requests"), from, to).max(1.0)
}

fn p99_ms(sim: &Sim<FlakyNode>, metric: &str, from: Time, to: Time) -> f64 {
    sim.metrics()
        .query(metric, Stat::P99, from, to)
        .unwrap_or(f64::MAX)
        / 1e3
}

struct Story {
    a_hang: f64,
    a_p99_hang: f64,
    b_down: f64,
    opened: u64,
    recovery_close: Option<f64>,
    excess: u64,
}

fn measure(sim: &Sim<FlakyNode>) -> Story {
    let m = sim.metrics();
    Story {
        a_hang: share(sim, "a", &["success"], HANG, FAIL),
        a_p99_hang: p99_ms(sim, "a.latency", HANG, FAIL),
        b_down: share(sim, "b", &["success", "degraded"], FAIL, RECOVER),
        opened: m.total("breaker.b.opened"),
        recovery_close: m.query("breaker.b.recovery_close", Stat::Max, Time::ZERO, END),
        excess: m.total("breaker.b.half_open_excess") + m.total("breaker.a.half_open_excess"),
    }
}

#[test]
#[ignore = "prints the story's numbers; run with --ignored --nocapture"]
fn report() {
    let configs: &[(&str, &[(&str, &str)])] = &[
        ("off", &[]),
        ("timeout", &[("timeout", "250ms")]),
        (
            "timeout+breaker",
            &[("timeout", "250ms"), ("breaker", "on")],
        ),
        ("bulkhead", &[("bulkhead", "on")]),
        (
            "bulkhead+fallback",
            &[("bulkhead", "on"), ("fallback", "on")],
        ),
        ("cure", CURE),
    ];
    for (label, knobs) in configs {
        for seed in 0..3 {
            let s = measure(&story(seed, knobs));
            println!(
                "{label:>18} seed {seed}: A hang {:.4} p99 {:.1}ms | B down ok+deg {:.4} | opened {} close {:?}s excess {}",
                s.a_hang,
                s.a_p99_hang,
                s.b_down,
                s.opened,
                s.recovery_close.map(|us| us / 1e6),
                s.excess
            );
        }
    }
}

/// Runs `sim` with the dependency of endpoint B (node 3) told `command` at `at`.
fn command(sim: &mut Sim<FlakyNode>, at: Time, command: &str) {
    sim.schedule(
        at,
        Input::Command {
            node: NodeSel::Id(3),
            command: command.into(),
        },
    );
}

#[test]
fn with_everything_off_a_hanging_b_takes_a_down_too() {
    for seed in 0..10 {
        let s = measure(&story(seed, &[]));
        assert!(s.a_hang < 0.9, "seed {seed}: no cascade, A at {}", s.a_hang);
        assert!(s.b_down < 0.5, "seed {seed}: B survived without fallback");
        assert_eq!(s.opened, 0);
    }
}

#[test]
fn with_the_cure_a_survives_b_degrades_and_the_breaker_recovers() {
    for seed in 0..20 {
        let sim = story(seed, CURE);
        let s = measure(&sim);
        assert!(s.a_hang >= 0.99, "seed {seed}: A at {}", s.a_hang);
        assert!(
            s.a_p99_hang < 200.0,
            "seed {seed}: A p99 {}ms",
            s.a_p99_hang
        );
        let first = share(&sim, "a", &["success"], HANG, HANG + Time::secs(3));
        assert!(
            first >= 0.99,
            "seed {seed}: A starved early in the hang: {first}"
        );
        assert!(s.b_down >= 0.95, "seed {seed}: B at {}", s.b_down);
        assert!(s.opened >= 1, "seed {seed}: breaker b never opened");
        let close = s.recovery_close.expect("recovery measured");
        assert!(
            close <= 10e6,
            "seed {seed}: closed {close}us after recovery"
        );
        assert_eq!(s.excess, 0, "seed {seed}: too many half-open calls");
        // A's breaker had no reason to move
        assert_eq!(sim.metrics().total("breaker.a.opened"), 0);
        // the front end never waits on B for long
        let b_busy = sim
            .metrics()
            .query("pool.b.busy", Stat::Max, HANG, FAIL)
            .unwrap();
        assert!(b_busy <= 10.0, "seed {seed}: {b_busy} threads on B");
    }
}

#[test]
fn a_timeout_alone_keeps_a_answering_but_slowly() {
    for seed in 0..5 {
        let s = measure(&story(seed, &[("timeout", "250ms")]));
        assert!(s.a_hang >= 0.99, "seed {seed}: A at {}", s.a_hang);
        assert!(
            s.a_p99_hang > 230.0,
            "seed {seed}: A p99 only {}ms",
            s.a_p99_hang
        );
    }
}

#[test]
fn a_bulkhead_alone_protects_a_but_not_b() {
    for seed in 0..5 {
        let sim = story(seed, &[("bulkhead", "on")]);
        let s = measure(&sim);
        assert!(s.a_hang >= 0.99, "seed {seed}: A at {}", s.a_hang);
        let b_hang = share(
            &sim,
            "b",
            &["success", "degraded"],
            HANG + Time::secs(2),
            FAIL,
        );
        assert!(b_hang < 0.1, "seed {seed}: B at {b_hang} while hanging");
        assert!(sim.metrics().total("pool.rejected") > 100);
    }
}

#[test]
fn a_breaker_with_a_timeout_opens_on_a_hanging_b() {
    let sim = story(1, &[("timeout", "250ms"), ("breaker", "on")]);
    let m = sim.metrics();
    assert!(m.total("breaker.b.opened") > 0);
    assert!(m.total("breaker.b.rejected") > 0);
    assert!(m.total("calls.timeouts") > 0);
    assert_eq!(m.total("breaker.b.half_open_excess"), 0);
    // while open, B costs no calls: far fewer than the 40/s it is asked for
    let calls = count(&sim, "calls.b", HANG + Time::secs(5), FAIL);
    assert!(calls < 0.1 * 40.0 * 55.0, "{calls} calls to a hanging B");
}

#[test]
fn without_a_breaker_retries_multiply_the_calls_to_a_failing_b() {
    let calls = |retries: &str| {
        let sim = story(2, &[("retries", retries), ("fallback", "on")]);
        count(&sim, "calls.b", FAIL, RECOVER)
    };
    let (once, thrice) = (calls("0"), calls("2"));
    assert!(
        thrice > 2.5 * once,
        "{once} calls without retries, {thrice} with two"
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let totals = |sim: &Sim<FlakyNode>| -> Vec<(String, u64)> {
        let m = sim.metrics();
        m.names().map(|n| (n.to_string(), m.total(n))).collect()
    };
    let a = totals(&story(7, CURE));
    assert_eq!(a, totals(&story(7, CURE)));
    assert_ne!(a, totals(&story(8, CURE)));
}

#[test]
fn knobs_change_the_run_midway() {
    // everything off until the cascade is under way, then the cure by knob
    let mut sim = build_sim(&setup(3, &[])).unwrap();
    command(&mut sim, HANG, "hang");
    let spec = splitbrain::scenarios::find("flaky-dependency").unwrap();
    for &(name, text) in CURE {
        let value = spec.knob(name).unwrap().kind.parse(text).unwrap();
        let name = name.to_string();
        sim.schedule(Time::secs(40), Input::Knob { name, value });
    }
    sim.run_until(Time::secs(90));
    assert!(share(&sim, "a", &["success"], Time::secs(31), Time::secs(40)) < 0.5);
    assert!(sim.metrics().total("breaker.b.opened") >= 1);
    // tasks stuck on B's hang in the shared pool drain by 50 s (hang_time 10 s)
    let late = share(&sim, "a", &["success"], Time::secs(52), Time::secs(90));
    assert!(late >= 0.99, "A at {late} after the cure");
    let b = share(
        &sim,
        "b",
        &["success", "degraded"],
        Time::secs(52),
        Time::secs(90),
    );
    assert!(b >= 0.95, "B at {b} after the cure");
}

#[test]
fn a_crashed_front_end_forgets_everything_and_starts_afresh() {
    let mut sim = build_sim(&setup(4, CURE)).unwrap();
    command(&mut sim, HANG, "hang");
    sim.schedule(Time::secs(40), Input::Crash(NodeSel::Id(1)));
    sim.schedule(Time::secs(42), Input::Restart(NodeSel::Id(1)));
    sim.run_until(Time::secs(41));
    assert_eq!(sim.metrics().current("pool.b.busy"), Some(0.0));
    // no breaker while the front end is down
    assert_eq!(sim.metrics().current("breaker.b.state"), Some(-1.0));
    let opened = sim.metrics().total("breaker.b.opened");
    sim.run_until(Time::secs(60));
    // the fresh breaker starts CLOSED and has to learn again that B hangs
    assert!(sim.metrics().total("breaker.b.opened") > opened);
    let a = share(&sim, "a", &["success"], Time::secs(43), Time::secs(60));
    assert!(a >= 0.99, "A at {a} after the restart");
    let failed = count(&sim, "a.failed", Time::secs(40), Time::secs(42));
    assert!(failed > 0.0, "requests to a dead front end did not fail");
}

#[test]
fn the_breaker_gauge_reads_off_without_a_breaker_and_the_cluster_is_checked() {
    let mut sim = build_sim(&setup(0, &[])).unwrap();
    sim.run_until(Time::secs(1));
    assert_eq!(sim.metrics().current("breaker.b.state"), Some(-1.0));
    assert!(sim.metrics().total("a.success") > 10);
    let mut bad = setup(0, &[]);
    bad.nodes.pop();
    assert!(build_sim(&bad).err().unwrap().contains("exactly two"));
    let mut bad = setup(0, &[]);
    bad.nodes.remove(0);
    assert!(build_sim(&bad).err().unwrap().contains("client"));
}

/// One step of a random workout for a breaker.
#[derive(Clone, Debug)]
enum Step {
    Wait(u64),
    Acquire,
    /// Completes the oldest admitted call: failed? slow?
    Complete(bool, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1u64..3_000).prop_map(Step::Wait),
        Just(Step::Acquire),
        (any::<bool>(), any::<bool>()).prop_map(|(f, s)| Step::Complete(f, s)),
    ]
}

proptest! {
    // nothing to persist: the test file has no lib.rs beside it for proptest to find
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_breaker_never_admits_too_many_trials_and_never_admits_while_open(
        steps in prop::collection::vec(step(), 1..400),
        time_window in any::<bool>(),
        permitted in 1usize..5,
        min_calls in 1usize..8,
    ) {
        let config = Config {
            window: if time_window { WindowKind::Time(Time::secs(2)) } else { WindowKind::Count(6) },
            min_calls,
            half_open_calls: permitted,
            wait: Time::secs(1),
            ..Config::default()
        };
        let mut b = Breaker::new(config);
        let mut now = Time::ZERO;
        let mut admitted = Vec::new();
        // (generation, trial calls admitted) of the HALF_OPEN episode under way
        let mut episode = (u64::MAX, 0usize);
        for s in steps {
            match s {
                Step::Wait(ms) => now += Time::millis(ms),
                Step::Acquire => {
                    let open_before = b.open_until().is_some_and(|until| now < until);
                    let permit = b.try_acquire(now);
                    if open_before {
                        prop_assert!(permit.is_none(), "OPEN admitted a call");
                    }
                    if let Some(p) = permit {
                        prop_assert_ne!(b.state(), State::Open);
                        if b.state() == State::HalfOpen {
                            if episode.0 != b.generation() {
                                episode = (b.generation(), 0);
                            }
                            episode.1 += 1;
                            prop_assert!(episode.1 <= permitted, "{} trial calls", episode.1);
                        }
                        admitted.push((p, now));
                    }
                }
                Step::Complete(failed, slow) => {
                    if !admitted.is_empty() {
                        let (p, _) = admitted.remove(0);
                        let outcome = if failed { Outcome::Failure } else { Outcome::Success };
                        let took = if slow { Time::secs(1) } else { Time::millis(5) };
                        b.on_result(now, p, outcome, took);
                    }
                }
            }
            prop_assert!(b.admitted() <= b.permitted());
        }
    }
}

/// The lesson's screens at its key instants, drawn as `splitbrain shot` draws
/// them. Review every change as if it were code.
#[test]
fn screens() {
    for (at, label) in [
        (10, "healthy"),
        (45, "hang"),
        (100, "down"),
        (150, "recovered"),
    ] {
        let spec = ShotSpec::lesson("flaky-dependency", Time::secs(at), 120, 40);
        insta::assert_snapshot!(format!("{label}_120x40"), common::screen(&spec));
    }
    let small = ShotSpec::lesson("flaky-dependency", Time::secs(45), 80, 24);
    insta::assert_snapshot!("hang_80x24", common::screen(&small));
    let tiny = ShotSpec::lesson("flaky-dependency", Time::secs(45), 50, 12);
    insta::assert_snapshot!("tiny", common::screen(&tiny));
    // With the breaker on, B's breaker opens during the hang: colour and glyph.
    let mut breaker = ShotSpec::lesson("flaky-dependency", Time::secs(45), 120, 40);
    breaker.settings = vec![("breaker".into(), KnobValue::Bool(true))];
    insta::assert_snapshot!("breaker_open_styled", common::styled(&breaker));
}

#[test]
fn the_lesson_cascades_with_nothing_on() {
    let l = common::lesson("flaky-dependency");
    for seed in SEEDS {
        let v = common::verdicts(&l, seed, &[]);
        assert_eq!(
            common::status(&v, "a-survives-the-hang").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            common::status(&v, "b-degrades-gracefully").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
        assert_eq!(
            common::status(&v, "breaker-closes-after-recovery").1,
            Status::Failed,
            "seed {seed}: {v:?}"
        );
    }
}

#[test]
fn the_lesson_is_contained_with_every_pattern_on() {
    let l = common::lesson("flaky-dependency");
    for seed in SEEDS {
        let v = common::verdicts(
            &l,
            seed,
            &["timeout=250ms", "bulkhead=on", "breaker=on", "fallback=on"],
        );
        for (id, s, details) in &v {
            assert_eq!(*s, Status::Met, "seed {seed}: {id} {details:?}");
        }
    }
}

/// Sizing a bulkhead by Little's law, as Hystrix's documentation does: at
/// 30 requests a second and a 99th-percentile latency of 0.2 s, 30 × 0.2 = 6
/// threads are busy at the peak, and some room on top (10 threads) absorbs
/// the bursts of random arrivals. Measured while b is healthy, with b's
/// service time set so its p99 is about 200 ms: 6 threads still turn away
/// more than 5% of b's requests, 10 fewer than 2%, 12 none worth counting.
#[test]
fn a_bulkhead_sized_by_littles_law_with_headroom_turns_almost_nobody_away() {
    let l = common::lesson("flaky-dependency");
    let share = |size: u32| -> (f64, f64) {
        let mut failed = Vec::new();
        let mut p99 = Vec::new();
        for seed in 1..=5 {
            let settings: Vec<_> = [
                "bulkhead=on".to_string(),
                "rate_b=30".to_string(),
                "service_time=126ms".to_string(),
                format!("bulkhead_size={size}"),
            ]
            .iter()
            .map(|s| l.parse_setting(s).unwrap())
            .collect();
            let mut run = Run::new(l.clone(), seed, &settings, false).unwrap();
            run.set_checkpointing(false);
            run.advance_to(HANG);
            let m = run.cluster().metrics();
            let requests = m
                .query("b.requests", Stat::Count, Time::ZERO, HANG)
                .unwrap();
            let f = m.query("b.failed", Stat::Count, Time::ZERO, HANG).unwrap();
            failed.push(f / requests);
            p99.push(m.query("b.latency", Stat::P99, Time::ZERO, HANG).unwrap() / 1e3);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        (mean(&failed), mean(&p99))
    };
    let (at6, p99) = share(6);
    assert!((180.0..=230.0).contains(&p99), "b's p99 is {p99} ms");
    let (at10, _) = share(10);
    let (at12, _) = share(12);
    assert!(at6 > 0.05, "6 threads turned away {at6}");
    assert!(at10 < 0.02, "10 threads turned away {at10}");
    assert!(
        at12 < 0.005 && at12 <= at10 && at10 < at6,
        "{at6} {at10} {at12}"
    );
}

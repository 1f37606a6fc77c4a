//! The deadlock scenario: transfers that lock accounts in request order
//! deadlock and stall, a wait-for-graph detector or a timeout breaks each
//! deadlock quickly, and a global lock order makes them impossible.

mod common;

use proptest::prelude::*;
use splitbrain::lesson::{Run, Status};
use splitbrain::scenarios::deadlock::{DeadlockNode, OPENING_BALANCE, build_sim, cycles};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use splitbrain::ui::shot::{self, ShotSpec};
use std::collections::BTreeMap;

const W3: usize = 3;
const W4: usize = 4;

fn setup(seed: u64, knobs: &[(&str, &str)], trace: bool) -> Setup {
    let node = |name: &str, role: &str| NodeDef {
        name: name.into(),
        role: role.into(),
    };
    let nodes = vec![
        node("bank", "bank"),
        node("w1", "worker"),
        node("w2", "worker"),
        node("w3", "worker"),
        node("w4", "worker"),
    ];
    let spec = splitbrain::scenarios::find("deadlock").expect("registered");
    let knobs: BTreeMap<String, KnobValue> = knobs
        .iter()
        .map(|(k, v)| {
            let kind = spec.knob(k).expect("a knob").kind;
            (k.to_string(), kind.parse(v).expect("a valid value"))
        })
        .collect();
    Setup {
        seed,
        nodes,
        link: LinkConfig {
            latency: Latency::Normal {
                mean: Time::millis(1),
                stddev: Time::micros(200),
            },
            loss: 0.0,
            duplicate: 0.0,
        },
        links: vec![],
        processing: Time::micros(50),
        knobs,
        trace,
    }
}

fn at(ms: u64, input: Input) -> TimedInput {
    TimedInput {
        at: Time::millis(ms),
        input,
    }
}

fn knob(name: &str, v: f64) -> Input {
    Input::Knob {
        name: name.into(),
        value: KnobValue::Float(v),
    }
}

fn command(node: usize, c: &str) -> Input {
    Input::Command {
        node: NodeSel::Id(node),
        command: c.into(),
    }
}

/// The lesson's script: a burst between the two hot accounts, a slow
/// transfer, then a worker that crashes in the middle of a slow transfer.
fn story() -> Vec<TimedInput> {
    vec![
        at(20_000, knob("hot_share", 0.8)),
        at(30_000, knob("hot_share", 0.0)),
        at(50_000, command(W3, "stall")),
        at(64_000, command(W4, "stall")),
        at(66_000, Input::Crash(NodeSel::Id(W4))),
        at(72_000, Input::Restart(NodeSel::Id(W4))),
    ]
}

fn run_story(seed: u64, knobs: &[(&str, &str)]) -> Sim<DeadlockNode> {
    let mut sim = build_sim(&setup(seed, knobs, false)).unwrap();
    sim.schedule_all(&story());
    sim.run_until(Time::secs(90));
    sim
}

fn total(sim: &Sim<DeadlockNode>, name: &str) -> u64 {
    sim.metrics().total(name)
}

fn count(sim: &Sim<DeadlockNode>, name: &str, from: u64, to: u64) -> f64 {
    sim.metrics()
        .query(name, Stat::Count, Time::secs(from), Time::secs(to))
        .unwrap_or(0.0)
}

fn money(sim: &Sim<DeadlockNode>) -> i64 {
    sim.node(0).as_bank().unwrap().total()
}

const SEEDS: std::ops::Range<u64> = 0..12;

#[test]
fn request_order_without_detection_deadlocks_and_stalls_for_good() {
    for seed in SEEDS {
        let sim = run_story(seed, &[]);
        assert!(total(&sim, "deadlocks.formed") >= 1, "seed {seed}");
        assert!(total(&sim, "deadlocks.late") >= 1, "seed {seed}");
        // the burst is long over, and nothing moves
        assert_eq!(
            count(&sim, "transfers.committed", 35, 50),
            0.0,
            "seed {seed}"
        );
        assert_eq!(total(&sim, "aborts.total"), 0, "seed {seed}");
        assert_eq!(money(&sim), 6 * OPENING_BALANCE, "seed {seed}");
    }
}

#[test]
fn the_stall_is_a_cycle_in_the_lock_table_and_everyone_queues_behind_it() {
    let mut sim = build_sim(&setup(8, &[], false)).unwrap();
    sim.schedule_all(&story());
    sim.run_until(Time::secs(40));
    let locks = sim.locks();
    let found = cycles(&locks);
    assert_eq!(found.len(), 1, "{locks:?}");
    assert_eq!(found[0].len(), 2);
    // every worker waits for something, and the pool is full
    let waiters: usize = locks.iter().map(|l| l.waiters.len()).sum();
    assert_eq!(waiters, 4, "{locks:?}");
    assert_eq!(sim.metrics().current("deadlocked"), Some(2.0));
    assert_eq!(sim.metrics().current("lock.pool.held"), Some(4.0));
}

#[test]
fn graph_detection_breaks_every_deadlock_within_one_period_without_needless_aborts() {
    for seed in SEEDS {
        let sim = run_story(seed, &[("detection", "graph")]);
        let formed = total(&sim, "deadlocks.formed");
        assert!(
            formed >= 3,
            "seed {seed}: only {formed} deadlocks in the burst"
        );
        assert_eq!(total(&sim, "deadlocks.late"), 0, "seed {seed}");
        let durations = sim.metrics().samples("deadlocks.duration");
        assert_eq!(
            durations.len() as u64,
            formed,
            "seed {seed}: one left standing"
        );
        // detection every 200 ms, plus the time the abort takes to apply
        assert!(
            durations.iter().all(|&(_, d)| d <= Time::millis(210).0),
            "seed {seed}: {durations:?}"
        );
        assert_eq!(total(&sim, "aborts.victim"), formed, "seed {seed}");
        assert_eq!(total(&sim, "aborts.needless"), 0, "seed {seed}");
        assert!(
            count(&sim, "transfers.committed", 35, 50) >= 90.0,
            "seed {seed}"
        );
        assert_eq!(money(&sim), 6 * OPENING_BALANCE, "seed {seed}");
    }
}

#[test]
fn timeouts_break_deadlocks_but_also_abort_transfers_that_only_wait() {
    for seed in SEEDS {
        let sim = run_story(seed, &[("detection", "timeout"), ("lock_timeout", "1s")]);
        assert_eq!(total(&sim, "deadlocks.late"), 0, "seed {seed}");
        let durations = sim.metrics().samples("deadlocks.duration");
        assert!(
            durations.iter().all(|&(_, d)| d <= Time::millis(1010).0),
            "seed {seed}: {durations:?}"
        );
        // w3's slow transfer holds two accounts for 4 s: its waiters time out
        assert!(count(&sim, "aborts.needless", 50, 60) > 0.0, "seed {seed}");
        // every other timeout broke a deadlock, one abort per deadlock
        let needed = total(&sim, "aborts.timeout") - total(&sim, "aborts.needless");
        assert!(needed <= total(&sim, "deadlocks.formed"), "seed {seed}");
        assert!(needed >= 1, "seed {seed}");
        assert!(
            count(&sim, "transfers.committed", 35, 50) >= 90.0,
            "seed {seed}"
        );
    }
}

#[test]
fn a_global_lock_order_never_deadlocks() {
    for seed in SEEDS {
        let sim = run_story(seed, &[("order", "global")]);
        assert_eq!(total(&sim, "deadlocks.formed"), 0, "seed {seed}");
        assert_eq!(total(&sim, "aborts.total"), 0, "seed {seed}");
        assert!(
            count(&sim, "transfers.committed", 35, 50) >= 90.0,
            "seed {seed}"
        );
        assert_eq!(money(&sim), 6 * OPENING_BALANCE, "seed {seed}");
    }
}

#[test]
fn a_worker_that_crashes_holding_locks_blocks_others_but_is_no_deadlock() {
    for seed in 0..6 {
        let mut sim = build_sim(&setup(
            seed,
            &[("order", "global"), ("detection", "graph")],
            false,
        ))
        .unwrap();
        sim.schedule_all(&story());
        sim.run_until(Time::secs(70));
        assert_eq!(sim.health(W4), Health::Down);
        let locks = sim.locks();
        let held: Vec<&str> = locks
            .iter()
            .filter(|l| l.name != "pool" && l.holders.iter().any(|h| h.owner == "w4"))
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(
            held.len(),
            2,
            "seed {seed}: w4 should hold two accounts: {locks:?}"
        );
        assert!(
            locks.iter().any(|l| !l.waiters.is_empty()),
            "seed {seed}: nobody waits for w4's accounts"
        );
        assert!(cycles(&locks).is_empty());
        assert_eq!(count(&sim, "aborts.total", 65, 70), 0.0, "seed {seed}");
        sim.run_until(Time::secs(73));
        // the restarted w4 told the bank to let go
        assert!(
            sim.locks().iter().all(|l| l
                .holders
                .iter()
                .all(|h| h.owner != "w4" || h.since >= Time::secs(72))),
            "seed {seed}"
        );
        sim.run_until(Time::secs(90));
        assert_eq!(total(&sim, "deadlocks.formed"), 0, "seed {seed}");
        assert!(
            count(&sim, "transfers.committed", 80, 90) >= 60.0,
            "seed {seed}"
        );
    }
}

#[test]
fn one_permit_prevents_deadlock_at_a_price_in_throughput() {
    // Busy workers: little thinking, so the pool is the bottleneck.
    let busy = [("think_time", "20ms"), ("hot_share", "0.5")];
    for seed in 0..6 {
        let mut one = busy.to_vec();
        one.push(("permits", "1"));
        let mut sim = build_sim(&setup(seed, &one, false)).unwrap();
        sim.run_until(Time::secs(20));
        assert_eq!(total(&sim, "deadlocks.formed"), 0, "seed {seed}");
        let max_pool = sim
            .metrics()
            .query("lock.pool.held", Stat::Max, Time::ZERO, Time::secs(20));
        assert_eq!(max_pool, Some(1.0));
        let serial = total(&sim, "transfers.committed");
        let mut global = busy.to_vec();
        global.push(("order", "global"));
        let mut sim = build_sim(&setup(seed, &global, false)).unwrap();
        sim.run_until(Time::secs(20));
        let parallel = total(&sim, "transfers.committed");
        assert!(
            (serial as f64) < 0.8 * parallel as f64,
            "seed {seed}: one permit {serial}, four permits in global order {parallel}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = |seed| {
        let mut sim = build_sim(&setup(seed, &[("detection", "graph")], true)).unwrap();
        sim.schedule_all(&story());
        sim.run_until(Time::secs(30));
        sim.trace()
            .iter()
            .map(|e| e.render(sim.names()) + "\n")
            .collect::<String>()
    };
    let a = run(5);
    assert!(a.contains("wait in a circle"));
    assert_eq!(a, run(5));
    assert_ne!(a, run(6));
}

#[test]
fn the_cluster_needs_one_bank_and_a_worker() {
    let mut s = setup(0, &[], false);
    s.nodes.retain(|n| n.role != "bank");
    assert!(build_sim(&s).err().unwrap().contains("exactly one"));
    let mut s = setup(0, &[], false);
    s.nodes.retain(|n| n.role != "worker");
    assert!(build_sim(&s).err().unwrap().contains("worker"));
    let spec = splitbrain::scenarios::find("deadlock").expect("registered");
    assert!((spec.build)(&setup(0, &[], false)).is_ok());
}

/// Arbitrary faults for the safety property (the lock order is never changed).
fn fault() -> impl Strategy<Value = (u64, Input)> {
    let worker = 1usize..5;
    let node = 0usize..5;
    let id = NodeSel::Id;
    let input = prop_oneof![
        3 => worker.clone().prop_map(move |w| Input::Crash(id(w))),
        3 => worker.clone().prop_map(move |w| Input::Restart(id(w))),
        1 => Just(Input::Crash(id(0))),
        1 => Just(Input::Restart(id(0))),
        2 => (worker.clone(), 10u64..3_000).prop_map(move |(w, ms)| Input::Pause {
            node: id(w),
            duration: Some(Time::millis(ms)),
        }),
        3 => worker.clone().prop_map(move |w| Input::Command { node: id(w), command: "stall".into() }),
        2 => (0.0f64..=1.0).prop_map(|v| Input::Knob { name: "hot_share".into(), value: KnobValue::Float(v) }),
        1 => (1i64..=8).prop_map(|v| Input::Knob { name: "permits".into(), value: KnobValue::Int(v) }),
        1 => prop_oneof![Just("none"), Just("timeout"), Just("graph")]
            .prop_map(|d| Input::Knob { name: "detection".into(), value: KnobValue::Choice(d.into()) }),
        2 => (node.clone(), node).prop_map(move |(a, b)| Input::Hold { from: id(a), to: id(b) }),
        1 => Just(Input::Heal),
    ];
    (0u64..15_000, input)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// With every transfer locking the lower-numbered account first, no
    /// fault, pause, stall or burst ever closes a cycle of waits, no money
    /// is created or destroyed, and the bank recovers once the faults end.
    #[test]
    fn with_a_global_order_no_wait_for_cycle_ever_forms(
        seed in 0u64..1_000_000,
        faults in prop::collection::vec(fault(), 0..16),
    ) {
        let mut sim = build_sim(&setup(seed, &[("order", "global"), ("think_time", "50ms")], false)).unwrap();
        for (ms, input) in faults {
            sim.schedule(Time::millis(ms), input);
        }
        let end = Time::secs(15);
        sim.schedule(end, Input::Heal);
        for i in 0..5 {
            sim.schedule(end, Input::Restart(NodeSel::Id(i)));
            sim.schedule(end, Input::Resume(NodeSel::Id(i)));
        }
        // The judge looks after every change of the lock table; look after
        // every event too, in case a change slipped past it.
        while sim.next_event_time().is_some_and(|t| t <= Time::secs(40)) {
            sim.step();
            let locks = sim.locks();
            prop_assert!(cycles(&locks).is_empty(), "a cycle at {}: {:?}", sim.now(), locks);
        }
        prop_assert_eq!(total(&sim, "deadlocks.formed"), 0);
        prop_assert_eq!(money(&sim), 6 * OPENING_BALANCE);
        // and once every fault is over and every stall has run (at most one
        // per worker, 4 s each), transfers flow again
        prop_assert!(count(&sim, "transfers.committed", 35, 40) > 50.0);
    }
}

/// Faults of the workers only: the detector lives in the bank.
fn worker_fault() -> impl Strategy<Value = (u64, Input)> {
    let worker = 1usize..5;
    let id = NodeSel::Id;
    let input = prop_oneof![
        3 => worker.clone().prop_map(move |w| Input::Crash(id(w))),
        3 => worker.clone().prop_map(move |w| Input::Restart(id(w))),
        2 => (worker.clone(), 10u64..3_000).prop_map(move |(w, ms)| Input::Pause {
            node: id(w),
            duration: Some(Time::millis(ms)),
        }),
        3 => worker.prop_map(move |w| Input::Command { node: id(w), command: "stall".into() }),
        2 => (0.0f64..=1.0).prop_map(|v| Input::Knob { name: "hot_share".into(), value: KnobValue::Float(v) }),
    ];
    (0u64..15_000, input)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// In request order with wait-for-graph detection, deadlocks form; and
    /// whatever the workers suffer (crashes mid-wait included), each is
    /// broken within one detection period, by aborting a transaction on it.
    #[test]
    fn graph_detection_breaks_every_deadlock_within_a_period(
        seed in 0u64..1_000_000,
        faults in prop::collection::vec(worker_fault(), 0..16),
    ) {
        let knobs = [("detection", "graph"), ("think_time", "50ms"), ("hot_share", "0.5")];
        let mut sim = build_sim(&setup(seed, &knobs, false)).unwrap();
        for (ms, input) in faults {
            sim.schedule(Time::millis(ms), input);
        }
        sim.run_until(Time::secs(20));
        prop_assert_eq!(total(&sim, "deadlocks.late"), 0);
        prop_assert_eq!(total(&sim, "aborts.needless"), 0);
        let longest = sim.metrics().samples("deadlocks.duration").iter().map(|s| s.1).max();
        prop_assert!(longest.unwrap_or(0) <= Time::millis(210).0, "{:?}", longest);
        prop_assert_eq!(money(&sim), 6 * OPENING_BALANCE);
    }
}

fn expect(settings: &[&str], met: [bool; 4]) {
    let l = common::lesson("deadlock");
    let ids = [
        "break-deadlocks-fast",
        "throughput-recovers",
        "no-deadlocks",
        "no-needless-aborts",
    ];
    for seed in SEEDS {
        let v = common::statuses(&l, seed, settings);
        for (id, m) in ids.iter().zip(met) {
            let want = if m { Status::Met } else { Status::Failed };
            assert_eq!(v[*id], want, "{settings:?} seed {seed}: {id} in {v:?}");
        }
    }
}

#[test]
fn lesson_defaults_fail_every_goal_but_needless_aborts() {
    expect(&[], [false, false, false, true]);
}

#[test]
fn lesson_with_graph_detection_breaks_deadlocks_fast() {
    expect(&["detection=graph"], [true, true, false, true]);
}

#[test]
fn lesson_with_timeouts_breaks_deadlocks_but_aborts_needlessly() {
    expect(&["detection=timeout"], [true, true, false, false]);
}

#[test]
fn lesson_with_a_global_order_meets_every_goal() {
    expect(&["order=global"], [true, true, true, true]);
}

#[test]
fn lesson_traces_are_deterministic_per_seed() {
    let l = common::lesson("deadlock");
    let trace = |seed| {
        let mut run = Run::new(l.clone(), seed, &[], true).unwrap();
        run.advance_to(l.length);
        run.trace_lines().collect::<Vec<_>>()
    };
    assert_eq!(trace(3), trace(3));
    assert_ne!(trace(3), trace(4));
}

/// The lesson's screens at its key instants, drawn as `splitbrain shot` draws
/// them. Review every change as if it were code.
#[test]
fn screens() {
    let at = |secs: u64, settings: &[(&str, &str)]| {
        let mut spec = ShotSpec::lesson("deadlock", Time::secs(secs), 120, 40);
        spec.settings = settings
            .iter()
            .map(|(k, v)| (k.to_string(), KnobValue::Choice(v.to_string())))
            .collect();
        spec
    };
    insta::assert_snapshot!("steady_120x40", common::screen(&at(10, &[])));
    insta::assert_snapshot!("cycle_120x40", common::screen(&at(25, &[])));
    let mut zoomed = at(25, &[]);
    zoomed.keys = shot::parse_keys("<Tab>z").unwrap();
    insta::assert_snapshot!("cycle_metrics", common::screen(&zoomed));
    let mut stall = at(53, &[("detection", "timeout")]);
    stall.keys = shot::parse_keys("<Tab>z").unwrap();
    insta::assert_snapshot!("stall_timeout_metrics", common::screen(&stall));
    let mut crash = at(68, &[("detection", "graph")]);
    crash.keys = shot::parse_keys("<Tab>z").unwrap();
    insta::assert_snapshot!("crashed_holder_metrics", common::screen(&crash));
    insta::assert_snapshot!(
        "fixed_120x40",
        common::screen(&at(90, &[("order", "global")]))
    );
    insta::assert_snapshot!("cycle_80x24", {
        let mut small = at(25, &[]);
        small.width = 80;
        small.height = 24;
        common::screen(&small)
    });
}

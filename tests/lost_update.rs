//! The lost-update scenario and lesson: read-modify-write loses updates, by
//! hand and under contention; the four cures lose none; optimistic beats
//! pessimistic with few clients and loses to it with many; the lock is never
//! held by two clients at once.

mod common;

use proptest::prelude::*;
use splitbrain::lesson::{Lesson, Run, Status};
use splitbrain::scenarios::lost_update::{LostUpdateNode, build_sim};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use splitbrain::ui::shot::{self, ShotSpec};
use std::collections::BTreeMap;

const STRATEGIES: [&str; 5] = ["rmw", "atomic", "optimistic", "pessimistic", "actor"];

fn settings(lesson: &Lesson, s: &[&str]) -> Vec<(String, KnobValue)> {
    s.iter().map(|s| lesson.parse_setting(s).unwrap()).collect()
}

fn index(run: &Run, name: &str) -> usize {
    run.cluster()
        .names()
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no node {name}"))
}

/// Delivers the oldest message in flight from `from` to `to`, as the
/// learner does with `m` and Enter; false if there is none.
fn deliver(run: &mut Run, from: &str, to: &str) -> bool {
    let (f, t) = (index(run, from), index(run, to));
    let Some(m) = run
        .cluster()
        .in_flight()
        .into_iter()
        .find(|m| m.from == f && m.to == t)
    else {
        return false;
    };
    run.input(Input::DeliverMessage(m.id));
    let next = run.now() + Time::millis(10);
    run.advance_to(next);
    true
}

/// Both clients read before either writes: the interleaving that loses an
/// update under read-modify-write. As (from, to) pairs of the messages
/// delivered, in order.
const BOTH_READ_FIRST: [(&str, &str); 8] = [
    ("c1", "store"),
    ("c2", "store"),
    ("store", "c1"),
    ("store", "c2"),
    ("c1", "store"),
    ("c2", "store"),
    ("store", "c1"),
    ("store", "c2"),
];

/// A run of the lesson in which the learner plays `BOTH_READ_FIRST` at 5 s;
/// returns the run and how many of the deliveries found a message to deliver.
fn by_hand(seed: u64, strategy: &str) -> (Run, usize) {
    let l = common::lesson("lost-update");
    let s = settings(&l, &[&format!("strategy={strategy}")]);
    let mut run = Run::new(l, seed, &s, false).unwrap();
    run.advance_to(Time::secs(5));
    let delivered = BOTH_READ_FIRST
        .iter()
        .filter(|(f, t)| deliver(&mut run, f, t))
        .count();
    (run, delivered)
}

fn total(run: &Run, metric: &str) -> u64 {
    run.cluster().metrics().total(metric)
}

fn gauge(run: &Run, metric: &str) -> f64 {
    run.cluster().metrics().current(metric).unwrap_or(0.0)
}

#[test]
fn nothing_moves_in_the_first_minute_unless_the_learner_delivers_it() {
    let l = common::lesson("lost-update");
    let mut run = Run::new(l, 1, &[], false).unwrap();
    run.advance_to(Time::secs(59));
    assert_eq!(total(&run, "increments.done"), 0);
    assert_eq!(gauge(&run, "count.expected"), 0.0);
    // one read from each working client waits on its held link
    let held: Vec<_> = run
        .cluster()
        .in_flight()
        .into_iter()
        .filter(|m| m.arrives_at.is_none())
        .map(|m| m.kind)
        .collect();
    assert_eq!(held, ["read", "read"]);
}

#[test]
fn both_reads_before_either_write_lose_an_update_by_hand() {
    for seed in 0..8 {
        let (mut run, delivered) = by_hand(seed, "rmw");
        assert_eq!(delivered, 8, "seed {seed}");
        assert_eq!(total(&run, "increments.done"), 2, "seed {seed}");
        assert_eq!(gauge(&run, "count.expected"), 2.0, "seed {seed}");
        assert_eq!(gauge(&run, "count.actual"), 1.0, "seed {seed}");
        assert_eq!(total(&run, "updates.lost"), 1, "seed {seed}");
        run.advance_to(Time::secs(60));
        let v = run.verdicts();
        assert_eq!(v[0].status, Status::Met, "seed {seed}: {:?}", v[0]);
    }
}

#[test]
fn the_same_deliveries_lose_nothing_under_every_cure() {
    for strategy in ["atomic", "optimistic", "pessimistic", "actor"] {
        for seed in 0..4 {
            let (run, delivered) = by_hand(seed, strategy);
            assert_eq!(total(&run, "updates.lost"), 0, "{strategy} seed {seed}");
            assert_eq!(
                gauge(&run, "count.expected"),
                gauge(&run, "count.actual"),
                "{strategy} seed {seed}"
            );
            match strategy {
                // c2 waits for the lock: its read cannot overtake c1's write
                "pessimistic" => assert!(delivered < 8, "{strategy}: {delivered}"),
                // no read at all: all four increments count
                "atomic" => assert_eq!(total(&run, "increments.done"), 4),
                // c2's compare-and-set was refused and it read again
                "optimistic" => {
                    assert_eq!(total(&run, "increments.done"), 1);
                    assert_eq!(total(&run, "cas.conflicts"), 1);
                }
                _ => assert!(total(&run, "increments.done") >= 2),
            }
        }
    }
}

/// Runs the whole lesson as a learner would: with `hands`, the lost update
/// built by hand at 5 s; then `changes` of the strategy, each at its instant
/// (the first at the question, 59.5 s, typically).
fn play(seed: u64, hands: bool, changes: &[(Time, &str)]) -> Run {
    let l = common::lesson("lost-update");
    let mut run = Run::new(l.clone(), seed, &[], false).unwrap();
    if hands {
        run.advance_to(Time::secs(5));
        for (f, t) in BOTH_READ_FIRST {
            deliver(&mut run, f, t);
        }
    }
    for &(at, strategy) in changes {
        run.advance_to(at);
        run.input(Input::Knob {
            name: "strategy".into(),
            value: KnobValue::Choice(strategy.into()),
        });
    }
    run.advance_to(l.length);
    run
}

/// Each objective's status and details, by id.
fn verdicts(run: &Run) -> Vec<(String, Status, Vec<String>)> {
    run.lesson()
        .objectives
        .iter()
        .zip(run.verdicts())
        .map(|(o, v)| (o.id.clone(), v.status, v.details))
        .collect()
}

const QUESTION: Time = Time::millis(59_500);

/// The lesson played by hand, then with `strategy` from the question on.
fn cured(seed: u64, strategy: &str) -> Vec<(String, Status, Vec<String>)> {
    verdicts(&play(seed, true, &[(QUESTION, strategy)]))
}

fn status(v: &[(String, Status, Vec<String>)], id: &str) -> Status {
    v.iter()
        .find(|o| o.0 == id)
        .unwrap_or_else(|| panic!("no objective {id}"))
        .1
}

const SEEDS: std::ops::Range<u64> = 0..8;

#[test]
fn read_modify_write_fails_the_lesson() {
    for seed in SEEDS {
        let v = verdicts(&play(seed, false, &[]));
        assert_eq!(status(&v, "lose-one-by-hand"), Status::Failed, "{v:?}");
        assert_eq!(status(&v, "no-update-lost"), Status::Failed, "{v:?}");
        // with hands, part 1 is met and rmw still loses updates under contention
        let v = verdicts(&play(seed, true, &[]));
        assert_eq!(status(&v, "lose-one-by-hand"), Status::Met, "{v:?}");
        assert_eq!(status(&v, "no-update-lost"), Status::Failed, "{v:?}");
    }
}

#[test]
fn atomic_and_actor_pass_every_objective() {
    for strategy in ["atomic", "actor"] {
        for seed in SEEDS {
            let v = cured(seed, strategy);
            for (id, s, d) in &v {
                assert_eq!(*s, Status::Met, "{strategy} seed {seed}: {id} {d:?}");
            }
        }
    }
}

#[test]
fn optimistic_is_quick_alone_and_slow_under_contention_and_pessimistic_the_reverse() {
    for seed in SEEDS {
        let v = cured(seed, "optimistic");
        assert_eq!(status(&v, "no-update-lost"), Status::Met, "{v:?}");
        assert_eq!(status(&v, "quick-alone"), Status::Met, "{v:?}");
        assert_eq!(
            status(&v, "quick-under-contention"),
            Status::Failed,
            "{v:?}"
        );
        let v = cured(seed, "pessimistic");
        assert_eq!(status(&v, "no-update-lost"), Status::Met, "{v:?}");
        assert_eq!(status(&v, "quick-alone"), Status::Failed, "{v:?}");
        assert_eq!(status(&v, "quick-under-contention"), Status::Met, "{v:?}");
    }
}

#[test]
fn switching_from_optimistic_to_pessimistic_at_the_crossover_passes_every_objective() {
    for seed in 0..4 {
        let run = play(
            seed,
            true,
            &[(QUESTION, "optimistic"), (Time::secs(110), "pessimistic")],
        );
        for (id, s, d) in verdicts(&run) {
            assert_eq!(s, Status::Met, "seed {seed}: {id} {d:?}");
        }
    }
}

#[test]
fn whole_lesson_traces_are_deterministic_per_seed() {
    let l = common::lesson("lost-update");
    let trace = |seed| {
        let s = settings(&l, &["strategy=pessimistic"]);
        let mut run = Run::new(l.clone(), seed, &s, true).unwrap();
        run.advance_to(Time::secs(70));
        run.trace_lines().collect::<Vec<_>>()
    };
    let a = trace(3);
    assert_eq!(a, trace(3));
    assert_ne!(a, trace(4));
}

// The scenario on its own, with a fixed number of clients.

fn setup(seed: u64, strategy: &str, clients: i64) -> Setup {
    let node = |name: &str, role: &str| NodeDef {
        name: name.into(),
        role: role.into(),
    };
    let mut nodes = vec![node("store", "store"), node("locks", "lock-server")];
    for i in 1..=10 {
        nodes.push(node(&format!("c{i}"), "client"));
    }
    let mut knobs = BTreeMap::new();
    knobs.insert("strategy".into(), KnobValue::Choice(strategy.into()));
    knobs.insert("clients".into(), KnobValue::Int(clients));
    knobs.insert("store_time".into(), KnobValue::Duration(Time::millis(2)));
    Setup {
        seed,
        nodes,
        link: LinkConfig {
            latency: Latency::Normal {
                mean: Time::millis(2),
                stddev: Time::micros(400),
            },
            loss: 0.0,
            duplicate: 0.0,
        },
        links: vec![],
        processing: Time::micros(20),
        knobs,
        trace: false,
    }
}

/// Increments done per second over `secs` seconds.
fn throughput(seed: u64, strategy: &str, clients: i64, secs: u64) -> f64 {
    let mut sim = build_sim(&setup(seed, strategy, clients)).unwrap();
    sim.run_until(Time::secs(secs));
    sim.metrics().total("increments.done") as f64 / secs as f64
}

#[test]
fn optimistic_wins_at_low_contention_and_pessimistic_at_high() {
    for seed in 0..4 {
        for clients in [1, 2] {
            let (o, p) = (
                throughput(seed, "optimistic", clients, 10),
                throughput(seed, "pessimistic", clients, 10),
            );
            assert!(o > p * 1.3, "seed {seed}, {clients} clients: {o} vs {p}");
        }
        for clients in [8, 10] {
            let (o, p) = (
                throughput(seed, "optimistic", clients, 10),
                throughput(seed, "pessimistic", clients, 10),
            );
            assert!(p > o * 1.5, "seed {seed}, {clients} clients: {o} vs {p}");
        }
    }
}

#[test]
fn read_modify_write_loses_more_updates_as_clients_are_added() {
    let lost = |clients| {
        let mut sim = build_sim(&setup(1, "rmw", clients)).unwrap();
        sim.run_until(Time::secs(10));
        let m = sim.metrics();
        let shortfall = m.current("count.expected").unwrap() - m.current("count.actual").unwrap();
        (m.total("updates.lost"), shortfall)
    };
    assert_eq!(lost(1), (0, 0.0));
    let (two, four, ten) = (lost(2), lost(4), lost(10));
    assert!(
        two.0 > 0 && four.0 > two.0 && ten.0 > four.0,
        "{two:?} {four:?} {ten:?}"
    );
    assert!(ten.1 >= ten.0 as f64 * 0.9, "{ten:?}");
}

#[test]
fn the_cluster_is_checked() {
    let mut s = setup(0, "rmw", 2);
    s.nodes.retain(|n| n.role != "lock-server");
    assert!(build_sim(&s).err().unwrap().contains("lock-server"));
    let mut s = setup(0, "rmw", 2);
    s.nodes.retain(|n| n.role != "client");
    assert!(build_sim(&s).err().unwrap().contains("client"));
    let mut s = setup(0, "rmw", 2);
    s.nodes[2].role = "replica".into();
    assert!(build_sim(&s).err().unwrap().contains("replica"));
}

#[test]
fn the_lock_server_shows_its_table_and_a_client_holding_it_is_a_holder() {
    let mut sim = build_sim(&setup(2, "pessimistic", 10)).unwrap();
    sim.run_until(Time::millis(3_001));
    let locks = sim.locks();
    assert_eq!(locks.len(), 1);
    assert_eq!(locks[0].name, "stock");
    assert!(locks[0].holders.len() <= 1);
    assert!(locks[0].waiters.len() >= 5, "{locks:?}");
    let holders = (0..12).filter(|&i| sim.node(i).role() == "holder").count();
    assert!(holders <= 1);
    let m = sim.metrics();
    assert!(
        m.query("lock.stock.waiting", Stat::Max, Time::ZERO, Time::secs(3))
            .unwrap()
            >= 8.0
    );
    assert_eq!(
        m.query("lock.believers", Stat::Max, Time::ZERO, Time::secs(3)),
        Some(1.0)
    );
}

#[test]
fn the_lock_is_handed_out_first_come_first_served() {
    for seed in 0..4 {
        let mut sim = build_sim(&setup(seed, "pessimistic", 10)).unwrap();
        sim.run_until(Time::secs(20));
        let done: Vec<u64> = (0..12)
            .filter_map(|i| sim.node(i).as_client().map(|c| c.done()))
            .collect();
        let (lo, hi) = (*done.iter().min().unwrap(), *done.iter().max().unwrap());
        assert!(lo > 0 && hi <= lo + 2, "seed {seed}: {done:?}");
        // each waits for the nine others: about nine critical sections
        let wait = sim
            .metrics()
            .query("lock.wait", Stat::P99, Time::secs(5), Time::secs(20))
            .unwrap();
        assert!(wait < Time::millis(140).0 as f64, "seed {seed}: p99 {wait}");
    }
}

#[test]
fn a_paused_holder_stops_everyone_until_it_wakes() {
    let mut sim = build_sim(&setup(1, "pessimistic", 10)).unwrap();
    sim.run_until(Time::secs(5));
    // the lock may be on its way from one holder to the next: wait for a holder
    let holder = loop {
        if let Some(h) = (0..12).find(|&i| sim.node(i).role() == "holder") {
            break h;
        }
        assert!(sim.step());
    };
    let at = sim.now();
    assert!(at < Time::millis(5_100));
    sim.schedule(
        at,
        Input::Pause {
            node: NodeSel::Role("holder".into()),
            duration: Some(Time::secs(3)),
        },
    );
    sim.run_until(at);
    assert_eq!(sim.health(holder), Health::Paused);
    sim.run_until(Time::secs(12));
    let m = sim.metrics();
    let done = |a: u64, b: u64| {
        m.query(
            "increments.done",
            Stat::Count,
            Time::millis(a),
            Time::millis(b),
        )
        .unwrap()
    };
    assert_eq!(done(5_100, 7_900), 0.0);
    assert!(done(8_500, 11_500) > 200.0);
    let queue = m.query(
        "lock.stock.waiting",
        Stat::Min,
        Time::millis(5_100),
        Time::millis(7_900),
    );
    assert_eq!(queue, Some(9.0));
}

/// Arbitrary faults: clients, the store and the lock server crash, restart
/// and pause; links change.
fn fault() -> impl Strategy<Value = (u64, Input)> {
    let node = 0usize..12;
    let client = 2usize..12;
    let id = NodeSel::Id;
    let input = prop_oneof![
        4 => client.clone().prop_map(move |c| Input::Crash(id(c))),
        4 => client.clone().prop_map(move |c| Input::Restart(id(c))),
        2 => Just(Input::Crash(NodeSel::Role("holder".into()))),
        1 => (0usize..2).prop_map(move |n| Input::Crash(id(n))),
        2 => (0usize..2).prop_map(move |n| Input::Restart(id(n))),
        3 => (node.clone(), 10u64..2_000).prop_map(move |(n, ms)| Input::Pause {
            node: id(n),
            duration: Some(Time::millis(ms)),
        }),
        1 => (1i64..=10).prop_map(|n| Input::Knob { name: "clients".into(), value: KnobValue::Int(n) }),
    ];
    (0u64..8_000, input)
}

fn faulty_run(seed: u64, strategy: &str, faults: Vec<(u64, Input)>) -> Sim<LostUpdateNode> {
    let mut s = setup(seed, strategy, 10);
    s.link = LinkConfig {
        latency: Latency::Uniform {
            min: Time::micros(500),
            max: Time::millis(8),
        },
        loss: 0.0,
        duplicate: 0.02,
    };
    let mut sim = build_sim(&s).unwrap();
    for (ms, input) in faults {
        sim.schedule(Time::millis(ms), input);
    }
    let end = Time::secs(8);
    for i in 0..12 {
        sim.schedule(end, Input::Restart(NodeSel::Id(i)));
        sim.schedule(end, Input::Resume(NodeSel::Id(i)));
    }
    sim.run_until(Time::secs(10));
    sim
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// However clients, the store and the lock server crash and pause, and
    /// messages are reordered and duplicated, no two clients ever believe
    /// at once that they hold the lock.
    #[test]
    fn pessimistic_locking_never_has_two_holders(
        seed in 0u64..1_000_000,
        faults in prop::collection::vec(fault(), 0..14),
    ) {
        let sim = faulty_run(seed, "pessimistic", faults);
        prop_assert!(sim.world().most_believers() <= 1);
        let most = sim.metrics().query("lock.believers", Stat::Max, Time::ZERO, Time::secs(10));
        prop_assert!(most.unwrap_or(0.0) <= 1.0);
        // and the lock server's table agrees with at most one holder
        for l in sim.locks() {
            prop_assert!(l.holders.len() <= 1);
        }
    }

    /// Optimistic concurrency and a single owner never lose an update, under
    /// the same faults.
    #[test]
    fn optimistic_and_actor_never_lose_an_update(
        seed in 0u64..1_000_000,
        faults in prop::collection::vec(fault(), 0..14),
        actor in any::<bool>(),
    ) {
        let strategy = if actor { "actor" } else { "optimistic" };
        let sim = faulty_run(seed, strategy, faults);
        prop_assert_eq!(sim.metrics().total("updates.lost"), 0);
        let j = sim.world();
        prop_assert!(j.actual() >= j.expected() as i64);
        prop_assert!(sim.metrics().total("increments.done") > 0);
    }
}

/// Prints throughput and lost updates per strategy and number of clients:
/// `cargo test --release --test lost_update report -- --ignored --nocapture`.
#[test]
#[ignore]
fn report() {
    print!("{:12}", "clients");
    let counts = [1, 2, 3, 4, 5, 6, 8, 10];
    for c in counts {
        print!("{c:>8}");
    }
    println!();
    for strategy in STRATEGIES {
        print!("{strategy:12}");
        for c in counts {
            let t: f64 = (0..5)
                .map(|seed| throughput(seed, strategy, c, 30))
                .sum::<f64>()
                / 5.0;
            print!("{t:>8.0}");
        }
        println!();
    }
}

/// The lesson's screens at its key instants, drawn as `splitbrain shot` draws
/// them. Review every change as if it were code.
#[test]
fn screens() {
    // Playing the scheduler: the two reads wait on held links.
    let mut by_hand = ShotSpec::lesson("lost-update", Time::secs(5), 120, 40);
    by_hand.keys = shot::parse_keys("m").unwrap();
    insta::assert_snapshot!("by_hand_120x40", common::screen(&by_hand));
    for (at, strategy, label) in [
        (70, "rmw", "one_client"),
        (130, "rmw", "rmw_ten_clients"),
        (130, "optimistic", "optimistic_ten_clients"),
        (130, "pessimistic", "pessimistic_ten_clients"),
    ] {
        let mut spec = ShotSpec::lesson("lost-update", Time::secs(at), 120, 40);
        spec.settings = vec![("strategy".into(), KnobValue::Choice(strategy.into()))];
        insta::assert_snapshot!(format!("{label}_120x40"), common::screen(&spec));
    }
    let mut small = ShotSpec::lesson("lost-update", Time::secs(130), 80, 24);
    small.settings = vec![("strategy".into(), KnobValue::Choice("pessimistic".into()))];
    insta::assert_snapshot!("pessimistic_80x24", common::screen(&small));
}

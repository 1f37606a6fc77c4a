//! The event-driven lesson: with thin notifications Shipping needs Customer
//! for every order and stops while it is down; with the state carried in the
//! event it keeps shipping from its replica; publishing from memory after the
//! commit loses the events a crash catches, and with a transactional outbox
//! none is lost and the replicas catch up, whatever the faults.

mod common;

use proptest::prelude::*;
use splitbrain::lesson::{Lesson, Status};
use splitbrain::scenarios::event_driven::{EventDrivenNode, build_sim};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use splitbrain::ui::shot::ShotSpec;
use std::sync::Arc;

const CUSTOMER: usize = 0;
const SHIPPING: usize = 1;
const BILLING: usize = 2;
const SEEDS: std::ops::Range<u64> = 0..12;
const OBJECTIVES: [&str; 3] = ["shipping-available", "no-event-lost", "fresh-once-back"];
const CURE: [&str; 2] = ["style=state-transfer", "outbox=on"];

fn expect(
    l: &Arc<Lesson>,
    seeds: std::ops::Range<u64>,
    settings: &[&str],
    want: &[(&str, Status)],
) {
    for seed in seeds {
        let v = common::statuses(l, seed, settings);
        for (id, status) in want {
            assert_eq!(v[*id], *status, "{settings:?} seed {seed}: {id} in {v:?}");
        }
    }
}

#[test]
fn notifications_from_memory_fail_every_objective() {
    let l = common::lesson("event-driven");
    let failed: Vec<_> = OBJECTIVES.iter().map(|&o| (o, Status::Failed)).collect();
    expect(&l, SEEDS, &[], &failed);
}

#[test]
fn state_transfer_and_an_outbox_meet_every_objective() {
    let l = common::lesson("event-driven");
    let met: Vec<_> = OBJECTIVES.iter().map(|&o| (o, Status::Met)).collect();
    expect(&l, SEEDS, &CURE, &met);
}

/// Each half of the cure does its own half: state transfer keeps Shipping
/// available but loses events; the outbox loses none but Shipping still
/// stops with Customer. (Thin events with the outbox come near the staleness
/// bound, a callback's round trip and retries on top of the relay's period,
/// so that objective is not asserted for them.)
#[test]
fn each_half_of_the_cure_meets_only_its_own_objectives() {
    let l = common::lesson("event-driven");
    expect(
        &l,
        0..4,
        &["style=state-transfer"],
        &[
            ("shipping-available", Status::Met),
            ("no-event-lost", Status::Failed),
            ("fresh-once-back", Status::Failed),
        ],
    );
    expect(
        &l,
        0..4,
        &["outbox=on"],
        &[
            ("shipping-available", Status::Failed),
            ("no-event-lost", Status::Met),
        ],
    );
}

fn setup(seed: u64, knobs: &[(&str, KnobValue)]) -> Setup {
    let node = |name: &str, role: &str| NodeDef {
        name: name.into(),
        role: role.into(),
    };
    Setup {
        seed,
        nodes: vec![
            node("customer", "customer"),
            node("shipping", "shipping"),
            node("billing", "billing"),
        ],
        link: LinkConfig {
            latency: Latency::Normal {
                mean: Time::millis(5),
                stddev: Time::millis(1),
            },
            loss: 0.0,
            duplicate: 0.0,
        },
        links: vec![],
        processing: Time::micros(20),
        knobs: knobs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        trace: false,
    }
}

fn style(word: &str) -> (&'static str, KnobValue) {
    ("style", KnobValue::Choice(word.into()))
}

fn outbox(on: bool) -> (&'static str, KnobValue) {
    ("outbox", KnobValue::Bool(on))
}

/// Without the outbox a crash loses the events the publisher had not sent
/// yet: committed since its last round, which came a uniformly random part
/// of `relay_every` ago, so on average `changes × relay_every / 2` per crash
/// (events already sent still arrive). Measured over 80 one-second crashes
/// per period, within 20%; with the outbox, none.
#[test]
fn events_lost_per_crash_match_the_publishers_half_period() {
    for (period_ms, want) in [(50u64, 1.25), (200, 5.0), (1000, 25.0)] {
        let mut lost = [0u64; 2];
        let mut crashes = 0;
        for (i, on) in [false, true].into_iter().enumerate() {
            for seed in 0..2 {
                let knobs = [
                    style("state-transfer"),
                    outbox(on),
                    ("relay_every", KnobValue::Duration(Time::millis(period_ms))),
                ];
                let mut sim = build_sim(&setup(seed, &knobs)).unwrap();
                for k in 1..=40u64 {
                    let at = Time::secs(6 * k);
                    sim.schedule(at, Input::Crash(NodeSel::Id(CUSTOMER)));
                    sim.schedule(at + Time::secs(1), Input::Restart(NodeSel::Id(CUSTOMER)));
                }
                sim.run_until(Time::secs(246));
                lost[i] += sim.metrics().total("events.lost");
                crashes += 40;
            }
        }
        let per_crash = lost[0] as f64 / (crashes / 2) as f64;
        assert!(
            (per_crash - want).abs() <= 0.2 * want,
            "relay_every {period_ms} ms: {per_crash:.2} lost per crash, computed {want:.2}"
        );
        assert_eq!(lost[1], 0, "relay_every {period_ms} ms with the outbox");
    }
}

/// Under notification every order is a callback, and every event one per
/// consumer: Customer answers about orders + 2 × changes a second. Under
/// state transfer it answers none.
#[test]
fn notification_puts_its_consumers_reads_on_customer() {
    for (word, want) in [("notification", 30.0 + 2.0 * 50.0), ("state-transfer", 0.0)] {
        let mut sim = build_sim(&setup(3, &[style(word)])).unwrap();
        sim.run_until(Time::secs(61));
        let rate = sim
            .metrics()
            .query(
                "callbacks.served",
                Stat::Rate,
                Time::secs(10),
                Time::secs(60),
            )
            .unwrap();
        assert!(
            (rate - want).abs() <= 0.1 * want.max(1.0),
            "{word}: {rate:.1} callbacks a second, computed {want}"
        );
    }
}

/// Arbitrary faults: crashes and restarts of any node, pauses, cut links,
/// isolation, and links that lose, duplicate and reorder (a wide latency
/// spread delivers messages out of order).
fn fault() -> impl Strategy<Value = (u64, Input)> {
    let node = 0usize..3;
    let id = NodeSel::Id;
    let input = prop_oneof![
        3 => node.clone().prop_map(move |n| Input::Crash(id(n))),
        3 => node.clone().prop_map(move |n| Input::Restart(id(n))),
        2 => (node.clone(), 100u64..8_000).prop_map(move |(n, ms)| Input::Pause {
            node: id(n),
            duration: Some(Time::millis(ms)),
        }),
        2 => (node.clone(), node.clone()).prop_map(move |(a, b)| Input::Cut { from: id(a), to: id(b) }),
        1 => node.clone().prop_map(move |n| Input::Isolate(id(n))),
        2 => Just(Input::Heal),
        4 => (node.clone(), 0.0f64..0.5, 0.0f64..0.3, 1u64..400).prop_map(
            move |(n, loss, dup, spread)| Input::SetLink {
                from: Some(id(n)),
                to: None,
                change: LinkChange {
                    latency: Some(Latency::Uniform {
                        min: Time::millis(1),
                        max: Time::millis(1 + spread),
                    }),
                    loss: Some(loss),
                    duplicate: Some(dup),
                },
            },
        ),
    ];
    (0u64..30_000, input)
}

/// Every consumer's view against Customer's records: no version ahead of
/// Customer's, the same address wherever the versions agree.
fn views_agree(sim: &Sim<EventDrivenNode>) -> Result<(), String> {
    let truth = sim.node(CUSTOMER).as_customer().unwrap().records();
    let views = [
        sim.node(SHIPPING).as_shipping().unwrap().consumer.replica(),
        sim.node(BILLING).as_billing().unwrap().consumer.replica(),
    ];
    for (rank, view) in views.iter().enumerate() {
        for (c, (mine, theirs)) in view.iter().zip(truth).enumerate() {
            if mine.0 > theirs.0 || (mine.0 == theirs.0 && mine.1 != theirs.1) {
                return Err(format!(
                    "consumer {rank}, customer {c}: {mine:?} against {theirs:?}"
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(11),
        ..ProptestConfig::default()
    })]

    /// With the outbox, whatever the faults, no committed change's event is
    /// lost, no view holds what Customer never wrote, and once every node is
    /// up and every link whole each consumer catches up: 10 s later it knows
    /// every change committed more than 2 s before.
    #[test]
    fn with_the_outbox_every_change_reaches_every_consumer(
        seed in 0u64..1_000_000,
        fat in any::<bool>(),
        faults in prop::collection::vec(fault(), 0..12),
    ) {
        let word = if fat { "state-transfer" } else { "notification" };
        let mut sim = build_sim(&setup(seed, &[style(word), outbox(true)])).unwrap();
        for (ms, input) in faults {
            sim.schedule(Time::millis(ms), input);
        }
        let calm = Time::secs(35);
        for n in 0..3 {
            sim.schedule(calm, Input::Restart(NodeSel::Id(n)));
            sim.schedule(calm, Input::Resume(NodeSel::Id(n)));
            sim.schedule(calm, Input::SetLink {
                from: Some(NodeSel::Id(n)),
                to: None,
                change: LinkChange {
                    latency: Some(Latency::Constant { value: Time::millis(5) }),
                    loss: Some(0.0),
                    duplicate: Some(0.0),
                },
            });
        }
        sim.schedule(calm, Input::Heal);
        sim.run_until(calm + Time::secs(10));
        prop_assert_eq!(sim.metrics().total("events.lost"), 0);
        prop_assert!(sim.metrics().total("changes.committed") > 0);
        if let Err(e) = views_agree(&sim) {
            prop_assert!(false, "{}", e);
        }
        let now = sim.now();
        let judge = sim.world();
        for rank in 0..2 {
            let stale = judge.staleness(rank, now);
            prop_assert!(stale <= Time::secs(2), "consumer {} is {} behind", rank, stale);
        }
    }
}

/// The lesson's screens at its key instants, drawn as `splitbrain shot` draws
/// them. Review every change as if it were code.
#[test]
fn screens() {
    let with = |settings: &[&str], at: Time, w: u16, h: u16| {
        let mut spec = ShotSpec::lesson("event-driven", at, w, h);
        spec.settings = settings
            .iter()
            .map(|s| {
                let (k, v) = s.split_once('=').unwrap();
                let value = match v {
                    "on" => KnobValue::Bool(true),
                    "off" => KnobValue::Bool(false),
                    w => KnobValue::Choice(w.into()),
                };
                (k.to_string(), value)
            })
            .collect();
        spec
    };
    let st: &[&str] = &["style=state-transfer"];
    for (settings, at, label) in [
        (&[][..], Time::secs(38), "notification_customer_down"),
        (&[][..], Time::secs(42), "notification_callback_burst"),
        (st, Time::secs(38), "state_transfer_customer_down"),
        (st, Time::secs(95), "state_transfer_dual_write"),
        (&CURE[..], Time::secs(95), "outbox_after_crash"),
    ] {
        insta::assert_snapshot!(
            format!("{label}_120x40"),
            common::screen(&with(settings, at, 120, 40))
        );
    }
    insta::assert_snapshot!(
        "notification_customer_down_80x24",
        common::screen(&with(&[], Time::secs(38), 80, 24))
    );
    insta::assert_snapshot!(
        "state_transfer_dual_write_80x24",
        common::screen(&with(st, Time::secs(95), 80, 24))
    );
}

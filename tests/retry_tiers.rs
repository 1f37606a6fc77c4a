//! The retry-storm scenario's second lesson, retries at every layer: a short
//! overload of the database becomes a storm that outlives it, and a retry
//! budget, propagated deadlines and retrying only transient failures end it;
//! whatever the faults, with them a layer never resends an order whose fate
//! it cannot know and never retries beyond its budget.

mod common;

use common::retry::*;
use proptest::prelude::*;
use splitbrain::lesson::Status;
use splitbrain::scenarios::Setup;
use splitbrain::scenarios::retry_storm::{RetryNode, build_sim};
use splitbrain::sim::*;
use splitbrain::ui::shot::ShotSpec;

/// The chain of the second lesson, with its numbers.
fn chain(seed: u64, knobs: &[(&str, KnobValue)]) -> Setup {
    let mut all = vec![
        ("load", KnobValue::Int(2)),
        ("db_time", KnobValue::Duration(Time::millis(200))),
        ("db_queue", KnobValue::Int(10)),
        ("backoff", KnobValue::Choice("full-jitter".into())),
        ("clients", KnobValue::Int(0)),
    ];
    all.extend(knobs.iter().cloned());
    setup(
        seed,
        vec![
            node("users", "users"),
            node("front", "front"),
            node("service", "service"),
            node("database", "database"),
        ],
        Latency::Normal {
            mean: Time::millis(2),
            stddev: Time::micros(500),
        },
        &all,
    )
}

const TIERS: [&str; 3] = ["no-amplification", "goodput-recovers", "no-wasted-work"];

#[test]
fn without_the_cures_the_overload_turns_into_a_storm_that_outlives_it() {
    let l = common::lesson("retry-tiers");
    let failed: Vec<_> = TIERS.iter().map(|o| (*o, Status::Failed)).collect();
    expect(&l, &[], &failed);
    // The storm is metastable: two minutes after the trigger, still no goodput.
    for seed in SEEDS {
        let mut sim = build_sim(&chain(seed, &[])).unwrap();
        sim.schedule(
            Time::secs(30),
            knob("db_time", KnobValue::Duration(Time::millis(600))),
        );
        sim.schedule(
            Time::secs(50),
            knob("db_time", KnobValue::Duration(Time::millis(200))),
        );
        sim.run_until(Time::secs(180));
        let m = sim.metrics();
        let ok = m
            .query("goodput", Stat::Count, Time::secs(120), Time::secs(180))
            .unwrap();
        let asked = m
            .query("requests", Stat::Count, Time::secs(120), Time::secs(180))
            .unwrap();
        let db = m
            .query("calls.db", Stat::Count, Time::secs(120), Time::secs(180))
            .unwrap();
        assert!(ok < 0.05 * asked, "seed {seed}: {ok} of {asked}");
        assert!(
            db > 30.0 * asked,
            "seed {seed}: {db} calls for {asked} requests"
        );
    }
}

#[test]
fn a_budget_deadlines_and_transient_only_retries_stop_it() {
    let l = common::lesson("retry-tiers");
    let met: Vec<_> = TIERS.iter().map(|o| (*o, Status::Met)).collect();
    expect(
        &l,
        &["retry_budget=0.1", "deadline=on", "retry_on=transient"],
        &met,
    );
}

fn layers(
    sim: &Sim<RetryNode>,
) -> impl Iterator<Item = &splitbrain::scenarios::retry_storm::Layer> {
    (0..3).filter_map(|i| sim.node(i).as_layer())
}

proptest! {
    #![proptest_config(fixed(24))]

    /// With transient-only retries and a retry budget, with or without
    /// deadlines, whatever the faults:
    /// no layer sends an order again once an attempt of it has timed out
    /// (it cannot know whether the order was placed), and each layer's
    /// retries stay within gRPC's token arithmetic: fewer than 5 per life of
    /// the node plus the ratio times its successful calls.
    #[test]
    fn the_cured_chain_never_resends_an_unknown_order_or_overspends_its_budget(
        seed in 0u64..1_000_000,
        load in 1i64..8,
        deadline in any::<bool>(),
        faults in prop::collection::vec(fault(), 0..14),
    ) {
        let knobs = [
            ("retry_budget", choice("0.1")),
            ("retry_on", choice("transient")),
            ("deadline", KnobValue::Bool(deadline)),
            ("load", KnobValue::Int(load)),
        ];
        let mut sim = build_sim(&chain(seed, &knobs)).unwrap();
        for (ms, input) in faults {
            sim.schedule(Time::millis(ms), input);
        }
        sim.run_until(Time::secs(70));
        prop_assert_eq!(sim.world().orders_retried_unknown(), 0);
        for layer in layers(&sim) {
            let (_, retried) = layer.sent();
            let (ok, restarts) = layer.succeeded();
            let bound = 5.0 * (1 + restarts) as f64 + 0.1 * ok as f64;
            prop_assert!((retried as f64) < bound + 1e-9, "{:?}: {} retries, bound {}", layer.tier(), retried, bound);
        }
    }
}

/// The lesson's screens at the instants its story turns on, drawn as
/// `splitbrain shot` draws them. Review every change as if it were code.
#[test]
fn screens() {
    for (at, label) in [
        (Time::secs(45), "overload"),
        (Time::secs(90), "storm_outlives_it"),
    ] {
        let spec = ShotSpec::lesson("retry-tiers", at, 120, 40);
        insta::assert_snapshot!(format!("tiers_{label}_120x40"), common::screen(&spec));
    }
    let mut cured = ShotSpec::lesson("retry-tiers", Time::secs(90), 120, 40);
    cured.settings = vec![
        ("retry_budget".into(), choice("0.1")),
        ("deadline".into(), KnobValue::Bool(true)),
        ("retry_on".into(), choice("transient")),
    ];
    insta::assert_snapshot!("tiers_cured_120x40", common::screen(&cured));
    let small = ShotSpec::lesson("retry-tiers", Time::secs(90), 80, 24);
    insta::assert_snapshot!("tiers_storm_80x24", common::screen(&small));
}

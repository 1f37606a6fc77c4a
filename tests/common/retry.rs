//! What the retry-storm scenario's two test files share: setups of its
//! clusters, the objectives over seeds, and faults for its property tests.

use super::statuses;
use proptest::prelude::*;
use splitbrain::lesson::{Lesson, Status};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::*;
use std::sync::Arc;

pub const SEEDS: std::ops::Range<u64> = 0..12;

pub fn expect(l: &Arc<Lesson>, settings: &[&str], want: &[(&str, Status)]) {
    for seed in SEEDS {
        let v = statuses(l, seed, settings);
        for (id, status) in want {
            assert_eq!(v[*id], *status, "{settings:?} seed {seed}: {id} in {v:?}");
        }
    }
}

pub fn node(name: &str, role: &str) -> NodeDef {
    NodeDef {
        name: name.into(),
        role: role.into(),
    }
}

pub fn setup(
    seed: u64,
    nodes: Vec<NodeDef>,
    latency: Latency,
    knobs: &[(&str, KnobValue)],
) -> Setup {
    Setup {
        seed,
        nodes,
        link: LinkConfig {
            latency,
            loss: 0.0,
            duplicate: 0.0,
        },
        links: vec![],
        processing: Time::ZERO,
        knobs: knobs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        trace: false,
    }
}

pub fn choice(v: &str) -> KnobValue {
    KnobValue::Choice(v.into())
}

pub fn knob(name: &str, value: KnobValue) -> Input {
    Input::Knob {
        name: name.into(),
        value,
    }
}

/// Faults anywhere in the chain: crashes and restarts, pauses, partitions,
/// cuts, loss, duplication, reordering (latency spread) and slow links.
pub fn fault() -> impl Strategy<Value = (u64, Input)> {
    let node = 0usize..4;
    let id = NodeSel::Id;
    let input = prop_oneof![
        2 => node.clone().prop_map(move |n| Input::Crash(id(n))),
        2 => node.clone().prop_map(move |n| Input::Restart(id(n))),
        2 => (node.clone(), 100u64..8_000).prop_map(move |(n, ms)| Input::Pause {
            node: id(n),
            duration: Some(Time::millis(ms)),
        }),
        1 => (node.clone(), node.clone()).prop_map(move |(a, b)| Input::Partition {
            groups: vec![vec![id(a)], vec![id(b)]],
        }),
        2 => (node.clone(), node.clone()).prop_map(move |(a, b)| Input::Cut { from: id(a), to: id(b) }),
        2 => Just(Input::Heal),
        3 => (node.clone(), 0.0f64..0.5, 0.0f64..0.5, 1u64..400).prop_map(move |(n, loss, dup, ms)| {
            Input::SetLink {
                from: Some(id(n)),
                to: None,
                change: LinkChange {
                    latency: Some(Latency::Uniform { min: Time::micros(100), max: Time::millis(ms) }),
                    loss: Some(loss),
                    duplicate: Some(dup),
                },
            }
        }),
        1 => (200u64..2_000).prop_map(|ms| knob("db_time", KnobValue::Duration(Time::millis(ms)))),
    ];
    (0u64..60_000, input)
}

pub fn fixed(cases: u32) -> ProptestConfig {
    let defaults = ProptestConfig::default();
    // The same cases on every run, unless PROPTEST_RNG_SEED asks for others.
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(0x5eed_0010)
    };
    ProptestConfig {
        cases,
        rng_seed,
        failure_persistence: None,
        ..defaults
    }
}

//! The distributed-lock lesson: without fencing a frozen holder, a held-up
//! write and a jumping clock each get a stale write accepted; with fencing
//! none does; Redlock, which has no token to fence with, lets the clock jump
//! through even with a majority.

use splitbrain::lesson::{Catalog, Lesson, Run, Status};
use std::sync::Arc;

fn lesson() -> Arc<Lesson> {
    Catalog::embedded()
        .unwrap_or_else(|e| panic!("{e:?}"))
        .get("distributed-lock")
        .unwrap()
}

/// Runs the whole lesson; returns each objective's status by id.
fn verdicts(lesson: &Arc<Lesson>, seed: u64, settings: &[&str]) -> Vec<(String, Status)> {
    let settings: Vec<_> = settings
        .iter()
        .map(|s| lesson.parse_setting(s).unwrap())
        .collect();
    let mut run = Run::new(lesson.clone(), seed, &settings, false).unwrap();
    run.set_checkpointing(false);
    run.advance_to(lesson.length);
    lesson
        .objectives
        .iter()
        .zip(run.verdicts())
        .map(|(o, v)| (o.id.clone(), v.status))
        .collect()
}

/// Prints each objective per configuration and seed:
/// `cargo test --test distributed_lock report -- --ignored --nocapture`.
#[test]
#[ignore]
fn report() {
    let l = lesson();
    let configs: [&[&str]; 5] = [
        &[],
        &["fencing=on"],
        &["redlock=on"],
        &["redlock=on", "fencing=on"],
        &["fencing=on", "lease=60s"],
    ];
    for c in configs {
        let mut tally: std::collections::BTreeMap<String, (u32, u32)> = Default::default();
        for seed in 0..40 {
            for (id, s) in verdicts(&l, seed, c) {
                let e = tally.entry(id).or_default();
                if s == Status::Met {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
        println!("{c:?}");
        for (id, (met, failed)) in tally {
            println!("  {id:32} met {met:2} failed {failed:2}");
        }
    }
}

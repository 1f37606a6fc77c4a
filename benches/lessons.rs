//! Wall time of whole lessons: an hour of virtual time of each, with its
//! defaults, with its cure and in its busiest configuration, seeking within
//! a ten-minute run, and a sweep. Prints medians; run with
//! `cargo bench --bench lessons`.

use splitbrain::lesson::{Catalog, Lesson, Run};
use splitbrain::scenarios::KnobKind;
use splitbrain::sim::{KnobValue, Time};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn lesson(id: &str) -> Arc<Lesson> {
    Catalog::embedded()
        .expect("built-in lessons are valid")
        .get(id)
        .expect("lesson exists")
}

fn hour(id: &str, settings: &[&str], checkpoints: bool, reps: usize) {
    hour_of(lesson(id), id, settings, checkpoints, reps)
}

fn hour_of(l: Arc<Lesson>, id: &str, settings: &[&str], checkpoints: bool, reps: usize) {
    let settings: Vec<_> = settings
        .iter()
        .map(|s| l.parse_setting(s).unwrap())
        .collect();
    let mut times = Vec::new();
    let mut events = 0;
    for seed in 0..reps as u64 {
        let mut run = Run::new(l.clone(), seed, &settings, false).unwrap();
        run.set_checkpointing(checkpoints);
        let start = Instant::now();
        run.advance_to(Time::secs(3600));
        times.push(start.elapsed());
        events = run.cluster().processed();
    }
    let m = median(times);
    println!(
        "{id} {}{}: 1 h of virtual time in {:.3} s wall (median of {reps}; {events} events, {:.2} M events/s; target <= 1 s)",
        if settings.is_empty() {
            "defaults".to_string()
        } else {
            settings
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        },
        if checkpoints { ", checkpoints on" } else { "" },
        m.as_secs_f64(),
        events as f64 / m.as_secs_f64() / 1e6,
    );
}

fn seek(id: &str, trace: bool) {
    let l = lesson(id);
    let mut run = Run::new(l, 1, &[], trace).unwrap();
    let ten = Time::secs(600);
    run.advance_to(ten);
    // Targets spread over the run, visited in an order that goes back and forth.
    let targets: Vec<Time> = [0.73, 0.1, 0.99, 0.5, 0.31, 0.87, 0.02, 0.64, 0.45, 0.93]
        .iter()
        .map(|f| Time::from_secs_f64(600.0 * f))
        .collect();
    let mut back = Vec::new();
    for &t in &targets {
        run.seek(ten).unwrap();
        let start = Instant::now();
        run.seek(t).unwrap();
        back.push(start.elapsed());
        assert_eq!(run.now(), t);
    }
    let worst = *back.iter().max().unwrap();
    println!(
        "{id} seek back within a 10 min run (trace {}): median {:.1} ms, worst {:.1} ms over {} seeks (target <= 100 ms)",
        if trace { "on" } else { "off" },
        median(back).as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3,
        targets.len()
    );
    // From scratch, for comparison: what a replay without checkpoints costs.
    let l = lesson(id);
    let start = Instant::now();
    let mut fresh = Run::new(l, 1, &[], trace).unwrap();
    fresh.advance_to(ten);
    println!(
        "{id} replaying the whole 10 min from zero (trace {}): {:.1} ms",
        if trace { "on" } else { "off" },
        start.elapsed().as_secs_f64() * 1e3
    );
}

fn main() {
    // Every built-in lesson, with its defaults and with the cure its last
    // hint gives: a new lesson is timed without an edit here.
    for l in Catalog::embedded()
        .expect("built-in lessons are valid")
        .lessons
    {
        let cure: Vec<String> = match l.cure() {
            Some(Ok(settings)) => settings.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            _ => Vec::new(),
        };
        let cure: Vec<&str> = cure.iter().map(String::as_str).collect();
        hour(&l.id, &[], false, 3);
        if !cure.is_empty() {
            hour(&l.id, &cure, false, 3);
        }
        if let Some(busiest) = busiest(&l)
            && cure != [busiest.as_str()]
        {
            hour(&l.id, &[busiest.as_str()], false, 3);
        }
        seek(&l.id, true);
    }
    // Configurations whose defaults do little: deadlock's defaults deadlock
    // at once, and distributed-lock's single lock server is its lightest.
    hour("deadlock", &["detection=graph"], false, 3);
    hour("distributed-lock", &["redlock=on"], false, 3);
    // Failover with larger clusters: replication and elections cost more
    // per write with every replica.
    for replicas in [15, 31] {
        let mut l = (*lesson("failover")).clone();
        // Added after the others, so the script's node numbers still hold.
        for i in 4..=replicas {
            l.nodes.push(splitbrain::scenarios::NodeDef {
                name: format!("n{i}"),
                role: "replica".into(),
            });
        }
        hour_of(
            Arc::new(l),
            &format!("failover, {replicas} replicas,"),
            &[],
            false,
            3,
        );
    }
    // The playground keeps checkpoints; the headless run does not.
    hour("failover", &["replication=quorum", "fencing=on"], true, 3);
    seek("failover", false);
    sweep();
}

/// The one change of a switch or choice the lesson shows that makes its
/// cluster busiest (most events in its first two minutes), if any makes it
/// busier than the defaults: the configuration an hour costs most in.
fn busiest(l: &Arc<Lesson>) -> Option<String> {
    let events = |settings: &[(String, KnobValue)]| {
        let mut run = Run::new(l.clone(), 0, settings, false).unwrap();
        run.set_checkpointing(false);
        run.advance_to(Time::secs(120));
        run.cluster().processed()
    };
    let mut best = (events(&[]), None);
    for k in &l.knobs {
        let values = match &k.kind {
            KnobKind::Switch => vec![KnobValue::Bool(true), KnobValue::Bool(false)],
            KnobKind::Choice(c) => c.iter().map(|w| KnobValue::Choice(w.clone())).collect(),
            _ => continue,
        };
        for v in values.into_iter().filter(|v| *v != k.default) {
            let n = events(&[(k.name.clone(), v.clone())]);
            if n > best.0 {
                best = (n, Some(format!("{}={v}", k.name)));
            }
        }
    }
    best.1
}

/// The sweep that finds where pessimistic locking overtakes optimistic:
/// 8 client counts × 2 strategies × 5 seeds of the lost-update lesson.
fn sweep() {
    use splitbrain::lesson::{Axis, Sweep};
    let l = lesson("lost-update");
    let spec = Sweep {
        vary: Axis::parse(&l, "clients=1,2,3,4,5,6,8,10").unwrap(),
        compare: Some(Axis::parse(&l, "strategy=optimistic,pessimistic").unwrap()),
        settings: Vec::new(),
        metric: "increments.done".into(),
        stat: splitbrain::sim::Stat::Rate,
        window: l.phase("contention").map(|p| (p.from, p.to)),
        seeds: (1..=5).collect(),
        across: splitbrain::lesson::Across::Median,
    };
    for threads in [1, 2] {
        let mut times = Vec::new();
        for _ in 0..3 {
            let start = Instant::now();
            spec.run(&l, threads).unwrap();
            times.push(start.elapsed());
        }
        println!(
            "lost-update sweep, 80 runs of 4 min on {threads} thread(s): {:.2} s wall (median of 3)",
            median(times).as_secs_f64()
        );
    }
}

//! Throughput of our simulator, side by side with turmoil on the same workload.
//!
//! Run with `cargo bench --bench simulator`. Plain `fn main()` (the bench target
//! has `harness = false`); any command-line arguments (`--bench`, filters) are
//! ignored.
//!
//! Every measurement prints one line: what was measured, the figure and its
//! unit, and how it was obtained. To add a section, write another
//! `fn section_...()` that calls [`measure`] and [`report`], and call it from
//! `main`.

use splitbrain::scenarios::echo::{EchoNode, build_sim};
use splitbrain::scenarios::{NodeDef, Setup};
use splitbrain::sim::{KnobValue, Latency, LinkConfig, Sim, Time};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Timed repetitions per measurement, after one untimed warm-up.
const REPS: usize = 5;

fn main() {
    // `cargo bench` passes `--bench` (and maybe a filter); there is nothing to choose.
    section_echo();
}

// ---------------------------------------------------------------------------
// Measuring and reporting

/// The outcome of one measurement: the median wall time of the repetitions,
/// and how many events (of `unit`) one repetition produced.
struct Measurement {
    median: Duration,
    events: u64,
    reps: usize,
}

impl Measurement {
    fn per_sec(&self) -> f64 {
        self.events as f64 / self.median.as_secs_f64()
    }
}

/// Runs `run` once to warm up, then `reps` times, timing each; `run` returns
/// the number of events it produced.
fn measure(reps: usize, mut run: impl FnMut() -> u64) -> Measurement {
    run();
    let mut times = Vec::with_capacity(reps);
    let mut events = 0;
    for _ in 0..reps {
        let start = Instant::now();
        events = std::hint::black_box(run());
        times.push(start.elapsed());
    }
    times.sort();
    Measurement {
        median: times[reps / 2],
        events,
        reps,
    }
}

/// One line: `<label>: <rate> M <unit>/s (median of <reps>, <events> <unit> in <secs> s)`.
fn report(label: &str, unit: &str, m: &Measurement) {
    println!(
        "{label}: {:.2} M {unit}/s (median of {}, {} {unit} in {:.3} s)",
        m.per_sec() / 1e6,
        m.reps,
        m.events,
        m.median.as_secs_f64(),
    );
}

// ---------------------------------------------------------------------------
// Section: echo, 5 servers and 1 client with 100 requests in flight

/// Servers in the echo workload.
const ECHO_SERVERS: usize = 5;
/// Requests the client keeps in flight.
const ECHO_WINDOW: u64 = 100;
/// Constant one-way latency on every link, for both simulators.
const ECHO_LATENCY_MS: u64 = 1;
/// Round trips per repetition: ours (trace off), ours (trace on), turmoil.
const ECHO_TRIPS_OURS: u64 = 3_000_000;
const ECHO_TRIPS_OURS_TRACED: u64 = 300_000;
const ECHO_TRIPS_TURMOIL: u64 = 250_000;

/// Events are messages delivered, counted as 2 per completed round trip
/// (ping + pong) in both simulators.
fn section_echo() {
    let label = format!(
        "echo {ECHO_SERVERS}x1, {ECHO_WINDOW} in flight, {ECHO_LATENCY_MS}ms constant latency"
    );
    let ours = measure(REPS, || echo_ours(ECHO_TRIPS_OURS, false));
    report(&format!("{label}, splitbrain trace off"), "msg", &ours);
    let traced = measure(REPS, || echo_ours(ECHO_TRIPS_OURS_TRACED, true));
    report(&format!("{label}, splitbrain trace on"), "msg", &traced);
    let turmoil = measure(REPS, || echo_turmoil(ECHO_TRIPS_TURMOIL));
    report(&format!("{label}, turmoil 0.7 UDP"), "msg", &turmoil);
    println!(
        "{label}: splitbrain {:.2} M msg/s (median of {}), turmoil {:.2} M msg/s, ratio {:.1}x (trace on: {:.1}x)",
        ours.per_sec() / 1e6,
        ours.reps,
        turmoil.per_sec() / 1e6,
        ours.per_sec() / turmoil.per_sec(),
        traced.per_sec() / turmoil.per_sec(),
    );
    // The machine's speed drifts between measurements; pairs taken back to
    // back see the same drift, so the median of their ratios is steadier.
    let mut ratios: Vec<f64> = (0..2 * REPS)
        .map(|_| {
            let ours = rate(|| echo_ours(ECHO_TRIPS_OURS, false));
            let theirs = rate(|| echo_turmoil(ECHO_TRIPS_TURMOIL));
            ours / theirs
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "{label}: ratio splitbrain/turmoil {:.1}x (median of {} interleaved pairs, range {:.1}x..{:.1}x)",
        ratios[ratios.len() / 2],
        ratios.len(),
        ratios[0],
        ratios[ratios.len() - 1],
    );
}

/// Events per second of one run.
fn rate(run: impl FnOnce() -> u64) -> f64 {
    let start = Instant::now();
    let events = run();
    events as f64 / start.elapsed().as_secs_f64()
}

fn echo_setup(trace: bool) -> Setup {
    let mut nodes: Vec<NodeDef> = (0..ECHO_SERVERS)
        .map(|i| NodeDef {
            name: format!("s{i}"),
            role: "server".into(),
        })
        .collect();
    nodes.push(NodeDef {
        name: "client".into(),
        role: "client".into(),
    });
    let mut knobs = BTreeMap::new();
    knobs.insert("window".to_string(), KnobValue::Int(ECHO_WINDOW as i64));
    Setup {
        seed: 1,
        nodes,
        link: LinkConfig {
            latency: Latency::Constant {
                value: Time::millis(ECHO_LATENCY_MS),
            },
            loss: 0.0,
            duplicate: 0.0,
        },
        links: vec![],
        processing: Time::ZERO,
        knobs,
        trace,
    }
}

/// Runs our echo cluster until `trips` round trips completed; returns messages delivered.
fn echo_ours(trips: u64, trace: bool) -> u64 {
    let mut sim: Sim<EchoNode> = build_sim(&echo_setup(trace)).expect("echo setup is valid");
    let client = ECHO_SERVERS;
    // 100 in flight over a 2ms round trip: 50 round trips per virtual millisecond.
    let chunk = Time::millis(20);
    while sim.node(client).completed() < trips {
        let until = sim.now() + chunk;
        sim.run_until(until);
    }
    2 * sim.node(client).completed()
}

const ECHO_PORT: u16 = 9000;

/// Runs the same workload on turmoil: UDP echo servers, a client with
/// `ECHO_WINDOW` datagrams in flight, stepped until `trips` round trips completed.
/// Returns messages delivered.
fn echo_turmoil(trips: u64) -> u64 {
    let latency = Duration::from_millis(ECHO_LATENCY_MS);
    let mut sim = turmoil::Builder::new()
        .rng_seed(1)
        .tick_duration(Duration::from_millis(1))
        .min_message_latency(latency)
        .max_message_latency(latency)
        // The client may receive a whole window in one tick.
        .udp_capacity(4 * ECHO_WINDOW as usize)
        .simulation_duration(Duration::from_secs(1_000_000))
        .build();
    let any = IpAddr::from(Ipv4Addr::UNSPECIFIED);
    for i in 0..ECHO_SERVERS {
        sim.host(format!("s{i}"), move || async move {
            let socket = turmoil::net::UdpSocket::bind((any, ECHO_PORT)).await?;
            let mut buf = [0u8; 64];
            loop {
                let (n, from) = socket.recv_from(&mut buf).await?;
                socket.send_to(&buf[..n], from).await?;
            }
        });
    }
    let done = Arc::new(AtomicU64::new(0));
    let counter = done.clone();
    sim.client("client", async move {
        let socket = turmoil::net::UdpSocket::bind((any, ECHO_PORT)).await?;
        let servers: Vec<(IpAddr, u16)> = (0..ECHO_SERVERS)
            .map(|i| (turmoil::lookup(format!("s{i}")), ECHO_PORT))
            .collect();
        let mut next = 0u64;
        for _ in 0..ECHO_WINDOW {
            let to = servers[(next % ECHO_SERVERS as u64) as usize];
            socket.send_to(&next.to_le_bytes(), to).await?;
            next += 1;
        }
        let mut buf = [0u8; 64];
        loop {
            socket.recv_from(&mut buf).await?;
            counter.fetch_add(1, Ordering::Relaxed);
            let to = servers[(next % ECHO_SERVERS as u64) as usize];
            socket.send_to(&next.to_le_bytes(), to).await?;
            next += 1;
        }
    });
    while done.load(Ordering::Relaxed) < trips {
        sim.step().expect("the turmoil echo run fails");
    }
    2 * done.load(Ordering::Relaxed)
}

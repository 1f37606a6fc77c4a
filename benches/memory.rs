//! Peak memory of whole lessons with the playground's settings (trace and
//! checkpoints on): each built-in lesson run for 10 minutes and for an hour
//! of virtual time, from its defaults. Prints the peak of live heap bytes,
//! counted by this binary's allocator, and the wall time. Run with
//! `cargo bench --bench memory` (an optional argument keeps only the lessons
//! whose id contains it).

use splitbrain::lesson::Catalog;
use splitbrain::sim::Time;
use splitbrain::ui::session::Session;
use std::time::Instant;

#[path = "support/counting.rs"]
mod counting;
use counting::{peak_mb, reset_peak};

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let catalog = Catalog::embedded().expect("built-in lessons are valid");
    println!("lesson: peak live heap with trace and checkpoints on (target <= 64 MB at 10 min)");
    for l in &catalog.lessons {
        if filter.as_ref().is_some_and(|f| !l.id.contains(f.as_str())) {
            continue;
        }
        let base = reset_peak();
        let start = Instant::now();
        // What the playground opens: its trace window and checkpoints.
        let mut s = Session::new(l.clone(), 1, &[]).unwrap();
        let mut row = format!("{:<18}", l.id);
        for minutes in [10, 60] {
            s.run.advance_to(Time::secs(60 * minutes));
            row += &format!(
                "  {minutes:>2} min: {:>7.1} MB in {:>5.2} s",
                peak_mb(base),
                start.elapsed().as_secs_f64()
            );
        }
        println!("{row}");
        let f = s.run.cluster().metrics().footprint();
        let kind = |k: splitbrain::sim::KindFootprint| {
            format!(
                "{:>3} series {:>9} entries {:>6.1} MB",
                k.series,
                k.entries,
                mb(k.bytes)
            )
        };
        println!("    counters   {}", kind(f.counters));
        println!("    gauges     {}", kind(f.gauges));
        println!("    histograms {}", kind(f.histograms));
    }
}

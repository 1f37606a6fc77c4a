//! The playground's own loop at full speed, as a learner who leaves a lesson
//! running would have it: each frame moves virtual time on as far as the
//! frame's budget allows and draws the whole lesson screen at 120×40, with
//! the trace window and checkpoints on. Every half a virtual minute a key
//! (Tab, a change of focus) is handled and drawn, as a learner's key would
//! be: it waits at most for the frame in progress.
//!
//! Prints, at 10, 30 and 60 minutes of virtual time, the peak of live heap
//! bytes (counted by this binary's allocator), and the wall time of frames
//! and keys so far: median, 99th percentile and the worst. A key is answered
//! within the frame in progress plus its own handling and drawing, so the
//! worst frame plus the worst key is the longest a learner can wait.
//!
//! `cargo bench --bench playground` runs lost-update and failover; an
//! argument keeps only the lessons whose id contains it (`all` runs every
//! lesson).

#[path = "support/counting.rs"]
mod counting;

use counting::{peak_mb, reset_peak};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use splitbrain::lesson::{Catalog, ProgressStore};
use splitbrain::sim::Time;
use splitbrain::ui::app::App;
use splitbrain::ui::session::{QuestionState, SPEEDS};
use splitbrain::ui::terminal::FRAME;
use splitbrain::ui::theme::Theme;
use std::time::{Duration, Instant};

const MARKS_MINUTES: [u64; 3] = [10, 30, 60];
const KEY_EVERY: Time = Time::secs(30);

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let ids: Vec<String> = Catalog::embedded()
        .expect("built-in lessons are valid")
        .lessons
        .iter()
        .map(|l| l.id.clone())
        .collect();
    println!(
        "the playground's loop at full speed, 120x40 (targets: flat memory <= 128 MB, \
         a key answered within 50 ms)"
    );
    for id in &ids {
        let keep = match filter.as_deref() {
            None => id == "lost-update" || id == "failover",
            Some("all") => true,
            Some(f) => id.contains(f),
        };
        if keep {
            run(id);
        }
    }
}

fn run(id: &str) {
    let base = reset_peak();
    let catalog = Catalog::embedded().expect("built-in lessons are valid");
    let mut app = App::new(catalog, ProgressStore::memory(), Theme::default());
    app.open(id, None, &[]).expect("a built-in lesson opens");
    {
        let s = app.session_mut().expect("a lesson is open");
        s.speed = SPEEDS.len() - 1;
        // Nobody is there to answer: every question's moment goes by.
        s.questions.fill(QuestionState::Passed);
    }
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    let tab = Event::Key(KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    let mut frames = Vec::new();
    let mut keys = Vec::new();
    let mut next_key = KEY_EVERY;
    let started = Instant::now();
    println!("{id}");
    for minutes in MARKS_MINUTES {
        let mark = Time::secs(60 * minutes);
        while now(&app) < mark {
            let t = Instant::now();
            app.tick(FRAME);
            buf.reset();
            app.render(area, &mut buf);
            frames.push(t.elapsed());
            if let Some(s) = app.session_mut() {
                // The end of the script pauses the run; the learner runs on.
                s.paused = false;
            }
            if now(&app) >= next_key {
                next_key = now(&app) + KEY_EVERY;
                let t = Instant::now();
                app.handle(&tab);
                buf.reset();
                app.render(area, &mut buf);
                keys.push(t.elapsed());
            }
        }
        println!(
            "  {minutes:>2} min: {:>6.1} MB peak, {:>6.1} s wall, {:>6} frames {}, keys {}",
            peak_mb(base),
            started.elapsed().as_secs_f64(),
            frames.len(),
            spread(&mut frames),
            spread(&mut keys),
        );
    }
}

fn now(app: &App) -> Time {
    app.session().expect("a lesson is open").run.cluster().now()
}

/// Median, 99th percentile and worst, in milliseconds.
fn spread(d: &mut [Duration]) -> String {
    if d.is_empty() {
        return "-".into();
    }
    d.sort_unstable();
    let ms = |x: Duration| x.as_secs_f64() * 1e3;
    let at = |q: f64| d[((d.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.1} / p99 {:.1} / worst {:.1} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(d[d.len() - 1])
    )
}

//! Random keys, clicks, wheel turns, resizes and frames, fed to every
//! lesson and the picker: nothing may panic, and every frame must draw.
//!
//! Each screen gets `SPLITBRAIN_FUZZ_EVENTS` events (10,000 unless set) in
//! sessions of a few hundred, each session from its own seed, so a failure
//! names the seed and the event that broke it, and
//! `SPLITBRAIN_FUZZ_SEED=<seed> cargo test --test ui_fuzz` plays that
//! session alone. By hand, a million across all lessons:
//! `SPLITBRAIN_FUZZ_EVENTS=170000 cargo test --release --test ui_fuzz`.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use splitbrain::lesson::Catalog;
use splitbrain::lesson::ProgressStore;
use splitbrain::ui::app::App;
use splitbrain::ui::theme::Theme;
use std::time::Duration;

/// Events per screen (the picker and each lesson) unless the environment says.
const EVENTS: u64 = 10_000;
/// Events in one session: the app starts afresh from a new seed after so many.
const SESSION: u64 = 400;

#[derive(Clone, Debug)]
enum Ev {
    Key(KeyCode, KeyModifiers),
    Click(u16, u16),
    Wheel(u16, u16, bool),
    Resize(u16, u16),
    Frame(u64),
}

/// SplitMix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const CHARS: &str = " .-+=[]{}rR123456789cugsjJoxpalmkhfzq?/abcdefwy0<>:FG";
const SPECIALS: [KeyCode; 14] = [
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::Backspace,
    KeyCode::Delete,
];

fn key_code(rng: &mut Rng) -> KeyCode {
    if rng.below(5) < 4 {
        let chars: Vec<char> = CHARS.chars().collect();
        KeyCode::Char(rng.pick(&chars))
    } else {
        rng.pick(&SPECIALS)
    }
}

fn event(rng: &mut Rng) -> Ev {
    // Weights: plain keys 8, shifted 1, clicks 2, wheel 1, resizes 1, frames 3.
    match rng.below(16) {
        0..=7 => loop {
            // `q` and Ctrl-C quit: keep them rare so sessions get somewhere.
            let k = key_code(rng);
            if k != KeyCode::Char('q') || rng.below(20) == 0 {
                break Ev::Key(k, KeyModifiers::NONE);
            }
        },
        8 => Ev::Key(key_code(rng), KeyModifiers::SHIFT),
        9 | 10 => Ev::Click(rng.below(200) as u16, rng.below(70) as u16),
        11 => Ev::Wheel(
            rng.below(200) as u16,
            rng.below(70) as u16,
            rng.below(2) == 0,
        ),
        12 => Ev::Resize(rng.below(220) as u16, rng.below(80) as u16),
        _ => Ev::Frame(rng.below(400)),
    }
}

fn apply(app: &mut App, size: &mut Rect, ev: &Ev) {
    match ev {
        Ev::Key(code, m) => {
            app.handle(&Event::Key(KeyEvent::new(*code, *m)));
        }
        Ev::Click(x, y) => {
            app.handle(&Event::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column: *x,
                row: *y,
                modifiers: KeyModifiers::NONE,
            }));
        }
        Ev::Wheel(x, y, down) => {
            app.handle(&Event::Mouse(MouseEvent {
                kind: if *down {
                    MouseEventKind::ScrollDown
                } else {
                    MouseEventKind::ScrollUp
                },
                column: *x,
                row: *y,
                modifiers: KeyModifiers::NONE,
            }));
        }
        Ev::Resize(w, h) => {
            *size = Rect::new(0, 0, *w, *h);
            app.handle(&Event::Resize(*w, *h));
        }
        Ev::Frame(ms) => {
            if app.running() {
                app.tick(Duration::from_millis(*ms));
            }
        }
    }
    let mut buf = Buffer::empty(*size);
    app.render(*size, &mut buf);
}

/// One session of `events` random events on `lesson` (the picker if none),
/// from `seed`. Returns how many events were applied (fewer if it quit).
fn session(catalog: &Catalog, lesson: Option<&str>, seed: u64, events: u64) -> u64 {
    let mut rng = Rng(seed);
    let mut app = App::new(
        Catalog {
            lessons: catalog.lessons.clone(),
            replaced: Vec::new(),
        },
        ProgressStore::memory(),
        Theme::default(),
    );
    if let Some(id) = lesson {
        app.open(id, Some(seed % 16), &[]).unwrap();
    }
    let mut size = Rect::new(0, 0, 120, 40);
    let mut done = 0;
    while done < events && !app.quit {
        let ev = event(&mut rng);
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            apply(&mut app, &mut size, &ev)
        }));
        if step.is_err() {
            panic!(
                "{} panicked at event {done} ({ev:?}) of the session from seed {seed}; \
                 replay it with SPLITBRAIN_FUZZ_SEED={seed} cargo test --test ui_fuzz",
                lesson.unwrap_or("the picker")
            );
        }
        done += 1;
    }
    done
}

/// The seed of session `n` on screen `screen` (a stable function of both).
fn seed_of(screen: usize, n: u64) -> u64 {
    (screen as u64) << 32 | n
}

fn budget() -> u64 {
    std::env::var("SPLITBRAIN_FUZZ_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(EVENTS)
}

#[test]
fn random_events_on_every_screen() {
    let catalog = Catalog::embedded().unwrap();
    let mut screens: Vec<Option<String>> = vec![None];
    screens.extend(catalog.ids().into_iter().map(|id| Some(id.to_string())));
    if let Some(seed) = std::env::var("SPLITBRAIN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        let screen = (seed >> 32) as usize;
        let lesson = screens.get(screen).cloned().flatten();
        session(&catalog, lesson.as_deref(), seed, SESSION);
        return;
    }
    let events = budget();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let started = std::time::Instant::now();
    let totals: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let screens = &screens;
                let catalog = &catalog;
                scope.spawn(move || {
                    let mut totals = vec![0u64; screens.len()];
                    for (i, screen) in screens.iter().enumerate() {
                        // Every thread takes every `threads`-th session of
                        // each screen, until its share of events has run (a
                        // session that quits early is followed by another).
                        let share = events.div_ceil(threads as u64);
                        let mut n = t as u64;
                        let mut applied = 0;
                        while applied < share {
                            let want = (share - applied).min(SESSION);
                            applied += session(catalog, screen.as_deref(), seed_of(i, n), want);
                            n += threads as u64;
                        }
                        totals[i] += applied;
                    }
                    totals
                })
            })
            .collect();
        let mut sum = vec![0u64; screens.len()];
        for h in handles {
            for (s, t) in sum.iter_mut().zip(h.join().unwrap()) {
                *s += t;
            }
        }
        sum
    });
    let all: u64 = totals.iter().sum();
    eprintln!(
        "ui fuzz: {all} events over {} screens in {:.1}s ({:?} each)",
        screens.len(),
        started.elapsed().as_secs_f64(),
        totals
    );
    for (screen, applied) in screens.iter().zip(&totals) {
        assert!(
            *applied >= events,
            "{}: only {applied} of {events} events applied",
            screen.as_deref().unwrap_or("the picker")
        );
    }
}

//! Drawing speed of the playground: a full frame of the busiest lesson
//! screen at 120×40 and 200×60 (target ≤ 0.5 ms at 120×40), and the time
//! from nothing loaded to the first frame drawn (target ≤ 100 ms). Prints
//! medians; run with `cargo bench --bench render`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use splitbrain::lesson::Catalog;
use splitbrain::sim::{Input, NodeSel, Time};
use splitbrain::ui::app::App;
use splitbrain::ui::progress::ProgressStore;
use splitbrain::ui::session::Control;
use splitbrain::ui::theme::Theme;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The failover lesson in its partition, with a node crashed and a message
/// held: every pane has plenty to draw.
fn busy_app(width: u16, height: u16) -> App {
    let mut app = App::new(
        Catalog::embedded().expect("built-in lessons are valid"),
        ProgressStore::memory(),
        Theme::default(),
    );
    app.open("failover", None, &[]).expect("lesson opens");
    let s = app.session_mut().expect("lesson is open");
    s.run.advance_to(Time::secs(74));
    s.apply(Control::Input(Input::Crash(NodeSel::Id(2))));
    s.run.advance_to(Time::secs(75));
    s.paused = true;
    app.size = ratatui::layout::Rect::new(0, 0, width, height);
    app
}

fn frame(width: u16, height: u16) {
    let app = busy_app(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut times = Vec::new();
    for i in 0..400 {
        // Force a full redraw each time, as a frame after a change would be.
        terminal.clear().unwrap();
        let start = Instant::now();
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        if i >= 20 {
            times.push(start.elapsed());
        }
    }
    let m = median(times);
    println!(
        "full frame of failover at 75 s, {width}x{height}: median {:.3} ms over 380 frames{}",
        m.as_secs_f64() * 1e3,
        if width == 120 {
            " (target <= 0.5 ms)"
        } else {
            ""
        }
    );
}

fn first_frame() {
    let mut times = Vec::new();
    for _ in 0..30 {
        let start = Instant::now();
        let mut app = App::new(
            Catalog::embedded().unwrap(),
            ProgressStore::memory(),
            Theme::default(),
        );
        app.open("flaky-dependency", None, &[]).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        times.push(start.elapsed());
    }
    println!(
        "start to first frame (lessons parsed, lesson opened, frame drawn): median {:.2} ms (target <= 100 ms)",
        median(times).as_secs_f64() * 1e3
    );
}

fn main() {
    frame(120, 40);
    frame(200, 60);
    first_frame();
}

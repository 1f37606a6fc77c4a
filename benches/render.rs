//! Drawing speed of the playground: a full frame of the busiest lesson
//! screen at 120×40 and 200×60 (target ≤ 0.5 ms at 120×40), and the time
//! from nothing loaded to the first frame drawn (target ≤ 100 ms). Prints
//! medians; run with `cargo bench --bench render`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use splitbrain::lesson::Catalog;
use splitbrain::lesson::ProgressStore;
use splitbrain::sim::{Input, NodeSel, Time};
use splitbrain::ui::app::App;
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

/// A whole frame: the screen drawn into a buffer (what a frame costs the
/// program), and the same through a terminal on the test backend (adding the
/// diff against the previous frame and the backend's own writes).
fn frame(width: u16, height: u16) {
    let app = busy_app(width, height);
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    let mut drawn = Vec::new();
    for i in 0..420 {
        buf.reset();
        let start = Instant::now();
        app.render(area, &mut buf);
        if i >= 20 {
            drawn.push(start.elapsed());
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut through = Vec::new();
    for i in 0..420 {
        // Force a full redraw each time, as a frame after a change would be.
        terminal.clear().unwrap();
        let start = Instant::now();
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        if i >= 20 {
            through.push(start.elapsed());
        }
    }
    println!(
        "full frame of failover at 75 s, {width}x{height}: drawn in {:.3} ms{}; through a test terminal {:.3} ms (medians of 400)",
        median(drawn).as_secs_f64() * 1e3,
        if width == 120 {
            " (target <= 0.5 ms)"
        } else {
            ""
        },
        median(through).as_secs_f64() * 1e3,
    );
}

/// Each pane of the same screen alone, to see where a frame's time goes.
fn panes(width: u16, height: u16) {
    pane_times("failover", &busy_app(width, height));
}

fn pane_times(name: &str, app: &App) {
    use ratatui::buffer::Buffer;
    use splitbrain::ui::{app, panes, session::PaneId, theme::Theme};
    let (width, height) = (app.size.width, app.size.height);
    let s = app.session().unwrap();
    let layout = app::lesson_layout(app.size, s, PaneId::Metrics);
    let mut parts = Vec::new();
    for (id, rect) in layout.panes {
        let mut buf = Buffer::empty(app.size);
        let mut times = Vec::new();
        for _ in 0..300 {
            buf.reset();
            let start = Instant::now();
            panes::render(id, s, &Theme::default(), rect, &mut buf);
            times.push(start.elapsed());
        }
        parts.push(format!(
            "{} {:.3}",
            id.title(),
            median(times).as_secs_f64() * 1e3
        ));
    }
    println!(
        "  {name} per pane at {width}x{height} (median ms): {}",
        parts.join(", ")
    );
}

/// The lock panels: the deadlock lesson in its first deadlock with the
/// metrics pane zoomed (wait-for graph, lock table, contention), and the
/// lost-update lesson with ten clients queueing for one lock.
fn lock_frames() {
    use splitbrain::ui::shot::{self, ShotSpec};
    for (id, at, keys, settings) in [
        ("deadlock", 25, "<Tab>z", vec![]),
        (
            "lost-update",
            130,
            "",
            vec![("strategy=pessimistic".to_string())],
        ),
    ] {
        let catalog = Catalog::embedded().unwrap();
        let lesson = catalog.get(id).unwrap();
        let mut spec = ShotSpec::lesson(id, Time::secs(at), 120, 40);
        spec.keys = shot::parse_keys(keys).unwrap();
        spec.settings = settings
            .iter()
            .map(|s| lesson.parse_setting(s).unwrap())
            .collect();
        let mut app = shot::app_at(catalog, &spec).unwrap();
        app.size = ratatui::layout::Rect::new(0, 0, 120, 40);
        let area = app.size;
        let mut buf = ratatui::buffer::Buffer::empty(area);
        let mut times = Vec::new();
        for i in 0..420 {
            buf.reset();
            let start = Instant::now();
            app.render(area, &mut buf);
            if i >= 20 {
                times.push(start.elapsed());
            }
        }
        println!(
            "full frame of {id} at {at} s {keys}{settings:?}, 120x40: {:.3} ms (median of 400; target <= 0.5 ms)",
            median(times).as_secs_f64() * 1e3
        );
        if keys.is_empty() {
            pane_times(id, &app);
        }
    }
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
    panes(120, 40);
    frame(200, 60);
    lock_frames();
    first_frame();
}

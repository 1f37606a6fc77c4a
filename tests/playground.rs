//! End to end: the real app loop, driven by scripted keys, mouse clicks and
//! pauses on a test backend, with tokio's clock paused so that every frame
//! advances virtual time by exactly the same amount on every machine.

use crossterm::event::{Event, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use futures_util::stream::{self, Stream};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use splitbrain::lesson::Catalog;
use splitbrain::lesson::ProgressStore;
use splitbrain::sim::{Health, KnobValue, Time};
use splitbrain::ui::app::App;
use splitbrain::ui::panes::buffer_text;
use splitbrain::ui::terminal::run_app;
use splitbrain::ui::theme::Theme;
use std::io;
use std::time::Duration;

#[derive(Clone, Debug)]
enum Step {
    Key(KeyEvent),
    Click(u16, u16),
    Wait(Duration),
    Resize(u16, u16),
}

fn keys(text: &str) -> Vec<Step> {
    splitbrain::ui::shot::parse_keys(text)
        .unwrap()
        .into_iter()
        .map(Step::Key)
        .collect()
}

fn wait(secs: f64) -> Step {
    Step::Wait(Duration::from_secs_f64(secs))
}

/// The steps as a stream of terminal events, sleeping where told to.
fn script(steps: Vec<Step>) -> impl Stream<Item = io::Result<Event>> + Unpin {
    Box::pin(stream::unfold(steps.into_iter(), |mut it| async move {
        loop {
            match it.next()? {
                Step::Wait(d) => tokio::time::sleep(d).await,
                Step::Key(k) => return Some((Ok(Event::Key(k)), it)),
                Step::Click(col, row) => {
                    let m = MouseEvent {
                        kind: MouseEventKind::Down(MouseButton::Left),
                        column: col,
                        row,
                        modifiers: KeyModifiers::NONE,
                    };
                    return Some((Ok(Event::Mouse(m)), it));
                }
                Step::Resize(w, h) => return Some((Ok(Event::Resize(w, h)), it)),
            }
        }
    }))
}

fn app() -> App {
    App::new(
        Catalog::embedded().unwrap(),
        ProgressStore::memory(),
        Theme::default(),
    )
}

/// Runs the loop over `steps` and returns the app and the last screen.
async fn drive(mut app: App, steps: Vec<Step>) -> (App, String) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    run_app(
        &mut terminal,
        &mut app,
        script(steps),
        std::future::pending(),
    )
    .await
    .unwrap();
    let screen = buffer_text(terminal.backend().buffer());
    (app, screen)
}

fn gauge(app: &App, name: &str) -> f64 {
    app.session()
        .unwrap()
        .run
        .cluster()
        .metrics()
        .current(name)
        .unwrap_or(f64::NAN)
}

fn node_index(app: &App, name: &str) -> usize {
    let s = app.session().unwrap();
    s.run
        .cluster()
        .names()
        .iter()
        .position(|n| n == name)
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn hanging_b_opens_the_breaker() {
    let mut a = app();
    a.open(
        "flaky-dependency",
        None,
        &[("breaker".into(), KnobValue::Bool(true))],
    )
    .unwrap();
    let b = node_index(&a, "b");
    let mut steps = vec![wait(2.0)];
    // Select b, open its commands, send the first one (hang), run at 5× for 2 s.
    steps.extend(keys(&format!("{}o<Enter>++", b + 1)));
    steps.push(wait(3.0)); // 15 s of virtual time: the first hung calls come back slow
    steps.extend(keys(" "));
    let (a, screen) = drive(a, steps).await;
    let s = a.session().unwrap();
    assert_eq!(s.selected, b);
    assert!(s.now() > Time::secs(5), "time moved on: {}", s.now());
    assert_eq!(gauge(&a, "breaker.b.state"), 1.0, "breaker b is OPEN");
    assert!(screen.contains("OPEN"), "the screen shows it:\n{screen}");
    assert!(screen.contains("paused"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn crashing_the_primary_elects_another() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let n1 = node_index(&a, "n1");
    let mut steps = vec![wait(3.0)];
    steps.extend(keys(&format!("{}c++", n1 + 1)));
    steps.push(wait(2.0));
    steps.extend(keys(" "));
    let (a, screen) = drive(a, steps).await;
    let s = a.session().unwrap();
    let views = s.run.cluster().node_views();
    assert_eq!(views[n1].health, Health::Down);
    let primaries: Vec<&str> = views
        .iter()
        .filter(|v| v.role == "primary")
        .map(|v| v.name.as_str())
        .collect();
    let roles: Vec<_> = views
        .iter()
        .map(|v| (v.name.clone(), v.role.clone(), v.health))
        .collect();
    assert_eq!(primaries.len(), 1, "one new primary: {roles:?}");
    assert_ne!(primaries[0], "n1");
    assert!(screen.contains("primary"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn seeking_back_shows_the_earlier_state_again() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    // 10×: the question due at 19.5 s stops the run; answer it and run on
    // past the scripted crash of n1 at 20 s.
    let mut steps = keys("+++");
    steps.push(wait(2.5));
    steps.extend(keys("2"));
    // The answer brings the run back to 1×: speed it up again.
    steps.extend(keys("+++"));
    steps.push(wait(0.8));
    steps.extend(keys(" "));
    let (a, _) = drive(a, steps).await;
    let s = a.session().unwrap();
    let late = s.now();
    assert!(late > Time::secs(25), "{late}");
    let n1 = node_index(&a, "n1");
    assert_eq!(s.run.cluster().node_views()[n1].health, Health::Down);
    // Back 15 s with the keys: before the crash again.
    let (a, rewound) = drive(a, keys("[[[")).await;
    let s = a.session().unwrap();
    let back = s.now();
    assert_eq!(back, late.saturating_sub(Time::secs(15)));
    assert_eq!(s.run.cluster().node_views()[n1].health, Health::Up);
    assert_eq!(s.asking(), None);
    // The same instant reached directly draws the same screen.
    let mut fresh = app();
    fresh.open("failover", None, &[]).unwrap();
    let f = fresh.session_mut().unwrap();
    // The answer given before rewinding is kept, so give it here too.
    f.apply(splitbrain::ui::session::Control::Answer {
        question: 0,
        choice: 1,
    });
    f.paused = true;
    f.speed = s.speed;
    f.run.advance_to(back);
    let (_, direct) = drive(fresh, vec![]).await;
    assert_eq!(strip_header(&rewound), strip_header(&direct));
    // The status line says where the keys took the run.
    let status = rewound.lines().last().unwrap();
    let tenths = back.0 / 100_000;
    let said = format!("rewound to {}.{}s", tenths / 10, tenths % 10);
    assert!(status.contains(&said), "{status}");
}

#[test]
fn a_rewind_says_which_of_the_learners_inputs_it_undid() {
    use splitbrain::sim::Input;
    use splitbrain::ui::session::Control;
    let mut a = app();
    a.open("flaky-dependency", None, &[]).unwrap();
    let s = a.session_mut().unwrap();
    s.run.advance_to(Time::secs(12));
    s.apply(Control::Input(Input::Knob {
        name: "timeout".into(),
        value: KnobValue::Duration(Time::millis(250)),
    }));
    s.run.advance_to(Time::secs(15));
    // Forward, nothing undone.
    s.apply(Control::Seek(Time::secs(16)));
    assert_eq!(s.status.as_deref(), Some("forward to 16.0s"));
    // Back past the change: it is named, with when it was made.
    s.apply(Control::Seek(Time::secs(10)));
    assert_eq!(
        s.status.as_deref(),
        Some("rewound to 10.0s · undone: set timeout=250ms at 12.0s")
    );
    // Back again: nothing left to undo; and the events, scrolled up before,
    // follow the run again.
    s.log.scroll = 40;
    s.apply(Control::Seek(Time::secs(5)));
    assert_eq!(s.status.as_deref(), Some("rewound to 5.0s"));
    assert_eq!(s.log.scroll, 0);
}

/// The screen without its first line (which says paused or running) and its
/// last (the status line, which says what the last control did).
fn strip_header(screen: &str) -> String {
    let lines: Vec<_> = screen.lines().collect();
    lines[1..lines.len() - 1].join("\n")
}

#[tokio::test(start_paused = true)]
async fn clicking_a_node_selects_it_and_q_quits() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let (a, _) = drive(a, vec![Step::Resize(120, 40), wait(0.5)]).await;
    // Find where n3 is drawn and click it.
    let s = a.session().unwrap();
    let layout =
        splitbrain::ui::app::lesson_layout(a.size, s, splitbrain::ui::session::PaneId::Metrics);
    let (_, map) = layout
        .panes
        .iter()
        .find(|(p, _)| *p == splitbrain::ui::session::PaneId::Map)
        .copied()
        .unwrap();
    let inner = ratatui::layout::Rect::new(map.x + 1, map.y + 1, map.width - 2, map.height - 2);
    let (col, row) = splitbrain::ui::panes::map::node_positions(5, inner)[2];
    let mut steps = vec![Step::Click(col, row)];
    steps.extend(keys("q"));
    steps.push(wait(60.0));
    let (a, _) = drive(a, steps).await;
    assert!(a.quit, "q quits without waiting for the rest of the script");
    assert_eq!(a.session().unwrap().selected, 2);
}

#[tokio::test(start_paused = true)]
async fn a_due_question_pauses_the_run_until_answered() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let mut steps = keys("++++++"); // 50×: the first question is due at 19.5 s
    steps.push(wait(1.0));
    let (a, screen) = drive(a, steps).await;
    let s = a.session().unwrap();
    assert!(s.paused);
    assert_eq!(s.now(), Time::millis(19_500));
    assert_eq!(s.asking(), Some(0));
    assert!(screen.contains("Predict"), "{screen}");
    let mut steps = keys("2");
    steps.push(wait(0.1));
    let (a, _) = drive(a, steps).await;
    let s = a.session().unwrap();
    assert_eq!(s.asking(), None);
    assert!(!s.paused, "answering resumes the run");
    assert!(s.now() > Time::millis(19_500));
}

#[tokio::test(start_paused = true)]
async fn a_tiny_terminal_gets_a_message_not_garbage() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(40, 10)).unwrap();
    run_app(
        &mut terminal,
        &mut a,
        script(vec![wait(0.2)]),
        std::future::pending(),
    )
    .await
    .unwrap();
    let screen = buffer_text(terminal.backend().buffer());
    assert!(screen.contains("needs at least"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn paused_means_no_frames() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    a.session_mut().unwrap().paused = true;
    let (a, _) = drive(a, vec![wait(10.0)]).await;
    assert_eq!(a.session().unwrap().now(), Time::ZERO);
}

#[test]
fn every_control_replays_exactly_from_the_run_log() {
    // Keys change the simulation only through the run's inputs, so a fresh
    // run given the same inputs reaches the same state.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let (a, _) = rt.block_on(async {
        let mut a = app();
        a.open("failover", None, &[]).unwrap();
        let mut steps = keys("+++");
        steps.push(wait(0.3));
        steps.extend(keys("2c"));
        steps.push(wait(0.4));
        steps.extend(keys("3x"));
        steps.push(wait(0.2));
        steps.extend(keys("a1F"));
        steps.push(wait(0.3));
        steps.extend(keys(" "));
        drive(a, steps).await
    });
    let s = a.session().unwrap();
    assert!(s.run.inputs().len() >= 4, "{:?}", s.run.inputs());
    let trace: Vec<String> = s.run.trace_lines().collect();
    let mut replay =
        splitbrain::lesson::Run::new(s.lesson().clone(), s.run.seed(), &[], true).unwrap();
    replay.replay(&s.run.log()).unwrap();
    replay.advance_to(s.now());
    let again: Vec<String> = replay.trace_lines().collect();
    assert_eq!(trace.len(), again.len());
    assert!(trace == again, "the replay's trace is the same");
}

#[tokio::test(start_paused = true)]
async fn a_scrolled_up_log_stays_put_while_time_runs() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    // Focus the events (Map → Metrics → Space-time → Events), run, pause, scroll up.
    let mut steps = keys("<Tab><Tab><Tab>");
    steps.push(wait(1.0));
    steps.extend(keys(" <Up><Up><Up><Up><Up>"));
    let (a, before) = drive(a, steps).await;
    let events = |screen: &str| -> Vec<String> {
        screen
            .lines()
            .filter(|l| l.contains(" → ") || l.contains(" ← "))
            .map(|l| {
                l.split('│')
                    .filter(|p| p.contains('→') || p.contains('←'))
                    .collect::<Vec<_>>()
                    .join("")
            })
            .collect()
    };
    let shown = events(&before);
    assert!(shown.len() > 3, "{before}");
    let mut steps = keys(" ");
    steps.push(wait(0.5));
    steps.extend(keys(" "));
    let (a, after) = drive(a, steps).await;
    assert!(a.session().unwrap().now() > Time::millis(1400));
    assert_eq!(events(&after), shown, "the same lines:\n{after}");
}

#[tokio::test(start_paused = true)]
async fn stepping_processes_one_event_and_says_which() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    a.session_mut().unwrap().paused = true;
    let before = a.session().unwrap().run.cluster().processed();
    let (a, screen) = drive(a, keys("...")).await;
    let s = a.session().unwrap();
    assert_eq!(s.run.cluster().processed(), before + 3);
    let last = s.run.trace_lines().last().unwrap();
    let said = last.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        screen.contains(&said[..said.len().min(60)]),
        "{said}\n{screen}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hint_on_the_status_line_shows_code_without_backticks() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    a.session_mut().unwrap().paused = true;
    let (a, screen) = drive(a, keys("h")).await;
    let status = screen.lines().last().unwrap();
    assert!(status.contains("hint 1/"), "{status}");
    assert!(status.contains("Look at acked writes lost"), "{status}");
    assert!(!status.contains("**"), "{status}");
    let (_, screen) = drive(a, keys("h")).await;
    let status = screen.lines().last().unwrap();
    assert!(status.contains("hint 2/"), "{status}");
    assert!(status.contains("replication=quorum waits"), "{status}");
    assert!(!status.contains('`'), "{status}");
}

#[tokio::test(start_paused = true)]
async fn playing_the_scheduler_loses_an_update_by_hand() {
    let mut a = app();
    a.open("lost-update", Some(1), &[]).unwrap();
    // The first question comes at 1 s: both reads first, what is the count?
    let mut steps = vec![wait(1.5)];
    steps.extend(keys("2<Enter>"));
    // Open the messages and deliver the oldest six times, without time
    // moving: c1's read, c2's read, both values, then both writes. Each
    // delivery lands at once and what it sets off joins the list.
    steps.extend(keys("m<Enter><Enter><Enter><Enter><Enter><Enter><Esc>"));
    let (a, screen) = drive(a, steps).await;
    let s = a.session().unwrap();
    assert!(s.paused, "delivering by hand does not start the run");
    let m = s.run.cluster().metrics();
    assert_eq!(m.total("updates.lost"), 1, "{screen}");
    assert_eq!(gauge(&a, "count.expected"), 2.0);
    assert_eq!(gauge(&a, "count.actual"), 1.0);
    assert!(screen.contains("lost updates 1"), "{screen}");
    // The goal is met at once, long before its minute is up.
    assert_eq!(
        s.run.verdicts()[0].status,
        splitbrain::lesson::Status::Met,
        "{screen}"
    );
    assert!(screen.contains("✓ met Play the scheduler"), "{screen}");
}

#[test]
fn answering_a_question_at_high_speed_goes_back_to_real_time() {
    use splitbrain::ui::session::Control;
    let mut a = app();
    a.open("flaky-dependency", None, &[]).unwrap();
    let s = a.session_mut().unwrap();
    s.apply(Control::Speed(6));
    assert_eq!(s.speed_factor(), Some(10.0));
    s.apply(Control::Answer {
        question: 0,
        choice: 2,
    });
    assert_eq!(s.speed_factor(), Some(1.0));
    assert!(!s.paused);
    assert!(s.status.as_deref().unwrap().contains("back to 1×"));
    // At real time or slower the speed is the learner's.
    s.apply(Control::Speed(2));
    s.apply(Control::Answer {
        question: 1,
        choice: 0,
    });
    assert_eq!(s.speed_factor(), Some(0.5));
}

#[test]
fn with_nothing_in_flight_the_messages_window_runs_to_the_next_send() {
    use splitbrain::ui::session::Control;
    let mut a = app();
    a.open("distributed-lock", None, &[]).unwrap();
    let s = a.session_mut().unwrap();
    // Find an instant with nothing on its way.
    let mut t = Time::millis(100);
    while !s.run.cluster().in_flight().is_empty() {
        t += Time::millis(100);
        s.run.advance_to(t);
    }
    let before = s.now();
    s.apply(Control::ToNextSend);
    assert!(s.paused);
    let flying = s.run.cluster().in_flight();
    assert!(!flying.is_empty(), "{:?}", s.status);
    assert!(s.now() > before);
    let status = s.status.clone().unwrap();
    assert!(status.starts_with("ran to "), "{status}");
    assert!(status.contains(&format!("m{}", flying[0].id)), "{status}");
}

#[tokio::test(start_paused = true)]
async fn page_keys_move_by_what_the_pane_shows() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    // Focus the events, run a second, pause.
    let mut steps = keys("<Tab><Tab><Tab>");
    steps.push(wait(1.0));
    steps.extend(keys(" <PageUp>"));
    let (a, _) = drive(a, steps).await;
    let s = a.session().unwrap();
    // At 120×40 the events pane shows 9 events under its header: a page
    // keeps one of them in view.
    let page = s.log.scroll;
    assert_eq!(page, 8, "one page up");
    let (a, _) = drive(a, keys("<PageUp><PageDown>")).await;
    assert_eq!(a.session().unwrap().log.scroll, page);
    // Zoomed, a page is the whole screen's height.
    let (a, _) = drive(a, keys("z<PageUp>")).await;
    assert!(
        a.session().unwrap().log.scroll > page + 30,
        "{}",
        a.session().unwrap().log.scroll
    );
}

/// The status line of a screen.
fn status_line(screen: &str) -> &str {
    screen.lines().last().unwrap_or("")
}

fn knob(app: &App, name: &str) -> Option<KnobValue> {
    app.session().unwrap().run.knobs().get(name).cloned()
}

#[tokio::test(start_paused = true)]
async fn the_command_line_sets_a_knob_off_its_steps_and_replays_exactly() {
    let mut a = app();
    a.open("flaky-dependency", None, &[]).unwrap();
    // 250 ms is not one of the steps ← → take from the default; typed, it is
    // read as `--set` reads it. `q` inside the line is a letter, not quit.
    let mut steps = vec![wait(1.0)];
    steps.extend(keys(" :set time<Tab>250ms<Enter>"));
    let (a, screen) = drive(a, steps).await;
    assert!(!a.quit);
    assert_eq!(
        knob(&a, "timeout"),
        Some(KnobValue::Duration(Time::millis(250)))
    );
    assert!(
        status_line(&screen).contains("set timeout=250ms"),
        "{screen}"
    );
    // Then a crash by name and a seek of two parts, in one session.
    let c = a.session().unwrap().run.cluster().names()[0].clone();
    let (a, screen) = drive(a, keys(&format!(":crash {c}<Enter>:seek +1m2s<Enter>"))).await;
    let s = a.session().unwrap();
    assert!(status_line(&screen).contains("forward to"), "{screen}");
    assert_eq!(
        s.run.cluster().node_views()[0].health,
        Health::Down,
        "{screen}"
    );
    // The commands are inputs of the run like keys: a replay of its log
    // makes the same trace.
    let trace: Vec<String> = s.run.trace_lines().collect();
    let mut replay =
        splitbrain::lesson::Run::new(s.lesson().clone(), s.run.seed(), &[], true).unwrap();
    replay.replay(&s.run.log()).unwrap();
    replay.advance_to(s.now());
    let again: Vec<String> = replay.trace_lines().collect();
    assert!(trace == again, "the replay's trace is the same");
}

#[tokio::test(start_paused = true)]
async fn a_bad_command_says_what_was_expected_and_up_recalls_it() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let (a, screen) = drive(a, keys(" :set replication=quick<Enter>")).await;
    let status = status_line(&screen);
    assert!(status.contains(":set replication=quick"), "{status}");
    assert!(!a.quit, "q in a command line is a letter");
    assert!(status.contains("expected one of async"), "{status}");
    let (a, screen) = drive(a, keys(":crash n9<Enter>")).await;
    assert!(
        status_line(&screen).contains("no node n9; the nodes are n1, n2"),
        "{screen}"
    );
    let (a, screen) = drive(a, keys(":seek soon<Enter>")).await;
    assert!(status_line(&screen).contains("75s, 1m30s"), "{screen}");
    assert!(a.session().unwrap().run.inputs().is_empty());
    // Up recalls the lines run before, newest first; Esc leaves the line.
    let (a, screen) = drive(a, keys(":<Up><Up>")).await;
    assert!(status_line(&screen).starts_with(":crash n9"), "{screen}");
    let (a, screen) = drive(a, keys("<Esc>")).await;
    assert!(!status_line(&screen).starts_with(':'), "{screen}");
    assert!(a.session().unwrap().run.inputs().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_knobs_window_takes_a_typed_value() {
    let mut a = app();
    a.open("flaky-dependency", None, &[]).unwrap();
    // The first knob is timeout: type a value, then one out of range.
    let (a, screen) = drive(a, keys(" k=1ms<Enter>")).await;
    assert!(screen.contains("out of range"), "{screen}");
    let (a, _) = drive(a, keys("<Esc>=250ms<Enter>")).await;
    assert_eq!(
        knob(&a, "timeout"),
        Some(KnobValue::Duration(Time::millis(250)))
    );
    assert!(a.overlay().is_some(), "the window stays open");
}

#[tokio::test(start_paused = true)]
async fn g_and_shift_g_go_to_the_top_and_bottom_of_the_focused_pane() {
    let mut a = app();
    a.open("failover", None, &[]).unwrap();
    let mut steps = vec![wait(1.0)];
    // The lesson text first: its bottom, then its top.
    steps.extend(keys(" <BackTab>G"));
    let (a, _) = drive(a, steps).await;
    let bottom = a.session().unwrap().text_scroll;
    assert!(bottom > 10, "{bottom}");
    let (a, _) = drive(a, keys("<Up>G")).await;
    assert_eq!(a.session().unwrap().text_scroll, bottom);
    let (a, _) = drive(a, keys("g")).await;
    assert_eq!(a.session().unwrap().text_scroll, 0);
    // The events: the oldest, then the newest again.
    let (a, _) = drive(a, keys("<BackTab>g")).await;
    assert!(a.session().unwrap().log.scroll > 1000);
    let (a, _) = drive(a, keys("G")).await;
    assert_eq!(a.session().unwrap().log.scroll, 0);
    assert!(
        a.session().unwrap().run.inputs().is_empty(),
        "g freezes nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_key_remapped_in_the_config_does_what_its_target_does() {
    let mut a = app();
    a.config = splitbrain::ui::config::parse("speed = 0.5\n[keys]\n\"Z\" = \"c\"\n").unwrap();
    a.open("failover", None, &[]).unwrap();
    assert_eq!(a.session().unwrap().speed_label(), "0.5×");
    // Z crashes the selected node, as c does; typed in the command line it
    // stays a letter.
    let (a, _) = drive(a, keys(" Z:set Z<Esc>")).await;
    let s = a.session().unwrap();
    assert_eq!(
        s.run.cluster().node_views()[s.selected].health,
        Health::Down
    );
    assert_eq!(s.run.inputs().len(), 1);
}

//! Random keys, clicks, wheel turns, resizes and frames, fed to every
//! lesson and the picker: nothing may panic, and every frame must draw.

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use proptest::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use splitbrain::lesson::Catalog;
use splitbrain::lesson::ProgressStore;
use splitbrain::ui::app::App;
use splitbrain::ui::theme::Theme;
use std::time::Duration;

#[derive(Clone, Debug)]
enum Ev {
    Key(KeyCode, KeyModifiers),
    Click(u16, u16),
    Wheel(u16, u16, bool),
    Resize(u16, u16),
    Frame(u64),
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    let chars = " .-+=[]{}rR123456789cugsjJoxpalmkhfzq?/abcdefwy0<>";
    let specials = vec![
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
    let chars: Vec<char> = chars.chars().collect();
    prop_oneof![
        4 => proptest::sample::select(chars).prop_map(KeyCode::Char),
        1 => proptest::sample::select(specials),
    ]
}

fn event() -> impl Strategy<Value = Ev> {
    prop_oneof![
        // `q` and Ctrl-C quit: keep them rare so runs get somewhere.
        8 => key_code()
            .prop_filter("not quit", |k| *k != KeyCode::Char('q'))
            .prop_map(|k| Ev::Key(k, KeyModifiers::NONE)),
        1 => key_code().prop_map(|k| Ev::Key(k, KeyModifiers::SHIFT)),
        2 => (0u16..200, 0u16..70).prop_map(|(x, y)| Ev::Click(x, y)),
        1 => (0u16..200, 0u16..70, any::<bool>()).prop_map(|(x, y, d)| Ev::Wheel(x, y, d)),
        1 => (1u16..220, 1u16..80).prop_map(|(w, h)| Ev::Resize(w, h)),
        3 => (0u64..400).prop_map(Ev::Frame),
    ]
}

fn drive(lesson: Option<&str>, events: &[Ev]) {
    let mut app = App::new(
        Catalog::embedded().unwrap(),
        ProgressStore::memory(),
        Theme::default(),
    );
    if let Some(id) = lesson {
        app.open(id, Some(7), &[]).unwrap();
    }
    let mut size = Rect::new(0, 0, 120, 40);
    for ev in events {
        if app.quit {
            break;
        }
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
                size = Rect::new(0, 0, *w, *h);
                app.handle(&Event::Resize(*w, *h));
            }
            Ev::Frame(ms) => {
                if app.running() {
                    app.tick(Duration::from_millis(*ms));
                }
            }
        }
        let mut buf = Buffer::empty(size);
        app.render(size, &mut buf);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_events_on_the_picker(events in proptest::collection::vec(event(), 1..60)) {
        drive(None, &events);
    }

    /// Every built-in lesson, each case on one of them.
    #[test]
    fn any_events_on_any_lesson(
        lesson in proptest::sample::select(lesson_ids()),
        events in proptest::collection::vec(event(), 1..60),
    ) {
        drive(Some(&lesson), &events);
    }
}

fn lesson_ids() -> Vec<String> {
    splitbrain::lesson::Catalog::embedded()
        .unwrap()
        .ids()
        .into_iter()
        .map(String::from)
        .collect()
}

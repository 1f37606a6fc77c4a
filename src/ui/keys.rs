//! Every key of every screen, in one table. A binding is the key or keys as
//! the help window shows them, what they do in words, the [`Action`] each
//! key triggers (and when), and its short form in the footer if it has one.
//! The help window, the footers, the dispatch of keys and the book's key
//! reference (checked by a test) are all made from these tables.

use super::session::{PaneId, SEEK_LARGE, SEEK_SMALL};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    // The lesson screen: time.
    /// Pauses or resumes playback (or opens the question waiting for an answer).
    PlayPause,
    Step,
    Slower,
    Faster,
    SeekBack(crate::sim::Time),
    SeekForward(crate::sim::Time),
    /// Runs the lesson again from the start, same seed.
    RestartRun,
    /// Runs it again with a new seed.
    NewSeed,
    // The selected node.
    SelectNode(usize),
    PrevNode,
    NextNode,
    Crash,
    /// Brings a crashed node up again.
    BringUp,
    /// Freezes the node for a while (a GC pause).
    Freeze,
    ToggleSlow,
    ClockForward,
    ClockBack,
    Commands,
    // The network.
    Isolate,
    Partition,
    HealAll,
    Link,
    Messages,
    // The lesson and the screen.
    Knobs,
    Hint,
    FocusNext,
    FocusPrev,
    Zoom,
    /// Scrolls the focused pane (the lesson text or the events) by lines.
    Scroll(i32),
    /// The oldest events, the newest, the top of the lesson text.
    LogOldest,
    LogNewest,
    TextTop,
    /// The end of the lesson text.
    TextBottom,
    FilterLog,
    /// Opens the `:` command line.
    CommandLine,
    /// Back to the lesson picker.
    Back,
    // The picker.
    MoveUp,
    MoveDown,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Search,
    /// Leaves the search line, keeping what was typed.
    KeepSearch,
    ClearSearch,
    DeleteChar,
    // Both screens.
    Help,
    /// Mouse capture on or off (off, the terminal selects and copies text).
    ToggleMouse,
    Quit,
}

/// A key: a character (whatever the modifiers), Ctrl with a character, or
/// another key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Code(KeyCode),
}

impl Key {
    fn matches(self, key: &KeyEvent) -> bool {
        match self {
            Key::Char(c) => key.code == KeyCode::Char(c),
            Key::Ctrl(c) => {
                key.code == KeyCode::Char(c) && key.modifiers.contains(KeyModifiers::CONTROL)
            }
            Key::Code(code) => key.code == code,
        }
    }
}

/// When a key does what its entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// The map has the focus.
    MapFocused,
    /// The map has the focus, or Shift is held.
    MapFocusedOrShift,
    /// The events have the focus.
    LogFocused,
    /// The picker's search line has the keys.
    Typing,
    NotTyping,
}

/// A key and the action it triggers when `when` holds.
#[derive(Clone, Copy, Debug)]
pub struct On {
    pub key: Key,
    pub when: When,
    pub does: Action,
}

/// The short form of a binding in the footer, at place `order`.
#[derive(Clone, Copy, Debug)]
pub struct Footer {
    pub order: u8,
    pub keys: &'static str,
    pub action: &'static str,
}

/// One entry of the help window: keys, what they do, the actions they
/// trigger, and the footer's short form.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The keys as the help window shows them.
    pub keys: &'static str,
    /// What they do, in words.
    pub action: &'static str,
    pub on: &'static [On],
    pub footer: Option<Footer>,
}

/// A titled group of bindings.
pub struct KeyGroup {
    pub title: &'static str,
    pub keys: &'static [Binding],
}

/// A key (or keys) and what it does, as a footer shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHelp {
    pub keys: &'static str,
    pub action: &'static str,
}

const fn b(keys: &'static str, action: &'static str, on: &'static [On]) -> Binding {
    Binding {
        keys,
        action,
        on,
        footer: None,
    }
}

const fn on(key: Key, does: Action) -> On {
    On {
        key,
        when: When::Always,
        does,
    }
}

const fn on_if(key: Key, when: When, does: Action) -> On {
    On { key, when, does }
}

impl Binding {
    /// The same binding, shown in the footer at `order` as `keys action`.
    const fn in_footer(self, order: u8, keys: &'static str, action: &'static str) -> Binding {
        Binding {
            footer: Some(Footer {
                order,
                keys,
                action,
            }),
            ..self
        }
    }
}

use Action as A;
use Key::{Char, Code, Ctrl};
use When::*;

pub const PICKER: &[KeyGroup] = &[
    KeyGroup {
        title: "Lessons",
        keys: &[
            b(
                "↑ ↓  j k",
                "move",
                &[
                    on(Code(KeyCode::Up), A::MoveUp),
                    on(Code(KeyCode::Down), A::MoveDown),
                    on(Code(KeyCode::PageUp), A::PageUp),
                    on(Code(KeyCode::PageDown), A::PageDown),
                    on(Code(KeyCode::Home), A::First),
                    on(Code(KeyCode::End), A::Last),
                    on_if(Char('k'), NotTyping, A::MoveUp),
                    on_if(Char('j'), NotTyping, A::MoveDown),
                    on_if(Char('g'), NotTyping, A::First),
                    on_if(Char('G'), NotTyping, A::Last),
                ],
            )
            .in_footer(0, "↑↓", "move"),
            b(
                "Enter",
                "open the lesson",
                &[
                    on_if(Code(KeyCode::Enter), NotTyping, A::Open),
                    on_if(Code(KeyCode::Right), NotTyping, A::Open),
                ],
            )
            .in_footer(1, "Enter", "open"),
            b(
                "/",
                "search (Esc clears)",
                &[
                    on_if(Char('/'), NotTyping, A::Search),
                    on_if(Code(KeyCode::Enter), Typing, A::KeepSearch),
                    on(Code(KeyCode::Esc), A::ClearSearch),
                    on_if(Code(KeyCode::Backspace), Typing, A::DeleteChar),
                ],
            )
            .in_footer(2, "/", "search"),
            b("?", "this help", &[on_if(Char('?'), NotTyping, A::Help)]).in_footer(3, "?", "help"),
            b(
                "q  Ctrl-C",
                "quit",
                &[on_if(Char('q'), NotTyping, A::Quit), on(Ctrl('c'), A::Quit)],
            )
            .in_footer(4, "q", "quit"),
        ],
    },
    KeyGroup {
        title: "Mouse",
        keys: &[
            b("click", "select; again: open", &[]),
            b("wheel", "move", &[]),
            b(
                "M",
                "mouse off / on (to copy)",
                &[on_if(Char('M'), NotTyping, A::ToggleMouse)],
            ),
        ],
    },
];

/// The picker's footer while the search line has the keys (anything typed
/// goes into the search).
pub const PICKER_SEARCH_FOOTER: &[KeyHelp] = &[
    KeyHelp {
        keys: "type",
        action: "to filter",
    },
    KeyHelp {
        keys: "Enter",
        action: "keep",
    },
    KeyHelp {
        keys: "Esc",
        action: "clear",
    },
    KeyHelp {
        keys: "↑↓",
        action: "move",
    },
];

pub const LESSON: &[KeyGroup] = &[
    KeyGroup {
        title: "Time",
        keys: &[
            b("space", "pause / resume", &[on(Char(' '), A::PlayPause)])
                .in_footer(0, "space", "pause"),
            b(".", "step one event", &[on(Char('.'), A::Step)]),
            b(
                "-  +",
                "slower / faster",
                &[
                    on(Char('-'), A::Slower),
                    on(Char('_'), A::Slower),
                    on(Char('+'), A::Faster),
                    on(Char('='), A::Faster),
                ],
            )
            .in_footer(2, "- +", "speed"),
            b(
                "[  ]",
                "seek back / forward 5 s",
                &[
                    on(Char('['), A::SeekBack(SEEK_SMALL)),
                    on(Char(']'), A::SeekForward(SEEK_SMALL)),
                ],
            )
            .in_footer(1, "[ ]", "seek"),
            b(
                "{  }",
                "seek back / forward 30 s",
                &[
                    on(Char('{'), A::SeekBack(SEEK_LARGE)),
                    on(Char('}'), A::SeekForward(SEEK_LARGE)),
                ],
            ),
            b("r", "restart, same seed", &[on(Char('r'), A::RestartRun)]),
            b("R", "restart with a new seed", &[on(Char('R'), A::NewSeed)]),
        ],
    },
    KeyGroup {
        title: "Selected node",
        keys: &[
            b(
                "1-9  ← →",
                "select a node (or click)",
                &[
                    on(Char('1'), A::SelectNode(0)),
                    on(Char('2'), A::SelectNode(1)),
                    on(Char('3'), A::SelectNode(2)),
                    on(Char('4'), A::SelectNode(3)),
                    on(Char('5'), A::SelectNode(4)),
                    on(Char('6'), A::SelectNode(5)),
                    on(Char('7'), A::SelectNode(6)),
                    on(Char('8'), A::SelectNode(7)),
                    on(Char('9'), A::SelectNode(8)),
                    on_if(Code(KeyCode::Left), MapFocusedOrShift, A::PrevNode),
                    on_if(Code(KeyCode::Right), MapFocusedOrShift, A::NextNode),
                ],
            ),
            b("c", "crash", &[on(Char('c'), A::Crash)]).in_footer(3, "c", "crash"),
            b("u", "restart (bring up)", &[on(Char('u'), A::BringUp)]),
            b("F", "freeze 3 s (GC pause)", &[on(Char('F'), A::Freeze)]),
            b(
                "s",
                "slow ×10 / normal again",
                &[on(Char('s'), A::ToggleSlow)],
            ),
            b(
                "j  J",
                "clock +10 s / −10 s",
                &[on(Char('j'), A::ClockForward), on(Char('J'), A::ClockBack)],
            ),
            b("o", "commands (hang, fail…)", &[on(Char('o'), A::Commands)]),
        ],
    },
    KeyGroup {
        title: "Network",
        keys: &[
            b("x", "cut selected node off", &[on(Char('x'), A::Isolate)])
                .in_footer(4, "x", "cut off"),
            b(
                "p",
                "partition into two groups",
                &[on(Char('p'), A::Partition)],
            ),
            b("a", "heal everything", &[on(Char('a'), A::HealAll)]).in_footer(5, "a", "heal"),
            b("l", "link latency, loss, dups", &[on(Char('l'), A::Link)]),
            b(
                "m",
                "drop / deliver a message",
                &[on(Char('m'), A::Messages)],
            ),
        ],
    },
    KeyGroup {
        title: "Lesson",
        keys: &[
            b("k", "knobs: settings, live", &[on(Char('k'), A::Knobs)]).in_footer(6, "k", "knobs"),
            b("h", "next hint", &[on(Char('h'), A::Hint)]).in_footer(7, "h", "hint"),
            b(
                "Tab S-Tab",
                "focus next / previous",
                &[
                    on(Code(KeyCode::Tab), A::FocusNext),
                    on(Code(KeyCode::BackTab), A::FocusPrev),
                ],
            ),
            b("z", "zoom the focused pane", &[on(Char('z'), A::Zoom)]),
            b(
                "↑↓ PgUp/Dn",
                "scroll text or events",
                &[
                    // On the map the arrows pick the node instead.
                    on_if(Code(KeyCode::Up), MapFocused, A::PrevNode),
                    on_if(Code(KeyCode::Down), MapFocused, A::NextNode),
                    on(Code(KeyCode::Up), A::Scroll(-1)),
                    on(Code(KeyCode::Down), A::Scroll(1)),
                    on(Code(KeyCode::PageUp), A::PageUp),
                    on(Code(KeyCode::PageDown), A::PageDown),
                    on_if(Code(KeyCode::Home), LogFocused, A::LogOldest),
                    on_if(Code(KeyCode::End), LogFocused, A::LogNewest),
                    on(Code(KeyCode::Home), A::TextTop),
                    on(Code(KeyCode::End), A::TextBottom),
                ],
            ),
            b(
                "g  G",
                "top / bottom of the pane",
                &[
                    on_if(Char('g'), LogFocused, A::LogOldest),
                    on_if(Char('G'), LogFocused, A::LogNewest),
                    on(Char('g'), A::TextTop),
                    on(Char('G'), A::TextBottom),
                ],
            ),
            b(
                "f",
                "events: selected node/all",
                &[on(Char('f'), A::FilterLog)],
            ),
            b(
                ":",
                "command line, see below",
                &[on(Char(':'), A::CommandLine)],
            ),
            b("?", "this help", &[on(Char('?'), A::Help)]).in_footer(8, "?", "help"),
            b(
                "Esc",
                "close; back to lessons",
                &[on(Code(KeyCode::Esc), A::Back)],
            ),
            b(
                "q  Ctrl-C",
                "quit",
                &[on(Char('q'), A::Quit), on(Ctrl('c'), A::Quit)],
            )
            .in_footer(9, "q", "quit"),
        ],
    },
    KeyGroup {
        title: "Mouse",
        keys: &[
            b("click", "focus pane; select node", &[]),
            b("wheel", "scroll text or events", &[]),
            b(
                "M",
                "mouse off / on (to copy)",
                &[on(Char('M'), A::ToggleMouse)],
            ),
        ],
    },
];

/// The action `key` triggers among `groups`, with `holds` saying which
/// conditions hold now: the first entry that matches, Ctrl keys before the
/// plain character they share.
pub fn action(groups: &[KeyGroup], key: &KeyEvent, holds: impl Fn(When) -> bool) -> Option<Action> {
    let entries = || groups.iter().flat_map(|g| g.keys).flat_map(|b| b.on);
    let found = |ctrl: bool| {
        entries()
            .find(|o| matches!(o.key, Key::Ctrl(_)) == ctrl && o.key.matches(key) && holds(o.when))
            .map(|o| o.does)
    };
    found(true).or_else(|| found(false))
}

/// What `key` does on the lesson screen with pane `focus` focused.
pub fn lesson_action(key: &KeyEvent, focus: PaneId) -> Option<Action> {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    action(LESSON, key, |when| match when {
        Always => true,
        MapFocused => focus == PaneId::Map,
        MapFocusedOrShift => focus == PaneId::Map || shift,
        LogFocused => focus == PaneId::Log,
        Typing | NotTyping => false,
    })
}

/// What `key` does on the picker, while typing a search or not.
pub fn picker_action(key: &KeyEvent, typing: bool) -> Option<Action> {
    action(PICKER, key, |when| match when {
        Always => true,
        Typing => typing,
        NotTyping => !typing,
        MapFocused | MapFocusedOrShift | LogFocused => false,
    })
}

/// The footer of a screen: its bindings' short forms, in their order.
pub fn footer(groups: &[KeyGroup]) -> Vec<KeyHelp> {
    let mut shown: Vec<Footer> = groups
        .iter()
        .flat_map(|g| g.keys)
        .filter_map(|b| b.footer)
        .collect();
    shown.sort_by_key(|f| f.order);
    shown
        .into_iter()
        .map(|f| KeyHelp {
            keys: f.keys,
            action: f.action,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_trigger_their_entries() {
        let c = key(KeyCode::Char('c'));
        assert_eq!(lesson_action(&c, PaneId::Map), Some(Action::Crash));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lesson_action(&ctrl_c, PaneId::Map), Some(Action::Quit));
        assert_eq!(picker_action(&ctrl_c, true), Some(Action::Quit));
        let up = key(KeyCode::Up);
        assert_eq!(lesson_action(&up, PaneId::Map), Some(Action::PrevNode));
        assert_eq!(lesson_action(&up, PaneId::Log), Some(Action::Scroll(-1)));
        let left = key(KeyCode::Left);
        assert_eq!(lesson_action(&left, PaneId::Log), None);
        let shift_left = KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT);
        assert_eq!(
            lesson_action(&shift_left, PaneId::Log),
            Some(Action::PrevNode)
        );
        let end = key(KeyCode::End);
        assert_eq!(
            lesson_action(&end, PaneId::Lesson),
            Some(Action::TextBottom)
        );
        assert_eq!(lesson_action(&end, PaneId::Log), Some(Action::LogNewest));
        let g = key(KeyCode::Char('g'));
        assert_eq!(lesson_action(&g, PaneId::Log), Some(Action::LogOldest));
        assert_eq!(lesson_action(&g, PaneId::Lesson), Some(Action::TextTop));
        let big_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lesson_action(&big_g, PaneId::Log), Some(Action::LogNewest));
        assert_eq!(lesson_action(&big_g, PaneId::Map), Some(Action::TextBottom));
        assert_eq!(
            lesson_action(&key(KeyCode::Char('7')), PaneId::Map),
            Some(Action::SelectNode(6))
        );
        let q = key(KeyCode::Char('q'));
        assert_eq!(picker_action(&q, false), Some(Action::Quit));
        assert_eq!(picker_action(&q, true), None);
    }

    #[test]
    fn footers_come_from_the_bindings() {
        let lesson: Vec<&str> = footer(LESSON).iter().map(|k| k.keys).collect();
        assert_eq!(
            lesson,
            ["space", "[ ]", "- +", "c", "x", "a", "k", "h", "?", "q"]
        );
        let picker: Vec<&str> = footer(PICKER).iter().map(|k| k.action).collect();
        assert_eq!(picker, ["move", "open", "search", "help", "quit"]);
    }

    #[test]
    fn every_key_shown_in_help_does_something() {
        for group in LESSON.iter().chain(PICKER) {
            for binding in group.keys {
                if group.title != "Mouse" {
                    assert!(!binding.on.is_empty(), "{} does nothing", binding.keys);
                }
            }
        }
    }
}

//! Every key of every screen, in one place: the help overlay, the footer and
//! the book's control reference are all made from these tables.

/// A key (or keys) and what it does.
#[derive(Clone, Copy, Debug)]
pub struct KeyHelp {
    pub keys: &'static str,
    pub action: &'static str,
}

const fn k(keys: &'static str, action: &'static str) -> KeyHelp {
    KeyHelp { keys, action }
}

/// A titled group of keys.
pub struct KeyGroup {
    pub title: &'static str,
    pub keys: &'static [KeyHelp],
}

pub const PICKER: &[KeyGroup] = &[
    KeyGroup {
        title: "Lessons",
        keys: &[
            k("↑ ↓  j k", "move"),
            k("Enter", "open the lesson"),
            k("/", "search (Esc clears)"),
            k("?", "this help"),
            k("q  Ctrl-C", "quit"),
        ],
    },
    KeyGroup {
        title: "Mouse",
        keys: &[k("click", "select; again: open"), k("wheel", "move")],
    },
];

pub const LESSON: &[KeyGroup] = &[
    KeyGroup {
        title: "Time",
        keys: &[
            k("space", "pause / resume"),
            k(".", "step one event"),
            k("-  +", "slower / faster"),
            k("[  ]", "seek back / forward 5 s"),
            k("{  }", "seek back / forward 30 s"),
            k("r", "restart, same seed"),
            k("R", "restart with a new seed"),
        ],
    },
    KeyGroup {
        title: "Selected node",
        keys: &[
            k("1-9  ← →", "select a node (or click)"),
            k("c", "crash"),
            k("u", "restart (bring up)"),
            k("g", "freeze 3 s (GC pause)"),
            k("s", "slow ×10 / normal again"),
            k("j  J", "clock +10 s / −10 s"),
            k("o", "commands (hang, fail…)"),
        ],
    },
    KeyGroup {
        title: "Network",
        keys: &[
            k("x", "cut selected node off"),
            k("p", "partition into two groups"),
            k("a", "heal everything"),
            k("l", "link latency, loss, dups"),
            k("m", "drop / deliver a message"),
        ],
    },
    KeyGroup {
        title: "Lesson",
        keys: &[
            k("k", "knobs: settings, live"),
            k("h", "next hint"),
            k("Tab S-Tab", "focus next / previous"),
            k("z", "zoom the focused pane"),
            k("↑↓ PgUp/Dn", "scroll text or events"),
            k("f", "events: selected node/all"),
            k("?", "this help"),
            k("Esc", "close; back to lessons"),
            k("q  Ctrl-C", "quit"),
        ],
    },
    KeyGroup {
        title: "Mouse",
        keys: &[
            k("click", "focus pane; select node"),
            k("wheel", "scroll text or events"),
        ],
    },
];

/// The footer's short reminder on the lesson screen.
pub const LESSON_FOOTER: &[KeyHelp] = &[
    k("space", "pause"),
    k("[ ]", "seek"),
    k("- +", "speed"),
    k("c", "crash"),
    k("x", "cut off"),
    k("a", "heal"),
    k("k", "knobs"),
    k("h", "hint"),
    k("?", "help"),
    k("q", "quit"),
];

pub const PICKER_FOOTER: &[KeyHelp] = &[
    k("↑↓", "move"),
    k("Enter", "open"),
    k("/", "search"),
    k("?", "help"),
    k("q", "quit"),
];

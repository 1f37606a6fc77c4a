//! Headless rendering: a screen drawn into a buffer and printed as text, as
//! a compact style-tagged text (for snapshot tests), as ANSI, or as SVG that
//! keeps the colours (for the book and the README), still or animated.

use super::app::App;
use super::session::SPEEDS;
use super::theme::Theme;
use crate::lesson::Catalog;
use crate::lesson::ProgressStore;
use crate::sim::{KnobValue, Time};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

/// What to draw.
#[derive(Clone, Debug)]
pub struct ShotSpec {
    /// The lesson, or the picker when `None`.
    pub lesson: Option<String>,
    pub seed: Option<u64>,
    pub at: Time,
    pub width: u16,
    pub height: u16,
    pub settings: Vec<(String, KnobValue)>,
    /// Keys pressed at `at`, before the shot (see [`parse_keys`]).
    pub keys: Vec<KeyEvent>,
    pub theme: Theme,
}

impl ShotSpec {
    pub fn lesson(id: &str, at: Time, width: u16, height: u16) -> ShotSpec {
        ShotSpec {
            lesson: Some(id.to_string()),
            seed: None,
            at,
            width,
            height,
            settings: Vec::new(),
            keys: Vec::new(),
            theme: Theme::default(),
        }
    }
}

/// Builds the app as `spec` says: the lesson opened, run to the instant with
/// its script (questions are not asked), then the keys pressed.
pub fn app_at(catalog: Catalog, spec: &ShotSpec) -> Result<App, String> {
    app_at_telling(catalog, spec, &|_| {})
}

/// [`app_at`], telling `done` how far the run has got on its way to the
/// instant, for a progress display.
pub fn app_at_telling(
    catalog: Catalog,
    spec: &ShotSpec,
    done: &dyn Fn(Time),
) -> Result<App, String> {
    let mut app = App::new(catalog, ProgressStore::memory(), spec.theme);
    app.size = Rect::new(0, 0, spec.width, spec.height);
    if let Some(id) = &spec.lesson {
        app.open(id, spec.seed, &spec.settings)?;
        if let Some(s) = app.session_mut() {
            s.paused = true;
            // A shot rarely goes back (only a seeking key does, and that
            // replays from the start): no copies of the state on the way,
            // which in a long run are what memory goes on.
            s.run.set_checkpointing(false);
            s.jump_telling(spec.at, done);
            s.run.set_checkpointing(true);
        }
    }
    for key in &spec.keys {
        app.handle(&Event::Key(*key));
    }
    Ok(app)
}

/// Draws the app into a buffer of its size.
pub fn draw(app: &App) -> Buffer {
    let mut buf = Buffer::empty(app.size);
    app.render(app.size, &mut buf);
    buf
}

/// An animation's timing: frames from the instant the app is at until `to`,
/// `fps` of them for each second it plays, playing at `SPEEDS[speed]` times
/// real time (so frames are `speed / fps` seconds of virtual time apart).
#[derive(Clone, Copy, Debug)]
pub struct Clip {
    pub to: Time,
    pub fps: u32,
    pub speed: usize,
}

impl Clip {
    /// The clip from `from` to `to`, checked: `to` is later, and there are
    /// at most [`super::svg::MAX_FRAMES`] frames.
    pub fn new(from: Time, to: Time, fps: u32, speed: usize) -> Result<Clip, String> {
        if to <= from {
            return Err(format!("--to {to} is not after --from {from}"));
        }
        if SPEEDS.get(speed).copied().flatten().is_none() {
            return Err("an animation plays at one of the playground's speeds, not `max`".into());
        }
        let clip = Clip { to, fps, speed };
        let frames = (to.0 - from.0) / clip.step().0 + 1;
        let most = super::svg::MAX_FRAMES as u64;
        if frames > most {
            return Err(format!(
                "{frames} frames from {from} to {to} at {fps} a second: at most {most}; \
                 lower --fps, raise --speed or shorten the stretch"
            ));
        }
        Ok(clip)
    }

    /// Virtual time between frames.
    pub fn step(&self) -> Time {
        let factor = SPEEDS[self.speed].unwrap_or(1.0);
        Time((factor * 1e6 / f64::from(self.fps.max(1))).round().max(1.0) as u64)
    }

    /// The instants of the frames, from `from`.
    pub fn instants(&self, from: Time) -> Vec<Time> {
        let step = self.step();
        (0..)
            .map(|i| from + Time(step.0 * i))
            .take_while(|t| *t <= self.to)
            .collect()
    }
}

/// The screens of an animation: the app as [`app_at`] left it, running (the
/// header says so, at the clip's speed), drawn at each instant of `clip`.
pub fn frames(app: &mut App, clip: &Clip) -> Vec<Buffer> {
    let Some(from) = app.session().map(|s| s.now()) else {
        return vec![draw(app)];
    };
    let mut out = Vec::new();
    for t in clip.instants(from) {
        if let Some(s) = app.session_mut() {
            s.paused = false;
            s.speed = clip.speed;
            s.jump_to(t);
        }
        out.push(draw(app));
    }
    out
}

/// The animation as one looping SVG picture (see [`super::svg::animated`]).
pub fn animation(app: &mut App, clip: &Clip) -> String {
    super::svg::animated(&frames(app, clip), 1.0 / f64::from(clip.fps.max(1)))
}

/// Reads keys written as text: plain characters, and `<Tab>`, `<BackTab>`,
/// `<Enter>`, `<Esc>`, `<Space>`, `<Up>`, `<Down>`, `<Left>`, `<Right>`,
/// `<PageUp>`, `<PageDown>`.
pub fn parse_keys(text: &str) -> Result<Vec<KeyEvent>, String> {
    let mut keys = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let code = if c == '<' {
            let rest = chars.as_str();
            let Some(end) = rest.find('>') else {
                return Err(format!(
                    "`<` opens a key name that no `>` closes in `{text}`; write <lt> for the < key"
                ));
            };
            let name = &rest[..end];
            chars = rest[end + 1..].chars();
            match name {
                "Tab" => KeyCode::Tab,
                "BackTab" => KeyCode::BackTab,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Space" => KeyCode::Char(' '),
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "PageUp" => KeyCode::PageUp,
                "PageDown" => KeyCode::PageDown,
                "lt" => KeyCode::Char('<'),
                other => {
                    return Err(format!(
                        "unknown key `<{other}>`; known: <Tab> <BackTab> <Enter> <Esc> <Space> \
                         <Up> <Down> <Left> <Right> <PageUp> <PageDown> <lt>"
                    ));
                }
            }
        } else {
            KeyCode::Char(c)
        };
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        keys.push(KeyEvent::new(code, modifiers));
    }
    Ok(keys)
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    super::panes::buffer_text(buf)
}

/// The buffer's text followed by a grid of one letter per cell for its
/// colour (`g` green, `r` red, `y` yellow, `b` blue, `m` magenta, `c` cyan,
/// `d` dark grey, `.` default), upper case when bold, and `#` for reversed
/// cells: enough to review in a snapshot that meaning shown by colour is
/// still there.
pub fn styled_text(buf: &Buffer) -> String {
    let mut out = text(buf);
    out.push_str("--- styles ---\n");
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let m = cell.modifier;
            let c = if m.contains(Modifier::REVERSED) {
                '#'
            } else {
                let c = match cell.fg {
                    Color::Green | Color::LightGreen => 'g',
                    Color::Red | Color::LightRed => 'r',
                    Color::Yellow | Color::LightYellow => 'y',
                    Color::Blue | Color::LightBlue => 'b',
                    Color::Magenta | Color::LightMagenta => 'm',
                    Color::Cyan | Color::LightCyan => 'c',
                    Color::DarkGray | Color::Gray => 'd',
                    _ => '.',
                };
                if m.contains(Modifier::BOLD) {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            };
            line.push(c);
        }
        out.push_str(line.trim_end_matches('.'));
        out.push('\n');
    }
    out
}

fn ansi_color(c: Color) -> Option<anstyle::Color> {
    use anstyle::AnsiColor as A;
    let a = match c {
        Color::Reset => return None,
        Color::Black => A::Black,
        Color::Red => A::Red,
        Color::Green => A::Green,
        Color::Yellow => A::Yellow,
        Color::Blue => A::Blue,
        Color::Magenta => A::Magenta,
        Color::Cyan => A::Cyan,
        Color::Gray => A::White,
        Color::DarkGray => A::BrightBlack,
        Color::LightRed => A::BrightRed,
        Color::LightGreen => A::BrightGreen,
        Color::LightYellow => A::BrightYellow,
        Color::LightBlue => A::BrightBlue,
        Color::LightMagenta => A::BrightMagenta,
        Color::LightCyan => A::BrightCyan,
        Color::White => A::BrightWhite,
        Color::Indexed(i) => return Some(anstyle::Color::Ansi256(anstyle::Ansi256Color(i))),
        Color::Rgb(r, g, b) => return Some(anstyle::Color::Rgb(anstyle::RgbColor(r, g, b))),
    };
    Some(anstyle::Color::Ansi(a))
}

/// The buffer as text with ANSI escape codes.
pub fn ansi(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut skip = 0;
        let mut current = anstyle::Style::new();
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buf[(x, y)];
            let m = cell.modifier;
            let mut effects = anstyle::Effects::new();
            for (flag, effect) in [
                (Modifier::BOLD, anstyle::Effects::BOLD),
                (Modifier::DIM, anstyle::Effects::DIMMED),
                (Modifier::ITALIC, anstyle::Effects::ITALIC),
                (Modifier::UNDERLINED, anstyle::Effects::UNDERLINE),
                (Modifier::REVERSED, anstyle::Effects::INVERT),
            ] {
                if m.contains(flag) {
                    effects |= effect;
                }
            }
            let style = anstyle::Style::new()
                .fg_color(ansi_color(cell.fg))
                .bg_color(ansi_color(cell.bg))
                .effects(effects);
            if style != current {
                let _ = write!(out, "{}{}", anstyle::Reset, style.render());
                current = style;
            }
            let sym = cell.symbol();
            skip = super::text::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        let _ = writeln!(out, "{}", anstyle::Reset);
    }
    out
}

/// The buffer as an SVG picture of a terminal, colours kept, each cell at
/// its place in the grid (see [`super::svg`]).
pub fn svg(buf: &Buffer) -> String {
    super::svg::still(buf)
}

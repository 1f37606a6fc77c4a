//! Named styles and glyphs. Colours are the 16 ANSI ones, so the terminal's
//! own palette (dark or light) decides how they look; no background colour is
//! ever set except through `REVERSED`. With `NO_COLOR` every style keeps its
//! modifiers and loses its colour, and every meaning is also carried by a
//! glyph or a word. The high-contrast theme (chosen in the config file) takes
//! the bright variant of every colour in bold and never dims text.

use crate::sim::Health;
use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// Bright colours in bold, nothing dimmed.
    pub high_contrast: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: true,
            high_contrast: false,
        }
    }
}

impl Theme {
    /// Colour unless the `NO_COLOR` convention (<https://no-color.org>) asks for none.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme {
            color: !no_color,
            high_contrast: false,
        }
    }

    pub fn monochrome() -> Theme {
        Theme {
            color: false,
            high_contrast: false,
        }
    }

    /// The high-contrast theme (in colour unless `NO_COLOR` says otherwise).
    pub fn high_contrast(color: bool) -> Theme {
        Theme {
            color,
            high_contrast: true,
        }
    }

    fn fg(&self, c: Color) -> Style {
        match (self.color, self.high_contrast) {
            (true, false) => Style::new().fg(c),
            (true, true) => Style::new().fg(bright(c)).add_modifier(Modifier::BOLD),
            (false, _) => Style::new(),
        }
    }

    pub fn text(&self) -> Style {
        Style::new()
    }
    pub fn dim(&self) -> Style {
        if self.high_contrast {
            Style::new()
        } else if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn heading(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn emphasis(&self) -> Style {
        Style::new().add_modifier(Modifier::ITALIC)
    }
    pub fn strong(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn code(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn link(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::UNDERLINED)
    }
    /// Keys in hints and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn border(&self) -> Style {
        self.dim()
    }
    pub fn border_focused(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// The selected row, node or item: reversed, readable in any palette.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn info(&self) -> Style {
        self.fg(Color::Blue)
    }
    /// A message on its way.
    pub fn message(&self) -> Style {
        self.fg(Color::Magenta)
    }
    /// A link that is cut.
    pub fn cut(&self) -> Style {
        self.fg(Color::Red)
    }

    /// The `i`-th series of a chart or the `i`-th state of a timeline.
    pub fn series(&self, i: usize) -> Style {
        const COLORS: [Color; 6] = [
            Color::Green,
            Color::Red,
            Color::Yellow,
            Color::Cyan,
            Color::Magenta,
            Color::Blue,
        ];
        self.fg(COLORS[i % COLORS.len()])
    }

    pub fn health(&self, h: Health) -> Style {
        match h {
            Health::Up => self.good(),
            Health::Down => self.bad(),
            Health::Paused => self.warn(),
        }
    }

    /// A node's health as a glyph, so it reads without colour.
    pub fn health_glyph(h: Health) -> &'static str {
        match h {
            Health::Up => "●",
            Health::Down => "✖",
            Health::Paused => "‖",
        }
    }
}

/// The bright variant of one of the eight ANSI colours.
fn bright(c: Color) -> Color {
    match c {
        Color::Red => Color::LightRed,
        Color::Green => Color::LightGreen,
        Color::Yellow => Color::LightYellow,
        Color::Blue => Color::LightBlue,
        Color::Magenta => Color::LightMagenta,
        Color::Cyan => Color::LightCyan,
        Color::DarkGray | Color::Gray => Color::White,
        other => other,
    }
}

//! The playground's config file, `$XDG_CONFIG_HOME/splitbrain/config.toml`
//! (the platform's config directory elsewhere): the starting speed, whether
//! the mouse is taken, the colours, and keys of the lesson screen remapped.
//! Every setting may be left out. A file that does not read is reported as
//! `file:line:col: what was expected` and the playground starts with the
//! defaults.

use super::keys::lesson_action;
use super::session::{PaneId, SPEEDS};
use super::theme::Theme;
use crate::lesson::line_col;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The colours the playground draws with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colors {
    /// The terminal's own 16 colours.
    Default,
    /// Bright colours in bold, nothing dimmed.
    HighContrast,
    /// No colour at all, as under `NO_COLOR`.
    None,
}

/// The settings the file gives, the defaults where it says nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Index into [`SPEEDS`].
    pub speed: usize,
    pub mouse: bool,
    pub colors: Colors,
    /// Keys of the lesson screen that do what another key does: (pressed, as if).
    pub keys: Vec<(char, char)>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            speed: DEFAULT_SPEED,
            mouse: true,
            colors: Colors::Default,
            keys: Vec::new(),
        }
    }
}

/// 1×, as the playground starts without a config file.
const DEFAULT_SPEED: usize = 3;

/// What `splitbrain --print-config` writes: every setting at its default,
/// explained; it reads back as the defaults.
pub const DEFAULT_TEXT: &str = r#"# splitbrain's playground settings: $XDG_CONFIG_HOME/splitbrain/config.toml
# (~/.config/splitbrain/config.toml). Every setting may be left out.

# The speed a lesson starts at, as a multiple of real time: 0.1, 0.25, 0.5,
# 1, 2, 5, 10, 20, 50, 100, or "max" (as fast as the machine goes).
speed = 1

# Whether the playground takes the mouse (clicks and the wheel). false leaves
# it to the terminal, to select and copy text; M switches it while running.
mouse = true

# "default" (the terminal's own colours), "high-contrast" (bright and bold,
# nothing dimmed) or "none" (no colour, as NO_COLOR gives).
colors = "default"

# Keys of the lesson screen remapped: "key pressed" = "key it acts as", each
# a single character. For example, to freeze with z and zoom with Z:
#   "z" = "F"
#   "Z" = "z"
[keys]
"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    speed: Option<Spanned<toml::Value>>,
    mouse: Option<bool>,
    colors: Option<Spanned<String>>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// Reads a config file's text; an error is `line:col: message`.
pub fn parse(text: &str) -> Result<Config, String> {
    let at = |offset: usize, message: String| {
        let (line, col) = line_col(text, offset);
        format!("{line}:{col}: {message}")
    };
    let file: File = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, e.message().trim().to_string())
    })?;
    let mut config = Config::default();
    if let Some(speed) = &file.speed {
        let wanted = match speed.get_ref() {
            toml::Value::String(s) if s == "max" => Some(None),
            toml::Value::Integer(i) => Some(Some(*i as f64)),
            toml::Value::Float(f) => Some(Some(*f)),
            _ => None,
        };
        config.speed = wanted
            .and_then(|w| SPEEDS.iter().position(|s| *s == w))
            .ok_or_else(|| {
                at(
                    speed.span().start,
                    "speed: expected one of 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100 or \"max\""
                        .into(),
                )
            })?;
    }
    if let Some(mouse) = file.mouse {
        config.mouse = mouse;
    }
    if let Some(colors) = &file.colors {
        config.colors = match colors.get_ref().as_str() {
            "default" => Colors::Default,
            "high-contrast" => Colors::HighContrast,
            "none" => Colors::None,
            other => {
                return Err(at(
                    colors.span().start,
                    format!(
                        "colors: expected \"default\", \"high-contrast\" or \"none\", found \"{other}\""
                    ),
                ));
            }
        };
    }
    for (from, to) in &file.keys {
        let one = |s: &Spanned<String>| -> Result<char, String> {
            let mut chars = s.get_ref().chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => Ok(c),
                _ => Err(at(
                    s.span().start,
                    format!(
                        "keys: expected a single character, found \"{}\"",
                        s.get_ref().escape_default()
                    ),
                )),
            }
        };
        let (pressed, as_if) = (one(from)?, one(to)?);
        if bound(as_if).is_none() {
            return Err(at(
                to.span().start,
                format!(
                    "keys: \"{as_if}\" does nothing on the lesson screen, so nothing can act as it"
                ),
            ));
        }
        config.keys.push((pressed, as_if));
    }
    Ok(config)
}

/// Whether `c` does something on the lesson screen (with the map focused).
fn bound(c: char) -> Option<super::keys::Action> {
    lesson_action(&key_of(c), PaneId::Map)
}

fn key_of(c: char) -> KeyEvent {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), modifiers)
}

impl Config {
    /// The theme: the file's colours, none at all under `NO_COLOR`.
    pub fn theme(&self, no_color: bool) -> Theme {
        match self.colors {
            _ if no_color => Theme::monochrome(),
            Colors::Default => Theme::default(),
            Colors::HighContrast => Theme::high_contrast(true),
            Colors::None => Theme::monochrome(),
        }
    }

    /// A key as the lesson screen is to read it: remapped if the file says so.
    pub fn remap(&self, key: KeyEvent) -> KeyEvent {
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => self
                .keys
                .iter()
                .find(|(pressed, _)| *pressed == c)
                .map_or(key, |(_, as_if)| key_of(*as_if)),
            _ => key,
        }
    }
}

/// Where the config file is: `$XDG_CONFIG_HOME/splitbrain/config.toml` when
/// that is set, else the platform's config directory.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("splitbrain").join("config.toml"));
    }
    directories::ProjectDirs::from("", "", "splitbrain").map(|d| d.config_dir().join("config.toml"))
}

/// The config at `path`: the defaults when there is no file, and the
/// defaults with a `file:line:col: message` when it does not read.
pub fn load(path: &Path) -> (Config, Option<String>) {
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Config::default(), None),
        Err(e) => {
            return (
                Config::default(),
                Some(format!(
                    "{}: cannot read it: {e}; using the defaults",
                    path.display()
                )),
            );
        }
    };
    let failed = |m: String| {
        (
            Config::default(),
            Some(format!("{}:{m}; using the defaults", path.display())),
        )
    };
    match String::from_utf8(text) {
        Err(e) => {
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let (line, col) = line_col(&text, e.utf8_error().valid_up_to());
            failed(format!("{line}:{col}: not UTF-8 text"))
        }
        Ok(text) => match parse(&text) {
            Ok(config) => (config, None),
            Err(m) => failed(m),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_defaults_read_back_as_the_defaults() {
        assert_eq!(parse(DEFAULT_TEXT), Ok(Config::default()));
        assert_eq!(parse(""), Ok(Config::default()));
    }

    #[test]
    fn settings_are_read() {
        let c = parse(
            "speed = \"max\"\nmouse = false\ncolors = \"high-contrast\"\n[keys]\n\"z\" = \"F\"\n",
        )
        .unwrap();
        assert_eq!(c.speed, SPEEDS.len() - 1);
        assert!(!c.mouse);
        assert_eq!(c.colors, Colors::HighContrast);
        assert_eq!(c.keys, [('z', 'F')]);
        assert_eq!(parse("speed = 0.5").unwrap().speed, 2);
        assert_eq!(parse("speed = 10").unwrap().speed, 6);
        assert!(c.theme(false).high_contrast);
        assert!(!c.theme(true).color);
    }

    #[test]
    fn mistakes_are_placed_by_line_and_column() {
        assert_eq!(
            parse("mouse = true\nspeed = 3\n").unwrap_err(),
            "2:9: speed: expected one of 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100 or \"max\""
        );
        assert_eq!(
            parse("colors = \"pink\"").unwrap_err(),
            "1:10: colors: expected \"default\", \"high-contrast\" or \"none\", found \"pink\""
        );
        assert!(
            parse("[keys]\n\"zz\" = \"c\"")
                .unwrap_err()
                .starts_with("2:1: keys: expected a single")
        );
        assert!(
            parse("[keys]\n\"w\" = \"W\"")
                .unwrap_err()
                .starts_with("2:7: keys: \"W\" does nothing")
        );
        let unknown = parse("\nspeeds = 1").unwrap_err();
        assert!(
            unknown.starts_with("2:1: unknown field `speeds`"),
            "{unknown}"
        );
        let bad = parse("mouse = yes").unwrap_err();
        assert!(bad.starts_with("1:9: "), "{bad}");
    }

    #[test]
    fn a_remapped_key_acts_as_its_target() {
        let c = parse("[keys]\n\"z\" = \"F\"\n").unwrap();
        let z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(c.remap(z).code, KeyCode::Char('F'));
        assert_eq!(c.remap(z).modifiers, KeyModifiers::SHIFT);
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(c.remap(x), x);
    }

    #[test]
    fn a_bad_file_gives_the_defaults_and_says_where() {
        let dir = std::env::temp_dir().join(format!("splitbrain-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, "mouse = false\ncolors = 7\n").unwrap();
        let (config, error) = load(&path);
        assert_eq!(config, Config::default());
        let error = error.unwrap();
        assert!(
            error.starts_with(&format!("{}:2:10: ", path.display())),
            "{error}"
        );
        assert!(error.ends_with("using the defaults"), "{error}");
        assert_eq!(load(&dir.join("none.toml")), (Config::default(), None));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

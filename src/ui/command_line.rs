//! The `:` command line of the lesson screen: a line typed at the bottom and
//! run with Enter (`:set timeout=250ms`, `:seek 1m30s`, `:crash n1`,
//! `:seed 7`). Each command becomes the [`Control`] the equivalent key gives,
//! or the keys table's [`Action`] itself, so a session driven by commands is
//! recorded and replayed exactly like one driven by keys. Tab completes
//! command names, knob names, a knob's values where they are a set, and node
//! names; a mistake is one line that says what was expected.

use super::keys::Action;
use super::session::{Control, SPEEDS, Session};
use crate::scenarios::KnobKind;
use crate::sim::{Input, NodeSel, Time};
use crate::ui::session::FREEZE;

/// What a command takes after its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    Nothing,
    /// `KNOB=VALUE`.
    Setting,
    /// An instant, or `+`/`-` a duration from now.
    Instant,
    /// A node's name (the selected node when left out).
    Node,
    Seed,
    Speed,
}

/// One command: its name, what it takes as the help shows it, and what it does.
#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub usage: &'static str,
    pub about: &'static str,
    arg: Arg,
}

const fn cmd(
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    arg: Arg,
) -> CommandSpec {
    CommandSpec {
        name,
        usage,
        about,
        arg,
    }
}

/// Every command, in the order the help lists them.
pub const COMMANDS: &[CommandSpec] = &[
    cmd("set", ":set KNOB=VALUE", "any value in range", Arg::Setting),
    cmd("seek", ":seek TIME", "75s 1m30s +5s -10s", Arg::Instant),
    cmd("crash", ":crash NODE", "crash a node", Arg::Node),
    cmd("restart", ":restart NODE", "bring a node up", Arg::Node),
    cmd("freeze", ":freeze NODE", "freeze it 3 s", Arg::Node),
    cmd("cut", ":cut NODE", "cut it off", Arg::Node),
    cmd("heal", ":heal", "heal every cut", Arg::Nothing),
    cmd("pause", ":pause", "pause playback", Arg::Nothing),
    cmd("resume", ":resume", "resume playback", Arg::Nothing),
    cmd("step", ":step", "step one event", Arg::Nothing),
    cmd("speed", ":speed N", "0.1 … 100, or max", Arg::Speed),
    cmd("seed", ":seed N", "run again, seed N", Arg::Seed),
    cmd("rerun", ":rerun", "run again, same seed", Arg::Nothing),
    cmd("hint", ":hint", "next hint", Arg::Nothing),
    cmd("help", ":help", "this help", Arg::Nothing),
    cmd("quit", ":quit", "quit", Arg::Nothing),
];

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Applied to the session, as the equivalent key's control is.
    Control(Control),
    /// Done as the key that triggers it does it.
    Act(Action),
    Quit,
}

/// Reads a command line (without its `:`) against the session: what to do,
/// or a one-line message saying what was expected.
pub fn parse(line: &str, s: &Session) -> Result<Command, String> {
    let line = line.trim();
    let (word, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(w, r)| (w, r.trim()));
    if word.is_empty() {
        return Err(format!("type a command: {}", names().join(", ")));
    }
    let spec = find(word)?;
    if spec.arg == Arg::Nothing && !rest.is_empty() {
        return Err(format!("`:{}` takes nothing after it", spec.name));
    }
    let needs = |what: &str| -> Result<(), String> {
        if rest.is_empty() {
            Err(format!("`:{}` needs {what}: {}", spec.name, spec.usage))
        } else {
            Ok(())
        }
    };
    Ok(match spec.arg {
        Arg::Nothing => match spec.name {
            "heal" => Command::Control(Control::Input(Input::Heal)),
            "pause" => Command::Control(Control::Pause),
            "resume" => Command::Control(Control::Resume),
            "step" => Command::Control(Control::Step),
            "rerun" => Command::Control(Control::RestartRun),
            "hint" => Command::Act(Action::Hint),
            "help" => Command::Act(Action::Help),
            _ => Command::Quit,
        },
        Arg::Setting => {
            needs("a setting")?;
            Command::Control(Control::Input(setting(rest, s)?))
        }
        Arg::Instant => {
            needs("a time")?;
            let t = instant(rest, s.now())?;
            // Far past the script is minutes of simulation in one keypress.
            let end = s.lesson().length.max(s.now());
            if t > end {
                return Err(format!(
                    "`:seek` goes at most to {}, the end of the lesson's script (space runs on past it)",
                    crate::ui::text::clock_tenths(end)
                ));
            }
            Command::Control(Control::Seek(t))
        }
        Arg::Node => {
            let node = NodeSel::Id(node(rest, s)?);
            Command::Control(Control::Input(match spec.name {
                "crash" => Input::Crash(node),
                "restart" => Input::Restart(node),
                "freeze" => Input::Pause {
                    node,
                    duration: Some(FREEZE),
                },
                _ => Input::Isolate(node),
            }))
        }
        Arg::Seed => {
            needs("a seed")?;
            let seed = rest.parse::<u64>().map_err(|_| {
                format!("a seed is a whole number from 0 up, such as 7; found `{rest}`")
            })?;
            Command::Control(Control::NewSeed(seed))
        }
        Arg::Speed => {
            needs("a speed")?;
            Command::Control(Control::Speed(speed(rest)?))
        }
    })
}

/// A knob setting `KNOB=VALUE`, its value read by the knob's own parser as
/// `--set` reads it; the message says what the knob takes, once.
fn setting(text: &str, s: &Session) -> Result<Input, String> {
    let lesson = s.lesson();
    let knob = text
        .split_once('=')
        .and_then(|(name, _)| lesson.knob(name.trim()));
    let (Some(knob), Some((_, value))) = (knob, text.split_once('=')) else {
        // No such knob, or no `=`: the command line's own message.
        let (name, value) = lesson.parse_setting(text)?;
        return Ok(Input::Knob { name, value });
    };
    match knob.kind.parse(value) {
        Ok(value) => Ok(Input::Knob {
            name: knob.name,
            value,
        }),
        Err(e) if matches!(knob.kind, KnobKind::DurationOrOff { .. }) => {
            Err(format!("knob `{}`: {e}, or `off`", knob.name))
        }
        Err(e) => Err(format!("knob `{}`: {e}", knob.name)),
    }
}

fn names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

/// The command named `word`, or the one it is the start of when only one is.
fn find(word: &str) -> Result<&'static CommandSpec, String> {
    if let Some(c) = COMMANDS.iter().find(|c| c.name == word) {
        return Ok(c);
    }
    let starting: Vec<&CommandSpec> = COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(word))
        .collect();
    match starting.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no command `:{word}`; the commands are {}",
            names().join(", ")
        )),
        many => Err(format!(
            "`:{word}` could be {}",
            many.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The node named `text` (the selected one when `text` is empty).
fn node(text: &str, s: &Session) -> Result<usize, String> {
    let names = s.run.cluster().names();
    if text.is_empty() {
        return Ok(s.selected);
    }
    names
        .iter()
        .position(|n| n == text)
        .ok_or_else(|| format!("no node `{text}`; the nodes are {}", names.join(", ")))
}

/// An instant written `75s`, `1m30s`, `90.5s`, or `+5s` / `-10s` from `now`.
fn instant(text: &str, now: Time) -> Result<Time, String> {
    let (sign, body) = match text.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => match text.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (0, text),
        },
    };
    let by = compound_duration(body.trim())
        .map_err(|e| format!("{e}; `:seek` takes 75s, 1m30s, +5s or -10s"))?;
    Ok(match sign {
        1 => now + by,
        -1 => now.saturating_sub(by),
        _ => by,
    })
}

/// A duration of one or more parts, each a number and a unit: `1m30s`, `2s500ms`.
pub fn compound_duration(text: &str) -> Result<Time, String> {
    let mut total = Time::ZERO;
    let mut part = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        part.push(c);
        let next_starts_a_number = chars
            .peek()
            .is_some_and(|n| n.is_ascii_digit() || *n == '.');
        if !(c.is_ascii_digit() || c == '.') && next_starts_a_number {
            total += Time::parse(&part)?;
            part.clear();
        }
    }
    Ok(total + Time::parse(&part)?)
}

/// The index into [`SPEEDS`] of a speed written `10`, `0.5`, `2x`, `10×` or `max`.
fn speed(text: &str) -> Result<usize, String> {
    let wanted = if text == "max" {
        None
    } else {
        let number = text.trim_end_matches(['x', '×']);
        Some(number.parse::<f64>().unwrap_or(f64::NAN))
    };
    SPEEDS.iter().position(|s| *s == wanted).ok_or_else(|| {
        format!(
            "no speed `{text}`; the speeds are {}",
            speed_words().join(", ")
        )
    })
}

fn speed_words() -> Vec<String> {
    SPEEDS
        .iter()
        .map(|s| s.map_or("max".to_string(), |f| f.to_string()))
        .collect()
}

/// What Tab does to a command line: the line completed as far as the
/// candidates agree, and the candidates when more than one remains.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completion {
    pub line: String,
    pub candidates: Vec<String>,
}

/// Completes the last word of `line` (without its `:`): a command's name,
/// a knob's name or one of its values where they are a set, a node's name,
/// a speed.
pub fn complete(line: &str, s: &Session) -> Completion {
    let (head, word) = match line.rfind(char::is_whitespace) {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let command = head.split_whitespace().next();
    let (prefix, word, candidates, space_after): (String, &str, Vec<String>, bool) = match command {
        None => (
            String::new(),
            word,
            names().iter().map(|n| n.to_string()).collect(),
            true,
        ),
        Some(c) => match find(c).map(|spec| spec.arg) {
            Ok(Arg::Setting) => match word.split_once('=') {
                None => (String::new(), word, knob_names_with_eq(s), false),
                Some((knob, value)) => (format!("{knob}="), value, knob_values(s, knob), true),
            },
            Ok(Arg::Node) => (String::new(), word, s.run.cluster().names().to_vec(), true),
            Ok(Arg::Speed) => (String::new(), word, speed_words(), true),
            _ => (String::new(), word, Vec::new(), false),
        },
    };
    let matching: Vec<String> = candidates
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    let completed = match matching.as_slice() {
        [] => word.to_string(),
        [one] if space_after => format!("{one} "),
        [one] => one.clone(),
        many => common_prefix(many),
    };
    Completion {
        line: format!("{head}{prefix}{completed}"),
        candidates: if matching.len() > 1 {
            matching
        } else {
            Vec::new()
        },
    }
}

fn knob_names_with_eq(s: &Session) -> Vec<String> {
    s.lesson()
        .knob_names()
        .into_iter()
        .map(|n| format!("{n}="))
        .collect()
}

/// The values a knob takes when they are a set (on/off, its choices, off).
fn knob_values(s: &Session, name: &str) -> Vec<String> {
    match s.lesson().knob(name).map(|k| k.kind) {
        Some(KnobKind::Switch) => vec!["on".into(), "off".into()],
        Some(KnobKind::Choice(choices)) => choices,
        Some(KnobKind::DurationOrOff { .. }) => vec!["off".into()],
        _ => Vec::new(),
    }
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

/// The line being typed, the candidates Tab last offered, and the lines
/// run before in this session (Up and Down recall them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prompt {
    pub text: String,
    pub candidates: Vec<String>,
    /// Which line of the history is shown, counting back from the newest.
    recalled: Option<usize>,
}

/// What a key did to the prompt.
#[derive(Clone, Debug, PartialEq)]
pub enum PromptKey {
    /// Still typing.
    Editing,
    Cancel,
    /// Run this line.
    Run(String),
}

impl Prompt {
    /// Handles a key; `history` holds the lines run before, oldest first.
    pub fn key(
        &mut self,
        key: crossterm::event::KeyEvent,
        history: &[String],
        s: &Session,
    ) -> PromptKey {
        use crossterm::event::KeyCode;
        match key.code {
            KeyCode::Esc => return PromptKey::Cancel,
            KeyCode::Enter => return PromptKey::Run(self.text.clone()),
            KeyCode::Backspace => {
                if self.text.pop().is_none() {
                    return PromptKey::Cancel;
                }
                self.candidates.clear();
            }
            KeyCode::Tab => {
                let c = complete(&self.text, s);
                self.text = c.line;
                self.candidates = c.candidates;
            }
            KeyCode::Up | KeyCode::Down => {
                let back = match (key.code, self.recalled) {
                    (KeyCode::Up, None) => Some(0),
                    (KeyCode::Up, Some(i)) => Some((i + 1).min(history.len().saturating_sub(1))),
                    (_, Some(0)) | (_, None) => None,
                    (_, Some(i)) => Some(i - 1),
                };
                match back.filter(|i| *i < history.len()) {
                    Some(i) => {
                        self.text = history[history.len() - 1 - i].clone();
                        self.recalled = Some(i);
                    }
                    None => {
                        self.text.clear();
                        self.recalled = None;
                    }
                }
                self.candidates.clear();
            }
            KeyCode::Char(c) => {
                self.text.push(c);
                self.candidates.clear();
            }
            _ => {}
        }
        PromptKey::Editing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Catalog;
    use crate::sim::KnobValue;

    fn session(id: &str) -> Session {
        let lesson = Catalog::embedded().unwrap().find(id).unwrap();
        Session::new(lesson, 1, &[]).unwrap()
    }

    #[test]
    fn durations_of_several_parts_add_up() {
        assert_eq!(compound_duration("1m30s"), Ok(Time::secs(90)));
        assert_eq!(compound_duration("75s"), Ok(Time::secs(75)));
        assert_eq!(compound_duration("2s500ms"), Ok(Time::millis(2500)));
        assert!(compound_duration("1m30").is_err());
        assert!(compound_duration("soon").is_err());
        assert_eq!(instant("+5s", Time::secs(10)), Ok(Time::secs(15)));
        assert_eq!(instant("-20s", Time::secs(10)), Ok(Time::ZERO));
    }

    #[test]
    fn a_setting_takes_any_value_in_range() {
        let s = session("flaky-dependency");
        assert_eq!(
            parse("set timeout=250ms", &s),
            Ok(Command::Control(Control::Input(Input::Knob {
                name: "timeout".into(),
                value: KnobValue::Duration(Time::millis(250)),
            })))
        );
        let e = parse("set timeout=1ms", &s).unwrap_err();
        assert_eq!(
            e,
            "knob `timeout`: 1ms is out of range 10ms..=30s, or `off`"
        );
        let e = parse("set breaker=maybe", &s).unwrap_err();
        assert_eq!(e, "knob `breaker`: expected on or off, found `maybe`");
        let e = parse("set nothing=1", &s).unwrap_err();
        assert!(
            e.contains("has no knob `nothing`") && e.contains("timeout"),
            "{e}"
        );
        let e = parse("set", &s).unwrap_err();
        assert!(e.contains(":set KNOB=VALUE"), "{e}");
    }

    #[test]
    fn nodes_seeds_speeds_and_mistakes() {
        let s = session("failover");
        let n2 = s
            .run
            .cluster()
            .names()
            .iter()
            .position(|n| n == "n2")
            .unwrap();
        assert_eq!(
            parse("crash n2", &s),
            Ok(Command::Control(Control::Input(Input::Crash(NodeSel::Id(
                n2
            )))))
        );
        assert_eq!(
            parse("restart", &s),
            Ok(Command::Control(Control::Input(Input::Restart(
                NodeSel::Id(0)
            ))))
        );
        let e = parse("crash n9", &s).unwrap_err();
        assert!(e.contains("no node `n9`") && e.contains("n1, n2"), "{e}");
        assert_eq!(
            parse("seed 7", &s),
            Ok(Command::Control(Control::NewSeed(7)))
        );
        assert!(
            parse("seek 10h", &s)
                .unwrap_err()
                .contains("at most to 120.0s")
        );
        assert!(parse("seed -1", &s).unwrap_err().contains("whole number"));
        assert_eq!(
            parse("speed 10", &s),
            Ok(Command::Control(Control::Speed(6)))
        );
        assert_eq!(
            parse("speed max", &s),
            Ok(Command::Control(Control::Speed(10)))
        );
        assert!(parse("speed 3", &s).unwrap_err().contains("0.5, 1, 2"));
        assert_eq!(
            parse("se 1m", &s).unwrap_err(),
            "`:se` could be set, seek, seed"
        );
        assert_eq!(parse("q", &s), Ok(Command::Quit));
        assert!(parse("heal now", &s).unwrap_err().contains("takes nothing"));
        assert!(
            parse("fly", &s)
                .unwrap_err()
                .contains("the commands are set, seek")
        );
    }

    #[test]
    fn tab_completes_commands_knobs_values_and_nodes() {
        let s = session("flaky-dependency");
        assert_eq!(complete("cr", &s).line, "crash ");
        let se = complete("se", &s);
        assert_eq!(se.line, "se");
        assert_eq!(se.candidates, ["set", "seek", "seed"]);
        assert_eq!(complete("set time", &s).line, "set timeout=");
        assert_eq!(complete("set breaker=o", &s).candidates, ["on", "off"]);
        assert_eq!(complete("set breaker=of", &s).line, "set breaker=off ");
        assert_eq!(complete("crash ", &s).candidates, s.run.cluster().names());
        let first = &s.run.cluster().names()[0];
        assert_eq!(
            complete(&format!("crash {first}"), &s).line,
            format!("crash {first} ")
        );
    }
}

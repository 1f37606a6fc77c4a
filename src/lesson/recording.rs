//! Session recordings read back: a recording is checked against the lesson
//! it names as strictly as a lesson file is checked against its scenario
//! (the lesson and its version, every knob and its range, every node, every
//! command, every input's place in time), and every problem is reported as
//! `file:line:col: message`.

use super::error::SourceError;
use super::{Lesson, Recording};
use crate::sim::{Input, KnobValue, Latency, NodeSel};

/// One step of a path into a JSON document: a member or an element.
#[derive(Clone, Debug)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A short hash of a lesson file's text (64-bit FNV-1a, in hex), kept
/// in recordings so a replay knows it runs the lesson it was recorded on.
pub fn lesson_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Reads a recording of `lesson` from `text` (`file` names it in messages).
pub fn parse_recording(
    file: &str,
    text: &str,
    lesson: &Lesson,
) -> Result<Recording, Vec<SourceError>> {
    let recording: Recording = serde_json::from_str(text).map_err(|e| {
        vec![SourceError {
            file: file.to_string(),
            line: e.line().max(1),
            col: e.column().max(1),
            message: format!("not a session recording: {e}"),
        }]
    })?;
    let mut cx = Check {
        file,
        text,
        lesson,
        errors: Vec::new(),
    };
    cx.recording(&recording);
    if cx.errors.is_empty() {
        Ok(recording)
    } else {
        cx.errors.sort_by_key(|e| (e.line, e.col));
        Err(cx.errors)
    }
}

/// The position of a value in a recording's text, for an error found after
/// reading it (an input's index, say).
pub fn position(file: &str, text: &str, path: &[Step], message: impl Into<String>) -> SourceError {
    let at = locate(text, path).unwrap_or(0);
    SourceError::at(file, text, Some(at..at), message)
}

struct Check<'a> {
    file: &'a str,
    text: &'a str,
    lesson: &'a Lesson,
    errors: Vec<SourceError>,
}

fn key(k: &str) -> Step {
    Step::Key(k.to_string())
}

impl Check<'_> {
    fn error(&mut self, path: &[Step], message: impl Into<String>) {
        self.errors
            .push(position(self.file, self.text, path, message));
    }

    fn recording(&mut self, r: &Recording) {
        let l = self.lesson;
        if r.lesson != l.id {
            self.error(
                &[key("lesson")],
                format!(
                    "the recording is of lesson `{}`, not `{}`: replay it with `splitbrain run {} --replay FILE`",
                    r.lesson, l.id, r.lesson
                ),
            );
            // Nothing else can be checked against the wrong lesson.
            return;
        }
        if let Some(h) = &r.lesson_hash
            && *h != l.hash
        {
            self.error(
                &[key("lesson_hash")],
                format!(
                    "the recording was made with another version of lesson `{}` (its hash is {h}, \
                     this one's is {}), so it would not replay the same run",
                    l.id, l.hash
                ),
            );
        }
        for (name, value) in &r.knobs {
            self.knob(&[key("knobs"), key(name)], name, value);
        }
        let mut last = None;
        for (i, logged) in r.log.inputs.iter().enumerate() {
            let here = |k: &str| [key("log"), key("inputs"), Step::Index(i), key(k)];
            if let Some((at, events)) = last {
                if logged.at < at {
                    self.error(
                        &here("at"),
                        format!(
                            "input {} is at {}, before the input ahead of it ({at}): inputs are in time order",
                            i + 1,
                            logged.at
                        ),
                    );
                }
                if logged.after_events < events {
                    self.error(
                        &here("after_events"),
                        format!(
                            "input {} comes after {} events, fewer than the input ahead of it ({events})",
                            i + 1,
                            logged.after_events
                        ),
                    );
                }
            }
            if logged.at > r.until {
                self.error(
                    &here("at"),
                    format!(
                        "input {} is at {}, after the recording ends ({})",
                        i + 1,
                        logged.at,
                        r.until
                    ),
                );
            }
            last = Some((logged.at, logged.after_events));
            self.input(&here("input"), &logged.input);
        }
    }

    /// A knob and its value, as `--set` would take them.
    fn knob(&mut self, path: &[Step], name: &str, value: &KnobValue) {
        let l = self.lesson;
        let Some(knob) = l.knob(name) else {
            self.error(
                path,
                format!(
                    "lesson `{}` has no knob `{name}`; its knobs are: {}",
                    l.id,
                    l.knob_names().join(", ")
                ),
            );
            return;
        };
        // A value is valid if it reads back as itself: of the knob's type
        // and within its range or choices.
        match knob.kind.parse(&value.to_string()) {
            Ok(v) if v == *value => {}
            Ok(_) => self.error(
                path,
                format!(
                    "knob `{name}`: `{value}` is not of its type (it takes {})",
                    knob.kind.accepted()
                ),
            ),
            Err(e) => self.error(
                path,
                format!("knob `{name}`: {e} (it takes {})", knob.kind.accepted()),
            ),
        }
    }

    fn node(&mut self, path: &[Step], sel: &NodeSel) -> Option<String> {
        let l = self.lesson;
        match sel {
            NodeSel::Id(i) => match l.nodes.get(*i) {
                Some(n) => Some(n.role.clone()),
                None => {
                    self.error(
                        path,
                        format!(
                            "node {i} does not exist: lesson `{}` has nodes 0 to {} ({})",
                            l.id,
                            l.nodes.len().saturating_sub(1),
                            l.nodes
                                .iter()
                                .map(|n| n.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    None
                }
            },
            NodeSel::Role(r) => {
                let roles = l.scenario.roles.names();
                if roles.contains(&r.as_str()) {
                    Some(r.clone())
                } else {
                    self.error(
                        path,
                        format!("unknown role `{r}`, expected one of {}", roles.join(", ")),
                    );
                    None
                }
            }
        }
    }

    fn probability(&mut self, path: &[Step], what: &str, p: Option<f64>) {
        if let Some(p) = p
            && !(0.0..=1.0).contains(&p)
        {
            self.error(
                path,
                format!("{what} is a probability: expected a number from 0 to 1, found {p}"),
            );
        }
    }

    fn input(&mut self, path: &[Step], input: &Input) {
        // The variant's name is the one key of the input's object.
        let variant = |name: &str| {
            let mut p = path.to_vec();
            p.push(key(name));
            p
        };
        let field = |name: &str, f: &str| {
            let mut p = variant(name);
            p.push(key(f));
            p
        };
        match input {
            Input::Crash(n) => {
                self.node(&variant("Crash"), n);
            }
            Input::Restart(n) => {
                self.node(&variant("Restart"), n);
            }
            Input::Resume(n) => {
                self.node(&variant("Resume"), n);
            }
            Input::Isolate(n) => {
                self.node(&variant("Isolate"), n);
            }
            Input::Pause { node, .. } => {
                self.node(&field("Pause", "node"), node);
            }
            Input::Slow { node, factor } => {
                self.node(&field("Slow", "node"), node);
                if !(*factor >= 1.0 && factor.is_finite()) {
                    self.error(
                        &field("Slow", "factor"),
                        format!("a slow-down factor is a number of at least 1, found {factor}"),
                    );
                }
            }
            Input::ClockJump { node, .. } => {
                self.node(&field("ClockJump", "node"), node);
            }
            Input::Partition { groups } => {
                for (g, members) in groups.iter().enumerate() {
                    for (m, sel) in members.iter().enumerate() {
                        let mut p = field("Partition", "groups");
                        p.extend([Step::Index(g), Step::Index(m)]);
                        self.node(&p, sel);
                    }
                }
            }
            Input::Cut { from, to } | Input::Hold { from, to } | Input::Release { from, to } => {
                let name = match input {
                    Input::Cut { .. } => "Cut",
                    Input::Hold { .. } => "Hold",
                    _ => "Release",
                };
                self.node(&field(name, "from"), from);
                self.node(&field(name, "to"), to);
            }
            Input::SetLink { from, to, change } => {
                if let Some(n) = from {
                    self.node(&field("SetLink", "from"), n);
                }
                if let Some(n) = to {
                    self.node(&field("SetLink", "to"), n);
                }
                let mut p = field("SetLink", "change");
                p.push(key("loss"));
                self.probability(&p, "loss", change.loss);
                p.pop();
                p.push(key("duplicate"));
                self.probability(&p, "duplicate", change.duplicate);
                if let Some(Latency::Uniform { min, max }) = change.latency
                    && max < min
                {
                    p.pop();
                    p.push(key("latency"));
                    self.error(&p, "a uniform latency needs min <= max");
                }
            }
            Input::Heal | Input::DropMessage(_) | Input::DeliverMessage(_) => {}
            Input::Knob { name, value } => {
                self.knob(&field("Knob", "value"), name, value);
            }
            Input::Command { node, command } => {
                let role = self.node(&field("Command", "node"), node);
                let commands = self.lesson.scenario.commands;
                match commands.iter().find(|c| c.name == command) {
                    None => {
                        let names: Vec<&str> = commands.iter().map(|c| c.name).collect();
                        self.error(
                            &field("Command", "command"),
                            format!(
                                "scenario `{}` has no command `{command}`; it has: {}",
                                self.lesson.scenario.id,
                                if names.is_empty() {
                                    "none".to_string()
                                } else {
                                    names.join(", ")
                                }
                            ),
                        );
                    }
                    Some(spec) => {
                        if let Some(role) = role
                            && !spec.roles.contains(&role.as_str())
                        {
                            self.error(
                                &field("Command", "node"),
                                format!(
                                    "command `{command}` is for nodes of role {}, not `{role}`",
                                    spec.roles.join(" or ")
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The byte offset of the value at `path` in the JSON document `text`, or
/// of the deepest value on the way that exists.
pub fn locate(text: &str, path: &[Step]) -> Option<usize> {
    let b = text.as_bytes();
    let mut at = ws(b, 0);
    for step in path {
        match step {
            Step::Key(k) => {
                if b.get(at) != Some(&b'{') {
                    return Some(at);
                }
                let mut i = ws(b, at + 1);
                let mut found = None;
                while b.get(i) == Some(&b'"') {
                    let end = string_end(b, i)?;
                    let name = &text[i + 1..end - 1];
                    i = ws(b, end);
                    if b.get(i) != Some(&b':') {
                        return Some(at);
                    }
                    i = ws(b, i + 1);
                    if name == k {
                        found = Some(i);
                        break;
                    }
                    i = ws(b, value_end(b, i)?);
                    if b.get(i) != Some(&b',') {
                        break;
                    }
                    i = ws(b, i + 1);
                }
                match found {
                    Some(v) => at = v,
                    None => return Some(at),
                }
            }
            Step::Index(n) => {
                if b.get(at) != Some(&b'[') {
                    return Some(at);
                }
                let mut i = ws(b, at + 1);
                for _ in 0..*n {
                    i = ws(b, value_end(b, i)?);
                    if b.get(i) != Some(&b',') {
                        return Some(at);
                    }
                    i = ws(b, i + 1);
                }
                at = i;
            }
        }
    }
    Some(at)
}

fn ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Just past the string starting at `i` (its opening quote).
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// Just past the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
            {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_members_and_elements() {
        let text = "{\n  \"a\": [1, {\"b\": \"x,]\"}, [2]],\n  \"c\": {\"d\": 5}\n}";
        let at = |p: &[Step]| locate(text, p).unwrap();
        assert_eq!(&text[at(&[key("c"), key("d")])..][..1], "5");
        assert_eq!(&text[at(&[key("a"), Step::Index(2)])..][..3], "[2]");
        assert_eq!(
            &text[at(&[key("a"), Step::Index(1), key("b")])..][..3],
            "\"x,"
        );
        // A missing member points at the object that lacks it.
        assert_eq!(&text[at(&[key("c"), key("zz")])..][..1], "{");
        assert_eq!(locate("", &[key("a")]), Some(0));
    }

    #[test]
    fn hashes_differ_with_the_text() {
        assert_eq!(lesson_hash("a").len(), 16);
        assert_ne!(lesson_hash("a"), lesson_hash("b"));
        assert_eq!(lesson_hash("lesson"), lesson_hash("lesson"));
    }
}

//! What a user hands the program, mangled at random: lesson files, session
//! recordings and `--keys` strings. Whatever comes in, the answer is a
//! lesson, a recording or keys that then run, or errors that point inside
//! the text; never a panic or a hang. Each property runs a fixed number of
//! cases (below) from a fixed seed, so CI runs the same cases every time;
//! `PROPTEST_CASES=N` runs more by hand, `PROPTEST_RNG_SEED=S` others.

use proptest::prelude::*;
use splitbrain::lesson::{Catalog, EMBEDDED, Run, SourceError, decode, parse, parse_recording};
use splitbrain::sim::{Input, NodeSel, Time};
use splitbrain::ui::shot::{ShotSpec, app_at, draw, parse_keys};

/// Cases per property in CI.
const LESSON_CASES: u32 = 1500;
const RECORDING_CASES: u32 = 1000;
const KEYS_CASES: u32 = 500;

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    let defaults = ProptestConfig::default();
    // The same cases on every run, unless PROPTEST_RNG_SEED asks for others.
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(0x5eed_0014)
    };
    ProptestConfig {
        cases,
        rng_seed,
        // Shrinking a mangled file rarely helps read it; the case is printed.
        max_shrink_iters: 64,
        failure_persistence: None,
        ..defaults
    }
}

/// Every source text the mutations start from: the built-in lessons and
/// the fixture that uses every field.
fn lesson_sources() -> Vec<String> {
    let mut v: Vec<String> = EMBEDDED.iter().map(|(_, t)| t.to_string()).collect();
    v.push(std::fs::read_to_string("tests/lessons/valid/echo-everything.toml").unwrap());
    v
}

/// Pieces that make a mutation mean something to a TOML or JSON reader.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "=",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "[[",
    "]]",
    "#",
    "\\",
    "\\u001b",
    "\\u0000",
    "\"\"\"",
    "0",
    "-1",
    "1e309",
    "nan",
    "inf",
    "99999999999999999999",
    "\"0s\"",
    "\"100000h\"",
    "\"1.5.5s\"",
    "true",
    "null",
    "é",
    "\u{202e}",
    "\u{1b}",
    "\r",
    "\t",
    ":",
    "role:",
    "*",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// Deletes bytes `at..at+len` (positions are scaled to the text).
    Delete { at: f64, len: usize },
    /// Inserts a token at a position.
    Insert { at: f64, token: usize },
    /// Copies a line over another.
    Line { from: f64, to: f64 },
    /// Cuts the text short.
    Truncate { at: f64 },
    /// Inserts raw bytes (maybe not UTF-8).
    Bytes { at: f64, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        3 => (at.clone(), 1usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        4 => (at.clone(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        2 => (at.clone(), 0.0..1.0f64).prop_map(|(from, to)| Mutation::Line { from, to }),
        1 => at.clone().prop_map(|at| Mutation::Truncate { at }),
        1 => (at, proptest::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(at, bytes)| Mutation::Bytes { at, bytes }),
    ]
}

fn mutate(text: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut b = text.to_vec();
    let pos = |b: &Vec<u8>, at: f64| ((b.len() as f64) * at) as usize;
    for m in mutations {
        match m {
            Mutation::Delete { at, len } => {
                let p = pos(&b, *at);
                let end = (p + len).min(b.len());
                b.drain(p..end);
            }
            Mutation::Insert { at, token } => {
                let p = pos(&b, *at);
                b.splice(p..p, TOKENS[*token].bytes());
            }
            Mutation::Line { from, to } => {
                let lines: Vec<Vec<u8>> = b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
                if !lines.is_empty() {
                    let f = ((lines.len() as f64) * from) as usize % lines.len();
                    let t = ((lines.len() as f64) * to) as usize % lines.len();
                    let mut lines = lines;
                    lines[t] = lines[f].clone();
                    b = lines.join(&b'\n');
                }
            }
            Mutation::Truncate { at } => {
                let p = pos(&b, *at);
                b.truncate(p);
            }
            Mutation::Bytes { at, bytes } => {
                let p = pos(&b, *at);
                b.splice(p..p, bytes.iter().copied());
            }
        }
    }
    b
}

/// Errors name the file and a place inside the text (or none at all).
fn assert_placed(errors: &[SourceError], file: &str, text: &str) {
    assert!(!errors.is_empty());
    let lines = text.split('\n').count().max(1);
    for e in errors {
        assert_eq!(e.file, file);
        assert!(!e.message.trim().is_empty(), "an empty message");
        assert!(e.line <= lines, "{e} is past the last line ({lines})");
        if e.line > 0 {
            assert!(e.col >= 1, "{e}");
        }
        let shown = e.to_string();
        assert!(
            !shown.chars().any(char::is_control),
            "a control character in {shown:?}"
        );
    }
}

proptest! {
    #![proptest_config(config(LESSON_CASES))]

    /// A mangled lesson file loads, or says where it is wrong; one that
    /// loads runs its first virtual second.
    #[test]
    fn mangled_lesson_files(
        source in 0..lesson_sources().len(),
        mutations in proptest::collection::vec(mutation(), 1..5),
    ) {
        let sources = lesson_sources();
        let bytes = mutate(sources[source].as_bytes(), &mutations);
        let text = match decode("fuzz.toml", bytes) {
            Ok(t) => t,
            Err(e) => {
                prop_assert!(e.line >= 1 && e.col >= 1, "{}", e);
                return Ok(());
            }
        };
        match parse("fuzz.toml", &text) {
            Ok(lesson) => {
                let lesson = std::sync::Arc::new(lesson);
                if let Ok(mut run) = Run::new(lesson.clone(), 1, &[], false) {
                    run.set_checkpointing(false);
                    run.advance_to(lesson.length.min(Time::secs(1)));
                }
            }
            Err(errors) => assert_placed(&errors, "fuzz.toml", &text),
        }
    }
}

/// A failover session with inputs of several kinds, as `--record` writes it.
fn recording_text() -> String {
    let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
    let mut run = Run::new(lesson, 3, &[], false).unwrap();
    run.advance_to(Time::millis(1_300));
    run.input(Input::Crash(NodeSel::Id(1)));
    run.advance_to(Time::millis(2_100));
    run.input(Input::Isolate(NodeSel::Id(2)));
    run.input(Input::Knob {
        name: "write_rate".into(),
        value: splitbrain::sim::KnobValue::Int(300),
    });
    run.advance_to(Time::millis(2_900));
    run.input(Input::Restart(NodeSel::Role("replica".into())));
    run.input(Input::Heal);
    run.advance_to(Time::secs(4));
    serde_json::to_string_pretty(&run.recording()).unwrap()
}

/// Replacement values for a JSON number or string in a recording.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "99",
    "18446744073709551615",
    "18446744073709551616",
    "1e300",
    "0.5",
    "\"99999s\"",
    "\"0s\"",
    "\"bogus\"",
    "\"replica\"",
    "null",
    "true",
    "[]",
    "{}",
    "{\"Int\": 100000000}",
    "{\"Choice\": \"bogus\"}",
    "{\"Id\": 99}",
    "{\"Role\": \"x\"}",
];

proptest! {
    #![proptest_config(config(RECORDING_CASES))]

    /// A mangled recording is refused with a place in the file, or replays.
    #[test]
    fn mangled_recordings(
        mutations in proptest::collection::vec(mutation(), 0..3),
        swaps in proptest::collection::vec((0.0..1.0f64, 0..VALUES.len()), 0..3),
    ) {
        let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
        let mut text = recording_text();
        // Swap whole values: the n-th number or string for another value.
        for (at, v) in &swaps {
            let starts: Vec<usize> = text
                .char_indices()
                .filter(|(i, c)| {
                    (c.is_ascii_digit() || *c == '"')
                        && text[..*i].trim_end().ends_with(':')
                })
                .map(|(i, _)| i)
                .collect();
            if starts.is_empty() {
                break;
            }
            let s = starts[((starts.len() as f64) * at) as usize % starts.len()];
            let end = text[s..]
                .find([',', '\n', '}'])
                .map_or(text.len(), |e| s + e);
            text.replace_range(s..end, VALUES[*v]);
        }
        let bytes = mutate(text.as_bytes(), &mutations);
        let Ok(text) = decode("session.json", bytes) else {
            return Ok(());
        };
        match parse_recording("session.json", &text, &lesson) {
            Ok(r) => {
                let knobs: Vec<_> = r.knobs.clone().into_iter().collect();
                // Knobs each in range may still not go together: that is an error too.
                let Ok(mut run) = Run::new(lesson.clone(), r.seed, &knobs, false) else {
                    return Ok(());
                };
                run.set_checkpointing(false);
                let until = r.until.min(Time::secs(6));
                let mut log = r.log.clone();
                log.inputs.retain(|i| i.at <= until);
                if run.replay(&log).is_ok() {
                    run.advance_to(until);
                }
            }
            Err(errors) => assert_placed(&errors, "session.json", &text),
        }
    }
}

proptest! {
    #![proptest_config(config(KEYS_CASES))]

    /// Any `--keys` string is keys or a plain error, and the keys draw.
    #[test]
    fn any_keys_string(
        keys in proptest::collection::vec(
            prop_oneof![
                4 => proptest::sample::select(
                    "abcdefghijklmnopqrstuvwxyz0123456789 .-+=[]{}?/<>é✓\u{1b}".chars().collect::<Vec<_>>()
                ).prop_map(|c| c.to_string()),
                2 => proptest::sample::select(vec![
                    "<Tab>", "<BackTab>", "<Enter>", "<Esc>", "<Space>", "<Up>", "<Down>",
                    "<Left>", "<Right>", "<PageUp>", "<PageDown>", "<lt>", "<", ">", "<>", "<<",
                    "<Bogus>", "<tab", "<\u{1b}[2J>",
                ]).prop_map(String::from),
            ],
            0..24,
        ).prop_map(|v| v.concat()),
        lesson in proptest::sample::select(vec![None, Some("failover"), Some("deadlock")]),
    ) {
        match parse_keys(&keys) {
            Ok(parsed) => {
                let spec = ShotSpec {
                    keys: parsed,
                    ..ShotSpec::lesson(lesson.unwrap_or("failover"), Time::millis(500), 100, 30)
                };
                let spec = ShotSpec { lesson: lesson.map(String::from), ..spec };
                let app = app_at(Catalog::embedded().unwrap(), &spec).unwrap();
                draw(&app);
            }
            Err(e) => {
                prop_assert!(!e.is_empty());
                prop_assert!(keys.contains('<'), "only a key name can be wrong: {}", e);
            }
        }
    }
}

//! The book cannot go stale: every figure a chapter quotes is listed in
//! `book/figures/*.toml` with the command that produces it, and this test
//! runs each command and checks that the figure still comes out of it.
//!
//! A figure names its chapter, the `command` (which the chapter must show,
//! literally or as `shown`), the `quote` as the chapter has it with each
//! quoted number in braces, and one `find` per brace: a regular expression
//! over the command's output whose first group is the number, or a `ratio`
//! of two such numbers. A number matches when it is within `tolerance` of the
//! quote: an absolute difference (`"0.5"`) or a share of the quoted value
//! (`"5%"`); without one, the quote must be the output rounded as quoted.
//!
//! `SPLITBRAIN_FIGURES=print cargo test --test book_figures` prints every
//! figure with what its command gives, to write or update an entry;
//! `SPLITBRAIN_FIGURES_ONLY=failover` checks only the files whose name
//! contains `failover`.

use regex::RegexBuilder;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

const FIGURES: &str = "book/figures";
const SRC: &str = "book/src";

/// Every chapter of the book.
fn chapters() -> Vec<std::path::PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(SRC), &mut out);
    out.sort();
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FigureFile {
    chapter: String,
    #[serde(default)]
    figure: Vec<Figure>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Figure {
    command: String,
    #[serde(default)]
    shown: Option<String>,
    quote: String,
    find: Finds,
    #[serde(default)]
    tolerance: Option<String>,
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Finds {
    One(Find),
    Many(Vec<Find>),
}

#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Find {
    Regex(String),
    Ratio { ratio: [String; 2] },
}

impl Finds {
    fn list(&self) -> Vec<Find> {
        match self {
            Finds::One(f) => vec![f.clone()],
            Finds::Many(v) => v.clone(),
        }
    }
}

/// Text with line breaks, runs of spaces and shell line continuations made
/// single spaces, as a reader sees it.
fn normalize(text: &str) -> String {
    text.replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The quote as it reads (braces taken out) and the text in each brace.
fn split_quote(quote: &str) -> Result<(String, Vec<String>), String> {
    let mut plain = String::new();
    let mut numbers = Vec::new();
    let mut rest = quote;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("an unclosed brace in `{quote}`"))?
            + open;
        plain.push_str(&rest[..open]);
        plain.push_str(&rest[open + 1..close]);
        numbers.push(rest[open + 1..close].to_string());
        rest = &rest[close + 1..];
    }
    plain.push_str(rest);
    Ok((normalize(&plain), numbers))
}

const WORDS: &[(&str, f64)] = &[
    ("zero", 0.0),
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("half", 0.5),
    ("twice", 2.0),
];

/// A quoted number (`30,551`, `2.5`, `1.8`, `twenty`) and the tolerance
/// its rounding implies.
fn quoted_number(text: &str) -> Result<(f64, f64), String> {
    let t = text.trim().to_lowercase();
    if let Some((_, v)) = WORDS.iter().find(|(w, _)| *w == t) {
        return Ok((*v, 0.5));
    }
    let digits = t.replace(',', "");
    let value: f64 = digits
        .parse()
        .map_err(|_| format!("`{text}` in braces is not a number"))?;
    let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len());
    Ok((value, 0.5 * 10f64.powi(-(decimals as i32))))
}

fn tolerance(spec: &str, quoted: f64) -> Result<f64, String> {
    let spec = spec.trim();
    if let Some(share) = spec.strip_suffix('%') {
        let share: f64 = share
            .trim()
            .parse()
            .map_err(|_| format!("tolerance `{spec}` is not a share"))?;
        Ok(quoted.abs() * share / 100.0)
    } else {
        spec.parse()
            .map_err(|_| format!("tolerance `{spec}` is neither a number nor a share"))
    }
}

fn number_in(output: &str, pattern: &str) -> Result<f64, String> {
    let re = RegexBuilder::new(pattern)
        .multi_line(true)
        .build()
        .map_err(|e| format!("bad find `{pattern}`: {e}"))?;
    let caps = re
        .captures(output)
        .ok_or_else(|| format!("`{pattern}` matches nothing in the output"))?;
    let m = caps
        .get(1)
        .ok_or_else(|| format!("`{pattern}` has no group around the number"))?;
    let text = m.as_str().replace(',', "");
    text.parse()
        .map_err(|_| format!("`{pattern}` found `{}`, not a number", m.as_str()))
}

fn measure(output: &str, find: &Find) -> Result<f64, String> {
    match find {
        Find::Regex(p) => number_in(output, p),
        Find::Ratio { ratio: [a, b] } => Ok(number_in(output, a)? / number_in(output, b)?),
    }
}

/// A command's words, with single and double quotes grouping.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        out.push(word);
    }
    out
}

fn run(command: &str) -> Result<String, String> {
    let w = words(command);
    if w.first().map(String::as_str) != Some("splitbrain") {
        return Err(format!("`{command}` is not a splitbrain command"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(&w[1..])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("`{command}` did not start: {e}"))?;
    // `run` reports unmet objectives with status 1; anything else is an error.
    match out.status.code() {
        Some(0 | 1) if !out.stdout.is_empty() => {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        _ => Err(format!(
            "`{command}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// Runs every command once, on as many threads as there are cores.
fn outputs(commands: Vec<String>) -> BTreeMap<String, Result<String, String>> {
    let queue = Mutex::new(commands);
    let results = Mutex::new(BTreeMap::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Some(c) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let r = run(&c);
                    results.lock().unwrap().insert(c, r);
                }
            });
        }
    });
    results.into_inner().unwrap()
}

fn figure_files() -> Vec<(String, FigureFile)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(FIGURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if let Ok(only) = std::env::var("SPLITBRAIN_FIGURES_ONLY") {
        paths.retain(|p| p.to_string_lossy().contains(&only));
    }
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let name = p.display().to_string();
        let file: FigureFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.push((name, file));
    }
    out
}

#[test]
fn every_quoted_figure_still_comes_out_of_its_command() {
    let files = figure_files();
    assert!(!files.is_empty(), "no figures in {FIGURES}");
    let mut commands: Vec<String> = files
        .iter()
        .flat_map(|(_, f)| f.figure.iter().map(|g| g.command.clone()))
        .collect();
    commands.sort();
    commands.dedup();
    let outputs = outputs(commands);
    let print = std::env::var("SPLITBRAIN_FIGURES").is_ok_and(|v| v == "print");

    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, file) in &files {
        let chapter_path = Path::new(SRC).join(&file.chapter);
        let chapter = match std::fs::read_to_string(&chapter_path) {
            Ok(t) => normalize(&t),
            Err(e) => {
                problems.push(format!("{name}: chapter {}: {e}", chapter_path.display()));
                continue;
            }
        };
        for fig in &file.figure {
            let at = format!("{}: “{}”", file.chapter, fig.quote);
            let (plain, numbers) = match split_quote(&fig.quote) {
                Ok(q) => q,
                Err(e) => {
                    problems.push(format!("{at}: {e}"));
                    continue;
                }
            };
            if !chapter.contains(&plain) {
                problems.push(format!("{at}: the chapter no longer says this"));
            }
            let shown = normalize(fig.shown.as_deref().unwrap_or(&fig.command));
            if !chapter.contains(&shown) {
                problems.push(format!("{at}: the chapter does not show `{shown}`"));
            }
            let finds = fig.find.list();
            if finds.len() != numbers.len() {
                problems.push(format!(
                    "{at}: {} numbers in braces but {} finds",
                    numbers.len(),
                    finds.len()
                ));
                continue;
            }
            let output = match &outputs[&fig.command] {
                Ok(o) => o,
                Err(e) => {
                    problems.push(format!("{at}: {e}"));
                    continue;
                }
            };
            for (number, find) in numbers.iter().zip(&finds) {
                let checked_one = (|| -> Result<(), String> {
                    let (quoted, rounding) = quoted_number(number)?;
                    let allowed = match &fig.tolerance {
                        Some(t) => tolerance(t, quoted)?,
                        None => rounding,
                    };
                    let measured = measure(output, find)?;
                    if print {
                        println!("{at}: {number} ← {measured} (±{allowed})");
                    }
                    if (measured - quoted).abs() > allowed + 1e-9 {
                        return Err(format!(
                            "quotes {number} but `{}` now gives {measured} (allowed ±{allowed})",
                            fig.command
                        ));
                    }
                    Ok(())
                })();
                match checked_one {
                    Ok(()) => checked += 1,
                    Err(e) => problems.push(format!("{at}: {e}")),
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of the book's figures are stale:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(checked > 0);
}

/// Each ```sh block of one `splitbrain` command followed by a ```text block
/// in a chapter: the command and the output the chapter shows for it.
fn shown_outputs(chapter: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks: Vec<(String, Vec<String>)> = Vec::new();
    let mut lines = chapter.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(lang) = line.trim().strip_prefix("```") else {
            continue;
        };
        let lang = lang.trim().to_string();
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            body.push(l.to_string());
        }
        blocks.push((lang, body));
        while lines.peek().is_some_and(|l| l.trim().is_empty()) {
            lines.next();
        }
        if !lines.peek().is_some_and(|l| l.trim().starts_with("```")) {
            blocks.push(("".into(), Vec::new()));
        }
    }
    blocks
        .windows(2)
        .filter_map(|w| {
            let [(a, cmd), (b, out)] = w else { return None };
            let command = normalize(&cmd.join("\n"));
            (a == "sh"
                && b == "text"
                && command.starts_with("splitbrain ")
                && command.matches("splitbrain ").count() == 1)
                .then(|| (command, out.clone()))
        })
        .collect()
}

#[test]
fn every_output_a_chapter_shows_is_what_its_command_prints() {
    let mut pairs = Vec::new();
    for p in chapters() {
        if let Ok(only) = std::env::var("SPLITBRAIN_FIGURES_ONLY")
            && !p.to_string_lossy().contains(&only)
        {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (command, shown) in shown_outputs(&text) {
            pairs.push((p.display().to_string(), command, shown));
        }
    }
    let mut commands: Vec<String> = pairs.iter().map(|(_, c, _)| c.clone()).collect();
    commands.sort();
    commands.dedup();
    let outputs = outputs(commands);
    let mut problems = Vec::new();
    for (chapter, command, shown) in &pairs {
        let output = match &outputs[command] {
            Ok(o) => o,
            Err(e) => {
                problems.push(format!("{chapter}: {e}"));
                continue;
            }
        };
        // Each line shown appears in the output, in order; a line of `…`
        // stands for lines left out.
        let mut printed = output.lines().map(normalize);
        for line in shown.iter().map(|l| normalize(l)) {
            if line.is_empty() || line == "…" {
                continue;
            }
            if !printed.any(|p| p.contains(&line)) {
                problems.push(format!(
                    "{chapter}: `{command}` no longer prints “{line}” where the chapter shows it"
                ));
                break;
            }
        }
    }
    assert!(
        problems.is_empty(),
        "stale outputs:\n{}",
        problems.join("\n")
    );
    assert!(!pairs.is_empty() || std::env::var("SPLITBRAIN_FIGURES_ONLY").is_ok());
}

#[test]
fn every_lesson_chapter_has_its_figures() {
    if std::env::var("SPLITBRAIN_FIGURES_ONLY").is_ok() {
        return;
    }
    let files = figure_files();
    for entry in std::fs::read_dir(Path::new(SRC).join("lessons")).unwrap() {
        let p = entry.unwrap().path();
        let rel = format!("lessons/{}", p.file_name().unwrap().to_string_lossy());
        assert!(
            files
                .iter()
                .any(|(_, f)| f.chapter == rel && !f.figure.is_empty()),
            "{rel} quotes figures but none is listed in {FIGURES}/"
        );
    }
}

#[test]
fn a_figure_checks_what_it_claims() {
    assert_eq!(
        split_quote("measured {2.5}% of {30,551}").unwrap(),
        (
            "measured 2.5% of 30,551".to_string(),
            vec!["2.5".into(), "30,551".into()]
        )
    );
    assert_eq!(quoted_number("30,551").unwrap(), (30551.0, 0.5));
    assert_eq!(quoted_number("2.5").unwrap(), (2.5, 0.05));
    assert_eq!(quoted_number("twenty").unwrap(), (20.0, 0.5));
    assert!(quoted_number("many").is_err());
    assert_eq!(tolerance("10%", 40.0).unwrap(), 4.0);
    assert_eq!(tolerance("0.5", 40.0).unwrap(), 0.5);
    let output = "[met] x: measured 12.5\n  2  41.1  83.9\n";
    assert_eq!(number_in(output, r"measured ([\d.]+)").unwrap(), 12.5);
    assert_eq!(number_in(output, r"^\s+2\s+([\d.]+)").unwrap(), 41.1);
    assert!(number_in(output, r"nothing (\d+)").is_err());
    let ratio = Find::Ratio {
        ratio: [r"^\s+2\s+([\d.]+)".into(), r"measured ([\d.]+)".into()],
    };
    assert!((measure(output, &ratio).unwrap() - 41.1 / 12.5).abs() < 1e-12);
    assert_eq!(
        words("splitbrain shot x --keys '<Tab> z'"),
        vec!["splitbrain", "shot", "x", "--keys", "<Tab> z"]
    );
    assert_eq!(normalize("a \\\n  --set b\n c"), "a --set b c".to_string());
}

//! The book's and README's pictures are made by the program. Each line of
//! `book/screenshots.txt` is the command that makes one: `splitbrain shot`
//! for a screen (or, with `--from`, an animation), `splitbrain sweep …
//! --svg` for a sweep's chart, `splitbrain run … --svg` for a run's metrics
//! over time. These tests run every command and fail when a committed
//! picture differs from what the program draws now. To update them after a
//! deliberate change:
//!
//!     SPLITBRAIN_UPDATE_SCREENSHOTS=1 cargo test --test screenshots

use std::path::Path;

/// Every command, with its line number.
fn commands() -> Vec<(usize, Vec<String>)> {
    let text = std::fs::read_to_string("book/screenshots.txt").unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let words: Vec<String> = l.split_whitespace().map(String::from).collect();
            assert!(
                words.len() > 2
                    && words[0] == "splitbrain"
                    && ["shot", "sweep", "run"].contains(&words[1].as_str()),
                "book/screenshots.txt:{}: each line is a `splitbrain shot`, `sweep` or `run` command",
                i + 1
            );
            (i + 1, words)
        })
        .collect()
}

/// Redraws the pictures of the commands `which` picks; fails on any that is
/// stale (or rewrites it, when asked to).
fn check(which: impl Fn(&str) -> bool) {
    let update = std::env::var_os("SPLITBRAIN_UPDATE_SCREENSHOTS").is_some();
    let mut stale = Vec::new();
    let cmds: Vec<_> = commands()
        .into_iter()
        .filter(|(_, w)| which(&w[1]))
        .collect();
    assert!(!cmds.is_empty());
    for (line, words) in cmds {
        let (path, svg) = splitbrain::cli::picture(None, &words)
            .unwrap_or_else(|e| panic!("book/screenshots.txt:{line}: {e}"));
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() != Some(svg.as_str()) {
            if update {
                std::fs::write(&path, &svg).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these pictures are missing or out of date: {}\n\
         look at what changed, then run: SPLITBRAIN_UPDATE_SCREENSHOTS=1 cargo test --test screenshots",
        stale.join(", ")
    );
}

#[test]
fn screenshots_are_current() {
    check(|command| command == "shot");
}

#[test]
fn charts_are_current() {
    check(|command| command != "shot");
}

#[test]
fn every_picture_in_the_book_is_made_by_a_command() {
    let made: Vec<String> = commands()
        .into_iter()
        .filter_map(|(_, w)| {
            let i = w.iter().position(|x| x == "--svg")?;
            w.get(i + 1).cloned()
        })
        .collect();
    for dir in ["book/src/img", "book/src/img/charts"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "svg") {
                let rel = Path::new(dir).join(p.file_name().unwrap());
                assert!(
                    made.iter().any(|m| Path::new(m) == rel),
                    "{} is not made by any line of book/screenshots.txt",
                    rel.display()
                );
            }
        }
    }
}

//! The book's and README's screenshots are made by `splitbrain shot`. Each
//! line of `book/screenshots.txt` is the command that makes one; this test
//! runs every command and fails when a committed picture differs from what
//! the program draws now. To update them after a deliberate change:
//!
//!     SPLITBRAIN_UPDATE_SCREENSHOTS=1 cargo test --test screenshots

use clap::Parser;
use splitbrain::cli::{ShotArgs, shot_output};
use std::path::Path;

#[derive(Parser)]
struct Shot {
    #[command(flatten)]
    args: ShotArgs,
}

fn commands() -> Vec<(usize, Vec<String>)> {
    let text = std::fs::read_to_string("book/screenshots.txt").unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| {
            let words: Vec<String> = l.split_whitespace().map(String::from).collect();
            assert_eq!(
                words[..2],
                ["splitbrain", "shot"],
                "book/screenshots.txt:{}: each line is a `splitbrain shot` command",
                i + 1
            );
            (i + 1, words)
        })
        .collect()
}

#[test]
fn screenshots_are_current() {
    let update = std::env::var_os("SPLITBRAIN_UPDATE_SCREENSHOTS").is_some();
    let mut stale = Vec::new();
    let cmds = commands();
    assert!(!cmds.is_empty());
    for (line, words) in cmds {
        // Parse as the program would, skipping the program's name.
        let shot = Shot::try_parse_from(&words[1..])
            .unwrap_or_else(|e| panic!("book/screenshots.txt:{line}: {e}"));
        let path = shot
            .args
            .svg
            .clone()
            .unwrap_or_else(|| panic!("book/screenshots.txt:{line}: give --svg FILE"));
        let svg = shot_output(None, &shot.args)
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
        "these screenshots are missing or out of date: {}\n\
         look at what changed, then run: SPLITBRAIN_UPDATE_SCREENSHOTS=1 cargo test --test screenshots",
        stale.join(", ")
    );
}

#[test]
fn every_screenshot_in_the_book_is_made_by_a_command() {
    let made: Vec<String> = commands()
        .into_iter()
        .filter_map(|(_, w)| {
            let i = w.iter().position(|x| x == "--svg")?;
            w.get(i + 1).cloned()
        })
        .collect();
    for entry in std::fs::read_dir("book/src/img").unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "svg") {
            let rel = Path::new("book/src/img").join(p.file_name().unwrap());
            assert!(
                made.iter().any(|m| Path::new(m) == rel),
                "{} is not made by any line of book/screenshots.txt",
                rel.display()
            );
        }
    }
}

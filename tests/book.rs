//! The book holds together: every chapter is in the summary, every lesson
//! has a chapter, every relative link and anchor resolves, and the chapter
//! on the playground explains every key the playground has.

use splitbrain::lesson::Catalog;
use splitbrain::ui::keys;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SRC: &str = "book/src";

fn chapters() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
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

/// The targets of `[text](target)` links and `src="..."` attributes.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let end = after.find(')').unwrap_or(after.len());
            out.push(
                after[..end]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            );
            rest = &after[end..];
        }
        let mut rest = line;
        while let Some(i) = rest.find("src=\"") {
            let after = &rest[i + 5..];
            let end = after.find('"').unwrap_or(after.len());
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

/// mdBook's id for a heading: lower case, spaces to dashes, other
/// punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut in_code = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            let heading = line.trim_start_matches('#');
            let plain: String = heading.replace(['`', '*'], "");
            out.insert(slug(&plain));
        }
    }
    out
}

#[test]
fn every_chapter_is_in_the_summary() {
    let summary = std::fs::read_to_string(format!("{SRC}/SUMMARY.md")).unwrap();
    let listed: BTreeSet<String> = links(&summary).into_iter().collect();
    for ch in chapters() {
        let rel = ch.strip_prefix(SRC).unwrap().to_string_lossy().to_string();
        if rel == "SUMMARY.md" {
            continue;
        }
        assert!(listed.contains(&rel), "{rel} is not in SUMMARY.md");
    }
}

#[test]
fn every_lesson_has_a_chapter() {
    let summary = std::fs::read_to_string(format!("{SRC}/SUMMARY.md")).unwrap();
    for lesson in Catalog::embedded().unwrap().lessons {
        let rel = format!("lessons/{}.md", lesson.id);
        assert!(
            Path::new(SRC).join(&rel).exists() && summary.contains(&rel),
            "lesson `{}` needs a chapter {SRC}/{rel}, listed in SUMMARY.md",
            lesson.id
        );
    }
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for ch in chapters() {
        let text = std::fs::read_to_string(&ch).unwrap();
        for link in links(&text) {
            if link.is_empty()
                || link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
            {
                continue;
            }
            let (file, anchor) = match link.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (link.as_str(), None),
            };
            let target = if file.is_empty() {
                ch.clone()
            } else {
                ch.parent().unwrap().join(file)
            };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", ch.display()));
                continue;
            }
            if let Some(a) = anchor {
                let t = std::fs::read_to_string(&target).unwrap_or_default();
                if !anchors(&t).contains(a) {
                    broken.push(format!("{}: {link} (no such heading)", ch.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_playground_chapter_explains_every_key() {
    let text = std::fs::read_to_string(format!("{SRC}/playground.md")).unwrap();
    for group in keys::LESSON.iter().chain(keys::PICKER) {
        for k in group.keys {
            for key in k.keys.split_whitespace() {
                assert!(
                    text.contains(&format!("`{key}`")),
                    "playground.md does not mention the key `{key}` ({})",
                    k.action
                );
            }
        }
    }
}

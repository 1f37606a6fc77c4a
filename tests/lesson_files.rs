//! Lesson file fixtures: every valid file loads; every invalid one fails
//! with the message its first line announces (`# expect: LINE:COL: text`).

use splitbrain::lesson::{Catalog, EMBEDDED, lesson_files, load_file, parse};
use std::path::Path;

#[test]
fn every_valid_fixture_loads() {
    let files = lesson_files(Path::new("tests/lessons/valid")).unwrap();
    assert!(!files.is_empty());
    for f in files {
        if let Err(e) = load_file(&f) {
            panic!(
                "{} should be valid:\n{}",
                f.display(),
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
}

#[test]
fn every_invalid_fixture_fails_with_its_announced_message() {
    let files = lesson_files(Path::new("tests/lessons/invalid")).unwrap();
    assert!(files.len() >= 10);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} lacks a `# expect:` first line", f.display()));
        let errors = match load_file(&f) {
            Ok(_) => panic!("{} should be invalid", f.display()),
            Err(e) => e,
        };
        let first = errors[0].to_string();
        let wanted = format!("{}:{expect}", f.display());
        assert!(
            first.starts_with(&wanted),
            "{}:\n  got      {first}\n  expected {wanted}…",
            f.display()
        );
    }
}

#[test]
fn the_built_in_lessons_are_valid_and_every_lesson_file_is_built_in() {
    let catalog = Catalog::embedded().unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let on_disk = lesson_files(Path::new("lessons")).unwrap();
    assert_eq!(
        on_disk.len(),
        EMBEDDED.len(),
        "a file in lessons/ is not listed in EMBEDDED"
    );
    for f in on_disk {
        let name = f.file_name().unwrap().to_str().unwrap();
        let (_, text) = EMBEDDED.iter().find(|(n, _)| *n == name).expect("embedded");
        assert_eq!(*text, std::fs::read_to_string(&f).unwrap());
        let id = name.trim_end_matches(".toml");
        assert!(catalog.get(id).is_some(), "{name} must have id `{id}`");
    }
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let text = r#"
id = "Two Problems"
title = "t"
chapter = "c"
order = 1
summary = "s"
scenario = "echo"
length = "forever"
[cluster]
nodes = [{ name = "s", role = "server" }]
"#;
    let errors = parse("x.toml", text).err().unwrap();
    let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 2, "{shown:?}");
    assert!(
        shown[0].starts_with("x.toml:2:6: a lesson id is lowercase"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("x.toml:8:10: expected a duration"),
        "{shown:?}"
    );
}

mod never_panics {
    use proptest::prelude::*;
    use splitbrain::lesson::{EMBEDDED, parse};

    fn sources() -> Vec<String> {
        let mut v: Vec<String> = EMBEDDED.iter().map(|(_, t)| t.to_string()).collect();
        v.push(std::fs::read_to_string("tests/lessons/valid/echo-everything.toml").unwrap());
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Damaged lesson files give errors with positions, never a panic.
        #[test]
        fn damaged_files_are_reported_not_panicked_on(
            which in 0usize..3,
            cuts in proptest::collection::vec((0.0f64..1.0, 0usize..40, "[a-z0-9 =\"\\[\\]{},.:\n-]{0,12}"), 1..4),
        ) {
            let mut text = sources()[which].clone();
            for (at, len, insert) in cuts {
                let start = text.floor_char_boundary((at * text.len() as f64) as usize);
                let end = text.floor_char_boundary((start + len).min(text.len()));
                text.replace_range(start..end, &insert);
            }
            if let Err(errors) = parse("damaged.toml", &text) {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(e.line >= 1 && e.col >= 1, "{}", e);
                    prop_assert!(!e.message.is_empty());
                }
            }
        }
    }
}

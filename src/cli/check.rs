//! `splitbrain check`: lesson files checked, every problem reported as
//! `file:line:col: message`, and what is legal but unwise as a warning.

use super::{errors_text, out};
use crate::lesson::{Catalog, Lesson, duplicate_ids, lesson_files, load_file};
use crate::sim::Time;
use std::path::PathBuf;

/// The longest lesson a learner can be expected to sit through: longer
/// ones are legal (`run --for` can go further still) but earn a warning.
pub const LONGEST_LESSON: Time = Time::secs(60 * 60);

pub fn check(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        let c = Catalog::embedded().map_err(|e| errors_text(&e))?;
        warn_about(c.lessons.iter().map(|l| l.as_ref()));
        return out::print(&format!(
            "{} built-in lessons are valid\n",
            crate::lesson::EMBEDDED.len()
        ));
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(lesson_files(p).map_err(|e| e.to_string())?);
        } else {
            files.push(p.clone());
        }
    }
    let mut errors = Vec::new();
    let mut lessons = Vec::new();
    for f in &files {
        match load_file(f) {
            Ok(l) => lessons.push(l),
            Err(e) => errors.extend(e),
        }
    }
    errors.extend(duplicate_ids(&lessons));
    warn_about(&lessons);
    if errors.is_empty() {
        out::print(&format!(
            "{} lesson file{} valid\n",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        ))
    } else {
        Err(errors_text(&errors))
    }
}

/// Warnings, on standard error, about lessons that are valid but unwise.
fn warn_about<'a>(lessons: impl IntoIterator<Item = &'a Lesson>) {
    for l in lessons {
        if l.length > LONGEST_LESSON {
            out::error_line(&format!(
                "{}:{}:{}: warning: lesson `{}` runs {} of virtual time; at the playground's \
                 normal speed that is longer than a learner can sit through (at most {} is advised)",
                l.source, l.length_at.0, l.length_at.1, l.id, l.length, LONGEST_LESSON
            ));
        }
    }
}

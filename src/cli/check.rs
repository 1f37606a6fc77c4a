//! `splitbrain check`: lesson files checked, every problem reported as
//! `file:line:col: message`.

use super::errors_text;
use crate::lesson::{Catalog, lesson_files, load_file};
use std::path::PathBuf;

pub fn check(paths: &[PathBuf]) -> Result<(), String> {
    if paths.is_empty() {
        Catalog::embedded().map_err(|e| errors_text(&e))?;
        println!(
            "{} built-in lessons are valid",
            crate::lesson::EMBEDDED.len()
        );
        return Ok(());
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
    for f in &files {
        if let Err(e) = load_file(f) {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        println!(
            "{} lesson file{} valid",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        );
        Ok(())
    } else {
        Err(errors_text(&errors))
    }
}

//! `splitbrain list`: every lesson, one a line: id, chapter, title.

use super::catalog;
use std::path::Path;

pub fn list(dir: Option<&Path>) -> Result<(), String> {
    let c = catalog(dir)?;
    let width = c.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let cw = c.lessons.iter().map(|l| l.chapter.len()).max().unwrap_or(0);
    for l in &c.lessons {
        println!("{:<width$}  {:<cw$}  {}", l.id, l.chapter, l.title);
    }
    Ok(())
}

//! `splitbrain list`: every lesson, one a line: id, chapter, title.

use super::catalog;
use std::path::Path;

pub fn list(dir: Option<&Path>) -> Result<(), String> {
    let c = catalog(dir)?;
    let width = c.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
    let cw = c.lessons.iter().map(|l| l.chapter.len()).max().unwrap_or(0);
    let mut out = String::new();
    for l in &c.lessons {
        let note = if c.replaced.contains(&l.id) {
            format!("  (from {}, replacing the built-in lesson)", l.source)
        } else {
            String::new()
        };
        out += &format!("{:<width$}  {:<cw$}  {}{note}\n", l.id, l.chapter, l.title);
    }
    super::out::print(&out)
}

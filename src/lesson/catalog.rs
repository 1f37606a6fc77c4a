//! Where lessons come from: those built into the program, and any directory
//! the learner points at.

use super::error::SourceError;
use super::{Lesson, load};
use std::path::Path;
use std::sync::Arc;

/// Lesson files compiled into the binary, so it runs from anywhere: every
/// `lessons/*.toml`, by file name (the build script lists them).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// Every lesson available, in teaching order.
pub struct Catalog {
    pub lessons: Vec<Arc<Lesson>>,
}

impl Catalog {
    /// The built-in lessons. They are checked by the test suite, so an error
    /// here is a bug in the program.
    pub fn embedded() -> Result<Catalog, Vec<SourceError>> {
        let mut lessons = Vec::new();
        let mut errors = Vec::new();
        for (file, text) in EMBEDDED {
            match load::parse(&format!("lessons/{file}"), text) {
                Ok(l) => lessons.push(Arc::new(l)),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut c = Catalog { lessons };
        c.sort();
        Ok(c)
    }

    /// Adds every `*.toml` in `dir`; a lesson with the id of one already
    /// present replaces it.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Vec<SourceError>> {
        let mut errors = Vec::new();
        for path in lesson_files(dir).map_err(|e| vec![e])? {
            match load_file(&path) {
                Ok(l) => {
                    self.lessons.retain(|m| m.id != l.id);
                    self.lessons.push(Arc::new(l));
                }
                Err(e) => errors.extend(e),
            }
        }
        self.sort();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn sort(&mut self) {
        self.lessons
            .sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    }

    pub fn get(&self, id: &str) -> Option<Arc<Lesson>> {
        self.lessons.iter().find(|l| l.id == id).cloned()
    }

    /// The lesson with this id, or a message listing the ids that exist.
    pub fn find(&self, id: &str) -> Result<Arc<Lesson>, String> {
        self.get(id).ok_or_else(|| {
            format!(
                "unknown lesson `{id}`; the lessons are: {}",
                self.ids().join(", ")
            )
        })
    }

    pub fn ids(&self) -> Vec<&str> {
        self.lessons.iter().map(|l| l.id.as_str()).collect()
    }
}

/// The `*.toml` files of a directory, sorted by name.
pub fn lesson_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, SourceError> {
    let io = |e: std::io::Error| SourceError {
        file: dir.display().to_string(),
        line: 0,
        col: 0,
        message: format!("cannot read the lesson directory: {e}"),
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and checks one lesson file.
pub fn load_file(path: &Path) -> Result<Lesson, Vec<SourceError>> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![SourceError {
            file: label.clone(),
            line: 0,
            col: 0,
            message: format!("cannot read: {e}"),
        }]
    })?;
    load::parse(&label, &text)
}

//! Where lessons come from: those built into the program, and any directory
//! the learner points at.

use super::error::SourceError;
use super::{Lesson, load};
use std::path::Path;
use std::sync::Arc;

/// Lesson files compiled into the binary, so it runs from anywhere: every
/// `lessons/*.toml`, by file name (the build script lists them).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// The largest lesson file read (the built-in ones are a few dozen KiB).
pub const LESSON_LIMIT: u64 = 1 << 20;
/// The largest session recording read.
pub const RECORDING_LIMIT: u64 = 64 << 20;

/// Every lesson available, in teaching order.
pub struct Catalog {
    pub lessons: Vec<Arc<Lesson>>,
    /// The ids of built-in lessons that a lesson from a directory replaced.
    pub replaced: Vec<String>,
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
        errors.extend(duplicate_ids(lessons.iter().map(|l| l.as_ref())));
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut c = Catalog {
            lessons,
            replaced: Vec::new(),
        };
        c.sort();
        Ok(c)
    }

    /// Adds every `*.toml` in `dir`; a lesson with the id of one already
    /// present replaces it (and is noted in `replaced`). Two files of the
    /// directory with the same id are an error.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Vec<SourceError>> {
        let mut errors = Vec::new();
        let mut added: Vec<Lesson> = Vec::new();
        for path in lesson_files(dir).map_err(|e| vec![e])? {
            match load_file(&path) {
                Ok(l) => added.push(l),
                Err(e) => errors.extend(e),
            }
        }
        errors.extend(duplicate_ids(&added));
        for l in added {
            if self.lessons.iter().any(|m| m.id == l.id) && !self.replaced.contains(&l.id) {
                self.replaced.push(l.id.clone());
            }
            self.lessons.retain(|m| m.id != l.id);
            self.lessons.push(Arc::new(l));
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
    let text = read_source(path, LESSON_LIMIT).map_err(|e| vec![e])?;
    load::parse(&label, &text)
}

/// One error for each lesson whose id an earlier one of `lessons` has, at
/// the later one's `id`.
pub fn duplicate_ids<'a>(lessons: impl IntoIterator<Item = &'a Lesson>) -> Vec<SourceError> {
    let lessons: Vec<&Lesson> = lessons.into_iter().collect();
    let mut errors = Vec::new();
    for (i, l) in lessons.iter().enumerate() {
        if let Some(first) = lessons[..i].iter().find(|m| m.id == l.id) {
            errors.push(SourceError {
                file: l.source.clone(),
                line: l.id_at.0,
                col: l.id_at.1,
                message: format!(
                    "lesson id `{}` is already the id of {}: each lesson needs its own",
                    l.id, first.source
                ),
            });
        }
    }
    errors
}

/// The text of a file the user names (a lesson, a recording): refused,
/// with a reason, unless it is a regular file of at most `limit` bytes of
/// UTF-8, where the first bad byte is reported with its line and column.
/// A FIFO or a device is refused without being opened, so nothing blocks.
pub fn read_source(path: &Path, limit: u64) -> Result<String, SourceError> {
    use std::io::Read;
    let label = path.display().to_string();
    let fail = |message: String| SourceError {
        file: label.clone(),
        line: 0,
        col: 0,
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            kind_of_special(&meta)
        };
        return Err(fail(format!(
            "cannot read: it is {what}, not a regular file"
        )));
    }
    let too_big = |size: u64| {
        fail(format!(
            "cannot read: it is {size} bytes, more than the {limit} bytes such a file may have"
        ))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    // The size can change after it was looked at: read one byte past the limit to know.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    decode(&label, bytes)
}

/// `bytes` as UTF-8 text, or an error at the line and column of the first
/// byte that is not (`file` names the source in it).
pub fn decode(file: &str, bytes: Vec<u8>) -> Result<String, SourceError> {
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
        let (line, col) = super::line_col(prefix, good);
        SourceError {
            file: file.to_string(),
            line,
            col,
            message: format!(
                "byte 0x{:02x} is not UTF-8: the file must be UTF-8 text",
                bytes[good]
            ),
        }
    })
}

/// Replaces `path` with `bytes` so that a reader (or a crash) sees the old
/// file or the new one, never a part: a temporary file in the same
/// directory, synced, then renamed over.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.flush()?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable where directories can be synced.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(unix)]
fn kind_of_special(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn kind_of_special(_: &std::fs::Metadata) -> &'static str {
    "not a file"
}

//! What the learner has done in each lesson (objectives met, questions
//! answered, hints used), kept in a JSON file between runs.
//!
//! The file is `progress.json` in the platform's data directory for
//! splitbrain, or in `$SPLITBRAIN_DATA_DIR`. It is written atomically (a
//! temporary file in the same directory, synced, then renamed over). A file
//! that cannot be read is renamed aside, never overwritten, and the learner is
//! told where it went. Unknown fields are ignored; a file written by a newer
//! version of the format is read as far as it is understood but never saved
//! over, so nothing a newer splitbrain recorded is lost.
//!
//! Several splitbrains may share the file (two terminals, one data
//! directory). Each save takes an advisory lock on `progress.lock` beside
//! it, reads what is on disk then, merges it with this program's progress
//! (nothing is ever forgotten: objectives met and lessons opened are
//! joined, the most hints seen counts, and an answer given here since the
//! last save wins over the one on disk) and writes the result before it
//! lets go. A lock that cannot be had within [`LOCK_TIMEOUT`] is an error
//! that says so; the progress stays in memory and the next save tries again.

use super::Lesson;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The version of the file format this program writes.
pub const FORMAT_VERSION: u32 = 1;
const FILE_NAME: &str = "progress.json";
/// The file locked while the progress is read, merged and written.
pub const LOCK_NAME: &str = "progress.lock";
/// How long a save waits for another splitbrain to finish its own.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
pub struct Progress {
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct LessonProgress {
    pub objectives_met: BTreeSet<String>,
    /// Question id → whether the answer was right.
    pub questions: BTreeMap<String, bool>,
    pub hints_used: usize,
    pub opened: bool,
}

/// How far a lesson has got, for the picker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    NotStarted,
    Started,
    /// Every objective met.
    Done,
}

impl Mark {
    /// A glyph that reads without colour.
    pub fn glyph(self) -> &'static str {
        match self {
            Mark::NotStarted => "·",
            Mark::Started => "◐",
            Mark::Done => "✓",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Mark::NotStarted => "not started",
            Mark::Started => "started",
            Mark::Done => "done",
        }
    }
}

/// The file's layout: the progress and the format's version.
#[derive(Serialize, Deserialize)]
struct OnDisk {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    lessons: BTreeMap<String, LessonProgress>,
}

impl Progress {
    pub fn get(&self, id: &str) -> Option<&LessonProgress> {
        self.lessons.get(id)
    }

    fn entry(&mut self, id: &str) -> &mut LessonProgress {
        self.lessons.entry(id.to_string()).or_default()
    }

    /// Records that the lesson was opened; whether that is news.
    pub fn open(&mut self, id: &str) -> bool {
        let l = self.entry(id);
        !std::mem::replace(&mut l.opened, true)
    }

    /// Records that an objective was met; whether that is news.
    pub fn objective_met(&mut self, id: &str, objective: &str) -> bool {
        if self
            .get(id)
            .is_some_and(|l| l.objectives_met.contains(objective))
        {
            return false;
        }
        self.entry(id).objectives_met.insert(objective.to_string())
    }

    /// Records an answer (the latest counts); whether anything changed.
    pub fn answered(&mut self, id: &str, question: &str, right: bool) -> bool {
        if self
            .get(id)
            .is_some_and(|l| l.questions.get(question) == Some(&right))
        {
            return false;
        }
        self.entry(id).questions.insert(question.to_string(), right) != Some(right)
    }

    /// Records that `n` hints have been seen (the most ever counts).
    pub fn hints(&mut self, id: &str, n: usize) -> bool {
        if self.get(id).is_some_and(|l| l.hints_used >= n) {
            return false;
        }
        self.entry(id).hints_used = n;
        true
    }

    /// How far `lesson` (whose id is `id`) has got.
    pub fn mark(&self, id: &str, lesson: &Lesson) -> Mark {
        let Some(p) = self.get(id) else {
            return Mark::NotStarted;
        };
        let all_met = lesson
            .objectives
            .iter()
            .all(|o| p.objectives_met.contains(&o.id));
        let touched =
            p.opened || !p.objectives_met.is_empty() || !p.questions.is_empty() || p.hints_used > 0;
        if all_met && touched {
            Mark::Done
        } else if touched {
            Mark::Started
        } else {
            Mark::NotStarted
        }
    }

    /// Records what a session of lesson `id` has achieved: the objectives
    /// met (by id), the questions answered (by id, and whether rightly) and
    /// how many hints were seen. Whether anything changed (and so is worth
    /// saving).
    pub fn record<'a>(
        &mut self,
        id: &str,
        met: impl IntoIterator<Item = &'a str>,
        answers: impl IntoIterator<Item = (&'a str, bool)>,
        hints_used: usize,
    ) -> bool {
        let mut changed = self.open(id);
        for objective in met {
            changed |= self.objective_met(id, objective);
        }
        for (question, right) in answers {
            changed |= self.answered(id, question, right);
        }
        changed |= self.hints(id, hints_used);
        changed
    }
}

/// The progress and where it lives.
pub struct ProgressStore {
    path: Option<PathBuf>,
    pub progress: Progress,
    /// The progress as last read from or written to the file: what has
    /// changed since is this program's, and wins in a merge.
    base: Progress,
    lock_timeout: Duration,
    /// Something the learner should know about the file (it was set aside,
    /// or cannot be saved), in one sentence.
    pub warning: Option<String>,
}

impl ProgressStore {
    /// Where the playground keeps the last session of lesson `id`, next to
    /// the progress file (none when progress is kept only in memory).
    pub fn session_path(&self, id: &str) -> Option<PathBuf> {
        let dir = self.path.as_ref()?.parent()?;
        // Lesson ids are checked to be plain names; anything else is not
        // made into a path.
        let plain = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        plain.then(|| dir.join("sessions").join(format!("{id}.json")))
    }

    /// Progress kept only in memory.
    pub fn memory() -> ProgressStore {
        ProgressStore::at(None, Progress::default(), None)
    }

    fn at(path: Option<PathBuf>, progress: Progress, warning: Option<String>) -> ProgressStore {
        ProgressStore {
            path,
            base: progress.clone(),
            progress,
            lock_timeout: LOCK_TIMEOUT,
            warning,
        }
    }

    /// The default file: `$SPLITBRAIN_DATA_DIR/progress.json`, else the
    /// platform's data directory for splitbrain.
    pub fn open_default() -> ProgressStore {
        match default_path() {
            Some(p) => ProgressStore::open(p),
            None => ProgressStore {
                warning: Some(
                    "No data directory was found (is HOME set?), so progress will not be saved."
                        .into(),
                ),
                ..ProgressStore::memory()
            },
        }
    }

    /// The progress in file `path`; a missing file is an empty progress.
    pub fn open(path: impl Into<PathBuf>) -> ProgressStore {
        let path = path.into();
        let bytes = match read_file(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return ProgressStore::at(Some(path), Progress::default(), None);
            }
            Err(e) => return ProgressStore::set_aside(path, &e.to_string()),
        };
        match serde_json::from_slice::<OnDisk>(&bytes) {
            Ok(d) if d.version > FORMAT_VERSION => ProgressStore::at(
                None,
                Progress { lessons: d.lessons },
                Some(newer_warning(&path, d.version)),
            ),
            Ok(d) => ProgressStore::at(Some(path), Progress { lessons: d.lessons }, None),
            Err(e) => ProgressStore::set_aside(path, &e.to_string()),
        }
    }

    /// A file that cannot be read is renamed to the first free
    /// `progress.json.corrupt`, `.corrupt-2`, …, and progress starts afresh.
    fn set_aside(path: PathBuf, why: &str) -> ProgressStore {
        let aside = (1..)
            .map(|i| corrupt_name(&path, i))
            .find(|p| std::fs::symlink_metadata(p).is_err())
            .expect("an unbounded range has a free name");
        match std::fs::rename(&path, &aside) {
            Ok(()) => ProgressStore::at(
                Some(path.clone()),
                Progress::default(),
                Some(format!(
                    "Progress file {} could not be read ({why}); it was moved to {} and progress starts afresh.",
                    path.display(),
                    aside.display()
                )),
            ),
            Err(e) => ProgressStore::at(
                None,
                Progress::default(),
                Some(format!(
                    "Progress file {} could not be read ({why}) nor moved to {} ({e}), so it is left \
                     alone and progress will not be saved.",
                    path.display(),
                    aside.display()
                )),
            ),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Writes the progress to its file, atomically, merged with whatever
    /// another splitbrain saved there meanwhile, under the lock; does
    /// nothing in memory. Afterwards `progress` holds the merged progress.
    pub fn save(&mut self) -> Result<(), String> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let lock_path = dir.join(LOCK_NAME);
        let lock_file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                format!(
                    "cannot save progress: cannot open {}: {e}",
                    lock_path.display()
                )
            })?;
        let mut lock = fd_lock::RwLock::new(lock_file);
        let start = Instant::now();
        loop {
            match lock.try_write() {
                Ok(_held) => return self.merge_and_write(&path),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                // A file system without locks (some network ones): merging
                // still keeps what another splitbrain saved before now.
                Err(_) => return self.merge_and_write(&path),
            }
            if start.elapsed() >= self.lock_timeout {
                return Err(format!(
                    "cannot save progress: another splitbrain has held {} for over {} s; \
                     progress is kept and saved with the next change",
                    lock_path.display(),
                    self.lock_timeout.as_secs_f64()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Under the lock: what is on disk now, merged with this progress, written.
    fn merge_and_write(&mut self, path: &Path) -> Result<(), String> {
        let disk = match read_file(path) {
            Ok(bytes) => match serde_json::from_slice::<OnDisk>(&bytes) {
                Ok(d) if d.version > FORMAT_VERSION => {
                    // A newer splitbrain wrote it since: never save over that.
                    self.warning = Some(newer_warning(path, d.version));
                    self.path = None;
                    return Err(format!(
                        "progress not saved: {} was written by a newer splitbrain meanwhile",
                        path.display()
                    ));
                }
                Ok(d) => Progress { lessons: d.lessons },
                Err(e) => {
                    // Damaged since it was read: set aside as at opening.
                    let aside = ProgressStore::set_aside(path.to_path_buf(), &e.to_string());
                    if aside.path.is_none() {
                        return Err(aside.warning.unwrap_or_default());
                    }
                    self.warning = aside.warning;
                    Progress::default()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Progress::default(),
            Err(e) => {
                return Err(format!(
                    "cannot save progress: cannot read {}: {e}",
                    path.display()
                ));
            }
        };
        let merged = merge(&self.base, &self.progress, &disk);
        write_atomically(path, &merged)?;
        self.base = merged.clone();
        self.progress = merged;
        Ok(())
    }

    #[cfg(test)]
    fn with_lock_timeout(mut self, t: Duration) -> ProgressStore {
        self.lock_timeout = t;
        self
    }
}

/// `ours` (which was `base` when last read or written) joined with `disk`.
fn merge(base: &Progress, ours: &Progress, disk: &Progress) -> Progress {
    let mut out = disk.clone();
    for (id, mine) in &ours.lessons {
        let was = base.lessons.get(id);
        let l = out.lessons.entry(id.clone()).or_default();
        l.opened |= mine.opened;
        l.objectives_met.extend(mine.objectives_met.iter().cloned());
        l.hints_used = l.hints_used.max(mine.hints_used);
        for (q, right) in &mine.questions {
            let answered_here = was.and_then(|w| w.questions.get(q)) != Some(right);
            if answered_here || !l.questions.contains_key(q) {
                l.questions.insert(q.clone(), *right);
            }
        }
    }
    out
}

/// The progress written to its file (see [`super::write_atomically`]).
fn write_atomically(path: &Path, progress: &Progress) -> Result<(), String> {
    let on_disk = OnDisk {
        version: FORMAT_VERSION,
        lessons: progress.lessons.clone(),
    };
    let mut text = serde_json::to_vec_pretty(&on_disk).map_err(|e| e.to_string())?;
    text.push(b'\n');
    super::write_atomically(path, &text)
        .map_err(|e| format!("cannot save progress to {}: {e}", path.display()))
}

/// The largest progress file read; a bigger one is taken for damaged.
const SIZE_LIMIT: u64 = 16 << 20;

/// The file's bytes, if it is a regular file of a sensible size: a named
/// pipe or a device in its place is not opened, so nothing blocks.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::other("it is not a regular file"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(SIZE_LIMIT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > SIZE_LIMIT {
        return Err(Error::other(format!(
            "it is larger than {} MiB",
            SIZE_LIMIT >> 20
        )));
    }
    Ok(bytes)
}

fn newer_warning(path: &Path, version: u32) -> String {
    format!(
        "{} was written by a newer splitbrain (format {version}, this one knows {FORMAT_VERSION}), so \
         it is read as far as possible and progress from this session will not be saved.",
        path.display(),
    )
}

fn corrupt_name(path: &Path, i: u32) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    if i <= 1 {
        name.push(".corrupt");
    } else {
        name.push(format!(".corrupt-{i}"));
    }
    PathBuf::from(name)
}

/// Where the progress file lives unless told otherwise.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPLITBRAIN_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(FILE_NAME));
    }
    directories::ProjectDirs::from("", "", "splitbrain").map(|d| d.data_dir().join(FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Catalog;

    /// A fresh directory under the system's temporary directory.
    fn temp_dir(tag: &str) -> PathBuf {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let d = std::env::temp_dir().join(format!(
            "splitbrain-progress-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn recording_says_what_changed() {
        let mut p = Progress::default();
        assert!(p.open("x"));
        assert!(!p.open("x"));
        assert!(p.objective_met("x", "o1"));
        assert!(!p.objective_met("x", "o1"));
        assert!(p.answered("x", "q", false));
        assert!(!p.answered("x", "q", false));
        assert!(p.answered("x", "q", true));
        assert!(p.hints("x", 2));
        assert!(!p.hints("x", 1));
        assert!(!p.hints("x", 2));
        assert_eq!(p.get("x").unwrap().hints_used, 2);
    }

    #[test]
    fn marks_follow_the_objectives() {
        let cat = Catalog::embedded().unwrap();
        let l = cat.get("failover").unwrap();
        let mut p = Progress::default();
        assert_eq!(p.mark(&l.id, &l), Mark::NotStarted);
        p.open(&l.id);
        assert_eq!(p.mark(&l.id, &l), Mark::Started);
        let ids: Vec<String> = l.objectives.iter().map(|o| o.id.clone()).collect();
        assert!(ids.len() > 1);
        for (i, id) in ids.iter().enumerate() {
            p.objective_met(&l.id, id);
            let want = if i + 1 == ids.len() {
                Mark::Done
            } else {
                Mark::Started
            };
            assert_eq!(p.mark(&l.id, &l), want);
        }
    }

    #[test]
    fn round_trip_through_the_file() {
        let dir = temp_dir("round");
        let path = dir.join("nested").join("progress.json");
        let mut s = ProgressStore::open(&path);
        assert!(s.warning.is_none());
        assert_eq!(s.progress, Progress::default());
        s.progress.open("failover");
        s.progress.objective_met("failover", "no-split-brain");
        s.progress.answered("failover", "async-crash", true);
        s.progress.hints("flaky-dependency", 3);
        s.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"version\": 1"), "{text}");
        let again = ProgressStore::open(&path);
        assert!(again.warning.is_none());
        assert_eq!(again.progress, s.progress);
        // Saving leaves nothing but the file (and the lock) behind.
        assert_eq!(
            files(path.parent().unwrap()),
            vec!["progress.json", "progress.lock"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_set_aside_and_reported() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        std::fs::write(&path, b"{ \"version\": 1, \"lessons\": { oops").unwrap();
        let mut s = ProgressStore::open(&path);
        let w = s.warning.clone().expect("a warning");
        let aside = dir.join("progress.json.corrupt");
        assert!(w.contains(&path.display().to_string()), "{w}");
        assert!(w.contains(&aside.display().to_string()), "{w}");
        assert_eq!(s.progress, Progress::default());
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            b"{ \"version\": 1, \"lessons\": { oops"
        );
        // Saving works and does not touch the corrupt copy.
        s.progress.open("failover");
        s.save().unwrap();
        assert_eq!(ProgressStore::open(&path).progress, s.progress);

        // A second corruption goes to a new name, keeping the first.
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let s2 = ProgressStore::open(&path);
        let w2 = s2.warning.expect("a warning");
        assert!(w2.contains("progress.json.corrupt-2"), "{w2}");
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            b"{ \"version\": 1, \"lessons\": { oops"
        );
        assert_eq!(
            std::fs::read(dir.join("progress.json.corrupt-2")).unwrap(),
            [0xff, 0xfe, 0x00]
        );
        assert_eq!(
            files(&dir),
            vec![
                "progress.json.corrupt",
                "progress.json.corrupt-2",
                "progress.lock"
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_in_place_of_the_file_is_set_aside_not_waited_on() {
        let dir = temp_dir("fifo");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        let mut s = ProgressStore::open(&path);
        let w = s.warning.clone().expect("a warning");
        assert!(w.contains("not a regular file"), "{w}");
        s.progress.open("failover");
        s.save().unwrap();
        assert!(std::fs::metadata(&path).unwrap().is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wrong_shapes_are_corruption_too() {
        let dir = temp_dir("shape");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        std::fs::write(&path, "[1, 2, 3]").unwrap();
        let s = ProgressStore::open(&path);
        assert!(s.warning.is_some());
        assert!(dir.join("progress.json.corrupt").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unknown_fields_are_ignored_and_newer_formats_never_overwritten() {
        let dir = temp_dir("future");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        std::fs::write(
            &path,
            r#"{"version":1,"theme":"dark","lessons":{"failover":{"opened":true,"stars":5}}}"#,
        )
        .unwrap();
        let s = ProgressStore::open(&path);
        assert!(s.warning.is_none());
        assert!(s.progress.get("failover").unwrap().opened);

        let newer = r#"{"version":7,"lessons":{"failover":{"opened":true,"hints_used":2}}}"#;
        std::fs::write(&path, newer).unwrap();
        let mut s = ProgressStore::open(&path);
        let w = s.warning.clone().expect("a warning");
        assert!(w.contains("newer"), "{w}");
        assert_eq!(s.progress.get("failover").unwrap().hints_used, 2);
        s.progress.hints("failover", 4);
        s.save().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), newer);
        assert_eq!(files(&dir), vec!["progress.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_save_leaves_no_temporary_file() {
        let dir = temp_dir("fail");
        std::fs::create_dir_all(&dir).unwrap();
        // The target is a non-empty directory, so the final rename fails.
        let path = dir.join("progress.json");
        std::fs::create_dir_all(path.join("x")).unwrap();
        let mut s = ProgressStore::at(Some(path.clone()), Progress::default(), None);
        s.progress.open("a");
        assert!(s.save().is_err());
        assert_eq!(files(&dir), vec!["progress.json", "progress.lock"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn two_stores_on_one_file_keep_each_others_progress() {
        let dir = temp_dir("merge");
        let path = dir.join("progress.json");
        // Both open the file before either saves, as two terminals would.
        let mut a = ProgressStore::open(&path);
        let mut b = ProgressStore::open(&path);
        a.progress.hints("flaky-dependency", 1);
        a.progress.answered("flaky-dependency", "q1", false);
        a.save().unwrap();
        b.progress.hints("failover", 2);
        b.progress.objective_met("failover", "no-split-brain");
        b.save().unwrap();
        // A changes its answer; B's later save must not undo that.
        a.progress.answered("flaky-dependency", "q1", true);
        a.save().unwrap();
        b.progress.hints("failover", 3);
        b.save().unwrap();
        let on_disk = ProgressStore::open(&path).progress;
        let f = on_disk.get("flaky-dependency").expect("A's lesson kept");
        assert_eq!(f.hints_used, 1);
        assert_eq!(f.questions.get("q1"), Some(&true));
        let g = on_disk.get("failover").expect("B's lesson kept");
        assert_eq!(g.hints_used, 3);
        assert!(g.objectives_met.contains("no-split-brain"));
        // Each store now knows the other's progress too.
        assert_eq!(b.progress, on_disk);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_save_waits_for_the_lock_and_then_says_why_it_gave_up() {
        let dir = temp_dir("lock");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        let held = std::fs::File::create(dir.join(LOCK_NAME)).unwrap();
        let mut other = fd_lock::RwLock::new(held);
        let guard = other.write().unwrap();
        let mut s = ProgressStore::open(&path).with_lock_timeout(Duration::from_millis(200));
        s.progress.open("failover");
        let started = Instant::now();
        let e = s.save().unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(e.contains("another splitbrain has held"), "{e}");
        assert!(e.contains(LOCK_NAME), "{e}");
        assert!(!path.exists());
        // Once the lock is free, the next save goes through.
        drop(guard);
        s.save().unwrap();
        assert!(
            ProgressStore::open(&path)
                .progress
                .get("failover")
                .is_some()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn memory_stores_never_touch_the_disk() {
        let mut s = ProgressStore::memory();
        s.progress.open("a");
        assert!(s.save().is_ok());
        assert!(s.path().is_none());
    }

    #[test]
    fn a_record_says_whether_it_was_news() {
        let mut p = Progress::default();
        assert!(p.record("failover", ["no-split-brain"], [("async-crash", true)], 2));
        assert!(!p.record("failover", ["no-split-brain"], [("async-crash", true)], 2));
        // Fewer hints than before and no objectives: nothing new.
        assert!(!p.record("failover", [], [], 1));
        assert!(p.record("failover", [], [("async-crash", false)], 1));
        let lp = p.get("failover").unwrap();
        assert!(lp.opened);
        assert_eq!(lp.hints_used, 2);
        assert!(lp.objectives_met.contains("no-split-brain"));
        assert_eq!(lp.questions.get("async-crash"), Some(&false));
    }
}

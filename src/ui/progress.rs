//! Placeholder until the progress store lands.
use crate::lesson::Lesson;
#[derive(Default, Debug, Clone, PartialEq)]
pub struct Progress;
pub enum Mark {
    NotStarted,
    Started,
    Done,
}
impl Progress {
    pub fn open(&mut self, _id: &str) {}
    pub fn objective_met(&mut self, _id: &str, _o: &str) -> bool {
        false
    }
    pub fn answered(&mut self, _id: &str, _q: &str, _right: bool) -> bool {
        false
    }
    pub fn hints(&mut self, _id: &str, _n: usize) -> bool {
        false
    }
    pub fn mark(&self, _id: &str, _l: &Lesson) -> Mark {
        Mark::NotStarted
    }
}
pub struct ProgressStore {
    pub progress: Progress,
    pub warning: Option<String>,
}
impl ProgressStore {
    pub fn memory() -> Self {
        ProgressStore {
            progress: Progress,
            warning: None,
        }
    }
    pub fn open_default() -> Self {
        Self::memory()
    }
    pub fn save(&mut self) -> Result<(), String> {
        Ok(())
    }
}

//! Helpers shared by the test files: the built-in lessons, whole runs of
//! them judged by their objectives, and screens drawn as `splitbrain shot`
//! draws them.
#![allow(dead_code)]

pub mod retry;

use splitbrain::lesson::{Catalog, Lesson, Run, Status};
use splitbrain::ui::shot::{self, ShotSpec};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A built-in lesson.
pub fn lesson(id: &str) -> Arc<Lesson> {
    Catalog::embedded()
        .unwrap_or_else(|e| panic!("{e:?}"))
        .get(id)
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

/// Runs the whole lesson; returns each objective's id, status and details.
pub fn verdicts(
    lesson: &Arc<Lesson>,
    seed: u64,
    settings: &[&str],
) -> Vec<(String, Status, Vec<String>)> {
    let settings: Vec<_> = settings
        .iter()
        .map(|s| lesson.parse_setting(s).unwrap())
        .collect();
    let mut run = Run::new(lesson.clone(), seed, &settings, false).unwrap();
    run.set_checkpointing(false);
    run.advance_to(lesson.length);
    lesson
        .objectives
        .iter()
        .zip(run.verdicts())
        .map(|(o, v)| (o.id.clone(), v.status, v.details))
        .collect()
}

/// Runs the whole lesson; returns each objective's status by id.
pub fn statuses(lesson: &Arc<Lesson>, seed: u64, settings: &[&str]) -> BTreeMap<String, Status> {
    verdicts(lesson, seed, settings)
        .into_iter()
        .map(|(id, status, _)| (id, status))
        .collect()
}

/// The verdict of objective `id`.
pub fn status<'a>(
    v: &'a [(String, Status, Vec<String>)],
    id: &str,
) -> &'a (String, Status, Vec<String>) {
    v.iter()
        .find(|o| o.0 == id)
        .unwrap_or_else(|| panic!("no objective {id}"))
}

/// The screen `spec` describes, as text.
pub fn screen(spec: &ShotSpec) -> String {
    let app = shot::app_at(Catalog::embedded().unwrap(), spec).unwrap();
    shot::text(&shot::draw(&app))
}

/// The screen as text, then each cell's colour.
pub fn styled(spec: &ShotSpec) -> String {
    let app = shot::app_at(Catalog::embedded().unwrap(), spec).unwrap();
    shot::styled_text(&shot::draw(&app))
}

//! The playground full-screen (`splitbrain lesson`, or no command): the
//! lesson picker or one lesson, and the session recorded on the way out
//! if asked.

use super::{catalog, find_lesson, settings};
use crate::lesson::ProgressStore;
use crate::ui::{app::App, terminal, theme::Theme};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Default)]
pub struct LessonArgs {
    /// The lesson's id (see `splitbrain list`); the lesson picker when left out.
    pub lesson: Option<String>,
    /// Seed of the run's randomness; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sets a knob at the start, e.g. --set breaker=on.
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// On quitting, writes the session (seed, knobs, every input) to FILE,
    /// for `splitbrain run <LESSON> --replay FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

/// Opens the playground full-screen: the picker, or one lesson.
pub fn playground(dir: Option<&Path>, args: &LessonArgs) -> Result<(), String> {
    let c = catalog(dir)?;
    let opening = match &args.lesson {
        Some(id) => {
            let lesson = find_lesson(&c, id)?;
            let settings = settings(&lesson, &args.settings)?;
            Some((lesson.id.clone(), settings))
        }
        None => None,
    };
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(
            "the playground needs a terminal; for output to a pipe or file use \
             `splitbrain run`, `splitbrain shot` or `splitbrain list`"
                .into(),
        );
    }
    let mut app = App::new(c, ProgressStore::open_default(), Theme::from_env());
    if let Some((id, settings)) = opening {
        app.open(&id, args.seed, &settings)?;
    }
    let app = terminal::run_in_terminal(app)?;
    if let Some(path) = &args.record {
        let Some(recording) = app.recording() else {
            return Err(format!(
                "nothing recorded in {}: no lesson was opened",
                path.display()
            ));
        };
        let json = serde_json::to_string_pretty(&recording)
            .map_err(|e| format!("cannot record the session: {e}"))?;
        std::fs::write(path, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        super::out::error_line(&format!(
            "session recorded in {}; replay it with: splitbrain run {} --replay {}",
            path.display(),
            recording.lesson,
            path.display()
        ));
    }
    Ok(())
}

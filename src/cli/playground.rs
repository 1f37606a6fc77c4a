//! The playground full-screen (`splitbrain lesson`, or no command): the
//! lesson picker or one lesson, and the session recorded on the way out
//! if asked.

use super::{catalog, find_lesson, settings};
use crate::lesson::ProgressStore;
use crate::ui::app::{App, write_recording};
use crate::ui::config::{self, Config};
use crate::ui::{terminal, theme::Theme};
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
    /// Writes the session (seed, knobs, every input) to FILE as it goes,
    /// for `splitbrain run <LESSON> --replay FILE`.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Starts the lesson fresh, though its last session (kept beside the
    /// progress) would be continued where it stopped.
    #[arg(long)]
    pub fresh: bool,
    /// Leaves the mouse to the terminal, so text can be selected and copied
    /// (`M` switches it in the playground).
    #[arg(long)]
    pub no_mouse: bool,
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
    if let Some(path) = &args.record {
        check_writable(path)?;
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(
            "the playground needs a terminal; for output to a pipe or file use \
             `splitbrain run`, `splitbrain shot` or `splitbrain list`"
                .into(),
        );
    }
    let (config, config_error) = match config::default_path() {
        Some(path) => config::load(&path),
        None => (Config::default(), None),
    };
    if let Some(e) = &config_error {
        super::out::error_line(e);
    }
    let no_color = !Theme::from_env().color;
    let mut app = App::new(c, ProgressStore::open_default(), config.theme(no_color));
    app.mouse = config.mouse && !args.no_mouse;
    app.config = config;
    if let Some(e) = config_error {
        // Said again where the picker shows notices, since the screen covers stderr.
        app.notice.get_or_insert(e);
    }
    if let Some((id, settings)) = opening {
        let fresh = args.fresh || args.seed.is_some() || !settings.is_empty();
        app.open_as(&id, args.seed, &settings, fresh)?;
    }
    if let Some(path) = &args.record {
        app.record_to(path.clone());
    }
    let app = terminal::run_in_terminal(app)?;
    if let Some(path) = &args.record {
        let Some(recording) = app.recording() else {
            return Err(format!(
                "nothing recorded in {}: no lesson was opened",
                path.display()
            ));
        };
        write_recording(path, &recording)?;
        super::out::error_line(&format!(
            "session recorded in {}; replay it with: splitbrain run {} --replay {}",
            path.display(),
            recording.lesson,
            path.display()
        ));
    }
    Ok(())
}

/// Whether a recording can be written to `path`, found out before the
/// session starts rather than when it ends: the file must be creatable in
/// its directory (it is written there first, then renamed over `path`).
fn check_writable(path: &Path) -> Result<(), String> {
    let fail = |why: String| format!("cannot record to {}: {why}", path.display());
    if path.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let probe = dir.join(format!(".splitbrain-record-probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| fail(format!("cannot create a file in {}: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// What `splitbrain --print-config` writes: the config file's settings at
/// their defaults, explained, as a file that reads back as the defaults.
pub fn print_config() -> Result<(), String> {
    super::out::print(config::DEFAULT_TEXT)
}

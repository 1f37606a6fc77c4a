//! `splitbrain shot`: one screen drawn headless, as text, as text with its
//! colours, or as an SVG picture; or a stretch of a run as an animated SVG.

use super::{catalog, find_lesson, parse_duration, settings};
use crate::sim::Time;
use crate::ui::session::SPEEDS;
use crate::ui::shot::{self as screen, Clip, ShotSpec};
use crate::ui::theme::Theme;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Clone, Debug)]
pub struct ShotArgs {
    /// The lesson's id; the lesson picker when left out.
    pub lesson: Option<String>,
    /// Seed of the run's randomness; the lesson's own seed when left out.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The virtual instant to draw, e.g. 45s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "0s")]
    pub at: Time,
    /// The screen's size in cells.
    #[arg(long, value_name = "COLSxROWS", value_parser = parse_size, default_value = "120x40")]
    pub size: (u16, u16),
    /// Sets a knob, e.g. --set breaker=on.
    #[arg(long = "set", value_name = "KNOB=VALUE")]
    pub settings: Vec<String>,
    /// Keys to press at that instant, e.g. "3c" or "k<Down>" (<Tab> <Enter> <Esc> <Up>…).
    #[arg(long, value_name = "KEYS", default_value = "")]
    pub keys: String,
    /// Writes an SVG picture with colours to FILE instead of printing text.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Draws an animation (an SVG that loops) from this instant instead of one screen.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration,
          requires_all = ["to", "svg"], conflicts_with = "at")]
    pub from: Option<Time>,
    /// The animation's last instant.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "from")]
    pub to: Option<Time>,
    /// The animation's frames per second.
    #[arg(long, default_value_t = 2, requires = "from",
          value_parser = clap::value_parser!(u32).range(1..=30))]
    pub fps: u32,
    /// How fast the animation plays, as a multiple of real time: one of the
    /// playground's speeds (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100).
    #[arg(long, value_name = "TIMES", default_value = "1", value_parser = parse_speed,
          requires = "from")]
    pub speed: usize,
    /// Prints the text followed by a grid of each cell's colour.
    #[arg(long, conflicts_with = "svg")]
    pub styles: bool,
    /// Draws without colour, as with NO_COLOR.
    #[arg(long)]
    pub no_color: bool,
}

/// A playback speed, as its index in the playground's list.
fn parse_speed(s: &str) -> Result<usize, String> {
    let t = s.trim().trim_end_matches(['x', '×']);
    t.parse::<f64>()
        .ok()
        .and_then(|v| SPEEDS.iter().position(|f| *f == Some(v)))
        .ok_or_else(|| {
            let all: Vec<String> = SPEEDS.iter().flatten().map(|f| f.to_string()).collect();
            format!("`{s}` is not a speed; use one of {}", all.join(", "))
        })
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("`{s}` is not a size: write it as COLSxROWS, e.g. 120x40"))?;
    let num = |t: &str| {
        t.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| format!("`{t}` in `{s}` is not a number of cells from 1 to 1000"))
    };
    Ok((num(w)?, num(h)?))
}

/// Draws one screen headless: prints it, or writes the SVG file.
pub fn shot(dir: Option<&Path>, args: &ShotArgs) -> Result<(), String> {
    let mut args = args.clone();
    args.no_color |= std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let out = shot_output(dir, &args)?;
    match &args.svg {
        Some(path) => std::fs::write(path, out)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => super::out::print(&out)?,
    }
    Ok(())
}

/// What `shot` prints or writes: text, text with styles, or SVG (colour
/// unless `no_color`; the environment is not read here).
pub fn shot_output(dir: Option<&Path>, args: &ShotArgs) -> Result<String, String> {
    let c = catalog(dir)?;
    let settings = match &args.lesson {
        Some(id) => {
            let lesson = find_lesson(&c, id)?;
            settings(&lesson, &args.settings)?
        }
        None => Vec::new(),
    };
    let spec = ShotSpec {
        lesson: args.lesson.clone(),
        seed: args.seed,
        at: args.from.unwrap_or(args.at),
        width: args.size.0,
        height: args.size.1,
        settings,
        keys: screen::parse_keys(&args.keys)?,
        theme: if args.no_color {
            Theme::monochrome()
        } else {
            Theme::default()
        },
    };
    let bar = super::bar::Bar::new("shot", spec.at);
    let mut app = screen::app_at_telling(c, &spec, &|t| bar.set(t))?;
    bar.finish();
    if let (Some(from), Some(to)) = (args.from, args.to) {
        let clip = Clip::new(from, to, args.fps, args.speed)?;
        return Ok(screen::animation(&mut app, &clip));
    }
    let buf = screen::draw(&app);
    Ok(if args.svg.is_some() {
        screen::svg(&buf)
    } else if args.styles {
        screen::styled_text(&buf)
    } else {
        screen::text(&buf)
    })
}

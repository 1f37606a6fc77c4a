//! A progress bar for headless runs that take a while: shown on standard
//! error once a run has taken more than a second of wall time, and only
//! when both standard output and standard error are a terminal (so nothing
//! is added to a file or a pipe, nor drawn over output read by a pager).
//! It counts virtual time; the simulation itself never reads the clock.

use crate::sim::Time;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a run goes before its bar appears.
pub const DELAY: Duration = Duration::from_secs(1);

pub use crate::lesson::SLICE;

pub struct Bar {
    label: String,
    total: Time,
    start: Instant,
    shown: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    done: Time,
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar for `total` virtual time of work, labelled `label`; it draws
    /// only where both outputs are terminals.
    pub fn new(label: impl Into<String>, total: Time) -> Bar {
        let terminals = std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        Bar::with(label, total, terminals)
    }

    /// A bar that never draws.
    pub fn hidden() -> Bar {
        Bar::with("", Time::ZERO, false)
    }

    fn with(label: impl Into<String>, total: Time, shown: bool) -> Bar {
        Bar {
            label: label.into(),
            total,
            start: Instant::now(),
            shown,
            state: Mutex::new(State::default()),
        }
    }

    /// The work is done up to `done` (of the total).
    pub fn set(&self, done: Time) {
        if !self.shown {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.done = done;
        self.draw(&mut s);
    }

    /// `more` virtual time of the work is done (from any thread).
    pub fn add(&self, more: Time) {
        if !self.shown {
            return;
        }
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.done += more;
        self.draw(&mut s);
    }

    fn draw(&self, s: &mut State) {
        if s.bar.is_none() {
            if self.start.elapsed() < DELAY {
                return;
            }
            // Counted from the start of the run, not from when the bar appears.
            let bar = ProgressBar::with_draw_target(
                Some(self.total.as_micros().max(1)),
                ProgressDrawTarget::stderr(),
            )
            .with_elapsed(self.start.elapsed());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} {wide_bar} {percent:>3}%  {msg}  {elapsed} (about {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(self.label.clone());
            s.bar = Some(bar);
        }
        if let Some(bar) = &s.bar {
            bar.set_position(s.done.as_micros());
            bar.set_message(format!(
                "{} of {} virtual",
                clock(s.done),
                clock(self.total)
            ));
        }
    }

    /// Takes the bar off the screen.
    pub fn finish(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = s.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Virtual time as `h:mm:ss`.
fn clock(t: Time) -> String {
    let s = t.as_micros() / 1_000_000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn virtual_time_reads_as_a_clock() {
        use crate::sim::Time;
        assert_eq!(super::clock(Time::secs(3 * 3600 + 65)), "3:01:05");
        assert_eq!(super::clock(Time::secs(100_000 * 3600)), "100000:00:00");
    }
}

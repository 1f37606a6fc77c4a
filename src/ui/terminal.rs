//! The app loop and the real terminal. The loop is generic over the backend
//! and the event stream, so tests drive it with scripted events on a test
//! backend; [`run_in_terminal`] wires it to the user's terminal and makes
//! sure the terminal is restored however the program ends.

use super::app::App;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use std::future::Future;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};

/// Time between frames while the simulation runs (30 frames a second).
pub const FRAME: Duration = Duration::from_millis(33);

/// Runs `app` until it quits, the events end, or `shutdown` completes.
/// Draws once at the start and then only when something changed; while
/// the run is paused nothing ticks, so the loop sleeps.
pub async fn run_app<B, S, F>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: S,
    shutdown: F,
) -> io::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
    F: Future<Output = ()>,
{
    let mut shutdown = std::pin::pin!(shutdown);
    let mut events = events.fuse();
    let mut frames = tokio::time::interval(FRAME);
    frames.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let size = terminal.size().map_err(io::Error::other)?;
    app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    draw(terminal, app)?;
    let mut last = Instant::now();
    // A frame is owed: drawn once no event is waiting, so a burst of
    // events (a pasted string, a held key) costs one frame, not one each.
    let mut owed = false;
    while !app.quit {
        let was_running = app.running();
        tokio::select! {
            biased;
            _ = &mut shutdown => break,
            event = events.next() => match event {
                Some(Ok(e)) => owed |= app.handle(&e),
                Some(Err(e)) => return Err(e),
                None => break,
            },
            _ = std::future::ready(()), if owed => {
                draw(terminal, app)?;
                owed = false;
            }
            _ = frames.tick(), if was_running => {
                let now = Instant::now();
                owed |= app.tick(now - last);
                last = now;
            }
        }
        if !was_running && app.running() {
            // Time resumes from now, not from when it was paused.
            last = Instant::now();
            frames.reset();
        }
    }
    if owed && !app.quit {
        draw(terminal, app)?;
    }
    Ok(())
}

fn draw<B>(terminal: &mut Terminal<B>, app: &App) -> io::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .map_err(io::Error::other)?;
    Ok(())
}

/// Whether the terminal is in the playground's state (raw, alternate screen).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back as it was. Does something only the first time
/// after setting up: leaving the alternate screen again would move the
/// cursor back over whatever was printed since (a panic's message, say).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = io::stdout().flush();
}

/// Restores the terminal when dropped, whichever way the loop ends.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Runs the app full-screen in the user's terminal. The terminal is restored
/// on quit, on error, on panic (through the panic hook) and on SIGTERM, SIGHUP
/// or SIGINT; Ctrl-C in raw mode arrives as a key and quits.
pub fn run_in_terminal(mut app: App) -> Result<App, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    ACTIVE.store(true, Ordering::SeqCst);
    let _guard = Guard;
    enable_raw_mode().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    runtime
        .block_on(async { run_app(&mut terminal, &mut app, EventStream::new(), signals()).await })
        .map_err(|e| format!("terminal error: {e}"))?;
    Ok(app)
}

/// Completes when the process is asked to stop.
async fn signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        async fn wait(kind: SignalKind) {
            match signal(kind) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        }
        tokio::select! {
            _ = wait(SignalKind::terminate()) => {}
            _ = wait(SignalKind::hangup()) => {}
            _ = wait(SignalKind::interrupt()) => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

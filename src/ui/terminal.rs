//! The app loop and the real terminal. The loop is generic over the backend
//! and the event stream, so tests drive it with scripted events on a test
//! backend; [`run_in_terminal`] wires it to the user's terminal and makes
//! sure the terminal is restored however the program ends.

use super::app::App;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
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

/// What the world outside the event stream asks of the loop: signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outside {
    /// Stop (SIGTERM, SIGHUP, SIGINT, SIGQUIT).
    Quit,
    /// Give the terminal back and stop until continued (SIGTSTP, Ctrl-Z).
    Suspend,
    /// Continued after being stopped (SIGCONT): take the terminal again.
    Resume,
}

/// What the loop asks of the terminal it runs in, beyond drawing.
pub trait Host {
    /// Gives the terminal back to the shell and stops the process; returns
    /// once the process is continued (`fg`).
    fn suspend(&mut self) -> io::Result<()>;
    /// Takes the terminal again (raw mode, alternate screen, mouse).
    fn resume(&mut self) -> io::Result<()>;
    /// Takes the mouse (clicks and the wheel come as events) or leaves it to
    /// the terminal (which then selects and copies text).
    fn set_mouse(&mut self, _on: bool) -> io::Result<()> {
        Ok(())
    }
}

/// A host with nothing to give back: a test backend.
pub struct NoHost;

impl Host for NoHost {
    fn suspend(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }
}

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
    let quit = futures_util::stream::once(shutdown).map(|_| Outside::Quit);
    let quit = std::pin::pin!(quit);
    run_hosted(terminal, app, events, quit, &mut NoHost).await
}

/// [`run_app`] with signals as a stream of [`Outside`] requests and a
/// [`Host`] to suspend to and resume from.
pub async fn run_hosted<B, S, O, H>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: S,
    outside: O,
    host: &mut H,
) -> io::Result<()>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<Event>> + Unpin,
    O: Stream<Item = Outside> + Unpin,
    H: Host,
{
    let mut outside = outside.fuse();
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
        let mut asked = None;
        tokio::select! {
            biased;
            // An ended stream fails the pattern and leaves the other branches.
            Some(o) = outside.next() => asked = Some(o),
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
        if app.take_suspend() {
            asked = Some(Outside::Suspend);
        }
        if let Some(on) = app.take_mouse_switch() {
            host.set_mouse(on)?;
        }
        match asked {
            Some(Outside::Quit) => break,
            Some(o @ (Outside::Suspend | Outside::Resume)) => {
                if o == Outside::Suspend {
                    host.suspend()?;
                }
                host.resume()?;
                // Whatever the shell drew meanwhile is gone: draw it all again,
                // and let no time pass for the time stopped.
                // (A blank frame first makes the next one draw every cell;
                // `Terminal::clear` would ask the terminal where its cursor
                // is, which the event reader would answer instead.)
                terminal
                    .draw(|f| f.render_widget(ratatui::widgets::Clear, f.area()))
                    .map_err(io::Error::other)?;
                let size = terminal.size().map_err(io::Error::other)?;
                app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                draw(terminal, app)?;
                owed = false;
                last = Instant::now();
                frames.reset();
            }
            None => {}
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
/// Whether the playground takes the mouse when it takes the terminal.
static MOUSE: AtomicBool = AtomicBool::new(true);

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

/// Puts the terminal in the playground's state; a no-op if it is already.
fn take_over() -> io::Result<()> {
    if ACTIVE.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        cursor::Hide
    )?;
    if MOUSE.load(Ordering::SeqCst) {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Restores the terminal when dropped, whichever way the loop ends.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// The user's terminal, as editors treat it on Ctrl-Z: given back to the
/// shell as it was, the process stopped, and taken again on `fg`.
struct RealTerminal;

impl Host for RealTerminal {
    fn suspend(&mut self) -> io::Result<()> {
        restore();
        #[cfg(unix)]
        signal_hook::low_level::raise(signal_hook::consts::SIGSTOP)?;
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        // Set it all again even if it was never given back: after a
        // `kill -STOP`, which cannot be caught, the shell may have put the
        // terminal back in line mode before `fg`.
        // (crossterm skips enabling raw mode it believes it enabled, so it
        // is told it is off first.)
        ACTIVE.store(false, Ordering::SeqCst);
        let _ = disable_raw_mode();
        take_over()
    }

    fn set_mouse(&mut self, on: bool) -> io::Result<()> {
        MOUSE.store(on, Ordering::SeqCst);
        if on {
            execute!(io::stdout(), EnableMouseCapture)
        } else {
            execute!(io::stdout(), DisableMouseCapture)
        }
    }
}

/// Runs the app full-screen in the user's terminal. The terminal is restored
/// on quit, on error, on panic (through the panic hook) and on SIGTERM,
/// SIGHUP, SIGINT or SIGQUIT; Ctrl-C in raw mode arrives as a key and quits.
/// Ctrl-Z and SIGTSTP give the terminal back and stop; `fg` (SIGCONT) takes
/// it again and redraws.
pub fn run_in_terminal(mut app: App) -> Result<App, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    let _guard = Guard;
    MOUSE.store(app.mouse, Ordering::SeqCst);
    take_over().map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))?;
    runtime
        .block_on(async {
            let signals = signals();
            let signals = std::pin::pin!(signals);
            run_hosted(
                &mut terminal,
                &mut app,
                EventStream::new(),
                signals,
                &mut RealTerminal,
            )
            .await
        })
        .map_err(|e| format!("terminal error: {e}"))?;
    Ok(app)
}

/// The signals the playground answers, as requests to the loop.
fn signals() -> impl Stream<Item = Outside> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let kinds = [
            (SignalKind::terminate(), Outside::Quit),
            (SignalKind::hangup(), Outside::Quit),
            (SignalKind::interrupt(), Outside::Quit),
            (SignalKind::quit(), Outside::Quit),
            (
                SignalKind::from_raw(signal_hook::consts::SIGTSTP),
                Outside::Suspend,
            ),
            (
                SignalKind::from_raw(signal_hook::consts::SIGCONT),
                Outside::Resume,
            ),
        ];
        for (kind, what) in kinds {
            if let Ok(mut s) = signal(kind) {
                let tx = tx.clone();
                tokio::spawn(async move {
                    while s.recv().await.is_some() {
                        if tx.send(what).is_err() {
                            break;
                        }
                    }
                });
            }
        }
    }
    #[cfg(not(unix))]
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = tx.send(Outside::Quit);
            }
        });
    }
    drop(tx);
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|o| (o, rx)) })
}

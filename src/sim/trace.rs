//! The trace: every event of a run in order, with the causal links a
//! space-time diagram needs (each delivery names the send it came from, and
//! every event carries its node's Lamport clock).

use super::time::Time;
use std::fmt::{self, Write};
use std::sync::Arc;

/// A message or timer as it was, formatted only when someone reads it:
/// formatting every event as it happens would cost more than simulating it.
#[derive(Clone)]
pub struct Detail(Arc<dyn fmt::Debug + Send + Sync>);

impl Detail {
    pub fn new(value: impl fmt::Debug + Send + Sync + 'static) -> Detail {
        Detail(Arc::new(value))
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Debug for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Equal when they read the same.
impl PartialEq for Detail {
    fn eq(&self, other: &Detail) -> bool {
        self.to_string() == other.to_string()
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The link's loss rate.
    Loss,
    /// The link was cut when it was sent or when it arrived.
    Partition,
    /// The receiver was down when it arrived.
    Down,
    /// Dropped by hand.
    Input,
}

impl DropReason {
    pub fn name(self) -> &'static str {
        match self {
            DropReason::Loss => "lost",
            DropReason::Partition => "partitioned",
            DropReason::Down => "receiver-down",
            DropReason::Input => "dropped-by-hand",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TraceKind {
    Start,
    Restart,
    Crash,
    Pause,
    Resume,
    /// A message left the node. `arrives` is `None` while it waits on a held link
    /// or when it was lost at once.
    Send {
        msg: u64,
        to: usize,
        kind: &'static str,
        detail: Detail,
        arrives: Option<Time>,
        duplicate: bool,
    },
    Deliver {
        msg: u64,
        from: usize,
        kind: &'static str,
        sent_at: Time,
    },
    Drop {
        msg: u64,
        from: usize,
        to: usize,
        kind: &'static str,
        reason: DropReason,
    },
    Timer {
        detail: Detail,
    },
    Log(String),
    /// An input from the script or the learner.
    Input(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// Position in the run, from 0.
    pub seq: u64,
    pub time: Time,
    /// The node the event happened on; `None` for inputs that touch no single node.
    pub node: Option<usize>,
    /// The node's Lamport clock after the event (0 for events on no node).
    pub lamport: u64,
    pub kind: TraceKind,
}

impl TraceEvent {
    /// One line of text, stable across runs and platforms.
    pub fn render(&self, names: &[String]) -> String {
        let name = |i: usize| names.get(i).map_or("?", String::as_str);
        let mut line = String::with_capacity(96);
        let _ = write!(line, "{:>6} {:>12} ", self.seq, self.time.to_string());
        match self.node {
            Some(n) => {
                let _ = write!(line, "{:<8} L{:<5} ", name(n), self.lamport);
            }
            None => {
                let _ = write!(line, "{:<8} {:<6} ", "-", "");
            }
        }
        let _ = match &self.kind {
            TraceKind::Start => write!(line, "start"),
            TraceKind::Restart => write!(line, "restart"),
            TraceKind::Crash => write!(line, "crash"),
            TraceKind::Pause => write!(line, "pause"),
            TraceKind::Resume => write!(line, "resume"),
            TraceKind::Send {
                msg,
                to,
                detail,
                arrives,
                duplicate,
                ..
            } => {
                let when = arrives.map_or("held".to_string(), |t| format!("arrives {t}"));
                let dup = if *duplicate { " (duplicate)" } else { "" };
                write!(line, "send m{msg} -> {} {detail} {when}{dup}", name(*to))
            }
            TraceKind::Deliver {
                msg,
                from,
                kind,
                sent_at,
            } => {
                write!(line, "recv m{msg} <- {} {kind} sent {sent_at}", name(*from))
            }
            TraceKind::Drop {
                msg,
                from,
                to,
                kind,
                reason,
            } => {
                write!(
                    line,
                    "drop m{msg} {}->{} {kind} {}",
                    name(*from),
                    name(*to),
                    reason.name()
                )
            }
            TraceKind::Timer { detail } => write!(line, "timer {detail}"),
            TraceKind::Log(text) => write!(line, "log {text}"),
            TraceKind::Input(text) => write!(line, "input {text}"),
        };
        line
    }
}

//! The trace: every event of a run in order, with the causal links a
//! space-time diagram needs (each delivery names the send it came from, and
//! every event carries its node's Lamport clock).

use super::time::Time;
use std::collections::VecDeque;
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

    /// The bytes its copy of the value takes (not counting what the value
    /// itself points to), with the shared pointer's counts.
    fn heap(&self) -> usize {
        std::mem::size_of_val(&*self.0) + 2 * std::mem::size_of::<usize>()
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
    /// An input from the script or the learner, as `Input::describe` words
    /// it; `idle` when it found nothing to change (a restart of a node that
    /// is up, a crash of one that is down, a message no longer in flight).
    Input {
        text: String,
        idle: bool,
    },
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
    /// Whether the event belongs in the story of node `node`: it happened
    /// there, is a message sent to it or dropped on its way to or from it, or
    /// is an input (script or learner actions touch no single node, and they
    /// are the context a node's own events need).
    pub fn concerns(&self, node: usize) -> bool {
        if self.node == Some(node) {
            return true;
        }
        match &self.kind {
            TraceKind::Send { to, .. } => *to == node,
            TraceKind::Drop { from, to, .. } => *from == node || *to == node,
            TraceKind::Input { .. } => true,
            _ => false,
        }
    }

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
            TraceKind::Input { text, idle: false } => write!(line, "input {text}"),
            TraceKind::Input { text, idle: true } => {
                write!(line, "input {text} (changed nothing)")
            }
        };
        line
    }
}

/// The events of a run so far, of which only the newest are kept when a
/// limit is set: a run that goes on for hours keeps a window, and what fell
/// out of it can be made again by replaying (see `lesson::history`).
///
/// Events are numbered from 0 over the whole run ([`TraceEvent::seq`]);
/// the window holds those from [`Trace::start`] to [`Trace::end`].
#[derive(Clone, Debug, Default)]
pub struct Trace {
    start: u64,
    events: VecDeque<TraceEvent>,
    /// About how many bytes the kept events take.
    bytes: usize,
    /// How much to keep at most; `None` keeps every event.
    limit: Option<TraceLimit>,
}

/// How much of a trace to keep: at most `events` events taking at most
/// about `bytes` bytes (the newest event is always kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceLimit {
    pub events: usize,
    pub bytes: usize,
}

impl TraceLimit {
    /// At most `n` events, however large.
    pub const fn events(n: usize) -> TraceLimit {
        TraceLimit {
            events: n,
            bytes: usize::MAX,
        }
    }
}

/// About how many bytes event `e` takes: itself, and what it points to
/// (a message's or timer's copy, a text).
fn cost(e: &TraceEvent) -> usize {
    std::mem::size_of::<TraceEvent>()
        + match &e.kind {
            TraceKind::Send { detail, .. } | TraceKind::Timer { detail } => detail.heap(),
            TraceKind::Log(text) | TraceKind::Input { text, .. } => text.capacity(),
            _ => 0,
        }
}

impl Trace {
    /// No events, and no limit.
    pub const EMPTY: Trace = Trace {
        start: 0,
        events: VecDeque::new(),
        bytes: 0,
        limit: None,
    };

    /// An empty trace keeping at most `limit` (every event for `None`).
    pub fn new(limit: Option<TraceLimit>) -> Trace {
        Trace {
            limit,
            ..Trace::default()
        }
    }

    /// An empty trace whose first event will be number `start`.
    pub fn starting_at(start: u64, limit: Option<TraceLimit>) -> Trace {
        Trace {
            start,
            ..Trace::new(limit)
        }
    }

    pub fn limit(&self) -> Option<TraceLimit> {
        self.limit
    }

    /// Keeps at most `limit` from now on (dropping the oldest events now if
    /// there are more).
    pub fn set_limit(&mut self, limit: Option<TraceLimit>) {
        self.limit = limit;
        self.trim();
    }

    /// About how many bytes the kept events take.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn over(&self) -> bool {
        self.limit.is_some_and(|l| {
            self.events.len() > l.events.max(1) || (self.bytes > l.bytes && self.events.len() > 1)
        })
    }

    /// The number of the oldest event kept.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The number the next event will have: how many the run has made.
    pub fn end(&self) -> u64 {
        self.start + self.events.len() as u64
    }

    /// Events kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The kept events, oldest first.
    pub fn events(&self) -> &VecDeque<TraceEvent> {
        &self.events
    }

    /// The kept events, oldest first.
    pub fn iter(&self) -> std::collections::vec_deque::Iter<'_, TraceEvent> {
        self.events.iter()
    }

    pub fn last(&self) -> Option<&TraceEvent> {
        self.events.back()
    }

    /// Event number `seq`, if it is kept.
    pub fn get(&self, seq: u64) -> Option<&TraceEvent> {
        let i = usize::try_from(seq.checked_sub(self.start)?).ok()?;
        self.events.get(i)
    }

    /// The kept events numbered `seq` and after.
    pub fn since(&self, seq: u64) -> impl DoubleEndedIterator<Item = &TraceEvent> {
        let from = (seq.saturating_sub(self.start) as usize).min(self.events.len());
        self.events.range(from..)
    }

    /// Appends an event, numbering it; the oldest one goes if over the limit.
    #[inline]
    pub fn push(&mut self, time: Time, node: Option<usize>, lamport: u64, kind: TraceKind) {
        let seq = self.end();
        let e = TraceEvent {
            seq,
            time,
            node,
            lamport,
            kind,
        };
        if self.limit.is_some() {
            self.bytes += cost(&e);
        }
        self.events.push_back(e);
        self.trim();
    }

    fn trim(&mut self) {
        while self.over() {
            if let Some(e) = self.events.pop_front() {
                self.bytes -= cost(&e);
                self.start += 1;
            }
        }
    }

    fn recount(&mut self) {
        self.bytes = if self.limit.is_some() {
            self.events.iter().map(cost).sum()
        } else {
            0
        };
    }

    /// Forgets the events numbered `end` and after (the start stays if
    /// `end` is before it: the window is then empty and the next event is
    /// number `end`).
    pub fn truncate(&mut self, end: u64) {
        if end < self.start {
            self.events.clear();
            self.start = end;
        } else {
            self.events.truncate((end - self.start) as usize);
        }
        self.recount();
    }

    /// Puts `older`, the events just before the window, in front of it (as
    /// many as the limit leaves room for, newest first).
    pub fn prepend(&mut self, older: Vec<TraceEvent>) {
        for e in older.into_iter().rev() {
            debug_assert_eq!(e.seq + 1, self.start);
            let c = cost(&e);
            if let Some(l) = self.limit
                && (self.events.len() >= l.events || self.bytes + c > l.bytes)
            {
                break;
            }
            if self.limit.is_some() {
                self.bytes += c;
            }
            self.start = e.seq;
            self.events.push_front(e);
        }
    }

    /// Takes every kept event out, leaving the window empty; numbering goes on.
    pub fn drain(&mut self) -> Vec<TraceEvent> {
        self.start = self.end();
        self.bytes = 0;
        self.events.drain(..).collect()
    }
}

impl<'a> IntoIterator for &'a Trace {
    type Item = &'a TraceEvent;
    type IntoIter = std::collections::vec_deque::Iter<'a, TraceEvent>;
    fn into_iter(self) -> Self::IntoIter {
        self.events.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pushed(limit: Option<usize>, n: u64) -> Trace {
        let mut t = Trace::new(limit.map(TraceLimit::events));
        for i in 0..n {
            t.push(Time(i), Some(0), i, TraceKind::Start);
        }
        t
    }

    #[test]
    fn a_limited_trace_keeps_the_newest_events_and_their_numbers() {
        let t = pushed(Some(4), 10);
        assert_eq!((t.start(), t.end(), t.len()), (6, 10, 4));
        let seqs: Vec<u64> = t.events().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [6, 7, 8, 9]);
        assert_eq!(t.get(5), None);
        assert_eq!(t.get(7).map(|e| e.time), Some(Time(7)));
        assert_eq!(t.since(8).count(), 2);
        assert_eq!(t.since(0).count(), 4);
        let all = pushed(None, 10);
        assert_eq!((all.start(), all.len()), (0, 10));
    }

    #[test]
    fn a_byte_limit_keeps_as_many_as_fit() {
        let each = cost(&pushed(None, 1).drain()[0]);
        let mut t = Trace::new(Some(TraceLimit {
            events: 100,
            bytes: 5 * each,
        }));
        for i in 0..10 {
            t.push(Time(i), None, 0, TraceKind::Start);
        }
        assert_eq!((t.start(), t.len(), t.bytes()), (5, 5, 5 * each));
        t.truncate(8);
        assert_eq!(t.bytes(), 3 * each);
        t.prepend(pushed(None, 5).drain());
        assert_eq!((t.start(), t.len()), (3, 5));
    }

    #[test]
    fn truncating_before_the_window_numbers_on_from_there() {
        let mut t = pushed(Some(4), 10);
        t.truncate(8);
        assert_eq!((t.start(), t.end()), (6, 8));
        t.truncate(3);
        assert_eq!((t.start(), t.end(), t.len()), (3, 3, 0));
        t.push(Time(3), None, 0, TraceKind::Start);
        assert_eq!(t.last().map(|e| e.seq), Some(3));
        // What was made again goes back in front, as far as the limit allows.
        let older: Vec<TraceEvent> = pushed(None, 3).drain();
        t.prepend(older);
        assert_eq!((t.start(), t.len()), (0, 4));
        let mut full = pushed(Some(4), 10);
        full.truncate(8);
        full.prepend(pushed(None, 6).drain());
        assert_eq!((full.start(), full.len()), (4, 4));
    }
}

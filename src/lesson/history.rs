//! The trace before its window. A run that keeps only its newest trace
//! events ([`Run::set_trace_window`]) can still show any older one: the
//! events between two checkpoints are made again by replaying from the
//! first of them, and by determinism they are the events the run made.
//!
//! The stretch of the run between two checkpoints is a *segment*. The last
//! segment made again is kept, and so is how many of each segment's events
//! concern each node, so that a filtered log can skip whole segments
//! without making them again.

use super::run::{ReplayError, Run, SLICE};
use crate::sim::{Trace, TraceEvent};
use std::ops::Range;
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
pub(super) struct History(Mutex<Cache>);

#[derive(Default)]
struct Cache {
    /// Events last made again, numbered from `made_from`.
    made_from: u64,
    made: Vec<TraceEvent>,
    /// For stretches of the run made before: how many of their events
    /// concern each node, in order of number and not overlapping.
    counts: Vec<(Range<u64>, Vec<u32>)>,
}

impl History {
    /// Forgets everything: the run's history has changed.
    pub(super) fn clear(&self) {
        *self.lock() = Cache::default();
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic while holding it left a cache, not a broken run.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One page of the log: the events shown, newest first, and the scroll
/// position they come from (lines up from the newest).
#[derive(Debug, Default)]
pub struct LogPage {
    pub lines: Vec<TraceEvent>,
    pub scroll: usize,
    /// Why older events could not be made again, if they could not.
    pub error: Option<String>,
}

impl Run {
    /// The trace events numbered in `range`, oldest first: those the window
    /// keeps, and older ones made again.
    pub fn trace_events(&self, range: Range<u64>) -> Result<Vec<TraceEvent>, String> {
        let trace = self.cluster.trace();
        let end = range.end.min(trace.end());
        let mut out = Vec::with_capacity(end.saturating_sub(range.start) as usize);
        self.for_each_older(range.start..end, |e| out.push(e.clone()))?;
        out.extend(
            trace
                .since(range.start)
                .take_while(|e| e.seq < end)
                .cloned(),
        );
        Ok(out)
    }

    /// Calls `f` on each event numbered in `range` that is older than the
    /// window, oldest first, making them again as needed.
    fn for_each_older(
        &self,
        range: Range<u64>,
        mut f: impl FnMut(&TraceEvent),
    ) -> Result<(), String> {
        let end = range.end.min(self.cluster.trace().start());
        let mut seq = range.start;
        while seq < end {
            seq = self.with_made(seq, |from, made| {
                let stop = (from + made.len() as u64).min(end);
                made[(seq - from) as usize..(stop - from) as usize]
                    .iter()
                    .for_each(&mut f);
                stop
            })?;
        }
        Ok(())
    }

    /// A page of `rows` log lines, `wanted` lines up from the newest, of
    /// every event or only those that concern node `filter` (see
    /// [`TraceEvent::concerns`]). Scrolled past the oldest line, the oldest
    /// page.
    pub fn log_page(&self, filter: Option<usize>, rows: usize, wanted: usize) -> LogPage {
        match self.try_log_page(filter, rows, wanted) {
            Ok(page) => page,
            Err(e) => LogPage {
                error: Some(e),
                ..LogPage::default()
            },
        }
    }

    fn try_log_page(
        &self,
        filter: Option<usize>,
        rows: usize,
        wanted: usize,
    ) -> Result<LogPage, String> {
        let trace = self.cluster.trace();
        let Some(node) = filter else {
            let total = trace.end();
            let scroll = (wanted as u64).min(total.saturating_sub(rows as u64));
            let hi = total - scroll;
            let mut lines = self.trace_events(hi.saturating_sub(rows as u64)..hi)?;
            lines.reverse();
            return Ok(LogPage {
                lines,
                scroll: scroll as usize,
                error: None,
            });
        };
        // The common case: the page is within the window.
        let need = wanted.saturating_add(rows);
        let newest: Vec<&TraceEvent> = trace
            .events()
            .iter()
            .rev()
            .filter(|e| e.concerns(node))
            .take(need)
            .collect();
        if newest.len() >= need || trace.start() == 0 {
            let scroll = wanted.min(newest.len().saturating_sub(rows));
            let lines = newest.iter().skip(scroll).take(rows).map(|e| (*e).clone());
            return Ok(LogPage {
                lines: lines.collect(),
                scroll,
                error: None,
            });
        }
        // Older than the window: the stretches between checkpoints before
        // it, newest first, counted until the page is reached. Ranks count
        // matches from the newest: the window's come first.
        let mut stretches = Vec::new();
        let mut hi = trace.start();
        while hi > 0 {
            let lo = self.segment_start(hi);
            stretches.push(lo..hi);
            hi = lo;
        }
        let mut counts = Vec::new();
        let mut met = newest.len();
        for s in &stretches {
            if met >= need {
                break;
            }
            let n = self.count(s.clone(), node)?;
            counts.push(n);
            met += n;
        }
        // Fewer in the whole run than asked for: the oldest page.
        let scroll = if met >= need {
            wanted
        } else {
            wanted.min(met.saturating_sub(rows))
        };
        let ranks = scroll..scroll + rows;
        let mut lines: Vec<TraceEvent> = newest
            .iter()
            .skip(ranks.start)
            .take(ranks.len())
            .map(|e| (*e).clone())
            .collect();
        let mut base = newest.len();
        for (s, &n) in stretches.iter().zip(&counts) {
            if base >= ranks.end {
                break;
            }
            if base + n > ranks.start {
                let here = self.matching(s.clone(), node)?;
                for (k, e) in here.into_iter().rev().enumerate() {
                    if ranks.contains(&(base + k)) {
                        lines.push(e);
                    }
                }
            }
            base += n;
        }
        Ok(LogPage {
            lines,
            scroll,
            error: None,
        })
    }

    /// The number of the first event of the stretch that ends at `hi`: the
    /// newest checkpoint before it, or the run's start.
    fn segment_start(&self, hi: u64) -> u64 {
        self.checkpoints
            .iter()
            .rev()
            .map(|c| c.trace_len)
            .find(|&l| l < hi)
            .unwrap_or(0)
    }

    /// The end of the stretch that starts at `lo`: the next checkpoint after
    /// it, at most `limit`.
    fn segment_end(&self, lo: u64, limit: u64) -> u64 {
        self.checkpoints
            .iter()
            .map(|c| c.trace_len)
            .find(|&l| l > lo)
            .unwrap_or(limit)
            .min(limit)
    }

    /// How many events in `range` (a stretch before the window) concern `node`.
    fn count(&self, range: Range<u64>, node: usize) -> Result<usize, String> {
        {
            let cache = self.history.lock();
            let pieces: Vec<&(Range<u64>, Vec<u32>)> = cache
                .counts
                .iter()
                .filter(|(r, _)| r.start >= range.start && r.end <= range.end)
                .collect();
            let covered: u64 = pieces.iter().map(|(r, _)| r.end - r.start).sum();
            if covered == range.end - range.start {
                return Ok(pieces.iter().map(|(_, c)| c[node] as usize).sum());
            }
        }
        let mut n = 0;
        self.for_each_older(range, |e| n += usize::from(e.concerns(node)))?;
        Ok(n)
    }

    /// The events in `range` (before the window) that concern `node`.
    fn matching(&self, range: Range<u64>, node: usize) -> Result<Vec<TraceEvent>, String> {
        let mut out = Vec::new();
        self.for_each_older(range, |e| {
            if e.concerns(node) {
                out.push(e.clone());
            }
        })?;
        Ok(out)
    }

    /// Calls `f` with the events made again around event `seq` (before the
    /// window), which hold it, and the first one's number; makes them if
    /// the ones kept do not hold it.
    fn with_made<R>(&self, seq: u64, f: impl FnOnce(u64, &[TraceEvent]) -> R) -> Result<R, String> {
        {
            let cache = self.history.lock();
            let end = cache.made_from + cache.made.len() as u64;
            if cache.made_from <= seq && seq < end {
                return Ok(f(cache.made_from, &cache.made));
            }
        }
        // The whole stretch up to the next checkpoint (or to now, after the
        // last one): while the window moves on, what it leaves behind is
        // already made.
        let lo = self.segment_start(seq + 1);
        let hi = self.segment_end(lo, self.cluster.trace().end());
        let made = self.make_again(lo, hi)?;
        let mut cache = self.history.lock();
        let nodes = self.cluster.names().len();
        if !cache.counts.iter().any(|(r, _)| r.start < hi && lo < r.end) {
            let mut counts = vec![0u32; nodes];
            for e in &made {
                for (n, c) in counts.iter_mut().enumerate() {
                    *c += u32::from(e.concerns(n));
                }
            }
            let at = cache.counts.partition_point(|(r, _)| r.start < lo);
            cache.counts.insert(at, (lo..hi, counts));
        }
        cache.made_from = lo;
        cache.made = made;
        Ok(f(lo, &cache.made))
    }

    /// Makes the events numbered `lo..hi` again: replays from the checkpoint
    /// whose trace ended at `lo` (or from the start), applying the learner's
    /// inputs as they were made.
    fn make_again(&self, lo: u64, hi: u64) -> Result<Vec<TraceEvent>, String> {
        let from = self.checkpoints.iter().rev().find(|c| c.trace_len == lo);
        let (cluster, applied) = match from {
            Some(cp) => (cp.cluster.checkpoint(), cp.inputs),
            None if lo == 0 => (Run::build(&self.lesson, self.seed, &self.knobs, true)?, 0),
            None => return Err(format!("no checkpoint at event {lo}")),
        };
        let mut again = self.replica(cluster);
        again.cluster.put_trace(Trace::starting_at(lo, None));
        let until = self.now();
        let mut enough = |r: &mut Run| {
            if r.cluster.trace().end() >= hi {
                Err(String::new())
            } else {
                Ok(())
            }
        };
        match again.replay_inputs(applied, SLICE, &mut enough) {
            Ok(()) | Err(ReplayError::Stopped(_)) => {}
            Err(e) => return Err(format!("cannot make older events again: {e}")),
        }
        while again.cluster.trace().end() < hi && again.now() < until {
            let next = (again.now() + SLICE).min(until);
            again.cluster.run_until(next);
        }
        let mut trace = again.cluster.take_trace();
        trace.truncate(hi);
        Ok(trace.drain())
    }

    /// After going back: the trace's window as a straight run would hold it
    /// here, its room filled with the events before it.
    pub(super) fn fill_window(&mut self) -> Result<(), String> {
        self.history.clear();
        let Some(limit) = self.trace_window else {
            return Ok(());
        };
        let trace = self.cluster.trace();
        // What the event count leaves room for; the bytes may allow fewer.
        let room = limit.events.saturating_sub(trace.len()) as u64;
        let start = trace.start();
        if room == 0 || start == 0 {
            return Ok(());
        }
        let older = self.trace_events(start.saturating_sub(room)..start)?;
        let mut trace = self.cluster.take_trace();
        trace.prepend(older);
        self.cluster.put_trace(trace);
        Ok(())
    }
}

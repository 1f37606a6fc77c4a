//! A circuit breaker as a pure state machine, following resilience4j's
//! rules (`CircuitBreakerStateMachine`, `CircuitBreakerMetrics`), with
//! Hystrix's bucketed health counts as one more kind of window.
//!
//! The breaker sits in front of one dependency and decides, call by call,
//! whether the call may go out at all:
//!
//! - **CLOSED**: every call goes out. Each finished call is written into a
//!   sliding window as failed or not and slow or not (slow: it lasted longer
//!   than the slow-call duration, strictly). Once the window holds at least
//!   the minimum number of calls (capped at its size for a count window), a
//!   failure rate or slow-call rate at or above its threshold trips the
//!   breaker. The window is the last N calls, the calls of the last N whole
//!   seconds (resilience4j's time window: N one-second buckets), or Hystrix's
//!   health counts: buckets of 500 ms over the last N seconds, judged at
//!   each bucket's end from the completed buckets only, on the failure rate
//!   alone (Hystrix has no slow calls) with the minimum as its request
//!   volume threshold.
//! - **OPEN**: no call goes out; each is refused at once, which is the point:
//!   the caller stops spending threads and time on a dependency that is not
//!   answering. After the wait it moves to HALF_OPEN: by itself at the end
//!   of the wait (automatic transition, the caller arms a timer and calls
//!   [`Breaker::poll`]), or else with the first call after the wait, which
//!   is admitted as a trial (resilience4j's default, and Hystrix's).
//! - **HALF_OPEN**: the permitted number of trial calls go out; the rest are
//!   refused (a finished call does not free its permit). Once as many results
//!   as the smaller of the minimum number of calls and the permitted trials
//!   are in, their failure (or slow) rate decides: at or above the threshold
//!   back to OPEN, otherwise CLOSED with an empty window. With a longest wait
//!   in HALF_OPEN, a breaker still undecided after it opens again.
//!
//! A call admitted in one state may end in another. resilience4j records its
//! result wherever the breaker is when it ends, so a call admitted while
//! CLOSED can decide a HALF_OPEN verdict ([`LateResults::Record`], the
//! default); [`LateResults::Ignore`] counts a result only in the state its
//! call was admitted in (each admission returns a [`Permit`] stamped with the
//! breaker's generation), which keeps a HALF_OPEN verdict about its own
//! trials.
//!
//! The breaker never reads a clock: every method takes the current time.

use crate::sim::Time;
use std::collections::VecDeque;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

/// The value of the `breaker.*.state` gauges while there is no breaker.
pub const OFF_GAUGE: f64 = -1.0;

impl State {
    /// The value of the `breaker.*.state` gauges.
    pub fn gauge(self) -> f64 {
        match self {
            State::Closed => 0.0,
            State::Open => 1.0,
            State::HalfOpen => 2.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Open => "OPEN",
            State::HalfOpen => "HALF_OPEN",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How long a bucket of Hystrix's health counts lasts: its
/// `metrics.healthSnapshot.intervalInMilliseconds`, 500 by default.
pub const HEALTH_BUCKET: Time = Time::millis(500);

/// What the sliding window remembers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// The last `n` calls.
    Count(usize),
    /// The calls of the last this many whole seconds of the clock: one
    /// bucket per second, the current one included (resilience4j's
    /// TIME_BASED window).
    Time(Time),
    /// Hystrix's health counts: the last this long in buckets of
    /// [`HEALTH_BUCKET`], judged at each bucket's end from the completed
    /// buckets, on the failure rate alone.
    Health(Time),
}

/// What happens to the result of a call admitted in an earlier state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LateResults {
    /// Counted where the breaker is when the call ends (resilience4j).
    Record,
    /// Counted only in the state the call was admitted in.
    Ignore,
}

/// How a call ended, as far as the breaker cares. A timeout is a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Trip when at least this percentage of the window failed (1..=100).
    pub failure_rate: u32,
    /// Trip when at least this percentage of the window was slow (1..=100).
    pub slow_rate: u32,
    /// A call lasting longer than this is slow.
    pub slow_call: Time,
    pub window: WindowKind,
    /// No verdict while the window holds fewer calls than this (Hystrix's
    /// request volume threshold). For a count window it is capped at the
    /// window's size, as resilience4j does.
    pub min_calls: usize,
    /// Trial calls let through in HALF_OPEN.
    pub half_open_calls: usize,
    /// Time spent OPEN before trying again.
    pub wait: Time,
    /// OPEN moves to HALF_OPEN at the end of the wait by itself; otherwise
    /// the first call after the wait moves it, as that call's trial.
    pub auto_half_open: bool,
    /// A HALF_OPEN breaker with no verdict after this long opens again.
    pub max_half_open: Option<Time>,
    pub late: LateResults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            failure_rate: 50,
            slow_rate: 80,
            slow_call: Time::millis(500),
            window: WindowKind::Count(20),
            min_calls: 10,
            half_open_calls: 3,
            wait: Time::secs(5),
            auto_half_open: true,
            max_half_open: None,
            late: LateResults::Record,
        }
    }
}

/// Leave to make one call, from [`Breaker::try_acquire`]; hand it back with the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permit {
    generation: u64,
}

/// A change of state, for the caller to log and count.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub at: Time,
    pub from: State,
    pub to: State,
    /// Why, in a few words, e.g. `failure rate 60% over 20 calls`.
    pub reason: String,
}

#[derive(Clone, Copy, Debug)]
struct Call {
    at: Time,
    failed: bool,
    slow: bool,
}

/// The last calls, for a count or a time window.
#[derive(Clone, Debug, Default)]
struct Window {
    calls: VecDeque<Call>,
}

impl Window {
    fn forget(&mut self, kind: WindowKind, now: Time) {
        match kind {
            WindowKind::Count(n) => {
                while self.calls.len() > n.max(1) {
                    self.calls.pop_front();
                }
            }
            WindowKind::Time(span) => {
                let seconds = (span.0 / 1_000_000).max(1);
                let second = |t: Time| t.0 / 1_000_000;
                while self
                    .calls
                    .front()
                    .is_some_and(|c| second(c.at) + seconds <= second(now))
                {
                    self.calls.pop_front();
                }
            }
            WindowKind::Health(_) => self.calls.clear(),
        }
    }

    /// (calls, failed, slow) in the window.
    fn tally(&self) -> (usize, usize, usize) {
        let failed = self.calls.iter().filter(|c| c.failed).count();
        let slow = self.calls.iter().filter(|c| c.slow).count();
        (self.calls.len(), failed, slow)
    }
}

/// Hystrix's health counts: buckets of [`HEALTH_BUCKET`] counted from
/// `origin` (when the breaker started or last closed), judged at each
/// bucket's end.
#[derive(Clone, Debug, Default)]
struct Health {
    origin: Time,
    /// Buckets that saw calls, oldest first: (index, calls, failures).
    buckets: VecDeque<(u64, usize, usize)>,
    /// The end of bucket `judged - 1` has been judged.
    judged: u64,
}

impl Health {
    fn starting(origin: Time) -> Health {
        Health {
            origin,
            buckets: VecDeque::new(),
            judged: 0,
        }
    }

    fn bucket(&self, t: Time) -> u64 {
        t.saturating_sub(self.origin).0 / HEALTH_BUCKET.0
    }

    fn record(&mut self, now: Time, failed: bool) {
        let index = self.bucket(now);
        match self.buckets.back_mut() {
            Some(b) if b.0 == index => {
                b.1 += 1;
                b.2 += usize::from(failed);
            }
            _ => self.buckets.push_back((index, 1, usize::from(failed))),
        }
    }

    /// When the next bucket ends.
    fn next_end(&self) -> Time {
        self.origin + Time(HEALTH_BUCKET.0 * (self.judged + 1))
    }
}

/// The trial calls of one HALF_OPEN episode.
#[derive(Clone, Copy, Debug, Default)]
struct Trial {
    permitted: usize,
    admitted: usize,
    done: usize,
    failed: usize,
    slow: usize,
}

#[derive(Clone, Debug)]
pub struct Breaker {
    config: Config,
    state: State,
    /// Bumped on every transition; permits from another generation are late.
    generation: u64,
    window: Window,
    health: Health,
    open_until: Time,
    half_open_since: Time,
    trial: Trial,
    transitions: Vec<Transition>,
}

impl Breaker {
    /// A CLOSED breaker with an empty window, started at time zero.
    pub fn new(config: Config) -> Breaker {
        Breaker::starting(config, Time::ZERO)
    }

    /// A CLOSED breaker with an empty window, started at `now` (Hystrix's
    /// health buckets are counted from there).
    pub fn starting(config: Config, now: Time) -> Breaker {
        Breaker {
            config,
            state: State::Closed,
            generation: 0,
            window: Window::default(),
            health: Health::starting(now),
            open_until: Time::ZERO,
            half_open_since: Time::ZERO,
            trial: Trial::default(),
            transitions: Vec::new(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Counts transitions; two permits from the same HALF_OPEN episode share it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When an OPEN breaker's wait is over.
    pub fn open_until(&self) -> Option<Time> {
        (self.state == State::Open).then_some(self.open_until)
    }

    /// Trial calls allowed in the current HALF_OPEN episode.
    pub fn permitted(&self) -> usize {
        self.trial.permitted
    }

    /// Trial calls admitted so far in the current HALF_OPEN episode.
    pub fn admitted(&self) -> usize {
        self.trial.admitted
    }

    /// Calls in the sliding window (CLOSED only).
    pub fn window_len(&self) -> usize {
        match self.config.window {
            WindowKind::Health(_) => self.health.buckets.iter().map(|b| b.1).sum(),
            _ => self.window.calls.len(),
        }
    }

    /// When the breaker next needs [`Breaker::poll`] to move on its own: the
    /// end of an OPEN wait (automatic transition), of the longest wait in
    /// HALF_OPEN, or of a health bucket that holds calls.
    pub fn next_poll(&self) -> Option<Time> {
        match self.state {
            State::Open if self.config.auto_half_open => Some(self.open_until),
            State::HalfOpen => self.config.max_half_open.map(|m| self.half_open_since + m),
            State::Closed
                if matches!(self.config.window, WindowKind::Health(_))
                    && !self.health.buckets.is_empty() =>
            {
                Some(self.health.next_end())
            }
            _ => None,
        }
    }

    /// Changes the settings. A different window kind starts an empty window;
    /// a smaller one forgets its oldest calls. The current HALF_OPEN episode
    /// keeps the number of trial calls it started with.
    pub fn set_config(&mut self, now: Time, config: Config) {
        let same_kind = matches!(
            (self.config.window, config.window),
            (WindowKind::Count(_), WindowKind::Count(_))
                | (WindowKind::Time(_), WindowKind::Time(_))
                | (WindowKind::Health(_), WindowKind::Health(_))
        );
        if !same_kind {
            self.window = Window::default();
            self.health = Health::starting(now);
        }
        if self.state == State::Open {
            let opened = self.open_until.saturating_sub(self.config.wait);
            self.open_until = opened + config.wait;
        }
        self.config = config;
        self.window.forget(self.config.window, now);
    }

    /// Asks to make a call now. `None` means refused: do not call.
    pub fn try_acquire(&mut self, now: Time) -> Option<Permit> {
        self.poll(now);
        if self.state == State::Open && !self.config.auto_half_open && now > self.open_until {
            let wait = self.config.wait;
            self.enter(now, State::HalfOpen, format!("a call after waiting {wait}"));
        }
        let permit = Permit {
            generation: self.generation,
        };
        match self.state {
            State::Closed => Some(permit),
            State::Open => None,
            State::HalfOpen if self.trial.admitted < self.trial.permitted => {
                self.trial.admitted += 1;
                Some(permit)
            }
            State::HalfOpen => None,
        }
    }

    /// Makes the moves that are due by `now`: the health buckets that have
    /// ended are judged, an OPEN breaker whose wait is over moves to
    /// HALF_OPEN (with the automatic transition), a HALF_OPEN one that has
    /// waited its longest opens again.
    pub fn poll(&mut self, now: Time) {
        self.judge_health(now);
        match self.state {
            State::Open if self.config.auto_half_open && now >= self.open_until => {
                let wait = self.config.wait;
                self.enter(now, State::HalfOpen, format!("waited {wait}"));
            }
            State::HalfOpen => {
                if let Some(longest) = self.config.max_half_open
                    && now >= self.half_open_since + longest
                {
                    let at = self.half_open_since + longest;
                    self.enter(at, State::Open, format!("no verdict after {longest} half open"));
                }
            }
            _ => {}
        }
    }

    /// The result of a call admitted with `permit`, which took `duration`.
    pub fn on_result(&mut self, now: Time, permit: Permit, outcome: Outcome, duration: Time) {
        self.poll(now);
        if self.config.late == LateResults::Ignore && permit.generation != self.generation {
            return;
        }
        let failed = outcome == Outcome::Failure;
        let slow = duration > self.config.slow_call;
        match self.state {
            State::Closed => match self.config.window {
                WindowKind::Health(_) => self.health.record(now, failed),
                kind => {
                    self.window.calls.push_back(Call {
                        at: now,
                        failed,
                        slow,
                    });
                    self.window.forget(kind, now);
                    let min = match kind {
                        WindowKind::Count(n) => self.config.min_calls.min(n),
                        _ => self.config.min_calls,
                    }
                    .max(1);
                    let (calls, failed, slow) = self.window.tally();
                    if calls >= min
                        && let Some(reason) = self.verdict(calls, failed, slow, "calls")
                    {
                        self.enter(now, State::Open, reason);
                    }
                }
            },
            State::HalfOpen => {
                let t = &mut self.trial;
                t.done += 1;
                t.failed += usize::from(failed);
                t.slow += usize::from(slow);
                let needed = self.config.min_calls.min(t.permitted).max(1);
                if t.done >= needed {
                    let (calls, failed, slow) = (t.done, t.failed, t.slow);
                    match self.verdict(calls, failed, slow, "trial calls") {
                        Some(reason) => self.enter(now, State::Open, reason),
                        None => {
                            let reason = format!("{failed} of {calls} trial calls failed");
                            self.enter(now, State::Closed, reason);
                        }
                    }
                }
            }
            State::Open => {}
        }
    }

    /// Transitions since the last call, oldest first.
    pub fn take_transitions(&mut self) -> Vec<Transition> {
        std::mem::take(&mut self.transitions)
    }

    /// Judges every health bucket that has ended by `now`, as Hystrix does
    /// at each one's end: the completed buckets of the window, a request
    /// volume of at least the minimum, an error percentage (truncated) at or
    /// above the threshold.
    fn judge_health(&mut self, now: Time) {
        let WindowKind::Health(span) = self.config.window else {
            return;
        };
        if self.state != State::Closed {
            return;
        }
        let buckets = (span.0 / HEALTH_BUCKET.0).max(1);
        let last = self.health.bucket(now);
        while self.health.judged < last {
            let end = self.health.judged + 1;
            self.health.judged = end;
            while self
                .health
                .buckets
                .front()
                .is_some_and(|b| b.0 + buckets < end)
            {
                self.health.buckets.pop_front();
            }
            if self.health.buckets.is_empty() {
                // Nothing left to judge until the next call.
                self.health.judged = last;
                return;
            }
            let (calls, failures) = self
                .health
                .buckets
                .iter()
                .filter(|b| b.0 < end)
                .fold((0, 0), |(c, f), b| (c + b.1, f + b.2));
            if calls < self.config.min_calls.max(1) {
                continue;
            }
            let percent = (failures as f64 / calls as f64 * 100.0) as u32;
            if percent >= self.config.failure_rate {
                let at = self.health.origin + Time(HEALTH_BUCKET.0 * end);
                let reason = format!("error rate {percent}% over {calls} requests");
                self.enter(at, State::Open, reason);
                return;
            }
        }
    }

    /// Why to open, if the rates say so (slow calls do not count for a
    /// Hystrix breaker).
    fn verdict(&self, calls: usize, failed: usize, slow: usize, what: &str) -> Option<String> {
        let pct = |n: usize| n * 100 / calls.max(1);
        let slow_counts = !matches!(self.config.window, WindowKind::Health(_));
        if failed * 100 >= self.config.failure_rate as usize * calls {
            Some(format!("failure rate {}% over {calls} {what}", pct(failed)))
        } else if slow_counts && slow * 100 >= self.config.slow_rate as usize * calls {
            Some(format!("slow-call rate {}% over {calls} {what}", pct(slow)))
        } else {
            None
        }
    }

    fn enter(&mut self, now: Time, to: State, reason: String) {
        let from = self.state;
        self.state = to;
        self.generation += 1;
        self.window = Window::default();
        self.trial = Trial::default();
        match to {
            State::Open => self.open_until = now + self.config.wait,
            State::HalfOpen => {
                self.trial.permitted = self.config.half_open_calls.max(1);
                self.half_open_since = now;
            }
            State::Closed => self.health = Health::starting(now),
        }
        self.transitions.push(Transition {
            at: now,
            from,
            to,
            reason,
        });
    }
}

#[cfg(test)]
mod tests;

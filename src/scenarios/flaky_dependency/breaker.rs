//! A circuit breaker as a pure state machine, following resilience4j's rules.
//!
//! The breaker sits in front of one dependency and decides, call by call,
//! whether the call may go out at all:
//!
//! - **CLOSED**: every call goes out. Each finished call is written into a
//!   sliding window (the last N calls, or the calls of the last N seconds) as
//!   failed or not and slow or not. Once the window holds at least the minimum
//!   number of calls, a failure rate or slow-call rate at or above its
//!   threshold trips the breaker.
//! - **OPEN**: no call goes out; each is refused at once, which is the point:
//!   the caller stops spending threads and time on a dependency that is not
//!   answering. After the wait duration the breaker moves to HALF_OPEN by
//!   itself (the caller arms a timer; [`Breaker::poll`] makes the move, and
//!   [`Breaker::try_acquire`] makes it too if the timer is late).
//! - **HALF_OPEN**: exactly the permitted number of trial calls go out; the
//!   rest are refused. When every trial call has finished, their failure (or
//!   slow) rate decides: at or above the threshold back to OPEN, otherwise
//!   CLOSED with an empty window.
//!
//! A call's result only counts in the state it was admitted in: each admission
//! returns a [`Permit`] stamped with the breaker's generation, and results
//! carrying an older stamp (a call admitted while CLOSED that ends after the
//! breaker opened) are ignored. That keeps a HALF_OPEN verdict about its own
//! trial calls only.
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

/// What the sliding window remembers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowKind {
    /// The last `n` calls.
    Count(usize),
    /// The calls that finished within this span before now.
    Time(Time),
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
    /// A call lasting this long or longer is slow.
    pub slow_call: Time,
    pub window: WindowKind,
    /// No verdict while the window holds fewer calls than this. For a
    /// count-based window it is capped at the window size, as resilience4j does.
    pub min_calls: usize,
    /// Trial calls let through in HALF_OPEN.
    pub half_open_calls: usize,
    /// Time spent OPEN before trying again.
    pub wait: Time,
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
                while self.calls.front().is_some_and(|c| c.at + span <= now) {
                    self.calls.pop_front();
                }
            }
        }
    }

    /// (calls, failed, slow) in the window.
    fn tally(&self) -> (usize, usize, usize) {
        let failed = self.calls.iter().filter(|c| c.failed).count();
        let slow = self.calls.iter().filter(|c| c.slow).count();
        (self.calls.len(), failed, slow)
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
    /// Bumped on every transition; permits from another generation are stale.
    generation: u64,
    window: Window,
    open_until: Time,
    trial: Trial,
    transitions: Vec<Transition>,
}

impl Breaker {
    /// A CLOSED breaker with an empty window.
    pub fn new(config: Config) -> Breaker {
        Breaker {
            config,
            state: State::Closed,
            generation: 0,
            window: Window::default(),
            open_until: Time::ZERO,
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

    /// When an OPEN breaker will move to HALF_OPEN.
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
        self.window.calls.len()
    }

    /// Changes the settings. A different window kind starts an empty window;
    /// a smaller one forgets its oldest calls. The current HALF_OPEN episode
    /// keeps the number of trial calls it started with.
    pub fn set_config(&mut self, now: Time, config: Config) {
        let same_kind = matches!(
            (self.config.window, config.window),
            (WindowKind::Count(_), WindowKind::Count(_))
                | (WindowKind::Time(_), WindowKind::Time(_))
        );
        if !same_kind {
            self.window = Window::default();
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

    /// Moves an OPEN breaker whose wait is over to HALF_OPEN.
    pub fn poll(&mut self, now: Time) {
        if self.state == State::Open && now >= self.open_until {
            let wait = self.config.wait;
            self.enter(now, State::HalfOpen, format!("waited {wait}"));
        }
    }

    /// The result of a call admitted with `permit`, which took `duration`.
    pub fn on_result(&mut self, now: Time, permit: Permit, outcome: Outcome, duration: Time) {
        if permit.generation != self.generation {
            return;
        }
        let failed = outcome == Outcome::Failure;
        let slow = duration >= self.config.slow_call;
        match self.state {
            State::Closed => {
                self.window.calls.push_back(Call {
                    at: now,
                    failed,
                    slow,
                });
                self.window.forget(self.config.window, now);
                let min = match self.config.window {
                    WindowKind::Count(n) => self.config.min_calls.min(n),
                    WindowKind::Time(_) => self.config.min_calls,
                }
                .max(1);
                let (calls, failed, slow) = self.window.tally();
                if calls >= min
                    && let Some(reason) = self.verdict(calls, failed, slow, "calls")
                {
                    self.enter(now, State::Open, reason);
                }
            }
            State::HalfOpen => {
                let t = &mut self.trial;
                t.done += 1;
                t.failed += usize::from(failed);
                t.slow += usize::from(slow);
                if t.done >= t.permitted {
                    let (calls, failed, slow) = (t.done, t.failed, t.slow);
                    match self.verdict(calls, failed, slow, "trial calls") {
                        Some(reason) => self.enter(now, State::Open, reason),
                        None => {
                            let reason = format!("{} of {calls} trial calls failed", failed);
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

    /// Why to open, if the rates say so.
    fn verdict(&self, calls: usize, failed: usize, slow: usize, what: &str) -> Option<String> {
        let pct = |n: usize| n * 100 / calls.max(1);
        if failed * 100 >= self.config.failure_rate as usize * calls {
            Some(format!("failure rate {}% over {calls} {what}", pct(failed)))
        } else if slow * 100 >= self.config.slow_rate as usize * calls {
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
            State::HalfOpen => self.trial.permitted = self.config.half_open_calls.max(1),
            State::Closed => {}
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
mod tests {
    use super::*;

    const MS: fn(u64) -> Time = Time::millis;

    fn breaker() -> Breaker {
        Breaker::new(Config::default())
    }

    /// Admits and completes one call at `now`.
    fn call(b: &mut Breaker, now: Time, outcome: Outcome, took: Time) -> bool {
        match b.try_acquire(now) {
            Some(p) => {
                b.on_result(now, p, outcome, took);
                true
            }
            None => false,
        }
    }

    fn open(b: &mut Breaker, now: Time) {
        for _ in 0..10 {
            call(b, now, Outcome::Failure, MS(1));
        }
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn needs_the_minimum_number_of_calls_before_tripping() {
        let mut b = breaker();
        for _ in 0..9 {
            assert!(call(&mut b, MS(0), Outcome::Failure, MS(1)));
        }
        assert_eq!(
            b.state(),
            State::Closed,
            "9 failures with min 10 tripped it"
        );
        assert!(call(&mut b, MS(0), Outcome::Failure, MS(1)));
        assert_eq!(b.state(), State::Open);
        let t = b.take_transitions();
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].from, t[0].to), (State::Closed, State::Open));
        assert_eq!(t[0].reason, "failure rate 100% over 10 calls");
    }

    #[test]
    fn trips_at_the_threshold_and_not_below() {
        let mut b = breaker();
        // 11 successes then 9 failures: 45% of 20 stays closed
        for i in 0..20 {
            let o = if i < 11 {
                Outcome::Success
            } else {
                Outcome::Failure
            };
            call(&mut b, MS(i), o, MS(1));
        }
        assert_eq!(b.state(), State::Closed);
        // one more failure pushes out a success: 10 of 20 = 50%
        call(&mut b, MS(21), Outcome::Failure, MS(1));
        assert_eq!(b.state(), State::Open);
    }

    #[test]
    fn open_refuses_until_the_wait_is_over_then_half_opens() {
        let mut b = breaker();
        open(&mut b, MS(0));
        assert!(b.try_acquire(MS(1)).is_none());
        assert!(b.try_acquire(MS(4_999)).is_none());
        assert_eq!(b.open_until(), Some(MS(5_000)));
        b.poll(MS(5_000));
        assert_eq!(b.state(), State::HalfOpen);
    }

    #[test]
    fn half_open_permits_exactly_the_trial_calls() {
        let mut b = breaker();
        open(&mut b, MS(0));
        let permits: Vec<Permit> = (0..10).filter_map(|_| b.try_acquire(MS(5_000))).collect();
        assert_eq!(permits.len(), 3);
        assert_eq!(b.state(), State::HalfOpen);
    }

    #[test]
    fn successful_trials_close_it_with_a_fresh_window() {
        let mut b = breaker();
        open(&mut b, MS(0));
        let permits: Vec<Permit> = (0..3).filter_map(|_| b.try_acquire(MS(5_000))).collect();
        for (i, p) in permits.into_iter().enumerate() {
            assert_eq!(
                b.state(),
                State::HalfOpen,
                "decided before all trials ended"
            );
            b.on_result(MS(5_010 + i as u64), p, Outcome::Success, MS(10));
        }
        assert_eq!(b.state(), State::Closed);
        assert_eq!(b.window_len(), 0);
        // fresh: 9 failures do not trip it again
        for _ in 0..9 {
            call(&mut b, MS(6_000), Outcome::Failure, MS(1));
        }
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn failed_trials_open_it_again() {
        let mut b = breaker();
        open(&mut b, MS(0));
        let permits: Vec<Permit> = (0..3).filter_map(|_| b.try_acquire(MS(5_000))).collect();
        b.on_result(MS(5_010), permits[0], Outcome::Success, MS(10));
        b.on_result(MS(5_010), permits[1], Outcome::Failure, MS(10));
        b.on_result(MS(5_010), permits[2], Outcome::Failure, MS(10));
        assert_eq!(b.state(), State::Open);
        assert_eq!(b.open_until(), Some(MS(10_010)));
    }

    #[test]
    fn slow_calls_trip_it_even_when_they_succeed() {
        let mut b = breaker();
        for _ in 0..8 {
            call(&mut b, MS(0), Outcome::Success, MS(600));
        }
        for _ in 0..2 {
            call(&mut b, MS(0), Outcome::Success, MS(10));
        }
        assert_eq!(b.state(), State::Open);
        let t = b.take_transitions();
        assert_eq!(t[0].reason, "slow-call rate 80% over 10 calls");
    }

    #[test]
    fn a_time_window_forgets_old_calls() {
        let mut b = Breaker::new(Config {
            window: WindowKind::Time(Time::secs(10)),
            ..Config::default()
        });
        for i in 0..9 {
            call(&mut b, MS(i), Outcome::Failure, MS(1));
        }
        // the nine failures are more than 10 s old by now
        for i in 0..9 {
            call(&mut b, Time::secs(20) + MS(i), Outcome::Success, MS(1));
        }
        call(&mut b, Time::secs(20) + MS(20), Outcome::Failure, MS(1));
        assert_eq!(b.state(), State::Closed);
        assert_eq!(b.window_len(), 10);
    }

    #[test]
    fn results_from_before_a_transition_are_ignored() {
        let mut b = breaker();
        let early = b.try_acquire(MS(0)).unwrap();
        open(&mut b, MS(0));
        b.poll(MS(5_000));
        let trials: Vec<Permit> = (0..3).filter_map(|_| b.try_acquire(MS(5_000))).collect();
        // the stale call ends: it must not count as a trial
        b.on_result(MS(5_001), early, Outcome::Success, MS(5_001));
        assert_eq!(b.state(), State::HalfOpen);
        for p in trials {
            b.on_result(MS(5_020), p, Outcome::Success, MS(20));
        }
        assert_eq!(b.state(), State::Closed);
    }

    #[test]
    fn a_late_timer_is_caught_up_by_try_acquire() {
        let mut b = breaker();
        open(&mut b, MS(0));
        assert!(b.try_acquire(MS(7_000)).is_some());
        assert_eq!(b.state(), State::HalfOpen);
    }
}

//! The scenario's knobs: their specs (the public interface lessons and the
//! command line use) and [`Settings`], the typed values every node keeps a
//! copy of and updates when a knob changes mid-run.

use super::breaker::{self, LateResults, WindowKind};
use crate::scenarios::knob::{choice, duration, duration_or_off, int, switch};
use crate::sim::Time;
use crate::{choices, knobs};

choices! {
    /// What the breaker's window holds.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum WindowType {
        /// The last N calls.
        Count = "count",
        /// The calls of the last N seconds, one bucket per second.
        Time = "time",
        /// Hystrix's health counts: the last N seconds in 500 ms buckets.
        Hystrix = "hystrix",
    }
}

choices! {
    /// What the breaker does with the result of a call admitted in an earlier state.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum LateResultsChoice {
        /// Counted where the breaker is now (resilience4j).
        Record = "record",
        /// Counted only in the state the call was admitted in.
        Ignore = "ignore",
    }
}

const MS: fn(u64) -> Time = Time::millis;
const S: fn(u64) -> Time = Time::secs;

knobs! {
    /// The knobs' current values, typed.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Settings {
        pub timeout: Option<Time> = duration_or_off(
            None,
            MS(10)..=S(30),
            "How long the front end waits for one call to a dependency before giving up on it (off: forever).",
        ),
        pub retries: u32 = int(
            0,
            0..=5,
            "Extra attempts after a failed or timed-out call, made at once on the same thread.",
        ),
        pub breaker: bool = switch(
            false,
            "A circuit breaker per dependency: after too many failures, stop calling it for a while.",
        ),
        pub bulkhead: bool = switch(
            false,
            "A separate thread pool per dependency instead of one shared pool.",
        ),
        pub fallback: bool = switch(
            false,
            "Answer a failed request with degraded (default) data instead of an error.",
        ),
        pub breaker_failure_rate: u32 = int(
            50,
            1..=100,
            "Percentage of failed calls in the window that opens the breaker.",
        ),
        pub breaker_slow_rate: u32 = int(
            80,
            1..=100,
            "Percentage of slow calls in the window that opens the breaker.",
        ),
        pub breaker_slow_call: Time = duration(
            MS(500),
            MS(1)..=S(60),
            "A call lasting longer than this counts as slow.",
        ),
        pub breaker_window_type: WindowType = choice(
            WindowType::Count,
            "Whether the breaker's window holds the last N calls (count), the calls of the last N seconds (time), or Hystrix's health counts over the last N seconds in 500 ms buckets, judged every 500 ms on the failure rate alone (hystrix).",
        ),
        pub breaker_window: usize = int(
            20,
            1..=1000,
            "Size of the breaker's window: calls (count) or seconds (time, hystrix).",
        ),
        pub breaker_min_calls: usize = int(
            10,
            1..=1000,
            "Calls the window must hold before the breaker judges the rates (hystrix: its request volume threshold).",
        ),
        pub breaker_half_open_calls: usize = int(
            3,
            1..=100,
            "Trial calls let through when the breaker is half open.",
        ),
        pub breaker_wait: Time = duration(
            S(5),
            MS(100)..=S(600),
            "Time the breaker stays open before letting trial calls through.",
        ),
        pub breaker_auto_half_open: bool = switch(
            true,
            "Whether the open breaker moves to half open by itself when its wait is over (on), or only when the first call after the wait arrives, which becomes a trial (off: resilience4j's default, and Hystrix's).",
        ),
        pub breaker_max_half_open: Option<Time> = duration_or_off(
            None,
            MS(10)..=S(600),
            "How long the half-open breaker waits for its trial calls' verdict before it opens again (off: forever).",
        ),
        pub breaker_late_results: LateResultsChoice = choice(
            LateResultsChoice::Record,
            "What a call admitted before the breaker changed state counts for when it ends: record counts it where the breaker is now (resilience4j), ignore counts it nowhere.",
        ),
        pub pool_core: usize = int(
            10,
            1..=500,
            "Shared pool: threads started before tasks are queued.",
        ),
        // 20 rather than 10: with a 250 ms timeout alone, B's calls keep the
        // ten core threads busy and A waits in this queue (the pool only grows
        // once it is full), so A's p99 clearly misses 200 ms: a timeout by
        // itself is not the cure.
        pub pool_queue: usize = int(
            20,
            0..=1000,
            "Shared pool: tasks that may wait for a thread (the pool grows past core only once this is full).",
        ),
        pub pool_max: usize = int(
            20,
            1..=500,
            "Shared pool: threads it may grow to once the queue is full.",
        ),
        pub bulkhead_size: usize = int(
            10,
            1..=500,
            "Bulkhead: threads of each dependency's own pool.",
        ),
        pub bulkhead_queue: usize = int(
            0,
            0..=1000,
            "Bulkhead: tasks that may wait in each dependency's pool.",
        ),
        pub rate_a: u32 = int(
            40,
            0..=1000,
            "Requests per second each client sends to endpoint A.",
        ),
        pub rate_b: u32 = int(
            40,
            0..=1000,
            "Requests per second each client sends to endpoint B.",
        ),
        pub service_time: Time = duration(
            MS(20),
            MS(1)..=S(10),
            "Mean time a healthy dependency takes to answer.",
        ),
        pub hang_time: Time = duration(
            S(10),
            MS(100)..=S(120),
            "How long a hanging dependency takes to answer.",
        ),
        pub client_deadline: Time = duration(
            S(1),
            MS(10)..=S(60),
            "How long a client waits for an answer before counting the request as failed.",
        ),
    }
}

impl Settings {
    /// Requests per second for endpoints A and B.
    pub fn rates(&self) -> [u32; 2] {
        [self.rate_a, self.rate_b]
    }

    /// The circuit breaker's settings.
    pub fn breaker_config(&self) -> breaker::Config {
        let span = Time::secs(self.breaker_window as u64);
        let window = match self.breaker_window_type {
            WindowType::Count => WindowKind::Count(self.breaker_window),
            WindowType::Time => WindowKind::Time(span),
            WindowType::Hystrix => WindowKind::Health(span),
        };
        breaker::Config {
            failure_rate: self.breaker_failure_rate,
            slow_rate: self.breaker_slow_rate,
            slow_call: self.breaker_slow_call,
            window,
            min_calls: self.breaker_min_calls,
            half_open_calls: self.breaker_half_open_calls,
            wait: self.breaker_wait,
            auto_half_open: self.breaker_auto_half_open,
            max_half_open: self.breaker_max_half_open,
            late: match self.breaker_late_results {
                LateResultsChoice::Record => LateResults::Record,
                LateResultsChoice::Ignore => LateResults::Ignore,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_back_and_sets_a_field() {
        let d = Settings::default();
        assert_eq!(d.rates(), [40, 40]);
        assert_eq!(d.timeout, None);
        assert_eq!(d.breaker_config(), breaker::Config::default());
        for k in Settings::knobs() {
            let text = k.default.to_string();
            assert_eq!(k.kind.parse(&text), Ok(k.default.clone()), "{}", k.name);
            assert!(Settings::default().set(k.name, &k.default), "{}", k.name);
        }
    }
}

//! The scenario's knobs: their specs (the public interface lessons and the
//! command line use) and [`Settings`], the typed values every node keeps a
//! copy of and updates when a knob changes mid-run.

use super::breaker::{self, WindowKind};
use crate::scenarios::spec::{KnobKind, KnobSpec, Setup};
use crate::sim::{KnobValue, Time};

fn int(
    name: &'static str,
    min: i64,
    max: i64,
    default: i64,
    description: &'static str,
) -> KnobSpec {
    KnobSpec {
        name,
        kind: KnobKind::Int { min, max },
        default: KnobValue::Int(default),
        description,
    }
}

fn duration(
    name: &'static str,
    min: Time,
    max: Time,
    default: Time,
    description: &'static str,
) -> KnobSpec {
    KnobSpec {
        name,
        kind: KnobKind::Duration { min, max },
        default: KnobValue::Duration(default),
        description,
    }
}

fn switch(name: &'static str, description: &'static str) -> KnobSpec {
    KnobSpec {
        name,
        kind: KnobKind::Switch,
        default: KnobValue::Bool(false),
        description,
    }
}

/// Every knob, with its default.
pub fn knobs() -> Vec<KnobSpec> {
    let ms = Time::millis;
    let s = Time::secs;
    vec![
        KnobSpec {
            name: "timeout",
            kind: KnobKind::DurationOrOff {
                min: ms(10),
                max: s(30),
            },
            default: KnobValue::Off,
            description: "How long the front end waits for one call to a dependency before giving up on it (off: forever).",
        },
        int(
            "retries",
            0,
            5,
            0,
            "Extra attempts after a failed or timed-out call, made at once on the same thread.",
        ),
        switch(
            "breaker",
            "A circuit breaker per dependency: after too many failures, stop calling it for a while.",
        ),
        switch(
            "bulkhead",
            "A separate thread pool per dependency instead of one shared pool.",
        ),
        switch(
            "fallback",
            "Answer a failed request with degraded (default) data instead of an error.",
        ),
        int(
            "breaker_failure_rate",
            1,
            100,
            50,
            "Percentage of failed calls in the window that opens the breaker.",
        ),
        int(
            "breaker_slow_rate",
            1,
            100,
            80,
            "Percentage of slow calls in the window that opens the breaker.",
        ),
        duration(
            "breaker_slow_call",
            ms(1),
            s(60),
            ms(500),
            "A call lasting at least this long counts as slow.",
        ),
        KnobSpec {
            name: "breaker_window_type",
            kind: KnobKind::Choice(vec!["count".into(), "time".into()]),
            default: KnobValue::Choice("count".into()),
            description: "Whether the breaker's window holds the last N calls (count) or the last N seconds of calls (time).",
        },
        int(
            "breaker_window",
            1,
            1000,
            20,
            "Size of the breaker's window: calls (count) or seconds (time).",
        ),
        int(
            "breaker_min_calls",
            1,
            1000,
            10,
            "Calls the window must hold before the breaker judges the rates.",
        ),
        int(
            "breaker_half_open_calls",
            1,
            100,
            3,
            "Trial calls let through when the breaker is half open.",
        ),
        duration(
            "breaker_wait",
            ms(100),
            s(600),
            s(5),
            "Time the breaker stays open before letting trial calls through.",
        ),
        int(
            "pool_core",
            1,
            500,
            10,
            "Shared pool: threads started before tasks are queued.",
        ),
        // 20 rather than 10: with a 250 ms timeout alone, B's calls keep the
        // ten core threads busy and A waits in this queue (the pool only grows
        // once it is full), so A's p99 clearly misses 200 ms: a timeout by
        // itself is not the cure.
        int(
            "pool_queue",
            0,
            1000,
            20,
            "Shared pool: tasks that may wait for a thread (the pool grows past core only once this is full).",
        ),
        int(
            "pool_max",
            1,
            500,
            20,
            "Shared pool: threads it may grow to once the queue is full.",
        ),
        int(
            "bulkhead_size",
            1,
            500,
            10,
            "Bulkhead: threads of each dependency's own pool.",
        ),
        int(
            "bulkhead_queue",
            0,
            1000,
            0,
            "Bulkhead: tasks that may wait in each dependency's pool.",
        ),
        int(
            "rate_a",
            0,
            1000,
            40,
            "Requests per second each client sends to endpoint A.",
        ),
        int(
            "rate_b",
            0,
            1000,
            40,
            "Requests per second each client sends to endpoint B.",
        ),
        duration(
            "service_time",
            ms(1),
            s(10),
            ms(20),
            "Mean time a healthy dependency takes to answer.",
        ),
        duration(
            "hang_time",
            ms(100),
            s(120),
            s(10),
            "How long a hanging dependency takes to answer.",
        ),
        duration(
            "client_deadline",
            ms(10),
            s(60),
            s(1),
            "How long a client waits for an answer before counting the request as failed.",
        ),
    ]
}

/// The knobs' current values, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub timeout: Option<Time>,
    pub retries: u32,
    pub breaker: bool,
    pub bulkhead: bool,
    pub fallback: bool,
    pub breaker_failure_rate: u32,
    pub breaker_slow_rate: u32,
    pub breaker_slow_call: Time,
    /// `true` for a time-based window.
    pub breaker_window_time: bool,
    pub breaker_window: usize,
    pub breaker_min_calls: usize,
    pub breaker_half_open_calls: usize,
    pub breaker_wait: Time,
    pub pool_core: usize,
    pub pool_queue: usize,
    pub pool_max: usize,
    pub bulkhead_size: usize,
    pub bulkhead_queue: usize,
    /// Requests per second for endpoints A and B.
    pub rate: [u32; 2],
    pub service_time: Time,
    pub hang_time: Time,
    pub client_deadline: Time,
}

impl Default for Settings {
    /// The knobs' defaults.
    fn default() -> Self {
        let mut s = Settings {
            timeout: None,
            retries: 0,
            breaker: false,
            bulkhead: false,
            fallback: false,
            breaker_failure_rate: 0,
            breaker_slow_rate: 0,
            breaker_slow_call: Time::ZERO,
            breaker_window_time: false,
            breaker_window: 0,
            breaker_min_calls: 0,
            breaker_half_open_calls: 0,
            breaker_wait: Time::ZERO,
            pool_core: 0,
            pool_queue: 0,
            pool_max: 0,
            bulkhead_size: 0,
            bulkhead_queue: 0,
            rate: [0; 2],
            service_time: Time::ZERO,
            hang_time: Time::ZERO,
            client_deadline: Time::ZERO,
        };
        for k in knobs() {
            s.apply(k.name, &k.default);
        }
        s
    }
}

impl Settings {
    /// The defaults, overridden by the knobs `setup` gives.
    pub fn from_setup(setup: &Setup) -> Settings {
        let mut s = Settings::default();
        for (name, value) in &setup.knobs {
            s.apply(name, value);
        }
        s
    }

    /// Sets knob `name`; false if this scenario has no such knob.
    pub fn apply(&mut self, name: &str, value: &KnobValue) -> bool {
        let count = || value.as_int().max(0) as usize;
        let pct = || value.as_int().clamp(1, 100) as u32;
        let dur = |old: Time| value.as_duration().unwrap_or(old);
        match name {
            "timeout" => self.timeout = value.as_duration(),
            "retries" => self.retries = value.as_int().clamp(0, 5) as u32,
            "breaker" => self.breaker = value.as_bool(),
            "bulkhead" => self.bulkhead = value.as_bool(),
            "fallback" => self.fallback = value.as_bool(),
            "breaker_failure_rate" => self.breaker_failure_rate = pct(),
            "breaker_slow_rate" => self.breaker_slow_rate = pct(),
            "breaker_slow_call" => self.breaker_slow_call = dur(self.breaker_slow_call),
            "breaker_window_type" => self.breaker_window_time = value.as_choice() == "time",
            "breaker_window" => self.breaker_window = count().max(1),
            "breaker_min_calls" => self.breaker_min_calls = count().max(1),
            "breaker_half_open_calls" => self.breaker_half_open_calls = count().max(1),
            "breaker_wait" => self.breaker_wait = dur(self.breaker_wait),
            "pool_core" => self.pool_core = count().max(1),
            "pool_queue" => self.pool_queue = count(),
            "pool_max" => self.pool_max = count().max(1),
            "bulkhead_size" => self.bulkhead_size = count().max(1),
            "bulkhead_queue" => self.bulkhead_queue = count(),
            "rate_a" => self.rate[0] = count() as u32,
            "rate_b" => self.rate[1] = count() as u32,
            "service_time" => self.service_time = dur(self.service_time),
            "hang_time" => self.hang_time = dur(self.hang_time),
            "client_deadline" => self.client_deadline = dur(self.client_deadline),
            _ => return false,
        }
        true
    }

    /// The circuit breaker's settings.
    pub fn breaker_config(&self) -> breaker::Config {
        let window = if self.breaker_window_time {
            WindowKind::Time(Time::secs(self.breaker_window as u64))
        } else {
            WindowKind::Count(self.breaker_window)
        };
        breaker::Config {
            failure_rate: self.breaker_failure_rate,
            slow_rate: self.breaker_slow_rate,
            slow_call: self.breaker_slow_call,
            window,
            min_calls: self.breaker_min_calls,
            half_open_calls: self.breaker_half_open_calls,
            wait: self.breaker_wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_back_and_sets_a_field() {
        let d = Settings::default();
        assert_eq!(d.rate, [40, 40]);
        assert_eq!(d.timeout, None);
        assert_eq!(d.breaker_config(), breaker::Config::default());
        for k in knobs() {
            let text = k.default.to_string();
            assert_eq!(k.kind.parse(&text), Ok(k.default.clone()), "{}", k.name);
            assert!(Settings::default().apply(k.name, &k.default), "{}", k.name);
        }
    }
}

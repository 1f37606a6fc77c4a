//! What a layer keeps to decide whether it may retry or call at all: gRPC's
//! retry throttling (a token bucket per callee) and the SRE book's
//! client-side adaptive throttling. Both are pure state machines.

use crate::sim::Time;

/// gRPC retry throttling (gRFC A6): `max_tokens` tokens to begin with; a
/// failed call takes one, a successful one gives back `ratio`; retries are
/// allowed only while more than half the tokens are left.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBudget {
    tokens: f64,
}

impl RetryBudget {
    pub const MAX_TOKENS: f64 = 10.0;

    pub fn new() -> RetryBudget {
        RetryBudget {
            tokens: Self::MAX_TOKENS,
        }
    }

    pub fn success(&mut self, ratio: f64) {
        self.tokens = (self.tokens + ratio).min(Self::MAX_TOKENS);
    }

    pub fn failure(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    /// Whether a retry may be sent now.
    pub fn allows_retry(&self) -> bool {
        self.tokens > Self::MAX_TOKENS / 2.0
    }

    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new()
    }
}

/// Client-side adaptive throttling (Site Reliability Engineering, ch. 21):
/// over the last `SECONDS` seconds, the calls this layer wanted to make
/// (`requests`) and those its callee accepted (`accepts`); a new call is
/// refused locally with probability `max(0, (requests − K·accepts) /
/// (requests + 1))`.
#[derive(Clone, Debug, PartialEq)]
pub struct Throttle {
    /// Per second of the window: (second, requests, accepts).
    buckets: [(u64, u32, u32); Throttle::SECONDS],
}

impl Throttle {
    pub const SECONDS: usize = 10;
    pub const K: f64 = 2.0;

    pub fn new() -> Throttle {
        Throttle {
            buckets: [(u64::MAX, 0, 0); Throttle::SECONDS],
        }
    }

    fn bucket(&mut self, now: Time) -> &mut (u64, u32, u32) {
        let sec = now.as_micros() / 1_000_000;
        let b = &mut self.buckets[(sec % Self::SECONDS as u64) as usize];
        if b.0 != sec {
            *b = (sec, 0, 0);
        }
        b
    }

    /// Requests and accepts over the window ending at `now`.
    pub fn counts(&self, now: Time) -> (u32, u32) {
        let sec = now.as_micros() / 1_000_000;
        self.buckets
            .iter()
            .filter(|b| b.0 != u64::MAX && b.0 + Self::SECONDS as u64 > sec && b.0 <= sec)
            .fold((0, 0), |(r, a), b| (r + b.1, a + b.2))
    }

    /// The probability of refusing a call now.
    pub fn reject_probability(&self, now: Time) -> f64 {
        let (r, a) = self.counts(now);
        ((r as f64 - Self::K * a as f64) / (r as f64 + 1.0)).max(0.0)
    }

    pub fn request(&mut self, now: Time) {
        self.bucket(now).1 += 1;
    }

    pub fn accept(&mut self, now: Time) {
        self.bucket(now).2 += 1;
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_stops_retries_after_five_failures_and_earns_them_back_slowly() {
        let mut b = RetryBudget::new();
        for _ in 0..4 {
            b.failure();
        }
        assert!(b.allows_retry()); // 6 tokens
        b.failure();
        assert!(!b.allows_retry()); // 5: half
        for _ in 0..10 {
            b.success(0.1);
        }
        assert!(b.allows_retry()); // 6 again after ten successes
        for _ in 0..100 {
            b.success(0.1);
        }
        assert_eq!(b.tokens(), RetryBudget::MAX_TOKENS);
    }

    #[test]
    fn throttling_starts_once_requests_pass_twice_the_accepts() {
        let mut t = Throttle::new();
        let now = Time::secs(5);
        for _ in 0..100 {
            t.request(now);
        }
        for _ in 0..50 {
            t.accept(now);
        }
        assert_eq!(t.reject_probability(now), 0.0);
        for _ in 0..100 {
            t.request(now);
        }
        // 200 requests, 50 accepts: (200 − 100) / 201
        assert!((t.reject_probability(now) - 100.0 / 201.0).abs() < 1e-9);
        // Ten seconds later the window has forgotten them.
        assert_eq!(t.reject_probability(Time::secs(15)), 0.0);
    }
}

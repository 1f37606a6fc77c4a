//! The backoff policies of the AWS Architecture Blog's "Exponential Backoff
//! and Jitter" (2015), exactly as its simulator computes them. `n` counts the
//! failures so far, so the first retry sleeps for `n = 1`.

use super::config::Backoff;
use crate::sim::Time;
use rand::RngExt;

/// One client's backoff state: decorrelated jitter remembers its last sleep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sleeper {
    /// The previous sleep, in microseconds (starts at `base`).
    prev: f64,
}

impl Sleeper {
    pub fn new(base: Time) -> Sleeper {
        Sleeper {
            prev: base.as_micros() as f64,
        }
    }

    /// The sleep before retry `n` (n ≥ 1).
    pub fn sleep(
        &mut self,
        policy: Backoff,
        base: Time,
        cap: Time,
        n: u32,
        rng: &mut impl RngExt,
    ) -> Time {
        let base = base.as_micros() as f64;
        let cap = cap.as_micros() as f64;
        // min(cap, base·2^n), without overflowing for large n.
        let v = (base * 2f64.powi(n.min(62) as i32)).min(cap);
        let us = match policy {
            Backoff::None => 0.0,
            Backoff::Exponential => v,
            Backoff::FullJitter => rng.random_range(0.0..=v),
            Backoff::EqualJitter => v / 2.0 + rng.random_range(0.0..=v / 2.0),
            Backoff::Decorrelated => {
                let hi = (self.prev * 3.0).max(base);
                self.prev = rng.random_range(base..=hi).min(cap);
                self.prev
            }
        };
        Time(us.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    const B: Time = Time::millis(5);
    const C: Time = Time::secs(2);

    fn sleeps(policy: Backoff, n: u32, times: usize) -> Vec<Time> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        (0..times)
            .map(|_| Sleeper::new(B).sleep(policy, B, C, n, &mut rng))
            .collect()
    }

    #[test]
    fn exponential_doubles_up_to_the_cap() {
        let mut s = Sleeper::new(B);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let v: Vec<u64> = (1..=10)
            .map(|n| s.sleep(Backoff::Exponential, B, C, n, &mut rng).as_micros() / 1000)
            .collect();
        assert_eq!(v, [10, 20, 40, 80, 160, 320, 640, 1280, 2000, 2000]);
        assert_eq!(s.sleep(Backoff::None, B, C, 9, &mut rng), Time::ZERO);
    }

    #[test]
    fn full_jitter_spreads_over_the_whole_range_and_equal_over_the_top_half() {
        let full = sleeps(Backoff::FullJitter, 3, 2000); // v = 40 ms
        let equal = sleeps(Backoff::EqualJitter, 3, 2000);
        let mean = |v: &[Time]| v.iter().map(|t| t.as_millis_f64()).sum::<f64>() / v.len() as f64;
        assert!(full.iter().all(|t| *t <= Time::millis(40)));
        assert!(full.iter().any(|t| *t < Time::millis(2)));
        assert!((mean(&full) - 20.0).abs() < 1.0, "{}", mean(&full));
        assert!(equal.iter().all(|t| *t >= Time::millis(20) && *t <= Time::millis(40)));
        assert!((mean(&equal) - 30.0).abs() < 1.0, "{}", mean(&equal));
    }

    #[test]
    fn decorrelated_grows_from_base_to_three_times_the_last_sleep_and_is_capped() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut s = Sleeper::new(B);
        let mut prev = B;
        for n in 1..200 {
            let t = s.sleep(Backoff::Decorrelated, B, C, n, &mut rng);
            assert!(t >= B && t <= C, "{t}");
            assert!(t.as_micros() <= (prev.as_micros() * 3).max(B.as_micros()) + 1);
            prev = t;
        }
    }
}

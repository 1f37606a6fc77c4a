//! The breaker's own rules, one by one.

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
fn results_from_before_a_transition_are_ignored_when_asked() {
    let mut b = Breaker::new(Config {
        late: LateResults::Ignore,
        ..Config::default()
    });
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

#[test]
fn a_late_result_counts_where_the_breaker_is_when_recorded() {
    // A call admitted while CLOSED ends while HALF_OPEN: with resilience4j's
    // rule it is a trial result, and with one trial it decides alone.
    let mut b = Breaker::new(Config {
        half_open_calls: 1,
        ..Config::default()
    });
    let early = b.try_acquire(MS(0)).unwrap();
    open(&mut b, MS(0));
    b.poll(MS(5_000));
    let trial = b.try_acquire(MS(5_000)).unwrap();
    assert!(b.try_acquire(MS(5_000)).is_none(), "one trial only");
    b.on_result(MS(5_001), early, Outcome::Success, MS(10));
    assert_eq!(b.state(), State::Closed, "the late success closed it");
    // The trial's own result now lands in the fresh CLOSED window.
    b.on_result(MS(5_002), trial, Outcome::Failure, MS(10));
    assert_eq!((b.state(), b.window_len()), (State::Closed, 1));
}

#[test]
fn a_call_lasting_exactly_the_slow_call_duration_is_not_slow() {
    let mut b = breaker();
    for _ in 0..10 {
        call(&mut b, MS(0), Outcome::Success, MS(500));
    }
    assert_eq!(b.state(), State::Closed);
    // 16 of the last 20 just over it: 80%, the slow-call threshold.
    for _ in 0..15 {
        call(&mut b, MS(0), Outcome::Success, Time(MS(500).0 + 1));
    }
    assert_eq!(b.state(), State::Closed);
    call(&mut b, MS(0), Outcome::Success, Time(MS(500).0 + 1));
    assert_eq!(b.state(), State::Open);
}

#[test]
fn half_open_decides_after_the_smaller_of_the_minimum_and_the_trials() {
    let mut b = Breaker::new(Config {
        min_calls: 1,
        half_open_calls: 3,
        ..Config::default()
    });
    call(&mut b, MS(0), Outcome::Failure, MS(1));
    assert_eq!(b.state(), State::Open);
    b.poll(MS(5_000));
    let permits: Vec<Permit> = (0..3).filter_map(|_| b.try_acquire(MS(5_000))).collect();
    b.on_result(MS(5_010), permits[0], Outcome::Success, MS(10));
    assert_eq!(b.state(), State::Closed, "one result was enough");
}

#[test]
fn without_the_automatic_transition_the_first_call_after_the_wait_is_a_trial() {
    let mut b = Breaker::new(Config {
        auto_half_open: false,
        ..Config::default()
    });
    open(&mut b, MS(0));
    b.poll(MS(9_000));
    assert_eq!(b.state(), State::Open, "nothing moves it but a call");
    assert_eq!(b.next_poll(), None);
    assert!(b.try_acquire(MS(5_000)).is_none(), "at the wait's end exactly");
    assert!(b.try_acquire(Time(MS(5_000).0 + 1)).is_some());
    assert_eq!((b.state(), b.admitted()), (State::HalfOpen, 1));
}

#[test]
fn a_half_open_breaker_without_a_verdict_opens_after_its_longest_wait() {
    let mut b = Breaker::new(Config {
        max_half_open: Some(MS(1_000)),
        ..Config::default()
    });
    open(&mut b, MS(0));
    b.poll(MS(5_000));
    assert!(b.try_acquire(MS(5_000)).is_some());
    assert_eq!(b.next_poll(), Some(MS(6_000)));
    b.poll(MS(5_999));
    assert_eq!(b.state(), State::HalfOpen);
    b.poll(MS(6_000));
    assert_eq!(b.state(), State::Open);
    assert_eq!(b.open_until(), Some(MS(11_000)));
}

#[test]
fn hystrix_health_is_judged_at_each_bucket_end_from_completed_buckets() {
    let mut b = Breaker::new(Config {
        window: WindowKind::Health(Time::secs(10)),
        min_calls: 20,
        failure_rate: 50,
        ..Config::default()
    });
    // 19 failures are under the request volume: they never trip it.
    for i in 0..19 {
        call(&mut b, MS(10 + i), Outcome::Failure, MS(1));
    }
    b.poll(MS(1_000));
    assert_eq!(b.state(), State::Closed);
    // The 20th, in the bucket from 1.0 s: judged when that bucket ends.
    call(&mut b, MS(1_100), Outcome::Failure, MS(1));
    assert_eq!(b.state(), State::Closed, "a bucket in progress is not judged");
    assert_eq!(b.next_poll(), Some(MS(1_500)));
    b.poll(MS(1_499));
    assert_eq!(b.state(), State::Closed);
    b.poll(MS(1_500));
    assert_eq!(b.state(), State::Open);
    assert_eq!(b.open_until(), Some(MS(6_500)));
    // Slow calls do not count for Hystrix.
    let mut slow = Breaker::new(Config {
        window: WindowKind::Health(Time::secs(10)),
        min_calls: 20,
        ..Config::default()
    });
    for i in 0..40 {
        call(&mut slow, MS(i), Outcome::Success, Time::secs(9));
    }
    slow.poll(MS(2_000));
    assert_eq!(slow.state(), State::Closed);
}

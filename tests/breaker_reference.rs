//! The circuit breaker against its references: the behaviours pinned by
//! resilience4j's `CircuitBreakerStateMachineTest` (and its sliding-window
//! tests) and by Hystrix 1.5's `HystrixCircuitBreakerTest` and health
//! counts, played as sequences of calls, results and waits on our breaker.
//! Each test names the upstream case it follows.

use splitbrain::scenarios::flaky_dependency::breaker::{
    Breaker, Config, LateResults, Outcome, Permit, State, WindowKind,
};
use splitbrain::sim::Time;

const MS: fn(u64) -> Time = Time::millis;
const S: fn(u64) -> Time = Time::secs;
const F: Outcome = Outcome::Failure;
const OK: Outcome = Outcome::Success;

/// resilience4j's test configuration: failure and slow-call thresholds of
/// 50%, slow above 4 s, 4 trial calls, a 20 s time window judged from 5
/// calls, a 5 s wait, and no automatic transition (resilience4j's default).
fn resilience4j() -> Config {
    Config {
        failure_rate: 50,
        slow_rate: 50,
        slow_call: S(4),
        window: WindowKind::Time(S(20)),
        min_calls: 5,
        half_open_calls: 4,
        wait: S(5),
        auto_half_open: false,
        max_half_open: None,
        late: LateResults::Record,
    }
}

/// Hystrix's defaults: health over 10 s in 500 ms buckets, a request volume
/// of 20, 50% errors, a 5 s sleep window, one trial request, no timer.
fn hystrix() -> Config {
    Config {
        failure_rate: 50,
        slow_rate: 100,
        slow_call: S(60),
        window: WindowKind::Health(S(10)),
        min_calls: 20,
        half_open_calls: 1,
        wait: S(5),
        auto_half_open: false,
        max_half_open: None,
        late: LateResults::Record,
    }
}

/// Admits and completes one call at `now` that took `took`; false if refused.
fn call(b: &mut Breaker, now: Time, outcome: Outcome, took: Time) -> bool {
    match b.try_acquire(now) {
        Some(p) => {
            b.on_result(now, p, outcome, took);
            true
        }
        None => false,
    }
}

fn open_at(b: &mut Breaker, now: Time) {
    while b.state() != State::Open {
        assert!(call(b, now, F, MS(1)));
    }
}

fn half_open(config: Config) -> Breaker {
    let mut b = Breaker::new(config);
    open_at(&mut b, Time::ZERO);
    assert!(b.try_acquire(S(5)).is_none());
    // The first call after the wait is the first trial.
    assert!(b.try_acquire(Time(S(5).0 + 1)).is_some());
    assert_eq!(b.state(), State::HalfOpen);
    b
}

// ---- resilience4j ----

/// shouldOpenAfterFailureRateThresholdExceeded
#[test]
fn opens_on_the_fifth_call_when_three_have_failed() {
    let mut b = Breaker::new(resilience4j());
    for o in [F, F, F, OK] {
        call(&mut b, Time::ZERO, o, MS(1));
        assert_eq!(
            b.state(),
            State::Closed,
            "fewer than the minimum of 5 calls"
        );
    }
    call(&mut b, Time::ZERO, OK, MS(1));
    assert_eq!(b.state(), State::Open, "3 of 5 failed: 60%");
    assert!(b.try_acquire(Time::ZERO).is_none());
}

/// shouldOpenAfterFailureRateThresholdExceeded2: the rate is compared with >=.
#[test]
fn opens_at_exactly_the_failure_threshold() {
    let mut b = Breaker::new(resilience4j());
    for (t, o) in [(0, OK), (1, OK), (2, OK), (3, F), (4, F)] {
        call(&mut b, S(t), o, MS(1));
    }
    assert_eq!(b.state(), State::Closed, "2 of 5: 40%");
    call(&mut b, S(5), F, MS(1));
    assert_eq!(b.state(), State::Open, "3 of 6: 50%");
}

/// shouldOpenAfterSlowCallRateThresholdExceeded
#[test]
fn opens_on_the_slow_call_rate_with_the_failure_rate_below_its_threshold() {
    let mut b = Breaker::new(resilience4j());
    for (o, took) in [(F, S(5)), (OK, S(5)), (F, MS(100)), (OK, MS(100))] {
        call(&mut b, Time::ZERO, o, took);
    }
    assert_eq!(b.state(), State::Closed);
    call(&mut b, Time::ZERO, OK, S(5));
    assert_eq!(b.state(), State::Open, "3 of 5 slow (60%), 2 failed (40%)");
}

/// A call of exactly the slow-call duration is not slow (strictly longer is).
#[test]
fn a_call_of_exactly_the_slow_call_duration_is_not_slow() {
    let mut b = Breaker::new(resilience4j());
    for _ in 0..5 {
        call(&mut b, Time::ZERO, OK, S(4));
    }
    assert_eq!(b.state(), State::Closed);
    let mut b = Breaker::new(resilience4j());
    for _ in 0..5 {
        call(&mut b, Time::ZERO, OK, Time(S(4).0 + 1));
    }
    assert_eq!(b.state(), State::Open);
}

/// shouldTransitionToHalfOpenAfterWaitDuration: without the automatic
/// transition only a call strictly after the wait moves it, as a trial.
#[test]
fn the_first_call_strictly_after_the_wait_is_the_first_trial() {
    let mut b = Breaker::new(resilience4j());
    open_at(&mut b, Time::ZERO);
    assert!(b.try_acquire(Time::ZERO).is_none());
    assert!(b.try_acquire(S(3)).is_none());
    b.poll(S(6));
    assert_eq!(b.state(), State::Open, "no timer moves it");
    assert!(b.try_acquire(S(5)).is_none(), "the wait's last instant");
    assert!(b.try_acquire(S(6)).is_some());
    assert_eq!((b.state(), b.admitted()), (State::HalfOpen, 1));
}

/// shouldOnlyPermitFourCallsInHalfOpenState: four trials, then refusals;
/// a new HALF_OPEN episode has four fresh ones.
#[test]
fn half_open_lets_the_permitted_trials_through_and_no_more() {
    let mut b = half_open(resilience4j());
    let more: Vec<Permit> = (0..5).filter_map(|_| b.try_acquire(S(6))).collect();
    assert_eq!(more.len(), 3, "4 trials in all, the first taken above");
    for p in &more[..2] {
        b.on_result(S(6), *p, F, MS(1));
    }
    // Results so far: two; the verdict waits for min(5, 4) = 4.
    assert_eq!(b.state(), State::HalfOpen);
    b.on_result(S(6), more[2], F, MS(1));
    assert_eq!(b.state(), State::HalfOpen, "3 of the 4 results");
}

/// shouldTransitionBackToOpenStateWhenFailureRateIsAboveThreshold: the
/// verdict comes with the 4th result, min(minimum 5, permitted 4).
#[test]
fn half_open_judges_after_the_smaller_of_the_minimum_and_the_permitted_trials() {
    let mut b = Breaker::new(resilience4j());
    open_at(&mut b, Time::ZERO);
    let t = Time(S(5).0 + 1);
    let trials: Vec<Permit> = (0..4).filter_map(|_| b.try_acquire(t)).collect();
    assert_eq!(trials.len(), 4);
    for (p, o) in trials.iter().zip([F, F, OK]) {
        b.on_result(t, *p, o, MS(1));
        assert_eq!(b.state(), State::HalfOpen);
    }
    b.on_result(t, trials[3], F, MS(1));
    assert_eq!(b.state(), State::Open, "3 of 4 failed: 75%");
}

/// shouldTransitionBackToOpenStateWhenSlowCallRateIsAboveThreshold
#[test]
fn half_open_opens_again_on_slow_trials() {
    let mut b = Breaker::new(resilience4j());
    open_at(&mut b, Time::ZERO);
    let t = Time(S(5).0 + 1);
    let trials: Vec<Permit> = (0..4).filter_map(|_| b.try_acquire(t)).collect();
    for (p, took) in trials.iter().zip([S(5), S(5), S(5), S(1)]) {
        b.on_result(t, *p, OK, took);
    }
    assert_eq!(b.state(), State::Open, "3 of 4 slow: 75%");
}

/// shouldTransitionBackToClosedStateWhenFailureIsBelowThreshold: closed,
/// with a fresh window.
#[test]
fn half_open_closes_below_the_threshold_with_a_fresh_window() {
    let mut b = Breaker::new(resilience4j());
    open_at(&mut b, Time::ZERO);
    let t = Time(S(5).0 + 1);
    let trials: Vec<Permit> = (0..4).filter_map(|_| b.try_acquire(t)).collect();
    for (p, o) in trials.iter().zip([F, OK, OK, OK]) {
        b.on_result(t, *p, o, MS(1));
    }
    assert_eq!(b.state(), State::Closed, "1 of 4 failed: 25%");
    assert_eq!(b.window_len(), 0);
    call(&mut b, t, OK, MS(1));
    assert_eq!(b.window_len(), 1);
}

/// circuitBreakerTransitionsToOpenAfterWaitDurationInHalfOpenState
#[test]
fn half_open_opens_again_after_its_longest_wait_without_a_verdict() {
    let mut b = Breaker::new(Config {
        max_half_open: Some(S(1)),
        ..resilience4j()
    });
    open_at(&mut b, Time::ZERO);
    let t = Time(S(5).0 + 1);
    assert!(b.try_acquire(t).is_some());
    b.poll(t + S(2));
    assert_eq!(b.state(), State::Open);
}

/// shouldThrowCircuitBreakerOpenException: a count window of 2 with the
/// default minimum of 100 calls judges after 2 (the minimum is capped).
#[test]
fn the_minimum_is_capped_at_the_size_of_a_count_window() {
    let mut b = Breaker::new(Config {
        window: WindowKind::Count(2),
        min_calls: 100,
        ..resilience4j()
    });
    call(&mut b, Time::ZERO, F, MS(1));
    assert_eq!(b.state(), State::Closed);
    call(&mut b, Time::ZERO, F, MS(1));
    assert_eq!(b.state(), State::Open);
    assert!(b.try_acquire(Time::ZERO).is_none());
}

/// A time window judges with the full minimum: it is not capped.
#[test]
fn the_minimum_of_a_time_window_is_not_capped() {
    let mut b = Breaker::new(Config {
        window: WindowKind::Time(S(2)),
        min_calls: 100,
        ..resilience4j()
    });
    for _ in 0..99 {
        call(&mut b, Time::ZERO, F, MS(1));
    }
    assert_eq!(b.state(), State::Closed);
    call(&mut b, Time::ZERO, F, MS(1));
    assert_eq!(b.state(), State::Open);
}

/// SlidingTimeWindowMetricsTest.shouldClearSlidingTimeWindowMetrics: a
/// window of 5 s keeps the calls of the current second and the 4 before.
#[test]
fn a_time_window_keeps_whole_seconds() {
    let mut b = Breaker::new(Config {
        window: WindowKind::Time(S(5)),
        min_calls: 1000,
        ..resilience4j()
    });
    for t in [0, 100, 800] {
        call(&mut b, MS(t), OK, MS(1));
    }
    assert_eq!(b.window_len(), 3);
    call(&mut b, MS(4_800), OK, MS(1));
    assert_eq!(b.window_len(), 4, "second 4 still holds second 0's calls");
    call(&mut b, MS(5_800), OK, MS(1));
    assert_eq!(b.window_len(), 2, "second 5 has let second 0 go");
}

/// #1523: minimum 3, 7 trials: the verdict comes with the 3rd result.
#[test]
fn a_small_minimum_decides_half_open_before_all_trials_end() {
    let mut b = Breaker::new(Config {
        min_calls: 3,
        half_open_calls: 7,
        ..resilience4j()
    });
    open_at(&mut b, Time::ZERO);
    let t = Time(S(5).0 + 1);
    let trials: Vec<Permit> = (0..7).filter_map(|_| b.try_acquire(t)).collect();
    assert_eq!(trials.len(), 7);
    for p in &trials[..2] {
        b.on_result(t, *p, OK, MS(1));
    }
    assert_eq!(b.state(), State::HalfOpen);
    b.on_result(t, trials[2], OK, MS(1));
    assert_eq!(b.state(), State::Closed);
}

/// Results are recorded wherever the breaker is when they arrive: a call
/// admitted while CLOSED that ends while HALF_OPEN is a trial result.
#[test]
fn a_result_from_before_the_trip_can_decide_half_open() {
    // (A call that took 5 s is not slow here: only its failure or success counts.)
    let mut b = Breaker::new(Config {
        min_calls: 1,
        half_open_calls: 1,
        slow_call: S(60),
        ..resilience4j()
    });
    let early = b.try_acquire(Time::ZERO).unwrap();
    call(&mut b, Time::ZERO, F, MS(1));
    assert_eq!(b.state(), State::Open);
    let t = Time(S(5).0 + 1);
    let _trial = b.try_acquire(t).unwrap();
    b.on_result(t, early, OK, t);
    assert_eq!(b.state(), State::Closed, "the late success decided");
    // Ignoring late results, the same success changes nothing.
    let mut b = Breaker::new(Config {
        min_calls: 1,
        half_open_calls: 1,
        slow_call: S(60),
        late: LateResults::Ignore,
        ..resilience4j()
    });
    let early = b.try_acquire(Time::ZERO).unwrap();
    call(&mut b, Time::ZERO, F, MS(1));
    let _trial = b.try_acquire(t).unwrap();
    b.on_result(t, early, OK, t);
    assert_eq!(b.state(), State::HalfOpen);
}

/// With the automatic transition (a scheduler in resilience4j, a timer
/// here) the breaker is HALF_OPEN at the wait's end without a call.
#[test]
fn the_automatic_transition_half_opens_at_the_end_of_the_wait() {
    let mut b = Breaker::new(Config {
        auto_half_open: true,
        ..resilience4j()
    });
    open_at(&mut b, Time::ZERO);
    assert_eq!(b.next_poll(), Some(S(5)));
    b.poll(S(5));
    assert_eq!((b.state(), b.admitted()), (State::HalfOpen, 0));
}

// ---- Hystrix ----

/// testLowVolumeDoesNotTripCircuit, at Hystrix's volume of 20: 19 failed
/// requests never trip it; the 20th does, at the end of its bucket.
#[test]
fn hystrix_needs_the_request_volume_and_judges_at_a_bucket_end() {
    let mut b = Breaker::new(hystrix());
    for i in 0..19 {
        call(&mut b, MS(i * 10), F, MS(1));
    }
    b.poll(S(3));
    assert_eq!(b.state(), State::Closed);
    call(&mut b, MS(3_100), F, MS(1));
    assert_eq!(b.state(), State::Closed, "its bucket is not over");
    b.poll(MS(3_499));
    assert_eq!(b.state(), State::Closed);
    b.poll(MS(3_500));
    assert_eq!(b.state(), State::Open, "20 of 20 at the bucket's end");
    assert_eq!(b.open_until(), Some(MS(8_500)));
}

/// testTripCircuit / testCircuitDoesNotTripOnFailuresBelowThreshold
#[test]
fn hystrix_trips_at_half_errors_and_not_below() {
    let mut b = Breaker::new(hystrix());
    for i in 0..20 {
        call(&mut b, MS(i), if i < 10 { F } else { OK }, MS(1));
    }
    b.poll(MS(500));
    assert_eq!(b.state(), State::Open, "10 of 20");
    let mut b = Breaker::new(hystrix());
    for i in 0..20 {
        call(&mut b, MS(i), if i < 7 { F } else { OK }, MS(1));
    }
    b.poll(MS(500));
    assert_eq!(b.state(), State::Closed, "7 of 20: 35%");
}

/// Hystrix's error percentage is `(int)((double)errors / total * 100)`:
/// 29 of 50 is 57, under a threshold of 58.
#[test]
fn hystrix_truncates_the_error_percentage_as_it_computes_it() {
    let mut b = Breaker::new(Config {
        failure_rate: 58,
        ..hystrix()
    });
    for i in 0..50 {
        call(&mut b, MS(i), if i < 29 { F } else { OK }, MS(1));
    }
    b.poll(MS(500));
    assert_eq!(b.state(), State::Closed);
}

/// testSingleTestOnOpenCircuitAfterTimeWindow and testCircuitClosedAfterSuccess:
/// after the sleep window one request goes through; its success closes the
/// circuit and empties the health counts.
#[test]
fn hystrix_sends_one_test_request_after_the_sleep_window() {
    let mut b = Breaker::new(hystrix());
    for i in 0..20 {
        call(&mut b, MS(i), F, MS(1));
    }
    b.poll(MS(500));
    assert_eq!(b.state(), State::Open);
    assert!(
        b.try_acquire(MS(5_500)).is_none(),
        "the sleep window's last instant"
    );
    let trial = b.try_acquire(MS(5_501)).expect("the single test");
    assert!(b.try_acquire(MS(5_501)).is_none(), "only one");
    b.on_result(MS(5_560), trial, OK, MS(59));
    assert_eq!(b.state(), State::Closed);
    assert_eq!(b.window_len(), 0, "health counts start again");
    for _ in 0..3 {
        assert!(b.try_acquire(MS(5_600)).is_some());
    }
}

/// testMultipleTimeWindowRetriesBeforeClosingCircuit: a failed test opens
/// the circuit again for a whole sleep window from the failure.
#[test]
fn hystrix_opens_again_when_the_test_request_fails() {
    let mut b = Breaker::new(hystrix());
    for i in 0..20 {
        call(&mut b, MS(i), F, MS(1));
    }
    b.poll(MS(500));
    let trial = b.try_acquire(MS(6_000)).unwrap();
    b.on_result(MS(6_100), trial, F, MS(100));
    assert_eq!(b.open_until(), Some(MS(11_100)));
    assert!(b.try_acquire(MS(11_100)).is_none());
    assert!(b.try_acquire(MS(11_101)).is_some());
}

/// Failures older than the health window age out.
#[test]
fn hystrix_forgets_requests_older_than_its_window() {
    let mut b = Breaker::new(hystrix());
    for i in 0..10 {
        call(&mut b, MS(i), F, MS(1));
    }
    for i in 0..10 {
        call(&mut b, MS(10_200 + i), F, MS(1));
    }
    b.poll(MS(11_000));
    assert_eq!(
        b.state(),
        State::Closed,
        "the first ten left the window at 10.5 s"
    );
}

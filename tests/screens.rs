//! Snapshots of whole screens, drawn headless exactly as `splitbrain shot`
//! draws them: the picker, and each lesson at several instants, at 120×40,
//! 80×24 and a tiny size. Where colour carries meaning, a second snapshot
//! records each cell's colour too. Review every change as if it were code.

use splitbrain::lesson::Catalog;
use splitbrain::sim::{KnobValue, Time};
use splitbrain::ui::shot::{self, ShotSpec};
use splitbrain::ui::theme::Theme;

fn screen(spec: &ShotSpec) -> String {
    let app = shot::app_at(Catalog::embedded().unwrap(), spec).unwrap();
    shot::text(&shot::draw(&app))
}

fn styled(spec: &ShotSpec) -> String {
    let app = shot::app_at(Catalog::embedded().unwrap(), spec).unwrap();
    shot::styled_text(&shot::draw(&app))
}

fn picker(width: u16, height: u16) -> ShotSpec {
    ShotSpec {
        lesson: None,
        ..ShotSpec::lesson("", Time::ZERO, width, height)
    }
}

#[test]
fn picker_screens() {
    insta::assert_snapshot!("picker_120x40", screen(&picker(120, 40)));
    insta::assert_snapshot!("picker_80x24", screen(&picker(80, 24)));
    insta::assert_snapshot!("picker_tiny", screen(&picker(30, 8)));
    insta::assert_snapshot!("picker_search", {
        let mut spec = picker(80, 24);
        spec.keys = shot::parse_keys("/fail").unwrap();
        screen(&spec)
    });
}

#[test]
fn flaky_dependency_screens() {
    for (at, label) in [
        (10, "healthy"),
        (45, "hang"),
        (100, "down"),
        (150, "recovered"),
    ] {
        let spec = ShotSpec::lesson("flaky-dependency", Time::secs(at), 120, 40);
        insta::assert_snapshot!(format!("flaky_dependency_{label}_120x40"), screen(&spec));
    }
    let small = ShotSpec::lesson("flaky-dependency", Time::secs(45), 80, 24);
    insta::assert_snapshot!("flaky_dependency_hang_80x24", screen(&small));
    let tiny = ShotSpec::lesson("flaky-dependency", Time::secs(45), 50, 12);
    insta::assert_snapshot!("flaky_dependency_tiny", screen(&tiny));
    // With the breaker on, B's breaker opens during the hang: colour and glyph.
    let mut breaker = ShotSpec::lesson("flaky-dependency", Time::secs(45), 120, 40);
    breaker.settings = vec![("breaker".into(), KnobValue::Bool(true))];
    insta::assert_snapshot!("flaky_dependency_breaker_open_styled", styled(&breaker));
}

#[test]
fn failover_screens() {
    for (at, label) in [(10, "steady"), (25, "primary_down"), (75, "partition")] {
        let spec = ShotSpec::lesson("failover", Time::secs(at), 120, 40);
        insta::assert_snapshot!(format!("failover_{label}_120x40"), screen(&spec));
    }
    let small = ShotSpec::lesson("failover", Time::secs(25), 80, 24);
    insta::assert_snapshot!("failover_primary_down_80x24", screen(&small));
    let styled_spec = ShotSpec::lesson("failover", Time::secs(25), 120, 40);
    insta::assert_snapshot!("failover_primary_down_styled", styled(&styled_spec));
    let mut mono = ShotSpec::lesson("failover", Time::secs(25), 120, 40);
    mono.theme = Theme::monochrome();
    insta::assert_snapshot!("failover_primary_down_no_color", styled(&mono));
}

#[test]
fn overlays() {
    let with_keys = |keys: &str, at: u64| {
        let mut spec = ShotSpec::lesson("failover", Time::secs(at), 120, 40);
        spec.keys = shot::parse_keys(keys).unwrap();
        screen(&spec)
    };
    insta::assert_snapshot!("overlay_help", with_keys("?", 5));
    insta::assert_snapshot!("overlay_knobs", with_keys("k<Down><Right>", 5));
    insta::assert_snapshot!("overlay_partition", with_keys("2p3", 5));
    insta::assert_snapshot!("overlay_link", with_keys("l<Down><Right><Right>", 5));
    insta::assert_snapshot!("overlay_messages", with_keys("m", 5));
    let mut q = ShotSpec::lesson("failover", Time::millis(19_500), 120, 40);
    q.keys = vec![];
    // A due question appears once time reaches it in the app loop; here we open it as the loop would.
    let app = {
        let mut app = shot::app_at(Catalog::embedded().unwrap(), &q).unwrap();
        let s = app.session_mut().unwrap();
        s.paused = false;
        app.tick(std::time::Duration::from_millis(1));
        app
    };
    insta::assert_snapshot!("overlay_question", shot::text(&shot::draw(&app)));
}

#[test]
fn lost_update_screens() {
    // Playing the scheduler: the two reads wait on held links.
    let mut by_hand = ShotSpec::lesson("lost-update", Time::secs(5), 120, 40);
    by_hand.keys = shot::parse_keys("m").unwrap();
    insta::assert_snapshot!("lost_update_by_hand_120x40", screen(&by_hand));
    for (at, strategy, label) in [
        (70, "rmw", "one_client"),
        (130, "rmw", "rmw_ten_clients"),
        (130, "optimistic", "optimistic_ten_clients"),
        (130, "pessimistic", "pessimistic_ten_clients"),
    ] {
        let mut spec = ShotSpec::lesson("lost-update", Time::secs(at), 120, 40);
        spec.settings = vec![("strategy".into(), KnobValue::Choice(strategy.into()))];
        insta::assert_snapshot!(format!("lost_update_{label}_120x40"), screen(&spec));
    }
    let mut small = ShotSpec::lesson("lost-update", Time::secs(130), 80, 24);
    small.settings = vec![("strategy".into(), KnobValue::Choice("pessimistic".into()))];
    insta::assert_snapshot!("lost_update_pessimistic_80x24", screen(&small));
}

#[test]
fn deadlock_screens() {
    let at = |secs: u64, settings: &[(&str, &str)]| {
        let mut spec = ShotSpec::lesson("deadlock", Time::secs(secs), 120, 40);
        spec.settings = settings
            .iter()
            .map(|(k, v)| (k.to_string(), KnobValue::Choice(v.to_string())))
            .collect();
        spec
    };
    insta::assert_snapshot!("deadlock_steady_120x40", screen(&at(10, &[])));
    insta::assert_snapshot!("deadlock_cycle_120x40", screen(&at(25, &[])));
    let mut zoomed = at(25, &[]);
    zoomed.keys = shot::parse_keys("<Tab><Tab>z").unwrap();
    insta::assert_snapshot!("deadlock_cycle_metrics", screen(&zoomed));
    let mut stall = at(53, &[("detection", "timeout")]);
    stall.keys = shot::parse_keys("<Tab><Tab>z").unwrap();
    insta::assert_snapshot!("deadlock_stall_timeout_metrics", screen(&stall));
    let mut crash = at(68, &[("detection", "graph")]);
    crash.keys = shot::parse_keys("<Tab><Tab>z").unwrap();
    insta::assert_snapshot!("deadlock_crashed_holder_metrics", screen(&crash));
    insta::assert_snapshot!(
        "deadlock_fixed_120x40",
        screen(&at(90, &[("order", "global")]))
    );
    insta::assert_snapshot!("deadlock_cycle_80x24", {
        let mut small = at(25, &[]);
        small.width = 80;
        small.height = 24;
        screen(&small)
    });
}

#[test]
fn distributed_lock_screens() {
    for (at, label) in [
        (Time::secs(2), "taking_turns"),
        (Time::secs(12), "frozen_holder"),
        (Time::millis(18_600), "stale_write"),
        (Time::secs(78), "clock_jump"),
    ] {
        let spec = ShotSpec::lesson("distributed-lock", at, 120, 40);
        insta::assert_snapshot!(format!("distributed_lock_{label}_120x40"), screen(&spec));
    }
    let mut fenced = ShotSpec::lesson("distributed-lock", Time::millis(18_600), 120, 40);
    fenced.settings = vec![("fencing".into(), KnobValue::Bool(true))];
    insta::assert_snapshot!("distributed_lock_fenced_120x40", screen(&fenced));
    let small = ShotSpec::lesson("distributed-lock", Time::secs(12), 80, 24);
    insta::assert_snapshot!("distributed_lock_frozen_holder_80x24", screen(&small));
}

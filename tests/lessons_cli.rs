//! The command line, end to end: the binary as a user runs it.

use std::process::{Command, Output};

fn splitbrain(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn list_shows_every_lesson_with_chapter_and_title() {
    let o = splitbrain(&["list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    let embedded = splitbrain::lesson::Catalog::embedded().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(lines.len(), embedded.lessons.len(), "{out}");
    // in teaching order, each with its chapter
    let at = |id: &str, chapter: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("{id} ")) && l.contains(chapter))
            .unwrap_or_else(|| panic!("no line for {id} in {chapter}: {out}"))
    };
    let flaky = at("flaky-dependency", "Resilience");
    let lost = at("lost-update", "Concurrency and locks");
    let deadlock = at("deadlock", "Concurrency and locks");
    let lock = at("distributed-lock", "Concurrency and locks");
    let failover = at("failover", "Replication");
    assert!(
        flaky < lost && lost < deadlock && deadlock < lock && lock < failover,
        "{out}"
    );
}

#[test]
fn unknown_lessons_knobs_and_values_are_clear_errors() {
    let o = splitbrain(&["run", "flaky"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("unknown lesson `flaky`; the lessons are: "),
        "{e}"
    );
    for id in ["flaky-dependency", "distributed-lock", "failover"] {
        assert!(e.contains(id), "{e}");
    }

    let o = splitbrain(&["run", "failover", "--set", "speed=11"]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("has no knob `speed`") && e.contains("replication") && e.contains("fencing"),
        "{e}"
    );

    let o = splitbrain(&["run", "failover", "--set", "replication=paxos"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("expected one of async, sync, quorum, found `paxos`"),
        "{}",
        stderr(&o)
    );

    let o = splitbrain(&["run", "flaky-dependency", "--set", "timeout=soon"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("knob `timeout`"), "{}", stderr(&o));

    let o = splitbrain(&["run", "failover", "--for", "ten seconds"]);
    assert!(!o.status.success());
}

#[test]
fn check_accepts_the_built_in_lessons_and_reports_bad_files_with_positions() {
    let o = splitbrain(&["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = splitbrain(&[
        "check",
        "tests/lessons/invalid/unknown-node.toml",
        "tests/lessons/valid",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("tests/lessons/invalid/unknown-node.toml:19:8: unknown node `s9`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn json_output_has_the_documented_fields() {
    let o = splitbrain(&["run", "failover", "--for", "30s", "--seed", "3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["lesson"], "failover");
    assert_eq!(v["seed"], 3);
    assert_eq!(v["virtual_time_ms"], 30_000.0);
    assert!(v["events"].as_u64().unwrap() > 1000);
    assert!(v["metrics"]["writes.acked"]["total"].as_u64().unwrap() > 100);
    let objectives = v["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 3);
    for o in objectives {
        assert!(o["id"].is_string() && o["description"].is_string() && o["passed"].is_boolean());
    }
    // 30 s is before the end of the primary-down window: not decided yet.
    assert_eq!(objectives[0]["status"], "pending");
    assert_eq!(objectives[0]["passed"], false);
}

#[test]
fn trace_is_identical_for_the_same_seed_and_differs_for_another() {
    let run = |seed: &str| {
        stdout(&splitbrain(&[
            "run", "failover", "--for", "25s", "--seed", seed, "--trace",
        ]))
    };
    let a = run("5");
    assert!(a.lines().count() > 10_000);
    assert_eq!(a, run("5"));
    assert_ne!(a, run("6"));
}

#[test]
fn the_lessons_directory_adds_lessons() {
    let o = splitbrain(&["--lessons", "tests/lessons/valid", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("echo-everything"));
    let o = splitbrain(&[
        "--lessons",
        "tests/lessons/valid",
        "run",
        "echo-everything",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn missing_files_and_directories_are_named_plainly() {
    let o = splitbrain(&["check", "no-such-lesson.toml"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("no-such-lesson.toml: cannot read:"),
        "{}",
        stderr(&o)
    );
    let o = splitbrain(&["--lessons", "no-such-dir", "list"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).starts_with("no-such-dir: cannot read the lesson directory:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn show_lists_what_a_run_can_change_and_check() {
    let o = splitbrain(&["show", "failover"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for expected in [
        "replication=async  (one of async, sync, quorum)",
        "fencing=off  (on or off)",
        "primary-down 20s..50s",
        "crash n1",
        "cut role:primary->n2",
        "no-split-brain (0s..2m)",
        "writes.split_brain",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    let o = splitbrain(&["show", "nope"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("unknown lesson `nope`"));
}

#[test]
fn shot_draws_a_screen_as_text_or_svg() {
    let o = splitbrain(&["shot", "failover", "--at", "25s", "--size", "100x30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 30);
    assert!(text.contains("Failover") && text.contains("✖ n1"), "{text}");
    let dir = std::env::temp_dir().join(format!("splitbrain-shot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("s.svg");
    let o = splitbrain(&["shot", "failover", "--svg", svg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pic = std::fs::read_to_string(&svg).unwrap();
    assert!(pic.starts_with("<svg") && pic.contains("Failover"));
    std::fs::remove_dir_all(&dir).unwrap();
    let o = splitbrain(&["shot", "failover", "--size", "big"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("COLSxROWS"), "{}", stderr(&o));
}

#[test]
fn the_playground_needs_a_terminal_and_a_known_lesson() {
    let o = splitbrain(&["lesson", "nope"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("unknown lesson `nope`"),
        "{}",
        stderr(&o)
    );
    let o = splitbrain(&["lesson", "failover"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("needs a terminal"), "{}", stderr(&o));
}

#[test]
fn a_recorded_session_replays_headless() {
    use splitbrain::lesson::{Catalog, Run};
    use splitbrain::sim::{Input, NodeSel, Time};
    let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
    let mut run = Run::new(lesson, 3, &[], true).unwrap();
    run.advance_to(Time::millis(7_300));
    run.input(Input::Crash(NodeSel::Id(1)));
    run.advance_to(Time::millis(9_100));
    run.input(Input::Isolate(NodeSel::Id(2)));
    run.advance_to(Time::secs(12));
    let expected: Vec<String> = run.trace_lines().collect();
    let dir = std::env::temp_dir().join(format!("splitbrain-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("session.json");
    std::fs::write(&file, serde_json::to_string(&run.recording()).unwrap()).unwrap();
    let o = splitbrain(&[
        "run",
        "failover",
        "--replay",
        file.to_str().unwrap(),
        "--trace",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let traced: Vec<&str> = out.lines().take(expected.len()).collect();
    assert_eq!(traced, expected);
    std::fs::write(&file, "{\n  \"lesson\": 3\n}").unwrap();
    let o = splitbrain(&["run", "failover", "--replay", file.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("session.json:2:"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sweep_tabulates_a_metric_and_names_the_leader() {
    // While the primary is down, synchronous replication acknowledges
    // nothing (n1 is one of the replicas it waits for); async keeps going.
    let o = splitbrain(&[
        "sweep",
        "failover",
        "--vary",
        "write_rate=50,200",
        "--compare",
        "replication=async,sync",
        "--metric",
        "writes.acked",
        "--during",
        "primary-down",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("failover: writes.acked rate from 20s to 50s, seed 1"),
        "{out}"
    );
    let rows: Vec<&str> = out.lines().filter(|l| l.ends_with("async")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[0].trim_start().starts_with("50 "), "{out}");
    assert!(
        rows[1].contains(" 0.0 "),
        "sync acknowledges nothing:\n{out}"
    );
    assert!(out.contains("async is ahead at every value."), "{out}");
    // The script's own change of write_rate (a burst at 19 s) is pinned
    // away: 200 writes a second from each of two clients is 400 a second.
    let rate: f64 = rows[1].split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((390.0..410.0).contains(&rate), "{out}");
}

#[test]
fn sweep_json_and_its_errors() {
    let o = splitbrain(&[
        "sweep",
        "failover",
        "--vary",
        "write_rate=50,100",
        "--metric",
        "writes.latency:p99",
        "--seeds",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["stat"], "p99");
    assert_eq!(v["seeds"], serde_json::json!([1, 2]));
    assert_eq!(v["rows"].as_array().unwrap().len(), 2);
    for (args, expected) in [
        (
            vec!["--vary", "write_rate=50,x", "--metric", "writes.acked"],
            "knob `write_rate`: expected a whole number, found `x`",
        ),
        (
            vec!["--vary", "write_rate=50", "--metric", "nope"],
            "lesson `failover` records no metric `nope`",
        ),
        (
            vec!["--vary", "write_rate=50", "--metric", "writes.acked:p99"],
            "`p99` does not apply to writes.acked, a counter",
        ),
        (
            vec![
                "--vary",
                "write_rate=50",
                "--metric",
                "writes.acked",
                "--during",
                "lunch",
            ],
            "lesson `failover` has no phase `lunch`; its phases are: primary-down, split",
        ),
        (
            vec!["--vary", "write_rate", "--metric", "writes.acked"],
            "is not a sweep: write it as KNOB=V1,V2,...",
        ),
    ] {
        let mut all = vec!["sweep", "failover"];
        all.extend(args);
        let o = splitbrain(&all);
        assert!(!o.status.success());
        assert!(stderr(&o).contains(expected), "{}", stderr(&o));
    }
}

#[test]
fn a_knob_set_on_the_command_line_that_the_script_changes_later_is_named() {
    let o = splitbrain(&[
        "run",
        "lost-update",
        "--set",
        "store_time=4ms",
        "--for",
        "1s",
    ]);
    assert!(
        stderr(&o).contains("sets store_time at 0s, 1m, which overrides --set store_time"),
        "{}",
        stderr(&o)
    );
    let o = splitbrain(&[
        "run",
        "lost-update",
        "--set",
        "strategy=atomic",
        "--for",
        "1s",
    ]);
    assert_eq!(stderr(&o), "", "strategy is not scripted");
    // A swept knob is pinned, so nothing is said about it; one set is.
    let o = splitbrain(&[
        "sweep",
        "lost-update",
        "--vary",
        "clients=1",
        "--set",
        "store_time=4ms",
        "--metric",
        "increments.done",
        "--during",
        "one-client",
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("sets store_time") && !err.contains("sets clients"),
        "{err}"
    );
}

#[test]
fn print_config_writes_the_defaults_as_a_file_that_reads_back() {
    use splitbrain::ui::config::{Config, parse};
    let o = splitbrain(&["--print-config"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("high-contrast") && text.contains("[keys]"),
        "{text}"
    );
    assert_eq!(parse(&text), Ok(Config::default()));
}

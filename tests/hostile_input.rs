//! What a user can hand the program, at its worst: damaged and edited
//! recordings, hostile strings, files that are not files, closed pipes and
//! full disks. Each gets a clear error or a correct result, never a panic
//! or a hang. The binary is the one built, or `SPLITBRAIN_BIN` if set (to
//! run these against another build).

use serde_json::Value;
use splitbrain::lesson::{Catalog, Run};
use splitbrain::sim::{Input, NodeSel, Time};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> String {
    std::env::var("SPLITBRAIN_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_splitbrain").into())
}

/// Runs the binary, killing it if it takes longer than `limit`.
fn splitbrain_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        let _ = out.read_to_end(&mut o);
        o
    });
    let ereader = std::thread::spawn(move || {
        let mut e = Vec::new();
        let _ = err.read_to_end(&mut e);
        e
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "`splitbrain {}` did not end within {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: reader.join().unwrap(),
        stderr: ereader.join().unwrap(),
    }
}

fn splitbrain(args: &[&str]) -> Output {
    splitbrain_within(args, Duration::from_secs(60))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory for one test.
fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("splitbrain-hostile-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

// ----- pipes and disks -----

#[test]
fn a_closed_pipe_ends_the_program_quietly_with_status_141() {
    for args in [
        &["run", "failover", "--trace"][..],
        // More than a pipe holds, so the writer meets the closed end.
        &["shot", "failover", "--at", "30s", "--size", "1000x300"][..],
    ] {
        let mut child = Command::new(bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one line, as `head -1` does, and go away.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let o = child.wait_with_output().unwrap();
        let e = stderr(&o);
        assert!(!e.contains("panicked"), "{args:?}: {e}");
        assert_eq!(e, "", "{args:?}");
        assert_eq!(o.status.code(), Some(141), "{args:?}");
    }
}

#[test]
fn a_full_disk_is_one_line_of_error() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in [&["run", "failover", "--trace"][..], &["list"][..]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = Command::new(bin())
            .args(args)
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(e.contains("No space left on device"), "{e}");
    }
}

// ----- recordings -----

/// A failover session with two inputs, as `lesson --record` writes it.
fn recording() -> Value {
    let lesson = Catalog::embedded().unwrap().get("failover").unwrap();
    let mut run = Run::new(lesson, 3, &[], false).unwrap();
    run.advance_to(Time::millis(7_300));
    run.input(Input::Crash(NodeSel::Id(1)));
    run.advance_to(Time::millis(9_100));
    run.input(Input::Isolate(NodeSel::Id(2)));
    run.advance_to(Time::secs(12));
    serde_json::to_value(run.recording()).unwrap()
}

/// Writes `v` as the recording file and replays it on `lesson`.
fn replay(dir: &Path, lesson: &str, v: &Value, extra: &[&str]) -> Output {
    let file = dir.join("session.json");
    std::fs::write(&file, serde_json::to_string_pretty(v).unwrap()).unwrap();
    let mut args = vec!["run", lesson, "--replay", path_str(&file)];
    args.extend(extra);
    splitbrain_within(&args, Duration::from_secs(30))
}

/// The error names the file, a line and a column, and says `what`.
fn assert_placed(o: &Output, what: &str) {
    assert!(!o.status.success(), "accepted: {}", stdout(o));
    let e = stderr(o);
    let first = e.lines().next().unwrap_or_default();
    let rest = first
        .split_once("session.json:")
        .unwrap_or_else(|| panic!("no file in: {e}"))
        .1;
    let mut parts = rest.splitn(3, ':');
    let line: usize = parts.next().unwrap().parse().expect("a line number");
    let col: usize = parts.next().unwrap().parse().expect("a column number");
    assert!(line > 1 && col >= 1, "{e}");
    assert!(e.contains(what), "expected `{what}` in: {e}");
}

#[test]
fn an_intact_recording_replays() {
    let dir = temp_dir("intact");
    let o = replay(&dir, "failover", &recording(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("virtual time 12s"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_recording_is_checked_against_its_lesson_with_positions() {
    let dir = temp_dir("edited");
    let base = recording();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v
    };
    // Renamed to another lesson, and replayed there.
    let v = edit(&|v| v["lesson"] = "lost-update".into());
    assert_placed(
        &replay(&dir, "lost-update", &v, &[]),
        "another version of lesson `lost-update`",
    );
    // A knob out of its range, a choice that is none, a knob that is not.
    let v = edit(&|v| v["knobs"]["write_rate"] = serde_json::json!({ "Int": 100_000_000 }));
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "knob `write_rate`: 100000000 is out of range",
    );
    let v = edit(&|v| v["knobs"]["replication"] = serde_json::json!({ "Choice": "bogus" }));
    assert_placed(&replay(&dir, "failover", &v, &[]), "knob `replication`");
    let v = edit(&|v| v["knobs"]["warp_drive"] = serde_json::json!({ "Bool": true }));
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "lesson `failover` has no knob `warp_drive`",
    );
    // A node that does not exist.
    let v =
        edit(&|v| v["log"]["inputs"][0]["input"] = serde_json::json!({ "Crash": { "Id": 99 } }));
    assert_placed(&replay(&dir, "failover", &v, &[]), "node 99 does not exist");
    // An input after the end, and one out of order.
    let v = edit(&|v| v["log"]["inputs"][1]["at"] = "99999s".into());
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "after the recording ends",
    );
    let v = edit(&|v| v["log"]["inputs"][1]["at"] = "1s".into());
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "inputs are in time order",
    );
    // An input said to come after more events than ever happen by its time.
    let v = edit(&|v| v["log"]["inputs"][1]["after_events"] = u64::MAX.into());
    let o = replay(&dir, "failover", &v, &[]);
    assert_placed(&o, "does not come from this run");
    // An input of a kind that does not exist.
    let v = edit(&|v| v["log"]["inputs"][0]["input"] = serde_json::json!({ "Explode": 1 }));
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "unknown variant `Explode`",
    );
    // Another version of the lesson.
    let v = edit(&|v| v["lesson_hash"] = "0123456789abcdef".into());
    assert_placed(
        &replay(&dir, "failover", &v, &[]),
        "another version of lesson `failover`",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_replay_stops_where_for_says_even_with_inputs_beyond() {
    let dir = temp_dir("for");
    let mut v = recording();
    v["until"] = "99999s".into();
    v["log"]["inputs"][1]["at"] = "99999s".into();
    let o = replay(&dir, "failover", &v, &["--for", "10s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("virtual time 10s"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----- strings that reach the terminal -----

#[test]
fn no_output_carries_a_control_character_from_the_input() {
    let hostile = "\u{1b}]0;PWNED\u{7}\u{1b}[2J";
    for args in [
        vec!["run", hostile],
        vec!["show", hostile],
        vec!["run", "failover", "--set", hostile],
        vec!["shot", "failover", "--keys", &format!("<{hostile}>")],
        vec!["check", hostile],
    ] {
        let o = splitbrain(&args);
        assert!(!o.status.success());
        for b in o.stdout.iter().chain(&o.stderr) {
            assert!(
                *b >= 0x20 || *b == b'\n' || *b == b'\t',
                "{args:?} wrote byte {b:#04x}: {:?}",
                stderr(&o)
            );
        }
    }
}

#[test]
fn a_lesson_with_a_terminal_escape_in_its_title_is_refused_everywhere() {
    let dir = temp_dir("escape");
    let text = std::fs::read_to_string("tests/lessons/valid/echo-everything.toml").unwrap();
    let text = text.replacen("title = \"", "title = \"\\u001b]0;PWNED\\u0007", 1);
    std::fs::write(dir.join("evil.toml"), text).unwrap();
    let o = splitbrain(&["check", path_str(&dir)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("evil.toml:") && stderr(&o).contains("control character U+001B"),
        "{}",
        stderr(&o)
    );
    let o = splitbrain(&["--lessons", path_str(&dir), "list"]);
    assert!(!o.status.success());
    assert!(!o.stdout.contains(&0x1b) && !o.stderr.contains(&0x1b));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----- lesson ids -----

#[test]
fn two_lessons_with_one_id_are_an_error_and_replacing_a_built_in_is_said() {
    let dir = temp_dir("ids");
    let text = std::fs::read_to_string("tests/lessons/valid/echo-everything.toml").unwrap();
    std::fs::write(dir.join("a.toml"), &text).unwrap();
    std::fs::write(dir.join("b.toml"), &text).unwrap();
    for args in [
        vec!["check", path_str(&dir)],
        vec!["--lessons", path_str(&dir), "list"],
    ] {
        let o = splitbrain(&args);
        assert!(
            !o.status.success(),
            "{args:?} accepted two lessons with one id"
        );
        let e = stderr(&o);
        assert!(
            e.contains("b.toml:") && e.contains("is already the id of"),
            "{e}"
        );
        assert!(e.contains("a.toml"), "{e}");
    }
    // One file replacing a built-in lesson is allowed, and `list` says so.
    std::fs::remove_file(dir.join("b.toml")).unwrap();
    let failover = std::fs::read_to_string("lessons/failover.toml").unwrap();
    let mine = failover.replacen("title = \"", "title = \"My ", 1);
    std::fs::write(dir.join("b.toml"), mine).unwrap();
    let o = splitbrain(&["--lessons", path_str(&dir), "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("failover "))
        .expect("failover listed");
    assert!(
        line.contains("My ") && line.contains("replacing the built-in lesson"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("failover ")).count(),
        1
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----- files that are not lesson files -----

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let dir = temp_dir("utf8");
    let f = dir.join("bad.toml");
    std::fs::write(&f, b"id = \"x\"\ntitle = \"caf\xc3\xa9 \xff\"\n").unwrap();
    let o = splitbrain(&["check", path_str(&f)]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("bad.toml:2:15: byte 0xff is not UTF-8"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn devices_pipes_and_huge_files_are_refused_without_reading_them() {
    let dir = temp_dir("special");
    let big = dir.join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(splitbrain::lesson::LESSON_LIMIT + 1).unwrap();
    let o = splitbrain_within(&["check", path_str(&big)], Duration::from_secs(20));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("more than the"), "{}", stderr(&o));
    if Path::new("/dev/zero").exists() {
        let o = splitbrain_within(&["check", "/dev/zero"], Duration::from_secs(20));
        assert!(!o.status.success());
        assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    }
    #[cfg(unix)]
    {
        let fifo = dir.join("pipe.toml");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let o = splitbrain_within(&["check", path_str(&fifo)], Duration::from_secs(20));
            assert!(
                stderr(&o).contains("a named pipe, not a regular file"),
                "{}",
                stderr(&o)
            );
            let o = splitbrain_within(
                &["run", "failover", "--replay", path_str(&fifo)],
                Duration::from_secs(20),
            );
            assert!(
                stderr(&o).contains("a named pipe, not a regular file"),
                "{}",
                stderr(&o)
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ----- messages -----

#[test]
fn messages_say_what_is_wrong() {
    let o = splitbrain(&["run", "failover", "--for", "1.5.5s"]);
    assert!(
        stderr(&o).contains("`1.5.5` in `1.5.5s` is not a number"),
        "{}",
        stderr(&o)
    );
    let o = splitbrain(&["shot", "failover", "--keys", "<"]);
    let e = stderr(&o);
    assert!(e.contains("no `>` closes") && !e.contains("<>"), "{e}");
    // A lone `>` and `<lt>` are keys.
    let o = splitbrain(&["shot", "failover", "--keys", "><lt>"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn check_warns_about_a_lesson_no_one_can_sit_through() {
    let dir = temp_dir("long");
    let text = std::fs::read_to_string("tests/lessons/valid/echo-everything.toml").unwrap();
    let long = text
        .lines()
        .map(|l| {
            if l.starts_with("length = ") {
                "length = \"100000h\""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.join("long.toml"), long).unwrap();
    let o = splitbrain(&["check", path_str(&dir)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("long.toml:") && e.contains("warning:"), "{e}");
    // The built-in lessons earn no warning.
    let o = splitbrain(&["check"]);
    assert_eq!(stderr(&o), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_long_run_shows_no_progress_bar_when_not_on_a_terminal() {
    // Output to a pipe stays exactly the report, however long the run.
    let o = splitbrain(&["run", "failover", "--for", "20m"]);
    assert!(o.status.success());
    assert_eq!(stderr(&o), "");
    assert!(stdout(&o).starts_with("lesson failover"));
}

//! A lesson's session kept from last time, continued: read back from beside
//! the progress file, checked as strictly as `--replay` checks a recording,
//! and made again up to where it stopped. A file that is not there means
//! nothing to continue; one that cannot be continued says why in a line and
//! the lesson starts fresh.

use crate::lesson::{Lesson, RECORDING_LIMIT, Recording, parse_recording, read_source};
use crate::ui::session::Session;
use crate::ui::text::clock_tenths;
use std::path::Path;
use std::sync::Arc;

/// The session kept at `path`, continued; `None` when there is none.
pub(super) fn resume(path: &Path, lesson: &Arc<Lesson>) -> Option<Result<Session, String>> {
    if !path.exists() {
        return None;
    }
    let fail = |why: String| {
        format!("your last session of this lesson cannot be continued ({why}); starting fresh")
    };
    let text = match read_source(path, RECORDING_LIMIT) {
        Ok(text) => text,
        Err(e) => return Some(Err(fail(e.to_string()))),
    };
    let label = path.display().to_string();
    let recording = match parse_recording(&label, &text, lesson) {
        Ok(r) => r,
        Err(errors) => {
            let first = errors.first().map_or(String::new(), |e| e.to_string());
            return Some(Err(fail(first)));
        }
    };
    Some(
        Session::resumed(lesson.clone(), &recording)
            .map(|mut s| {
                s.status = Some(continued(&recording));
                s
            })
            .map_err(fail),
    )
}

/// What the status line says of a continued session.
fn continued(r: &Recording) -> String {
    let mut line = format!(
        "continued your last session at {} · seed {}",
        clock_tenths(r.until),
        r.seed
    );
    let inputs = r.log.inputs.len();
    if inputs > 0 {
        line += &format!(
            " · {inputs} input{} replayed",
            if inputs == 1 { "" } else { "s" }
        );
    }
    line + " · space runs on, r starts over from 0s"
}

#[cfg(test)]
mod tests {
    use super::super::App;
    use crate::lesson::{Catalog, ProgressStore};
    use crate::sim::{Input, KnobValue, NodeSel, Time};
    use crate::ui::session::Control;
    use crate::ui::theme::Theme;
    use std::path::PathBuf;
    use std::time::Duration;

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("splitbrain-kept-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn app(dir: &std::path::Path) -> App {
        App::new(
            Catalog::embedded().unwrap(),
            ProgressStore::open(dir.join("progress.json")),
            Theme::default(),
        )
    }

    /// Opens failover, crashes n1, sets a knob and runs to 12 s: the session
    /// that is kept.
    fn a_session(dir: &std::path::Path) -> (crate::lesson::Recording, u64) {
        let mut a = app(dir);
        a.open("failover", None, &[]).unwrap();
        let s = a.session_mut().unwrap();
        s.run.advance_to(Time::secs(4));
        s.apply(Control::Input(Input::Crash(NodeSel::Id(0))));
        s.apply(Control::Input(Input::Knob {
            name: "heartbeat".into(),
            value: KnobValue::Duration(Time::millis(80)),
        }));
        s.run.advance_to(Time::secs(12));
        // What the loop does as time goes: the kept file follows.
        a.tick(Duration::from_secs(2));
        let rec = a.recording().unwrap();
        let events = a.session().unwrap().run.cluster().trace().end();
        (rec, events)
    }

    #[test]
    fn a_lesson_opened_again_continues_where_it_stopped() {
        let dir = temp_dir("continue");
        let (rec, events) = a_session(&dir);
        let mut again = app(&dir);
        again.open("failover", None, &[]).unwrap();
        let s = again.session().unwrap();
        assert!(s.paused);
        assert_eq!(s.run.recording(), rec);
        assert_eq!(s.run.cluster().trace().end(), events);
        let status = s.status.clone().unwrap();
        assert!(
            status.starts_with("continued your last session at "),
            "{status}"
        );
        assert!(status.contains("2 inputs replayed"), "{status}");
        // The same run as one made straight, to the event.
        let mut straight =
            crate::ui::session::Session::resumed(again.catalog.get("failover").unwrap(), &rec)
                .unwrap();
        straight.run.advance_to(rec.until);
        assert_eq!(
            straight.run.cluster().trace().end(),
            s.run.cluster().trace().end()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fresh_or_a_seed_starts_at_zero() {
        let dir = temp_dir("fresh");
        a_session(&dir);
        let mut again = app(&dir);
        again.open_as("failover", None, &[], true).unwrap();
        assert_eq!(again.session().unwrap().run.cluster().now(), Time::ZERO);
        // and the fresh session is the one kept now
        let mut third = app(&dir);
        third.open("failover", None, &[]).unwrap();
        assert_eq!(third.session().unwrap().run.cluster().now(), Time::ZERO);
        let mut seeded = app(&dir);
        seeded.open("failover", Some(9), &[]).unwrap();
        assert_eq!(seeded.session().unwrap().run.seed(), 9);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_kept_session_says_why_and_starts_fresh() {
        let dir = temp_dir("damaged");
        let (_, _) = a_session(&dir);
        let path = dir.join("sessions").join("failover.json");
        let text = std::fs::read_to_string(&path).unwrap();
        for bad in [
            text.replace("\"seed\"", "\"sed\""),
            text[..text.len() / 2].to_string(),
            text.replace("\"lesson_hash\": \"", "\"lesson_hash\": \"0"),
        ] {
            std::fs::write(&path, &bad).unwrap();
            let mut again = app(&dir);
            again.open("failover", None, &[]).unwrap();
            let s = again.session().unwrap();
            assert_eq!(s.run.cluster().now(), Time::ZERO);
            let status = s.status.clone().unwrap();
            assert!(status.contains("cannot be continued"), "{status}");
            assert!(status.contains("failover.json:"), "{status}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

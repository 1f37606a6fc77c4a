//! The playground in a real (pseudo-)terminal, as a user runs it: two of
//! them on one data directory, a session recorded as it goes, Ctrl-Z and
//! SIGTSTP then `fg`, SIGQUIT. The binary is the one built, or
//! `SPLITBRAIN_BIN` if set (to run these against another build).
#![cfg(unix)]

use std::ffi::CStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bin() -> String {
    std::env::var("SPLITBRAIN_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_splitbrain").into())
}

/// A program running on its own pseudo-terminal of 120×40 cells.
struct Pty {
    child: Child,
    master: File,
    output: Arc<Mutex<Vec<u8>>>,
}

fn check(r: libc::c_int, what: &str) -> libc::c_int {
    assert!(r >= 0, "{what}: {}", std::io::Error::last_os_error());
    r
}

impl Pty {
    fn spawn(args: &[&str], data_dir: &Path) -> Pty {
        // SAFETY: plain libc calls on descriptors this function owns; the
        // name returned by ptsname_r is copied before use.
        let (master, slave) = unsafe {
            let m = check(
                libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY),
                "posix_openpt",
            );
            check(libc::grantpt(m), "grantpt");
            check(libc::unlockpt(m), "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            check(
                libc::ptsname_r(m, name.as_mut_ptr(), name.len()),
                "ptsname_r",
            );
            let s = check(
                libc::open(
                    CStr::from_ptr(name.as_ptr()).as_ptr(),
                    libc::O_RDWR | libc::O_NOCTTY,
                ),
                "open slave",
            );
            let size = libc::winsize {
                ws_row: 40,
                ws_col: 120,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            check(libc::ioctl(m, libc::TIOCSWINSZ, &size), "TIOCSWINSZ");
            (File::from_raw_fd(m), OwnedFd::from_raw_fd(s))
        };
        let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().unwrap());
        let mut cmd = Command::new(bin());
        cmd.args(args)
            .env("SPLITBRAIN_DATA_DIR", data_dir)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .stdin(stdio(&slave))
            .stdout(stdio(&slave))
            .stderr(stdio(&slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("the binary runs");
        drop(slave);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            child,
            master,
            output,
        }
    }

    fn pid(&self) -> libc::pid_t {
        self.child.id() as libc::pid_t
    }

    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: a signal to our own child.
        check(unsafe { libc::kill(self.pid(), sig) }, "kill");
    }

    /// Everything written to the terminal from `from` on.
    fn output_from(&self, from: usize) -> String {
        let o = self.output.lock().unwrap();
        String::from_utf8_lossy(&o[from.min(o.len())..]).into_owned()
    }

    fn output_len(&self) -> usize {
        self.output.lock().unwrap().len()
    }

    /// Waits until what was written from `from` on contains `needle`.
    fn wait_for(&self, from: usize, needle: &str, what: &str) {
        wait(what, || self.output_from(from).contains(needle));
    }

    /// The process state letter from /proc (`T` when stopped), if Linux.
    fn state(&self) -> Option<char> {
        let s = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        s.rsplit(')').next()?.trim().chars().next()
    }

    /// Puts the terminal in line mode, as a shell does when a job stops.
    fn set_line_mode(&self) {
        // SAFETY: changes the settings of the terminal this struct owns.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            check(
                libc::tcgetattr(self.master.as_raw_fd(), &mut t),
                "tcgetattr",
            );
            t.c_lflag |= libc::ICANON | libc::ECHO;
            check(
                libc::tcsetattr(self.master.as_raw_fd(), libc::TCSANOW, &t),
                "tcsetattr",
            );
        }
    }

    /// Whether the terminal is in line mode (canonical input, echo).
    fn line_mode(&self) -> bool {
        // SAFETY: reads the settings of the terminal this struct owns.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            check(
                libc::tcgetattr(self.master.as_raw_fd(), &mut t),
                "tcgetattr",
            );
            t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
        }
    }

    fn wait_exit(&mut self) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the program did not end"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("splitbrain-tty-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The title bar every lesson screen draws.
const DRAWN: &str = "splitbrain";
const LEAVE_ALTERNATE: &str = "\u{1b}[?1049l";
const ENTER_ALTERNATE: &str = "\u{1b}[?1049h";
const MOUSE_OFF: &str = "\u{1b}[?1000l";
const MOUSE_ON: &str = "\u{1b}[?1000h";
const CURSOR_SHOWN: &str = "\u{1b}[?25h";

fn hints_used(progress: &serde_json::Value, lesson: &str) -> u64 {
    progress["lessons"][lesson]["hints_used"]
        .as_u64()
        .unwrap_or(0)
}

fn read_json(path: &Path) -> serde_json::Value {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null)
}

#[test]
fn two_playgrounds_on_one_data_directory_keep_both_their_progress() {
    let data = temp_dir("two");
    let file = data.join("progress.json");
    let mut a = Pty::spawn(&["lesson", "flaky-dependency"], &data);
    a.wait_for(0, DRAWN, "the first playground to draw");
    let mut b = Pty::spawn(&["lesson", "failover"], &data);
    b.wait_for(0, DRAWN, "the second playground to draw");
    // Each uses a hint while the other is open.
    a.send("h");
    wait("the first hint to be saved", || {
        hints_used(&read_json(&file), "flaky-dependency") == 1
    });
    b.send("h");
    wait("the second hint to be saved", || {
        hints_used(&read_json(&file), "failover") == 1
    });
    a.send("q");
    b.send("q");
    assert!(a.wait_exit().success());
    assert!(b.wait_exit().success());
    let p = read_json(&file);
    assert_eq!(hints_used(&p, "flaky-dependency"), 1, "{p}");
    assert_eq!(hints_used(&p, "failover"), 1, "{p}");
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_recording_is_on_disk_as_the_session_goes_and_survives_a_kill() {
    let data = temp_dir("record");
    let file = data.join("session.json");
    let mut p = Pty::spawn(
        &["lesson", "failover", "--record", file.to_str().unwrap()],
        &data,
    );
    p.wait_for(0, DRAWN, "the playground to draw");
    p.send("c");
    let crashed = |v: &serde_json::Value| {
        v["log"]["inputs"]
            .as_array()
            .is_some_and(|i| i.iter().any(|i| i["input"].get("Crash").is_some()))
    };
    wait("the crash to be recorded", || crashed(&read_json(&file)));
    // Killed outright: nothing runs on the way out.
    p.signal(libc::SIGKILL);
    p.wait_exit();
    let v = read_json(&file);
    assert!(crashed(&v), "{v}");
    let o = Command::new(bin())
        .args(["run", "failover", "--replay", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_recording_that_cannot_be_written_is_refused_at_the_start() {
    let data = temp_dir("norecord");
    let o = Command::new(bin())
        .args(["lesson", "failover", "--record", "/nonexistent/x.json"])
        .env("SPLITBRAIN_DATA_DIR", &data)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("cannot record to /nonexistent/x.json"), "{e}");
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn suspending_gives_the_terminal_back_and_fg_takes_it_again() {
    let data = temp_dir("suspend");
    let mut p = Pty::spawn(&["lesson", "failover"], &data);
    p.wait_for(0, DRAWN, "the playground to draw");
    assert!(!p.line_mode());
    // SIGTSTP, as `kill -TSTP` sends it, and Ctrl-Z, as a key in raw mode.
    for how in ["SIGTSTP", "Ctrl-Z"] {
        let from = p.output_len();
        match how {
            "SIGTSTP" => p.signal(libc::SIGTSTP),
            _ => p.send("\u{1a}"),
        }
        wait(&format!("{how} to stop the program"), || {
            p.state() == Some('T')
        });
        // (The reader may not have caught up with the program yet.)
        p.wait_for(from, CURSOR_SHOWN, "the terminal to be given back");
        let given_back = p.output_from(from);
        assert!(
            given_back.contains(LEAVE_ALTERNATE),
            "{how}: {given_back:?}"
        );
        assert!(given_back.contains(MOUSE_OFF), "{how}: {given_back:?}");
        assert!(p.line_mode(), "{how}: the terminal is left in raw mode");
        // `fg`: continued, the screen is taken again and drawn whole.
        let from = p.output_len();
        p.signal(libc::SIGCONT);
        p.wait_for(from, ENTER_ALTERNATE, "the alternate screen again");
        p.wait_for(from, DRAWN, "a redraw");
        wait("raw mode again", || !p.line_mode());
        assert_ne!(p.state(), Some('T'));
    }
    // SIGSTOP cannot be caught: the shell takes the terminal back to line
    // mode, and `fg` must set it up again all the same.
    p.signal(libc::SIGSTOP);
    wait("SIGSTOP to stop the program", || p.state() == Some('T'));
    p.set_line_mode();
    let from = p.output_len();
    p.signal(libc::SIGCONT);
    p.wait_for(from, DRAWN, "a redraw after SIGSTOP");
    wait("raw mode after SIGSTOP", || !p.line_mode());
    // And it still answers keys: `q` quits without Enter.
    p.send("q");
    assert!(p.wait_exit().success());
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn the_mouse_can_be_left_to_the_terminal_and_taken_again() {
    let data = temp_dir("mouse");
    let mut p = Pty::spawn(&["lesson", "failover", "--no-mouse"], &data);
    p.wait_for(0, DRAWN, "the playground to draw");
    assert!(
        !p.output_from(0).contains(MOUSE_ON),
        "--no-mouse took the mouse"
    );
    // `M` takes it, and says so; `M` again gives it back.
    let from = p.output_len();
    p.send("M");
    p.wait_for(from, MOUSE_ON, "the mouse to be taken");
    p.wait_for(from, "mouse on", "the status line to say so");
    let from = p.output_len();
    p.send("M");
    p.wait_for(from, MOUSE_OFF, "the mouse to be given back");
    p.send("q");
    assert!(p.wait_exit().success());
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn sigquit_restores_the_terminal() {
    let data = temp_dir("quit");
    let mut p = Pty::spawn(&["lesson", "failover"], &data);
    p.wait_for(0, DRAWN, "the playground to draw");
    let from = p.output_len();
    p.signal(libc::SIGQUIT);
    p.wait_exit();
    p.wait_for(from, CURSOR_SHOWN, "the cursor to be shown again");
    let out = p.output_from(from);
    assert!(out.contains(LEAVE_ALTERNATE), "{out:?}");
    assert!(out.contains(MOUSE_OFF), "{out:?}");
    assert!(p.line_mode());
    std::fs::remove_dir_all(&data).unwrap();
}

#[test]
fn a_long_headless_run_shows_a_progress_bar_on_a_terminal() {
    let data = temp_dir("bar");
    let p = Pty::spawn(&["run", "failover", "--for", "100000h"], &data);
    // It appears after a second, counting virtual time.
    p.wait_for(0, "of 100000:00:00 virtual", "the progress bar");
    assert_eq!(p.output_from(0).matches("lesson failover").count(), 0);
    std::fs::remove_dir_all(&data).unwrap();
}

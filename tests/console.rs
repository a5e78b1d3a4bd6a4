//! contain's console and inject's pseudo-terminal (SPEC §5.5 Console, §5.6;
//! issue 12), driven on a pseudo-terminal of the tests' own
//! (`common::pty`), as root and as an unprivileged caller.
//!
//! Every check types keys and waits for a marker the shell computes
//! (`echo M-$((6*7))` shows `M-42`, which the typed text does not contain),
//! so what is matched is output, never the terminal's echo of the input.
mod common;

use common::pty::{CTRL_BACKSLASH, CTRL_C, CTRL_RIGHT_BRACKET, CTRL_Z};
use common::*;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

/// The caller's TERM in every run (distinct, so finding it inside proves
/// where it came from).
const TERM: &str = "xterm-ucontain-test";

fn env() -> [(&'static str, &'static str); 2] {
    [("TERM", TERM), ("PS1", "$ ")]
}

/// `contain [OPTS] ROOT CMD...` on a new terminal, as `caller`, through a
/// shell that turns off core files (an init killed by SIGSEGV makes contain
/// end itself by it). The terminal's command is the supervisor itself.
fn contain_on_pty(caller: Caller, opts: &[&str], root: &TempDir, cmd: &[&str]) -> Pty {
    let bin = bin_str();
    let mut argv = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh", bin.as_str(), "contain"];
    argv.extend_from_slice(opts);
    argv.push(root.str());
    argv.extend_from_slice(cmd);
    Pty::spawn_as(caller, &argv, &env())
}

/// `inject [OPTS] PID CMD...` on a new terminal, as `caller`.
fn inject_on_pty(caller: Caller, opts: &[&str], pid: u32, cmd: &[&str]) -> Pty {
    let bin = bin_str();
    let pid = pid.to_string();
    let mut argv = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh", bin.as_str(), "inject"];
    argv.extend_from_slice(opts);
    argv.push(&pid);
    argv.extend_from_slice(cmd);
    Pty::spawn_as(caller, &argv, &env())
}

/// Wait until the relay has put the caller's terminal in raw mode.
#[track_caller]
fn wait_raw(pty: &Pty, what: &str) {
    if poll_until(TIMEOUT, || pty.termios().is_raw().then_some(())).is_none() {
        panic!("{what}: the caller's terminal never went raw (no console?)\n{}", pty.transcript());
    }
}

/// Type `cmd` into the shell on `pty`, then wait for `marker` (computed
/// output: give it as it prints, e.g. `M-42` for `echo M-$((6*7))`).
#[track_caller]
fn shell(pty: &mut Pty, cmd: &str, marker: &str) -> String {
    pty.line(cmd);
    pty.expect(marker)
}

/// The lines the terminal showed, without carriage returns.
fn clean(s: &str) -> String {
    s.replace('\r', "")
}

fn code(status: std::process::ExitStatus) -> (Option<i32>, Option<i32>) {
    (status.code(), status.signal())
}

/// At the shell prompt on `pty`: start a foreground job that traps
/// SIGWINCH, resize the terminal to `rows` x `cols`, and see the trap run.
#[track_caller]
fn winch_reaches_the_foreground_job(pty: &mut Pty, rows: u16, cols: u16) {
    pty.line("sh -c 'trap \"echo W-\\$((2+3)); exit 0\" WINCH; while :; do sleep 0.1; done'");
    pty.wait_foreground("sleep");
    pty.resize(rows, cols);
    assert_eq!(pty.size(), (rows, cols));
    pty.expect("W-5");
}

// ---- the driver itself, on busybox sh directly ----

#[test]
fn driver_runs_busybox_sh_with_job_control_signals_and_resize() {
    let mut pty = Pty::spawn(&["/bin/busybox", "sh", "-i"], &env());
    let pid = pty.pid();
    // The shell is the session leader, the terminal's foreground group, and
    // `tty` names the slave.
    let tty = shell(&mut pty, "tty; echo M-$((6*7))", "M-42");
    assert!(clean(&tty).contains(&format!("\n{}\n", pty.slave_path().display())), "{tty:?}");
    assert_eq!(pty.foreground(), pid);
    // Job control: a background job, jobs, fg, Ctrl-Z.
    shell(&mut pty, "sleep 100 &", "$ ");
    let jobs = shell(&mut pty, "jobs; echo J-$((1+1))", "J-2");
    assert!(jobs.contains("[1]+  Running"), "{jobs:?}");
    pty.line("fg");
    pty.wait_foreground("sleep");
    pty.write(CTRL_Z);
    pty.expect("Stopped");
    let jobs = shell(&mut pty, "jobs; echo J-$((2+1))", "J-3");
    assert!(jobs.contains("[1]+  Stopped"), "{jobs:?}");
    shell(&mut pty, "kill -9 %1; wait; echo K-$((3+1))", "K-4");
    // Ctrl-C and Ctrl-\ interrupt a foreground job, not the shell.
    pty.line("sleep 100");
    pty.wait_foreground("sleep");
    pty.write(CTRL_C);
    shell(&mut pty, "echo S-$?", "S-130");
    pty.line("sleep 100");
    pty.wait_foreground("sleep");
    pty.write(CTRL_BACKSLASH);
    shell(&mut pty, "echo Q-$?", "Q-131");
    // A resize reaches the foreground job as SIGWINCH, and stty sees it.
    let size = shell(&mut pty, "stty size; echo Z-$((4*4))", "Z-16");
    assert!(clean(&size).contains("\n24 80\n"), "{size:?}");
    winch_reaches_the_foreground_job(&mut pty, 33, 101);
    let size = shell(&mut pty, "stty size; echo Y-$((5*5))", "Y-25");
    assert!(clean(&size).contains("\n33 101\n"), "{size:?}");
    pty.line("exit 7");
    assert_eq!(code(pty.wait()), (Some(7), None));
    // busybox restores what its line editing changed.
    pty.assert_settings_restored("busybox sh");
    assert_eq!(pty.input_queue(), 0);
}

#[test]
fn driver_sees_raw_mode_and_an_unread_input_queue() {
    // stty raw changes the settings; the driver notices; nothing reads the
    // byte typed after the command ended, so it waits in the input queue.
    let mut pty = Pty::spawn(&["/bin/sh", "-c", "stty raw -echo; echo R-$((9*9))"], &env());
    pty.expect("R-81");
    assert_eq!(code(pty.wait()), (Some(0), None));
    assert!(pty.termios().is_raw());
    assert_ne!(pty.termios(), pty.initial_termios());
    pty.write("x");
    assert_eq!(poll_until(TIMEOUT, || (pty.input_queue() == 1).then_some(1)), Some(1));
}

#[test]
fn driver_runs_an_unprivileged_caller_on_a_terminal_it_owns() {
    let mut pty = Pty::spawn_as(Caller::Unprivileged, &["/bin/busybox", "sh", "-c", "id -u; tty; echo U-$((7*6))"], &env());
    let out = clean(&pty.expect("U-42"));
    assert!(out.starts_with(&format!("{UID}\n{}\n", pty.slave_path().display())), "{out:?}");
    assert_eq!(code(pty.wait()), (Some(0), None));
}

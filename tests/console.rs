//! contain's console and inject's pseudo-terminal (SPEC §5.5 Console, §5.6;
//! issue 12), driven on a pseudo-terminal of the tests' own
//! (`common::pty`), as root and as an unprivileged caller.
//!
//! Every check types keys and waits for a marker the shell computes
//! (`echo M-$((6*7))` shows `M-42`, which the typed text does not contain),
//! so what is matched is output, never the terminal's echo of the input.
mod common;

use common::pty::{descendants, CTRL_BACKSLASH, CTRL_C, CTRL_D, CTRL_RIGHT_BRACKET, CTRL_Z};
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
    let mut pty =
        Pty::spawn_as(Caller::Unprivileged, &["/bin/busybox", "sh", "-c", "id -u; tty; echo U-$((7*6))"], &env());
    let out = clean(&pty.expect("U-42"));
    assert!(out.starts_with(&format!("{UID}\n{}\n", pty.slave_path().display())), "{out:?}");
    assert_eq!(code(pty.wait()), (Some(0), None));
}

// ---- shared checks, for contain's console and inject's pty ----

/// How long the relay may take to put the caller's terminal in raw mode
/// (a hang guard for one step, so a binary without a console fails in
/// seconds rather than at `TIMEOUT`; never a timing assertion).
const RAW_WAIT: Duration = Duration::from_secs(20);

/// Wait until the relay has put the caller's terminal in raw mode.
#[track_caller]
fn wait_raw(pty: &Pty, what: &str) {
    if poll_until(RAW_WAIT, || pty.termios().is_raw().then_some(())).is_none() {
        panic!(
            "{what}: the caller's terminal did not go raw within {RAW_WAIT:?} (no console relay?)\n{}",
            pty.transcript()
        );
    }
}

/// The shell on `pty` is on a terminal other than the caller's (a relay is
/// between them; without one, an interactive shell's own line editing
/// would make the caller's terminal look raw too).
#[track_caller]
fn assert_on_a_terminal_inside(pty: &mut Pty, what: &str) {
    let out = clean(&shell(pty, "echo \"T-$(stat -L -c '%d %t:%T' /proc/$$/fd/0)-$((6*6))\"", "-36"));
    let line = out.lines().rev().find(|l| l.starts_with("T-") && l.ends_with("-36")).unwrap_or("");
    let inner = line.trim_start_matches("T-").trim_end_matches("-36");
    assert!(!inner.is_empty(), "{what}: no terminal inside:\n{out}");
    assert_ne!(inner, outer_id(pty), "{what}: the shell inside is on the caller's terminal (no relay)");
}

/// An interactive shell is running on `pty` (inside, through the relay):
/// job control, Ctrl-Z, Ctrl-C and Ctrl-\ act inside and leave the relay
/// (`pty.pid()`) running; then `exit` ends it with status 0.
#[track_caller]
fn job_control(pty: &mut Pty, what: &str) {
    wait_raw(pty, what);
    assert_on_a_terminal_inside(pty, what);
    let sup = pty.pid();
    let alive = |pty: &mut Pty, after: &str| {
        assert_eq!(pty.try_wait(), None, "{what}: {after} ended the relay:\n{}", pty.transcript());
        assert_ne!(proc_state(sup), Some('T'), "{what}: {after} stopped the relay");
    };
    shell(pty, "sleep 100 &", "\n");
    let jobs = shell(pty, "jobs; echo J-$((1+1))", "J-2");
    assert!(jobs.contains("[1]+  Running"), "{what}: jobs:\n{jobs:?}");
    pty.line("fg");
    pty.wait_foreground("sleep");
    pty.write(CTRL_Z);
    pty.expect("Stopped");
    alive(pty, "Ctrl-Z");
    let jobs = shell(pty, "jobs; echo J-$((2+1))", "J-3");
    assert!(jobs.contains("[1]+  Stopped"), "{what}: jobs after Ctrl-Z:\n{jobs:?}");
    shell(pty, "kill -9 %1; wait; echo K-$((3+1))", "K-4");
    pty.line("sleep 100");
    pty.wait_foreground("sleep");
    pty.write(CTRL_C);
    shell(pty, "echo S-$?", "S-130");
    alive(pty, "Ctrl-C");
    pty.line("sleep 100");
    pty.wait_foreground("sleep");
    pty.write(CTRL_BACKSLASH);
    shell(pty, "echo Q-$?", "Q-131");
    alive(pty, "Ctrl-\\");
    pty.line("exit 0");
    assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
    pty.assert_settings_restored(what);
}

/// A shell is running on `pty`, inside: `stty size` follows the caller's
/// terminal, and its foreground job gets SIGWINCH.
#[track_caller]
fn resize(pty: &mut Pty, what: &str) {
    wait_raw(pty, what);
    assert_on_a_terminal_inside(pty, what);
    let size = shell(pty, "stty size; echo Z-$((4*4))", "Z-16");
    assert!(clean(&size).contains("\n24 80\n"), "{what}: {size:?}");
    winch_reaches_the_foreground_job(pty, 33, 101);
    let size = shell(pty, "stty size; echo Y-$((5*5))", "Y-25");
    assert!(clean(&size).contains("\n33 101\n"), "{what}: {size:?}");
    pty.line("exit 0");
    assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
    pty.assert_settings_restored(what);
}

/// The `tests/tiocsti.c` output on `pty` (it has ended): fds 0, 1, 2 and
/// /dev/tty are terminals other than the caller's, and nothing waits in
/// the caller's input queue.
#[track_caller]
fn tiocsti_stays_inside(pty: &mut Pty, what: &str) {
    // The whole last line, so nothing is still on its way to the reader.
    let out = clean(&(pty.expect("\ntty ") + &pty.expect("\n")));
    let outer = pty.slave_id();
    assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
    let text = clean(&pty.transcript());
    for fd in ["fd0", "fd1", "fd2"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{fd} ")))
            .unwrap_or_else(|| panic!("{what}: no {fd} line:\n{out}"));
        assert!(line.starts_with(&format!("{fd} dev=")), "{what}: {fd} is not a terminal: {line}");
        assert!(!line.starts_with(&format!("{fd} {outer} ")), "{what}: {fd} is the caller's terminal: {line}");
    }
    let tty = text.lines().find(|l| l.starts_with("tty ")).unwrap();
    assert!(!tty.starts_with(&format!("tty {outer} ")), "{what}: /dev/tty is the caller's terminal: {tty}");
    assert_eq!(pty.input_queue(), 0, "{what}: a byte reached the caller's terminal");
    pty.assert_settings_restored(what);
}

/// What TIOCSTI says on a terminal that is not the caller's controlling
/// terminal, for a process without CAP_SYS_ADMIN on the host.
fn tiocsti_refused() -> &'static str {
    match std::fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti") {
        Ok(s) if s.trim() == "0" => "Input/output error",
        _ => "Operation not permitted",
    }
}

/// A shell loop printing every fd of every process it can see as
/// `fd /proc/PID/fd/N DEV MAJOR:MINOR TARGET` (`stat -L`: st_dev decimal,
/// st_rdev in hex; `- -` where it cannot stat), then `E-2`.
const LIST_FDS: &str = "for f in /proc/[0-9]*/fd/*; do \
     echo \"fd $f $(stat -L -c '%d %t:%T' \"$f\" 2>/dev/null || echo - -) $(readlink \"$f\")\"; done; \
     echo E-$((1+1))";

/// One line of `LIST_FDS`.
#[derive(Debug)]
struct FdLine {
    pid: String,
    fd: String,
    id: String,
    target: String,
}

fn fd_lines(out: &str) -> Vec<FdLine> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.strip_prefix("fd /proc/")?.splitn(4, ' ').collect();
            let (pid, fd) = f.first()?.split_once("/fd/")?;
            Some(FdLine {
                pid: pid.to_string(),
                fd: fd.to_string(),
                id: format!("{} {}", f.get(1)?, f.get(2)?),
                target: f.get(3).unwrap_or(&"").to_string(),
            })
        })
        .collect()
}

/// A descriptor the listing shell itself holds while it lists (the glob's
/// directory, gone by the time of `stat`; a command substitution's pipe,
/// gone by the time of `readlink`, which then prints no target).
fn transient(f: &FdLine) -> bool {
    f.fd.parse::<u32>().unwrap_or(0) >= 3 && (f.id == "- -" || f.target.starts_with("pipe:") || f.target.is_empty())
}

/// `pty`'s slave as `LIST_FDS` prints a device: `DEV MAJOR:MINOR` (hex).
fn outer_id(pty: &Pty) -> String {
    let id = pty.slave_id();
    let (dev, rdev) = id.strip_prefix("dev=").unwrap().split_once(" rdev=").unwrap();
    let (major, minor) = rdev.split_once(':').unwrap();
    format!("{dev} {:x}:{:x}", major.parse::<u32>().unwrap(), minor.parse::<u32>().unwrap())
}

/// A root filesystem with the TIOCSTI probe at /tiocsti and the SIGSEGV
/// program at /segv.
fn console_rootfs() -> TempDir {
    let root = rootfs();
    cc_static(&root, "tiocsti");
    cc_static(&root, "segv");
    root
}

/// How a run on the terminal ends, for the settings-restored table.
#[derive(Clone, Copy, Debug)]
enum End {
    /// By itself.
    Itself,
    /// The relay is sent this signal once the terminal is raw.
    Signal(i32),
    /// Ctrl-] three times at once, once the terminal is raw.
    CtrlBracket3,
}

/// One row: what, CMD, how it ends, (exit code, signal), a line the
/// terminal must show (empty: none).
type Row = (&'static str, &'static [&'static str], End, (Option<i32>, Option<i32>), &'static str);

#[track_caller]
fn settings_restored(pty: &mut Pty, end: End, want: (Option<i32>, Option<i32>), shows: &str, what: &str) {
    match end {
        End::Itself => {}
        End::Signal(sig) => {
            wait_raw(pty, what);
            // Once CMD runs (the rows that signal run `sleep 100`).
            pty.wait_foreground("sleep");
            assert!(signal_pid(pty.pid(), sig), "{what}: cannot signal the relay");
        }
        End::CtrlBracket3 => {
            wait_raw(pty, what);
            pty.wait_foreground("sleep");
            pty.write([CTRL_RIGHT_BRACKET, CTRL_RIGHT_BRACKET, CTRL_RIGHT_BRACKET].concat());
        }
    }
    let Some(status) = poll_until(TIMEOUT, || pty.try_wait()) else {
        panic!("hang guard: {what}: did not end within {TIMEOUT:?}\n{}", pty.transcript())
    };
    assert_eq!(code(status), want, "{what}:\n{}", pty.transcript());
    if !shows.is_empty() {
        // The relay's last output may still be on its way from the master
        // to the harness's reader thread when the command has ended.
        let shown = || clean(&pty.transcript()).lines().any(|l| l == shows).then_some(());
        assert!(
            poll_until(Duration::from_secs(5), shown).is_some(),
            "{what}: no line {shows:?}:\n{}",
            pty.transcript()
        );
    }
    pty.assert_settings_restored(what);
}

// ---- contain's console ----

#[test]
fn contain_console_is_dev_console_owned_by_root_inside() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let mut pty =
            contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", "tty; ls -ln /dev/console; echo E-$((1+1))"]);
        let out = clean(&pty.expect("E-2"));
        assert_eq!(code(pty.wait()), (Some(0), None), "{caller:?}:\n{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.first(), Some(&"/dev/console"), "{caller:?}: tty inside:\n{out}");
        let ls: Vec<&str> = lines.get(1).unwrap_or(&"").split_whitespace().collect();
        assert!(ls.len() > 3 && ls[0].starts_with('c'), "{caller:?}: /dev/console is not a character device:\n{out}");
        assert_eq!(ls[2], "0", "{caller:?}: /dev/console is not owned by root inside:\n{out}");
        pty.assert_settings_restored(&format!("{caller:?}"));
    }
}

#[test]
fn contain_shell_has_job_control_and_keys_go_inside() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh"]);
        job_control(&mut pty, &format!("contain, {caller:?}"));
    }
}

#[test]
fn contain_console_follows_the_callers_window_size() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh"]);
        resize(&mut pty, &format!("contain, {caller:?}"));
    }
}

#[test]
fn contain_term_is_the_callers_with_the_console_and_absent_without() {
    for caller in Caller::BOTH {
        let root = rootfs();
        for (opts, want) in [(&[][..], Some(format!("TERM={TERM}"))), (&["-c"][..], None)] {
            let what = format!("{caller:?}, options {opts:?}");
            let mut pty = contain_on_pty(caller, opts, &root, &["/bin/sh", "-c", "env; echo E-$((1+1))"]);
            let out = clean(&pty.expect("E-2"));
            assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{out}");
            let term: Vec<&str> = out.lines().filter(|l| l.starts_with("TERM=")).collect();
            assert_eq!(term, want.iter().map(String::as_str).collect::<Vec<_>>(), "{what}:\n{out}");
            pty.assert_settings_restored(&what);
        }
    }
}

const CONTAIN_ENDS: [Row; 7] = [
    ("normal end", &["/bin/true"], End::Itself, (Some(0), None), ""),
    ("init killed by SIGSEGV", &["/segv"], End::Itself, (None, Some(SIGSEGV)), ""),
    ("kill -TERM of contain", &["sleep", "100"], End::Signal(SIGTERM), (None, Some(SIGTERM)), ""),
    ("kill -HUP of contain", &["sleep", "100"], End::Signal(SIGHUP), (None, Some(SIGHUP)), ""),
    ("kill -INT of contain", &["sleep", "100"], End::Signal(SIGINT), (None, Some(SIGINT)), ""),
    (
        "a step failure in raw mode",
        &["nosuch"],
        End::Itself,
        (Some(127), None),
        "contain: nosuch: No such file or directory",
    ),
    ("Ctrl-] three times", &["sleep", "100"], End::CtrlBracket3, (None, Some(SIGKILL)), ""),
];

#[test]
fn contain_restores_the_terminal_settings_on_every_end() {
    for caller in Caller::BOTH {
        let root = console_rootfs();
        for (what, cmd, end, want, shows) in CONTAIN_ENDS {
            let mut pty = contain_on_pty(caller, &[], &root, cmd);
            settings_restored(&mut pty, end, want, shows, &format!("contain, {caller:?}: {what}"));
        }
    }
}

#[test]
fn contain_ctrl_bracket_twice_or_spread_out_does_not_end_the_container() {
    let presses: [(&str, &[u64]); 2] = [("twice", &[0, 0]), ("three times over 1.2 s", &[0, 600, 600])];
    for caller in Caller::BOTH {
        let root = rootfs();
        for (how, pauses) in presses {
            let what = format!("{caller:?}: Ctrl-] {how}");
            let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", "read x; echo got-$((1+1)); exit 3"]);
            wait_raw(&pty, &what);
            for &ms in pauses {
                std::thread::sleep(Duration::from_millis(ms));
                pty.write(CTRL_RIGHT_BRACKET);
            }
            pty.write("\r");
            pty.expect("got-2");
            assert_eq!(code(pty.wait()), (Some(3), None), "{what}:\n{}", pty.transcript());
            pty.assert_settings_restored(&what);
        }
    }
}

#[test]
fn contain_tiocsti_through_the_console_stays_inside() {
    for caller in Caller::BOTH {
        let root = console_rootfs();
        let mut pty = contain_on_pty(caller, &[], &root, &["/tiocsti"]);
        tiocsti_stays_inside(&mut pty, &format!("contain, {caller:?}"));
    }
}

#[test]
fn contain_without_console_init_is_in_a_new_session_and_tiocsti_fails() {
    for caller in Caller::BOTH {
        let root = console_rootfs();
        let what = format!("contain -c, {caller:?}");
        let mut pty = contain_on_pty(caller, &["-c"], &root, &["/tiocsti"]);
        pty.expect("\ntty ");
        pty.expect("\n");
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
        let outer = pty.slave_id();
        let refused = tiocsti_refused();
        let want = format!(
            "fd0 {outer} tiocsti=failed ({refused})\nfd1 {outer} tiocsti=failed ({refused})\n\
             fd2 {outer} tiocsti=failed ({refused})\ntty cannot-open (No such device or address)\n"
        );
        assert_eq!(clean(&pty.transcript()), want, "{what}");
        assert_eq!(pty.input_queue(), 0, "{what}: a byte reached the caller's terminal");
        pty.assert_settings_restored(&what);
        let mut pty = contain_on_pty(caller, &["-c"], &root, &["/bin/cut", "-d ", "-f6,7", "/proc/1/stat"]);
        pty.expect("\n");
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
        assert_eq!(clean(&pty.transcript()), "1 0\n", "{what}: session and tty_nr of the init");
    }
}

#[test]
fn contain_in_the_background_of_an_interactive_shell_leaves_the_terminal_alone() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let mut pty = Pty::spawn_as(caller, &["/bin/bash", "--norc", "--noprofile", "--noediting", "-i"], &env());
        shell(&mut pty, "echo I-$((2+2))", "I-4");
        // Each command typed at a prompt, not ahead of it (bash echoes typed-ahead
        // input where the output is).
        pty.expect("$ ");
        let before = pty.termios();
        let contain = format!("{} contain {}", sh_quote(&bin_str()), sh_quote(root.str()));
        // In the background: no console, no stop (SIGTTOU), no settings changed.
        let out = shell(
            &mut pty,
            &format!("{contain} /bin/sh -c 'tty; echo BG-$((2*4))' & wait $!; echo W-$((0+$?))-$((7*7))"),
            "-49",
        );
        let out = clean(&out);
        assert!(out.contains("not a tty\nBG-8\n"), "{what}: background contain:\n{}", pty.transcript());
        assert!(out.contains("\nW-0-49"), "{what}: background contain did not exit 0:\n{}", pty.transcript());
        assert_eq!(pty.termios(), before, "{what}: a background contain changed the terminal's settings");
        pty.expect("$ ");
        // In the foreground but stdin not a terminal: no console either.
        let out = shell(
            &mut pty,
            &format!("{contain} /bin/sh -c 'tty; echo N-$((3*3))' </dev/null; echo V-$((0+$?))-$((8*8))"),
            "-64",
        );
        let out = clean(&out);
        // (The prompt may come before the output: the line was typed ahead.)
        assert!(out.contains("not a tty\nN-9\n"), "{what}: contain with stdin not a terminal:\n{}", pty.transcript());
        assert!(out.contains("\nV-0-64"), "{what}:\n{}", pty.transcript());
        assert_eq!(pty.termios(), before, "{what}: contain without a terminal changed the settings");
        pty.line("exit 0");
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
    }
}

#[test]
fn contain_container_sees_no_host_fd_of_the_supervisor() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let script = format!("stat -c 'console %d %t:%T' /dev/console; {LIST_FDS}");
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", &script]);
        let out = clean(&pty.expect("E-2"));
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{out}");
        let console = out
            .lines()
            .find_map(|l| l.strip_prefix("console "))
            .unwrap_or_else(|| panic!("{what}: no /dev/console:\n{out}"));
        let fds = fd_lines(&out);
        assert!(!fds.is_empty(), "{what}: no fd listed:\n{out}");
        let outer = outer_id(&pty);
        for fd in &fds {
            assert!(fd.id != outer, "{what}: the caller's terminal is visible inside: {fd:?}\n{out}");
            assert!(!fd.target.contains("ptmx"), "{what}: a pty master is visible inside: {fd:?}\n{out}");
        }
        // The init's 0, 1, 2 (the only fds it has) are the console.
        let init: Vec<_> = fds.iter().filter(|f| f.pid == "1" && !transient(f)).collect();
        assert_eq!(init.iter().map(|f| f.fd.as_str()).collect::<Vec<_>>(), ["0", "1", "2"], "{what}:\n{out}");
        assert!(
            init.iter().all(|f| f.id == console),
            "{what}: the init's fds are not /dev/console ({console}):\n{out}"
        );
    }
}

// ---- inject's pseudo-terminal ----

/// A container (`sleep 100` as init, no console) to inject into.
fn container(caller: Caller, root: &TempDir) -> Container {
    Container::start(caller, root.str(), &["sleep", "100"])
}

#[test]
fn inject_tty_is_a_pty_of_the_container() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let c = container(caller, &root);
        let what = format!("{caller:?}");
        let mut pty = inject_on_pty(caller, &[], c.init, &["/bin/sh", "-c", "tty; ls -ln $(tty); echo E-$((1+1))"]);
        let out = clean(&pty.expect("E-2"));
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{out}");
        let lines: Vec<&str> = out.lines().collect();
        let tty = lines.first().copied().unwrap_or("");
        let n = tty.strip_prefix("/dev/pts/").unwrap_or("");
        assert!(!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()), "{what}: tty inside: {tty:?}\n{out}");
        let ls: Vec<&str> = lines.get(1).unwrap_or(&"").split_whitespace().collect();
        assert!(ls.len() > 3 && ls[0].starts_with('c'), "{what}: {tty} is not a device inside:\n{out}");
        pty.assert_settings_restored(&what);
    }
}

#[test]
fn inject_shell_has_job_control_and_keys_go_inside() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let c = container(caller, &root);
        let mut pty = inject_on_pty(caller, &[], c.init, &["/bin/sh"]);
        job_control(&mut pty, &format!("inject, {caller:?}"));
    }
}

#[test]
fn inject_pty_follows_the_callers_window_size() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let c = container(caller, &root);
        let mut pty = inject_on_pty(caller, &[], c.init, &["/bin/sh"]);
        resize(&mut pty, &format!("inject, {caller:?}"));
    }
}

const INJECT_ENDS: [Row; 6] = [
    ("normal end", &["/bin/true"], End::Itself, (Some(0), None), ""),
    ("CMD killed by SIGSEGV", &["/segv"], End::Itself, (None, Some(SIGSEGV)), ""),
    ("kill -TERM of inject", &["sleep", "100"], End::Signal(SIGTERM), (None, Some(SIGTERM)), ""),
    ("kill -HUP of inject", &["sleep", "100"], End::Signal(SIGHUP), (None, Some(SIGHUP)), ""),
    ("kill -INT of inject", &["sleep", "100"], End::Signal(SIGINT), (None, Some(SIGINT)), ""),
    (
        "a step failure in raw mode",
        &["nosuch"],
        End::Itself,
        (Some(127), None),
        "inject: nosuch: No such file or directory",
    ),
];

#[test]
fn inject_restores_the_terminal_settings_on_every_end() {
    for caller in Caller::BOTH {
        let root = console_rootfs();
        let c = container(caller, &root);
        for (what, cmd, end, want, shows) in INJECT_ENDS {
            let mut pty = inject_on_pty(caller, &[], c.init, cmd);
            settings_restored(&mut pty, end, want, shows, &format!("inject, {caller:?}: {what}"));
        }
    }
}

#[test]
fn inject_tiocsti_through_its_pty_stays_inside() {
    for caller in Caller::BOTH {
        let root = console_rootfs();
        let c = container(caller, &root);
        let mut pty = inject_on_pty(caller, &[], c.init, &["/tiocsti"]);
        tiocsti_stays_inside(&mut pty, &format!("inject, {caller:?}"));
    }
}

#[test]
fn inject_container_sees_no_host_fd_of_inject() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let c = container(caller, &root);
        let what = format!("{caller:?}");
        let script = format!("stat -c \"tty %d %t:%T $$\" $(tty); {LIST_FDS}");
        let mut pty = inject_on_pty(caller, &[], c.init, &["/bin/sh", "-c", &script]);
        let out = clean(&pty.expect("E-2"));
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{out}");
        let tty: Vec<&str> = out.lines().find_map(|l| l.strip_prefix("tty ")).unwrap_or("").split(' ').collect();
        assert_eq!(tty.len(), 3, "{what}: no tty inside:\n{out}");
        let (pty_id, me) = (format!("{} {}", tty[0], tty[1]), tty[2]);
        let fds = fd_lines(&out);
        let outer = outer_id(&pty);
        for fd in &fds {
            assert!(fd.id != outer, "{what}: the caller's terminal is visible inside: {fd:?}\n{out}");
            assert!(!fd.target.contains("ptmx"), "{what}: a pty master is visible inside: {fd:?}\n{out}");
        }
        // The injected shell has 0, 1, 2, all the pty inside.
        let mine: Vec<_> = fds.iter().filter(|f| f.pid == me && !transient(f)).collect();
        assert_eq!(mine.iter().map(|f| f.fd.as_str()).collect::<Vec<_>>(), ["0", "1", "2"], "{what}:\n{out}");
        assert!(mine.iter().all(|f| f.id == pty_id), "{what}: the shell's fds are not its pty:\n{out}");
    }
}

// ---- the relay after the init's boot (issue 21, SPEC v3 §5.5 Console) ----

/// A hang guard for a run that must end by itself soon (a bounded drain):
/// generous, never a timing assertion.
const DRAIN_GUARD: Duration = Duration::from_secs(20);

/// The host pid of the container's init: the supervisor's child.
#[track_caller]
fn init_of(sup: u32) -> u32 {
    poll_until(TIMEOUT, || proc_children(sup).first().copied()).expect("hang guard: no init appeared")
}

#[test]
fn contain_relays_every_line_after_the_init_closes_and_reopens_the_console() {
    // As an init does at boot: fds 0-2 closed (no descriptor of the
    // console open anywhere inside), then /dev/console opened again; twice.
    let script = "for r in 1 2; do exec </dev/null >/dev/null 2>&1; sleep 0.2; \
                  exec </dev/console >/dev/console 2>&1; seq 2000 | sed \"s/^/line $r /\"; done; echo E-$((1+1))";
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", script]);
        pty.expect("E-2");
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
        let shown = clean(&pty.transcript());
        let lines: Vec<&str> = shown.lines().filter(|l| l.starts_with("line ")).collect();
        let want: Vec<String> = (1..=2).flat_map(|r| (1..=2000).map(move |i| format!("line {r} {i}"))).collect();
        assert!(lines == want, "{what}: {} lines relayed of {}:\n{shown}", lines.len(), want.len());
        pty.assert_settings_restored(&what);
    }
}

/// A writer on the host (the test itself) holding the console of the
/// container whose init is `init` open (its fd 1, reopened): a line every
/// 10 ms, so the console is never quiet, until writing fails (the console
/// hung up when the relay ended).
fn writer_on_the_console(init: u32) -> std::thread::JoinHandle<()> {
    use std::io::Write;
    let mut console = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/{init}/fd/1"))
        .unwrap_or_else(|e| panic!("harness: cannot open the console of {init}: {e}"));
    std::thread::spawn(move || {
        while console.write_all(b"left-behind\n").is_ok() {
            std::thread::sleep(Duration::from_millis(10));
        }
    })
}

#[test]
fn contain_drain_is_bounded_while_a_writer_holds_the_console() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", "echo R-$((2+3)); read x"]);
        wait_raw(&pty, &what);
        pty.expect("R-5");
        let writer = writer_on_the_console(init_of(pty.pid()));
        pty.expect("left-behind");
        pty.line("");
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: a writer left on the console held contain\n{}", pty.transcript())
        };
        assert_eq!(code(status), (Some(0), None), "{what}:\n{}", pty.transcript());
        pty.assert_settings_restored(&what);
        assert_eq!(pty.input_queue(), 0, "{what}");
        writer.join().unwrap();
    }
}

#[test]
fn contain_sigterm_during_the_drain_ends_it_with_the_terminal_restored() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", "echo R-$((2+3)); read x"]);
        wait_raw(&pty, &what);
        pty.expect("R-5");
        let init = init_of(pty.pid());
        let writer = writer_on_the_console(init);
        pty.expect("left-behind");
        pty.line("");
        // The init is gone: contain drains (for a second at most).
        poll_until(TIMEOUT, || proc_gone(init).then_some(())).expect("hang guard: the init did not end");
        assert!(signal_pid(pty.pid(), SIGTERM), "{what}: contain ended before the drain did");
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: SIGTERM did not end a draining contain\n{}", pty.transcript())
        };
        assert_eq!(code(status), (None, Some(SIGTERM)), "{what}:\n{}", pty.transcript());
        pty.assert_settings_restored(&what);
        writer.join().unwrap();
    }
}

#[test]
fn contain_output_flows_and_ctrl_bracket_works_while_the_init_reads_nothing() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        // An init that writes and never reads; 256 KiB typed at it fill
        // every queue between the caller's terminal and the console.
        let script = "stty -echo -icanon; i=0; while :; do i=$((i+1)); echo tick-$i; sleep 0.05; done";
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", script]);
        wait_raw(&pty, &what);
        pty.expect("tick-1\r\n");
        let typist = {
            let master = pty.master();
            std::thread::spawn(move || {
                use std::io::Write;
                let _ = (&*master).write_all(&[b'x'; 256 << 10]);
            })
        };
        // The relay still reads all of it (dropping what the console cannot
        // take), and the output goes on meanwhile.
        poll_until(TIMEOUT, || typist.is_finished().then_some(()))
            .unwrap_or_else(|| panic!("hang guard: {what}: the relay stopped reading the terminal"));
        let next = pty.unread().matches("tick-").count() + 3;
        for _ in 0..next {
            pty.expect("tick-");
        }
        pty.write([CTRL_RIGHT_BRACKET, CTRL_RIGHT_BRACKET, CTRL_RIGHT_BRACKET].concat());
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: Ctrl-] three times did not end the container\n{}", pty.transcript())
        };
        assert_eq!(code(status), (None, Some(SIGKILL)), "{what}");
        pty.assert_settings_restored(&what);
    }
}

/// Primary device attributes (DA1): the query, and a VT100's answer.
const QUERY: &str = "\x1b[c";
const ANSWER: &str = "\x1b[?1;2c";

#[test]
fn contain_discards_the_terminals_answer_to_a_query_sent_last() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        // The terminal answers at once.
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", "printf 'Q-%s\\033[c' $((3*3))"]);
        pty.expect(&format!("Q-9{QUERY}"));
        pty.write(ANSWER);
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
        assert_eq!(pty.input_queue(), 0, "{what}: the terminal's answer reached the caller's shell");
        pty.assert_settings_restored(&what);
        // The answer comes once the init is gone, while a writer left on
        // the console keeps contain draining.
        let script = "echo R-$((2+3)); read x; printf 'Q-%s\\033[c' $((3*3))";
        let mut pty = contain_on_pty(caller, &[], &root, &["/bin/sh", "-c", script]);
        wait_raw(&pty, &what);
        pty.expect("R-5");
        let init = init_of(pty.pid());
        let writer = writer_on_the_console(init);
        pty.line("");
        pty.expect(&format!("Q-9{QUERY}"));
        poll_until(TIMEOUT, || proc_gone(init).then_some(())).expect("hang guard: the init did not end");
        pty.write(ANSWER);
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: a writer left on the console held contain\n{}", pty.transcript())
        };
        assert_eq!(code(status), (Some(0), None), "{what}:\n{}", pty.transcript());
        assert_eq!(pty.input_queue(), 0, "{what}: the terminal's answer reached the caller's shell");
        pty.assert_settings_restored(&what);
        writer.join().unwrap();
    }
}

/// A root whose `true` leaves a writer behind on its terminal, in a
/// session of its own, writing forever.
fn root_with_a_writer_left_behind() -> TempDir {
    let root = console_rootfs();
    std::fs::remove_file(root.join("bin/true")).unwrap();
    root.write(
        "bin/true",
        // SIGHUP ignored: the script's end hangs up its session's
        // foreground group, which the writer leaves only once it runs.
        "#!/bin/sh\ntrap '' HUP\nsetsid sh -c 'while :; do echo left-behind; sleep 0.01; done' &\n",
        0o755,
    );
    root
}

#[test]
fn inject_returns_although_its_command_left_a_writer_on_the_terminal() {
    for caller in Caller::BOTH {
        let root = root_with_a_writer_left_behind();
        let c = container(caller, &root);
        let what = format!("{caller:?}");
        let mut pty = inject_on_pty(caller, &[], c.init, &["true"]);
        pty.expect("left-behind");
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: the writer left behind held inject\n{}", pty.transcript())
        };
        assert_eq!(code(status), (Some(0), None), "{what}:\n{}", pty.transcript());
        pty.assert_settings_restored(&what);
        assert_eq!(pty.input_queue(), 0, "{what}");
    }
}

#[test]
fn inject_sigterm_during_the_drain_ends_it_with_the_terminal_restored() {
    for caller in Caller::BOTH {
        let root = root_with_a_writer_left_behind();
        let c = container(caller, &root);
        let what = format!("{caller:?}");
        let mut pty = inject_on_pty(caller, &[], c.init, &["true"]);
        pty.expect("left-behind");
        // Its command is gone (reaped): inject drains.
        poll_until(TIMEOUT, || proc_children(pty.pid()).is_empty().then_some(()))
            .expect("hang guard: the command did not end");
        assert!(signal_pid(pty.pid(), SIGTERM), "{what}: inject ended before the drain did");
        let Some(status) = poll_until(DRAIN_GUARD, || pty.try_wait()) else {
            panic!("hang guard: {what}: SIGTERM did not end a draining inject\n{}", pty.transcript())
        };
        assert_eq!(code(status), (None, Some(SIGTERM)), "{what}:\n{}", pty.transcript());
        pty.assert_settings_restored(&what);
    }
}

// ---- Ctrl-Z without a console (issue 21, SPEC v3 §5.5 Console) ----

/// The caller's interactive shell (busybox sh, job control) on a new
/// terminal, run as `user`; contain is started from it.
fn interactive_shell(user: Option<&User>) -> Pty {
    let argv = ["/bin/busybox", "sh", "-i"];
    let (etc, mut cmd, owner) = match user {
        None => {
            (None, command(&["unshare", "--mount", "--propagation", "private", "--", argv[0], argv[1], argv[2]]), None)
        }
        Some(user) => {
            let (etc, cmd) = user.command(&argv);
            (Some(etc), cmd, Some((user.uid, user.gid)))
        }
    };
    cmd.envs(env());
    Pty::spawn_command(cmd, etc, owner, (24, 80))
}

/// The command name of `pid` (empty when it is gone).
fn proc_comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim_end().to_string()
}

/// Wait until contain, started from the shell on `pty`, runs its
/// container's CMD (Ctrl-Z while contain starts would stop the uid map
/// helpers it waits for) and is the terminal's foreground job, running.
#[track_caller]
fn container_in_the_foreground(pty: &Pty) {
    let inner = |p: u32| {
        let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
        let nspid = status.lines().find(|l| l.starts_with("NSpid:")).unwrap_or("");
        nspid.split_whitespace().count() >= 3 && proc_comm(p) != "ucontain"
    };
    poll_until(TIMEOUT, || descendants(pty.pid()).into_iter().find(|&p| inner(p)))
        .unwrap_or_else(|| panic!("hang guard: the container did not start\n{}", pty.transcript()));
    pty.wait_foreground("ucontain");
}

/// What the container's reader logged (`got LINE` a line).
fn log_of(root: &TempDir) -> String {
    std::fs::read_to_string(root.join("tmp/log")).unwrap_or_default()
}

/// Type `line` at the container reading the terminal and wait until it
/// logged it.
#[track_caller]
fn typed_to_the_container(pty: &Pty, root: &TempDir, line: &str, what: &str) {
    pty.line(line);
    let want = format!("got {line}\n");
    poll_until(TIMEOUT, || log_of(root).ends_with(&want).then_some(())).unwrap_or_else(|| {
        panic!("hang guard: {what}: the container did not read {line:?}: {:?}\n{}", log_of(root), pty.transcript())
    });
}

/// The container's reader: each line of the terminal logged, then D-7 at
/// end of file.
const READER: &str = "while read l; do echo \"got $l\" >> /tmp/log; done; echo D-$((3+4))";

#[test]
fn contain_without_console_ctrl_z_freezes_the_container_and_fg_resumes_it() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let user = (caller == Caller::Unprivileged).then(User::default);
        let mut pty = interactive_shell(user.as_ref());
        shell(&mut pty, "echo I-$((2+2))", "I-4");
        pty.expect("$ ");
        pty.line(&format!(
            "{} contain -c {} /bin/sh -c {}",
            sh_quote(&bin_str()),
            sh_quote(root.str()),
            sh_quote(READER)
        ));
        container_in_the_foreground(&pty);
        typed_to_the_container(&pty, &root, "before", &what);
        pty.write(CTRL_Z);
        pty.expect("Stopped");
        // Five lines for the shell: it runs every one; the container reads none.
        for i in 1..=5 {
            shell(&mut pty, &format!("echo L{i}-$(({i}+100))"), &format!("L{i}-{}", i + 100));
        }
        assert_eq!(log_of(&root), "got before\n", "{what}: the container read what was typed to the shell");
        pty.line("fg");
        container_in_the_foreground(&pty);
        typed_to_the_container(&pty, &root, "after", &what);
        pty.write(CTRL_D);
        pty.expect("D-7");
        shell(&mut pty, "echo S-$?-$((6*7))", "-42");
        assert!(pty.transcript().contains("S-0-42"), "{what}: contain did not exit 0:\n{}", pty.transcript());
        assert!(!pty.transcript().contains("warning"), "{what}:\n{}", pty.transcript());
        assert_eq!(log_of(&root), "got before\ngot after\n", "{what}");
        pty.line("exit 0");
        assert_eq!(code(pty.wait()), (Some(0), None), "{what}:\n{}", pty.transcript());
    }
}

#[test]
fn contain_without_console_or_freezer_warns_once_at_ctrl_z() {
    // No cgroup, so no freezer: contain still stops at Ctrl-Z (the
    // container, which would read what is typed, does not read here).
    let root = rootfs();
    let user = User { delegate: false, ..User::default() };
    let mut pty = interactive_shell(Some(&user));
    shell(&mut pty, "echo I-$((2+2))", "I-4");
    pty.expect("$ ");
    pty.line(&format!("{} contain -c {} sleep 100", sh_quote(&bin_str()), sh_quote(root.str())));
    container_in_the_foreground(&pty);
    for round in 1..=2 {
        pty.write(CTRL_Z);
        pty.expect("Stopped");
        shell(&mut pty, &format!("echo R{round}-$(({round}+100))"), &format!("R{round}-{}", round + 100));
        pty.line("fg");
        container_in_the_foreground(&pty);
    }
    pty.write(CTRL_C);
    shell(&mut pty, "echo S-$?-$((6*7))", "-42");
    let shown = clean(&pty.transcript());
    assert!(shown.contains("S-130-42"), "contain did not end by SIGINT:\n{shown}");
    // (After the terminal's echo of the key.)
    let warnings: Vec<&str> =
        shown.lines().filter(|l| l.contains("freezer")).map(|l| l.trim_start_matches("^Z")).collect();
    assert_eq!(warnings, ["contain: warning: no cgroup freezer: Ctrl-Z will not stop the container"], "{shown}");
    pty.line("exit 0");
    assert_eq!(code(pty.wait()), (Some(0), None), "{shown}");
}

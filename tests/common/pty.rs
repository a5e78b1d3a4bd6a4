//! A pseudo-terminal driver: the tests' own interactive terminal.
//!
//! `Pty::spawn` opens a new pty pair, and runs a command the way an
//! interactive shell's terminal would: the slave is its stdin, stdout and
//! stderr and its controlling terminal, in a new session whose process
//! group is the terminal's foreground group. The test then types keys
//! (`write`, `key`), reads what the terminal shows (`expect`, with the hang
//! guard), resizes it (`resize`: TIOCSWINSZ on the master, and the kernel
//! sends SIGWINCH to the foreground group), and reads the terminal's
//! settings (`termios`, what `stty -g` shows) to compare before and after.
//!
//! The driver keeps its own descriptor of the slave open, so the settings
//! and the input queue can be read after the command ended. Raw libc calls
//! (`extern "C"`, the test binaries link glibc): x86_64 Linux layouts.
#![allow(dead_code)]

use std::ffi::CStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{command, poll_until, signal_pid, Caller, TempDir, User, SIGKILL, TIMEOUT};

/// `struct termios` of glibc on x86_64 (what tcgetattr fills in).
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Termios {
    pub iflag: u32,
    pub oflag: u32,
    pub cflag: u32,
    pub lflag: u32,
    pub line: u8,
    pub cc: [u8; 32],
    pub ispeed: u32,
    pub ospeed: u32,
}

/// Local-mode flags (`c_lflag`) the tests look at.
pub const ISIG: u32 = 0o1;
pub const ICANON: u32 = 0o2;
pub const ECHO: u32 = 0o10;

impl Termios {
    /// Whether the terminal is in raw mode (no line editing, no echo, no
    /// signals from keys), as a relay puts the caller's terminal.
    pub fn is_raw(&self) -> bool {
        self.lflag & (ISIG | ICANON | ECHO) == 0
    }
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Winsize {
    row: u16,
    col: u16,
    xpixel: u16,
    ypixel: u16,
}

#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

extern "C" {
    fn posix_openpt(flags: i32) -> i32;
    fn grantpt(fd: i32) -> i32;
    fn unlockpt(fd: i32) -> i32;
    fn ptsname_r(fd: i32, buf: *mut u8, len: usize) -> i32;
    fn ioctl(fd: i32, request: u64, ...) -> i32;
    fn tcgetattr(fd: i32, t: *mut Termios) -> i32;
    fn setsid() -> i32;
    fn poll(fds: *mut PollFd, n: u64, timeout: i32) -> i32;
}

const O_RDWR: i32 = 0o2;
const O_NOCTTY: i32 = 0o400;
const O_CLOEXEC: i32 = 0o2000000;
const TIOCSCTTY: u64 = 0x540E;
const TIOCGPGRP: u64 = 0x540F;
const TIOCGWINSZ: u64 = 0x5413;
const TIOCSWINSZ: u64 = 0x5414;
const FIONREAD: u64 = 0x541B;
const POLLIN: i16 = 1;

/// Keys as a terminal sends them.
pub const CTRL_C: &[u8] = b"\x03";
pub const CTRL_Z: &[u8] = b"\x1a";
pub const CTRL_BACKSLASH: &[u8] = b"\x1c";
pub const CTRL_D: &[u8] = b"\x04";
pub const CTRL_RIGHT_BRACKET: &[u8] = b"\x1d";

fn last_os_error(what: &str) -> String {
    format!("harness: pty: {what}: {}", std::io::Error::last_os_error())
}

/// What the reader thread has collected from the master.
struct Screen {
    bytes: Mutex<Vec<u8>>,
    grew: Condvar,
}

/// A command running on a pty of the test's own (see the module notes).
pub struct Pty {
    master: Arc<File>,
    slave: File,
    slave_path: PathBuf,
    child: Child,
    screen: Arc<Screen>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    mark: usize,
    initial: Termios,
    tracked: Vec<u32>,
    _etc: Option<TempDir>,
}

/// A new pty pair of the host's devpts: (master, slave, slave path).
fn open_pair() -> (File, File, PathBuf) {
    // SAFETY: plain descriptor calls; the buffer outlives ptsname_r, which
    // NUL-terminates within its length.
    unsafe {
        let m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        assert!(m >= 0, "{}", last_os_error("posix_openpt"));
        let master = File::from_raw_fd(m);
        assert!(grantpt(m) == 0 && unlockpt(m) == 0, "{}", last_os_error("grantpt/unlockpt"));
        let mut name = [0u8; 128];
        assert!(ptsname_r(m, name.as_mut_ptr(), name.len()) == 0, "{}", last_os_error("ptsname_r"));
        let path = PathBuf::from(CStr::from_ptr(name.as_ptr().cast()).to_str().unwrap());
        let slave = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(O_NOCTTY)
            .open(&path)
            .unwrap_or_else(|e| panic!("harness: pty: cannot open {}: {e}", path.display()));
        (master, slave, path)
    }
}

use std::os::unix::fs::OpenOptionsExt;

impl Pty {
    /// Run `argv` on a new pty as `caller` (root in a private mount
    /// namespace, or `User::default()`, who then owns the slave as a
    /// logged-in user owns their terminal), with `env` added.
    #[track_caller]
    pub fn spawn_as(caller: Caller, argv: &[&str], env: &[(&str, &str)]) -> Pty {
        let (etc, cmd, owner) = match caller {
            Caller::Root => {
                let mut full = vec!["unshare", "--mount", "--propagation", "private", "--"];
                full.extend_from_slice(argv);
                (None, command(&full), None)
            }
            Caller::Unprivileged => {
                let user = User::default();
                let (etc, cmd) = user.command(argv);
                (Some(etc), cmd, Some((user.uid, user.gid)))
            }
        };
        let mut cmd = cmd;
        cmd.envs(env.iter().copied());
        Pty::spawn_command(cmd, etc, owner, (24, 80))
    }

    /// Run `argv` on a new pty as the test process (root, host namespaces).
    pub fn spawn(argv: &[&str], env: &[(&str, &str)]) -> Pty {
        let mut cmd = command(argv);
        cmd.envs(env.iter().copied());
        Pty::spawn_command(cmd, None, None, (24, 80))
    }

    /// Run `cmd` on a new pty of `size` (rows, columns) whose slave belongs
    /// to `owner` (uid, gid) if given; `etc` lives as long as the run.
    pub fn spawn_command(mut cmd: Command, etc: Option<TempDir>, owner: Option<(u32, u32)>, size: (u16, u16)) -> Pty {
        let (master, slave, slave_path) = open_pair();
        if let Some((uid, gid)) = owner {
            super::chown(&slave_path, uid, gid);
        }
        set_size(&master, size);
        let initial = termios_of(&slave);
        let shown = format!("{cmd:?}");
        let stdio = || Stdio::from(slave.try_clone().expect("harness: pty: cannot dup the slave"));
        cmd.stdin(stdio()).stdout(stdio()).stderr(stdio());
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap_or_else(|e| panic!("harness: pty: cannot run {shown}: {e}"));
        let master = Arc::new(master);
        let screen = Arc::new(Screen { bytes: Mutex::new(Vec::new()), grew: Condvar::new() });
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (master, screen, stop) = (master.clone(), screen.clone(), stop.clone());
            thread::spawn(move || read_master(&master, &screen, &stop))
        };
        Pty {
            master,
            slave,
            slave_path,
            child,
            screen,
            stop,
            reader: Some(reader),
            mark: 0,
            initial,
            tracked: Vec::new(),
            _etc: etc,
        }
    }

    /// The pid of the command (the session leader).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The slave's path, e.g. `/dev/pts/3`.
    pub fn slave_path(&self) -> &PathBuf {
        &self.slave_path
    }

    /// The slave as `tests/tiocsti.c` names a terminal: `dev=DEV
    /// rdev=MAJOR:MINOR` (ptys of different devpts instances share major
    /// and minor numbers; `st_dev` tells the instances apart).
    pub fn slave_id(&self) -> String {
        use std::os::unix::fs::MetadataExt;
        let meta = self.slave.metadata().expect("harness: pty: fstat");
        format!("dev={} rdev={}", meta.dev(), dev_name(meta.rdev()))
    }

    /// SIGKILL `pid` too when this is dropped.
    pub fn track(&mut self, pid: u32) {
        self.tracked.push(pid);
    }

    /// Type `bytes` (keys, or a line ending in `\r` as Enter sends it).
    pub fn write(&self, bytes: impl AsRef<[u8]>) {
        (&*self.master)
            .write_all(bytes.as_ref())
            .unwrap_or_else(|e| panic!("harness: pty: cannot write to the master: {e}"));
    }

    /// The master, to type from another thread (a write that may wait).
    pub fn master(&self) -> Arc<File> {
        self.master.clone()
    }

    /// Type `line` and Enter.
    pub fn line(&self, line: &str) {
        self.write(format!("{line}\r"));
    }

    /// Everything the terminal showed so far.
    pub fn transcript(&self) -> String {
        String::from_utf8_lossy(&self.screen.bytes.lock().unwrap()).into_owned()
    }

    /// What the terminal showed since the last `expect`.
    pub fn unread(&self) -> String {
        String::from_utf8_lossy(&self.screen.bytes.lock().unwrap()[self.mark..]).into_owned()
    }

    /// Wait (hang guard `TIMEOUT`) until the output since the last `expect`
    /// contains `needle`; return that output up to the end of `needle` and
    /// continue after it next time.
    #[track_caller]
    pub fn expect(&mut self, needle: &str) -> String {
        match self.expect_within(needle, TIMEOUT) {
            Some(text) => text,
            None => panic!(
                "hang guard: the terminal did not show {needle:?} within {TIMEOUT:?}\n--- since the last match ---\n{}\n--- whole transcript ---\n{}\n--- end ---",
                self.unread(),
                self.transcript()
            ),
        }
    }

    /// `expect` with its own timeout: `None` when `needle` did not appear.
    pub fn expect_within(&mut self, needle: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut bytes = self.screen.bytes.lock().unwrap();
        loop {
            if let Some(at) = find(&bytes[self.mark..], needle.as_bytes()) {
                let end = self.mark + at + needle.len();
                let text = String::from_utf8_lossy(&bytes[self.mark..end]).into_owned();
                self.mark = end;
                return Some(text);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            bytes = self.screen.grew.wait_timeout(bytes, deadline - now).unwrap().0;
        }
    }

    /// Set the terminal's size (rows, columns), as a terminal emulator does
    /// when its window is resized: the kernel sends SIGWINCH to the
    /// foreground process group.
    pub fn resize(&self, rows: u16, cols: u16) {
        set_size(&self.master, (rows, cols));
    }

    /// The terminal's size (rows, columns).
    pub fn size(&self) -> (u16, u16) {
        let mut ws = Winsize::default();
        // SAFETY: TIOCGWINSZ fills a struct winsize.
        let r = unsafe { ioctl(self.master.as_raw_fd(), TIOCGWINSZ, &mut ws as *mut Winsize) };
        assert_eq!(r, 0, "{}", last_os_error("TIOCGWINSZ"));
        (ws.row, ws.col)
    }

    /// The terminal's settings now (tcgetattr on the slave).
    pub fn termios(&self) -> Termios {
        termios_of(&self.slave)
    }

    /// The terminal's settings before the command started.
    pub fn initial_termios(&self) -> Termios {
        self.initial
    }

    /// Fail unless the terminal's settings are again those it had before
    /// the command started (what `stty -g` before and after compares).
    #[track_caller]
    pub fn assert_settings_restored(&self, what: &str) {
        let now = self.termios();
        assert!(
            now == self.initial,
            "{what}: the terminal's settings changed\nbefore: {:?}\nafter:  {now:?}\n--- transcript ---\n{}\n--- end ---",
            self.initial,
            self.transcript()
        );
    }

    /// Bytes waiting in the terminal's input queue, unread by anyone (where
    /// a TIOCSTI would put them).
    pub fn input_queue(&self) -> usize {
        let mut n: i32 = 0;
        // SAFETY: FIONREAD stores an int.
        let r = unsafe { ioctl(self.slave.as_raw_fd(), FIONREAD, &mut n as *mut i32) };
        assert_eq!(r, 0, "{}", last_os_error("FIONREAD"));
        n as usize
    }

    /// The terminal's foreground process group.
    pub fn foreground(&self) -> u32 {
        let mut pgrp: i32 = 0;
        // SAFETY: TIOCGPGRP stores a pid_t; allowed on the master side.
        let r = unsafe { ioctl(self.master.as_raw_fd(), TIOCGPGRP, &mut pgrp as *mut i32) };
        assert_eq!(r, 0, "{}", last_os_error("TIOCGPGRP"));
        pgrp as u32
    }

    /// Wait (hang guard) until a descendant of the command named `comm`
    /// is the foreground job of its own terminal (the pty itself, or a
    /// console or pty inside a container), so keys typed next go to it and
    /// not to a shell's line editor. Its host pid.
    #[track_caller]
    pub fn wait_foreground(&self, comm: &str) -> u32 {
        let found = poll_until(TIMEOUT, || {
            descendants(self.pid()).into_iter().find(|&pid| {
                let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
                let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { return false };
                let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
                // state ppid pgrp session tty_nr tpgid
                &stat[open + 1..close] == comm && f.len() > 5 && f[2] == f[5] && f[0] != "T"
            })
        });
        found.unwrap_or_else(|| {
            panic!(
                "hang guard: no {comm:?} became a foreground job within {TIMEOUT:?}\n--- transcript ---\n{}\n--- end ---",
                self.transcript()
            )
        })
    }

    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("harness: pty: cannot wait")
    }

    /// Wait (hang guard `TIMEOUT`) for the command to end.
    #[track_caller]
    pub fn wait(&mut self) -> ExitStatus {
        match poll_until(TIMEOUT, || self.try_wait()) {
            Some(status) => status,
            None => panic!(
                "hang guard: the command on the terminal did not end within {TIMEOUT:?}\n--- transcript ---\n{}\n--- end ---",
                self.transcript()
            ),
        }
    }

    /// Every process of the command's session (its pid is the session id).
    pub fn session(&self) -> Vec<u32> {
        let sid = self.pid();
        let mut pids = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
            let Some(close) = stat.rfind(')') else { continue };
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            if fields.get(3).and_then(|s| s.parse::<u32>().ok()) == Some(sid) {
                pids.push(pid);
            }
        }
        pids
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        for &pid in &self.tracked {
            signal_pid(pid, SIGKILL);
        }
        if self.child.try_wait().ok().flatten().is_none() {
            for pid in self.session() {
                signal_pid(pid, SIGKILL);
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        for pid in self.session() {
            signal_pid(pid, SIGKILL);
        }
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// A device number as `MAJOR:MINOR` (glibc's major()/minor() encoding).
pub fn dev_name(rdev: u64) -> String {
    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
    let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
    format!("{major}:{minor}")
}

/// Every descendant of `pid` (children first, then theirs).
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut all = Vec::new();
    let mut next = vec![pid];
    while let Some(p) = next.pop() {
        for c in super::proc_children(p) {
            all.push(c);
            next.push(c);
        }
    }
    all
}

fn termios_of(slave: &File) -> Termios {
    let mut t = Termios::default();
    // SAFETY: tcgetattr fills a struct termios of this layout.
    let r = unsafe { tcgetattr(slave.as_raw_fd(), &mut t) };
    assert_eq!(r, 0, "{}", last_os_error("tcgetattr"));
    t
}

fn set_size(master: &File, (row, col): (u16, u16)) {
    let ws = Winsize { row, col, xpixel: 0, ypixel: 0 };
    // SAFETY: TIOCSWINSZ reads a struct winsize.
    let r = unsafe { ioctl(master.as_raw_fd(), TIOCSWINSZ, &ws as *const Winsize) };
    assert_eq!(r, 0, "{}", last_os_error("TIOCSWINSZ"));
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Copy the master's output into `screen` until `stop` (polling, so the
/// thread notices `stop` although the driver keeps the slave open).
fn read_master(master: &File, screen: &Screen, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        let mut p = PollFd { fd: master.as_raw_fd(), events: POLLIN, revents: 0 };
        // SAFETY: one pollfd, valid for the call.
        let r = unsafe { poll(&mut p, 1, 50) };
        if r <= 0 {
            continue;
        }
        match (&*master).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                screen.bytes.lock().unwrap().extend_from_slice(&buf[..n]);
                screen.grew.notify_all();
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // EIO: no slave open any more (not while the driver holds one).
            Err(_) => break,
        }
    }
}

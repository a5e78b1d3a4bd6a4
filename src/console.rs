//! The console: a pseudo-terminal relayed to the caller's terminal, and the
//! supervision loop that waits for the child while it relays, shared by
//! contain (its init) and inject (its CMD).

use crate::out::{cannot, say};
use crate::sys::{
    self, Errno, Exit, Fd, PollFd, SigSet, Termios, POLLIN, POLLOUT, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGQUIT,
    SIGTERM, SIGTSTP,
};
use core::ffi::CStr;

/// Ctrl-]: three of them within a second end the container, as with
/// systemd-nspawn.
const ESCAPE: u8 = 0x1d;
const SIGUSR1: u32 = 10;
const SIGUSR2: u32 = 12;
pub const SIGWINCH: u32 = 28;
/// The C library's SIGRTMIN is the kernel's 32 + 2 (glibc and musl keep two
/// for threads); systemd halts on SIGRTMIN+3 = 37 (systemd(1), "Signals").
pub const SIGRTMIN: u32 = 34;
const HALT: u32 = SIGRTMIN + 3;
/// systemd-nspawn's status for a container that rebooted.
const REBOOTED: i32 = 133;

/// Whether the caller is at a terminal it may take over: stdin is one and
/// we are in its foreground process group (a background `contain &` is not,
/// and must neither stop on SIGTTOU nor change the terminal).
pub fn at_terminal() -> bool {
    sys::foreground_group(&sys::STDIN).is_ok_and(|pgrp| pgrp == sys::getpgrp())
}

pub struct Console {
    pub master: Fd,
    /// A descriptor of the slave (close-on-exec, O_NOCTTY): the child's
    /// end until it has its own, then the supervisor's, kept until the
    /// child ends (see `supervise`); for a master opened elsewhere, one the
    /// supervisor opens from the master (`adopt`).
    pub slave: Option<Fd>,
    saved: Termios,
}

impl Console {
    /// A new pseudo-terminal of `ptmx` with the caller's window size.
    /// Err is the exit status after the message.
    pub fn open(ptmx: &CStr) -> Result<Console, i32> {
        let (master, slave) = sys::open_pty(ptmx).map_err(|e| cannot(b"open ", ptmx.to_bytes(), e))?;
        let mut console = Console::adopt(master)?;
        console.slave = Some(slave);
        Ok(console)
    }

    /// The console whose master `master` another process opened (contain's
    /// mounter, in the container's devpts), with the caller's window size.
    pub fn adopt(master: Fd) -> Result<Console, i32> {
        let saved = sys::get_termios(&sys::STDIN).map_err(|e| cannot(b"read the terminal's settings", b"", e))?;
        // Our own slave descriptor from now on, before the child may run:
        // an init that closes its stdio at once must not leave the console
        // closed everywhere before `supervise` starts (see there).
        let slave = sys::open_peer(&master).ok();
        let console = Console { master, slave, saved };
        console.resize();
        Ok(console)
    }

    /// The caller's window size, again (after SIGWINCH).
    fn resize(&self) {
        if let Ok(size) = sys::window_size(&sys::STDIN) {
            let _ = sys::set_window_size(&self.master, &size);
        }
    }

    /// The caller's terminal in raw mode: every key is a byte for the
    /// child; and its window size again, changed while contain's `-o`
    /// helper ran.
    pub fn raw(&self) {
        self.resize();
        let _ = sys::set_termios(&sys::STDIN, &sys::raw(&self.saved));
    }

    /// The caller's terminal as it was.
    pub fn restore(&self) {
        let _ = sys::set_termios(&sys::STDIN, &self.saved);
    }

    /// After the child's end: copies what is still to come from the
    /// console, bounded (SPEC §5.5: at most `DRAIN_MS` or `DRAIN_BYTES`,
    /// so a writer left behind cannot hold us), serving the signals of
    /// `signals`; then discards what the caller typed meanwhile and
    /// restores the caller's terminal. Some(signal) when one that ends us
    /// came first. `shown` is when output last reached the caller.
    #[inline(never)]
    fn finish(&mut self, signals: &Fd, mut shown: u64, buf: &mut [u8]) -> Option<u32> {
        // Our slave descriptor goes, so the master reads EIO as soon as no
        // process has the console open any more: the usual end, at once.
        self.slave = None;
        let start = sys::now_ms();
        let (mut relayed, mut output_open, mut input_open) = (0, true, true);
        let mut ending = None;
        loop {
            let now = sys::now_ms();
            // Until the console is quiet, and a terminal's answer to a query
            // sent last (`printf '\033[c'`) has had a round trip to come in,
            // so it is discarded below rather than read by the caller's shell.
            let until = if output_open { now + QUIET_MS } else { shown + QUIET_MS };
            let until = until.min(start + DRAIN_MS);
            if until <= now || relayed >= DRAIN_BYTES {
                break;
            }
            let mut fds = [PollFd { fd: signals.raw(), events: POLLIN, revents: 0 }; 3];
            fds[1].fd = if input_open { 0 } else { -1 };
            fds[2].fd = if output_open { self.master.raw() } else { -1 };
            match sys::poll(&mut fds, Some((until - now) as u32)) {
                Ok(0) => output_open = false,
                Ok(_) => {}
                Err(_) => continue,
            }
            if fds[0].revents != 0 {
                match sys::read_signal(signals) {
                    Ok(SIGCHLD) => while let Ok(Some(_)) = sys::reap_any() {},
                    Ok(SIGWINCH | SIGUSR1 | SIGUSR2 | SIGTSTP) | Err(_) => {}
                    Ok(sig) => {
                        ending = Some(sig);
                        break;
                    }
                }
            }
            if fds[1].revents != 0 && !matches!(sys::read(&sys::STDIN, buf), Ok(1..)) {
                input_open = false;
            }
            if fds[2].revents != 0 {
                match sys::read(&self.master, buf) {
                    Ok(n @ 1..) => {
                        let _ = sys::write_all(&sys::STDOUT, &buf[..n]);
                        relayed += n;
                        shown = sys::now_ms();
                    }
                    Err(Errno::EAGAIN) => {}
                    // EIO: no process has the slave open any more.
                    _ => output_open = false,
                }
            }
        }
        let _ = sys::flush_input(&sys::STDIN);
        self.restore();
        ending
    }
}

/// The drain's bounds (SPEC §5.5), and how long the console must be quiet
/// before the drain ends sooner.
const DRAIN_MS: u64 = 1000;
const DRAIN_BYTES: usize = 1 << 20;
const QUIET_MS: u64 = 100;

/// Gives the console's slave to this process (a new session's leader) as
/// its controlling terminal and its stdin, stdout and stderr.
pub fn take_console(slave: &Fd) -> Result<(), i32> {
    sys::set_controlling_tty(slave).map_err(|e| cannot(b"take the console", b"", e))?;
    for fd in 0..3 {
        sys::dup_onto(slave, fd).map_err(|e| cannot(b"take the console", b"", e))?;
    }
    Ok(())
}

/// The signals a supervisor owns (SPEC §5.5), as a set to block: SIGCHLD,
/// SIGWINCH with a console, SIGTSTP when `stoppable` (it freezes the
/// container), and those the child is passed or ended by, less any the
/// caller left ignored (nohup's SIGHUP, a script's background SIGINT, a
/// shell without job control's SIGTSTP), which stay ignored (SPEC §3).
pub fn owned_signals(with_console: bool, stoppable: bool) -> SigSet {
    let mut owned = SigSet::of(&[SIGCHLD]);
    if with_console {
        owned.0 |= SigSet::of(&[SIGWINCH]).0;
    }
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGTSTP] {
        if (sig != SIGTSTP || stoppable) && !sys::is_ignored(sig) {
            owned.0 |= SigSet::of(&[sig]).0;
        }
    }
    owned
}

/// What the supervised child is.
#[derive(Clone, Copy)]
pub enum Child {
    /// A container's init: SIGTERM asks it to stop (`-k`, else SIGRTMIN+3
    /// or SIGTERM), and its halt and reboot become exit statuses 0 and 133.
    Init { stop: Option<u32> },
    /// inject's CMD.
    Command,
}

/// The signal the child is sent for `sig` received: passed on when the
/// child takes it; SIGTERM asks an init to stop (`stop`, else SIGRTMIN+3 or
/// SIGTERM when taken, else SIGKILL; a second SIGTERM kills); SIGUSR1 and
/// SIGUSR2 not taken are dropped (None); the others end it.
pub fn signal_for(sig: u32, takes: &dyn Fn(u32) -> bool, child: Child, stopping: bool) -> Option<u32> {
    Some(match (sig, child) {
        (SIGTERM, _) if stopping => SIGKILL,
        (SIGTERM, Child::Init { stop: Some(stop) }) => stop,
        (SIGTERM, Child::Init { stop: None }) if takes(HALT) => HALT,
        _ if takes(sig) => sig,
        (SIGUSR1 | SIGUSR2, _) => return None,
        _ => SIGKILL,
    })
}

/// Whether `pid` takes `sig`: a handler for it (SigCgt), or blocked to be
/// read through signalfd, as systemd and runit do (SigBlk). `proc` is the
/// host's /proc, where `pid` has that number.
fn takes(proc: &Fd, pid: i32, sig: u32) -> bool {
    let mut path = crate::out::Line::new();
    path.num(pid as u64).add(b"/status\0");
    let Some(path) = sys::cstr_until_nul(path.text()) else { return false };
    let Ok(file) = sys::openat(proc, path, sys::O_RDONLY, 0) else { return false };
    let mut status = [0u8; 2048];
    let len = sys::read_full(&file, &mut status).unwrap_or(0);
    let status = &status[..len];
    let mask = crate::text::signal_mask(status, b"SigCgt:").unwrap_or(0)
        | crate::text::signal_mask(status, b"SigBlk:").unwrap_or(0);
    SigSet(mask).has(sig)
}

/// What the relay keeps between two polls.
struct Relay {
    /// Typed bytes the console has not taken yet (its input queue was full:
    /// the child does not read), sent first.
    typed: [u8; 4096],
    typed_at: usize,
    typed_len: usize,
    input_open: bool,
    output_open: bool,
    escapes: u32,
    first_escape: u64,
    /// When output last reached the caller (CLOCK_MONOTONIC milliseconds).
    shown: u64,
}

impl Relay {
    /// One round of relaying, after a poll of `fds` (stdin at 1, the master
    /// at 2): output to the caller, typed bytes to the console. Ctrl-]
    /// three times within a second kills `child`.
    #[inline(never)]
    fn step(&mut self, console: &Console, fds: &[PollFd; 3], buf: &mut [u8], child: i32) {
        if fds[2].revents & !POLLOUT != 0 {
            match sys::read(&console.master, buf) {
                Ok(n @ 1..) => {
                    let _ = sys::write_all(&sys::STDOUT, &buf[..n]);
                    self.shown = sys::now_ms();
                }
                Err(Errno::EAGAIN) => {}
                // EIO: no process has the slave open any more (only without
                // the supervisor's own slave descriptor).
                _ => self.output_open = false,
            }
        }
        if fds[1].revents != 0 {
            if self.typed_at == self.typed_len {
                (self.typed_at, self.typed_len) = (0, 0);
            }
            // What the console cannot take is dropped, as a terminal whose
            // input queue is full does; Ctrl-] is still seen.
            let mut dropped = [0u8; 64];
            let room = match self.typed.get_mut(self.typed_len..) {
                Some(room) if !room.is_empty() => room,
                _ => &mut dropped[..],
            };
            match sys::read(&sys::STDIN, room) {
                Ok(n @ 1..) => {
                    for &b in &room[..n] {
                        if b != ESCAPE {
                            self.escapes = 0;
                            continue;
                        }
                        let now = sys::now_ms();
                        if self.escapes == 0 || now - self.first_escape > 1000 {
                            (self.escapes, self.first_escape) = (0, now);
                        }
                        self.escapes += 1;
                        if self.escapes == 3 {
                            let _ = sys::kill(child, SIGKILL);
                        }
                    }
                    if self.typed_len < self.typed.len() {
                        self.typed_len += n;
                    }
                }
                _ => self.input_open = false,
            }
        }
        // The master does not wait (O_NONBLOCK): a child that reads nothing
        // while the caller types must not stop the output it writes.
        if self.typed_at < self.typed_len {
            match sys::write(&console.master, &self.typed[self.typed_at..self.typed_len]) {
                Ok(n) => self.typed_at += n,
                Err(Errno::EAGAIN) if self.output_open => {}
                Err(_) => self.typed_at = self.typed_len,
            }
        }
    }
}

/// Ctrl-Z of a caller without a console (SPEC §5.5): the container frozen
/// (by `freeze`, when there is a freezer) while we stop as the terminal
/// asked, thawed when we are continued (`fg`, `bg`). Where there is no
/// freezer, `warned` tells whether the warning was given already.
#[inline(never)]
fn stop(freeze: Option<&dyn Fn(bool) -> bool>, warned: &mut bool) {
    let frozen = freeze.is_some_and(|freeze| freeze(true));
    if !frozen && !*warned {
        say(b"warning: no cgroup freezer: Ctrl-Z will not stop the container", &[]);
        *warned = true;
    }
    // SIGTSTP again, with its default action (we block it, to read it
    // here): pending now, it stops us as the mask lets it through, unless
    // our process group is orphaned, where the kernel drops it (signal(7))
    // since nothing could continue us.
    let _ = sys::kill(sys::getpid(), SIGTSTP);
    let mask = sys::block(SigSet(0));
    sys::set_mask(SigSet(mask.0 & !SigSet::of(&[SIGTSTP]).0));
    sys::set_mask(mask);
    if frozen {
        if let Some(freeze) = freeze {
            freeze(false);
        }
    }
}

/// Waits for `child`, relaying the console if there is one and acting on
/// the (blocked) signals of `owned`; returns how we must end: as the child
/// did, or by the signal that made us end it (see `end`). The caller's
/// terminal is restored first.
/// `proc` is the host's /proc (inject runs in the container's mounts).
/// `freeze` freezes (true) or thaws the container, for SIGTSTP when it is
/// in `owned`; false where it cannot.
///
/// The supervisor keeps a descriptor of the console's slave until the
/// child ends: inits close their stdio and open /dev/console again (rc
/// scripts, getty, runit's stages), and while no slave is open the master
/// reads EIO and polls POLLHUP at once, so the relay would either stop for
/// good or spin. Holding one changes nothing inside: the slave's hangup
/// (SIGHUP to its session) comes from the master's close or vhangup(2),
/// and its session from TIOCSCTTY, never from the number of descriptors
/// open (pty(7), tty_ioctl(4)); ours is close-on-exec and O_NOCTTY, and
/// no process of the container can reach this process's descriptors.
pub fn supervise(
    child: i32,
    owned: SigSet,
    kind: Child,
    mut console: Option<&mut Console>,
    proc: &Fd,
    freeze: Option<&dyn Fn(bool) -> bool>,
) -> Exit {
    let signals = match sys::signalfd(owned) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = sys::kill(child, SIGKILL);
            return Exit::Code(cannot(b"create signalfd", b"", e));
        }
    };
    if let Some(console) = console.as_deref_mut() {
        let _ = sys::set_nonblocking(&console.master);
    }
    let mut received = 0;
    let mut warned = false;
    let mut relay = Relay {
        typed: [0; 4096],
        typed_at: 0,
        typed_len: 0,
        input_open: true,
        output_open: true,
        escapes: 0,
        first_escape: 0,
        shown: 0,
    };
    let mut buf = [0u8; 16384];
    // At once, too: a child that ended before we listened (its SIGCHLD
    // taken by an earlier wait, as -o's) is reaped.
    let mut reap = true;
    loop {
        // SIGCHLD: reap whatever ended; only the child's end matters.
        while let Some((pid, how)) = if reap { sys::reap_any().ok().flatten() } else { None } {
            if pid != child {
                continue;
            }
            if let Some(console) = console.as_deref_mut() {
                if let Some(sig) = console.finish(&signals, relay.shown, &mut buf) {
                    received = sig;
                }
            }
            if received != 0 {
                return Exit::Signal(received);
            }
            return match (how, kind) {
                // reboot(2) in a PID namespace ends its init "killed" by
                // SIGINT for a halt or power-off, SIGHUP for a restart
                // (pid_namespaces(7)).
                (Exit::Signal(SIGINT), Child::Init { .. }) => Exit::Code(0),
                (Exit::Signal(SIGHUP), Child::Init { .. }) => Exit::Code(REBOOTED),
                (how, _) => how,
            };
        }
        reap = false;
        let mut fds = [PollFd { fd: signals.raw(), events: POLLIN, revents: 0 }; 3];
        fds[1].fd = -1;
        fds[2].fd = -1;
        if let Some(console) = console.as_deref() {
            let typing = relay.typed_at < relay.typed_len;
            if relay.input_open {
                fds[1].fd = 0;
            }
            if relay.output_open {
                fds[2].fd = console.master.raw();
                fds[2].events = if typing { POLLIN | POLLOUT } else { POLLIN };
            }
        }
        if sys::poll(&mut fds, None).is_err() {
            continue;
        }
        if let Some(console) = console.as_deref() {
            relay.step(console, &fds, &mut buf, child);
        }
        if fds[0].revents == 0 {
            continue;
        }
        match sys::read_signal(&signals) {
            Ok(SIGCHLD) => reap = true,
            Ok(SIGWINCH) => {
                if let Some(console) = console.as_deref() {
                    console.resize();
                }
            }
            Ok(SIGTSTP) => stop(freeze, &mut warned),
            Ok(sig) => {
                let taken = |s| takes(proc, child, s);
                if let Some(target) = signal_for(sig, &taken, kind, received == SIGTERM) {
                    if sig != SIGUSR1 && sig != SIGUSR2 {
                        received = sig;
                    }
                    let _ = sys::kill(child, target);
                }
            }
            Err(_) => {}
        }
    }
}

/// Ends as `how` says: its exit status, or death by the same signal.
#[inline(never)]
pub fn end(how: Exit) -> i32 {
    match how {
        Exit::Code(code) => code,
        Exit::Signal(sig) => sys::die_by(sig),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_and_pass_on() {
        let none = |_| false;
        let systemd = |s| s == HALT || s == SIGTERM || s == SIGINT;
        let sysv = |s| s == SIGTERM || s == SIGUSR1;
        let init = Child::Init { stop: None };
        assert_eq!(signal_for(SIGTERM, &systemd, init, false), Some(HALT));
        assert_eq!(signal_for(SIGTERM, &sysv, init, false), Some(SIGTERM));
        assert_eq!(signal_for(SIGTERM, &none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, &systemd, Child::Init { stop: Some(30) }, false), Some(30));
        assert_eq!(signal_for(SIGTERM, &systemd, init, true), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, &systemd, Child::Command, false), Some(SIGTERM));
        assert_eq!(signal_for(SIGTERM, &none, Child::Command, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGINT, &systemd, init, false), Some(SIGINT));
        assert_eq!(signal_for(SIGINT, &none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGHUP, &none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGUSR1, &sysv, init, false), Some(SIGUSR1));
        assert_eq!(signal_for(SIGUSR2, &sysv, init, false), None);
    }
}

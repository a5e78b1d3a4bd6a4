//! The console: a pseudo-terminal relayed to the caller's terminal, by
//! contain (its init's) and inject (its CMD's); `supervise` drives it.

use crate::out::fail;
use crate::supervise::{SIGUSR1, SIGUSR2, SIGWINCH};
use crate::sys::{self, Errno, Fd, PollFd, Termios, POLLIN, POLLOUT, SIGCHLD, SIGKILL, SIGTSTP};
use core::ffi::CStr;

/// Ctrl-]: three of them within a second end the container, as with
/// systemd-nspawn.
const ESCAPE: u8 = 0x1d;

/// The slots of the relay's poll: the signalfd, the caller's stdin, the
/// console's master.
pub(crate) const SIGNALS: usize = 0;
pub(crate) const TYPED: usize = 1;
pub(crate) const OUTPUT: usize = 2;

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
        let (master, slave) = sys::open_pty(ptmx).map_err(|e| fail(b"cannot open ", ptmx.to_bytes(), e))?;
        let mut console = Console::adopt(master)?;
        console.slave = Some(slave);
        Ok(console)
    }

    /// The console whose master `master` another process opened (contain's
    /// mounter, in the container's devpts), with the caller's window size.
    pub fn adopt(master: Fd) -> Result<Console, i32> {
        let saved = sys::get_termios(&sys::STDIN).map_err(|e| fail(b"cannot read the terminal's settings", b"", e))?;
        // Our own slave descriptor from now on, before the child may run:
        // an init that closes its stdio at once must not leave the console
        // closed everywhere before `supervise` starts (see there).
        let slave = sys::open_peer(&master).ok();
        let console = Console { master, slave, saved };
        console.resize();
        Ok(console)
    }

    /// The caller's window size, again (after SIGWINCH).
    pub(crate) fn resize(&self) {
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
    pub(crate) fn finish(&mut self, signals: &Fd, mut shown: u64, buf: &mut [u8]) -> Option<u32> {
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
            fds[TYPED].fd = if input_open { 0 } else { -1 };
            fds[OUTPUT].fd = if output_open { self.master.raw() } else { -1 };
            match sys::poll(&mut fds, Some((until - now) as u32)) {
                Ok(0) => output_open = false,
                Ok(_) => {}
                Err(_) => continue,
            }
            if fds[SIGNALS].revents != 0 {
                match sys::read_signal(signals) {
                    Ok(SIGCHLD) => while let Ok(Some(_)) = sys::reap_any() {},
                    Ok(SIGWINCH | SIGUSR1 | SIGUSR2 | SIGTSTP) | Err(_) => {}
                    Ok(sig) => {
                        ending = Some(sig);
                        break;
                    }
                }
            }
            if fds[TYPED].revents != 0 && !matches!(sys::read(&sys::STDIN, buf), Ok(1..)) {
                input_open = false;
            }
            if fds[OUTPUT].revents != 0 {
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
    sys::set_controlling_tty(slave).map_err(|e| fail(b"cannot take the console", b"", e))?;
    for fd in 0..3 {
        sys::dup_onto(slave, fd).map_err(|e| fail(b"cannot take the console", b"", e))?;
    }
    Ok(())
}

/// What the relay keeps between two polls.
pub(crate) struct Relay {
    /// Typed bytes the console has not taken yet (its input queue was full:
    /// the child does not read), sent first.
    typed: [u8; 4096],
    pub(crate) typed_at: usize,
    pub(crate) typed_len: usize,
    pub(crate) input_open: bool,
    pub(crate) output_open: bool,
    escapes: u32,
    first_escape: u64,
    /// When output last reached the caller (CLOCK_MONOTONIC milliseconds).
    pub(crate) shown: u64,
}

impl Relay {
    pub(crate) fn new() -> Relay {
        Relay {
            typed: [0; 4096],
            typed_at: 0,
            typed_len: 0,
            input_open: true,
            output_open: true,
            escapes: 0,
            first_escape: 0,
            shown: 0,
        }
    }

    /// One round of relaying, after a poll of `fds` (stdin at TYPED, the
    /// master at OUTPUT): output to the caller, typed bytes to the console. Ctrl-]
    /// three times within a second kills `child`.
    #[inline(never)]
    pub(crate) fn step(&mut self, console: &Console, fds: &[PollFd; 3], buf: &mut [u8], child: i32) {
        if fds[OUTPUT].revents & !POLLOUT != 0 {
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
        if fds[TYPED].revents != 0 {
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

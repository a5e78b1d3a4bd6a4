//! The console: a pseudo-terminal relayed to the caller's terminal, and the
//! supervision loop that waits for the child while it relays, shared by
//! contain (its init) and inject (its CMD).

use crate::out::cannot;
use crate::sys::{self, Exit, Fd, PollFd, SigSet, Termios, POLLIN, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM};
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
    /// The child's end; the supervisor closes its copy once the child has
    /// one, so the master reads end of file when the child's side is gone.
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
        let console = Console { master, slave: None, saved };
        console.resize();
        Ok(console)
    }

    /// The caller's window size, again (after SIGWINCH).
    fn resize(&self) {
        if let Ok(size) = sys::window_size(&sys::STDIN) {
            let _ = sys::set_window_size(&self.master, &size);
        }
    }

    /// The caller's terminal in raw mode: every key is a byte for the child.
    pub fn raw(&self) {
        let _ = sys::set_termios(&sys::STDIN, &sys::raw(&self.saved));
    }

    /// The caller's terminal as it was.
    pub fn restore(&self) {
        let _ = sys::set_termios(&sys::STDIN, &self.saved);
    }

    /// Copies what the child's side wrote and is still unread: until the
    /// slave is closed everywhere (EIO), or nothing more comes for 100 ms
    /// (a process left behind may keep it open). The terminal moves bytes
    /// to the master asynchronously, so an empty read alone ends nothing.
    #[inline(never)]
    fn drain(&self) {
        let mut buf = [0u8; 4096];
        loop {
            let mut fds = [PollFd { fd: self.master.raw(), events: POLLIN, revents: 0 }];
            if sys::poll(&mut fds, Some(100)) != Ok(1) {
                return;
            }
            match sys::read(&self.master, &mut buf) {
                Ok(n @ 1..) => {
                    let _ = sys::write_all(&sys::STDOUT, &buf[..n]);
                }
                _ => return,
            }
        }
    }
}

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
/// SIGWINCH with a console, and those the child is passed or ended by,
/// less any the caller left ignored (nohup's SIGHUP, a script's background
/// SIGINT), which stay ignored (SPEC §3).
pub fn owned_signals(with_console: bool) -> SigSet {
    let mut owned = SigSet::of(&[SIGCHLD]);
    if with_console {
        owned.0 |= SigSet::of(&[SIGWINCH]).0;
    }
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2] {
        if !sys::is_ignored(sig) {
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

/// Waits for `child`, relaying the console if there is one and acting on
/// the (blocked) signals of `owned`; returns how we must end: as the child
/// did, or by the signal that made us end it (see `end`). The caller's
/// terminal is restored first.
/// `proc` is the host's /proc (inject runs in the container's mounts).
pub fn supervise(child: i32, owned: SigSet, kind: Child, console: Option<&Console>, proc: &Fd) -> Exit {
    let signals = match sys::signalfd(owned) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = sys::kill(child, SIGKILL);
            return Exit::Code(cannot(b"create signalfd", b"", e));
        }
    };
    let mut received = 0;
    let (mut escapes, mut first_escape) = (0, 0);
    let mut input_open = true;
    let mut output_open = true;
    let mut buf = [0u8; 16384];
    loop {
        let mut fds = [PollFd { fd: signals.raw(), events: POLLIN, revents: 0 }; 3];
        if let Some(console) = console {
            fds[1].fd = if input_open { 0 } else { -1 };
            fds[2].fd = if output_open { console.master.raw() } else { -1 };
        } else {
            fds[1].fd = -1;
            fds[2].fd = -1;
        }
        if sys::poll(&mut fds, None).is_err() {
            continue;
        }
        if let Some(console) = console {
            if fds[2].revents != 0 {
                match sys::read(&console.master, &mut buf) {
                    Ok(n @ 1..) => {
                        let _ = sys::write_all(&sys::STDOUT, &buf[..n]);
                    }
                    // EIO: no process has the slave open any more.
                    _ => output_open = false,
                }
            }
            if fds[1].revents != 0 {
                match sys::read(&sys::STDIN, &mut buf) {
                    Ok(n @ 1..) => {
                        for &b in &buf[..n] {
                            if b != ESCAPE {
                                escapes = 0;
                                continue;
                            }
                            let now = sys::now_ms();
                            if escapes == 0 || now - first_escape > 1000 {
                                (escapes, first_escape) = (0, now);
                            }
                            escapes += 1;
                            if escapes == 3 {
                                let _ = sys::kill(child, SIGKILL);
                            }
                        }
                        let _ = sys::write_all(&console.master, &buf[..n]);
                    }
                    _ => input_open = false,
                }
            }
        }
        if fds[0].revents == 0 {
            continue;
        }
        let Ok(sig) = sys::read_signal(&signals) else { continue };
        match sig {
            SIGCHLD => {}
            SIGWINCH => {
                if let Some(console) = console {
                    console.resize();
                }
                continue;
            }
            _ => {
                let taken = |s| takes(proc, child, s);
                if let Some(target) = signal_for(sig, &taken, kind, received == SIGTERM) {
                    if sig != SIGUSR1 && sig != SIGUSR2 {
                        received = sig;
                    }
                    let _ = sys::kill(child, target);
                }
                continue;
            }
        }
        // SIGCHLD: reap whatever ended; only the child's end matters.
        while let Ok(Some((pid, how))) = sys::reap_any() {
            if pid != child {
                continue;
            }
            if let Some(console) = console {
                console.drain();
                console.restore();
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

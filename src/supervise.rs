//! The supervision loop: a supervisor waits for its child (contain's init,
//! inject's CMD), relays its console if it has one, and owns the signals:
//! which it passes on, which stop the child, and how the supervisor ends.

use crate::console::{Console, Relay, OUTPUT, SIGNALS, TYPED};
use crate::out::{fail, say};
use crate::sys::{
    self, Exit, Fd, PollFd, SigSet, POLLIN, POLLOUT, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGPWR, SIGQUIT, SIGTERM,
    SIGTSTP,
};
use crate::text::{after, parse_u32};

pub use crate::sys::{SIGUSR1, SIGUSR2, SIGWINCH};
/// The C library's SIGRTMIN is the kernel's (32) + 2: glibc and musl keep
/// two for threads; systemd halts on SIGRTMIN+3 = 37 (systemd(1), "Signals").
pub const SIGRTMIN: u32 = crate::sys::SIGRTMIN + 2;
const HALT: u32 = SIGRTMIN + 3;

/// systemd-nspawn's status for a container that rebooted.
const REBOOTED: i32 = 133;

/// A signal by number (1..=64) or name, with or without `SIG`:
/// `TERM`, `SIGRTMIN+3`, `RTMAX-1`, `15`.
#[inline(never)]
pub fn parse_signal(text: &[u8]) -> Option<u32> {
    // The names of signals 1 to 31, in order, each after a space.
    const NAMES: &[u8] = b" HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS";
    let number = |t: &[u8]| parse_u32(t).filter(|n| (1..=64).contains(n));
    if let Some(n) = number(text) {
        return Some(n);
    }
    let name = after(text, b"SIG").unwrap_or(text);
    if let Some(i) = NAMES.split(|&b| b == b' ').skip(1).position(|n| n == name) {
        return Some(i as u32 + 1);
    }
    let (base, offset) = match name {
        [b'R', b'T', b'M', b'I', b'N', rest @ ..] => (SIGRTMIN, rest),
        [b'R', b'T', b'M', b'A', b'X', rest @ ..] => (64, rest),
        _ => return None,
    };
    let n = match offset {
        [] => base,
        [b'+', n @ ..] => base + parse_u32(n).filter(|&n| n <= 30)?,
        [b'-', n @ ..] => base - parse_u32(n).filter(|&n| n <= 30)?,
        _ => return None,
    };
    (SIGRTMIN..=64).contains(&n).then_some(n)
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
/// child takes it; SIGTERM asks an init to stop (`stop`, else `stop_signal`
/// by what it takes and its `name`; a second SIGTERM kills); SIGUSR1 and
/// SIGUSR2 not taken are dropped (None); the others end it.
pub fn signal_for(sig: u32, taken: SigSet, name: &[u8], child: Child, stopping: bool) -> Option<u32> {
    Some(match (sig, child) {
        (SIGTERM, _) if stopping => SIGKILL,
        (SIGTERM, Child::Init { stop: Some(stop) }) => stop,
        (SIGTERM, Child::Init { stop: None }) => stop_signal(taken, name),
        _ if taken.has(sig) => sig,
        (SIGUSR1 | SIGUSR2, _) => return None,
        _ => SIGKILL,
    })
}

/// What asks an init to stop cleanly, without `-k` (SPEC §5.5, Signals):
/// SIGRTMIN+3 for systemd (its SIGTERM means re-execute); for runit,
/// SIGPWR where it takes it (Debian's runit(8), SIGNALS: a shutdown), else
/// SIGINT (ctrl-alt-del: /etc/runit/ctrlaltdel, which asks for a stop);
/// for sysvinit (`init`, which ignores SIGTERM), SIGINT, its inittab's
/// ctrlaltdel entry (init(8); Debian's reboots, and contain ends as asked
/// anyway). Both take SIGTERM only to ignore it, so `name`, the init's
/// program name (/proc/PID/comm), tells them. Otherwise SIGTERM when it is
/// taken, else SIGKILL.
#[inline(never)]
fn stop_signal(taken: SigSet, name: &[u8]) -> u32 {
    let takes = |sig| taken.has(sig);
    match name {
        _ if takes(HALT) => HALT,
        b"runit" if takes(SIGPWR) => SIGPWR,
        b"runit" if takes(SIGINT) => SIGINT,
        b"init" if !takes(SIGTERM) && takes(SIGINT) => SIGINT,
        _ if takes(SIGTERM) => SIGTERM,
        _ => SIGKILL,
    }
}

/// /proc/PID/status of `pid` (`proc` is the host's /proc, where `pid` has
/// that number) in `buf`; empty when it cannot be read.
fn status_of<'b>(proc: &Fd, pid: i32, buf: &'b mut [u8; 2048]) -> &'b [u8] {
    let mut path = crate::out::Line::new();
    path.num(pid as u64).add(b"/status\0");
    let len = sys::cstr_until_nul(path.text())
        .and_then(|path| sys::openat(proc, path, sys::O_RDONLY, 0).ok())
        .and_then(|file| sys::read_full(&file, buf).ok())
        .unwrap_or(0);
    &buf[..len]
}

/// The signals a process takes, by its status: those it has a handler
/// for (SigCgt), or blocks to read through signalfd, as systemd and runit
/// do (SigBlk).
fn taken(status: &[u8]) -> SigSet {
    let mask = |name| crate::procfs::mask(status, name).unwrap_or(0);
    SigSet(mask(b"SigCgt:") | mask(b"SigBlk:"))
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
            return Exit::Code(fail(b"cannot create signalfd", b"", e));
        }
    };
    if let Some(console) = console.as_deref_mut() {
        let _ = sys::set_nonblocking(&console.master);
    }
    let mut received = 0;
    // Whether the init was asked to stop (a stop signal, not SIGKILL).
    let mut asked = false;
    let mut warned = false;
    let mut relay = Relay::new();
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
        fds[TYPED].fd = -1;
        fds[OUTPUT].fd = -1;
        if let Some(console) = console.as_deref() {
            let typing = relay.typed_at < relay.typed_len;
            if relay.input_open {
                fds[TYPED].fd = 0;
            }
            if relay.output_open {
                fds[OUTPUT].fd = console.master.raw();
                fds[OUTPUT].events = if typing { POLLIN | POLLOUT } else { POLLIN };
            }
        }
        if sys::poll(&mut fds, None).is_err() {
            continue;
        }
        if let Some(console) = console.as_deref() {
            relay.step(console, &fds, &mut buf, child);
        }
        if fds[SIGNALS].revents == 0 {
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
                let mut status = [0u8; 2048];
                let status = status_of(proc, child, &mut status);
                // The program's name (comm), for an init's stop signal.
                let name = crate::procfs::field(status, b"Name:").unwrap_or_default();
                if let Some(target) = signal_for(sig, taken(status), name, kind, received == SIGTERM) {
                    if sig != SIGUSR1 && sig != SIGUSR2 {
                        received = sig;
                    }
                    // A stop asked for and not waited out (SPEC §5.5).
                    if sig == SIGTERM && target == SIGKILL && asked && matches!(kind, Child::Init { .. }) {
                        say(b"a second SIGTERM: the container is killed (SIGKILL), not stopped cleanly", &[]);
                    }
                    asked |= sig == SIGTERM && target != SIGKILL;
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
        let none = SigSet(0);
        let systemd = SigSet::of(&[HALT, SIGTERM, SIGINT]);
        let term = SigSet::of(&[SIGTERM, SIGUSR1]);
        let init = Child::Init { stop: None };
        let signal_for = |sig, taken, child, stopping| signal_for(sig, taken, b"", child, stopping);
        assert_eq!(signal_for(SIGTERM, systemd, init, false), Some(HALT));
        assert_eq!(signal_for(SIGTERM, term, init, false), Some(SIGTERM));
        assert_eq!(signal_for(SIGTERM, none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, systemd, Child::Init { stop: Some(30) }, false), Some(30));
        assert_eq!(signal_for(SIGTERM, systemd, init, true), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, systemd, Child::Command, false), Some(SIGTERM));
        assert_eq!(signal_for(SIGTERM, none, Child::Command, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGINT, systemd, init, false), Some(SIGINT));
        assert_eq!(signal_for(SIGINT, none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGHUP, none, init, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGUSR1, term, init, false), Some(SIGUSR1));
        assert_eq!(signal_for(SIGUSR2, term, init, false), None);
    }

    /// The inits that take SIGTERM only to ignore it, by name: what their
    /// /proc/PID/status shows (bookworm's sysvinit 3.06 and runit 2.1.2).
    #[test]
    fn sysvinit_and_runit_are_asked_their_own_way() {
        let init = Child::Init { stop: None };
        // sysvinit: handlers for INT, PWR, HUP, USR1...; TERM ignored.
        let sysvinit = SigSet::of(&[SIGINT, SIGPWR, SIGHUP, SIGUSR1, SIGCHLD]);
        // runit: CONT, INT, PWR, TERM and more blocked, read by a self-pipe.
        let runit = SigSet::of(&[SIGINT, SIGPWR, SIGTERM, SIGCHLD, 18]);
        let upstream_runit = SigSet::of(&[SIGINT, SIGTERM, SIGCHLD, 18]);
        assert_eq!(signal_for(SIGTERM, sysvinit, b"init", init, false), Some(SIGINT));
        assert_eq!(signal_for(SIGTERM, runit, b"runit", init, false), Some(SIGPWR));
        assert_eq!(signal_for(SIGTERM, upstream_runit, b"runit", init, false), Some(SIGINT));
        // A second SIGTERM still kills; -k still wins.
        assert_eq!(signal_for(SIGTERM, sysvinit, b"init", init, true), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, runit, b"runit", Child::Init { stop: Some(SIGTERM) }, false), Some(SIGTERM));
        // An init called `init` that takes SIGTERM (busybox's) gets it; a
        // shell, which takes SIGINT and ignores SIGTERM, is not sysvinit.
        let busybox = SigSet::of(&[SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGQUIT]);
        assert_eq!(signal_for(SIGTERM, busybox, b"init", init, false), Some(SIGTERM));
        let shell = SigSet::of(&[SIGINT]);
        assert_eq!(signal_for(SIGTERM, shell, b"sh", init, false), Some(SIGKILL));
        // Neither name counts for systemd, nor for inject's command.
        let systemd = SigSet::of(&[HALT, SIGTERM, SIGINT]);
        assert_eq!(signal_for(SIGTERM, systemd, b"init", init, false), Some(HALT));
        assert_eq!(signal_for(SIGTERM, sysvinit, b"init", Child::Command, false), Some(SIGKILL));
    }

    #[test]
    fn signals_by_name_and_number() {
        for (text, sig) in [
            (&b"TERM"[..], 15),
            (b"SIGTERM", 15),
            (b"15", 15),
            (b"1", 1),
            (b"64", 64),
            (b"HUP", 1),
            (b"KILL", 9),
            (b"USR1", 10),
            (b"PWR", 30),
            (b"SYS", 31),
            (b"RTMIN", 34),
            (b"RTMIN+3", 37),
            (b"SIGRTMIN+3", 37),
            (b"RTMAX", 64),
            (b"RTMAX-1", 63),
        ] {
            assert_eq!(parse_signal(text), Some(sig), "{:?}", std::str::from_utf8(text));
        }
        for bad in [
            &b""[..],
            b"0",
            b"65",
            b"-1",
            b"term",
            b"SIG",
            b"SIGSIGTERM",
            b"RTMIN+31",
            b"RTMAX-31",
            b"RTMIN-1",
            b"RTMIN+",
            b"TERM ",
        ] {
            assert_eq!(parse_signal(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }
}

//! Terminals: settings, window size, pseudo-terminals, sessions; and the
//! poll, signalfd and clock calls the console relay waits with.

use super::*;
use linux_raw_sys::ioctl as io;

pub use k::{termios as Termios, winsize as WinSize};

pub fn get_termios(fd: &Fd) -> Result<Termios> {
    let mut t = Termios { c_iflag: 0, c_oflag: 0, c_cflag: 0, c_lflag: 0, c_line: 0, c_cc: [0; 19] };
    // SAFETY: a struct termios, which TCGETS fills (tty_ioctl(4)).
    unsafe { ioctl(fd, io::TCGETS, &mut t) }.map(|_| t)
}

/// Sets `t` once the output written so far has been sent (TCSADRAIN).
#[inline(never)]
pub fn set_termios(fd: &Fd, t: &Termios) -> Result<()> {
    let mut t = *t;
    // SAFETY: a struct termios, which TCSETSW reads (tty_ioctl(4)).
    unsafe { ioctl(fd, io::TCSETSW, &mut t) }.map(|_| ())
}

/// `t` in raw mode, as cfmakeraw(3) makes it: bytes pass unchanged, and
/// Ctrl-C, Ctrl-Z and Ctrl-\ are bytes, not signals.
#[inline(never)]
pub fn raw(t: &Termios) -> Termios {
    let mut r = *t;
    r.c_iflag &= !(k::IGNBRK | k::BRKINT | k::PARMRK | k::ISTRIP | k::INLCR | k::IGNCR | k::ICRNL | k::IXON);
    r.c_oflag &= !k::OPOST;
    r.c_lflag &= !(k::ECHO | k::ECHONL | k::ICANON | k::ISIG | k::IEXTEN);
    r.c_cflag = (r.c_cflag & !(k::CSIZE | k::PARENB)) | k::CS8;
    r.c_cc[k::VMIN as usize] = 1;
    r.c_cc[k::VTIME as usize] = 0;
    r
}

pub fn window_size(fd: &Fd) -> Result<WinSize> {
    let mut w = WinSize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: a struct winsize, which TIOCGWINSZ fills (tty_ioctl(4)).
    unsafe { ioctl(fd, io::TIOCGWINSZ, &mut w) }.map(|_| w)
}

pub fn set_window_size(fd: &Fd, w: &WinSize) -> Result<()> {
    let mut w = *w;
    // SAFETY: a struct winsize, which TIOCSWINSZ reads (tty_ioctl(4)).
    unsafe { ioctl(fd, io::TIOCSWINSZ, &mut w) }.map(|_| ())
}

/// The foreground process group of the terminal `fd`.
pub fn foreground_group(fd: &Fd) -> Result<i32> {
    let mut pgrp: i32 = 0;
    // SAFETY: a pid_t (i32), which TIOCGPGRP fills (tty_ioctl(4)).
    unsafe { ioctl(fd, io::TIOCGPGRP, &mut pgrp) }.map(|_| pgrp)
}

pub fn getpgrp() -> i32 {
    // SAFETY: plain integer argument.
    unsafe { sc::syscall1(nr!(__NR_getpgid), 0) as i32 }
}

/// A new pseudo-terminal from the `ptmx` at `ptmx`: its master and, opened
/// through the master (TIOCGPTPEER, Linux 4.13), its slave.
pub fn open_pty(ptmx: &CStr) -> Result<(Fd, Fd)> {
    let master = open(ptmx, O_RDWR | k::O_NOCTTY)?;
    let mut unlock: i32 = 0;
    // SAFETY: an int, which TIOCSPTLCK reads (pty(7)).
    unsafe { ioctl(&master, io::TIOCSPTLCK, &mut unlock) }?;
    let slave = open_peer(&master)?;
    Ok((master, slave))
}

/// The slave of the (unlocked) pseudo-terminal `master`, opened through
/// the master (TIOCGPTPEER, Linux 4.13), whatever mount namespace its
/// devpts instance is in: close-on-exec, and never a controlling terminal.
pub fn open_peer(master: &Fd) -> Result<Fd> {
    ioctl_int(master, io::TIOCGPTPEER, (O_RDWR | k::O_NOCTTY | O_CLOEXEC) as usize).map(|fd| Fd(fd as i32))
}

/// Discards what the terminal `fd` received and nobody read yet
/// (tcflush(fd, TCIFLUSH)).
pub fn flush_input(fd: &Fd) -> Result<()> {
    ioctl_int(fd, io::TCFLSH, k::TCIFLUSH as usize).map(|_| ())
}

/// Makes the terminal `fd` the controlling terminal of our new session.
pub fn set_controlling_tty(fd: &Fd) -> Result<()> {
    ioctl_int(fd, io::TIOCSCTTY, 0).map(|_| ())
}

/// dup3(2): `fd` also as descriptor `target`, not close-on-exec.
pub fn dup_onto(fd: &Fd, target: i32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall3(nr!(__NR_dup3), fd.raw() as usize, target as usize, 0) })
}

pub use k::pollfd as PollFd;
pub const POLLIN: i16 = k::POLLIN as i16;
pub const POLLOUT: i16 = k::POLLOUT as i16;
pub const POLLPRI: i16 = k::POLLPRI as i16;

/// poll(2) (as ppoll, which every architecture has), waiting at most
/// `timeout_ms` milliseconds, or without a limit for None.
pub fn poll(fds: &mut [PollFd], timeout_ms: Option<u32>) -> Result<usize> {
    let ts = timeout_ms.map(|ms| [(ms / 1000) as isize, (ms % 1000) as isize * 1_000_000]);
    let ts_ptr = ts.as_ref().map_or(0, |t| t.as_ptr() as usize);
    // SAFETY: the kernel reads and updates fds.len() pollfd entries, and
    // reads the struct timespec of two longs when one is given.
    check(unsafe { sc::syscall5(nr!(__NR_ppoll), fds.as_mut_ptr() as usize, fds.len(), ts_ptr, 0, 8) })
}

/// A descriptor that reads the (blocked) signals of `set` (signalfd(2)).
pub fn signalfd(set: SigSet) -> Result<Fd> {
    // SAFETY: the set is a valid 8-byte sigset_t.
    check(unsafe {
        sc::syscall4(nr!(__NR_signalfd4), usize::MAX, &set.0 as *const u64 as usize, 8, O_CLOEXEC as usize)
    })
    .map(|fd| Fd(fd as i32))
}

/// The next signal read from a `signalfd`.
pub fn read_signal(fd: &Fd) -> Result<u32> {
    let mut info = [0u32; 32];
    // SAFETY: 128 bytes, one struct signalfd_siginfo; ssi_signo comes first.
    check(unsafe { sc::syscall3(nr!(__NR_read), fd.raw() as usize, info.as_mut_ptr() as usize, 128) })?;
    Ok(info[0])
}

/// Milliseconds of CLOCK_MONOTONIC.
pub fn now_ms() -> u64 {
    let mut ts = [0isize; 2];
    // SAFETY: a struct timespec of two longs.
    unsafe { sc::syscall2(nr!(__NR_clock_gettime), k::CLOCK_MONOTONIC as usize, ts.as_mut_ptr() as usize) };
    ts[0] as u64 * 1000 + ts[1] as u64 / 1_000_000
}

//! The syscall layer: the only place with `unsafe`. One typed wrapper per
//! system call, errors decoded in one place, file descriptors owned.
//!
//! Everything here is a thin, safe function over `sc::syscallN` with the
//! numbers and constants of `linux-raw-sys`; nothing above this module sees
//! a raw return value from the kernel.

#[cfg(not(test))]
mod start;

// `sc` for every architecture but 32-bit ARM, which has its own file.
#[cfg(target_arch = "arm")]
mod arm;
#[cfg(target_arch = "arm")]
use arm as sc;

use core::ffi::{c_char, CStr};
use core::marker::PhantomData;
use core::ptr::null;
use linux_raw_sys::general as k;

pub use k::{
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS,
    CLONE_PARENT, MNT_DETACH, MS_BIND, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC,
    MS_REMOUNT, MS_SLAVE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY,
    O_RDWR, O_WRONLY, SIGCHLD, SIGHUP, SIGINT, SIGKILL, SIGPWR, SIGQUIT, SIGRTMIN, SIGSTOP, SIGTERM, SIGTSTP, SIGUSR1,
    SIGUSR2, SIGWINCH, S_IFMT, W_OK, X_OK,
};

pub const AT_FDCWD: i32 = k::AT_FDCWD;
/// Seals that make a memfd immutable for good (memfd_create(2), fcntl(2)).
pub const ALL_SEALS: u32 = k::F_SEAL_SEAL | k::F_SEAL_SHRINK | k::F_SEAL_GROW | k::F_SEAL_WRITE;

// 32-bit ARM keeps 16-bit ids and a 32-bit sendfile offset on the old
// numbers; the calls with 32-bit ids and 64-bit offsets are new ones.
#[cfg(not(target_arch = "arm"))]
pub(crate) use k::{
    __NR_getgid as NR_GETGID, __NR_getuid as NR_GETUID, __NR_sendfile as NR_SENDFILE, __NR_setfsgid as NR_SETFSGID,
    __NR_setfsuid as NR_SETFSUID, __NR_setgid as NR_SETGID, __NR_setgroups as NR_SETGROUPS, __NR_setuid as NR_SETUID,
};
#[cfg(target_arch = "arm")]
use k::{
    __NR_getgid32 as NR_GETGID, __NR_getuid32 as NR_GETUID, __NR_sendfile64 as NR_SENDFILE,
    __NR_setfsgid32 as NR_SETFSGID, __NR_setfsuid32 as NR_SETFSUID, __NR_setgid32 as NR_SETGID,
    __NR_setgroups32 as NR_SETGROUPS, __NR_setuid32 as NR_SETUID,
};

macro_rules! nr {
    ($name:ident) => {
        k::$name as usize
    };
}

/// Decodes a raw return value: -4095..-1 are error numbers.
pub(crate) fn check(ret: usize) -> Result<usize> {
    if ret > (-4096isize) as usize {
        Err(Errno(ret.wrapping_neg() as u16))
    } else {
        Ok(ret)
    }
}

pub(crate) fn unit(ret: usize) -> Result<()> {
    check(ret).map(|_| ())
}

pub(crate) fn ptr(s: &CStr) -> usize {
    s.as_ptr() as usize
}

pub(crate) fn opt_ptr(s: Option<&CStr>) -> usize {
    s.map_or(0, ptr)
}

mod errno;
mod fd;
mod memfd;
mod mount;
mod net;
#[cfg(feature = "oci")]
mod oci;
mod process;
mod seccomp;
mod signal;
mod tty;

pub use errno::*;
pub use fd::*;
pub use memfd::*;
pub use mount::*;
pub use net::*;
#[cfg(feature = "oci")]
pub use oci::*;
pub use process::*;
pub use seccomp::*;
pub use signal::*;
pub use tty::*;

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel returns -errno as an unsigned word: -4095..-1 are errors,
    /// everything else (addresses, counts, descriptors) is a value.
    #[test]
    fn raw_return_values() {
        assert_eq!(check(0), Ok(0));
        assert_eq!(check(4096), Ok(4096));
        assert_eq!(check(-1isize as usize), Err(Errno(1)));
        assert_eq!(check(-4095isize as usize), Err(Errno(4095)));
        assert_eq!(check(-4096isize as usize), Ok(-4096isize as usize));
        assert_eq!(unit(-2isize as usize), Err(Errno::ENOENT));
    }
}

//! The system calls the OCI runtime needs beyond the applets': ids and
//! groups, host and domain names, resource limits, the umask, fifos, the
//! wall clock, and the client end of a local stream socket (the console
//! socket of podman and containerd).

use super::*;

/// setgroups(2) with `groups` as the supplementary groups.
pub fn set_groups(groups: &[u32]) -> Result<()> {
    // SAFETY: the kernel reads groups.len() gid_t (u32) values.
    unit(unsafe { sc::syscall2(NR_SETGROUPS as usize, groups.len(), groups.as_ptr() as usize) })
}

/// setdomainname(2).
pub fn set_domainname(name: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads name.len() bytes.
    unit(unsafe { sc::syscall2(nr!(__NR_setdomainname), name.as_ptr() as usize, name.len()) })
}

/// prlimit64(0, resource, {soft, hard}, NULL): this process's limit.
pub fn set_rlimit(resource: u32, soft: u64, hard: u64) -> Result<()> {
    let limit = [soft, hard];
    // SAFETY: a struct rlimit64 of two u64s, which the kernel only reads.
    unit(unsafe { sc::syscall4(nr!(__NR_prlimit64), 0, resource as usize, limit.as_ptr() as usize, 0) })
}

/// umask(2); returns the mask before.
pub fn umask(mask: u32) -> u32 {
    // SAFETY: plain integer argument.
    unsafe { sc::syscall1(nr!(__NR_umask), mask as usize) as u32 }
}

/// mknodat(2) of a fifo `name` in `dir` with `mode`.
pub fn mkfifo_at(dir: &Fd, name: &CStr, mode: u32) -> Result<()> {
    // SAFETY: name is a C string; no device number for a fifo.
    unit(unsafe { sc::syscall4(nr!(__NR_mknodat), dir.raw() as usize, ptr(name), (k::S_IFIFO | mode) as usize, 0) })
}

pub use k::{O_APPEND, O_TRUNC, S_IFBLK, S_IFCHR};

/// The wall clock (CLOCK_REALTIME): seconds and nanoseconds since the epoch.
pub fn wall_clock() -> (u64, u32) {
    let mut ts = [0isize; 2];
    // SAFETY: a struct timespec of two longs.
    unsafe { sc::syscall2(nr!(__NR_clock_gettime), k::CLOCK_REALTIME as usize, ts.as_mut_ptr() as usize) };
    (ts[0] as u64, ts[1] as u32)
}

/// A stream socket connected to the local socket at `path` (unix(7)).
pub fn connect_local(path: &[u8]) -> Result<Fd> {
    use linux_raw_sys::net::{sockaddr_un, AF_UNIX, SOCK_STREAM};
    // SAFETY: plain integer arguments.
    let sock =
        check(unsafe { sc::syscall3(nr!(__NR_socket), AF_UNIX as usize, (SOCK_STREAM | O_CLOEXEC) as usize, 0) })
            .map(|fd| Fd(fd as i32))?;
    // SAFETY: sockaddr_un is plain data; all zero bytes is a valid value.
    let mut addr: sockaddr_un = unsafe { core::mem::zeroed() };
    addr.sun_family = AF_UNIX as _;
    if path.len() >= addr.sun_path.len() {
        return Err(Errno::ENAMETOOLONG);
    }
    for (to, &b) in addr.sun_path.iter_mut().zip(path) {
        *to = b as c_char;
    }
    let len = core::mem::offset_of!(sockaddr_un, sun_path) + path.len() + 1;
    // SAFETY: addr is a sockaddr_un of at least `len` bytes; the kernel only reads it.
    unit(unsafe { sc::syscall3(nr!(__NR_connect), sock.raw() as usize, &addr as *const sockaddr_un as usize, len) })?;
    Ok(sock)
}

impl Fd {
    /// Gives up ownership: the descriptor stays open for the rest of the
    /// process (a log file every message goes to).
    pub fn leak(self) -> i32 {
        let raw = self.0;
        core::mem::forget(self);
        raw
    }
}

/// write_all to a descriptor this process keeps open for good (`Fd::leak`).
pub fn write_all_raw(raw: i32, buf: &[u8]) -> Result<()> {
    let fd = core::mem::ManuallyDrop::new(Fd(raw));
    write_all(&fd, buf)
}

/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap): capability `cap` into
/// the ambient set (it must be permitted and inheritable).
pub fn prctl_ambient_raise(cap: u32) -> Result<()> {
    use linux_raw_sys::prctl::{PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE};
    // SAFETY: integer arguments only.
    unit(unsafe {
        sc::syscall5(nr!(__NR_prctl), PR_CAP_AMBIENT as usize, PR_CAP_AMBIENT_RAISE as usize, cap as usize, 0, 0)
    })
}

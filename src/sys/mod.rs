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
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME,
    CLONE_NEWUSER, CLONE_NEWUTS, MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID,
    MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SLAVE, O_CLOEXEC, O_CREAT, O_DIRECTORY,
    O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_WRONLY, SIGCHLD, SIGHUP, SIGINT, SIGKILL,
    SIGQUIT, SIGTERM, X_OK,
};

pub const AT_FDCWD: i32 = k::AT_FDCWD;
/// Seals that make a memfd immutable for good (memfd_create(2), fcntl(2)).
pub const ALL_SEALS: u32 = k::F_SEAL_SEAL | k::F_SEAL_SHRINK | k::F_SEAL_GROW | k::F_SEAL_WRITE;

/// An error number returned by the kernel.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub u16);

impl Errno {
    pub const EPERM: Errno = Errno(linux_raw_sys::errno::EPERM as u16);
    pub const ENOENT: Errno = Errno(linux_raw_sys::errno::ENOENT as u16);
    pub const ESRCH: Errno = Errno(linux_raw_sys::errno::ESRCH as u16);
    pub const EINTR: Errno = Errno(linux_raw_sys::errno::EINTR as u16);
    pub const EAGAIN: Errno = Errno(linux_raw_sys::errno::EAGAIN as u16);
    pub const EACCES: Errno = Errno(linux_raw_sys::errno::EACCES as u16);
    pub const ENOTDIR: Errno = Errno(linux_raw_sys::errno::ENOTDIR as u16);
    pub const EINVAL: Errno = Errno(linux_raw_sys::errno::EINVAL as u16);
    pub const ENOEXEC: Errno = Errno(linux_raw_sys::errno::ENOEXEC as u16);
    pub const ENOSYS: Errno = Errno(linux_raw_sys::errno::ENOSYS as u16);
    pub const ENAMETOOLONG: Errno = Errno(linux_raw_sys::errno::ENAMETOOLONG as u16);
    pub const ELOOP: Errno = Errno(linux_raw_sys::errno::ELOOP as u16);
}

pub type Result<T> = core::result::Result<T, Errno>;

/// Decodes a raw return value: -4095..-1 are error numbers.
fn check(ret: usize) -> Result<usize> {
    if ret > (-4096isize) as usize {
        Err(Errno(ret.wrapping_neg() as u16))
    } else {
        Ok(ret)
    }
}

fn unit(ret: usize) -> Result<()> {
    check(ret).map(|_| ())
}

fn ptr(s: &CStr) -> usize {
    s.as_ptr() as usize
}

fn opt_ptr(s: Option<&CStr>) -> usize {
    s.map_or(0, ptr)
}

// 32-bit ARM keeps 16-bit ids and a 32-bit sendfile offset on the old
// numbers; the calls with 32-bit ids and 64-bit offsets are new ones.
#[cfg(target_arch = "arm")]
use k::{
    __NR_getgid32 as NR_GETGID, __NR_getuid32 as NR_GETUID, __NR_sendfile64 as NR_SENDFILE,
    __NR_setgid32 as NR_SETGID, __NR_setgroups32 as NR_SETGROUPS, __NR_setuid32 as NR_SETUID,
};
#[cfg(not(target_arch = "arm"))]
use k::{
    __NR_getgid as NR_GETGID, __NR_getuid as NR_GETUID, __NR_sendfile as NR_SENDFILE, __NR_setgid as NR_SETGID,
    __NR_setgroups as NR_SETGROUPS, __NR_setuid as NR_SETUID,
};

macro_rules! nr {
    ($name:ident) => {
        k::$name as usize
    };
}

/// The C string at the start of `buf`, up to its first NUL; None when
/// there is no NUL. (core's CStr constructors are several times larger.)
pub fn cstr_until_nul(buf: &[u8]) -> Option<&CStr> {
    let nul = buf.iter().position(|&b| b == 0)?;
    // SAFETY: buf[..=nul] ends with its only NUL byte.
    Some(unsafe { CStr::from_bytes_with_nul_unchecked(&buf[..=nul]) })
}

/// An owned file descriptor, closed on drop.
pub struct Fd(i32);

impl Fd {
    pub fn raw(&self) -> i32 {
        self.0
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: we own the descriptor and nothing uses it after this.
        unsafe { sc::syscall1(nr!(__NR_close), self.0 as usize) };
    }
}

/// A NULL-terminated array of C strings, as the kernel passes argv and
/// envp and as execve(2) takes them.
#[derive(Clone, Copy)]
pub struct CStrList<'a> {
    ptr: *const *const c_char,
    len: usize,
    life: PhantomData<&'a CStr>,
}

impl<'a> CStrList<'a> {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn get(&self, i: usize) -> Option<&'a CStr> {
        if i >= self.len {
            return None;
        }
        // SAFETY: i < len, and every entry below len is a valid C string
        // that lives as long as 'a (checked when the list was made).
        Some(unsafe { CStr::from_ptr(*self.ptr.add(i)) })
    }
    /// The list without its first `n` entries: still NULL-terminated, so
    /// `argv.skip(1)` is the argv of the command an applet runs.
    pub fn skip(&self, n: usize) -> CStrList<'a> {
        let n = n.min(self.len);
        // SAFETY: n <= len, so the result points into the same array.
        CStrList { ptr: unsafe { self.ptr.add(n) }, len: self.len - n, life: PhantomData }
    }
    pub fn iter(&self) -> impl Iterator<Item = &'a CStr> + '_ {
        (0..self.len).filter_map(move |i| self.get(i))
    }
    /// The value of `NAME=value` in an environment list.
    pub fn var(&self, name: &[u8]) -> Option<&'a [u8]> {
        self.iter().find_map(|e| {
            let e = e.to_bytes();
            match e.strip_prefix(name) {
                Some([b'=', value @ ..]) => Some(value),
                _ => None,
            }
        })
    }
}

/// A fixed-capacity NULL-terminated array of C strings built by the caller
/// (an execve argv or envp); holds at most N-1 strings.
pub struct CStrArray<'a, const N: usize> {
    ptrs: [*const c_char; N],
    len: usize,
    life: PhantomData<&'a CStr>,
}

impl<'a, const N: usize> CStrArray<'a, N> {
    pub fn new() -> Self {
        CStrArray { ptrs: [null(); N], len: 0, life: PhantomData }
    }
    /// Appends `s`; false when full.
    pub fn push(&mut self, s: &'a CStr) -> bool {
        if self.len + 1 >= N {
            return false;
        }
        self.ptrs[self.len] = s.as_ptr();
        self.len += 1;
        true
    }
    pub fn list(&self) -> CStrList<'_> {
        CStrList { ptr: self.ptrs.as_ptr(), len: self.len, life: PhantomData }
    }
}

impl<const N: usize> Default for CStrArray<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------- files

pub fn openat(dir: i32, path: &CStr, flags: u32, mode: u32) -> Result<Fd> {
    // SAFETY: path is a valid C string; the kernel returns a new descriptor.
    let r = unsafe {
        sc::syscall4(nr!(__NR_openat), dir as usize, ptr(path), (flags | O_CLOEXEC) as usize, mode as usize)
    };
    check(r).map(|fd| Fd(fd as i32))
}

pub fn open(path: &CStr, flags: u32) -> Result<Fd> {
    openat(AT_FDCWD, path, flags, 0)
}

pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    check(unsafe { sc::syscall3(nr!(__NR_read), fd as usize, buf.as_mut_ptr() as usize, buf.len()) })
}

pub fn write(fd: i32, buf: &[u8]) -> Result<usize> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    check(unsafe { sc::syscall3(nr!(__NR_write), fd as usize, buf.as_ptr() as usize, buf.len()) })
}

/// Writes all of `buf`, retrying after short writes and EINTR.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(Errno(linux_raw_sys::errno::EIO as u16)),
            Ok(n) => buf = buf.get(n..).unwrap_or(&[]),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// read(2) that fails with EAGAIN instead of waiting for data.
pub fn read_nonblocking(fd: i32, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: plain integer arguments.
    check(unsafe { sc::syscall3(nr!(__NR_fcntl), fd as usize, k::F_SETFL as usize, k::O_NONBLOCK as usize) })?;
    read(fd, buf)
}

/// Reads until `buf` is full or end of file; returns the bytes read.
pub fn read_full(fd: i32, buf: &mut [u8]) -> Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match read(fd, &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Writes a whole small file such as /proc/PID/uid_map in one write(2),
/// as the kernel requires for id maps.
pub fn write_file(dir: i32, path: &CStr, data: &[u8]) -> Result<()> {
    let fd = openat(dir, path, O_WRONLY, 0)?;
    let n = write(fd.raw(), data)?;
    if n == data.len() {
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// What statx(2) tells about a file that the applets use.
#[derive(Clone, Copy)]
pub struct Stat {
    pub mode: u32,
    pub size: u64,
    pub ino: u64,
    pub dev: u64,
}

impl Stat {
    pub fn is_dir(&self) -> bool {
        self.mode & k::S_IFMT == k::S_IFDIR
    }
    pub fn is_reg(&self) -> bool {
        self.mode & k::S_IFMT == k::S_IFREG
    }
}

/// statx(2) of `path` relative to `dir`; an empty path means `dir` itself.
pub fn statat(dir: i32, path: &CStr, nofollow: bool) -> Result<Stat> {
    let mut flags = k::AT_EMPTY_PATH;
    if nofollow {
        flags |= k::AT_SYMLINK_NOFOLLOW;
    }
    let mut st = core::mem::MaybeUninit::<k::statx>::zeroed();
    // SAFETY: the kernel fills the statx struct we pass.
    let r = unsafe {
        sc::syscall5(
            nr!(__NR_statx),
            dir as usize,
            ptr(path),
            flags as usize,
            (k::STATX_TYPE | k::STATX_MODE | k::STATX_INO | k::STATX_SIZE) as usize,
            st.as_mut_ptr() as usize,
        )
    };
    check(r)?;
    // SAFETY: zero-initialised, then filled by the kernel.
    let st = unsafe { st.assume_init() };
    Ok(Stat {
        mode: st.stx_mode as u32,
        size: st.stx_size,
        ino: st.stx_ino,
        dev: ((st.stx_dev_major as u64) << 32) | st.stx_dev_minor as u64,
    })
}

pub fn fstat(fd: &Fd) -> Result<Stat> {
    statat(fd.raw(), c"", false)
}

/// access(2) with X_OK and friends, by the real ids as execvp does.
pub fn access(path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall3(nr!(__NR_faccessat), AT_FDCWD as usize, ptr(path), mode as usize) })
}

/// readlink(2) into `buf`, NUL-terminated.
pub fn readlink<'a>(path: &CStr, buf: &'a mut [u8]) -> Result<&'a CStr> {
    let room = buf.len().saturating_sub(1);
    // SAFETY: the kernel writes at most `room` bytes into buf.
    let n = check(unsafe {
        sc::syscall4(nr!(__NR_readlinkat), AT_FDCWD as usize, ptr(path), buf.as_mut_ptr() as usize, room)
    })?;
    buf[n] = 0;
    cstr_until_nul(buf).ok_or(Errno::EINVAL)
}

pub fn mkdirat(dir: i32, path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall3(nr!(__NR_mkdirat), dir as usize, ptr(path), mode as usize) })
}

pub fn symlinkat(target: &CStr, dir: i32, path: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe { sc::syscall3(nr!(__NR_symlinkat), ptr(target), dir as usize, ptr(path)) })
}

pub fn pipe() -> Result<(Fd, Fd)> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two descriptors into fds.
    check(unsafe { sc::syscall2(nr!(__NR_pipe2), fds.as_mut_ptr() as usize, O_CLOEXEC as usize) })?;
    Ok((Fd(fds[0]), Fd(fds[1])))
}

pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall1(nr!(__NR_chdir), ptr(path)) })
}

/// Marks every descriptor from `first` up close-on-exec (close_range(2),
/// Linux 5.11); where the kernel lacks that, closes them instead.
pub fn cloexec_from(first: u32) -> Result<()> {
    const CLOSE_RANGE_CLOEXEC: usize = 1 << 2;
    // SAFETY: plain integer arguments.
    let r = unsafe { sc::syscall3(nr!(__NR_close_range), first as usize, u32::MAX as usize, CLOSE_RANGE_CLOEXEC) };
    match check(r) {
        Err(Errno::EINVAL) | Err(Errno::ENOSYS) => {
            for fd in first..1024 {
                // SAFETY: closing descriptors we are about to lose on exec anyway.
                unsafe { sc::syscall1(nr!(__NR_close), fd as usize) };
            }
            Ok(())
        }
        r => r.map(|_| ()),
    }
}

// ---------------------------------------------------------------- memfd

pub fn memfd_create(name: &CStr, flags: u32) -> Result<Fd> {
    // SAFETY: name is a valid C string.
    check(unsafe { sc::syscall2(nr!(__NR_memfd_create), ptr(name), flags as usize) }).map(|fd| Fd(fd as i32))
}

pub const MFD_CLOEXEC: u32 = k::MFD_CLOEXEC;
pub const MFD_ALLOW_SEALING: u32 = k::MFD_ALLOW_SEALING;
pub const MFD_EXEC: u32 = k::MFD_EXEC;

pub fn add_seals(fd: &Fd, seals: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall3(nr!(__NR_fcntl), fd.raw() as usize, k::F_ADD_SEALS as usize, seals as usize) })
}

pub fn get_seals(fd: &Fd) -> Result<u32> {
    // SAFETY: plain integer arguments.
    check(unsafe { sc::syscall2(nr!(__NR_fcntl), fd.raw() as usize, k::F_GET_SEALS as usize) }).map(|s| s as u32)
}

/// sendfile(2) from `from` at `*offset` into `to`; returns bytes copied.
pub fn sendfile(to: &Fd, from: &Fd, offset: &mut u64, count: usize) -> Result<usize> {
    // SAFETY: offset points to a valid u64 (loff_t) the kernel updates.
    check(unsafe {
        sc::syscall4(NR_SENDFILE as usize, to.raw() as usize, from.raw() as usize, offset as *mut u64 as usize, count)
    })
}

// ---------------------------------------------------------------- exec

pub fn execve(path: &CStr, argv: CStrList, envp: CStrList) -> Errno {
    // SAFETY: argv and envp are NULL-terminated arrays of C strings.
    let r = unsafe { sc::syscall3(nr!(__NR_execve), ptr(path), argv.ptr as usize, envp.ptr as usize) };
    check(r).err().unwrap_or(Errno::EINVAL)
}

/// execveat(fd, "", argv, envp, AT_EMPTY_PATH): executes the file `fd` is.
pub fn execve_fd(fd: &Fd, argv: CStrList, envp: CStrList) -> Errno {
    // SAFETY: as execve.
    let r = unsafe {
        sc::syscall5(
            nr!(__NR_execveat),
            fd.raw() as usize,
            ptr(c""),
            argv.ptr as usize,
            envp.ptr as usize,
            k::AT_EMPTY_PATH as usize,
        )
    };
    check(r).err().unwrap_or(Errno::EINVAL)
}

pub fn exit(code: i32) -> ! {
    // SAFETY: exit_group ends every thread of the process; it never returns.
    unsafe { sc::syscall1(nr!(__NR_exit_group), code as usize) };
    #[allow(clippy::empty_loop)]
    loop {}
}

// ---------------------------------------------------------------- processes

pub fn getpid() -> i32 {
    // SAFETY: no arguments.
    unsafe { sc::syscall0(nr!(__NR_getpid)) as i32 }
}

pub fn getuid() -> u32 {
    // SAFETY: no arguments.
    unsafe { sc::syscall0(NR_GETUID as usize) as u32 }
}

pub fn getgid() -> u32 {
    // SAFETY: no arguments.
    unsafe { sc::syscall0(NR_GETGID as usize) as u32 }
}

pub fn setuid(uid: u32) -> Result<()> {
    // SAFETY: plain integer argument.
    unit(unsafe { sc::syscall1(NR_SETUID as usize, uid as usize) })
}

pub fn setgid(gid: u32) -> Result<()> {
    // SAFETY: plain integer argument.
    unit(unsafe { sc::syscall1(NR_SETGID as usize, gid as usize) })
}

/// setgroups(2) with an empty list: drop every supplementary group.
pub fn clear_groups() -> Result<()> {
    // SAFETY: a zero-length list needs no buffer.
    unit(unsafe { sc::syscall2(NR_SETGROUPS as usize, 0, 0) })
}

pub fn setsid() -> Result<()> {
    // SAFETY: no arguments.
    unit(unsafe { sc::syscall0(nr!(__NR_setsid)) })
}

pub fn prctl(option: u32, arg: usize) -> Result<()> {
    // SAFETY: only used with integer-argument options.
    unit(unsafe { sc::syscall5(nr!(__NR_prctl), option as usize, arg, 0, 0, 0) })
}

pub use linux_raw_sys::prctl::{PR_SET_DUMPABLE, PR_SET_PDEATHSIG};

pub fn kill(pid: i32, sig: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall2(nr!(__NR_kill), pid as usize, sig as usize) })
}

/// A new process, as fork(2): returns 0 in the child. With namespace
/// flags, clone3(2) puts the child into new namespaces; CLONE_NEWTIME
/// needs clone3 (it overlaps the exit-signal bits of clone).
pub fn fork_into(namespaces: u32) -> Result<i32> {
    let args = k::clone_args {
        flags: namespaces as u64,
        pidfd: 0,
        child_tid: 0,
        parent_tid: 0,
        exit_signal: SIGCHLD as u64,
        stack: 0,
        stack_size: 0,
        tls: 0,
        set_tid: 0,
        set_tid_size: 0,
        cgroup: 0,
    };
    // SAFETY: without CLONE_VM and with no stack the child gets a copy of
    // our memory, exactly like fork(2); this program has no threads.
    let r = unsafe {
        sc::syscall2(nr!(__NR_clone3), &args as *const k::clone_args as usize, core::mem::size_of::<k::clone_args>())
    };
    match check(r) {
        // Kernels before 5.3: plain clone(2), whose argument orders differ
        // per architecture only in the arguments we leave 0.
        // SAFETY: as above.
        Err(Errno::ENOSYS) => check(unsafe {
            sc::syscall5(nr!(__NR_clone), ((namespaces & !CLONE_NEWTIME) | SIGCHLD) as usize, 0, 0, 0, 0)
        }),
        r => r,
    }
    .map(|pid| pid as i32)
}

pub fn fork() -> Result<i32> {
    fork_into(0)
}

/// How a child ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(u32),
}

/// wait4(2) for `pid` (or -1 for any child); None with `nohang` when no
/// child has ended yet.
pub fn wait(pid: i32, nohang: bool) -> Result<Option<(i32, Exit)>> {
    let mut status: i32 = 0;
    let options = if nohang { k::WNOHANG } else { 0 };
    loop {
        // SAFETY: status is a valid int the kernel writes.
        let r = unsafe {
            sc::syscall4(nr!(__NR_wait4), pid as usize, &mut status as *mut i32 as usize, options as usize, 0)
        };
        match check(r) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(0) => return Ok(None),
            Ok(p) => {
                let sig = (status & 0x7f) as u32;
                let how = if sig == 0 { Exit::Code((status >> 8) & 0xff) } else { Exit::Signal(sig) };
                return Ok(Some((p as i32, how)));
            }
        }
    }
}

// ---------------------------------------------------------------- signals

/// A set of signals, as the kernel's sigset_t of 64 bits.
#[derive(Clone, Copy)]
pub struct SigSet(pub u64);

impl SigSet {
    pub fn of(signals: &[u32]) -> SigSet {
        SigSet(signals.iter().fold(0, |m, s| m | 1u64 << (s - 1)))
    }
    pub fn has(&self, sig: u32) -> bool {
        #[allow(clippy::manual_range_contains)] // smaller code
        let known = sig >= 1 && sig <= 64;
        known && self.0 & (1u64 << (sig - 1)) != 0
    }
}

/// Blocks `set` and returns the previous mask.
pub fn block(set: SigSet) -> SigSet {
    sigprocmask(k::SIG_BLOCK, set)
}

/// Restores a mask returned by `block`.
pub fn set_mask(set: SigSet) {
    sigprocmask(k::SIG_SETMASK, set);
}

fn sigprocmask(how: u32, set: SigSet) -> SigSet {
    let mut old: u64 = 0;
    // SAFETY: both sets are 8-byte sigset_t values.
    unsafe {
        sc::syscall4(nr!(__NR_rt_sigprocmask), how as usize, &set.0 as *const u64 as usize, &mut old as *mut u64 as usize, 8)
    };
    SigSet(old)
}

/// Waits for one of the (blocked) signals of `set`; returns its number.
pub fn wait_signal(set: SigSet) -> Result<u32> {
    // SAFETY: the set is a valid sigset_t; no siginfo or timeout wanted.
    check(unsafe { sc::syscall4(nr!(__NR_rt_sigtimedwait), &set.0 as *const u64 as usize, 0, 0, 8) })
        .map(|s| s as u32)
}

/// Restores the default action of `sig`.
pub fn default_action(sig: u32) {
    // struct kernel_sigaction: handler (SIG_DFL is 0), flags, restorer,
    // then the 64-bit mask; all zero.
    let act = [0usize; 3 + 8 / core::mem::size_of::<usize>()];
    // SAFETY: a valid sigaction with the default handler.
    unsafe {
        sc::syscall4(nr!(__NR_rt_sigaction), sig as usize, &act as *const _ as usize, 0, 8);
    }
}

/// Ends this process by `sig`, as the child it waited for did (so a shell
/// reports the signal); no core file of ours is left for it.
pub fn die_by(sig: u32) -> ! {
    let no_core = k::rlimit64 { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: a valid rlimit64.
    unsafe { sc::syscall4(nr!(__NR_prlimit64), 0, k::RLIMIT_CORE as usize, &no_core as *const _ as usize, 0) };
    default_action(sig);
    set_mask(SigSet(!SigSet::of(&[sig]).0));
    let _ = kill(getpid(), sig);
    exit(128 + sig as i32)
}

// ---------------------------------------------------------------- namespaces and mounts

pub fn unshare(flags: u32) -> Result<()> {
    // SAFETY: plain integer argument.
    unit(unsafe { sc::syscall1(nr!(__NR_unshare), flags as usize) })
}

pub fn setns(fd: &Fd, nstype: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall2(nr!(__NR_setns), fd.raw() as usize, nstype as usize) })
}

pub fn mount(source: Option<&CStr>, target: &CStr, fstype: Option<&CStr>, flags: u32, data: Option<&CStr>) -> Result<()> {
    // SAFETY: all strings are valid C strings or NULL.
    unit(unsafe {
        sc::syscall5(nr!(__NR_mount), opt_ptr(source), ptr(target), opt_ptr(fstype), flags as usize, opt_ptr(data))
    })
}

pub fn umount2(target: &CStr, flags: u32) -> Result<()> {
    // SAFETY: target is a valid C string.
    unit(unsafe { sc::syscall2(nr!(__NR_umount2), ptr(target), flags as usize) })
}

pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe { sc::syscall2(nr!(__NR_pivot_root), ptr(new_root), ptr(put_old)) })
}

// ---------------------------------------------------------------- network

/// Brings the loopback interface of the current network namespace up.
pub fn loopback_up() -> Result<()> {
    use linux_raw_sys::ioctl::{SIOCGIFFLAGS, SIOCSIFFLAGS};
    // SAFETY: plain integer arguments.
    let sock = check(unsafe {
        sc::syscall3(nr!(__NR_socket), linux_raw_sys::net::AF_INET as usize, (linux_raw_sys::net::SOCK_DGRAM | O_CLOEXEC) as usize, 0)
    })
    .map(|fd| Fd(fd as i32))?;
    // struct ifreq: the name in 16 bytes, then a union whose first member
    // we use is the short ifr_flags.
    let mut ifreq = [0u8; 40];
    ifreq[..2].copy_from_slice(b"lo");
    // SAFETY: ifreq is large enough for struct ifreq.
    check(unsafe { sc::syscall3(nr!(__NR_ioctl), sock.raw() as usize, SIOCGIFFLAGS as usize, ifreq.as_mut_ptr() as usize) })?;
    ifreq[16] |= 1; // IFF_UP
    // SAFETY: as above.
    unit(unsafe { sc::syscall3(nr!(__NR_ioctl), sock.raw() as usize, SIOCSIFFLAGS as usize, ifreq.as_mut_ptr() as usize) })
}

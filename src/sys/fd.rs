//! File descriptors, C strings and argument lists, and the file system calls.

use super::*;
/// The C string at the start of `buf`, up to its first NUL; None when
/// there is no NUL. (core's CStr constructors are several times larger.)
pub fn cstr_until_nul(buf: &[u8]) -> Option<&CStr> {
    let nul = buf.iter().position(|&b| b == 0)?;
    // SAFETY: buf[..=nul] ends with its only NUL byte.
    Some(unsafe { CStr::from_bytes_with_nul_unchecked(&buf[..=nul]) })
}

/// An owned file descriptor, closed on drop.
pub struct Fd(pub(super) i32);

impl Fd {
    pub fn raw(&self) -> i32 {
        self.0
    }
}

// Descriptors this process does not own: statics are never dropped, so
// nothing closes them.
/// The current directory, for the `*at` calls (AT_FDCWD).
pub static CWD: Fd = Fd(k::AT_FDCWD);
pub static STDIN: Fd = Fd(0);
pub static STDOUT: Fd = Fd(1);
pub static STDERR: Fd = Fd(2);

impl Drop for Fd {
    fn drop(&mut self) {
        close(self.0);
    }
}

/// close(2), out of line: the drops of the descriptors are many.
#[inline(never)]
fn close(fd: i32) {
    // SAFETY: the caller owns the descriptor and nothing uses it after this.
    unsafe { sc::syscall1(nr!(__NR_close), fd as usize) };
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
    /// The list of the `len` C strings at `ptr`.
    ///
    /// # Safety
    /// `ptr` points to `len` pointers, each to a NUL-terminated string,
    /// followed by a NULL pointer; the pointers and the strings stay valid
    /// and unchanged for `'a`. `get`, `skip` and `execve` rely on this.
    pub unsafe fn from_raw(ptr: *const *const c_char, len: usize) -> CStrList<'a> {
        CStrList { ptr, len, life: PhantomData }
    }
    pub fn len(&self) -> usize {
        self.len
    }
    /// The NULL-terminated array, as execve(2) takes it.
    pub(super) fn as_ptr(&self) -> *const *const c_char {
        self.ptr
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

#[inline(never)]
pub fn openat(dir: &Fd, path: &CStr, flags: u32, mode: u32) -> Result<Fd> {
    // SAFETY: path is a valid C string; the kernel returns a new descriptor.
    let r = unsafe {
        sc::syscall4(nr!(__NR_openat), dir.raw() as usize, ptr(path), (flags | O_CLOEXEC) as usize, mode as usize)
    };
    check(r).map(|fd| Fd(fd as i32))
}

pub fn open(path: &CStr, flags: u32) -> Result<Fd> {
    openat(&CWD, path, flags, 0)
}

#[inline(never)]
pub fn read(fd: &Fd, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    check(unsafe { sc::syscall3(nr!(__NR_read), fd.raw() as usize, buf.as_mut_ptr() as usize, buf.len()) })
}

pub fn write(fd: &Fd, buf: &[u8]) -> Result<usize> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    check(unsafe { sc::syscall3(nr!(__NR_write), fd.raw() as usize, buf.as_ptr() as usize, buf.len()) })
}

/// Writes all of `buf`, retrying after short writes and EINTR.
pub fn write_all(fd: &Fd, mut buf: &[u8]) -> Result<()> {
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
pub fn read_nonblocking(fd: &Fd, buf: &mut [u8]) -> Result<usize> {
    set_nonblocking(fd)?;
    read(fd, buf)
}

/// Makes reads and writes of the open file `fd` fail with EAGAIN instead
/// of waiting (fcntl F_SETFL O_NONBLOCK): for descriptors this process
/// alone uses, since the flag belongs to the open file, not the descriptor.
pub fn set_nonblocking(fd: &Fd) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall3(nr!(__NR_fcntl), fd.raw() as usize, k::F_SETFL as usize, k::O_NONBLOCK as usize) })
}

/// Reads until `buf` is full or end of file; returns the bytes read.
pub fn read_full(fd: &Fd, buf: &mut [u8]) -> Result<usize> {
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
pub fn write_file(dir: &Fd, path: &CStr, data: &[u8]) -> Result<()> {
    let fd = openat(dir, path, O_WRONLY, 0)?;
    let n = write(&fd, data)?;
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
    pub uid: u32,
    pub gid: u32,
    /// The device a character or block special file is (its major and
    /// minor, as mknod(2) takes them).
    pub rdev: (u32, u32),
    /// The root of a mount (STATX_ATTR_MOUNT_ROOT, Linux 5.8).
    pub mount_root: bool,
}

impl Stat {
    pub fn is_dir(&self) -> bool {
        self.mode & k::S_IFMT == k::S_IFDIR
    }
    pub fn is_reg(&self) -> bool {
        self.mode & k::S_IFMT == k::S_IFREG
    }
    pub fn is_device(&self) -> bool {
        matches!(self.mode & k::S_IFMT, k::S_IFCHR | k::S_IFBLK)
    }
}

/// stat(2) of `path`, following a symlink.
pub fn stat(path: &CStr) -> Result<Stat> {
    statx(&CWD, path, k::AT_EMPTY_PATH)
}

/// lstat(2) of `path`: a symlink itself, not what it points to.
pub fn lstat(path: &CStr) -> Result<Stat> {
    statx(&CWD, path, k::AT_EMPTY_PATH | k::AT_SYMLINK_NOFOLLOW)
}

pub fn fstat(fd: &Fd) -> Result<Stat> {
    statx(fd, c"", k::AT_EMPTY_PATH)
}

/// stat(2) of `path` relative to the open directory `dir`, following a
/// symlink.
pub fn stat_at(dir: &Fd, path: &CStr) -> Result<Stat> {
    statx(dir, path, 0)
}

/// statx(2) of `path` relative to `dir`; an empty path means `dir` itself.
fn statx(dir: &Fd, path: &CStr, flags: u32) -> Result<Stat> {
    let mut st = core::mem::MaybeUninit::<k::statx>::zeroed();
    // SAFETY: the kernel fills the statx struct we pass.
    let r = unsafe {
        sc::syscall5(
            nr!(__NR_statx),
            dir.raw() as usize,
            ptr(path),
            flags as usize,
            (k::STATX_TYPE | k::STATX_MODE | k::STATX_INO | k::STATX_SIZE | k::STATX_UID | k::STATX_GID) as usize,
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
        uid: st.stx_uid,
        gid: st.stx_gid,
        rdev: (st.stx_rdev_major, st.stx_rdev_minor),
        mount_root: st.stx_attributes & k::STATX_ATTR_MOUNT_ROOT as u64 != 0,
    })
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

#[inline(never)]
pub fn mkdirat(dir: &Fd, path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall3(nr!(__NR_mkdirat), dir.raw() as usize, ptr(path), mode as usize) })
}

pub fn symlinkat(target: &CStr, dir: &Fd, path: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe { sc::syscall3(nr!(__NR_symlinkat), ptr(target), dir.raw() as usize, ptr(path)) })
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
            // Descriptors we are about to lose on exec anyway.
            for fd in first..1024 {
                close(fd as i32);
            }
            Ok(())
        }
        r => r.map(|_| ()),
    }
}

/// fchownat(2) of `path` relative to `dir` (empty: `dir` itself), without
/// following a symlink.
pub fn chown_at(dir: &Fd, path: &CStr, uid: u32, gid: u32) -> Result<()> {
    let flags = k::AT_EMPTY_PATH | k::AT_SYMLINK_NOFOLLOW;
    // SAFETY: path is a valid C string.
    unit(unsafe {
        sc::syscall5(nr!(__NR_fchownat), dir.raw() as usize, ptr(path), uid as usize, gid as usize, flags as usize)
    })
}

/// mknodat(2): the character or block special file `path` in `dir`, with
/// `mode` (its type and permission bits) and the device `rdev` (major,
/// minor).
pub fn mknod_at(dir: &Fd, path: &CStr, mode: u32, rdev: (u32, u32)) -> Result<()> {
    // The kernel's dev_t encoding of a 32-bit device number (new_encode_dev
    // in include/linux/kdev_t.h): 12 bits of major, 20 of minor, split.
    let (major, minor) = rdev;
    let dev = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12);
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall4(nr!(__NR_mknodat), dir.raw() as usize, ptr(path), mode as usize, dev as usize) })
}

/// rmdir(2) of `path` relative to the open directory `dir`.
pub fn remove_dir_at(dir: &Fd, path: &CStr) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall3(nr!(__NR_unlinkat), dir.raw() as usize, ptr(path), k::AT_REMOVEDIR as usize) })
}

/// unlink(2) of the non-directory `path` relative to the open directory `dir`.
pub fn unlink_at(dir: &Fd, path: &CStr) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall3(nr!(__NR_unlinkat), dir.raw() as usize, ptr(path), 0) })
}

/// A second name `new` in `new_dir` for `old` in `old_dir`; EEXIST when
/// `new` exists (never replaced: what makes a name unique).
pub fn link_at(old_dir: &Fd, old: &CStr, new_dir: &Fd, new: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe {
        sc::syscall5(nr!(__NR_linkat), old_dir.raw() as usize, ptr(old), new_dir.raw() as usize, ptr(new), 0)
    })
}

/// `old` renamed to `new`, replacing it atomically (rename(2); renameat2
/// with no flags, as riscv64 has no renameat).
pub fn rename_at(dir: &Fd, old: &CStr, new: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe { sc::syscall5(nr!(__NR_renameat2), dir.raw() as usize, ptr(old), dir.raw() as usize, ptr(new), 0) })
}

pub fn fchdir(fd: &Fd) -> Result<()> {
    // SAFETY: plain integer argument.
    unit(unsafe { sc::syscall1(nr!(__NR_fchdir), fd.raw() as usize) })
}

pub fn chroot(path: &CStr) -> Result<()> {
    // SAFETY: path is a valid C string.
    unit(unsafe { sc::syscall1(nr!(__NR_chroot), ptr(path)) })
}

/// ioctl(2) whose argument is a pointer to `arg` (read or written).
///
/// # Safety
/// `T` must be exactly the type `request` reads or writes (its size and
/// layout, tty_ioctl(4), netdevice(7)): the kernel trusts the pointer.
pub(super) unsafe fn ioctl<T>(fd: &Fd, request: u32, arg: &mut T) -> Result<usize> {
    // SAFETY: our caller passes the struct the request reads or writes.
    check(unsafe { sc::syscall3(nr!(__NR_ioctl), fd.raw() as usize, request as usize, arg as *mut T as usize) })
}

/// ioctl(2) with an integer argument (only requests that take an integer,
/// never a pointer).
pub(super) fn ioctl_int(fd: &Fd, request: u32, arg: usize) -> Result<usize> {
    // SAFETY: plain integer arguments.
    check(unsafe { sc::syscall3(nr!(__NR_ioctl), fd.raw() as usize, request as usize, arg) })
}

/// lseek(2) to the start: a directory read again from its first entry.
pub fn rewind(fd: &Fd) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall3(nr!(__NR_lseek), fd.raw() as usize, 0, k::SEEK_SET as usize) })
}

/// Calls `f(name, is_dir)` for each entry of the open directory `dir`
/// (getdents64(2)), `.` and `..` included.
pub fn each_entry(dir: &Fd, f: &mut dyn FnMut(&CStr, bool)) -> Result<()> {
    let mut buf = [0u64; 512];
    loop {
        // SAFETY: the kernel writes at most the buffer's size of records.
        let n = check(unsafe {
            sc::syscall3(
                nr!(__NR_getdents64),
                dir.raw() as usize,
                buf.as_mut_ptr() as usize,
                core::mem::size_of_val(&buf),
            )
        })?;
        if n == 0 {
            return Ok(());
        }
        // SAFETY: plain bytes; the kernel wrote n of them.
        let bytes = unsafe { core::slice::from_raw_parts(buf.as_ptr() as *const u8, n) };
        let mut at = 0;
        // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2),
        // d_type (1), then the NUL-terminated name.
        while let (Some(len), Some(&kind)) = (bytes.get(at + 16..at + 18), bytes.get(at + 18)) {
            let reclen = u16::from_ne_bytes([len[0], len[1]]) as usize;
            if let Some(name) = bytes.get(at + 19..at + reclen).and_then(cstr_until_nul) {
                f(name, kind as u32 == k::DT_DIR);
            }
            if reclen == 0 {
                break;
            }
            at += reclen;
        }
    }
}

//! exec, exit, ids, fork and wait.

use super::*;
#[inline(never)]
pub fn execve(path: &CStr, argv: CStrList, envp: CStrList) -> Errno {
    // SAFETY: argv and envp are NULL-terminated arrays of C strings.
    let r = unsafe { sc::syscall3(nr!(__NR_execve), ptr(path), argv.as_ptr() as usize, envp.as_ptr() as usize) };
    check(r).err().unwrap_or(Errno::EINVAL)
}

/// Executes the file `fd` is: execveat(fd, "", argv, envp, AT_EMPTY_PATH),
/// and where that fails with ENOENT or ENOSYS (Linux 5.10.223, emulators),
/// execve of /proc/self/fd/N (SPEC §3).
pub fn execve_fd(fd: &Fd, argv: CStrList, envp: CStrList) -> Errno {
    match execveat_empty(fd, argv, envp) {
        e @ (Errno::ENOENT | Errno::ENOSYS) => {
            let mut path = *b"/proc/self/fd/\0\0\0\0\0\0\0\0\0\0\0";
            let mut n = fd.raw() as u32;
            let mut digits = 0;
            loop {
                digits += 1;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            n = fd.raw() as u32;
            for i in (14..14 + digits).rev() {
                path[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
            match cstr_until_nul(&path) {
                // The fallback's own error says less than the kernel's first refusal.
                Some(path) => match execve(path, argv, envp) {
                    Errno::ENOENT => e,
                    other => other,
                },
                None => e,
            }
        }
        e => e,
    }
}

fn execveat_empty(fd: &Fd, argv: CStrList, envp: CStrList) -> Errno {
    // SAFETY: as execve.
    let r = unsafe {
        sc::syscall5(
            nr!(__NR_execveat),
            fd.raw() as usize,
            ptr(c""),
            argv.as_ptr() as usize,
            envp.as_ptr() as usize,
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

pub fn getpid() -> i32 {
    // SAFETY: no arguments.
    unsafe { sc::syscall0(nr!(__NR_getpid)) as i32 }
}

#[inline(never)]
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

/// setfsuid(2): the uid file system access is checked and done as (until
/// the next execve).
/// Returns the file system uid before the call.
pub fn setfsuid(uid: u32) -> u32 {
    // SAFETY: plain integer argument.
    unsafe { sc::syscall1(NR_SETFSUID as usize, uid as usize) as u32 }
}

/// Returns the file system gid before the call.
pub fn setfsgid(gid: u32) -> u32 {
    // SAFETY: plain integer argument.
    unsafe { sc::syscall1(NR_SETFSGID as usize, gid as usize) as u32 }
}

/// setgroups(2) with an empty list: drop every supplementary group.
pub fn clear_groups() -> Result<()> {
    // SAFETY: a zero-length list needs no buffer.
    unit(unsafe { sc::syscall2(NR_SETGROUPS as usize, 0, 0) })
}

/// setpgid(pid, 0): a new process group led by `pid` (0: this process).
pub fn new_process_group(pid: i32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall2(nr!(__NR_setpgid), pid as usize, 0) })
}

/// sethostname(2): the hostname of this process's UTS namespace (contain's
/// `--hostname`, an OCI bundle's `hostname`).
pub fn set_hostname(name: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads `name.len()` bytes from `name`.
    unit(unsafe { sc::syscall2(nr!(__NR_sethostname), name.as_ptr() as usize, name.len()) })
}

pub fn setsid() -> Result<()> {
    // SAFETY: no arguments.
    unit(unsafe { sc::syscall0(nr!(__NR_setsid)) })
}

pub fn prctl(option: u32, arg: usize) -> Result<()> {
    // SAFETY: only used with integer-argument options.
    unit(unsafe { sc::syscall5(nr!(__NR_prctl), option as usize, arg, 0, 0, 0) })
}

pub use linux_raw_sys::prctl::{
    PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG,
};

/// capset(2) of this process, version 3 (64-bit sets, Linux 2.6.26): the
/// effective, permitted and inheritable sets, bit N for capability N.
pub fn capset(effective: u64, permitted: u64, inheritable: u64) -> Result<()> {
    let header = k::__user_cap_header_struct { version: k::_LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let half = |set: u64, high| (set >> if high { 32 } else { 0 }) as u32;
    let data = [false, true].map(|high| k::__user_cap_data_struct {
        effective: half(effective, high),
        permitted: half(permitted, high),
        inheritable: half(inheritable, high),
    });
    // SAFETY: a version 3 header and the two data structs it asks for
    // (capget(2)); the kernel only reads them.
    unit(unsafe { sc::syscall2(nr!(__NR_capset), &header as *const _ as usize, data.as_ptr() as usize) })
}

/// keyctl(2) KEYCTL_JOIN_SESSION_KEYRING (include/uapi/linux/keyctl.h;
/// linux-raw-sys has no keyctl constants).
const KEYCTL_JOIN_SESSION_KEYRING: usize = 1;

/// keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): this process leaves the
/// session keyring it inherited for a new, empty, anonymous one
/// (keyrings(7), session-keyring(7)); returns the new keyring's serial.
pub fn join_new_session_keyring() -> Result<i32> {
    // SAFETY: a NULL name asks for an anonymous keyring; no buffer.
    check(unsafe { sc::syscall2(nr!(__NR_keyctl), KEYCTL_JOIN_SESSION_KEYRING, 0) }).map(|id| id as i32)
}

#[inline(never)]
pub fn kill(pid: i32, sig: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall2(nr!(__NR_kill), pid as usize, sig as usize) })
}

/// A new process, as fork(2): returns 0 in the child. With namespace
/// flags (and CLONE_PARENT, to make a sibling), clone3(2) puts the child into new namespaces; CLONE_NEWTIME
/// needs clone3 (it overlaps the exit-signal bits of clone).
pub fn fork_into(namespaces: u32) -> Result<i32> {
    let args = k::clone_args {
        flags: namespaces as u64,
        pidfd: 0,
        child_tid: 0,
        parent_tid: 0,
        // With CLONE_PARENT the child inherits our exit signal, and clone3
        // refuses one given (EINVAL).
        exit_signal: if namespaces & k::CLONE_PARENT != 0 { 0 } else { SIGCHLD as u64 },
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
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Exit {
    Code(i32),
    Signal(u32),
}

impl Exit {
    /// Decodes a wait(2) status (the WIFEXITED/WTERMSIG layout): the signal
    /// in the low 7 bits, else the exit code in the next 8.
    pub fn from_status(status: i32) -> Exit {
        match (status & 0x7f) as u32 {
            0 => Exit::Code((status >> 8) & 0xff),
            sig => Exit::Signal(sig),
        }
    }
}

/// wait4(2) for the child `pid`, until it ends.
pub fn wait(pid: i32) -> Result<Exit> {
    wait4(pid, 0).map(|ended| ended.map_or(Exit::Code(0), |(_, how)| how))
}

/// Reaps the child `pid` if it has ended: how it ended.
pub fn try_wait(pid: i32) -> Result<Option<Exit>> {
    wait4(pid, k::WNOHANG).map(|ended| ended.map(|(_, how)| how))
}

/// Reaps one child that has ended, if any: (its pid, how it ended).
pub fn reap_any() -> Result<Option<(i32, Exit)>> {
    wait4(-1, k::WNOHANG)
}

fn wait4(pid: i32, options: u32) -> Result<Option<(i32, Exit)>> {
    let mut status: i32 = 0;
    loop {
        // SAFETY: status is a valid int the kernel writes.
        let r = unsafe {
            sc::syscall4(nr!(__NR_wait4), pid as usize, &mut status as *mut i32 as usize, options as usize, 0)
        };
        match check(r) {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            // Only with WNOHANG: no child has ended yet.
            Ok(0) => return Ok(None),
            Ok(p) => return Ok(Some((p as i32, Exit::from_status(status)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statuses as wait(2) reports them (the WIFEXITED and WTERMSIG layout).
    #[test]
    fn wait_statuses() {
        assert_eq!(Exit::from_status(0), Exit::Code(0));
        assert_eq!(Exit::from_status(1 << 8), Exit::Code(1));
        assert_eq!(Exit::from_status(255 << 8), Exit::Code(255));
        assert_eq!(Exit::from_status(9), Exit::Signal(9));
        // Killed by SIGSEGV with a core dump (bit 7 set).
        assert_eq!(Exit::from_status(0x80 | 11), Exit::Signal(11));
        assert_eq!(Exit::from_status(64), Exit::Signal(64));
    }

    #[test]
    fn a_child_is_waited_for() {
        let child = fork().unwrap();
        if child == 0 {
            exit(3);
        }
        assert_eq!(wait(child), Ok(Exit::Code(3)));
    }
}

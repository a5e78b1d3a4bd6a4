//! Installing a seccomp filter (seccomp(2)).

use super::*;
use crate::seccomp::{SockFilter, BPF_MAXINSNS};
use linux_raw_sys::prctl::PR_SET_SECCOMP;
use linux_raw_sys::ptrace::{SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_MODE_FILTER, SECCOMP_SET_MODE_FILTER};

/// `struct sock_fprog`.
#[repr(C)]
struct SockFprog {
    len: u16,
    filter: *const SockFilter,
}

/// Installs `program` as a filter of every thread of this process, with
/// `flags` (SECCOMP_FILTER_FLAG_ bits of the profile) and TSYNC, which
/// syncs the filter to the other threads (Linux 3.17). Where the kernel
/// refuses TSYNC or a flag (EINVAL), the profile's flags alone; without
/// seccomp(2) (ENOSYS, before Linux 3.17), prctl(PR_SET_SECCOMP), which
/// takes no flags.
///
/// The kernel requires no_new_privs or CAP_SYS_ADMIN in the caller's user
/// namespace (seccomp(2)): the container's init is root of its own user
/// namespace with a full effective set until it drops it, so it installs
/// the filter as the last step before exec, after the capabilities
/// (SPEC §5.5's order), while CAP_SYS_ADMIN is still effective if the
/// bounding set keeps it, and with no_new_privs otherwise.
pub fn install_filter(program: &[SockFilter], flags: u32) -> Result<()> {
    if program.is_empty() || program.len() > BPF_MAXINSNS {
        return Err(Errno::EINVAL);
    }
    let prog = SockFprog { len: program.len() as u16, filter: program.as_ptr() };
    let prog = &prog as *const SockFprog as usize;
    let seccomp = |flags: u32| {
        // SAFETY: the kernel copies `len` instructions from `filter`, both
        // valid for the call; `prog` outlives it.
        unit(unsafe { sc::syscall3(nr!(__NR_seccomp), SECCOMP_SET_MODE_FILTER as usize, flags as usize, prog) })
    };
    match seccomp(flags | SECCOMP_FILTER_FLAG_TSYNC) {
        Err(Errno::EINVAL) => seccomp(flags & !SECCOMP_FILTER_FLAG_TSYNC),
        Err(Errno::ENOSYS) => {
            // SAFETY: as above; PR_SET_SECCOMP reads the same sock_fprog.
            unit(unsafe {
                sc::syscall5(nr!(__NR_prctl), PR_SET_SECCOMP as usize, SECCOMP_MODE_FILTER as usize, prog, 0, 0)
            })
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linux_raw_sys::prctl::PR_SET_NO_NEW_PRIVS;

    /// The built-in filter installed in a child (with no_new_privs, as an
    /// unprivileged test runner has no CAP_SYS_ADMIN): keyctl is refused,
    /// getpid still works; a twice-installed filter stacks.
    #[test]
    fn the_builtin_filter_refuses_keyctl_in_a_child() {
        let pid = fork().unwrap();
        if pid == 0 {
            let step = || -> core::result::Result<(), i32> {
                prctl(PR_SET_NO_NEW_PRIVS, 1).map_err(|_| 2)?;
                install_filter(crate::seccomp::BUILTIN, 0).map_err(|_| 3)?;
                if join_new_session_keyring() != Err(Errno::EPERM) {
                    return Err(4);
                }
                install_filter(crate::seccomp::BUILTIN, 0).map_err(|_| 5)?;
                if getpid() <= 0 {
                    return Err(6);
                }
                install_filter(&[], 0).err().filter(|&e| e == Errno::EINVAL).map(|_| ()).ok_or(7)
            };
            exit(step().err().unwrap_or(0));
        }
        assert_eq!(wait(pid), Ok(Exit::Code(0)));
    }
}

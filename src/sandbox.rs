//! The sandbox (SPEC §5.5): what container root may do beyond its
//! namespaces, applied as the last steps before exec, by contain's init
//! and by inject's command alike, so inject is never a way out of it.

use crate::mount::Failed;
use crate::out::{fail, Line};
use crate::seccomp::SockFilter;
use crate::sys::{self, Errno, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, PR_SET_NO_NEW_PRIVS};

/// What a process of the container keeps.
#[derive(Clone, Copy)]
pub struct Sandbox<'a> {
    /// The capability bounding set, bit N for capability N (caps.rs).
    pub bounding: u64,
    /// `--no-new-privs`: execve(2) then grants nothing (setuid, file
    /// capabilities).
    pub no_new_privs: bool,
    /// The system call filter (empty: none, `--seccomp none`) and the
    /// SECCOMP_FILTER_FLAG_ bits it is installed with.
    pub seccomp: &'a [SockFilter],
    pub seccomp_flags: u32,
}

/// Applies `sandbox` to this process, a uid 0 of the container's user
/// namespace that is about to execute a program, in the kernel's order:
/// the bounding set, the ambient set cleared, the capability sets, then
/// no_new_privs. An execve(2) as uid 0 gives the program the bounding set
/// as its permitted and effective sets (capabilities(7), "Capabilities
/// and execution of programs by root"), and a setuid-root program run by
/// another uid no more, so nothing outside the set can be regained.
pub fn apply_sandbox(sandbox: &Sandbox) -> Result<(), Failed> {
    let set = sandbox.bounding;
    // Up to the kernel's last capability, where PR_CAPBSET_DROP says
    // EINVAL (prctl(2)); no /proc needed for cap_last_cap.
    for cap in 0..64 {
        if set & 1 << cap == 0 {
            match sys::prctl(PR_CAPBSET_DROP, cap) {
                Ok(()) => {}
                Err(Errno::EINVAL) => break,
                Err(e) => {
                    let mut number = Line::new();
                    return Err(fail(b"cannot drop capability ", number.num(cap as u64).text(), e));
                }
            }
        }
    }
    // Ambient capabilities (Linux 4.3) survive execve(2) for any uid.
    match sys::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL as usize) {
        Ok(()) | Err(Errno::EINVAL) => {}
        Err(e) => return Err(fail(b"cannot clear the ambient capabilities", b"", e)),
    }
    // Without no_new_privs, installing a system call filter needs
    // CAP_SYS_ADMIN (seccomp(2)), which the set may not keep: the filter
    // goes here, while it is still effective, before the capabilities
    // are set; with no_new_privs, last.
    if !sandbox.no_new_privs {
        install(sandbox)?;
    }
    //
    // The inheritable set is left empty, as Docker since CVE-2022-24769:
    // with it, a program of another uid that has inheritable file
    // capabilities would gain them on execve(2) without being setuid.
    if let Err(e) = sys::capset(set, set, 0) {
        return Err(fail(b"cannot set the capabilities", b"", e));
    }
    if sandbox.no_new_privs {
        if let Err(e) = sys::prctl(PR_SET_NO_NEW_PRIVS, 1) {
            return Err(fail(b"cannot set no_new_privs", b"", e));
        }
        install(sandbox)?;
    }
    Ok(())
}

/// Installs the sandbox's system call filter, if it has one.
fn install(sandbox: &Sandbox) -> Result<(), Failed> {
    if sandbox.seccomp.is_empty() {
        return Ok(());
    }
    sys::install_filter(sandbox.seccomp, sandbox.seccomp_flags)
        .map_err(|e| fail(b"cannot install the system call filter", b"", e))
}

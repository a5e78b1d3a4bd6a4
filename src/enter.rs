//! Entering a running container from the host, as `inject` and `oci exec`
//! do: from a sealed copy of this binary, non-dumpable, every namespace
//! file of the container's init opened before the first setns, then each
//! namespace entered in an order that works.

use crate::memfd::{exec_sealed, sealed_copy};
use crate::out::{fail, fail_with, say, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::procfs;
use crate::sandbox::Sandbox;
use crate::seccomp::{program_from_bytes, SockFilter, BPF_MAXINSNS};
use crate::state::Record;
use crate::sys::{
    self, CStrList, Errno, Fd, ALL_SEALS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID,
    CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, O_RDONLY, PR_SET_DUMPABLE,
};
use crate::text::same;
use core::ffi::CStr;

/// The order namespaces are entered in: the user namespace first, so its
/// owner gains the capabilities the others need; mount late, because the
/// host's /proc is gone after it; PID and time only affect the child.
/// NAMESPACES' user namespace, entered first.
pub const USER: usize = 0;
pub const NAMESPACES: [(&CStr, u32); 8] = [
    (c"user", CLONE_NEWUSER),
    (c"cgroup", CLONE_NEWCGROUP),
    (c"ipc", CLONE_NEWIPC),
    (c"uts", CLONE_NEWUTS),
    (c"net", CLONE_NEWNET),
    (c"pid", CLONE_NEWPID),
    (c"mnt", CLONE_NEWNS),
    (c"time", CLONE_NEWTIME),
];

/// The namespace files of a process, NAMESPACES' order: None where it
/// shares ours.
pub type Targets = [Option<Fd>; 8];

/// Runs from a sealed copy of this binary (re-executing it when not yet)
/// and non-dumpable. Ok(()) once so; Err is an exit status (or the
/// re-executed program's).
///
/// A process of the container could otherwise open this binary through
/// /proc/OUR-PID/exe and overwrite it on the host (CVE-2019-5736): run
/// from a sealed copy in memory, which cannot be written. Container root
/// must not ptrace us or open our /proc files while we hold host
/// descriptors (CVE-2016-9962).
pub fn sealed_and_undumpable(args: CStrList, env: CStrList) -> Result<(), i32> {
    if !running_sealed() {
        return Err(reexec_sealed(args, env));
    }
    sys::prctl(PR_SET_DUMPABLE, 0).map_err(|e| fail(b"cannot become non-dumpable", b"", e))
}

/// Enters the namespaces `targets` of process `pid_text`, in order,
/// closing them.
pub fn enter_namespaces(targets: Targets, pid_text: &[u8]) -> Result<(), i32> {
    for ((name, kind), target) in NAMESPACES.iter().zip(targets.iter()) {
        if let Some(fd) = target {
            if let Err(e) = sys::setns(fd, *kind) {
                return Err(fail_with(b"cannot enter {} namespace of process {}", &[name.to_bytes(), pid_text], e));
            }
        }
    }
    Ok(())
}

/// The sandbox a container's record keeps for its commands, its filter
/// made in `program`; None (after the message) when the record is damaged.
pub fn record_sandbox<'p>(r: &Record, program: &'p mut [SockFilter; BPF_MAXINSNS]) -> Option<Sandbox<'p>> {
    match program_from_bytes(r.seccomp, program) {
        Some(seccomp) => Some(Sandbox {
            bounding: r.bounding,
            no_new_privs: r.no_new_privs,
            seccomp,
            seccomp_flags: r.seccomp_flags,
        }),
        None => {
            say(b"the record of container {} is damaged", &[r.id]);
            None
        }
    }
}

/// Opens the namespaces of `pid` that differ from ours into `targets`;
/// Ok(false) when none does. Err is the exit status after the message.
pub fn open_namespaces(pid: i32, targets: &mut Targets) -> Result<bool, i32> {
    let mut pid_text = Line::new();
    pid_text.num(pid as u64);
    let pid_text = pid_text.text();
    let mut path = PathBuf::new();
    let mut any = false;
    for ((name, _), target) in NAMESPACES.iter().zip(targets.iter_mut()) {
        let name = name.to_bytes();
        let theirs = match sys::open(path.proc_path(pid, b"/ns/{}", &[name]), O_RDONLY) {
            Ok(fd) => fd,
            // Kernels without cgroup (4.6) or time (5.6) namespaces.
            Err(Errno::ENOENT) if same(name, b"cgroup") || same(name, b"time") => continue,
            // A zombie keeps its /proc directory but loses its namespaces.
            Err(Errno::ENOENT) => {
                if sys::stat(path.proc_path(pid, b"", &[])).is_ok() {
                    say(b"process {} has exited", &[pid_text]);
                    return Err(EXIT_FAILURE);
                }
                return Err(fail(b"no process ", pid_text, Errno::ESRCH));
            }
            Err(e) => return Err(fail_with(b"cannot open {} namespace of process {}", &[name, pid_text], e)),
        };
        if !same_namespace(&theirs, path.proc_path(0, b"/ns/{}", &[name])) {
            any = true;
            *target = Some(theirs);
        }
    }
    Ok(any)
}

/// Whether the namespace file `fd` is the same namespace as `ours` (the
/// nsfs inode number names a namespace).
pub fn same_namespace(fd: &Fd, ours: &CStr) -> bool {
    matches!((sys::fstat(fd), sys::stat(ours)), (Ok(a), Ok(b)) if a.ino == b.ino)
}

/// The first child of `pid` when it is in another user namespace than ours.
#[inline(never)]
pub fn container_child(pid: i32) -> Option<i32> {
    let child = procfs::first_child(pid)?;
    let user = sys::open(PathBuf::new().proc_path(child, b"/ns/user", &[]), O_RDONLY).ok()?;
    (!same_namespace(&user, c"/proc/self/ns/user")).then_some(child)
}

/// Whether this process runs from a memfd carrying every seal.
fn running_sealed() -> bool {
    match sys::open(c"/proc/self/exe", O_RDONLY) {
        Ok(exe) => sys::get_seals(&exe).is_ok_and(|seals| seals & ALL_SEALS == ALL_SEALS),
        Err(_) => false,
    }
}

/// Executes this very binary again from a sealed memfd, same arguments.
fn reexec_sealed(args: CStrList, env: CStrList) -> i32 {
    let exe = match sys::open(c"/proc/self/exe", O_RDONLY) {
        Ok(exe) => exe,
        Err(e) => return fail(b"cannot open /proc/self/exe", b"", e),
    };
    let memfd = match sealed_copy(&exe, b"ucontain") {
        Ok(memfd) => memfd,
        Err(status) => return status,
    };
    exec_sealed(&memfd, b"sealed copy", args, env)
}

//! inject PID CMD [ARG]...: run CMD inside the running container whose
//! init has host pid PID, without exposing this binary to it.

use crate::applet::seal::sealed_copy;
use crate::exec::{exec_command, search_path};
use crate::ids::parse_pid;
use crate::out::{fail, positional, say, usage, Line, EXIT_FAILURE};
use crate::sys::{
    self, CStrList, Exit, Fd, ALL_SEALS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID,
    CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, O_DIRECTORY, O_PATH, O_RDONLY, PR_SET_DUMPABLE,
};
use core::ffi::CStr;

const NAME: &[u8] = b"inject";
const USAGE: &[u8] = b"Usage: inject PID CMD [ARG]...\n\
Run CMD in every namespace of process PID (a container's init).\n";

/// The order namespaces are entered in: the user namespace first, so its
/// owner gains the capabilities the others need; mount late, because the
/// host's /proc is gone after it; PID and time only affect the child.
const NAMESPACES: [(&CStr, u32); 8] = [
    (c"user", CLONE_NEWUSER),
    (c"cgroup", CLONE_NEWCGROUP),
    (c"ipc", CLONE_NEWIPC),
    (c"uts", CLONE_NEWUTS),
    (c"net", CLONE_NEWNET),
    (c"pid", CLONE_NEWPID),
    (c"mnt", CLONE_NEWNS),
    (c"time", CLONE_NEWTIME),
];

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let rest = match positional(args, USAGE, 2, usize::MAX) {
        Ok(rest) => rest,
        Err(status) => return status,
    };
    let Some(pid) = rest.get(0).and_then(|p| parse_pid(p.to_bytes())) else { return usage(USAGE) };
    // A process of the container could otherwise open this binary through
    // /proc/OUR-PID/exe and overwrite it on the host (CVE-2019-5736): run
    // from a sealed copy in memory, which cannot be written.
    if !running_sealed() {
        return reexec_sealed(args, env);
    }
    // Container root must not ptrace us or open our /proc files while we
    // hold host descriptors (CVE-2016-9962).
    if let Err(e) = sys::prctl(PR_SET_DUMPABLE, 0) {
        return fail(NAME, &[b"cannot make process non-dumpable"], e);
    }
    let mut pid_text = Line::new();
    pid_text.num(pid as u64);
    let pid_text = pid_text.text();
    let mut dir = Line::new();
    dir.add(b"/proc/").add(pid_text).add(b"\0");
    let Ok(dir) = CStr::from_bytes_with_nul(dir.text()) else { return EXIT_FAILURE };
    let proc_dir = match sys::open(dir, O_PATH | O_DIRECTORY) {
        Ok(fd) => fd,
        Err(e) => return fail(NAME, &[b"no process ", pid_text], e),
    };
    // Every namespace file is opened before the first setns: once in the
    // container's mount namespace, the host's /proc is out of reach.
    let mut targets: [Option<Fd>; 8] = Default::default();
    let mut any = false;
    for ((name, _), target) in NAMESPACES.iter().zip(targets.iter_mut()) {
        let mut path = Line::new();
        path.add(b"ns/").add(name.to_bytes()).add(b"\0");
        let Ok(path) = CStr::from_bytes_with_nul(path.text()) else { continue };
        let theirs = match sys::openat(proc_dir.raw(), path, O_RDONLY, 0) {
            Ok(fd) => fd,
            // Kernels without cgroup (4.6) or time (5.6) namespaces.
            Err(sys::Errno::ENOENT) if *name == c"cgroup" || *name == c"time" => continue,
            Err(e) => return fail(NAME, &[b"cannot open ", name.to_bytes(), b" namespace of process ", pid_text], e),
        };
        if !same_namespace(&theirs, name) {
            any = true;
            *target = Some(theirs);
        }
    }
    if !any {
        say(NAME, &[b"process ", pid_text, b" is not in a container: it shares every namespace with us"]);
        return EXIT_FAILURE;
    }
    drop(proc_dir);
    for ((name, kind), target) in NAMESPACES.iter().zip(targets.iter()) {
        if let Some(fd) = target {
            if let Err(e) = sys::setns(fd, *kind) {
                return fail(NAME, &[b"cannot enter ", name.to_bytes(), b" namespace of process ", pid_text], e);
            }
        }
    }
    drop(targets);
    let child = match sys::fork() {
        Ok(child) => child,
        Err(e) => return fail(NAME, &[b"cannot fork"], e),
    };
    if child == 0 {
        sys::exit(exec_command(NAME, rest.skip(1), env, search_path(env)));
    }
    match sys::wait(child, false) {
        Ok(Some((_, Exit::Code(code)))) => code,
        Ok(Some((_, Exit::Signal(sig)))) => sys::die_by(sig),
        _ => EXIT_FAILURE,
    }
}

/// Whether the namespace `fd` is also ours (same device and inode).
fn same_namespace(fd: &Fd, name: &CStr) -> bool {
    let mut path = Line::new();
    path.add(b"/proc/self/ns/").add(name.to_bytes()).add(b"\0");
    let (Ok(path), Ok(theirs)) = (CStr::from_bytes_with_nul(path.text()), sys::fstat(fd)) else { return false };
    match sys::statat(sys::AT_FDCWD, path, false) {
        Ok(ours) => ours.ino == theirs.ino && ours.dev == theirs.dev,
        Err(_) => false,
    }
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
        Err(e) => return fail(NAME, &[b"cannot open /proc/self/exe"], e),
    };
    let memfd = match sealed_copy(NAME, &exe, b"ucontain") {
        Ok(memfd) => memfd,
        Err(status) => return status,
    };
    let e = sys::execve_fd(&memfd, args, env);
    fail(NAME, &[b"cannot execute sealed copy"], e)
}

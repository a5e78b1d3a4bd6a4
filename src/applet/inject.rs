//! inject PID CMD [ARG]...: run CMD inside the running container whose
//! init has host pid PID, without exposing this binary to it.

use crate::applet::seal::sealed_copy;
use crate::exec::{exec_command, search_path, PathBuf};
use crate::ids::parse_pid;
use crate::out::{fail, positional, say, Line, EXIT_FAILURE};
use crate::sys::{
    self, CStrList, Errno, Exit, Fd, ALL_SEALS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID,
    CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, O_RDONLY, PR_SET_DUMPABLE,
};
use core::ffi::CStr;

const USAGE: &[u8] = b"Usage: inject PID CMD [ARG]...\n";

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
    let pid_arg = rest.get(0).map_or(&b""[..], |p| p.to_bytes());
    let Some(pid) = parse_pid(pid_arg) else {
        say(&[b"not a process id: ", pid_arg]);
        return EXIT_FAILURE;
    };
    // A process of the container could otherwise open this binary through
    // /proc/OUR-PID/exe and overwrite it on the host (CVE-2019-5736): run
    // from a sealed copy in memory, which cannot be written.
    if !running_sealed() {
        return reexec_sealed(args, env);
    }
    // Container root must not ptrace us or open our /proc files while we
    // hold host descriptors (CVE-2016-9962).
    if let Err(e) = sys::prctl(PR_SET_DUMPABLE, 0) {
        return fail(&[b"cannot make process non-dumpable"], e);
    }
    let mut pid_text = Line::new();
    pid_text.num(pid as u64);
    let pid_text = pid_text.text();
    let mut ns_dir = Line::new();
    ns_dir.add(b"/proc/").add(pid_text).add(b"/ns");
    // Every namespace file is opened before the first setns: once in the
    // container's mount namespace, the host's /proc is out of reach.
    let mut targets: [Option<Fd>; 8] = Default::default();
    let mut path = PathBuf::new();
    for ((name, _), target) in NAMESPACES.iter().zip(targets.iter_mut()) {
        let theirs = match sys::open(path.join(ns_dir.text(), name.to_bytes()).unwrap_or(c"/"), O_RDONLY) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) if *name == c"user" => return fail(&[b"no process ", pid_text], Errno::ESRCH),
            // Kernels without cgroup (4.6) or time (5.6) namespaces.
            Err(Errno::ENOENT) if *name == c"cgroup" || *name == c"time" => continue,
            Err(e) => return fail(&[b"cannot open ", name.to_bytes(), b" namespace of process ", pid_text], e),
        };
        let ours = sys::statat(sys::AT_FDCWD, path.join(b"/proc/self/ns", name.to_bytes()).unwrap_or(c"/"), false);
        match (ours, sys::fstat(&theirs)) {
            (Ok(ours), Ok(st)) if ours.ino == st.ino && ours.dev == st.dev => {}
            _ => *target = Some(theirs),
        }
    }
    if targets.iter().all(|t| t.is_none()) {
        say(&[b"process ", pid_text, b" is not in a container: it shares every namespace with us"]);
        return EXIT_FAILURE;
    }
    for ((name, kind), target) in NAMESPACES.iter().zip(targets.iter()) {
        if let Some(fd) = target {
            if let Err(e) = sys::setns(fd, *kind) {
                return fail(&[b"cannot enter ", name.to_bytes(), b" namespace of process ", pid_text], e);
            }
        }
    }
    drop(targets);
    let child = match sys::fork() {
        Ok(child) => child,
        Err(e) => return fail(&[b"cannot fork"], e),
    };
    if child == 0 {
        sys::exit(exec_command(rest.skip(1), env, search_path(env)));
    }
    match sys::wait(child, false) {
        Ok(Some((_, Exit::Code(code)))) => code,
        Ok(Some((_, Exit::Signal(sig)))) => sys::die_by(sig),
        _ => EXIT_FAILURE,
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
        Err(e) => return fail(&[b"cannot open /proc/self/exe"], e),
    };
    let memfd = match sealed_copy(&exe, b"ucontain") {
        Ok(memfd) => memfd,
        Err(status) => return status,
    };
    let e = sys::execve_fd(&memfd, args, env);
    fail(&[b"cannot execute sealed copy"], e)
}

//! ucontain: Linux containers as easy as chroot, in one static binary with
//! no libc. This file dispatches to the applets, busybox-style: by the
//! basename of argv[0], or as `ucontain APPLET ARGS...`.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

#[allow(unsafe_code)]
pub mod sys;

pub mod applet;
pub mod args;
pub mod caps;
pub mod cgroup;
pub mod console;
pub mod container;
pub mod enter;
pub mod exec;
pub mod ids;
pub mod json;
pub mod limits;
pub mod memfd;
pub mod mount;
pub mod ns;
#[cfg(feature = "oci")]
pub mod oci;
pub mod out;
pub mod path;
pub mod procfs;
pub mod sandbox;
pub mod seccomp;
pub mod state;
pub mod supervise;
pub mod text;

use core::ffi::CStr;
use out::{say, EXIT_FAILURE, EXIT_USAGE};
use sys::{write_all, CStrList, Fd, STDERR, STDOUT};
use text::{after, same};

/// An applet's entry: its argv (argv[0] is its name) and environment.
pub type Applet = fn(CStrList, CStrList) -> i32;

/// The applets built in, sorted by name: (name, entry, usage text, its one
/// line of SPEC §1). Each row is there only with its cargo feature.
pub const APPLETS: &[(&CStr, Applet, &[u8], &[u8])] = &[
    #[cfg(feature = "contain")]
    (
        c"contain",
        applet::contain::main,
        applet::contain::USAGE,
        b"run CMD (default /bin/sh) as PID 1 of a new container whose root is DIR",
    ),
    #[cfg(feature = "inject")]
    (c"inject", applet::inject::main, applet::inject::USAGE, b"run CMD (default /bin/sh) inside a running container"),
    #[cfg(feature = "isolate")]
    (
        c"isolate",
        applet::isolate::main,
        applet::isolate::USAGE,
        b"run CMD with no network (new net + IPC namespaces, lo up)",
    ),
    #[cfg(feature = "list")]
    (c"list", applet::list::main, applet::list::USAGE, b"list the running containers (root: every user's)"),
    #[cfg(feature = "oci")]
    (
        c"oci",
        applet::oci::main,
        applet::oci::USAGE,
        b"an OCI runtime with runc's command line, for podman, containerd and through it Kubernetes",
    ),
    #[cfg(feature = "pivot")]
    (c"pivot", applet::pivot::main, applet::pivot::USAGE, b"pivot_root; with one argument, also detach the old root"),
    #[cfg(feature = "pseudo")]
    (
        c"pseudo",
        applet::pseudo::main,
        applet::pseudo::USAGE,
        b"run CMD (default /bin/sh) as root of a new user namespace (fakeroot without LD_PRELOAD)",
    ),
    #[cfg(feature = "seal")]
    (c"seal", applet::seal::main, applet::seal::USAGE, b"copy PROG into a sealed memfd and execute it from there"),
];

/// Every applet's name, built in or not: a name of this list that is not in
/// `APPLETS` is `not in this build` (SPEC §1), not an unknown applet.
pub const ALL_APPLETS: [&CStr; 8] = [c"contain", c"inject", c"isolate", c"list", c"oci", c"pivot", c"pseudo", c"seal"];

/// What `ucontain` alone and `--help` print before the applets.
const USAGE_HEAD: &[u8] =
    b"Usage: ucontain APPLET [ARG]...\n   or: APPLET [ARG]...\n   or: ucontain --install [-f] DIR | --help | --version\n\nApplets:\n";

/// Exit status of an applet that is not built in, as a shell's for a
/// command it cannot find.
pub const EXIT_NOT_BUILT: i32 = 127;

/// The applet `name` of this build, its index marked as the running one so
/// messages name it.
fn find(name: &[u8]) -> Option<Applet> {
    let index = APPLETS.iter().position(|(n, ..)| n.to_bytes() == name)?;
    out::set_applet(index);
    Some(APPLETS[index].1)
}

/// Runs applet `name` with `args` if it is built in; `None` if no applet has
/// that name; otherwise says it is not in this build.
fn run(name: &[u8], args: CStrList, env: CStrList) -> Option<i32> {
    if let Some(applet) = find(name) {
        return Some(applet(args, env));
    }
    ALL_APPLETS.iter().any(|n| n.to_bytes() == name).then(|| {
        say(b"{}: not in this build", &[name]);
        EXIT_NOT_BUILT
    })
}

pub fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The usage lines, then each applet of this build: its synopsis (the first
/// line of its usage, without "Usage:") and, below it, its one line.
fn list_applets(fd: &Fd) {
    let _ = write_all(fd, USAGE_HEAD);
    for (_, _, usage, about) in APPLETS {
        let synopsis = usage.split(|&b| b == b'\n').next().unwrap_or_default();
        let synopsis = text::after(synopsis, b"Usage:").unwrap_or(synopsis);
        for part in [&b" "[..], synopsis, b"\n      ", about, b"\n"] {
            let _ = write_all(fd, part);
        }
    }
}

/// The whole program: `secure` is AT_SECURE from the auxiliary vector.
pub fn main(args: CStrList, env: CStrList, secure: bool) -> i32 {
    let argv0 = args.get(0).map_or(&b""[..], |a| a.to_bytes());
    // SPEC §3: privilege comes only from newuidmap/newgidmap, never from a
    // setuid or setgid bit on ucontain itself.
    if secure {
        say(b"refusing to run setuid or setgid", &[]);
        return EXIT_FAILURE;
    }
    // A caller that ignores SIGCHLD would make wait(2) lose our children's
    // statuses (SPEC §3): the default, always.
    sys::default_action(sys::SIGCHLD);
    // SPEC §1: `ucontain-oci` is `oci` (a runtime path for podman and
    // containerd that names the binary).
    let name = basename(argv0);
    if let Some(status) = run(after(name, b"ucontain-").unwrap_or(name), args, env) {
        return status;
    }
    let Some(first) = args.get(1) else {
        list_applets(&STDERR);
        return EXIT_USAGE;
    };
    let first = first.to_bytes();
    if same(first, b"--help") {
        list_applets(&STDOUT);
        return 0;
    }
    if same(first, b"--version") {
        let _ = write_all(&STDOUT, concat!("ucontain ", env!("CARGO_PKG_VERSION"), "\n").as_bytes());
        return 0;
    }
    if same(first, b"--install") {
        return applet::install(args.skip(2));
    }
    run(first, args.skip(1), env).unwrap_or_else(|| {
        say(b"{}: unknown applet", &[first]);
        list_applets(&STDERR);
        EXIT_USAGE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applets_are_sorted_and_found_by_basename() {
        let names: Vec<&[u8]> = APPLETS.iter().map(|a| a.0.to_bytes()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(basename(b"/usr/local/bin/seal"), b"seal");
        assert_eq!(basename(b"seal"), b"seal");
        assert_eq!(basename(b"dir/"), b"");
        assert!(find(b"seal").is_some());
        assert_eq!(out::applet_name(), b"seal");
        assert!(find(b"ucontain").is_none());
        assert!(find(b"sea").is_none());
    }

    #[test]
    fn every_applet_built_in_is_a_known_name() {
        let all: Vec<&[u8]> = ALL_APPLETS.iter().map(|n| n.to_bytes()).collect();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        for (name, ..) in APPLETS {
            assert!(all.contains(&name.to_bytes()), "{name:?} is missing from ALL_APPLETS");
        }
        let empty = sys::CStrArray::<1>::new();
        assert_eq!(run(b"nosuch", empty.list(), empty.list()), None);
    }
}

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
pub mod cgroup;
pub mod console;
pub mod exec;
pub mod ids;
pub mod memfd;
pub mod mount;
pub mod ns;
pub mod out;
pub mod text;

use core::ffi::CStr;
use out::{say, EXIT_FAILURE, EXIT_USAGE};
use sys::{write_all, CStrList, Fd, STDERR, STDOUT};
use text::same;

/// An applet's entry: its argv (argv[0] is its name) and environment.
pub type Applet = fn(CStrList, CStrList) -> i32;

/// The applets, sorted by name: (name, entry, usage line).
pub const APPLETS: &[(&CStr, Applet, &[u8])] = &[
    (c"contain", applet::contain::main, applet::contain::USAGE),
    (c"inject", applet::inject::main, applet::inject::USAGE),
    (c"isolate", applet::isolate::main, applet::isolate::USAGE),
    (c"pivot", applet::pivot::main, applet::pivot::USAGE),
    (c"pseudo", applet::pseudo::main, applet::pseudo::USAGE),
    (c"seal", applet::seal::main, applet::seal::USAGE),
];

const USAGE_HEAD: &[u8] = b"Usage: ucontain APPLET [ARG]...\n   or: APPLET [ARG]...\n   or: ucontain --install DIR | --help | --version\n\nApplets:\n";

fn find(name: &[u8]) -> Option<Applet> {
    let index = APPLETS.iter().position(|(n, _, _)| n.to_bytes() == name)?;
    out::set_applet(index);
    Some(APPLETS[index].1)
}

pub fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

fn list_applets(fd: &Fd) {
    let _ = write_all(fd, USAGE_HEAD);
    for (_, _, usage) in APPLETS {
        // The usage line, indented in place of its "Usage:".
        let _ = write_all(fd, b" ");
        let _ = write_all(fd, usage.get(6..).unwrap_or(usage));
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
    if let Some(applet) = find(basename(argv0)) {
        return applet(args, env);
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
    match find(first) {
        Some(applet) => applet(args.skip(1), env),
        None => {
            say(b"{}: unknown applet", &[first]);
            list_applets(&STDERR);
            EXIT_USAGE
        }
    }
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
}

//! Root filesystem assembly and the in-process pivot.

use crate::exec::PathBuf;
use crate::out::Line;
use crate::sys::{
    self, Errno, Fd, AT_FDCWD, MNT_DETACH, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_SLAVE,
    O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH,
};
use core::ffi::CStr;

pub const PIVOT_STEP: &[u8] = b"cannot pivot to new root";

/// With the working directory at the new root: pivot_root(".", ".") stacks
/// the old root on top of the new one (pivot_root(2), "NOTES"); making it a
/// slave stops the unmount from propagating to the host's mounts, and the
/// lazy unmount then removes the old root from this namespace for good.
/// This runs in our own process, before any program from the new root is
/// executed, so no library of the container runs while the host's root is
/// still reachable. Err names the step that failed.
pub fn detach_old_root() -> Result<(), (&'static [u8], Errno)> {
    sys::pivot_root(c".", c".").map_err(|e| (PIVOT_STEP, e))?;
    sys::mount(None, c".", None, MS_SLAVE | MS_REC, None)
        .map_err(|e| (&b"cannot disable old root mount propagation"[..], e))?;
    sys::umount2(c".", MNT_DETACH).map_err(|e| (&b"cannot detach old root"[..], e))?;
    sys::chdir(c"/").map_err(|e| (&b"cannot change directory to /"[..], e))
}

/// `/proc/self/fd/N`: mounting onto it mounts onto exactly the file the
/// descriptor was opened on, never onto where a path leads later.
fn fd_path<'a>(fd: &Fd, buf: &'a mut PathBuf) -> &'a CStr {
    let mut number = Line::new();
    number.num(fd.raw() as u64);
    buf.join(b"/proc/self/fd", number.text()).unwrap_or(c"/")
}

/// `name` in the working directory, opened without following a symlink:
/// a DIR/dev that links elsewhere is not a directory of DIR's.
fn subdir(dir: i32, name: &CStr) -> Option<Fd> {
    sys::openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0).ok()
}

type Step = (&'static [u8], Errno);

fn step<T>(r: Result<T, Errno>, what: &'static [u8]) -> Result<T, Step> {
    r.map_err(|e| (what, e))
}

const DEV_NODES: [&CStr; 6] = [c"full", c"null", c"random", c"tty", c"urandom", c"zero"];
const DEV_LINKS: [(&CStr, &CStr); 5] = [
    (c"ptmx", c"pts/ptmx"),
    (c"fd", c"/proc/self/fd"),
    (c"stdin", c"fd/0"),
    (c"stdout", c"fd/1"),
    (c"stderr", c"fd/2"),
];

/// A /dev of its own on `dev`: a tmpfs with the six harmless nodes bound
/// from the host's /dev, a new devpts instance and the usual links.
fn make_dev(dev: Fd) -> Result<(), Step> {
    let mut path = PathBuf::new();
    step(
        sys::mount(Some(c"tmpfs"), fd_path(&dev, &mut path), Some(c"tmpfs"), MS_NOSUID | MS_NOEXEC, Some(c"mode=0755")),
        b"cannot mount tmpfs on /dev",
    )?;
    let dev = step(sys::openat(AT_FDCWD, c"dev", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0), b"cannot open /dev")?;
    let mut host = PathBuf::new();
    for node in DEV_NODES {
        let target = step(sys::openat(dev.raw(), node, O_CREAT | O_EXCL | O_NOFOLLOW, 0o666), b"cannot create /dev node")?;
        let source = host.join(b"/dev", node.to_bytes()).unwrap_or(c"/");
        step(sys::mount(Some(source), fd_path(&target, &mut path), None, MS_BIND, None), b"cannot bind host /dev node")?;
    }
    step(sys::mkdirat(dev.raw(), c"pts", 0o755), b"cannot create /dev/pts")?;
    let pts = step(sys::openat(dev.raw(), c"pts", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0), b"cannot open /dev/pts")?;
    step(
        sys::mount(
            Some(c"devpts"),
            fd_path(&pts, &mut path),
            Some(c"devpts"),
            MS_NOSUID | MS_NOEXEC,
            Some(c"newinstance,ptmxmode=0666,mode=0620"),
        ),
        b"cannot mount devpts on /dev/pts",
    )?;
    for (name, target) in DEV_LINKS {
        step(sys::symlinkat(target, dev.raw(), name), b"cannot create /dev link")?;
    }
    Ok(())
}

/// Inside a new mount namespace: DIR bound onto itself with everything
/// below it, a new proc and a /dev of its own where DIR has those
/// directories, then the pivot. Paths under DIR are opened relative to it,
/// without following symlinks, and mounts go onto what was opened, so a
/// DIR/dev or DIR/proc linking out of DIR never mounts anything outside.
pub fn assemble_root(dir: &CStr, new_net: bool) -> Result<(), Step> {
    // Nothing mounted here may propagate back to the host.
    step(sys::mount(None, c"/", None, MS_REC | MS_PRIVATE, None), b"cannot make mounts private")?;
    step(sys::mount(Some(dir), dir, None, MS_BIND | MS_REC, None), b"cannot bind new root")?;
    step(sys::chdir(dir), b"cannot enter new root")?;
    let mut path = PathBuf::new();
    if let Some(proc_dir) = subdir(AT_FDCWD, c"proc") {
        step(
            sys::mount(Some(c"proc"), fd_path(&proc_dir, &mut path), Some(c"proc"), MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
            b"cannot mount proc",
        )?;
    }
    // sysfs shows the network devices of the namespace that mounts it: only
    // with a network namespace of its own is it the container's.
    if let Some(sys_dir) = subdir(AT_FDCWD, c"sys").filter(|_| new_net) {
        step(
            sys::mount(Some(c"sysfs"), fd_path(&sys_dir, &mut path), Some(c"sysfs"), MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
            b"cannot mount sysfs",
        )?;
    }
    if let Some(dev) = subdir(AT_FDCWD, c"dev") {
        make_dev(dev)?;
    }
    detach_old_root()
}

//! Namespaces and mounts.

use super::*;
pub fn unshare(flags: u32) -> Result<()> {
    // SAFETY: plain integer argument.
    unit(unsafe { sc::syscall1(nr!(__NR_unshare), flags as usize) })
}

pub fn setns(fd: &Fd, nstype: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall2(nr!(__NR_setns), fd.raw() as usize, nstype as usize) })
}

#[inline(never)]
pub fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: u32,
    data: Option<&CStr>,
) -> Result<()> {
    // SAFETY: all strings are valid C strings or NULL.
    unit(unsafe {
        sc::syscall5(nr!(__NR_mount), opt_ptr(source), ptr(target), opt_ptr(fstype), flags as usize, opt_ptr(data))
    })
}

pub fn umount2(target: &CStr, flags: u32) -> Result<()> {
    // SAFETY: target is a valid C string.
    unit(unsafe { sc::syscall2(nr!(__NR_umount2), ptr(target), flags as usize) })
}

pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> Result<()> {
    // SAFETY: both are valid C strings.
    unit(unsafe { sc::syscall2(nr!(__NR_pivot_root), ptr(new_root), ptr(put_old)) })
}

/// mount_setattr(2) (Linux 5.12) with AT_RECURSIVE: sets `attr` (MOUNT_ATTR_*)
/// on the mount at `path` and every mount below it.
pub fn set_mount_attr_recursive(path: &CStr, attr: u64) -> Result<()> {
    let attrs = k::mount_attr { attr_set: attr, attr_clr: 0, propagation: 0, userns_fd: 0 };
    // SAFETY: attrs is a valid struct mount_attr of the size we pass.
    unit(unsafe {
        sc::syscall5(
            nr!(__NR_mount_setattr),
            AT_FDCWD as usize,
            ptr(path),
            k::AT_RECURSIVE as usize,
            &attrs as *const k::mount_attr as usize,
            core::mem::size_of::<k::mount_attr>(),
        )
    })
}

pub use k::{MOUNT_ATTR_NODEV, MOUNT_ATTR_RDONLY};

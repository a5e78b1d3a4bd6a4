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
    mount_setattr(&CWD, path, k::AT_RECURSIVE, attr, None)
}

/// mount_setattr(2) (Linux 5.12) with AT_EMPTY_PATH and AT_RECURSIVE on a
/// detached tree (`open_tree`): sets `attr` and MOUNT_ATTR_IDMAP with the
/// identity map of the user namespace `userns`, on the tree and every
/// mount in it (mount_setattr(2), "Creating an ID-mapped mount").
pub fn idmap_tree(tree: &Fd, userns: &Fd, attr: u64) -> Result<()> {
    let flags = k::AT_EMPTY_PATH | k::AT_RECURSIVE;
    mount_setattr(tree, c"", flags, attr | k::MOUNT_ATTR_IDMAP as u64, Some(userns))
}

fn mount_setattr(dir: &Fd, path: &CStr, flags: u32, attr_set: u64, userns: Option<&Fd>) -> Result<()> {
    let userns_fd = userns.map_or(0, |fd| fd.raw() as u64);
    let attrs = k::mount_attr { attr_set, attr_clr: 0, propagation: 0, userns_fd };
    // SAFETY: attrs is a valid struct mount_attr of the size we pass; path
    // is a valid C string.
    unit(unsafe {
        sc::syscall5(
            nr!(__NR_mount_setattr),
            dir.raw() as usize,
            ptr(path),
            flags as usize,
            &attrs as *const k::mount_attr as usize,
            core::mem::size_of::<k::mount_attr>(),
        )
    })
}

/// open_tree(2) (Linux 5.2) with OPEN_TREE_CLONE and AT_RECURSIVE: a
/// detached copy of the mount tree at `path` (as a recursive bind would
/// make), not yet attached anywhere.
pub fn clone_tree(path: &CStr) -> Result<Fd> {
    let flags = k::OPEN_TREE_CLONE | k::OPEN_TREE_CLOEXEC | k::AT_RECURSIVE;
    // SAFETY: path is a valid C string; the kernel returns a new descriptor.
    let r = unsafe { sc::syscall3(nr!(__NR_open_tree), AT_FDCWD as usize, ptr(path), flags as usize) };
    check(r).map(|fd| Fd(fd as i32))
}

/// move_mount(2) (Linux 5.2) with MOVE_MOUNT_F_EMPTY_PATH: attaches the
/// detached tree `tree` at `target`.
pub fn attach_tree(tree: &Fd, target: &CStr) -> Result<()> {
    // SAFETY: target is a valid C string; the empty path names `tree`.
    unit(unsafe {
        sc::syscall5(
            nr!(__NR_move_mount),
            tree.raw() as usize,
            ptr(c""),
            AT_FDCWD as usize,
            ptr(target),
            k::MOVE_MOUNT_F_EMPTY_PATH as usize,
        )
    })
}

pub use k::{MOUNT_ATTR_NODEV, MOUNT_ATTR_RDONLY};

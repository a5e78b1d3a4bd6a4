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

pub fn mount(source: Option<&CStr>, target: &CStr, fstype: Option<&CStr>, flags: u32, data: Option<&CStr>) -> Result<()> {
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

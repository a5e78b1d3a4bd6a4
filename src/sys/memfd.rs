//! memfd_create and seals.

use super::*;
#[inline(never)]
pub fn memfd_create(name: &CStr, flags: u32) -> Result<Fd> {
    // SAFETY: name is a valid C string.
    check(unsafe { sc::syscall2(nr!(__NR_memfd_create), ptr(name), flags as usize) }).map(|fd| Fd(fd as i32))
}

pub const MFD_CLOEXEC: u32 = k::MFD_CLOEXEC;
pub const MFD_ALLOW_SEALING: u32 = k::MFD_ALLOW_SEALING;
pub const MFD_EXEC: u32 = k::MFD_EXEC;

pub fn add_seals(fd: &Fd, seals: u32) -> Result<()> {
    // SAFETY: plain integer arguments.
    unit(unsafe { sc::syscall3(nr!(__NR_fcntl), fd.raw() as usize, k::F_ADD_SEALS as usize, seals as usize) })
}

#[inline(never)]
pub fn get_seals(fd: &Fd) -> Result<u32> {
    // SAFETY: plain integer arguments.
    check(unsafe { sc::syscall2(nr!(__NR_fcntl), fd.raw() as usize, k::F_GET_SEALS as usize) }).map(|s| s as u32)
}

/// sendfile(2) from `from` at `*offset` into `to`; returns bytes copied.
pub fn sendfile(to: &Fd, from: &Fd, offset: &mut u64, count: usize) -> Result<usize> {
    // SAFETY: offset points to a valid u64 (loff_t) the kernel updates.
    check(unsafe {
        sc::syscall4(NR_SENDFILE as usize, to.raw() as usize, from.raw() as usize, offset as *mut u64 as usize, count)
    })
}

//! Error numbers: the kernel's -4095..-1 return values, decoded in one place.

/// An error number returned by the kernel.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Errno(pub u16);

impl Errno {
    pub const EPERM: Errno = Errno(linux_raw_sys::errno::EPERM as u16);
    pub const ENOENT: Errno = Errno(linux_raw_sys::errno::ENOENT as u16);
    pub const ESRCH: Errno = Errno(linux_raw_sys::errno::ESRCH as u16);
    pub const EINTR: Errno = Errno(linux_raw_sys::errno::EINTR as u16);
    pub const EAGAIN: Errno = Errno(linux_raw_sys::errno::EAGAIN as u16);
    pub const EACCES: Errno = Errno(linux_raw_sys::errno::EACCES as u16);
    pub const ENOTDIR: Errno = Errno(linux_raw_sys::errno::ENOTDIR as u16);
    pub const EINVAL: Errno = Errno(linux_raw_sys::errno::EINVAL as u16);
    pub const ENOEXEC: Errno = Errno(linux_raw_sys::errno::ENOEXEC as u16);
    pub const ENOSYS: Errno = Errno(linux_raw_sys::errno::ENOSYS as u16);
    pub const ENAMETOOLONG: Errno = Errno(linux_raw_sys::errno::ENAMETOOLONG as u16);
    pub const ELOOP: Errno = Errno(linux_raw_sys::errno::ELOOP as u16);
    pub const ENOSPC: Errno = Errno(linux_raw_sys::errno::ENOSPC as u16);
    pub const EEXIST: Errno = Errno(linux_raw_sys::errno::EEXIST as u16);
    pub const EBUSY: Errno = Errno(linux_raw_sys::errno::EBUSY as u16);
    pub const ENODEV: Errno = Errno(linux_raw_sys::errno::ENODEV as u16);
    pub const EROFS: Errno = Errno(linux_raw_sys::errno::EROFS as u16);
    pub const EFBIG: Errno = Errno(linux_raw_sys::errno::EFBIG as u16);
    pub const EOVERFLOW: Errno = Errno(linux_raw_sys::errno::EOVERFLOW as u16);
}

pub type Result<T> = core::result::Result<T, Errno>;

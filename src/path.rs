//! Paths built in a fixed buffer: a directory and a name joined, a file of
//! `/proc/PID`, the `/proc/self/fd/N` of a descriptor.

use crate::sys::{self, Fd};
use crate::text::{decimal, fill_template};
use core::ffi::CStr;

/// PATH_MAX (limits.h): the longest path the kernel takes, NUL included.
const PATH_MAX: usize = 4096;

/// A path in a fixed buffer, NUL-terminated.
pub struct PathBuf {
    buf: [u8; PATH_MAX],
    len: usize,
}

impl PathBuf {
    pub fn new() -> PathBuf {
        PathBuf { buf: [0; PATH_MAX], len: 0 }
    }

    /// `dir/name` (or `name` alone when dir is empty); None when it is
    /// longer than PATH_MAX.
    pub fn join(&mut self, dir: &[u8], name: &[u8]) -> Option<&CStr> {
        let slash: &[u8] = if !dir.is_empty() && !dir.ends_with(b"/") { b"/" } else { b"" };
        self.concat(&[dir, slash, name])
    }

    /// `parts` one after the other; None when longer than PATH_MAX.
    pub fn concat(&mut self, parts: &[&[u8]]) -> Option<&CStr> {
        self.len = 0;
        let fits = parts.iter().all(|part| self.push(part));
        fits.then(|| self.as_cstr()).flatten()
    }

    /// `/proc/PID` (`/proc/self` for 0) and `tail`, a template whose `{}`
    /// are replaced by `values` in order; the empty path (which opens
    /// nothing) when it is too long.
    pub fn proc_path(&mut self, pid: i32, tail: &[u8], values: &[&[u8]]) -> &CStr {
        self.len = 0;
        let mut fits = self.push(b"/proc/");
        fits &= if pid == 0 { self.push(b"self") } else { self.push(decimal(pid as u64, &mut [0; 20])) };
        fill_template(tail, values, &mut |part| fits &= self.push(part));
        if !fits {
            return c"";
        }
        self.as_cstr().unwrap_or(c"")
    }

    /// Appends `bytes` (keeping room for the NUL); false when they do not fit.
    fn push(&mut self, bytes: &[u8]) -> bool {
        let end = self.len + bytes.len();
        if end >= PATH_MAX {
            return false;
        }
        self.buf[self.len..end].copy_from_slice(bytes);
        self.buf[end] = 0;
        self.len = end;
        true
    }

    pub fn as_cstr(&self) -> Option<&CStr> {
        sys::cstr_until_nul(&self.buf[..self.len + 1])
    }
}

impl Default for PathBuf {
    fn default() -> Self {
        Self::new()
    }
}

/// `/proc/self/fd/N`: mounting onto it mounts onto exactly the file the
/// descriptor was opened on, never onto where a path leads later.
pub fn fd_path<'a>(fd: &Fd, buf: &'a mut PathBuf) -> &'a CStr {
    buf.proc_path(0, b"/fd/{}", &[decimal(fd.raw() as u64, &mut [0; 20])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins() {
        let mut path = PathBuf::new();
        assert_eq!(path.join(b"/usr/bin", b"sh"), Some(c"/usr/bin/sh"));
        assert_eq!(path.join(b"/", b"sh"), Some(c"/sh"));
        assert_eq!(path.join(b"", b"sh"), Some(c"sh"));
        assert_eq!(path.join(b"/d", &[b'x'; 4093]), None);
        assert_eq!(path.join(b"/d", &[b'x'; 4092]).map(|p| p.to_bytes().len()), Some(4095));
    }

    #[test]
    fn proc_paths() {
        let mut path = PathBuf::new();
        assert_eq!(path.proc_path(0, b"/ns/{}", &[b"user"]), c"/proc/self/ns/user");
        assert_eq!(path.proc_path(4242, b"/status", &[]), c"/proc/4242/status");
        assert_eq!(path.proc_path(1, b"", &[]), c"/proc/1");
        // Too long: the empty path, which opens nothing.
        assert_eq!(path.proc_path(1, b"{}", &[&[b'x'; 4096]]), c"");
    }
}

//! Sealed copies in memory (seal, inject's self re-execution): a program
//! run from one cannot be written through /proc/PID/exe (CVE-2019-5736).

use crate::out::{fail, say, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::sys::{self, CStrList, Errno, Fd, ALL_SEALS, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_EXEC};

/// A close-on-exec memfd holding all of `file`, with every seal added, so
/// it can be executed but never changed. Err is the exit status after the
/// message.
pub fn sealed_copy(file: &Fd, label: &[u8]) -> Result<Fd, i32> {
    let mut memfd_name = PathBuf::new();
    let label = memfd_name.join(b"", label.get(..200).unwrap_or(label)).unwrap_or(c"sealed");
    let flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
    // MFD_EXEC (Linux 6.3) asks for an executable memfd explicitly; older
    // kernels reject the unknown flag and make every memfd executable.
    let memfd = match sys::memfd_create(label, flags | MFD_EXEC) {
        Err(Errno::EINVAL) => sys::memfd_create(label, flags),
        other => other,
    };
    let memfd = match memfd {
        Ok(memfd) => memfd,
        Err(Errno::EACCES) => {
            say(b"cannot create an executable memfd: Permission denied (vm.memfd_noexec=2 forbids it)", &[]);
            return Err(EXIT_FAILURE);
        }
        Err(e) => return Err(fail(b"cannot create memfd", b"", e)),
    };
    let mut offset = 0u64;
    loop {
        match sys::sendfile(&memfd, file, &mut offset, 1 << 30) {
            Ok(0) => break,
            Ok(_) | Err(Errno::EINTR) | Err(Errno::EAGAIN) => {}
            Err(e) => return Err(fail(b"cannot copy ", label.to_bytes(), e)),
        }
    }
    if let Err(e) = sys::add_seals(&memfd, ALL_SEALS) {
        return Err(fail(b"cannot seal memfd", b"", e));
    }
    Ok(memfd)
}

/// Executes the sealed copy; returns only on failure, after the message
/// naming `what` (exit status 1).
pub fn exec_sealed(memfd: &Fd, what: &[u8], argv: CStrList, env: CStrList) -> i32 {
    match sys::execve_fd(memfd, argv, env) {
        // Both execveat(AT_EMPTY_PATH) and /proc/self/fd/N were refused:
        // the file is there, the kernel would not execute it.
        Errno::ENOENT => {
            say(b"cannot execute {} from its sealed memfd: the kernel refused execveat and /proc/self/fd", &[what])
        }
        e => {
            fail(b"cannot execute ", what, e);
        }
    }
    EXIT_FAILURE
}

//! seal PROG [ARG]...: run PROG from a sealed copy in memory, so nothing
//! that runs as PROG can reach the file it came from (CVE-2019-5736).

use crate::exec::{find_program, search_path, PathBuf, NOT_EXECUTABLE, NOT_FOUND};
use crate::out::{fail, positional, say, EXIT_FAILURE};
use crate::sys::{self, CStrList, Errno, Fd, ALL_SEALS, MFD_ALLOW_SEALING, MFD_CLOEXEC, MFD_EXEC, O_RDONLY};

pub const USAGE: &[u8] = b"Usage: seal PROG [ARG]...\n";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let args = match positional(args, USAGE, 1, usize::MAX) {
        Ok(args) => args,
        Err(status) => return status,
    };
    let Some(prog) = args.get(0) else { return EXIT_FAILURE };
    let mut path = PathBuf::new();
    if let Err(e) = find_program(prog, search_path(env), &mut path) {
        fail(&[prog.to_bytes()], e);
        return if e == Errno::ENOENT { NOT_FOUND } else { NOT_EXECUTABLE };
    }
    let Some(path) = path.as_cstr() else { return EXIT_FAILURE };
    let file = match sys::open(path, O_RDONLY) {
        Ok(file) => file,
        Err(e) => return fail(&[b"cannot open ", prog.to_bytes()], e),
    };
    // A script's interpreter is handed /dev/fd/N of the memfd, which is
    // close-on-exec and so already gone when it tries to open it: execveat
    // would fail with a bare ENOENT (execveat(2), NOTES).
    let mut magic = [0u8; 2];
    if sys::read_full(file.raw(), &mut magic) == Ok(2) && &magic == b"#!" {
        say(&[prog.to_bytes(), b": cannot run a #! script from a sealed memfd"]);
        return NOT_EXECUTABLE;
    }
    let memfd = match sealed_copy(&file, basename(prog.to_bytes())) {
        Ok(memfd) => memfd,
        Err(status) => return status,
    };
    let e = sys::execve_fd(&memfd, args, env);
    fail(&[b"cannot execute ", prog.to_bytes()], e);
    NOT_EXECUTABLE
}

fn basename(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

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
            say(&[b"cannot create an executable memfd: Permission denied (vm.memfd_noexec=2 forbids it)"]);
            return Err(EXIT_FAILURE);
        }
        Err(e) => return Err(fail(&[b"cannot create memfd"], e)),
    };
    let mut offset = 0u64;
    loop {
        match sys::sendfile(&memfd, file, &mut offset, 1 << 30) {
            Ok(0) => break,
            Ok(_) | Err(Errno::EINTR) | Err(Errno::EAGAIN) => {}
            Err(e) => return Err(fail(&[b"cannot copy ", label.to_bytes()], e)),
        }
    }
    if let Err(e) = sys::add_seals(&memfd, ALL_SEALS) {
        return Err(fail(&[b"cannot seal memfd"], e));
    }
    Ok(memfd)
}

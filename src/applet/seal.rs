//! seal PROG [ARG]...: run PROG from a sealed copy in memory, so nothing
//! that runs as PROG can reach the file it came from (CVE-2019-5736).

use crate::args::positional;
use crate::exec::{find_program, not_run, search_path, NOT_EXECUTABLE};
use crate::memfd::{exec_sealed, sealed_copy};
use crate::out::{fail, say, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::sys::{self, CStrList, O_RDONLY};

pub const USAGE: &[u8] = b"Usage: seal PROG [ARG]...\n";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let (prog, args) = match positional::<1>(args, USAGE, usize::MAX) {
        Ok(parsed) => (parsed.fixed[0], parsed.all),
        Err(status) => return status,
    };
    let mut path = PathBuf::new();
    if let Err(e) = find_program(prog, search_path(env), &mut path) {
        return not_run(prog, e);
    }
    let Some(path) = path.as_cstr() else { return EXIT_FAILURE };
    let file = match sys::open(path, O_RDONLY) {
        Ok(file) => file,
        Err(e) => return fail(b"cannot open ", prog.to_bytes(), e),
    };
    // A script's interpreter is handed /dev/fd/N of the memfd, which is
    // close-on-exec and so already gone when it tries to open it: execveat
    // would fail with a bare ENOENT (execveat(2), NOTES).
    let mut magic = [0u8; 2];
    if sys::read_full(&file, &mut magic) == Ok(2) && &magic == b"#!" {
        say(b"{}: cannot run a #! script from a sealed memfd", &[prog.to_bytes()]);
        return NOT_EXECUTABLE;
    }
    let memfd = match sealed_copy(&file, crate::basename(prog.to_bytes())) {
        Ok(memfd) => memfd,
        Err(status) => return status,
    };
    exec_sealed(&memfd, prog.to_bytes(), args, env);
    NOT_EXECUTABLE
}

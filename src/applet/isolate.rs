//! isolate CMD [ARG]...: run CMD with no network: new network and IPC
//! namespaces holding only a loopback interface, which is up.

use crate::args::positional;
use crate::exec::{exec_command, search_path};
use crate::ns::{self_maps, unshare_user};
use crate::out::fail;
use crate::sys::{self, CStrList, Errno, CLONE_NEWIPC, CLONE_NEWNET};

pub const USAGE: &[u8] = b"Usage: isolate CMD [ARG]...\n";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let args = match positional::<1>(args, USAGE, usize::MAX) {
        Ok(parsed) => parsed.all,
        Err(status) => return status,
    };
    let namespaces = CLONE_NEWNET | CLONE_NEWIPC;
    // Root needs no user namespace; anyone else (or a root without the
    // capability, EPERM) gets one that maps them onto themselves first.
    let mut unshared = if sys::getuid() == 0 { sys::unshare(namespaces) } else { Err(Errno::EPERM) };
    if unshared == Err(Errno::EPERM) {
        if let Err(status) = unshare_user(&self_maps()) {
            return status;
        }
        unshared = sys::unshare(namespaces);
    }
    if let Err(e) = unshared {
        return fail(b"cannot create network namespace", b"", e);
    }
    if let Err(e) = sys::link_up(b"lo") {
        return fail(b"cannot bring up lo", b"", e);
    }
    exec_command(args, env, search_path(env), None)
}

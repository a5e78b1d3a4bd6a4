//! pseudo CMD [ARG]...: run CMD as root of a new user namespace, in this
//! same process (a fakeroot that needs no LD_PRELOAD).

use crate::exec::{exec_command, search_path};
use crate::ns::{plan_maps, unshare_user};
use crate::out::positional;
use crate::sys::CStrList;

const NAME: &[u8] = b"pseudo";
const USAGE: &[u8] = b"Usage: pseudo CMD [ARG]...\n\
Run CMD as root of a new user namespace: the caller is root inside, and\n\
its subordinate ids from /etc/subuid and /etc/subgid are ids 1 and up.\n";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let args = match positional(args, USAGE, 1, usize::MAX) {
        Ok(args) => args,
        Err(status) => return status,
    };
    let maps = plan_maps(NAME);
    if let Err(status) = unshare_user(NAME, &maps, 0) {
        return status;
    }
    exec_command(NAME, args, env, search_path(env))
}

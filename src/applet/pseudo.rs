//! pseudo CMD [ARG]...: run CMD as root of a new user namespace, in this
//! same process (a fakeroot that needs no LD_PRELOAD).

use crate::exec::{exec_command, search_path};
use crate::ns::{plan_maps, unshare_user};
use crate::out::positional;
use crate::sys::CStrList;

pub const USAGE: &[u8] = b"Usage: pseudo CMD [ARG]...\n";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let args = match positional(args, USAGE, 1, usize::MAX) {
        Ok(args) => args,
        Err(status) => return status,
    };
    let maps = plan_maps();
    if let Err(status) = unshare_user(&maps, 0) {
        return status;
    }
    exec_command(args, env, search_path(env))
}

//! pseudo [-u MAP] [-g MAP] [CMD [ARG]...]: run CMD (default /bin/sh) as
//! root of a new user namespace, in this same process (a fakeroot that
//! needs no LD_PRELOAD).

use crate::args::{options, Args};
use crate::exec::{exec_command, search_path};
use crate::ids::IdMap;
use crate::ns::{map_option, plan_maps, unshare_user};
use crate::sys::CStrList;

pub const USAGE: &[u8] = b"Usage: pseudo [-u MAP] [-g MAP] [CMD [ARG]...]
  -u MAP  uid map INSIDE:OUTSIDE:COUNT[,...] (default: from /etc/subuid)
  -g MAP  gid map, likewise (default: from /etc/subgid)
";

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let (mut uid_map, mut gid_map) = (None::<IdMap>, None::<IdMap>);
    let rest = match options(args, USAGE, b"", b"ug", (0, usize::MAX), &mut |letter, value| {
        map_option(value, if letter == b'u' { &mut uid_map } else { &mut gid_map })
    }) {
        Args::Run(_, rest) => rest,
        Args::Exit(status) => return status,
    };
    let maps = match plan_maps(uid_map.as_ref(), gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    if let Err(status) = unshare_user(&maps) {
        return status;
    }
    exec_command(rest, env, search_path(env))
}

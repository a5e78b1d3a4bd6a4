//! pseudo [-u MAP] [-g MAP] [CMD [ARG]...]: run CMD (default /bin/sh) as
//! root of a new user namespace, in this same process (a fakeroot that
//! needs no LD_PRELOAD).

use crate::args::{index, parse, Opt};
use crate::exec::{exec_command, search_path};
use crate::ids::IdMap;
use crate::ns::{map_option, plan_maps, unshare_user};
use crate::sys::CStrList;

pub const USAGE: &[u8] = b"Usage: pseudo [-u MAP] [-g MAP] [CMD [ARG]...]
  -u  --map-users MAP   uid map INSIDE:OUTSIDE:COUNT[,...] (default: from /etc/subuid)
  -g  --map-groups MAP  gid map, likewise (default: from /etc/subgid)
";

/// The options, in the order of the usage.
const OPTIONS: [Opt; 2] = [Opt::value(b'u', b"map-users"), Opt::value(b'g', b"map-groups")];
const MAP_USERS: usize = index(&OPTIONS, b"map-users");

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let (mut uid_map, mut gid_map) = (None::<IdMap>, None::<IdMap>);
    let parsed = parse::<0>(args, USAGE, &OPTIONS, usize::MAX, &mut |option, value| {
        map_option(value, if option == MAP_USERS { &mut uid_map } else { &mut gid_map })
    });
    let rest = match parsed {
        Ok(parsed) => parsed.rest,
        Err(status) => return status,
    };
    let maps = match plan_maps(uid_map.as_ref(), gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    if let Err(status) = unshare_user(&maps) {
        return status;
    }
    exec_command(rest, env, search_path(env), None)
}

//! pivot NEW-ROOT [PUT-OLD]: pivot_root(2); with one argument, also detach
//! the old root so nothing of it stays reachable.

use crate::args::positional;
use crate::mount::{detach_old_root, pivot_failed};
use crate::out::fail;
use crate::sys::{self, CStrList};

pub const USAGE: &[u8] = b"Usage: pivot NEW-ROOT [PUT-OLD]\n";

pub fn main(args: CStrList, _env: CStrList) -> i32 {
    let (new_root, put_old) = match positional::<1>(args, USAGE, 2) {
        Ok(parsed) => (parsed.fixed[0], parsed.rest.get(0)),
        Err(status) => return status,
    };
    if let Some(put_old) = put_old {
        return match sys::pivot_root(new_root, put_old) {
            Ok(()) => 0,
            Err(e) => pivot_failed(new_root.to_bytes(), new_root, e),
        };
    }
    if let Err(e) = sys::chdir(new_root) {
        return fail(b"cannot pivot to new root ", new_root.to_bytes(), e);
    }
    match detach_old_root(new_root.to_bytes()) {
        Ok(()) => 0,
        Err(status) => status,
    }
}

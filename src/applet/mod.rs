//! One file per applet, each starting with its usage text.

pub mod contain;
pub mod inject;
pub mod isolate;
pub mod pivot;
pub mod pseudo;
pub mod seal;

use crate::out::{cannot, cannot_with, usage};
use crate::sys::{self, CStrList};

const INSTALL_USAGE: &[u8] = b"Usage: ucontain --install DIR\n";

/// `ucontain --install DIR`: one symlink per applet in DIR, pointing at
/// this binary (as `busybox --install -s`).
pub fn install(args: CStrList) -> i32 {
    let (Some(dir), 1) = (args.get(0), args.len()) else { return usage(INSTALL_USAGE) };
    let mut exe = [0u8; 4096];
    let exe = match sys::readlink(c"/proc/self/exe", &mut exe) {
        Ok(path) => path,
        Err(e) => return cannot(b"find this binary", b"", e),
    };
    if let Err(e) = sys::chdir(dir) {
        return cannot(b"enter ", dir.to_bytes(), e);
    }
    for (name, _, _) in crate::APPLETS {
        if let Err(e) = sys::symlinkat(exe, &sys::CWD, name) {
            return cannot_with(b"link {}/{}", &[dir.to_bytes(), name.to_bytes()], e);
        }
    }
    0
}

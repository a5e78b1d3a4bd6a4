//! One file per applet, each starting with its usage text.

#[cfg(feature = "contain")]
pub mod contain;
#[cfg(feature = "inject")]
pub mod inject;
#[cfg(feature = "isolate")]
pub mod isolate;
#[cfg(feature = "list")]
pub mod list;
#[cfg(feature = "oci")]
pub mod oci;
#[cfg(feature = "pivot")]
pub mod pivot;
#[cfg(feature = "pseudo")]
pub mod pseudo;
#[cfg(feature = "seal")]
pub mod seal;

use crate::out::{fail, fail_with, usage};
use crate::sys::{self, cstr_until_nul, CStrList, Fd, O_DIRECTORY, O_PATH};
use crate::text::same;
use core::ffi::CStr;

const INSTALL_USAGE: &[u8] = b"Usage: ucontain --install [-f] DIR\n  -f, --force  replace what is already there\n";

/// `ucontain --install [-f] DIR`: one symlink per applet of this build in
/// DIR, pointing at this binary (as `busybox --install -s`). A link it
/// cannot make is said and skipped; the status is 1 if any was.
pub fn install(args: CStrList) -> i32 {
    let force = args.get(0).is_some_and(|a| same(a.to_bytes(), b"-f") || same(a.to_bytes(), b"--force"));
    let args = args.skip(force as usize);
    let (Some(dir), 1) = (args.get(0), args.len()) else { return usage(INSTALL_USAGE) };
    if dir.to_bytes().starts_with(b"-") {
        return usage(INSTALL_USAGE);
    }
    let mut exe = [0u8; 4096];
    let exe = match sys::readlink(c"/proc/self/exe", &mut exe) {
        Ok(path) => path,
        Err(e) => return fail(b"cannot find this binary", b"", e),
    };
    let at = match sys::open(dir, O_PATH | O_DIRECTORY) {
        Ok(fd) => fd,
        Err(e) => return fail(b"cannot open ", dir.to_bytes(), e),
    };
    let target = link_target(exe, &at);
    let mut status = 0;
    for (name, ..) in crate::APPLETS {
        if same(name.to_bytes(), target.to_bytes()) {
            // DIR's own `seal` (say) is this binary: never unlinked for a
            // link to itself.
            continue;
        }
        let mut made = sys::symlinkat(target, &at, name);
        if force && made == Err(sys::Errno::EEXIST) {
            made = sys::unlink_at(&at, name).and_then(|()| sys::symlinkat(target, &at, name));
        }
        if let Err(e) = made {
            status = fail_with(b"cannot link {}/{}", &[dir.to_bytes(), name.to_bytes()], e);
        }
    }
    status
}

/// What the links point at: the binary's name alone when DIR holds the
/// binary under that name (then the links keep working when the directory
/// moves, as in an image built elsewhere), else its absolute path.
fn link_target<'a>(exe: &'a CStr, dir: &Fd) -> &'a CStr {
    let path = exe.to_bytes_with_nul();
    let name = path.iter().rposition(|&b| b == b'/').map_or(path, |slash| &path[slash + 1..]);
    let Some(name) = cstr_until_nul(name) else { return exe };
    // /proc/self/exe, not the path read from it: the running file itself,
    // even if the path has been replaced since.
    match (sys::stat(c"/proc/self/exe"), sys::stat_at(dir, name)) {
        (Ok(running), Ok(there)) if (running.dev, running.ino) == (there.dev, there.ino) => name,
        _ => exe,
    }
}

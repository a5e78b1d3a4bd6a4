//! Root filesystem assembly and the in-process pivot.

use crate::sys::{self, Errno, MNT_DETACH, MS_REC, MS_SLAVE};

pub const PIVOT_STEP: &[u8] = b"cannot pivot to new root";

/// With the working directory at the new root: pivot_root(".", ".") stacks
/// the old root on top of the new one (pivot_root(2), "NOTES"); making it a
/// slave stops the unmount from propagating to the host's mounts, and the
/// lazy unmount then removes the old root from this namespace for good.
/// This runs in our own process, before any program from the new root is
/// executed, so no library of the container runs while the host's root is
/// still reachable. Err names the step that failed.
pub fn detach_old_root() -> Result<(), (&'static [u8], Errno)> {
    sys::pivot_root(c".", c".").map_err(|e| (PIVOT_STEP, e))?;
    sys::mount(None, c".", None, MS_SLAVE | MS_REC, None)
        .map_err(|e| (&b"cannot disable old root mount propagation"[..], e))?;
    sys::umount2(c".", MNT_DETACH).map_err(|e| (&b"cannot detach old root"[..], e))?;
    sys::chdir(c"/").map_err(|e| (&b"cannot change directory to /"[..], e))
}

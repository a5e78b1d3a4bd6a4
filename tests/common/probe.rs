//! Small static C programs the tests build with `cc -static`: the probe
//! (`tests/probe.c`) and the ones of `tests/*.c`.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use super::{set_mode, TempDir};

/// `tests/probe.c`: requests `argv ARG...`, `seals`, `fds`, `loopback`,
/// `connect ADDR PORT`, `fail SYSCALL-NR ERRNO PROG ARG...`.
pub const PROBE_C: &str = include_str!("../probe.c");

/// `tests/segv.c`: a program that dies by a real SIGSEGV (a PID 1 ignores
/// a SIGSEGV sent to it, but not one it causes).
pub const SEGV_C: &str = include_str!("../segv.c");

/// `tests/tiocsti.c`: tries to push a byte into its terminal with TIOCSTI
/// through fds 0, 1, 2 and /dev/tty, one line per try.
pub const TIOCSTI_PROBE_C: &str = include_str!("../tiocsti.c");

/// Build the test probe (`tests/probe.c`) into `dir` and return its path.
pub fn probe(dir: &TempDir) -> PathBuf {
    cc_static(dir, "probe", PROBE_C)
}

/// Build the C source `src` with `cc -static` into `dir/name` (mode 0755).
pub fn cc_static(dir: &TempDir, name: &str, src: &str) -> PathBuf {
    let c = dir.write(&format!("{name}.c"), src, 0o644);
    let out = dir.join(name);
    let built = Command::new("cc")
        .args(["-static", "-O1", "-o"])
        .arg(&out)
        .arg(&c)
        .output()
        .unwrap_or_else(|e| panic!("harness: cannot run cc (tests need gcc and libc6-dev): {e}"));
    let _ = fs::remove_file(&c);
    assert!(
        built.status.success(),
        "harness: cc -static {name}.c failed (tests need gcc and libc6-dev):\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    set_mode(&out, 0o755);
    out
}

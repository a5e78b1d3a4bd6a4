//! The small static C programs of `tests/*.c`, built with `cc -static`
//! where a test needs them. Each file's opening comment says what it does
//! and prints; the C lives only there (`tests/tree.rs` keeps it so).
//!
//! - `probe.c`: `argv`, `seals`, `fds`, `loopback`, `connect`, `fail`
//! - `tiocsti.c`: TIOCSTI through fds 0, 1, 2 and /dev/tty, or `push WORD`
//! - `segv.c`: dies by a real SIGSEGV
//! - `catch.c`: handles one signal, else sleeps
//! - `opendev.c`: whether device nodes open (`-g`: also as gid 0 and 6)
//! - `wrap.c`: ignores signals and opens descriptors, then execs
//! - `fdprobe.c`: every open descriptor above 2, and what it reaches
//! - `netlimit.c`: runs PROG where no network namespace can be made
//! - `attack.c`: the CVE-2019-5736 overwrite of /proc/PID/exe, forever
//! - `keys.c`: the session keyring from both sides of a container
//! - `locked.c`: a hostile container root against contain's mounts
//! - `sandbox.c`: capabilities, a setuid-root copy, a fork loop, an allocation

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{set_mode, TempDir};

/// Build the test probe (`tests/probe.c`) into `dir` and return its path.
pub fn probe(dir: &TempDir) -> PathBuf {
    cc_static(dir, "probe")
}

/// Build `tests/NAME.c` with `cc -static` into `dir/NAME` (mode 0755) and
/// return its path.
pub fn cc_static(dir: &TempDir, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(format!("{name}.c"));
    assert!(src.is_file(), "harness: no C program {}", src.display());
    let out = dir.join(name);
    let built = Command::new("cc")
        .args(["-static", "-O1", "-o"])
        .arg(&out)
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("harness: cannot run cc (tests need gcc and libc6-dev): {e}"));
    assert!(
        built.status.success(),
        "harness: cc -static {} failed (tests need gcc and libc6-dev):\n{}",
        src.display(),
        String::from_utf8_lossy(&built.stderr)
    );
    set_mode(&out, 0o755);
    out
}

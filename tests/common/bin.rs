//! The binary under test, and the copy of it the tests run.
//!
//! The unprivileged test uid must be able to execute the binary, but a
//! checkout under `/root` (mode 0700) is not reachable by it. So each test
//! process copies the binary once into a world-readable directory under
//! /tmp (directory and file mode 0755), says so once on stderr, runs that
//! copy, and removes it when the process exits.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::set_mode;

/// The binary as built: `$UCONTAIN_BIN` (set by `make test`), else the musl
/// release build of this checkout.
pub fn built_bin() -> PathBuf {
    match std::env::var_os("UCONTAIN_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/x86_64-unknown-linux-musl/release/ucontain"),
    }
}

/// The binary under test: this test process's reachable copy of
/// `built_bin()` (`/tmp/ucontain-bin-PID/ucontain`).
pub fn bin() -> PathBuf {
    static COPY: OnceLock<PathBuf> = OnceLock::new();
    COPY.get_or_init(reachable_copy).clone()
}

/// `bin()` as a string, for building command lines.
pub fn bin_str() -> String {
    bin().to_str().expect("harness: the binary's path is not UTF-8").to_string()
}

extern "C" {
    fn atexit(f: extern "C" fn()) -> i32;
}

fn copy_dir() -> PathBuf {
    PathBuf::from(format!("/tmp/ucontain-bin-{}", std::process::id()))
}

extern "C" fn remove_copy() {
    let _ = fs::remove_dir_all(copy_dir());
}

/// Remove the copies of test processes that no longer run (killed before
/// their exit handler ran).
fn remove_stale_copies() {
    let Ok(entries) = fs::read_dir("/tmp") else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("ucontain-bin-")) else { continue };
        if pid.parse::<u32>().is_ok() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn reachable_copy() -> PathBuf {
    let built = built_bin();
    if !built.is_file() {
        panic!("harness: {} does not exist: build it with `make` (or set UCONTAIN_BIN)", built.display());
    }
    remove_stale_copies();
    let dir = copy_dir();
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir(&dir).unwrap_or_else(|e| panic!("harness: cannot create {}: {e}", dir.display()));
    set_mode(&dir, 0o755);
    // SAFETY: registers a function without arguments that only removes files.
    unsafe { atexit(remove_copy) };
    let copy = dir.join("ucontain");
    fs::copy(&built, &copy)
        .unwrap_or_else(|e| panic!("harness: cannot copy {} to {}: {e}", built.display(), copy.display()));
    set_mode(&copy, 0o755);
    // Straight to fd 2, past the test runner's capture: said once per test binary.
    let _ = writeln!(
        std::io::stderr(),
        "harness: testing {} (a copy of {}, reachable by every uid)",
        copy.display(),
        built.display()
    );
    copy
}

//! SPEC §7's conformance harness (issue 25): the OCI runtime-tools
//! validation suite, built from the source the tests are given (the
//! tarball in `$UCONTAIN_VENDOR`, which `.ci/run` sets to `shared/vendor`
//! beside the repository; see its README), run against `ucontain oci`
//! (through a link named `ucontain-oci`), every `validation/*/*.t` a TAP
//! test. This first part prints the totals and the failing tests and
//! requires only that the suite builds and runs: passing it whole is the
//! issue's later work. It needs Go 1.21 or newer (bookworm has 1.19: the
//! vendored packages use the standard library's `slices`). Not in `make
//! check` (slow): `make validation`.
mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A Go toolchain of version 1.21 or newer: `go` in PATH or Debian's
/// versioned ones; or why there is none.
fn go() -> Result<PathBuf, String> {
    let mut candidates = vec![PathBuf::from("go")];
    for minor in (21..=30).rev() {
        candidates.push(PathBuf::from(format!("/usr/lib/go-1.{minor}/bin/go")));
    }
    let mut found = Vec::new();
    for go in candidates {
        let Ok(out) = Command::new(&go).arg("version").output() else { continue };
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let minor = text
            .split_whitespace()
            .nth(2)
            .and_then(|v| v.strip_prefix("go1."))
            .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next().and_then(|m| m.parse::<u32>().ok()));
        if minor.is_some_and(|m| m >= 21) {
            return Ok(go);
        }
        found.push(text.trim().to_string());
    }
    Err(format!("no Go 1.21 or newer (found: {found:?}; Debian 12 has golang-1.23-go in bookworm-backports)"))
}

#[test]
fn runtime_tools_validation_suite() {
    let vendor = std::env::var("UCONTAIN_VENDOR")
        .expect("harness: UCONTAIN_VENDOR names the directory with runtime-tools-5e63903.tar.gz (.ci/run sets it)");
    let tarball = Path::new(&vendor).join("runtime-tools-5e63903.tar.gz");
    assert!(tarball.is_file(), "harness: {} does not exist", tarball.display());
    let go = go().unwrap_or_else(|why| panic!("harness: {why}"));
    let work = TempDir::new();
    let tar = Command::new("tar").arg("-C").arg(work.path()).arg("-xzf").arg(&tarball).status().unwrap();
    assert!(tar.success(), "harness: cannot unpack {}", tarball.display());
    let src = work.join("runtime-tools");
    let go_dir = go.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = format!("{}:{}", go_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut build = Command::new("make");
    build.current_dir(&src).args(["runtimetest", "validation-executables"]);
    build.env("PATH", &path).env("GOFLAGS", "-mod=vendor").env("GOPROXY", "off").env("GOTOOLCHAIN", "local");
    build.env("HOME", work.path()).env("GOCACHE", work.join("cache"));
    let built = run_command_timeout(build, Duration::from_secs(1800));
    assert_eq!(built.code(), Some(0), "harness: the suite does not build:\n{built:?}");
    let runtime = work.join("ucontain-oci");
    std::os::unix::fs::symlink(bin(), &runtime).unwrap();
    let mut tests: Vec<PathBuf> = std::fs::read_dir(src.join("validation"))
        .unwrap()
        .flat_map(|dir| std::fs::read_dir(dir.unwrap().path()).into_iter().flatten())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "t"))
        .collect();
    tests.sort();
    let (mut passed, mut failed) = (0, 0);
    let mut failing = Vec::new();
    for test in &tests {
        let mut cmd = Command::new(test);
        cmd.current_dir(&src).env("RUNTIME", &runtime);
        let r = run_command_timeout(cmd, Duration::from_secs(120));
        let ok = r.stdout.lines().filter(|l| l.starts_with("ok ")).count();
        let not_ok = r.stdout.lines().filter(|l| l.starts_with("not ok")).count();
        passed += ok;
        failed += not_ok;
        if not_ok > 0 || r.code() != Some(0) {
            failing.push(format!("{} ({ok} ok, {not_ok} not ok, status {:?})", test.display(), r.code()));
        }
    }
    eprintln!("runtime-tools validation: {} test files, {passed} ok, {failed} not ok", tests.len());
    for f in &failing {
        eprintln!("  {f}");
    }
    assert!(!tests.is_empty(), "harness: no validation/*/*.t was built");
}

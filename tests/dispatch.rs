//! Dispatch: `ucontain APPLET`, busybox-style argv[0], the applet list,
//! --help, --version, --install, and the setuid refusal (SPEC §1, §3).
mod common;

use common::*;
use std::fs;
use std::os::unix::process::CommandExt;

/// The applets whose usage lines the foundation and identity issues define.
/// The applets that need an argument, and the first line of their usage.
/// (pseudo's CMD is optional: alone it runs /bin/sh.)
const USAGES: [(&str, &str); 5] = [
    ("contain", "Usage: contain [OPTIONS] DIR [CMD [ARG]...]\n"),
    ("inject", "Usage: inject [-c] [-e NAME=VALUE]... PID|NAME [CMD [ARG]...]\n"),
    ("isolate", "Usage: isolate CMD [ARG]...\n"),
    ("pivot", "Usage: pivot NEW-ROOT [PUT-OLD]\n"),
    ("seal", "Usage: seal PROG [ARG]...\n"),
];

#[track_caller]
fn assert_lists_applets(text: &str) {
    for applet in APPLETS {
        assert!(text.split_whitespace().any(|w| w == applet), "applet list does not name {applet}:\n{text}");
    }
}

#[test]
fn no_arguments_lists_applets_on_stderr_and_exits_64() {
    let r = run(&[]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    assert_lists_applets(&r.stderr);
}

#[test]
fn help_lists_applets_on_stdout() {
    let r = run(&["--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    assert_lists_applets(&r.stdout);
    // Each applet: its synopsis, then its one line of SPEC §1.
    for (synopsis, about) in [
        ("  pivot NEW-ROOT [PUT-OLD]", "      pivot_root; with one argument, also detach the old root"),
        ("  seal PROG [ARG]...", "      copy PROG into a sealed memfd and execute it from there"),
    ] {
        let lines = r.lines();
        let at = lines.iter().position(|&l| l == synopsis).unwrap_or_else(|| panic!("no {synopsis:?}: {r:?}"));
        assert_eq!(lines.get(at + 1), Some(&about), "{r:?}");
    }
    let listed = r.lines().iter().filter(|l| l.starts_with("  ") && !l.starts_with("   ")).count();
    assert_eq!(listed, APPLETS.len(), "{r:?}");
}

#[test]
fn version() {
    let r = run(&["--version"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "ucontain 0.1.0\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn unknown_applet_is_a_usage_error() {
    let r = run(&["nosuch"]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    let lines = r.err_lines();
    assert_eq!(lines[..2], ["ucontain: nosuch: unknown applet", "Usage: ucontain APPLET [ARG]..."], "{r:?}");
}

#[test]
fn applet_as_first_argument() {
    for (applet, usage) in USAGES {
        let r = run(&[applet]);
        assert_eq!(r.code(), Some(64), "ucontain {applet}: {r:?}");
        assert!(r.stderr.starts_with(usage), "ucontain {applet}: {r:?}");
        assert_eq!(r.stdout, "", "ucontain {applet}: {r:?}");
    }
    let r = run(&["seal", "/bin/busybox", "printf", "sealed %s", "run"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "sealed run");
}

#[test]
fn every_applet_accepts_help() {
    for (applet, usage) in USAGES.into_iter().chain([("pseudo", "Usage: pseudo [-u MAP] [-g MAP] [CMD [ARG]...]\n")]) {
        let r = run(&[applet, "--help"]);
        assert_eq!(r.code(), Some(0), "ucontain {applet} --help: {r:?}");
        assert!(r.stdout.starts_with(usage), "ucontain {applet} --help: {r:?}");
        assert_eq!(r.stderr, "", "ucontain {applet} --help: {r:?}");
    }
}

#[test]
fn dispatch_by_symlink_name() {
    let dir = TempDir::new();
    let seal = link(&dir, "seal");
    let mut cmd = std::process::Command::new(&seal);
    cmd.args(["/bin/busybox", "printf", "via %s", "link"]);
    let r = run_command(cmd);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "via link");

    let pivot = link(&dir, "pivot");
    let r = run_command(std::process::Command::new(&pivot));
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert!(r.stderr.starts_with("Usage: pivot NEW-ROOT [PUT-OLD]"), "{r:?}");
}

#[test]
fn dispatch_by_argv0_basename() {
    for (applet, usage) in USAGES {
        let argv0 = format!("/some/dir/{applet}");
        let r = run_argv0(&argv0, &[]);
        assert_eq!(r.code(), Some(64), "argv0 {argv0}: {r:?}");
        assert!(r.stderr.starts_with(usage), "argv0 {argv0}: {r:?}");
        let r = run_argv0(applet, &["--help"]);
        assert_eq!(r.code(), Some(0), "argv0 {applet} --help: {r:?}");
        assert!(r.stdout.starts_with(usage), "argv0 {applet} --help: {r:?}");
    }
}

#[test]
fn argv0_basename_wins_over_first_argument() {
    // Called as `pivot`, the argument `seal` is pivot's NEW-ROOT, not an
    // applet name; in an empty directory chdir to it fails, before any
    // mount is touched.
    let dir = TempDir::new();
    let mut cmd = std::process::Command::new(bin_str());
    cmd.arg0("/x/pivot").arg("seal").current_dir(dir.path());
    let r = run_command(cmd);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, "pivot: cannot pivot to new root seal: No such file or directory\n");
}

#[test]
fn unknown_link_name_behaves_like_ucontain() {
    let dir = TempDir::new();
    let other = link(&dir, "frobnicate");
    let r = run_command(std::process::Command::new(&other));
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert_lists_applets(&r.stderr);

    let mut cmd = std::process::Command::new(&other);
    cmd.arg("--version");
    let r = run_command(cmd);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "ucontain 0.1.0\n");

    let mut cmd = std::process::Command::new(&other);
    cmd.args(["seal", "/bin/busybox", "true"]);
    let r = run_command(cmd);
    assert_eq!(r.code(), Some(0), "{r:?}");
}

#[test]
fn install_makes_one_symlink_per_applet() {
    // Into a directory that is not the binary's: absolute links.
    let dir = TempDir::new();
    let r = run(&["--install", dir.str()]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""), "{r:?}");
    for applet in APPLETS {
        let path = dir.join(applet);
        let target = fs::read_link(&path).unwrap_or_else(|e| panic!("--install made no link {}: {e}", path.display()));
        assert_eq!(target, bin(), "{} does not point at the binary's absolute path", path.display());
    }
    let r = run_command(std::process::Command::new(dir.join("seal")));
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert!(r.stderr.starts_with("Usage: seal PROG [ARG]..."), "{r:?}");
}

/// A copy of the binary as DIR/ucontain: --install DIR then makes links
/// relative to it.
fn binary_in(dir: &TempDir) -> String {
    let copy = dir.join_str("ucontain");
    fs::copy(bin(), &copy).unwrap();
    set_mode(std::path::Path::new(&copy), 0o755);
    copy
}

#[test]
fn install_into_the_binarys_own_directory_makes_relative_links() {
    let dir = TempDir::new();
    let copy = binary_in(&dir);
    // The same directory spelled another way is still the binary's own.
    let spelled = format!("{}/.", dir.str());
    let r = run_command({
        let mut cmd = std::process::Command::new(&copy);
        cmd.args(["--install", &spelled]);
        cmd
    });
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    for applet in APPLETS {
        let target = fs::read_link(dir.join(applet)).unwrap();
        assert_eq!(target.to_str(), Some("ucontain"), "link {applet}");
    }
    // Moved elsewhere, the directory's links still work.
    let moved = TempDir::new();
    let moved_dir = moved.join("bin");
    fs::rename(dir.path(), &moved_dir).unwrap();
    fs::create_dir(dir.path()).unwrap(); // for TempDir's drop
    let mut cmd = std::process::Command::new(moved_dir.join("seal"));
    cmd.args(["/bin/busybox", "printf", "moved"]);
    let r = run_command(cmd);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "moved", "{r:?}");
}

#[test]
fn install_goes_on_past_links_it_cannot_make() {
    let dir = TempDir::new();
    dir.write("inject", "a file\n", 0o644);
    fs::create_dir(dir.join("pivot")).unwrap();
    let r = run(&["--install", dir.str()]);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    let d = dir.str();
    assert_eq!(
        r.stderr,
        format!("ucontain: cannot link {d}/inject: File exists\nucontain: cannot link {d}/pivot: File exists\n"),
        "{r:?}"
    );
    assert_eq!(fs::read_to_string(dir.join("inject")).unwrap(), "a file\n", "replaced without -f");
    for applet in APPLETS.into_iter().filter(|&a| a != "inject" && a != "pivot") {
        assert_eq!(fs::read_link(dir.join(applet)).unwrap(), bin(), "link {applet} after the failures");
    }

    // -f replaces files and links; a directory is not removed.
    fs::remove_file(dir.join("seal")).unwrap();
    std::os::unix::fs::symlink("/nonexistent", dir.join("seal")).unwrap();
    for force in ["-f", "--force"] {
        let r = run(&["--install", force, dir.str()]);
        assert_eq!(r.code(), Some(1), "{force}: {r:?}");
        assert_eq!(r.stderr, format!("ucontain: cannot link {d}/pivot: Is a directory\n"), "{force}: {r:?}");
        for applet in APPLETS.into_iter().filter(|&a| a != "pivot") {
            assert_eq!(fs::read_link(dir.join(applet)).unwrap(), bin(), "{force}: link {applet}");
        }
        assert!(dir.join("pivot").is_dir());
    }
}

#[test]
fn install_usage_errors() {
    let dir = TempDir::new();
    for args in
        [&["--install"][..], &["--install", "-f"], &["--install", "-x", dir.str()], &["--install", dir.str(), "x"]]
    {
        let r = run(args);
        assert_eq!(r.code(), Some(64), "{args:?}: {r:?}");
        assert!(r.stderr.starts_with("Usage: ucontain --install [-f] DIR\n"), "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}: {r:?}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "a usage error made links");
    let r = run(&["--install", &dir.join_str("missing")]);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, format!("ucontain: cannot open {}: No such file or directory\n", dir.join_str("missing")));
}

/// A copy of the binary owned by root with `mode`, run by the unprivileged
/// user: the kernel sets AT_SECURE for setuid and setgid executables.
fn run_copy_with_mode(mode: u32) -> Run {
    let dir = TempDir::new();
    let copy = dir.join("ucontain");
    fs::copy(bin(), &copy).unwrap();
    chown(&copy, 0, 0);
    set_mode(&copy, mode);
    User::default().run(&[copy.to_str().unwrap(), "--version"])
}

#[test]
fn unprivileged_copy_without_setuid_runs() {
    // The control for the two refusals below: same copy, same user.
    let r = run_copy_with_mode(0o755);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "ucontain 0.1.0\n");
}

#[track_caller]
fn assert_refused(r: &Run) {
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    assert_eq!(r.err_lines().len(), 1, "{r:?}");
    assert!(r.stderr.ends_with(": refusing to run setuid or setgid\n"), "{r:?}");
}

#[test]
fn refuses_to_run_setuid() {
    assert_refused(&run_copy_with_mode(0o4755));
}

#[test]
fn refuses_to_run_setgid() {
    assert_refused(&run_copy_with_mode(0o2755));
}

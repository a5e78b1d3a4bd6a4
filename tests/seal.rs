//! seal PROG [ARG]... (SPEC §3 PATH rules, §5): PROG runs from a sealed
//! memfd with its arguments, environment and exit status.
mod common;

use common::*;
use std::process::Command;

fn seal_in(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin_str());
    cmd.arg("seal").args(args).current_dir(dir.path()).env_clear().envs(env.iter().copied());
    run_command(cmd)
}

#[test]
fn runs_from_a_memfd() {
    let r = run(&["seal", "/bin/busybox", "readlink", "/proc/self/exe"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.starts_with("/memfd:"), "{r:?}");
    assert!(r.stdout.ends_with(" (deleted)\n"), "{r:?}");
    assert_eq!(r.stderr, "");
}

#[test]
fn all_four_seals_and_no_writing() {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    // Control: the probe run directly is no memfd and has no seals.
    let direct = run_command({
        let mut c = Command::new(probe);
        c.arg("seals");
        c
    });
    assert!(direct.stdout.starts_with("seals=-1\n"), "{direct:?}");

    let r = run(&["seal", probe, "seals"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let lines = r.lines();
    // F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE
    assert_eq!(lines[0], "seals=15", "{r:?}");
    assert!(lines[1].starts_with("write=failed"), "{r:?}");
    assert_eq!(lines[2], "truncate=failed", "{r:?}");
}

#[test]
fn passes_arguments_and_keeps_argv0() {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    let r = run(&["seal", probe, "argv", "one", "two words", ""]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, format!("argv[0]={probe}\nargv[1]=argv\nargv[2]=one\nargv[3]=two words\nargv[4]=\n"));
}

#[test]
fn passes_the_environment() {
    let r = run_env(&["seal", "/bin/busybox", "env"], &[("SEAL_TEST", "x y=z")], true);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "SEAL_TEST=x y=z\n");

    let r = run_env(&["seal", "/bin/busybox", "env"], &[], true);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "");
}

#[test]
fn exit_status_is_the_programs() {
    let r = run(&["seal", "/bin/busybox", "sh", "-c", "exit 42"]);
    assert_eq!(r.code(), Some(42), "{r:?}");
    let r = run(&["seal", "/bin/busybox", "sh", "-c", "kill -TERM $$"]);
    assert_eq!(r.signal(), Some(15), "{r:?}");
}

#[test]
fn opens_no_descriptor_for_the_program() {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    let direct = run_command({
        let mut c = Command::new(probe);
        c.arg("fds");
        c
    });
    assert!(direct.stdout.starts_with("0\n1\n2\n"), "{direct:?}");
    let r = run(&["seal", probe, "fds"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, direct.stdout, "seal leaked a descriptor");
}

#[test]
fn searches_path_from_the_environment() {
    let dir = TempDir::new();
    dir.mkdir("bin", 0o755);
    std::fs::copy(probe(&dir), dir.join("bin/sealprobe")).unwrap();
    let path = dir.join_str("bin");
    let r = seal_in(&dir, &["sealprobe", "argv", "x"], &[("PATH", &path)]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "argv[0]=sealprobe\nargv[1]=argv\nargv[2]=x\n");

    // Later PATH entries are searched too; the first executable match wins.
    let r = seal_in(&dir, &["sealprobe", "argv"], &[("PATH", &format!("/nonexistent:{path}:/bin"))]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "argv[0]=sealprobe\nargv[1]=argv\n");
}

#[test]
fn default_path_when_path_is_unset() {
    let dir = TempDir::new();
    // busybox is in /bin (and /usr/bin), both in the default PATH.
    let r = seal_in(&dir, &["busybox", "printf", "found"], &[]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "found");
    // With a PATH that lacks it, the default is not used.
    let empty = dir.mkdir("empty", 0o755);
    let r = seal_in(&dir, &["busybox", "true"], &[("PATH", empty.to_str().unwrap())]);
    assert_eq!(r.code(), Some(127), "{r:?}");
    assert_eq!(r.stderr, "seal: busybox: No such file or directory\n");
}

#[test]
fn relative_prog_with_a_slash_is_used_as_is() {
    let dir = TempDir::new();
    dir.mkdir("sub", 0o755);
    std::fs::copy(probe(&dir), dir.join("sub/prog")).unwrap();
    // Not searched in PATH, and relative to the working directory.
    let r = seal_in(&dir, &["sub/prog", "argv"], &[("PATH", "/nonexistent")]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "argv[0]=sub/prog\nargv[1]=argv\n");
    let r = seal_in(&dir, &["./sub/prog", "argv"], &[]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "argv[0]=./sub/prog\nargv[1]=argv\n");
}

#[test]
fn not_found_is_127() {
    let dir = TempDir::new();
    let r = seal_in(&dir, &["ucontain-no-such-program"], &[("PATH", "/bin:/usr/bin")]);
    assert_eq!(r.code(), Some(127), "{r:?}");
    assert_eq!(r.stderr, "seal: ucontain-no-such-program: No such file or directory\n");
    assert_eq!(r.stdout, "");

    let missing = dir.join_str("missing");
    let r = seal_in(&dir, &[&missing], &[]);
    assert_eq!(r.code(), Some(127), "{r:?}");
    assert_eq!(r.stderr, format!("seal: {missing}: No such file or directory\n"));

    let r = seal_in(&dir, &["sub/missing"], &[]);
    assert_eq!(r.code(), Some(127), "{r:?}");
    assert_eq!(r.stderr, "seal: sub/missing: No such file or directory\n");
}

#[test]
fn not_executable_is_126() {
    let dir = TempDir::new();
    let file = dir.write("bin/noexec", "\x7fELF not really", 0o644);
    let file = file.to_str().unwrap();
    let r = seal_in(&dir, &[file], &[]);
    assert_eq!(r.code(), Some(126), "{r:?}");
    assert_eq!(r.stderr, format!("seal: {file}: Permission denied\n"));

    let r = seal_in(&dir, &["noexec"], &[("PATH", &dir.join_str("bin"))]);
    assert_eq!(r.code(), Some(126), "{r:?}");
    assert_eq!(r.stderr, "seal: noexec: Permission denied\n");
}

#[test]
fn path_search_skips_a_non_executable_match() {
    let dir = TempDir::new();
    dir.write("a/prog", "not executable", 0o644);
    dir.mkdir("b", 0o755);
    std::fs::copy(probe(&dir), dir.join("b/prog")).unwrap();
    let path = format!("{}:{}", dir.join_str("a"), dir.join_str("b"));
    let r = seal_in(&dir, &["prog", "argv"], &[("PATH", &path)]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "argv[0]=prog\nargv[1]=argv\n");
}

#[test]
fn directory_is_not_a_program() {
    // SPEC §3: found but not executable is 126; the kernel's word for
    // executing a directory is EACCES (execve(2)), as busybox sh says.
    let dir = TempDir::new();
    let sub = dir.mkdir("sub", 0o755);
    let sub = sub.to_str().unwrap();
    let r = seal_in(&dir, &[sub], &[]);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(126), ""), "{r:?}");
    assert_eq!(r.stderr, format!("seal: {sub}: Permission denied\n"));
    // Found by a PATH search, the same (as execvp(3) reports it).
    let path = dir.path().to_str().unwrap();
    let r = seal_in(&dir, &["sub"], &[("PATH", path)]);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(126), ""), "{r:?}");
    assert_eq!(r.stderr, "seal: sub: Permission denied\n");
}

#[test]
fn script_is_refused_with_a_clear_message() {
    let dir = TempDir::new();
    let script = dir.write("script", "#!/bin/sh\necho ran\n", 0o755);
    let script = script.to_str().unwrap();
    let r = seal_in(&dir, &[script], &[]);
    assert_eq!(r.code(), Some(126), "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    assert_eq!(r.stderr, format!("seal: {script}: cannot run a #! script from a sealed memfd\n"));
}

#[test]
fn memfd_noexec_2_is_named() {
    // vm.memfd_noexec is per PID namespace: set it only in a new one.
    let host = std::fs::read_to_string("/proc/sys/vm/memfd_noexec").unwrap();
    let script = format!("echo 2 > /proc/sys/vm/memfd_noexec && exec {} seal /bin/busybox true", sh_quote(&bin_str()));
    let r = run_command({
        let mut c = Command::new("unshare");
        c.args(["--pid", "--fork", "--mount-proc", "--", "sh", "-c", &script]);
        c
    });
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, "seal: cannot create an executable memfd: Permission denied (vm.memfd_noexec=2 forbids it)\n");
    assert_eq!(std::fs::read_to_string("/proc/sys/vm/memfd_noexec").unwrap(), host);
}

#[test]
fn runs_for_an_unprivileged_user() {
    let r = User::default().run(&[&bin_str(), "seal", "/bin/busybox", "id", "-u"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, format!("{UID}\n"));
}

#[test]
fn usage() {
    let r = run(&["seal"]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert!(r.stderr.starts_with("Usage: seal PROG [ARG]..."), "{r:?}");
    assert_eq!(r.stdout, "");
    let r = run(&["seal", "--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.starts_with("Usage: seal PROG [ARG]..."), "{r:?}");
    assert_eq!(r.stderr, "");
}

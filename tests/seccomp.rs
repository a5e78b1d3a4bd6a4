//! SPEC §5.5, the built-in system call filter, in the kernel: the program
//! build.rs compiled (the one the binary carries) installed by
//! `tests/seccomp_probe.c --filter` under no_new_privs; then contain's
//! init and inject's command under it (root and unprivileged), `--seccomp
//! none`, and `--seccomp FILE` with an OCI profile.
mod common;

use common::*;

/// `struct sock_filter`, as src/seccomp/bpf.rs has it.
struct SockFilter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// The program of `seccomp::BUILTIN`, from build.rs's output.
const BUILTIN: &[SockFilter] = include!(concat!(env!("OUT_DIR"), "/seccomp_builtin.rs"));

const CALLS: [&str; 9] = [
    "keyctl",
    "add_key",
    "bpf",
    "perf_event_open",
    "io_uring_setup",
    "userfaultfd",
    "open_by_handle_at",
    "kexec_load",
    "init_module",
];

/// The probe and the built-in program as a file, in a directory every
/// test user reaches.
fn probe_and_filter() -> (TempDir, String, String) {
    let dir = TempDir::new();
    let probe = cc_static(&dir, "seccomp_probe").to_str().unwrap().to_string();
    let bytes: Vec<u8> =
        BUILTIN.iter().flat_map(|i| [&i.code.to_le_bytes()[..], &[i.jt, i.jf], &i.k.to_le_bytes()].concat()).collect();
    let filter = dir.join_str("builtin.bpf");
    std::fs::write(&filter, bytes).unwrap();
    (dir, probe, filter)
}

/// Control: without the filter, root's calls fail otherwise (the probe's
/// arguments are null pointers and undefined flags) and every personality
/// is taken. kexec_load is left out: a locked-down kernel refuses it to
/// root with EPERM.
#[test]
fn control_without_the_filter_nothing_is_eperm_for_root() {
    let (_dir, probe, _) = probe_and_filter();
    let r = Caller::Root.run(&[&probe]);
    assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{r:?}");
    for line in r.lines() {
        if !line.contains("kexec_load") {
            assert!(!line.ends_with(" EPERM"), "{line}: {r:?}");
        }
    }
    assert!(
        r.stdout
            .ends_with("personality(PER_LINUX32) ok\npersonality(READ_IMPLIES_EXEC) ok\npersonality(PER_LINUX) ok\n"),
        "{r:?}"
    );
}

#[test]
fn the_builtin_filter_refuses_its_calls_on_both_abis() {
    let (_dir, probe, filter) = probe_and_filter();
    let mut expected: String = CALLS.iter().map(|c| format!("{c} EPERM\n")).collect();
    if cfg!(target_arch = "x86_64") {
        expected += &CALLS.iter().map(|c| format!("x86:{c} EPERM\n")).collect::<String>();
    }
    expected += "personality(PER_LINUX32) ok\npersonality(READ_IMPLIES_EXEC) EPERM\npersonality(PER_LINUX) ok\n";
    for caller in Caller::BOTH {
        let r = caller.run(&[&probe, "--filter", &filter]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), expected.as_str(), ""),
            "{caller:?}: {r:?}"
        );
    }
}

/// The probe's lines under the built-in filter.
fn refused() -> String {
    let mut expected: String = CALLS.iter().map(|c| format!("{c} EPERM\n")).collect();
    if cfg!(target_arch = "x86_64") {
        expected += &CALLS.iter().map(|c| format!("x86:{c} EPERM\n")).collect::<String>();
    }
    expected + "personality(PER_LINUX32) ok\npersonality(READ_IMPLIES_EXEC) EPERM\npersonality(PER_LINUX) ok\n"
}

/// A busybox root with the probe at /seccomp_probe.
fn root_with_probe() -> TempDir {
    let root = rootfs();
    cc_static(&root, "seccomp_probe");
    root
}

fn contain(caller: Caller, options: &[&str], root: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), "contain", "-c"];
    argv.extend_from_slice(options);
    argv.push(root.str());
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// `Seccomp` and `Seccomp_filters` of /proc/self/status, as `grep` prints them.
const FILTERED: &str = "Seccomp:\t2\nSeccomp_filters:\t1\n";
const UNFILTERED: &str = "Seccomp:\t0\nSeccomp_filters:\t0\n";

#[test]
fn contains_init_runs_under_the_builtin_filter_and_seccomp_none_removes_it() {
    let root = root_with_probe();
    for caller in Caller::BOTH {
        let r = contain(caller, &[], &root, &["/seccomp_probe"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), refused().as_str(), ""),
            "{caller:?}: {r:?}"
        );
        let r = contain(caller, &[], &root, &["grep", "^Seccomp", "/proc/self/status"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), FILTERED), "{caller:?}: {r:?}");
        let r = contain(caller, &["--seccomp", "none"], &root, &["grep", "^Seccomp", "/proc/self/status"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), UNFILTERED), "{caller:?}: {r:?}");
        let r = contain(caller, &["--seccomp", "none"], &root, &["/seccomp_probe", "native"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert!(!r.stdout.contains("keyctl EPERM"), "{caller:?}: keyctl refused without a filter: {r:?}");
        // With --no-new-privs and every capability dropped, too.
        let r = contain(caller, &["--no-new-privs", "--cap-drop", "all"], &root, &["/seccomp_probe", "native"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert!(r.stdout.starts_with("keyctl EPERM\nadd_key EPERM\n"), "{caller:?}: {r:?}");
    }
}

/// SPEC §5.6: inject's command gets the container's own filter from its
/// record (never rebuilt from options): the same filter count, the same
/// refusals; none for a `--seccomp none` container. Root injecting into
/// a user's container finds that user's record.
#[test]
fn inject_gives_its_command_the_containers_filter() {
    let root = root_with_probe();
    let bin = bin_str();
    for pair in OWN.iter().chain([&ROOT_INTO_USERS]) {
        let user = match pair.owner {
            Caller::Root => None,
            Caller::Unprivileged => Some(User::default()),
        };
        for (options, status, probe_starts) in
            [(&["-c"][..], FILTERED, "keyctl EPERM\n"), (&["-c", "--seccomp", "none"][..], UNFILTERED, "keyctl E")]
        {
            let mut args = options.to_vec();
            args.extend([root.str(), "sleep", "1000"]);
            let c = Container::start_full(&[], &bin, &args, user.as_ref());
            let r = inject(pair.injector, c.init, &["grep", "^Seccomp", "/proc/self/status"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), status, ""),
                "{pair:?} {options:?}: {r:?}"
            );
            let r = inject(pair.injector, c.init, &["/seccomp_probe", "native"]);
            assert_eq!(r.code(), Some(0), "{pair:?} {options:?}: {r:?}");
            assert!(r.stdout.starts_with(probe_starts), "{pair:?} {options:?}: {r:?}");
            if probe_starts.ends_with("E") {
                assert!(!r.stdout.starts_with("keyctl EPERM"), "{pair:?} {options:?}: {r:?}");
            }
            drop(c);
        }
    }
}

/// `--seccomp FILE`: an OCI profile (the format of the runtime spec and of
/// Docker's and podman's profiles), compiled at run time; its errors name
/// the file and what is wrong.
#[test]
fn seccomp_file_takes_an_oci_profile() {
    let root = root_with_probe();
    let dir = TempDir::new();
    let profile = dir.join_str("mkdir.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#,
    )
    .unwrap();
    let bad = dir.join_str("bad.json");
    std::fs::write(
        &bad,
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}"#,
    )
    .unwrap();
    for caller in Caller::BOTH {
        let r = contain(
            caller,
            &["--seccomp", &profile],
            &root,
            &["sh", "-c", "mkdir /tmp/x; echo $?; grep ^Seccomp_filters /proc/self/status"],
        );
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "1\nSeccomp_filters:\t1\n"), "{caller:?}: {r:?}");
        assert!(r.stderr.ends_with("Permission denied\n"), "{caller:?}: {r:?}");
        // keyctl is let through by this profile: it replaces the built-in one.
        let r = contain(caller, &["--seccomp", &profile], &root, &["/seccomp_probe", "native"]);
        assert!(!r.stdout.starts_with("keyctl EPERM"), "{caller:?}: {r:?}");
        let r = contain(caller, &["--seccomp", &bad], &root, &["true"]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert!(
            r.stderr.starts_with(&format!("contain: {bad}: ")) && r.stderr.contains("SCMP_ACT_FOO"),
            "{caller:?}: {r:?}"
        );
        let r = contain(caller, &["--seccomp", "/nonexistent.json"], &root, &["true"]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(1), "contain: cannot read /nonexistent.json: No such file or directory\n"),
            "{caller:?}: {r:?}"
        );
    }
}

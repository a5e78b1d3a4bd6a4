//! SPEC §5.5, the built-in system call filter, in the kernel: the program
//! build.rs compiled (the one the binary carries) installed by
//! `tests/seccomp_probe.c --filter` under no_new_privs. The test of
//! contain's and inject's processes under it belongs with their wiring.
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

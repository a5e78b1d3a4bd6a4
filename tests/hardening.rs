//! Issue 10 "Done when" (SPEC v2 §3, §4, §5.5, §5.6): a hostile container
//! root tries every way out that the issue lists, and each fails; the
//! signal, status, path and message edges hold exactly. As root and as the
//! unprivileged test user (uid 4000, subuid/subgid 200000:65536) wherever
//! both apply.
mod common;

use common::*;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

// ---- harness additions local to this file ----

/// The root default map of SPEC §4 v2 at top level: TOP = 4294967294,
/// N = min(65535, TOP-1) = 65535, TOP-N = 4294901759.
const ROOT_DEFAULT_V2: [&str; 2] = ["0 4294967294 1", "1 4294901759 65535"];

/// Host uid of container uid 1000 under that map: 4294901759 + 999.
const HOST_ID_OF_1000: u32 = 4_294_902_758;

/// `[bin, "contain", dir, cmd...]`.
fn contain_argv<'a>(bin: &'a str, dir: &'a str, cmd: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec![bin, "contain", dir];
    argv.extend_from_slice(cmd);
    argv
}

/// Start `PREFIX... BIN contain DIR CMD...` in the background as root or
/// `user` and wait for the init.
#[track_caller]
fn start_via(prefix: &[&str], dir: &str, cmd: &[&str], user: Option<&User>) -> Container {
    let mut args = vec![dir];
    args.extend_from_slice(cmd);
    Container::start_full(prefix, &bin_str(), &args, user)
}

fn user_for(caller: Caller) -> Option<User> {
    (caller == Caller::Unprivileged).then(User::default)
}

/// The per-mount options (field 6) of mount point `mp` in a mountinfo text.
fn mount_options(mountinfo: &str, mp: &str) -> BTreeSet<String> {
    let line = mountinfo
        .lines()
        .find(|l| l.split_whitespace().nth(4) == Some(mp))
        .unwrap_or_else(|| panic!("no mount at {mp}:\n{mountinfo}"));
    line.split_whitespace().nth(5).unwrap().split(',').map(str::to_string).collect()
}

/// `python3 -c PTY_PY CMD ARG...`: run CMD as the leader of a new session
/// whose controlling terminal is a new pseudo-terminal (stdin, stdout,
/// stderr); copy its output to stdout; never write to it (so nothing but
/// TIOCSTI puts input there); exit with CMD's status.
const PTY_PY: &str = r#"
import os, sys
pid, fd = os.forkpty()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    os.write(1, b)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st) & 0xff)
"#;

/// A scratch directory with the helper programs, reachable by uid 4000.
struct Tools {
    dir: TempDir,
}

impl Tools {
    fn new() -> Tools {
        Tools { dir: TempDir::new() }
    }
    fn build(&self, name: &str) -> String {
        cc_static(&self.dir, name).to_str().unwrap().to_string()
    }
}

// ---- inject hands nothing of the host to CMD ----

#[test]
fn inject_cmd_gets_only_fds_0_1_2_though_the_caller_holds_3_5_9_and_250() {
    let tools = Tools::new();
    let wrap = tools.build("wrap");
    for pair in OWN {
        let (root, c) = {
            let root = rootfs();
            let c = Container::start(pair.owner, root.str(), &["sleep", "100"]);
            (root, c)
        };
        probe(&root);
        cc_static(&root, "fdprobe");
        let host = TempDir::new();
        set_mode(host.path(), 0o777);
        let file = host.write("secret", "host\n", 0o666);
        let before = fs::read_dir(host.path()).unwrap().count();
        let specs = [
            format!("3:d:{}", host.str()),
            format!("5:r:{}", file.display()),
            format!("9:w:{}", file.display()),
            "250:d:/".to_string(),
        ];
        let mut prefix = vec![wrap.as_str()];
        for s in &specs {
            prefix.extend(["-o", s.as_str()]);
        }
        prefix.push("--");
        // Control: the wrapper really hands them on to a program it runs.
        let mut direct: Vec<&str> = prefix.clone();
        let fdprobe_host = root.join_str("fdprobe");
        direct.push(&fdprobe_host);
        let r = match pair.injector {
            Caller::Root => run_command({
                let mut c = Command::new(direct[0]);
                c.args(&direct[1..]);
                c
            }),
            Caller::Unprivileged => User::default().run(&direct),
        };
        r.success();
        for fd in ["3", "5", "9", "250"] {
            assert!(r.stdout.contains(&format!("open {fd} -> ")), "{pair:?}: control: fd {fd} not passed: {r:?}");
        }
        fs::write(&file, "host\n").unwrap();
        let _ = fs::remove_file(host.join("escaped"));

        let r = inject_via(pair.injector, &prefix, c.init, &["/probe", "fds"]);
        assert_eq!(r.code(), Some(0), "{pair:?}: {r:?}");
        assert_eq!(r.stdout, "0\n1\n2\n", "{pair:?}: CMD got a descriptor of the caller: {r:?}");
        let r = inject_via(pair.injector, &prefix, c.init, &["/fdprobe"]);
        assert_eq!(r.code(), Some(0), "{pair:?}: {r:?}");
        assert_eq!(r.stdout, "fds: 0 1 2\n", "{pair:?}: {r:?}");
        assert_eq!(r.stderr, "", "{pair:?}: {r:?}");
        // And through the shell: no /proc/self/fd link, no write lands.
        let script = "for f in 3 5 9 250; do readlink /proc/self/fd/$f && echo LINK $f; \
                      (echo pwned >&$f) 2>/dev/null && echo WROTE $f; done; echo end";
        let r = inject_via(pair.injector, &prefix, c.init, &["sh", "-c", script]);
        assert_eq!(r.code(), Some(0), "{pair:?}: {r:?}");
        assert_eq!(r.stdout, "end\n", "{pair:?}: {r:?}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "host\n", "{pair:?}: a write reached the host file");
        assert_eq!(
            fs::read_dir(host.path()).unwrap().count(),
            before,
            "{pair:?}: a file appeared in the host directory"
        );
    }
}

#[test]
fn inject_cmd_runs_in_a_new_session_and_cannot_push_input_into_the_callers_terminal() {
    let legacy = fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").map(|s| s.trim() == "1").unwrap_or(true);
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let root = rootfs();
        let c = Container::start(pair.owner, root.str(), &["sleep", "100"]);
        let tiocsti = cc_static(&root, "tiocsti");
        let bin = bin_str();
        // The caller (a shell on a terminal `script` drives) runs X, then
        // pushes END itself and reads one line: PWNED if X pushed it first.
        // (Where legacy TIOCSTI is off, even the caller cannot push: then
        // only the session is checked.)
        let caller_script = |x: &str| {
            if legacy {
                format!(
                    "{x}; {} push END >/dev/null; read line; echo \"got=[$line]\"",
                    sh_quote(tiocsti.to_str().unwrap())
                )
            } else {
                format!("{x}; echo got=[END]")
            }
        };
        let on_terminal = |x: &str| {
            let script = caller_script(x);
            pair.injector.run(&["/usr/bin/python3", "-c", PTY_PY, "/bin/busybox", "sh", "-c", &script])
        };
        if legacy {
            // Control: a program of the caller's own session can push input.
            let r = on_terminal(&format!("{} push PWNED", sh_quote(tiocsti.to_str().unwrap())));
            assert!(r.stdout.contains("got=[PWNED]"), "{pair:?}: control: {r:?}");
        }
        let x = format!("{} inject {} /tiocsti push PWNED", sh_quote(&bin), c.init);
        let r = on_terminal(&x);
        assert!(
            r.stdout.contains("got=[END]"),
            "{pair:?}: the container pushed input into the caller's terminal: {r:?}"
        );
        assert!(!r.stdout.contains("got=[PWNED]"), "{pair:?}: {r:?}");
        // CMD leads a session of its own: its sid is its pid (in the
        // container's pid namespace; the caller's session is not even visible there).
        let line = r.stdout.lines().find(|l| l.starts_with("pid=")).unwrap_or_else(|| panic!("{pair:?}: {r:?}"));
        let (pid, sid) = line.trim().strip_prefix("pid=").unwrap().split_once(" sid=").unwrap();
        assert_eq!(pid, sid, "{pair:?}: CMD is not in a new session: {r:?}");
        assert_ne!(sid, "0", "{pair:?}: {r:?}");
    }
}

// ---- inject runs CMD as the container's root ----

#[test]
fn inject_cmd_is_uid_0_gid_0_without_groups_with_the_inits_capabilities() {
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let root = rootfs();
        let c = Container::start(pair.owner, root.str(), &["sleep", "100"]);
        let script = "id -u; id -g; grep -E '^(Uid|Gid|Groups|CapEff):' /proc/self/status";
        // Host root arrives with supplementary groups: none may survive.
        let prefix: &[&str] = match pair.injector {
            Caller::Root => &["setpriv", "--groups=4,6,27", "--"],
            Caller::Unprivileged => &[],
        };
        let r = if prefix.is_empty() {
            inject(pair.injector, c.init, &["sh", "-c", script])
        } else {
            inject_via(pair.injector, prefix, c.init, &["sh", "-c", script])
        };
        assert_eq!(r.code(), Some(0), "{pair:?}: {r:?}");
        let init_status = fs::read_to_string(format!("/proc/{}/status", c.init)).unwrap();
        let init_capeff = init_status.lines().find(|l| l.starts_with("CapEff:")).unwrap().to_string();
        assert_ne!(init_capeff.split_whitespace().nth(1), Some("0000000000000000"), "the init has no capabilities");
        let lines: Vec<String> = r.lines().iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        assert_eq!(
            lines,
            [
                "0".to_string(),
                "0".to_string(),
                "Uid: 0 0 0 0".to_string(),
                "Gid: 0 0 0 0".to_string(),
                "Groups:".to_string(),
                init_capeff.split_whitespace().collect::<Vec<_>>().join(" "),
            ],
            "{pair:?}: {r:?}"
        );
        assert_eq!(r.stderr, "", "{pair:?}: {r:?}");
    }
}

#[test]
fn host_root_manages_the_container_it_joins() {
    for owner in Caller::BOTH {
        let root = rootfs();
        let c = Container::start(owner, root.str(), &["sleep", "100"]);
        let r = inject(Caller::Root, c.init, &["sh", "-c", "hostname x && cat /proc/self/status"]);
        assert_eq!(r.code(), Some(0), "{owner:?}: {r:?}");
        assert_eq!(r.stderr, "", "{owner:?}: {r:?}");
        let uid = r.lines().into_iter().find(|l| l.starts_with("Uid:")).unwrap_or_else(|| panic!("{r:?}"));
        assert_eq!(uid.split_whitespace().collect::<Vec<_>>(), ["Uid:", "0", "0", "0", "0"], "{owner:?}: {r:?}");
        let r = inject(Caller::Root, c.init, &["hostname"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "x\n"), "{owner:?}: {r:?}");
        assert_ne!(fs::read_to_string("/proc/sys/kernel/hostname").unwrap(), "x\n", "the host's hostname changed");
    }
}

// ---- DIR is nodev ----

#[test]
fn device_nodes_in_dir_and_its_submounts_do_not_open_and_mountinfo_says_nodev() {
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "opendev");
        root.mkdir("sub", 0o755);
        let dir = root.str();
        let made = Command::new("sh")
            .args(["-c", "mknod -m 666 \"$1/evil-loop\" b 7 0 && chgrp disk \"$1/evil-loop\" && mknod -m 666 \"$1/evil-null\" c 1 3", "sh", dir])
            .status()
            .unwrap();
        assert!(made.success(), "cannot mknod in {dir}");
        let setup = format!(
            "mount -t tmpfs -o mode=755 sub {d}/sub && mknod -m 666 {d}/sub/evil-null c 1 3",
            d = sh_quote(dir)
        );
        // Control: on the host, the same caller opens every node.
        let host_view = format!("{dir}/evil-loop");
        let control = run_after(
            caller,
            &setup,
            &[
                &root.join_str("opendev"),
                "-g",
                &host_view,
                &format!("{dir}/evil-null"),
                &format!("{dir}/sub/evil-null"),
            ],
        );
        assert_eq!(control.code(), Some(0), "{caller:?}: control: {control:?}");
        let first: Vec<&str> = control.lines().into_iter().take(3).collect();
        assert_eq!(first.len(), 3, "{caller:?}: control: {control:?}");
        for l in &first {
            assert!(l.ends_with(" rd=ok wr=ok"), "{caller:?}: control: {control:?}");
        }
        let bin = bin_str();
        let cmd = "cat /proc/self/mountinfo; echo --; /opendev -g /evil-loop /evil-null /sub/evil-null";
        let r = run_after(caller, &setup, &contain_argv(&bin, dir, &["sh", "-c", cmd]));
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let (mountinfo, opens) = r.stdout.split_once("--\n").unwrap_or_else(|| panic!("{caller:?}: {r:?}"));
        assert!(mount_options(mountinfo, "/").contains("nodev"), "{caller:?}: / is not nodev:\n{mountinfo}");
        assert!(mount_options(mountinfo, "/sub").contains("nodev"), "{caller:?}: /sub is not nodev:\n{mountinfo}");
        let opens: Vec<&str> = opens.lines().collect();
        assert!(opens.len() >= 3, "{caller:?}: {r:?}");
        assert!(opens.iter().any(|l| l.starts_with("/evil-loop gid=0 ")), "{caller:?}: {r:?}");
        for l in &opens {
            assert!(
                l.ends_with(" rd=Permission denied wr=Permission denied"),
                "{caller:?}: a device node in DIR opened: {l}\n{r:?}"
            );
        }
    }
}

// ---- no covered host mounts ----

/// SPEC §5.5 (v3): DIR `/` is refused as such, never with advice to
/// unmount the host's /dev; `/.` and a relative path to / are `/` too.
#[test]
fn the_hosts_root_cannot_be_dir() {
    let scratch = TempDir::new();
    set_mode(scratch.path(), 0o777);
    let ran = scratch.join_str("ran");
    for caller in Caller::BOTH {
        for dir in ["/", "/.", "//", "/proc/.."] {
            let r = caller.run(&[&bin_str(), "contain", dir, "/bin/touch", &ran]);
            let what = format!("{caller:?}: DIR {dir}");
            assert_eq!(r.code(), Some(1), "{what}: {r:?}");
            assert_eq!(r.stderr, "contain: / cannot be DIR\n", "{what}: {r:?}");
            assert_eq!(r.stdout, "", "{what}: {r:?}");
            assert!(!Path::new(&ran).exists(), "{what}: CMD ran");
        }
    }
}

#[test]
fn dev_proc_or_sys_already_a_mount_point_is_refused_and_nothing_is_left() {
    for caller in Caller::BOTH {
        for which in ["dev", "proc", "sys"] {
            for relative in [false, true] {
                let root = rootfs();
                root.mkdir("sys", 0o755);
                let scratch = TempDir::new();
                set_mode(scratch.path(), 0o777);
                let parent = root.path().parent().unwrap().to_str().unwrap().to_string();
                let name = root.path().file_name().unwrap().to_str().unwrap().to_string();
                let given = if relative { name.clone() } else { root.str().to_string() };
                let setup = format!("mount --bind /{which} {}", sh_quote(&root.join_str(which)));
                let script = format!(
                    "cat /proc/self/mountinfo > {s}/before; cd {p} && {b} contain {g} /bin/touch /ran; rc=$?; \
                     cat /proc/self/mountinfo > {s}/after; exit $rc",
                    s = sh_quote(scratch.str()),
                    p = sh_quote(&parent),
                    b = sh_quote(&bin_str()),
                    g = sh_quote(&given)
                );
                let r = no_mount_leak(|| run_after(caller, &setup, &["sh", "-c", &script]));
                let what = format!("{caller:?}: {which} (DIR {given})");
                assert_eq!(r.code(), Some(1), "{what}: {r:?}");
                assert_eq!(
                    r.stderr,
                    format!("contain: {given}/{which} is a mount point: unmount it first\n"),
                    "{what}: {r:?}"
                );
                assert_eq!(r.stdout, "", "{what}: {r:?}");
                assert!(!root.join("ran").exists(), "{what}: CMD ran");
                let before = fs::read_to_string(scratch.join("before")).unwrap();
                let after = fs::read_to_string(scratch.join("after")).unwrap();
                assert_eq!(before, after, "{what}: contain left a mount behind in its caller's namespace");
            }
        }
    }
}

// ---- maps never give away host ids ----

fn contain_ids_as_root_with(subuid: &str, subgid: &str) -> (Ids, Run) {
    let root = rootfs();
    let bin = bin_str();
    let r = as_root_with_etc(subuid, subgid, &contain_argv(&bin, root.str(), &["sh", "-c", IDS_SCRIPT]));
    assert_eq!(r.code(), Some(0), "{r:?}");
    (Ids::parse(&r), r)
}

#[test]
fn a_root_line_mapping_host_root_is_skipped_with_one_warning_and_the_next_is_used() {
    let (ids, r) = contain_ids_as_root_with("root:0:65536\nroot:100000:65536\n", "root:0:65536\nroot:300000:1000\n");
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    assert_eq!(
        r.stderr,
        "contain: warning: skipping root:0:65536 in /etc/subuid: it maps host root\n\
         contain: warning: skipping root:0:65536 in /etc/subgid: it maps host root\n",
        "{r:?}"
    );
    // A numeric owner line is root's too.
    let (ids, r) = contain_ids_as_root_with("0:0:10\n0:100000:65536\n", "root:300000:1000\n");
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_eq!(r.stderr, "contain: warning: skipping 0:0:10 in /etc/subuid: it maps host root\n", "{r:?}");
}

#[test]
fn pseudo_skips_a_root_line_mapping_host_root_with_one_warning() {
    let bin = bin_str();
    let r = as_root_with_etc(
        "root:0:65536\nroot:100000:65536\n",
        "root:0:65536\nroot:300000:1000\n",
        &[&bin, "pseudo", "sh", "-c", IDS_SCRIPT],
    );
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_eq!(
        r.stderr,
        "pseudo: warning: skipping root:0:65536 in /etc/subuid: it maps host root\n\
         pseudo: warning: skipping root:0:65536 in /etc/subgid: it maps host root\n",
        "{r:?}"
    );
}

#[test]
fn with_no_valid_root_line_the_v2_default_map_is_used() {
    let (ids, r) = contain_ids_as_root_with("root:0:65536\n", "root:0:65536\n");
    assert_eq!(ids.uid_map, ROOT_DEFAULT_V2, "{r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT_V2, "{r:?}");
    assert_eq!(
        r.stderr,
        "contain: warning: skipping root:0:65536 in /etc/subuid: it maps host root\n\
         contain: warning: skipping root:0:65536 in /etc/subgid: it maps host root\n",
        "{r:?}"
    );
    // With empty files: the same map, silently.
    let (ids, r) = contain_ids_as_root_with("", "");
    assert_eq!(ids.uid_map, ROOT_DEFAULT_V2, "{r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT_V2, "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    // pseudo too.
    let bin = bin_str();
    let r = as_root_with_etc("", "", &[&bin, "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ROOT_DEFAULT_V2, "pseudo: {r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT_V2, "pseudo: {r:?}");
}

#[test]
fn a_range_ending_at_2_pow_32_is_skipped_and_one_ending_at_2_pow_32_minus_1_is_valid() {
    // 4294901760 + 65536 = 2^32: invalid; the next line is used, no warning.
    let (ids, r) = contain_ids_as_root_with(
        "root:4294901760:65536\nroot:100000:65536\n",
        "root:4294901760:65536\nroot:300000:1000\n",
    );
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    // 4294901759 + 65536 = 2^32 - 1: valid.
    let (ids, r) = contain_ids_as_root_with("root:4294901759:65536\nroot:100000:65536\n", "root:4294901759:65536\n");
    assert_eq!(ids.uid_map, ["0 4294901759 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 4294901759 65536"], "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn the_v2_default_map_is_in_proc_pid_uid_map_and_container_uid_1000_is_top_minus_65535_plus_999() {
    let root = rootfs();
    let c = Container::start_with(&bin_str(), root.str(), &["sleep", "100"], Some(&User::root()));
    for map in ["uid_map", "gid_map"] {
        let text = fs::read_to_string(format!("/proc/{}/{map}", c.init)).unwrap();
        assert_eq!(map_lines(&text), ROOT_DEFAULT_V2, "{map}");
    }
    drop(c);
    let bin = bin_str();
    let r = User::root().run(&contain_argv(
        &bin,
        root.str(),
        &["sh", "-c", "touch /tmp/by-1000 /tmp/by-0 && chown 1000:1000 /tmp/by-1000"],
    ));
    assert_eq!(r.code(), Some(0), "{r:?}");
    let m = fs::metadata(root.join("tmp/by-1000")).unwrap();
    assert_eq!((m.uid(), m.gid()), (HOST_ID_OF_1000, HOST_ID_OF_1000));
    let m = fs::metadata(root.join("tmp/by-0")).unwrap();
    assert_eq!((m.uid(), m.gid()), (4_294_967_294, 4_294_967_294));
}

// ---- signals and statuses cannot be turned against the caller ----

#[test]
fn with_sigchld_ignored_by_the_caller_statuses_still_arrive() {
    let tools = Tools::new();
    let wrap = tools.build("wrap");
    let ign = [wrap.as_str(), "-i", "17", "--"];
    for caller in Caller::BOTH {
        // Control: the wrapper really hands SIGCHLD on ignored (bit 17 of SigIgn).
        let mut argv = ign.to_vec();
        argv.extend(["/bin/grep", "^SigIgn:", "/proc/self/status"]);
        let r = caller.run(&argv);
        let mask =
            u64::from_str_radix(r.stdout.split_whitespace().nth(1).unwrap_or_else(|| panic!("{r:?}")), 16).unwrap();
        assert_ne!(mask & (1 << 16), 0, "{caller:?}: control: SIGCHLD is not ignored: {r:?}");

        let root = rootfs();
        let bin = bin_str();
        let mut argv = ign.to_vec();
        argv.extend(contain_argv(&bin, root.str(), &["sh", "-c", "exit 3"]));
        let r = caller.run(&argv);
        assert_eq!(r.code(), Some(3), "{caller:?}: contain: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: contain: {r:?}");

        let mut argv = ign.to_vec();
        argv.extend([bin.as_str(), "pseudo", "sh", "-c", "exit 5"]);
        let r = caller.run(&argv);
        assert_eq!(r.code(), Some(5), "{caller:?}: pseudo: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: pseudo: {r:?}");

        let c = Container::start(caller, root.str(), &["sleep", "100"]);
        let r = inject_via(caller, &ign, c.init, &["sh", "-c", "exit 7"]);
        assert_eq!(r.code(), Some(7), "{caller:?}: inject: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: inject: {r:?}");
        drop(c);

        // And SIGTERM still ends such a container.
        let user = user_for(caller);
        let mut c = start_via(&ign, root.str(), &["sleep", "100"], user.as_ref());
        assert!(signal_pid(c.sup(), SIGTERM));
        let r = c.bg.finish();
        assert_eq!(r.signal(), Some(SIGTERM), "{caller:?}: {r:?}");
    }
}

#[test]
fn nohup_contain_survives_sighup_and_does_not_forward_it() {
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "catch");
        let user = user_for(caller);
        // Control: without nohup, the init (which takes SIGHUP) gets it.
        let mut c = start_via(&[], root.str(), &["/catch", "1", "5"], user.as_ref());
        wait_caught(c.init, 1);
        assert!(signal_pid(c.sup(), SIGHUP));
        let r = c.bg.finish();
        assert_eq!(r.stdout, "caught 1\n", "{caller:?}: control: {r:?}");

        let mut c = start_via(&["nohup"], root.str(), &["/catch", "1", "5"], user.as_ref());
        wait_caught(c.init, 1);
        assert!(signal_pid(c.sup(), SIGHUP));
        let r = c.bg.finish();
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "", "{caller:?}: the ignored SIGHUP was forwarded: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: {r:?}");
        // The plain `nohup contain DIR sleep 5` of the issue.
        let mut c = start_via(&["nohup"], root.str(), &["sleep", "5"], user.as_ref());
        assert!(signal_pid(c.sup(), SIGHUP));
        let r = c.bg.finish();
        assert_eq!(r.code(), Some(0), "{caller:?}: nohup sleep 5: {r:?}");
    }
}

#[test]
fn a_contain_with_sigint_ignored_survives_sigint() {
    let tools = Tools::new();
    let wrap = tools.build("wrap");
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "catch");
        let user = user_for(caller);
        let mut c = start_via(&[&wrap, "-i", "2", "--"], root.str(), &["/catch", "2", "5"], user.as_ref());
        wait_caught(c.init, 2);
        assert!(signal_pid(c.sup(), SIGINT));
        let r = c.bg.finish();
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "", "{caller:?}: the ignored SIGINT was forwarded: {r:?}");
        let mut c = start_via(&[&wrap, "-i", "2", "--"], root.str(), &["sleep", "5"], user.as_ref());
        assert!(signal_pid(c.sup(), SIGINT));
        let r = c.bg.finish();
        assert_eq!(r.code(), Some(0), "{caller:?}: sleep 5: {r:?}");
    }
}

// ---- everyday paths and messages ----

#[test]
fn contain_dot_dot_slash_and_sub_dotdot_work_from_inside_dir() {
    for caller in Caller::BOTH {
        let root = rootfs();
        root.mkdir("sub", 0o755);
        root.write("marker", "inside\n", 0o644);
        let bin = bin_str();
        for given in [".", "./", "sub/.."] {
            let r = caller.run(&[
                "sh",
                "-c",
                "cd \"$1\" && shift && exec \"$@\"",
                "sh",
                root.str(),
                &bin,
                "contain",
                given,
                "cat",
                "/marker",
            ]);
            assert_eq!(r.code(), Some(0), "{caller:?}: contain {given}: {r:?}");
            assert_eq!(r.stdout, "inside\n", "{caller:?}: contain {given}: {r:?}");
            assert_eq!(r.stderr, "", "{caller:?}: contain {given}: {r:?}");
        }
    }
}

#[test]
fn an_empty_cmd_is_127_no_such_file() {
    let root = rootfs();
    let bin = bin_str();
    for caller in Caller::BOTH {
        for (applet, argv) in [
            ("seal", vec![bin.as_str(), "seal", ""]),
            ("pseudo", vec![bin.as_str(), "pseudo", ""]),
            ("contain", vec![bin.as_str(), "contain", root.str(), ""]),
        ] {
            let r = caller.run(&argv);
            assert_eq!(r.code(), Some(127), "{caller:?}: {applet}: {r:?}");
            assert_eq!(r.stderr, format!("{applet}: : No such file or directory\n"), "{caller:?}: {applet}: {r:?}");
            assert_eq!(r.stdout, "", "{caller:?}: {applet}: {r:?}");
        }
    }
}

#[test]
fn a_missing_host_dev_node_is_named() {
    let nodes = |with_tty: bool| {
        let mut s = String::from(
            "mount -t tmpfs -o mode=755 dev /dev && mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && \
             mknod -m 666 /dev/full c 1 7 && mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9",
        );
        if with_tty {
            s += " && mknod -m 666 /dev/tty c 5 0";
        }
        s
    };
    for caller in Caller::BOTH {
        let root = rootfs();
        let bin = bin_str();
        // Control: with every node there, the same setup runs.
        let r = run_after(caller, &nodes(true), &contain_argv(&bin, root.str(), &["/bin/true"]));
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: control: {r:?}");
        let r = no_mount_leak(|| {
            run_after(caller, &nodes(false), &contain_argv(&bin, root.str(), &["/bin/touch", "/ran"]))
        });
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, "contain: cannot bind host /dev/tty: No such file or directory\n", "{caller:?}: {r:?}");
        assert!(!root.join("ran").exists(), "{caller:?}: CMD ran");
    }
}

#[test]
fn isolate_names_the_network_namespace_when_it_cannot_be_made() {
    let tools = Tools::new();
    let netlimit = tools.build("netlimit");
    let bin = bin_str();
    let before = fs::read_to_string("/proc/sys/user/max_net_namespaces").unwrap();
    for who in ["root", "user"] {
        // Control: the limit is what stops it: a user namespace can still
        // be made there, a network namespace cannot.
        let r = run_command({
            let mut c = Command::new(&netlimit);
            c.args([who, "/usr/bin/unshare", "--user", "/bin/true"]);
            c
        });
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{who}: control: {r:?}");
        let r = run_command({
            let mut c = Command::new(&netlimit);
            c.args([who, "/usr/bin/unshare", "--user", "--net", "/bin/true"]);
            c
        });
        assert_eq!(r.code(), Some(1), "{who}: control: the limit does not hold: {r:?}");
        let r = run_command({
            let mut c = Command::new(&netlimit);
            c.args([who, &bin, "isolate", "/bin/true"]);
            c
        });
        assert_eq!(r.code(), Some(1), "{who}: {r:?}");
        assert_eq!(r.stderr, "isolate: cannot create network namespace: No space left on device\n", "{who}: {r:?}");
    }
    assert_eq!(fs::read_to_string("/proc/sys/user/max_net_namespaces").unwrap(), before, "the machine's limit changed");
}

#[test]
fn inject_into_an_exited_unreaped_process_says_it_has_exited() {
    for pair in OWN {
        let root = rootfs();
        let mut c = Container::start(pair.owner, root.str(), &["sh", "-c", "/bin/true & exec sleep 100"]);
        let zombie = poll_until(TIMEOUT, || proc_children(c.init).into_iter().find(|&k| proc_state(k) == Some('Z')))
            .expect("no zombie appeared");
        c.bg.track(zombie);
        let r = inject(pair.injector, zombie, &["/bin/touch", "/ran"]);
        assert_eq!(r.code(), Some(1), "{pair:?}: {r:?}");
        assert_eq!(r.stderr, format!("inject: process {zombie} has exited\n"), "{pair:?}: {r:?}");
        assert_eq!(r.stdout, "", "{pair:?}: {r:?}");
        assert!(!root.join("ran").exists(), "{pair:?}: CMD ran");
    }
    // A zombie on the host, child of a sleep that never waits.
    let mut bg = Background::spawn_command(Command::new("sh").args(["-c", "/bin/true & exec sleep 100"]), None);
    let zombie = poll_until(TIMEOUT, || proc_children(bg.pid()).into_iter().find(|&k| proc_state(k) == Some('Z')))
        .expect("no host zombie appeared");
    bg.track(zombie);
    let r = inject(Caller::Root, zombie, &["/bin/true"]);
    assert_eq!(
        (r.code(), r.stderr.clone()),
        (Some(1), format!("inject: process {zombie} has exited\n")),
        "host zombie: {r:?}"
    );
}

//! contain DIR CMD [ARG]... (SPEC §3, §4, §5; issue 4 "Done when"): a whole
//! container on a busybox root filesystem, as root and as the unprivileged
//! test user (uid 4000, subuid range 200000:65536).
mod common;

use common::*;
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The default for root without a subuid range (SPEC §4 v2): root on the
/// top id, 1..=65535 on the block just below it.
const ROOT_DEFAULT: [&str; 2] = ["0 4294967294 1", "1 4294901759 65535"];

/// The mount points of a container on a DIR without submounts.
const MOUNT_POINTS: [&str; 11] = [
    "/",
    "/proc",
    "/dev",
    "/dev/full",
    "/dev/null",
    "/dev/random",
    "/dev/tty",
    "/dev/urandom",
    "/dev/zero",
    "/dev/pts",
    "/dev/shm",
];

const NAMESPACES: [&str; 8] = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"];

/// `[bin, "contain", dir, cmd...]`.
fn contain_argv<'a>(bin: &'a str, dir: &'a str, cmd: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec![bin, "contain", dir];
    argv.extend_from_slice(cmd);
    argv
}

/// Run `contain dir cmd...` as `caller`.
fn contain(caller: Caller, dir: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    caller.run(&contain_argv(&bin, dir.str(), cmd))
}

/// Run `contain dir cmd...` as `user`.
fn contain_as(user: &User, dir: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    user.run(&contain_argv(&bin, dir.str(), cmd))
}

/// Run `contain dir cmd...` through `sh -c 'ulimit -c 0; exec ...'` so that
/// a death by SIGSEGV/SIGQUIT leaves no core file anywhere.
fn contain_no_core(caller: Caller, dir: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh"];
    argv.extend(contain_argv(&bin, dir.str(), cmd));
    caller.run(&argv)
}

/// Mount points (field 5) of a mountinfo text.
fn mount_points(mountinfo: &str) -> Vec<String> {
    mountinfo.lines().filter_map(|l| l.split_whitespace().nth(4)).map(str::to_string).collect()
}

/// The mountinfo line of mount point `mp`.
fn mount_line<'a>(mountinfo: &'a str, mp: &str) -> &'a str {
    mountinfo
        .lines()
        .find(|l| l.split_whitespace().nth(4) == Some(mp))
        .unwrap_or_else(|| panic!("no mount at {mp}:\n{mountinfo}"))
}

/// The per-mount options (field 6) and, after ` - `, fstype and super options.
fn mount_opts(line: &str) -> (BTreeSet<String>, String, String) {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let opts = fields[5].split(',').map(str::to_string).collect();
    let dash = fields.iter().position(|f| *f == "-").expect("mountinfo line has a separator");
    (opts, fields[dash + 1].to_string(), fields.get(dash + 3).unwrap_or(&"").to_string())
}

/// A marker file outside the container root: (its directory, its absolute path, its name).
fn marker_outside() -> (TempDir, String, String) {
    let dir = TempDir::new();
    let name = format!("ucontain-marker-{}-{}", std::process::id(), dir.path().file_name().unwrap().to_str().unwrap());
    let path = dir.write(&name, "host secret\n", 0o644);
    (dir, path.to_str().unwrap().to_string(), name)
}

/// Pids of live processes whose command line contains `token`.
fn processes_with(token: &str) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        if pid == std::process::id() {
            continue;
        }
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(token) {
            found.push((pid, cmdline));
        }
    }
    found
}

/// `(major, minor)` of a device number (glibc's encoding).
fn major_minor(rdev: u64) -> (u64, u64) {
    (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff), (rdev & 0xff) | ((rdev >> 12) & !0xff))
}

// ---- usage and a bad DIR ----

#[test]
fn usage_is_64() {
    // No DIR, an unknown option, or an option without its value (SPEC §3).
    let help = run(&["contain", "--help"]);
    assert_eq!(help.code(), Some(0), "{help:?}");
    assert!(help.stdout.starts_with("Usage: contain [OPTIONS] DIR [CMD [ARG]...]\n"), "{help:?}");
    for args in [&["contain"][..], &["contain", "-x", "/", "true"][..], &["contain", "-k"][..], &["contain", "-u"][..]]
    {
        let r = run(args);
        assert_eq!(r.code(), Some(64), "{args:?}: {r:?}");
        assert_eq!(r.stderr, help.stdout, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{r:?}");
    }
}

#[test]
fn missing_dir_is_one_line_and_exit_1() {
    for caller in Caller::BOTH {
        let scratch = TempDir::new();
        set_mode(scratch.path(), 0o777);
        let dir = scratch.join_str("nonexistent");
        let ran = scratch.join_str("ran");
        let bin = bin_str();
        let r = caller.run(&[&bin, "contain", &dir, "/bin/touch", &ran]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("contain: cannot use {dir} as root: No such file or directory\n"), "{caller:?}");
        assert!(!Path::new(&dir).exists(), "{caller:?}: contain created {dir}");
        assert!(!Path::new(&ran).exists(), "{caller:?}: CMD ran");
    }
}

#[test]
fn dir_that_is_a_file_is_one_line_and_exit_1() {
    for caller in Caller::BOTH {
        let scratch = TempDir::new();
        set_mode(scratch.path(), 0o777);
        let file = scratch.write("file", "not a directory\n", 0o644);
        let file = file.to_str().unwrap();
        let ran = scratch.join_str("ran");
        let bin = bin_str();
        let r = caller.run(&[&bin, "contain", file, "/bin/touch", &ran]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("contain: cannot use {file} as root: Not a directory\n"), "{caller:?}");
        assert_eq!(fs::read_to_string(file).unwrap(), "not a directory\n");
        assert!(!Path::new(&ran).exists(), "{caller:?}: CMD ran");
    }
}

// ---- identity: PID 1, uid 0, maps ----

/// Run `echo $$` then IDS_SCRIPT inside; return ($$, Ids).
fn pid_and_ids(run: Run) -> (String, Ids, Run) {
    assert_eq!(run.code(), Some(0), "{run:?}");
    let (pid, rest) = run.stdout.split_once("--\n").unwrap_or_else(|| panic!("{run:?}"));
    let ids_run = Run { status: run.status, stdout: rest.to_string(), stderr: run.stderr.clone() };
    let ids = Ids::parse(&ids_run);
    (pid.trim().to_string(), ids, run)
}

fn ids_cmd() -> String {
    format!("echo $$; echo --; {IDS_SCRIPT}")
}

#[test]
fn root_without_range_is_pid_1_uid_0_with_the_containers_default_maps() {
    let root = rootfs();
    let (pid, ids, r) = pid_and_ids(contain_as(&User::root(), &root, &["sh", "-c", &ids_cmd()]));
    assert_eq!(pid, "1", "{r:?}");
    assert_eq!(ids.uid_map, ROOT_DEFAULT, "{r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT, "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn root_with_a_range_maps_root_onto_it() {
    let root = rootfs();
    let bin = bin_str();
    let cmd = ids_cmd();
    let r = as_root_with_etc(
        "root:100000:65536\n",
        "root:300000:1000\n",
        &contain_argv(&bin, root.str(), &["sh", "-c", &cmd]),
    );
    let (pid, ids, r) = pid_and_ids(r);
    assert_eq!(pid, "1", "{r:?}");
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
}

#[test]
fn unprivileged_with_a_range_is_pid_1_uid_0_with_helper_maps() {
    let root = rootfs();
    let (pid, ids, r) = pid_and_ids(contain_as(&User::default(), &root, &["sh", "-c", &ids_cmd()]));
    assert_eq!(pid, "1", "{r:?}");
    // Nested in the outer namespace of the §4 map (`0 4000 1`, `1 200000
    // 65536`, tests/locked.rs reads it from the host), every id onto itself.
    assert_eq!(ids.uid_map, ["0 0 1", "1 1 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 0 1", "1 1 65536"], "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn unprivileged_without_a_range_falls_back_with_one_warning() {
    let root = rootfs();
    let user = User { subuid: None, subgid: None, ..User::default() };
    let (pid, ids, r) = pid_and_ids(contain_as(&user, &root, &["sh", "-c", &ids_cmd()]));
    assert_eq!(pid, "1", "{r:?}");
    assert_eq!(ids.uid_map, ["0 0 1"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 0 1"], "{r:?}");
    assert_eq!(ids.setgroups, "deny", "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    assert_eq!(
        r.stderr,
        "contain: warning: no range in /etc/subuid; mapping only uid 4000 and gid 4000 to root \
         (for a range: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 tester, as root)\n",
        "{r:?}"
    );
}

#[test]
fn every_namespace_of_the_init_differs_from_the_hosts() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let script = format!("for n in {}; do echo $n $(readlink /proc/1/ns/$n); done", NAMESPACES.join(" "));
        let r = contain(caller, &root, &["sh", "-c", &script]);
        r.success();
        let lines = r.lines();
        assert_eq!(lines.len(), NAMESPACES.len(), "{caller:?}: {r:?}");
        for (line, ns) in lines.iter().zip(NAMESPACES) {
            let (name, link) = line.split_once(' ').unwrap_or_else(|| panic!("{caller:?}: {r:?}"));
            assert_eq!(name, ns);
            assert!(link.starts_with(&format!("{ns}:[")), "{caller:?}: {ns}: {r:?}");
            assert_ne!(link, host_ns(ns), "{caller:?}: the {ns} namespace is the host's");
        }
    }
}

#[test]
fn the_init_is_the_supervisors_child_and_pid_1() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let c = Container::start(caller, root.str(), &["sleep", "100"]);
        assert_eq!(proc_children(c.sup()), [c.init], "{caller:?}");
        let status = fs::read_to_string(format!("/proc/{}/status", c.init)).unwrap();
        let nspid: Vec<&str> = status.lines().find(|l| l.starts_with("NSpid:")).unwrap().split_whitespace().collect();
        assert_eq!(nspid.last(), Some(&"1"), "{caller:?}: {status}");
        assert_eq!(fs::read_to_string(format!("/proc/{}/comm", c.init)).unwrap(), "sleep\n");
    }
}

// ---- mounts, host unreachable ----

#[test]
fn mountinfo_lists_only_the_containers_mounts() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let r = contain(caller, &root, &["cat", "/proc/self/mountinfo"]);
        r.success();
        let mps = mount_points(&r.stdout);
        let got: BTreeSet<&str> = mps.iter().map(String::as_str).collect();
        assert_eq!(got, MOUNT_POINTS.into_iter().collect(), "{caller:?}: {r:?}");
        assert_eq!(mps.len(), MOUNT_POINTS.len(), "{caller:?}: a mount point twice: {r:?}");
        assert_eq!(mps[0], "/", "{caller:?}: {r:?}");

        let (opts, fstype, _) = mount_opts(mount_line(&r.stdout, "/proc"));
        assert_eq!(fstype, "proc", "{caller:?}");
        for o in ["nosuid", "nodev", "noexec"] {
            assert!(opts.contains(o), "{caller:?}: /proc lacks {o}: {r:?}");
        }
        let (opts, fstype, sopts) = mount_opts(mount_line(&r.stdout, "/dev"));
        assert_eq!(fstype, "tmpfs", "{caller:?}");
        assert!(sopts.split(',').any(|o| o == "mode=755"), "{caller:?}: {r:?}");
        for o in ["nosuid", "noexec"] {
            assert!(opts.contains(o), "{caller:?}: /dev lacks {o}: {r:?}");
        }
        let (opts, fstype, sopts) = mount_opts(mount_line(&r.stdout, "/dev/pts"));
        assert_eq!(fstype, "devpts", "{caller:?}");
        assert!(sopts.split(',').any(|o| o == "ptmxmode=666"), "{caller:?}: {r:?}");
        for o in ["nosuid", "noexec"] {
            assert!(opts.contains(o), "{caller:?}: /dev/pts lacks {o}: {r:?}");
        }
    }
}

#[test]
fn mountinfo_includes_dirs_own_submounts() {
    let root = rootfs();
    root.mkdir("mnt", 0o755);
    let bin = bin_str();
    let script = format!(
        "mount -t tmpfs sub {mnt} && mkdir {mnt}/inner && mount -t tmpfs inner {mnt}/inner && \
         echo hello > {mnt}/inner/file && exec {bin} contain {dir} sh -c 'cat /mnt/inner/file; cat /proc/self/mountinfo'",
        mnt = sh_quote(&root.join_str("mnt")),
        bin = sh_quote(&bin),
        dir = sh_quote(root.str()),
    );
    let r = as_root(&["sh", "-c", &script]);
    r.success();
    let (first, mountinfo) = r.stdout.split_once('\n').unwrap();
    assert_eq!(first, "hello", "{r:?}");
    let got: BTreeSet<String> = mount_points(mountinfo).into_iter().collect();
    let mut want: BTreeSet<String> = MOUNT_POINTS.iter().map(|s| s.to_string()).collect();
    want.insert("/mnt".into());
    want.insert("/mnt/inner".into());
    assert_eq!(got, want, "{r:?}");
    // DIR and every submount it carries are nodev (SPEC §5.5).
    for mp in ["/", "/mnt", "/mnt/inner"] {
        let (opts, _, _) = mount_opts(mount_line(mountinfo, mp));
        assert!(opts.contains("nodev"), "{mp} is not nodev: {r:?}");
    }
}

#[test]
fn the_hosts_root_is_unreachable() {
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "locked");
        let (_outside, marker, name) = marker_outside();
        let script = format!(
            "M={m}; for p in /proc/[0-9]*/root; do [ -e \"$p$M\" ] && echo FOUND via $p; done; \
             find /proc/[0-9]*/root/ -name proc -prune -o -name {n} -print | sed 's/^/FOUND by find: /'; \
             cd / && cd .. && cd .. && cd .. && echo \"dotdot=$(pwd)\" && [ -e \"$M\" ] && echo FOUND via dotdot; \
             [ -e \"../../..$M\" ] && echo FOUND via relative dotdot; \
             find / -path /proc -prune -o -name {n} -print | sed 's/^/FOUND by find: /'; \
             /locked escape \"$M\"",
            m = sh_quote(&marker),
            n = sh_quote(&name),
        );
        let r = contain(caller, &root, &["sh", "-c", &script]);
        assert!(!r.stdout.contains("FOUND"), "{caller:?}: the host's marker was reached:\n{r:?}");
        assert!(r.stdout.contains("dotdot=/\n"), "{caller:?}: {r:?}");
        // `escape: M not found` only after the chroot and the climb were done.
        assert!(r.stdout.contains(&format!("escape: {marker} not found\n")), "{caller:?}: {r:?}");
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert!(Path::new(&marker).is_file());
    }
}

// ---- /dev ----

#[test]
fn dev_holds_exactly_the_spec_entries() {
    let nodes = ["full", "null", "random", "tty", "urandom", "zero"];
    for caller in Caller::BOTH {
        let root = rootfs();
        let script = format!(
            "ls -a /dev; echo --; for n in {nodes}; do stat -c '%n %F %t:%T' /dev/$n; done; echo --; \
             for l in fd ptmx stdin stdout stderr; do echo $l $(readlink /dev/$l); done; echo --; \
             stat -c '%n %F %a' /dev /dev/pts /dev/shm; echo --; ls -a /dev/pts",
            nodes = nodes.join(" ")
        );
        let r = contain(caller, &root, &["sh", "-c", &script]);
        r.success();
        let parts: Vec<&str> = r.stdout.split("--\n").collect();
        assert_eq!(parts.len(), 5, "{caller:?}: {r:?}");
        let entries: Vec<&str> = parts[0].lines().collect();
        assert_eq!(
            entries,
            [
                ".", "..", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty",
                "urandom", "zero"
            ],
            "{caller:?}: {r:?}"
        );
        let want: Vec<String> = nodes
            .iter()
            .map(|n| {
                let (major, minor) = major_minor(fs::metadata(format!("/dev/{n}")).unwrap().rdev());
                format!("/dev/{n} character special file {major:x}:{minor:x}")
            })
            .collect();
        assert_eq!(parts[1].lines().collect::<Vec<_>>(), want, "{caller:?}: {r:?}");
        assert_eq!(
            parts[2].lines().collect::<Vec<_>>(),
            ["fd /proc/self/fd", "ptmx pts/ptmx", "stdin fd/0", "stdout fd/1", "stderr fd/2"],
            "{caller:?}: {r:?}"
        );
        assert_eq!(
            parts[3].lines().collect::<Vec<_>>(),
            ["/dev directory 755", "/dev/pts directory 755", "/dev/shm directory 1777"],
            "{caller:?}: {r:?}"
        );
        // A new devpts instance: nothing but its ptmx.
        assert_eq!(parts[4].lines().collect::<Vec<_>>(), [".", "..", "ptmx"], "{caller:?}: {r:?}");
    }
}

/// A DIR that only the container's root can enter (its root directory owned
/// by uid 1 inside, mode 700: a tree unpacked with `pseudo tar -x`) works
/// for the unprivileged caller: the init enters it with its capabilities
/// over the mapped ids, which it has only once its maps are written.
#[test]
fn a_dir_only_the_containers_root_can_enter_works_unprivileged() {
    let root = rootfs();
    chown(root.path(), 200000, 200000);
    set_mode(root.path(), 0o700);
    let r = contain(Caller::Unprivileged, &root, &["sh", "-c", "stat -c '%u:%g %a' /; ls /proc/self/fd/0 >/dev/null"]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "1:1 700\n", ""), "{r:?}");
}

/// /dev and what is in it belong to the container's root in every row of
/// SPEC §4, whether the init mounted its tmpfs before its maps were written
/// (its ids stay the same: the helpers' row, its own ids) or only after it
/// became root (root, a MAP that makes another id root).
#[test]
fn dev_belongs_to_the_containers_root_in_every_map_row() {
    let script = "stat -c '%n %u:%g %a' /dev /dev/pts /dev/pts/ptmx /dev/shm && touch /dev/x /dev/shm/y && \
                  stat -c '%n %u:%g' /dev/x /dev/shm/y";
    let want = [
        "/dev 0:0 755",
        "/dev/pts 0:0 755",
        "/dev/pts/ptmx 0:0 666",
        "/dev/shm 0:0 1777",
        "/dev/x 0:0",
        "/dev/shm/y 0:0",
    ];
    let range = Some("root:300000:65536\n".to_string());
    let map = ["-u", "0:200000:1000", "-g", "0:200000:1000"];
    let bin = bin_str();
    let root = rootfs();
    for (row, user, opts) in [
        ("root, default map", User::root(), &[][..]),
        ("root, its range", User { subuid: range.clone(), subgid: range, ..User::root() }, &[]),
        ("unprivileged, helpers", User::default(), &[]),
        ("unprivileged, own ids", User { hide_helpers: true, ..User::default() }, &[]),
        ("unprivileged, -u/-g", User::default(), &map),
    ] {
        let mut argv = vec![bin.as_str(), "contain"];
        argv.extend_from_slice(opts);
        argv.extend([root.str(), "sh", "-c", script]);
        let r = user.run(&argv);
        assert_eq!((r.code(), r.lines()), (Some(0), want.to_vec()), "{row}: {r:?}");
    }
}

#[test]
fn writing_dev_full_fails_with_enospc_and_the_other_nodes_work() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let script = "echo x > /dev/full; echo full=$?; echo x > /dev/null && echo null=ok; \
                      head -c 4 /dev/zero | od -An -tx1; head -c 16 /dev/urandom | wc -c; head -c 16 /dev/random | wc -c";
        let r = contain(caller, &root, &["sh", "-c", script]);
        r.success();
        let lines: Vec<String> = r.lines().iter().map(|l| l.trim().to_string()).collect();
        assert_eq!(lines, ["full=1", "null=ok", "00 00 00 00", "16", "16"], "{caller:?}: {r:?}");
        assert!(r.stderr.contains("No space left on device"), "{caller:?}: {r:?}");
    }
}

// ---- environment, cwd, hostname, descriptors ----

#[test]
fn environment_is_exactly_container_contain_and_cwd_is_root() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let bin = bin_str();
        let script = format!(
            "cd /tmp && export FOO=bar HOME=/root PATH=/usr/bin:/bin && exec {} contain {} env",
            sh_quote(&bin),
            sh_quote(root.str())
        );
        let r = caller.run(&["sh", "-c", &script]);
        r.success();
        assert_eq!(r.stdout, format!("container=contain\nPATH={DEFAULT_PATH}\n"), "{caller:?}: {r:?}");
        let script = format!("cd /tmp && exec {} contain {} pwd", sh_quote(&bin), sh_quote(root.str()));
        let r = caller.run(&["sh", "-c", &script]);
        r.success();
        assert_eq!(r.stdout, "/\n", "{caller:?}: {r:?}");
    }
}

#[test]
fn cmd_is_searched_with_the_default_path_in_the_new_root() {
    for caller in Caller::BOTH {
        let root = rootfs();
        root.write("usr/local/bin/only-inside", "#!/bin/sh\necho inside $0\n", 0o755);
        let r = contain(caller, &root, &["only-inside"]);
        r.success();
        assert_eq!(r.stdout, "inside /usr/local/bin/only-inside\n", "{caller:?}: {r:?}");
    }
}

#[test]
fn hostname_change_inside_does_not_touch_the_hosts() {
    for caller in Caller::BOTH {
        let before = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        let root = rootfs();
        let r = contain(caller, &root, &["sh", "-c", "hostname ucontain-inside && hostname"]);
        r.success();
        assert_eq!(r.stdout, "ucontain-inside\n", "{caller:?}: {r:?}");
        assert_eq!(fs::read_to_string("/proc/sys/kernel/hostname").unwrap(), before, "{caller:?}");
        assert_ne!(before.trim(), "ucontain-inside");
    }
}

#[test]
fn only_descriptors_0_1_2_exist_inside() {
    for caller in Caller::BOTH {
        let root = rootfs();
        probe(&root);
        let scratch = TempDir::new();
        set_mode(scratch.path(), 0o777);
        let file = scratch.write("out", "", 0o666);
        let bin = bin_str();
        let spawn = |what: &str| format!("exec 9</ 8>{}; exec {what}", sh_quote(file.to_str().unwrap()),);
        // Control: the caller really has 8 and 9 open.
        let r = caller.run(&["sh", "-c", &spawn("/bin/busybox ls /proc/self/fd")]);
        r.success();
        assert!(r.lines().contains(&"8") && r.lines().contains(&"9"), "{caller:?}: control: {r:?}");

        // busybox ls as the init itself lists 0 1 2 and 3, its own directory
        // stream, already closed (ENOENT) when `-l` reads the links.
        // (The test process may itself pass on more descriptors, e.g. a
        // jobserver's: those must not arrive either.)
        let ls_fds = |r: &Run| -> Vec<(String, Option<String>)> {
            r.lines()
                .iter()
                .filter(|l| !l.starts_with("total"))
                .map(|l| match l.split_once(" -> ") {
                    Some((left, target)) => {
                        (left.split_whitespace().last().unwrap().to_string(), Some(target.to_string()))
                    }
                    None => (l.split_whitespace().last().unwrap().to_string(), None),
                })
                .collect()
        };
        let r = caller.run(&[
            "sh",
            "-c",
            &spawn(&format!("{} contain {} ls -l /proc/self/fd", sh_quote(&bin), sh_quote(root.str()))),
        ]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let fds = ls_fds(&r);
        let names: Vec<&str> = fds.iter().map(|(fd, _)| fd.as_str()).collect();
        assert_eq!(names, ["0", "1", "2", "3"], "{caller:?}: {r:?}");
        assert_eq!(fds[3].1, None, "{caller:?}: fd 3 is not ls's own (closed) directory stream: {r:?}");
        assert_eq!(r.stderr, "ls: /proc/self/fd/3: cannot read link: No such file or directory\n", "{caller:?}: {r:?}");
        assert!(
            fds.iter().all(|(_, t)| t.as_deref().is_none_or(|t| !t.contains("out") && t != "/")),
            "{caller:?}: {r:?}"
        );

        // The probe, which leaves out its own directory fd: exactly 0 1 2.
        let r = caller.run(&[
            "sh",
            "-c",
            &spawn(&format!("{} contain {} /probe fds", sh_quote(&bin), sh_quote(root.str()))),
        ]);
        r.success();
        assert_eq!(r.stdout, "0\n1\n2\n", "{caller:?}: {r:?}");
    }
}

// ---- symlinked dev, proc, dev/pts ----

/// Everything about a directory tree that a create, chmod, chown or
/// bind-over would change.
fn snapshot(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).unwrap();
        out.push(format!(
            "{} {:o} {}:{} {} {} {}.{}",
            p.display(),
            m.mode(),
            m.uid(),
            m.gid(),
            m.size(),
            m.ino(),
            m.mtime(),
            m.mtime_nsec()
        ));
        if m.is_dir() {
            for e in fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// DIR/`which` replaced by a symlink (absolute or relative) to a host
/// directory that the container's ids could write to.
fn symlink_case(caller: Caller, which: &str, relative: bool) {
    let root = rootfs();
    let host = TempDir::new();
    set_mode(host.path(), 0o777);
    host.write("sentinel", "host\n", 0o666);
    host.mkdir("pts", 0o777);
    let before = snapshot(host.path());
    let link = root.join(which);
    if link.exists() {
        fs::remove_dir(&link).unwrap_or_else(|e| panic!("{}: {e}", link.display()));
    }
    let target = if relative {
        let depth = which.matches('/').count() + 1;
        format!("{}{}", "../".repeat(depth + 1), host.path().strip_prefix("/").unwrap().display())
    } else {
        host.str().to_string()
    };
    symlink(&target, &link).unwrap();
    let host_mounts = host_mountinfo();

    let bin = bin_str();
    let user = User::default();
    let mut bg = Background::spawn(
        &contain_argv(&bin, root.str(), &["sleep", "100"]),
        if caller == Caller::Unprivileged { Some(&user) } else { None },
    );
    let sup = bg.pid();
    let init = poll_until(TIMEOUT, || {
        if bg.try_wait().is_some() {
            return Some(None);
        }
        proc_children(sup)
            .into_iter()
            .find(|&c| fs::read_to_string(format!("/proc/{c}/comm")).unwrap_or_default() == "sleep\n")
            .map(Some)
    })
    .unwrap_or_else(|| panic!("{caller:?} {which}: neither ended nor started"));
    let what = format!("{caller:?}: {which} -> {target}");
    match init {
        None => {
            // Failing is allowed, clearly.
            let r = bg.finish();
            assert_eq!(r.code(), Some(1), "{what}: {r:?}");
            assert_eq!(r.err_lines().len(), 1, "{what}: {r:?}");
            assert!(r.stderr.starts_with("contain: "), "{what}: {r:?}");
        }
        Some(init) => {
            bg.track(init);
            let mountinfo = fs::read_to_string(format!("/proc/{init}/mountinfo")).unwrap();
            for mp in mount_points(&mountinfo) {
                // (/sys: the binary mounts a sysfs on a real DIR/sys; not in SPEC.)
                assert!(
                    MOUNT_POINTS.contains(&mp.as_str()) || mp == "/sys",
                    "{what}: unexpected mount {mp}:\n{mountinfo}"
                );
                // Whatever is mounted is a real directory or node inside DIR, not the symlink.
                let inside = fs::symlink_metadata(format!("/proc/{init}/root{mp}")).unwrap();
                assert!(!inside.file_type().is_symlink(), "{what}: {mp} is a symlink:\n{mountinfo}");
            }
            if which == "dev/pts" {
                let (_, fstype, _) = mount_opts(mount_line(&mountinfo, "/dev/pts"));
                assert_eq!(fstype, "devpts", "{what}");
            }
            // The symlink itself is still there, unchanged.
            assert_eq!(fs::read_link(&link).unwrap().to_str().unwrap(), target, "{what}");
            signal_pid(sup, SIGKILL);
            bg.wait_timeout(TIMEOUT).expect("the supervisor did not die");
        }
    }
    assert_eq!(snapshot(host.path()), before, "{what}: the host directory changed");
    assert_eq!(host_mountinfo(), host_mounts, "{what}: the host's mounts changed");
}

#[test]
fn a_symlinked_standard_mount_point_leaves_the_host_directory_alone() {
    for caller in Caller::BOTH {
        for point in ["dev", "proc", "dev/pts", "sys"] {
            symlink_case(caller, point, false);
            symlink_case(caller, point, true);
        }
    }
}

// ---- exit status ----

#[test]
fn exit_status_is_cmds() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let r = contain(caller, &root, &["sh", "-c", "exit 42"]);
        assert_eq!(r.code(), Some(42), "{caller:?}: {r:?}");
        let r = contain(caller, &root, &["/bin/true"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let r = contain(caller, &root, &["/bin/false"]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
    }
}

#[test]
fn cmd_killed_by_sigsegv_kills_contain_by_sigsegv() {
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "segv");
        let r = contain_no_core(caller, &root, &["/segv"]);
        assert_eq!(r.signal(), Some(SIGSEGV), "{caller:?}: {r:?}");
        assert!(!root.join("core").exists(), "{caller:?}");
    }
}

#[test]
fn not_found_is_127_and_not_executable_is_126() {
    for caller in Caller::BOTH {
        let root = rootfs();
        root.write("notexec", "#!/bin/sh\necho ran\n", 0o644);
        let r = contain(caller, &root, &["no-such-cmd"]);
        assert_eq!(r.code(), Some(127), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, "contain: no-such-cmd: No such file or directory\n", "{caller:?}: {r:?}");
        // Present on the host, absent from the new root.
        let r = contain(caller, &root, &["/usr/bin/setpriv"]);
        assert_eq!(r.code(), Some(127), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, "contain: /usr/bin/setpriv: No such file or directory\n", "{caller:?}: {r:?}");
        let r = contain(caller, &root, &["/notexec"]);
        assert_eq!(r.code(), Some(126), "{caller:?}: {r:?}");
        assert!(r.stderr.starts_with("contain: /notexec: "), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "", "{caller:?}: {r:?}");
    }
}

// ---- signals ----

#[test]
fn sigkill_to_the_supervisor_ends_the_whole_container_within_a_second() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let mut c = Container::start(caller, root.str(), &["sh", "-c", "sleep 100 & sleep 101 & wait"]);
        let kids = poll_until(TIMEOUT, || {
            let k = proc_children(c.init);
            (k.len() == 2).then_some(k)
        })
        .expect("the init's children did not start");
        for &k in &kids {
            c.bg.track(k);
        }
        let start = Instant::now();
        assert!(signal_pid(c.sup(), SIGKILL));
        let gone = poll_until(Duration::from_secs(1), || {
            (proc_gone(c.init) && kids.iter().all(|&k| proc_gone(k))).then_some(())
        });
        assert!(
            gone.is_some(),
            "{caller:?}: after SIGKILL to the supervisor, init {} is {:?} and its children {:?} after {:?}",
            c.init,
            proc_state(c.init),
            kids.iter().map(|&k| proc_state(k)).collect::<Vec<_>>(),
            start.elapsed()
        );
        assert_eq!(
            c.bg.wait_timeout(TIMEOUT).and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s)),
            Some(SIGKILL)
        );
    }
}

/// `contain DIR sleep 100`; `sig` to the supervisor ends it within 2 s by `sig`.
fn signal_ends_sleep(caller: Caller, sig: i32) {
    let root = rootfs();
    let mut c = Container::start(caller, root.str(), &["sleep", "100"]);
    let start = Instant::now();
    assert!(signal_pid(c.sup(), sig));
    let status = c.bg.wait_timeout(Duration::from_secs(2));
    let elapsed = start.elapsed();
    let Some(status) = status else {
        panic!("{caller:?}: signal {sig} to the supervisor: contain still running after {elapsed:?}");
    };
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(sig), "{caller:?}: {status}");
    let gone = poll_until(Duration::from_secs(2), || proc_gone(c.init).then_some(()));
    assert!(gone.is_some(), "{caller:?}: the init {} is still {:?}", c.init, proc_state(c.init));
    assert_eq!(c.bg.stdout(), "", "{caller:?}");
}

#[test]
fn term_int_hup_and_quit_to_the_supervisor_end_sleep_within_2s() {
    for caller in Caller::BOTH {
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGQUIT] {
            signal_ends_sleep(caller, sig);
        }
    }
}

/// A CMD that traps `name` sees it when the supervisor gets `sig`.
fn trapped_signal_is_forwarded(caller: Caller, sig: i32, name: &str) {
    let root = rootfs();
    let script = format!("trap 'echo got {name}; exit 0' {name}; sleep 100 & wait");
    let mut c = Container::start(caller, root.str(), &["sh", "-c", &script]);
    // The trap is installed (SigCgt) and the shell is waiting for its sleep.
    wait_caught(c.init, sig);
    let ready = poll_until(TIMEOUT, || Some(proc_children(c.init)).filter(|kids| !kids.is_empty()))
        .expect("the sleep was never started");
    for k in ready {
        c.bg.track(k);
    }
    let start = Instant::now();
    assert!(signal_pid(c.sup(), sig));
    let status = c.bg.wait_timeout(Duration::from_secs(5));
    let Some(status) = status else {
        panic!("{caller:?}: {name} to the supervisor: still running after {:?}", start.elapsed());
    };
    assert_eq!(c.bg.stdout(), format!("got {name}\n"), "{caller:?}: stderr: {}", c.bg.stderr());
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(sig), "{caller:?}: {status}");
    assert!(poll_until(Duration::from_secs(2), || proc_gone(c.init).then_some(())).is_some(), "{caller:?}");
}

#[test]
fn a_cmd_that_traps_term_or_int_sees_it() {
    for caller in Caller::BOTH {
        for (sig, name) in [(SIGTERM, "TERM"), (SIGINT, "INT")] {
            trapped_signal_is_forwarded(caller, sig, name);
        }
    }
}

/// An init that takes SIGTERM and does not stop on it: a second SIGTERM
/// to contain kills the container, and contain says so in one line (SPEC
/// §5.5, Signals; issue 24), then ends by SIGTERM.
#[test]
fn a_second_sigterm_kills_and_says_so() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let script = "trap 'echo asked' TERM; while :; do sleep 1; done";
        let mut c = Container::start(caller, root.str(), &["sh", "-c", script]);
        wait_caught(c.init, SIGTERM);
        assert!(signal_pid(c.sup(), SIGTERM));
        let asked = poll_until(TIMEOUT, || (c.bg.stdout() == "asked\n").then_some(()));
        assert!(asked.is_some(), "{caller:?}: the init never saw the first SIGTERM: {}", c.bg.stderr());
        assert!(c.bg.try_wait().is_none(), "{caller:?}: the init stopped on its first SIGTERM");
        assert!(signal_pid(c.sup(), SIGTERM));
        let status = c.bg.wait_timeout(TIMEOUT).expect("hang guard: a second SIGTERM did not end contain");
        assert_eq!(
            (std::os::unix::process::ExitStatusExt::signal(&status), c.bg.stderr().as_str()),
            (Some(SIGTERM), "contain: a second SIGTERM: the container is killed (SIGKILL), not stopped cleanly\n"),
            "{caller:?}"
        );
    }
}

// ---- the caller's terminal ----

#[test]
fn tiocsti_from_inside_fails_on_the_callers_terminal() {
    let legacy = fs::read_to_string("/proc/sys/dev/tty/legacy_tiocsti").map(|s| s.trim() == "1").unwrap_or(true);
    for caller in Caller::BOTH {
        let root = rootfs();
        let helper = cc_static(&root, "tiocsti");
        let bin = bin_str();
        if legacy {
            // Control: on the same terminal, outside a container, TIOCSTI works.
            let push = format!("{} push x", sh_quote(helper.to_str().unwrap()));
            let r = caller.run(&["script", "-qec", &push, "/dev/null"]);
            assert!(r.stdout.contains("isatty=1"), "{caller:?}: control: {r:?}");
            assert!(r.stdout.contains("tiocsti=ok"), "{caller:?}: control: {r:?}");
        }
        // Without the console (-c): the init gets the caller's terminal as
        // stdin but, in a new session, not as its controlling terminal.
        // (With the console, tests/console.rs checks the same.)
        let inner = format!("{} contain -c {} /tiocsti push x", sh_quote(&bin), sh_quote(root.str()));
        let r = caller.run(&["script", "-qec", &inner, "/dev/null"]);
        assert!(r.stdout.contains("isatty=1"), "{caller:?}: not on a terminal: {r:?}");
        assert!(r.stdout.contains("tiocsti=failed"), "{caller:?}: TIOCSTI worked from inside: {r:?}");
        assert!(!r.stdout.contains("tiocsti=ok"), "{caller:?}: {r:?}");
        // The mechanism: the init leads its own session, with no controlling terminal.
        let inner = format!("{} contain -c {} cut -d' ' -f6,7 /proc/1/stat", sh_quote(&bin), sh_quote(root.str()));
        let r = caller.run(&["script", "-qec", &inner, "/dev/null"]);
        assert_eq!(r.stdout.trim(), "1 0", "{caller:?}: session and tty_nr of the init: {r:?}");
    }
}

// ---- nothing left behind ----

/// 200 containers in a row, `sh` looping over `contain DIR /bin/true DIR`
/// (the DIR argument marks the processes as this test's).
fn two_hundred(caller: Option<&User>) {
    let root = rootfs();
    let bin = bin_str();
    let token = root.str().to_string();
    let script = "i=0; while [ $i -lt 200 ]; do \"$0\" contain \"$1\" /bin/true \"$1\" || { echo \"run $i: $?\"; exit 1; }; i=$((i+1)); done; echo done";
    let before = host_mountinfo();
    let start = Instant::now();
    let r = match caller {
        None => {
            // Directly in the host's mount namespace.
            let mut cmd = Command::new("sh");
            cmd.args(["-c", script, &bin, &token]);
            run_command(cmd)
        }
        Some(user) => user.run(&["sh", "-c", script, &bin, &token]),
    };
    let elapsed = start.elapsed();
    assert_eq!(r.stdout, "done\n", "{r:?}");
    r.success();
    assert_eq!(host_mountinfo(), before, "the host's /proc/self/mountinfo changed");
    let left = processes_with(&token);
    assert!(left.is_empty(), "processes left behind: {left:?}");
    eprintln!("200 containers in {elapsed:?}");
}

#[test]
fn two_hundred_containers_as_root_leave_nothing_behind() {
    two_hundred(None);
}

#[test]
fn two_hundred_containers_unprivileged_leave_nothing_behind() {
    two_hundred(Some(&User::default()));
}

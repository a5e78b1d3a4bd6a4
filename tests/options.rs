//! Issue 14 "Done when" (SPEC v2 §4 MAP, §5.3, §5.5 options, §5.6): the
//! options of contain and pseudo (-u/-g maps, -b/-r binds, -t tmpfs,
//! -v volatile root, -o outside helper, -k stop signal), the default CMD,
//! `--`, unknown options and --help. As root and as the unprivileged test
//! user (uid 4000, subuid/subgid 200000:65536) wherever the option applies.
mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

// ---- harness additions local to this file ----

/// The root default map of SPEC §4 v2 at top level (TOP 4294967294, N 65535).
const ROOT_DEFAULT_V2: [&str; 2] = ["0 4294967294 1", "1 4294901759 65535"];

/// The unprivileged default with the test user's range.
const USER_DEFAULT: [&str; 2] = ["0 4000 1", "1 200000 65536"];

/// `[bin, "contain", args...]`.
fn contain_argv<'a>(bin: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec![bin, "contain"];
    argv.extend_from_slice(args);
    argv
}

/// `contain ARGS...` as `caller`.
fn contain(caller: Caller, args: &[&str]) -> Run {
    let bin = bin_str();
    caller.run(&contain_argv(&bin, args))
}

/// `pseudo ARGS...` as `caller`.
fn pseudo(caller: Caller, args: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), "pseudo"];
    argv.extend_from_slice(args);
    caller.run(&argv)
}

/// Start `BIN contain ARGS...` in the background and wait for the init.
#[track_caller]
fn start(caller: Caller, args: &[&str]) -> Container {
    let user = (caller == Caller::Unprivileged).then(User::default);
    Container::start_full(&[], &bin_str(), args, user.as_ref())
}

/// The mountinfo line fields of mount point `mp`: (per-mount options, fstype).
fn mount_of(mountinfo: &str, mp: &str) -> (Vec<String>, String) {
    let line = mountinfo
        .lines()
        .find(|l| l.split_whitespace().nth(4) == Some(mp))
        .unwrap_or_else(|| panic!("no mount at {mp}:\n{mountinfo}"));
    let f: Vec<&str> = line.split_whitespace().collect();
    let dash = f.iter().position(|x| *x == "-").unwrap();
    (f[5].split(',').map(str::to_string).collect(), f[dash + 1].to_string())
}

/// Everything of a tree that a write could change: per path, the type,
/// mode, owner and content (or link target).
fn content_snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).unwrap();
        let what = if m.file_type().is_symlink() {
            format!("-> {}", fs::read_link(&p).unwrap().display())
        } else if m.is_dir() {
            for e in fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
            "dir".to_string()
        } else {
            let bytes = fs::read(&p).unwrap_or_default();
            // FNV-1a: a checksum of the content.
            let mut h: u64 = 0xcbf29ce484222325;
            for b in &bytes {
                h = (h ^ *b as u64).wrapping_mul(0x100000001b3);
            }
            format!("{} bytes fnv {h:016x}", bytes.len())
        };
        out.insert(
            p.strip_prefix(dir).unwrap().display().to_string(),
            format!("{:o} {}:{} {what}", m.mode(), m.uid(), m.gid()),
        );
    }
    out
}

/// A rootfs owned (every file) by the container root of `caller`: with the
/// root default map an unmapped host root owns nothing the container can
/// write, so a root that the container must change (a missing DST, -v
/// writes over DIR's own files) belongs to 4294967294 (root) or 4000.
fn owned_rootfs(caller: Caller) -> TempDir {
    let root = rootfs();
    let id = match caller {
        Caller::Root => "4294967294:4294967294".to_string(),
        Caller::Unprivileged => format!("{UID}:{GID}"),
    };
    let done = Command::new("chown").args(["-hR", &id]).arg(root.path()).status().unwrap();
    assert!(done.success(), "cannot chown {}", root.str());
    root
}

/// A host directory for binds, with a file `hello`, writable by the
/// container's root of `caller` (owned by uid 4000 for the unprivileged
/// caller; mode 0777 for root, whose container root is an unmapped id).
fn bind_source(caller: Caller) -> TempDir {
    let src = TempDir::new();
    src.write("hello", "from the host\n", 0o644);
    set_mode(src.path(), 0o777);
    if caller == Caller::Unprivileged {
        chown(src.path(), UID, GID);
        chown(&src.join("hello"), UID, GID);
    }
    src
}

/// Assert a usage error: exit 64, nothing on stdout, first stderr line
/// `first`, second line the applet's usage.
#[track_caller]
fn assert_usage(r: &Run, applet: &str, first: &str, what: &str) {
    assert_eq!(r.code(), Some(64), "{what}: {r:?}");
    assert_eq!(r.stdout, "", "{what}: {r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.first().copied(), Some(first), "{what}: {r:?}");
    assert!(
        lines.get(1).is_some_and(|l| l.starts_with(&format!("Usage: {applet}"))),
        "{what}: the usage does not follow: {r:?}"
    );
}

// ---- -u / -g ----

#[test]
fn root_u_and_g_give_exactly_those_maps_in_contain_and_pseudo() {
    let root = rootfs();
    for (u, g, want_u, want_g) in [
        ("0:100000:1000", "0:100000:1000", vec!["0 100000 1000"], vec!["0 100000 1000"]),
        ("0:100000:1000,1000:500000:10", "0:300000:5", vec!["0 100000 1000", "1000 500000 10"], vec!["0 300000 5"]),
    ] {
        let r = contain(Caller::Root, &["-u", u, "-g", g, root.str(), "sh", "-c", IDS_SCRIPT]);
        assert_eq!(r.code(), Some(0), "contain -u {u} -g {g}: {r:?}");
        let ids = Ids::parse(&r);
        assert_eq!(
            (ids.uid_map.clone(), ids.gid_map.clone()),
            (want_u.iter().map(|s| s.to_string()).collect(), want_g.iter().map(|s| s.to_string()).collect()),
            "contain -u {u} -g {g}: {r:?}"
        );
        assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
        assert_eq!(r.stderr, "", "{r:?}");
        let r = pseudo(Caller::Root, &["-u", u, "-g", g, "sh", "-c", IDS_SCRIPT]);
        assert_eq!(r.code(), Some(0), "pseudo -u {u} -g {g}: {r:?}");
        let ids = Ids::parse(&r);
        assert_eq!(
            (ids.uid_map.clone(), ids.gid_map.clone()),
            (want_u.iter().map(|s| s.to_string()).collect(), want_g.iter().map(|s| s.to_string()).collect()),
            "pseudo -u {u} -g {g}: {r:?}"
        );
        assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    }
    // `pseudo -u ... -g ... id`.
    let r = pseudo(Caller::Root, &["-u", "0:100000:1000", "-g", "0:100000:1000", "id"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "uid=0(root) gid=0(root) groups=0(root)\n", ""),
        "{r:?}"
    );
}

/// An unprivileged container's maps as seen inside (SPEC §4 v3): nested in
/// the outer namespace that carries `map`, every id onto itself.
fn nested(map: &[String]) -> Vec<String> {
    map.iter()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            format!("{} {} {}", f[0], f[0], f[2])
        })
        .collect()
}

#[test]
fn u_without_g_and_g_without_u_leave_the_other_map_at_its_default() {
    let root = rootfs();
    for caller in Caller::BOTH {
        let (u, want_other): (&str, Vec<String>) = match caller {
            Caller::Root => ("0:100000:1000", ROOT_DEFAULT_V2.iter().map(|s| s.to_string()).collect()),
            Caller::Unprivileged => ("0:4000:1,1:200000:1000", USER_DEFAULT.iter().map(|s| s.to_string()).collect()),
        };
        let want: Vec<String> = u.split(',').map(|e| e.replace(':', " ")).collect();
        let r = contain(caller, &["-u", u, root.str(), "sh", "-c", IDS_SCRIPT]);
        assert_eq!(r.code(), Some(0), "{caller:?}: -u: {r:?}");
        let ids = Ids::parse(&r);
        let inside = |map: &[String]| if caller == Caller::Root { map.to_vec() } else { nested(map) };
        assert_eq!((ids.uid_map, ids.gid_map), (inside(&want), inside(&want_other)), "{caller:?}: -u: {r:?}");
        let r = pseudo(caller, &["-g", u, "sh", "-c", IDS_SCRIPT]);
        assert_eq!(r.code(), Some(0), "{caller:?}: pseudo -g: {r:?}");
        let ids = Ids::parse(&r);
        assert_eq!((ids.uid_map, ids.gid_map), (want_other, want), "{caller:?}: pseudo -g: {r:?}");
    }
}

#[test]
fn a_map_that_does_not_map_0_inside_runs_the_init_as_the_overflow_uid() {
    let root = rootfs();
    let r = contain(
        Caller::Root,
        &["-u", "1:100000:10", "-g", "1:100000:10", root.str(), "sh", "-c", "cat /proc/self/uid_map; id -u; id -g"],
    );
    assert_eq!(r.code(), Some(0), "{r:?}");
    let lines: Vec<String> = r.lines().iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(lines, ["1 100000 10", "65534", "65534"], "{r:?}");
    let r = pseudo(Caller::Root, &["-u", "1:100000:10", "-g", "1:100000:10", "sh", "-c", "id -u; id -g"]);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "65534\n65534\n"), "pseudo: {r:?}");
}

#[test]
fn unprivileged_u_and_g_inside_the_callers_ranges_go_through_the_helpers() {
    let root = rootfs();
    let map = "0:4000:1,1:200000:1000";
    let want: Vec<String> = ["0 4000 1", "1 200000 1000"].iter().map(|s| s.to_string()).collect();
    let r = contain(Caller::Unprivileged, &["-u", map, "-g", map, root.str(), "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "contain: {r:?}");
    let ids = Ids::parse(&r);
    assert_eq!((&ids.uid_map, &ids.gid_map), (&nested(&want), &nested(&want)), "contain: {r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    let r = pseudo(Caller::Unprivileged, &["-u", map, "-g", map, "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "pseudo: {r:?}");
    let ids = Ids::parse(&r);
    assert_eq!((&ids.uid_map, &ids.gid_map), (&want, &want), "pseudo: {r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn unprivileged_maps_outside_the_callers_ranges_are_the_helpers_refusal() {
    let root = rootfs();
    let good = "0:4000:1,1:200000:1000";
    let bad = "0:4000:1,1:300000:10";
    for applet in ["contain", "pseudo"] {
        for (u, g, helper) in [(bad, good, "newuidmap"), (good, bad, "newgidmap")] {
            let mut args = vec!["-u", u, "-g", g];
            if applet == "contain" {
                args.push(root.str());
            }
            args.extend(["/bin/touch", "/tmp/ucontain-should-not-exist"]);
            let r = if applet == "contain" {
                contain(Caller::Unprivileged, &args)
            } else {
                pseudo(Caller::Unprivileged, &args)
            };
            let what = format!("{applet} -u {u} -g {g}");
            assert_eq!(r.code(), Some(1), "{what}: {r:?}");
            let lines = r.err_lines();
            assert_eq!(
                lines.last().copied(),
                Some(format!("{applet}: {helper} failed: exit status 1").as_str()),
                "{what}: {r:?}"
            );
            assert!(lines.len() >= 2, "{what}: the helper said nothing: {r:?}");
            for l in &lines[..lines.len() - 1] {
                assert!(l.starts_with(&format!("{helper}: ")), "{what}: not the helper's own message: {r:?}");
            }
            assert_eq!(r.stdout, "", "{what}: {r:?}");
            assert!(
                !Path::new("/tmp/ucontain-should-not-exist").exists()
                    && !root.join("tmp/ucontain-should-not-exist").exists(),
                "{what}: CMD ran"
            );
        }
    }
}

#[test]
fn malformed_overlapping_too_many_and_out_of_range_maps_are_usage_errors_naming_the_entry() {
    let seventeen: Vec<String> = (0..17).map(|i| format!("{i}:{}:1", 100000 + i)).collect();
    let seventeen = seventeen.join(",");
    let cases: Vec<(&str, &str, &str)> = vec![
        ("abc", "abc", "not INSIDE:OUTSIDE:COUNT"),
        ("0:100000", "0:100000", "not INSIDE:OUTSIDE:COUNT"),
        ("0:100000:10:5", "0:100000:10:5", "not INSIDE:OUTSIDE:COUNT"),
        ("0:x:10", "0:x:10", "not INSIDE:OUTSIDE:COUNT"),
        ("0::10", "0::10", "not INSIDE:OUTSIDE:COUNT"),
        ("0:-1:10", "0:-1:10", "not INSIDE:OUTSIDE:COUNT"),
        ("0:100000:1,1:2:3:4", "1:2:3:4", "not INSIDE:OUTSIDE:COUNT"),
        ("0:100000:0", "0:100000:0", "count is 0"),
        ("0:100000:1,1:200000:0", "1:200000:0", "count is 0"),
        ("4294967295:0:1", "4294967295:0:1", "out of range"),
        ("4294967294:0:2", "4294967294:0:2", "out of range"),
        ("0:4294967294:2", "0:4294967294:2", "out of range"),
        ("0:100000:10,5:200000:10", "5:200000:10", "overlaps another entry"),
        ("0:100000:1,0:200000:1", "0:200000:1", "overlaps another entry"),
        ("0:100000:10,20:100005:10", "20:100005:10", "overlaps another entry"),
        (seventeen.as_str(), "16:100016:1", "more than 16 entries"),
    ];
    let root = rootfs();
    for caller in Caller::BOTH {
        for (map, entry, reason) in &cases {
            for opt in ["-u", "-g"] {
                let first = format!("contain: bad map entry '{entry}': {reason}");
                let r = contain(caller, &[opt, map, root.str(), "/bin/touch", "/ran"]);
                assert_usage(&r, "contain", &first, &format!("{caller:?}: contain {opt} {map}"));
                assert!(!root.join("ran").exists(), "{caller:?}: contain {opt} {map}: CMD ran");
                let first = format!("pseudo: bad map entry '{entry}': {reason}");
                let r = pseudo(caller, &[opt, map, "/bin/true"]);
                assert_usage(&r, "pseudo", &first, &format!("{caller:?}: pseudo {opt} {map}"));
            }
        }
    }
    // Control: 16 entries are fine.
    let sixteen: Vec<String> = (0..16).map(|i| format!("{i}:{}:1", 100000 + i)).collect();
    let r = pseudo(Caller::Root, &["-u", &sixteen.join(","), "cat", "/proc/self/uid_map"]);
    assert_eq!(r.code(), Some(0), "16 entries: {r:?}");
    assert_eq!(map_lines(&r.stdout).len(), 16, "{r:?}");
}

// ---- -b / -r ----

#[test]
fn b_shows_host_files_inside_and_writes_reach_the_host() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        let src = bind_source(caller);
        let spec = format!("{}:/mnt/x", src.str());
        let r = contain(caller, &["-b", &spec, root.str(), "sh", "-c", "cat /mnt/x/hello && echo inside > /mnt/x/new"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "from the host\n", "{caller:?}: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: {r:?}");
        assert_eq!(fs::read_to_string(src.join("new")).unwrap(), "inside\n", "{caller:?}");
        assert!(root.join("mnt/x").is_dir(), "{caller:?}: the missing DST was not created inside DIR");
        assert!(fs::read_dir(root.join("mnt/x")).unwrap().next().is_none(), "{caller:?}: DIR/mnt/x got the files");
        // Default DST = SRC.
        let r = contain(caller, &["-b", src.str(), root.str(), "cat", &src.join_str("hello")]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "from the host\n", ""),
            "{caller:?}: default DST: {r:?}"
        );
        // A file SRC: a missing DST file is created.
        let file = src.join_str("hello");
        let r = contain(caller, &["-b", &format!("{file}:/etc/hostfile"), root.str(), "cat", "/etc/hostfile"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "from the host\n", ""),
            "{caller:?}: file SRC: {r:?}"
        );
        assert!(root.join("etc/hostfile").is_file(), "{caller:?}: DIR/etc/hostfile was not created");
    }
}

#[test]
fn r_refuses_writes_on_the_bind_and_on_its_submounts() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        let src = bind_source(caller);
        src.mkdir("sub", 0o777);
        let setup = format!("mount -t tmpfs -o mode=777 sub {}", sh_quote(&src.join_str("sub")));
        let bin = bin_str();
        let script = "touch /ro/a; touch /ro/sub/a; grep -E ' /ro(/sub)? ' /proc/self/mountinfo | cut -d' ' -f5,6";
        // Control: with -b, both writes work.
        let spec = format!("{}:/ro", src.str());
        let r = run_after(caller, &setup, &contain_argv(&bin, &["-b", &spec, root.str(), "sh", "-c", script]));
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: control: {r:?}");
        let _ = fs::remove_file(src.join("a"));
        let r = run_after(caller, &setup, &contain_argv(&bin, &["-r", &spec, root.str(), "sh", "-c", script]));
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(
            r.stderr, "touch: /ro/a: Read-only file system\ntouch: /ro/sub/a: Read-only file system\n",
            "{caller:?}: {r:?}"
        );
        for line in r.lines() {
            let (_, opts) = line.split_once(' ').unwrap();
            assert!(opts.split(',').any(|o| o == "ro"), "{caller:?}: not read-only: {line}");
            assert!(opts.split(',').any(|o| o == "nodev"), "{caller:?}: not nodev: {line}");
        }
        assert_eq!(r.lines().len(), 2, "{caller:?}: {r:?}");
        assert!(!src.join("a").exists(), "{caller:?}");
    }
}

#[test]
fn a_dst_that_is_a_symlink_out_of_dir_creates_and_binds_nothing_outside() {
    for caller in Caller::BOTH {
        for relative in [false, true] {
            let root = owned_rootfs(caller);
            let src = bind_source(caller);
            let outside = TempDir::new();
            set_mode(outside.path(), 0o777);
            let before = content_snapshot(outside.path());
            root.mkdir("mnt", 0o755);
            let target =
                if relative { format!("../../../../../../..{}", outside.str()) } else { outside.str().to_string() };
            symlink(&target, root.join("mnt/link")).unwrap();
            let host = host_mountinfo();
            for dst in ["/mnt/link/x", "/mnt/link"] {
                let spec = format!("{}:{dst}", src.str());
                let r = contain(caller, &["-b", &spec, root.str(), "/bin/true"]);
                let what = format!("{caller:?}: -b {spec} (link -> {target})");
                // Either refused with one line, or bound inside DIR.
                match r.code() {
                    Some(1) => {
                        assert_eq!(r.err_lines().len(), 1, "{what}: {r:?}");
                        assert!(r.stderr.starts_with("contain: "), "{what}: {r:?}");
                    }
                    Some(0) => assert_eq!(r.stderr, "", "{what}: {r:?}"),
                    _ => panic!("{what}: {r:?}"),
                }
                assert_eq!(content_snapshot(outside.path()), before, "{what}: something was created outside DIR");
                assert_eq!(
                    fs::read_link(root.join("mnt/link")).unwrap().to_str().unwrap(),
                    target,
                    "{what}: the symlink changed"
                );
            }
            assert_eq!(host_mountinfo(), host, "{caller:?}: the host's mounts changed");
        }
    }
}

#[test]
fn a_missing_or_unreadable_src_is_a_step_failure_naming_it() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let missing = format!("/tmp/ucontain-no-such-src-{}", std::process::id());
        for opt in ["-b", "-r"] {
            let spec = format!("{missing}:/mnt/x");
            let r = no_mount_leak(|| contain(caller, &[opt, &spec, root.str(), "/bin/touch", "/ran"]));
            let what = format!("{caller:?}: {opt} {spec}");
            assert_eq!(r.code(), Some(1), "{what}: {r:?}");
            let lines = r.err_lines();
            assert_eq!(lines.len(), 1, "{what}: {r:?}");
            assert!(
                lines[0].starts_with("contain: ") && lines[0].contains(&missing),
                "{what}: the line does not name SRC: {r:?}"
            );
            assert!(lines[0].ends_with(": No such file or directory"), "{what}: {r:?}");
            assert!(!root.join("ran").exists(), "{what}: CMD ran");
        }
    }
    // Unreadable for the unprivileged caller: a root-only directory.
    let root = rootfs();
    let secret = TempDir::new();
    set_mode(secret.path(), 0o700);
    let inner = secret.mkdir("inner", 0o755);
    let spec = format!("{}:/mnt/x", inner.display());
    let r = contain(Caller::Unprivileged, &["-b", &spec, root.str(), "/bin/touch", "/ran"]);
    assert_eq!(r.code(), Some(1), "{r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(lines[0].starts_with("contain: ") && lines[0].contains(inner.to_str().unwrap()), "{r:?}");
    assert!(lines[0].ends_with(": Permission denied"), "{r:?}");
    assert!(!root.join("ran").exists(), "CMD ran");
}

#[test]
fn a_device_node_reached_through_a_bind_does_not_open() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        cc_static(&root, "opendev");
        let src = bind_source(caller);
        let made =
            Command::new("mknod").args(["-m", "666"]).arg(src.join("null")).args(["c", "1", "3"]).status().unwrap();
        assert!(made.success());
        // Control: on the host it opens.
        let r = caller.run(&[&root.join_str("opendev"), &src.join_str("null")]);
        assert_eq!(r.stdout, format!("{} rd=ok wr=ok\n", src.join_str("null")), "{caller:?}: control: {r:?}");
        for opt in ["-b", "-r"] {
            let spec = format!("{}:/mnt/d", src.str());
            let r = contain(
                caller,
                &[
                    opt,
                    &spec,
                    root.str(),
                    "sh",
                    "-c",
                    "/opendev /mnt/d/null; grep ' /mnt/d ' /proc/self/mountinfo | cut -d' ' -f6",
                ],
            );
            assert_eq!(r.code(), Some(0), "{caller:?}: {opt}: {r:?}");
            let lines = r.lines();
            assert_eq!(
                lines.first().copied(),
                Some("/mnt/d/null rd=Permission denied wr=Permission denied"),
                "{caller:?}: {opt}: {r:?}"
            );
            assert!(
                lines.get(1).is_some_and(|o| o.split(',').any(|x| x == "nodev")),
                "{caller:?}: {opt}: the bind is not nodev: {r:?}"
            );
        }
    }
}

#[test]
fn binds_and_tmpfs_apply_after_the_standard_mounts_in_the_order_given() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        let src = bind_source(caller);
        let spec = format!("{}:/mnt/x", src.str());
        let r = contain(caller, &["-t", "/mnt", "-b", &spec, root.str(), "cat", "/mnt/x/hello"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "from the host\n", ""),
            "{caller:?}: {r:?}"
        );
        assert!(root.join("mnt").is_dir(), "{caller:?}: -t did not create its DST");
        assert!(!root.join("mnt/x").exists(), "{caller:?}: /mnt/x was made in DIR, not in the tmpfs");
        // Into the /dev tmpfs.
        let spec = format!("{}:/dev/extra", src.str());
        let r = contain(caller, &["-b", &spec, root.str(), "cat", "/dev/extra/hello"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "from the host\n", ""),
            "{caller:?}: /dev: {r:?}"
        );
        assert!(!root.join("dev/extra").exists(), "{caller:?}: /dev/extra was made in DIR");
    }
}

#[test]
fn up_to_16_binds_and_tmpfs_in_all() {
    let root = owned_rootfs(Caller::Root);
    let mut args: Vec<String> = Vec::new();
    for i in 0..16 {
        args.extend(["-t".to_string(), format!("/m{i}")]);
    }
    let with = |extra: &[&str], n: usize| {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend_from_slice(extra);
        a.extend([root.str(), "sh", "-c", "grep -c ' /m[0-9]* ' /proc/self/mountinfo"]);
        let r = contain(Caller::Root, &a);
        (r, n)
    };
    let (r, _) = with(&[], 16);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "16\n"), "16: {r:?}");
    let (r, _) = with(&["-t", "/m16"], 17);
    assert_eq!(r.code(), Some(64), "17: {r:?}");
    assert!(r.err_lines().iter().any(|l| l.starts_with("Usage: contain")), "17: {r:?}");
}

// ---- -t ----

#[test]
fn t_gives_an_empty_writable_tmpfs_1777_nosuid_nodev() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        root.write("tmp/old", "in DIR\n", 0o644);
        let script = "ls -A /tmp; echo --; stat -c %a /tmp; echo new > /tmp/new && cat /tmp/new; echo --; grep ' /tmp ' /proc/self/mountinfo";
        let r = contain(caller, &["-t", "/tmp", root.str(), "sh", "-c", script]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let parts: Vec<&str> = r.stdout.split("--\n").collect();
        assert_eq!(parts.len(), 3, "{caller:?}: {r:?}");
        assert_eq!(parts[0], "", "{caller:?}: /tmp is not empty: {r:?}");
        assert_eq!(parts[1], "1777\nnew\n", "{caller:?}: {r:?}");
        let (opts, fstype) = mount_of(parts[2], "/tmp");
        assert_eq!(fstype, "tmpfs", "{caller:?}: {r:?}");
        assert!(
            opts.iter().any(|o| o == "nosuid") && opts.iter().any(|o| o == "nodev") && opts.iter().any(|o| o == "rw"),
            "{caller:?}: {opts:?}"
        );
        assert_eq!(r.stderr, "", "{caller:?}: {r:?}");
        assert!(!root.join("tmp/new").exists(), "{caller:?}: the write reached DIR");
        // A missing DST is created.
        let r = contain(
            caller,
            &["-t", "/scratch/deep", root.str(), "sh", "-c", "touch /scratch/deep/f && ls /scratch/deep"],
        );
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "f\n"), "{caller:?}: {r:?}");
        assert!(root.join("scratch/deep").is_dir() && !root.join("scratch/deep/f").exists(), "{caller:?}");
    }
}

// ---- -v ----

#[test]
fn v_keeps_every_write_in_the_container_and_dir_unchanged() {
    for caller in Caller::BOTH {
        let root = owned_rootfs(caller);
        let motd = root.write("etc/motd", "original\n", 0o644);
        let id = if caller == Caller::Root { 4_294_967_294 } else { UID };
        chown(&motd, id, id);
        let before = content_snapshot(root.path());
        let script = "echo changed > /etc/motd && echo new > /newfile && mkdir /newdir && rm /bin/cat.gone 2>/dev/null; \
                      rm /bin/ls && /bin/busybox cat /etc/motd /newfile && test -d /newdir && test ! -e /bin/ls && echo ok";
        let r = contain(caller, &["-v", root.str(), "sh", "-c", script]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "changed\nnew\nok\n", "{caller:?}: {r:?}");
        assert_eq!(r.stderr, "", "{caller:?}: {r:?}");
        assert_eq!(content_snapshot(root.path()), before, "{caller:?}: DIR changed");
        // Control: without -v, the same writes land in DIR.
        let r = contain(caller, &[root.str(), "sh", "-c", "echo changed > /tmp/probe-write"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: control: {r:?}");
        assert!(root.join("tmp/probe-write").exists(), "{caller:?}: control");
    }
}

// ---- -o ----

#[test]
fn o_runs_on_the_host_as_the_caller_with_contain_pid_before_the_init_goes_on() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let out = TempDir::new();
        set_mode(out.path(), 0o777);
        let f = out.join_str("pid");
        let helper = format!(
            "echo $CONTAIN_PID > {f}.tmp; id -u >> {f}.tmp; readlink /proc/self/ns/user >> {f}.tmp; \
             cat /proc/$CONTAIN_PID/uid_map >> {f}.tmp; mv {f}.tmp {f}; sleep 1; echo ready > {d}/flag",
            f = sh_quote(&f),
            d = sh_quote(root.str())
        );
        set_mode(root.path(), 0o777);
        let mut c = start(caller, &["-o", &helper, root.str(), "sh", "-c", "cat /flag; exec sleep 100"]);
        let text = poll_until(TIMEOUT, || fs::read_to_string(&f).ok()).expect("the helper did not run");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], c.init.to_string(), "{caller:?}: CONTAIN_PID is not the init's host pid: {text}");
        assert_eq!(lines[1], caller.id().to_string(), "{caller:?}: the helper does not run as the caller: {text}");
        assert_eq!(lines[2], host_ns("user"), "{caller:?}: the helper is not on the host: {text}");
        let maps = map_lines(&lines[3..].join("\n"));
        let want: Vec<String> = match caller {
            Caller::Root => ROOT_DEFAULT_V2.iter().map(|s| s.to_string()).collect(),
            Caller::Unprivileged => USER_DEFAULT.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(maps, want, "{caller:?}: the maps did not exist yet: {text}");
        poll_until(TIMEOUT, || (c.bg.stdout() == "ready\n").then_some(())).unwrap_or_else(|| {
            panic!("{caller:?}: the init went on before the helper ended: {:?} {:?}", c.bg.stdout(), c.bg.stderr())
        });
        signal_pid(c.sup(), SIGKILL);
        c.bg.wait_timeout(TIMEOUT).expect("the supervisor did not die");
    }
}

#[test]
fn o_helper_moving_a_veth_end_in_makes_it_appear_inside() {
    let root = rootfs();
    let bin = bin_str();
    let helper = "ip link add ucv-host type veth peer name ucv-inside && ip link set ucv-inside netns $CONTAIN_PID";
    // In a network namespace of the test's own: the host's links are never touched.
    let mut c = Command::new("unshare");
    c.args([
        "--net",
        "--mount",
        "--propagation",
        "private",
        "--",
        &bin,
        "contain",
        "-o",
        helper,
        root.str(),
        "sh",
        "-c",
        "ip -o link show ucv-inside | cut -d: -f2",
    ]);
    let r = run_command(c);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.trim().starts_with("ucv-inside"), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    assert!(!Path::new("/sys/class/net/ucv-host").exists(), "the veth reached the host");
}

#[test]
fn a_failing_helper_ends_contain_with_its_status_and_leaves_nothing_running() {
    for caller in Caller::BOTH {
        let root = rootfs();
        for n in [1, 3, 42] {
            let helper = format!("exit {n}");
            let r = no_mount_leak(|| contain(caller, &["-o", &helper, root.str(), "/bin/touch", "/ran"]));
            assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
            assert_eq!(r.stderr, format!("contain: helper failed: exit status {n}\n"), "{caller:?}: {r:?}");
            assert_eq!(r.stdout, "", "{caller:?}: {r:?}");
            assert!(!root.join("ran").exists(), "{caller:?}: the init went on after a failed helper");
        }
        // A helper that leaves the init waiting: still nothing left running
        // (the harness fails a run whose processes outlive it holding its pipes).
        let r = contain(caller, &["-o", "exit 5", root.str(), "sleep", "100"]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(1), "contain: helper failed: exit status 5\n"),
            "{caller:?}: {r:?}"
        );
    }
}

/// The cgroup2 mount point of this host.
fn cgroup2_mount() -> Option<String> {
    host_mountinfo().lines().find_map(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        let dash = f.iter().position(|&x| x == "-")?;
        (f.get(dash + 1) == Some(&"cgroup2")).then(|| f[4].to_string())
    })
}

/// The directory of `pid`'s cgroup in every hierarchy it is in, as the
/// host's mounts show them (those of `/proc/PID/cgroup` that are mounted
/// with their root at `/`, as on the test machines).
fn cgroup_dirs(pid: u32) -> Vec<String> {
    let lines = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
    let mountinfo = host_mountinfo();
    lines
        .lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, controllers, path) = (f.next()?, f.next()?, f.next()?);
            mountinfo.lines().find_map(|m| {
                let f: Vec<&str> = m.split(' ').collect();
                let dash = f.iter().position(|&x| x == "-")?;
                let (fstype, opts) = (f[dash + 1], f.get(dash + 3)?);
                let ours = if controllers.is_empty() {
                    fstype == "cgroup2"
                } else {
                    fstype == "cgroup" && controllers.split(',').all(|c| opts.split(',').any(|o| o == c))
                };
                (ours && f[3] == "/").then(|| format!("{}{path}", f[4]))
            })
        })
        .collect()
}

#[test]
fn o_helper_env_has_contain_pid_name_and_cgroup_and_no_stale_ones() {
    let unified = cgroup2_mount().expect("tests need a cgroup2 mount");
    // The caller's own CONTAIN_ variables (a contain inside a helper, say)
    // are replaced; another one passes.
    let stale = ["env", "CONTAIN_PID=stale", "CONTAIN_NAME=stale", "CONTAIN_CGROUP=stale", "CONTAIN_OTHER=kept"];
    let no_cgroup = User { delegate: false, ..User::default() };
    for (what, user) in [("root", None), ("unprivileged", Some(User::default())), ("no cgroup", Some(no_cgroup))] {
        let root = rootfs();
        let out = TempDir::new();
        set_mode(out.path(), 0o777);
        let f = out.join_str("env");
        let helper = format!(
            "{{ env | grep ^CONTAIN_ | sort; grep -qsx \"$CONTAIN_PID\" \"$CONTAIN_CGROUP/cgroup.procs\" && echo in; \
             echo $PPID; }} > {f}",
            f = sh_quote(&f)
        );
        let bin = bin_str();
        let mut argv = stale.to_vec();
        // A state directory of its own, where the no-cgroup warning is said
        // (once per state directory).
        let runtime = TempDir::new();
        chown(runtime.path(), UID, GID);
        let xdg = format!("XDG_RUNTIME_DIR={}", runtime.str());
        if what == "no cgroup" {
            argv.insert(1, xdg.as_str());
        }
        argv.extend(contain_argv(&bin, &["-o", &helper, root.str(), "true"]));
        let r = match &user {
            None => as_root(&argv),
            Some(user) => user.run(&argv),
        };
        assert_eq!(r.code(), Some(0), "{what}: {r:?}");
        let text = fs::read_to_string(&f).unwrap_or_else(|e| panic!("{what}: the helper wrote nothing: {e}: {r:?}"));
        let lines: Vec<&str> = text.lines().collect();
        let sup = lines.last().copied().unwrap_or("");
        let vars: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("CONTAIN_")).collect();
        let name = format!("CONTAIN_NAME={sup}");
        assert!(vars.iter().any(|v| *v == name), "{what}: CONTAIN_NAME is not the supervisor's pid:\n{text}");
        assert!(vars.contains(&"CONTAIN_OTHER=kept"), "{what}:\n{text}");
        let pid = vars.iter().find_map(|v| v.strip_prefix("CONTAIN_PID=")).unwrap_or("");
        assert!(!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()), "{what}: CONTAIN_PID:\n{text}");
        let cgroup = vars.iter().find_map(|v| v.strip_prefix("CONTAIN_CGROUP="));
        if what == "no cgroup" {
            assert_eq!(vars.len(), 3, "{what}: {vars:?}");
            assert_eq!(cgroup, None, "{what}:\n{text}");
            assert!(!lines.contains(&"in"), "{what}:\n{text}");
            let err = r.err_lines();
            assert!(err.len() == 1 && err[0].starts_with("contain: warning: cannot create cgroup "), "{what}: {r:?}");
        } else {
            assert_eq!(vars.len(), 4, "{what}: {vars:?}");
            let cgroup = cgroup.unwrap_or("");
            let leaf = format!("/ucontain-{sup}");
            assert!(cgroup.starts_with(&unified) && cgroup.ends_with(&leaf), "{what}: CONTAIN_CGROUP {cgroup}");
            assert!(lines.contains(&"in"), "{what}: the init is not in CONTAIN_CGROUP:\n{text}");
            assert_eq!(r.stderr, "", "{what}: {r:?}");
        }
    }
}

#[test]
fn o_sigterm_while_the_helper_runs_ends_helper_and_container_and_leaves_nothing() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let what = format!("{caller:?}");
        let user = (caller == Caller::Unprivileged).then(User::default);
        let bin = bin_str();
        let before = host_mountinfo();
        // The helper's shell forks its command (a second one after it).
        let args = ["-o", "sleep 30; true", root.str(), "sleep", "100"];
        let mut argv = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh"];
        argv.extend(contain_argv(&bin, &args));
        let mut bg = Background::spawn(&argv, user.as_ref());
        let sup = bg.pid();
        let comm = |p: u32| fs::read_to_string(format!("/proc/{p}/cmdline")).unwrap_or_default();
        let helper =
            poll_until(TIMEOUT, || common::pty::descendants(sup).into_iter().find(|&p| comm(p) == "sleep\x0030\x00"))
                .unwrap_or_else(|| panic!("{what}: the helper's sleep did not start: {} {}", bg.stdout(), bg.stderr()));
        bg.track(helper);
        let mut left = common::pty::descendants(sup);
        // The init: the child in a PID namespace of its own.
        let init = proc_children(sup).into_iter().find(|&c| {
            let status = fs::read_to_string(format!("/proc/{c}/status")).unwrap_or_default();
            status.lines().any(|l| l.starts_with("NSpid:") && l.split_whitespace().count() >= 3)
        });
        let cgroups = init.map(cgroup_dirs).unwrap_or_default();
        assert!(
            cgroups.iter().any(|d| d.ends_with(&format!("/ucontain-{sup}"))),
            "{what}: no cgroup of the container: {cgroups:?}"
        );
        left.push(sup);
        assert!(signal_pid(sup, SIGTERM));
        let status = bg.wait_timeout(Duration::from_secs(20));
        let Some(status) = status else { panic!("hang guard: {what}: SIGTERM did not end contain") };
        let r = Run { status, stdout: bg.stdout(), stderr: bg.stderr() };
        assert_eq!((r.signal(), r.stdout.as_str(), r.stderr.as_str()), (Some(SIGTERM), "", ""), "{what}: {r:?}");
        let alive: Vec<u32> = left.iter().copied().filter(|&p| !proc_gone(p)).collect();
        assert!(
            alive.is_empty(),
            "{what}: left running: {alive:?} ({:?})",
            alive.iter().map(|&p| comm(p)).collect::<Vec<_>>()
        );
        for dir in &cgroups {
            if dir.ends_with(&format!("/ucontain-{sup}")) {
                assert!(!Path::new(dir).exists(), "{what}: the cgroup {dir} is left");
            }
        }
        assert_mounts_unchanged(&before);
    }
}

// ---- -k ----

#[test]
fn k_names_the_signal_that_stops_the_init() {
    for caller in Caller::BOTH {
        let root = rootfs();
        cc_static(&root, "catch");
        for (k, num) in [
            ("USR1", 10),
            ("SIGUSR1", 10),
            ("10", 10),
            ("TERM", 15),
            ("SIGTERM", 15),
            ("RTMIN+3", 37),
            ("SIGRTMIN+3", 37),
        ] {
            let n = num.to_string();
            let mut c = start(caller, &["-k", k, root.str(), "/catch", &n, "30"]);
            wait_caught(c.init, num);
            assert!(signal_pid(c.sup(), SIGTERM));
            let r = c.bg.finish();
            assert_eq!(r.stdout, format!("caught {num}\n"), "{caller:?}: -k {k}: {r:?}");
            assert_eq!(r.signal(), Some(SIGTERM), "{caller:?}: -k {k}: {r:?}");
        }
    }
}

#[test]
fn k_with_a_bad_signal_is_a_usage_error() {
    let root = rootfs();
    for caller in Caller::BOTH {
        for bad in ["FOO", "SIGFOO", "65", "RTMIN+99", "-1", "", "USR1x"] {
            let r = contain(caller, &["-k", bad, root.str(), "/bin/touch", "/ran"]);
            assert_usage(&r, "contain", &format!("contain: bad signal '{bad}'"), &format!("{caller:?}: -k {bad:?}"));
            assert!(!root.join("ran").exists(), "{caller:?}: -k {bad:?}: CMD ran");
        }
    }
}

// ---- the default CMD ----

#[test]
fn contain_inject_and_pseudo_default_to_bin_sh() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let bin = bin_str();
        let feed = |script: &str, argv: &[&str]| {
            let mut full = vec!["sh", "-c", "printf '%s\\n' \"$0\" | exec \"$@\"", script];
            full.extend_from_slice(argv);
            caller.run(&full)
        };
        let r = feed("echo pid=$$ exe=$(readlink /proc/$$/exe); exit 4", &[&bin, "contain", root.str()]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(4), "pid=1 exe=/bin/busybox\n", ""),
            "{caller:?}: contain: {r:?}"
        );
        let r = feed("id -u; exit 6", &[&bin, "pseudo"]);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(6), "0\n", ""), "{caller:?}: pseudo: {r:?}");
        let c = Container::start(caller, root.str(), &["sleep", "100"]);
        let pid = c.init.to_string();
        let r = feed("tr '\\0' ' ' < /proc/1/cmdline; echo; exit 5", &[&bin, "inject", &pid]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(5), "sleep 100 \n", ""),
            "{caller:?}: inject: {r:?}"
        );
        // A root without /bin/sh: the 127 message.
        fs::remove_file(root.join("bin/sh")).unwrap();
        let r = feed("exit 0", &[&bin, "inject", &pid]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(127), "inject: /bin/sh: No such file or directory\n"),
            "{caller:?}: inject: {r:?}"
        );
        drop(c);
        let r = feed("exit 0", &[&bin, "contain", root.str()]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(127), "contain: /bin/sh: No such file or directory\n"),
            "{caller:?}: contain: {r:?}"
        );
    }
}

// ---- --, unknown options, --help ----

#[test]
fn options_after_double_dash_or_after_dir_are_positional() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let r = contain(caller, &["--", root.str(), "echo", "-b", "-v", "-u", "x"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "-b -v -u x\n", ""),
            "{caller:?}: {r:?}"
        );
        let r = contain(caller, &[root.str(), "echo", "-t", "/x"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "-t /x\n"), "{caller:?}: {r:?}");
        // A DIR named -v.
        let parent = TempDir::new();
        let named = parent.join("-v");
        fs::rename(root.path(), &named).unwrap();
        let r = caller.run(&[
            "sh",
            "-c",
            "cd \"$1\" && shift && exec \"$@\"",
            "sh",
            parent.str(),
            &bin_str(),
            "contain",
            "--",
            "-v",
            "echo",
            "ok",
        ]);
        fs::rename(&named, root.path()).unwrap();
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "ok\n", ""),
            "{caller:?}: DIR -v: {r:?}"
        );
        let r = caller.run(&["env", "PATH=/usr/bin:/bin", &bin_str(), "pseudo", "--", "-u"]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(127), "pseudo: -u: No such file or directory\n"),
            "{caller:?}: {r:?}"
        );
        let r = pseudo(caller, &["id", "-u"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "0\n"), "{caller:?}: {r:?}");
    }
}

#[test]
fn an_unknown_option_is_exit_64() {
    let root = rootfs();
    for caller in Caller::BOTH {
        for (applet, args) in [
            ("contain", vec!["-x", root.str(), "/bin/touch", "/ran"]),
            ("contain", vec!["--bogus", root.str(), "/bin/touch", "/ran"]),
            ("pseudo", vec!["-x", "/bin/true"]),
            ("inject", vec!["-x", "1", "/bin/true"]),
        ] {
            let bin = bin_str();
            let mut argv = vec![bin.as_str(), applet];
            argv.extend_from_slice(&args);
            let r = caller.run(&argv);
            assert_eq!(r.code(), Some(64), "{caller:?}: {applet} {args:?}: {r:?}");
            assert_eq!(r.stdout, "", "{caller:?}: {applet} {args:?}: {r:?}");
            assert!(
                r.err_lines().iter().any(|l| l.starts_with(&format!("Usage: {applet}"))),
                "{caller:?}: {applet} {args:?}: {r:?}"
            );
        }
        assert!(!root.join("ran").exists());
    }
}

#[test]
fn help_lists_every_option_on_a_line_of_its_own() {
    for (applet, options) in [
        ("contain", &["-c", "-n", "-u", "-g", "-b", "-r", "-t", "-v", "-o", "-k"][..]),
        ("pseudo", &["-u", "-g"][..]),
        ("inject", &["-c"][..]),
    ] {
        let r = run(&[applet, "--help"]);
        assert_eq!(r.code(), Some(0), "{applet}: {r:?}");
        assert_eq!(r.stderr, "", "{applet}: {r:?}");
        assert!(r.stdout.starts_with(&format!("Usage: {applet} ")), "{applet}: {r:?}");
        for opt in options {
            let n = r.lines().iter().filter(|l| l.split_whitespace().next() == Some(opt)).count();
            assert_eq!(n, 1, "{applet} --help: option {opt} is not on exactly one line of its own:\n{}", r.stdout);
        }
    }
}

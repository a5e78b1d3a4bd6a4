//! pivot NEW-ROOT [PUT-OLD] (SPEC §5). Every pivot runs as root inside a
//! private mount namespace (`as_root`), so the host's mounts never change;
//! each test checks that too. After a pivot, the shell that ran it lives on
//! in the new root, where busybox provides /bin/cat.
mod common;

use common::*;

/// x86_64 syscall numbers, for making one step fail with seccomp.
const SYS_PIVOT_ROOT: u32 = 155;
const SYS_MOUNT: u32 = 165;
const SYS_UMOUNT2: u32 = 166;
const EPERM: u32 = 1;

/// Run `script` with sh as root in a private mount namespace, checking the
/// host's mount table is untouched afterwards.
fn in_private_ns(script: &str) -> Run {
    no_mount_leak(|| as_root(&["sh", "-c", script]))
}

/// The mount points (field 5) and roots (field 4) of a mountinfo text.
fn mounts(mountinfo: &str) -> Vec<(String, String)> {
    mountinfo
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[4].to_string(), f[3].to_string())
        })
        .collect()
}

/// Split the output of a script that prints markers, `---`, then mountinfo.
fn split(r: &Run) -> (&str, Vec<(String, String)>) {
    let (head, mountinfo) =
        r.stdout.split_once("---\n").unwrap_or_else(|| panic!("script did not reach its mountinfo:\n{r:?}"));
    (head, mounts(mountinfo))
}

/// The mount root of the bind mount of `dir` onto itself ends with its name.
#[track_caller]
fn assert_root_is(mounts: &[(String, String)], dir: &TempDir) {
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let roots: Vec<_> = mounts.iter().filter(|(at, _)| at == "/").collect();
    assert_eq!(roots.len(), 1, "not exactly one mount on /: {mounts:#?}");
    assert!(roots[0].1.ends_with(name), "/ is not {}: {mounts:#?}", dir.str());
}

fn one_argument_script(root: &TempDir, marker: &str, pivot: &str) -> String {
    let r = sh_quote(root.str());
    let m = sh_quote(marker);
    format!(
        "set -e
mount --bind {r} {r}
mount -t proc proc {r}/proc
cd /
if [ -e {m} ]; then echo before:reachable; fi
{pivot}
if [ -e {m} ]; then echo after:reachable; else echo after:unreachable; fi
echo ---
exec /bin/cat /proc/self/mountinfo",
    )
}

#[test]
fn one_argument_leaves_only_the_new_root() {
    let root = rootfs();
    let outside = TempDir::new();
    let marker = outside.write("marker", "host", 0o644);
    let pivot = format!("{} pivot {}", sh_quote(&bin_str()), sh_quote(root.str()));
    let r = in_private_ns(&one_argument_script(&root, marker.to_str().unwrap(), &pivot));
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    let (head, mounts) = split(&r);
    assert_eq!(head, "before:reachable\nafter:unreachable\n", "{r:?}");
    let points: Vec<&str> = mounts.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(points, ["/", "/proc"], "old root still mounted: {r:?}");
    assert_root_is(&mounts, &root);
}

#[test]
fn one_argument_dot_from_inside_the_new_root() {
    let root = rootfs();
    let outside = TempDir::new();
    let marker = outside.write("marker", "host", 0o644);
    let pivot = format!("cd {} && {} pivot .", sh_quote(root.str()), sh_quote(&bin_str()));
    let r = in_private_ns(&one_argument_script(&root, marker.to_str().unwrap(), &pivot));
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    let (head, mounts) = split(&r);
    assert_eq!(head, "before:reachable\nafter:unreachable\n", "{r:?}");
    let points: Vec<&str> = mounts.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(points, ["/", "/proc"], "old root still mounted: {r:?}");
    assert_root_is(&mounts, &root);
}

#[test]
fn two_arguments_put_the_old_root_at_put_old() {
    let root = rootfs();
    root.mkdir("oldroot", 0o755);
    let outside = TempDir::new();
    let marker = outside.write("marker", "host", 0o644);
    let r = sh_quote(root.str());
    let script = format!(
        "set -e
mount --bind {r} {r}
mount -t proc proc {r}/proc
cd /
{bin} pivot {r} {r}/oldroot
if [ -e /oldroot{m} ]; then echo put-old:reachable; fi
if [ -e {m} ]; then echo old-path:reachable; fi
echo ---
exec /bin/cat /proc/self/mountinfo",
        bin = sh_quote(&bin_str()),
        m = sh_quote(marker.to_str().unwrap()),
    );
    let run = in_private_ns(&script);
    assert_eq!(run.code(), Some(0), "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    let (head, mounts) = split(&run);
    assert_eq!(head, "put-old:reachable\n", "{run:?}");
    assert_root_is(&mounts, &root);
    assert!(mounts.iter().any(|m| m == &("/oldroot".to_string(), "/".to_string())), "{run:?}");
    assert!(mounts.iter().any(|(at, _)| at == "/oldroot/proc"), "{run:?}");
    assert!(mounts.iter().any(|(at, _)| at == "/proc"), "{run:?}");
}

#[test]
fn not_a_mount_point() {
    // A directory inside a tmpfs: not on the root mount, not a mount point.
    let dir = TempDir::new();
    let sub = dir.join_str("sub");
    let script = format!(
        "mount -t tmpfs tmpfs {d} && mkdir {s} && cd / && exec {bin} pivot {s}",
        d = sh_quote(dir.str()),
        s = sh_quote(&sub),
        bin = sh_quote(&bin_str()),
    );
    let r = in_private_ns(&script);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        format!(
            "pivot: cannot pivot to new root {sub}: Invalid argument (pivot_root(2): NEW-ROOT must be a mount point; \
             bind it onto itself first: mount --bind {sub} {sub})\n"
        )
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn new_root_on_the_current_root_mount() {
    let dir = TempDir::new();
    let script = format!("cd / && exec {} pivot {}", sh_quote(&bin_str()), sh_quote(dir.str()));
    let r = in_private_ns(&script);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        format!(
            "pivot: cannot pivot to new root {d}: Device or resource busy (pivot_root(2): NEW-ROOT must be a mount \
             point; bind it onto itself first: mount --bind {d} {d})\n",
            d = dir.str()
        )
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn missing_new_root() {
    let dir = TempDir::new();
    let missing = dir.join_str("missing");
    let r = in_private_ns(&format!("exec {} pivot {}", sh_quote(&bin_str()), sh_quote(&missing)));
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, format!("pivot: cannot pivot to new root {missing}: No such file or directory\n"));
}

#[test]
fn new_root_is_a_file() {
    let dir = TempDir::new();
    let file = dir.write("file", "", 0o644);
    let file = file.to_str().unwrap();
    let r = in_private_ns(&format!("exec {} pivot {}", sh_quote(&bin_str()), sh_quote(file)));
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, format!("pivot: cannot pivot to new root {file}: Not a directory\n"));
}

#[test]
fn two_arguments_put_old_outside_new_root() {
    let root = rootfs();
    let elsewhere = TempDir::new();
    // PUT-OLD on its own mount (a tmpfs), not underneath NEW-ROOT.
    let script = format!(
        "mount --bind {r} {r} && mount -t tmpfs tmpfs {e} && cd / && exec {bin} pivot {r} {e}",
        r = sh_quote(root.str()),
        e = sh_quote(elsewhere.str()),
        bin = sh_quote(&bin_str()),
    );
    let r = in_private_ns(&script);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.err_lines().len(), 1, "{r:?}");
    assert!(r.stderr.starts_with("pivot: cannot pivot to new root "), "{r:?}");
    assert!(r.stderr.ends_with(": Invalid argument\n"), "{r:?}");
}

#[test]
fn unprivileged_caller_is_refused() {
    let dir = TempDir::new();
    let r = User::default().run(&[&bin_str(), "pivot", dir.str()]);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, format!("pivot: cannot pivot to new root {}: Operation not permitted\n", dir.str()));
}

/// Pivot (one argument) to a bind-mounted rootfs with syscall `nr` failing
/// with EPERM.
fn pivot_with_failing(nr: u32) -> (TempDir, Run) {
    let tools = TempDir::new();
    let probe = probe(&tools);
    let root = rootfs();
    let script = format!(
        "mount --bind {r} {r} && cd / && exec {probe} fail {nr} {EPERM} {bin} pivot {r}",
        r = sh_quote(root.str()),
        probe = sh_quote(probe.to_str().unwrap()),
        bin = sh_quote(&bin_str()),
    );
    let r = in_private_ns(&script);
    (root, r)
}

#[test]
fn failing_pivot_root_has_its_own_message() {
    let (root, r) = pivot_with_failing(SYS_PIVOT_ROOT);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, format!("pivot: cannot pivot to new root {}: Operation not permitted\n", root.str()));
}

#[test]
fn failing_propagation_change_has_its_own_message() {
    let (_root, r) = pivot_with_failing(SYS_MOUNT);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, "pivot: cannot disable old root mount propagation: Operation not permitted\n");
}

#[test]
fn failing_detach_has_its_own_message() {
    let (_root, r) = pivot_with_failing(SYS_UMOUNT2);
    assert_eq!(r.code(), Some(1), "{r:?}");
    assert_eq!(r.stderr, "pivot: cannot detach old root: Operation not permitted\n");
}

#[test]
fn usage() {
    for args in [&[][..], &["a", "b", "c"][..]] {
        let mut argv = vec!["pivot"];
        argv.extend_from_slice(args);
        let r = run(&argv);
        assert_eq!(r.code(), Some(64), "pivot {args:?}: {r:?}");
        assert!(r.stderr.starts_with("Usage: pivot NEW-ROOT [PUT-OLD]"), "pivot {args:?}: {r:?}");
        assert_eq!(r.stdout, "", "pivot {args:?}: {r:?}");
    }
    let r = run(&["pivot", "--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.starts_with("Usage: pivot NEW-ROOT [PUT-OLD]"), "{r:?}");
    assert_eq!(r.stderr, "");
}

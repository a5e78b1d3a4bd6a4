//! `contain --idmap` (SPEC §4): a root file system owned by host root,
//! bound through an idmapped mount, is container root's inside, and what
//! container root writes stays host root's, never a high id; refused where
//! other host users could reach DIR, and for a file system that cannot be
//! idmapped, saying which.
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// A busybox root owned by host root (0:0), as an installed system is,
/// at `parent`/root: the parent directory's mode decides who can reach it.
fn root_owned_root(parent_mode: u32) -> (TempDir, String) {
    let parent = TempDir::new();
    set_mode(parent.path(), parent_mode);
    let dir = parent.join_str("root");
    // rootfs() builds its tree in a TempDir of its own: moved below.
    let tree = rootfs();
    tree.write("etc/motd", "installed\n", 0o644);
    let moved = Command::new("cp").args(["-a", tree.str(), &dir]).status().unwrap();
    assert!(moved.success(), "harness: cannot copy a root to {dir}");
    let owned = Command::new("chown").args(["-R", "0:0", &dir]).status().unwrap();
    assert!(owned.success(), "harness: cannot chown {dir}");
    (parent, dir)
}

const SCRIPT: &str = "stat -c '%u %g' /bin/busybox /etc/motd; echo changed > /etc/motd; \
    echo new > /etc/new; mkdir /made; stat -c '%u %g %n' /etc/new /made; id -u";

#[test]
fn a_root_owned_tree_is_container_roots_and_stays_host_roots() {
    let (_parent, dir) = root_owned_root(0o700);
    let bin = bin_str();
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--idmap", "-t", "/scratch", &dir, "sh", "-c", SCRIPT]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "0 0\n0 0\n0 0 /etc/new\n0 0 /made\n0\n", ""),
        "{r:?}"
    );
    let dir = Path::new(&dir);
    assert_eq!(fs::read_to_string(dir.join("etc/motd")).unwrap(), "changed\n");
    // On the host: host root's, not container root's high host id.
    for path in ["etc/new", "made", "etc/motd", "scratch"] {
        let m = fs::metadata(dir.join(path)).unwrap();
        assert_eq!((m.uid(), m.gid()), (0, 0), "{path}");
    }
}

/// The control: without --idmap, the same tree is nobody's inside, and
/// container root cannot change it.
#[test]
fn without_idmap_the_tree_is_nobodys() {
    let (_parent, dir) = root_owned_root(0o700);
    let bin = bin_str();
    let r =
        Caller::Root.run(&[&bin, "contain", "-c", &dir, "sh", "-c", "stat -c '%u %g' /bin/busybox; echo x > /etc/new"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(1), "65534 65534\n", "sh: can't create /etc/new: Permission denied\n"),
        "{r:?}"
    );
}

#[test]
fn idmap_is_refused_where_other_users_can_reach_dir() {
    let (_parent, dir) = root_owned_root(0o755);
    let bin = bin_str();
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--idmap", &dir, "true"]);
    let message = format!(
        "contain: --idmap refused: other users can reach {dir} (put it below a root-owned 0700 directory, as /var/lib/machines)\n"
    );
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr), (Some(1), "", message));
    // Group-searchable is reachable too.
    let (parent, dir) = root_owned_root(0o750);
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--idmap", &dir, "true"]);
    assert_eq!(r.code(), Some(1), "{r:?}");
    // A 0700 directory owned by another user is theirs to open.
    set_mode(parent.path(), 0o700);
    chown(parent.path(), UID, GID);
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--idmap", &dir, "true"]);
    assert_eq!(r.code(), Some(1), "{r:?}");
}

#[test]
fn idmap_names_a_file_system_that_cannot() {
    let (parent, _) = root_owned_root(0o700);
    let ramfs = parent.join_str("ramfs");
    fs::create_dir(&ramfs).unwrap();
    let bin = bin_str();
    let r = run_after(
        Caller::Root,
        &format!("mount -t ramfs -o mode=700 ramfs {ramfs} && mkdir {ramfs}/root"),
        &[&bin, "contain", "-c", "--idmap", &format!("{ramfs}/root"), "true"],
    );
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr),
        (
            Some(1),
            "",
            format!("contain: cannot idmap {ramfs}/root: its file system (ramfs) has no idmapped mounts: Invalid argument\n")
        )
    );
}

#[test]
fn idmap_needs_root_and_no_volatile_root() {
    let (_parent, dir) = root_owned_root(0o700);
    let bin = bin_str();
    let own = rootfs();
    let r = Caller::Unprivileged.run(&[&bin, "contain", "-c", "--idmap", own.str(), "true"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(1), "", "contain: --idmap needs root (the kernel idmaps mounts for host root only)\n")
    );
    let usage = Caller::Root.run(&[&bin, "contain", "--help"]).stdout;
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--idmap", "-v", &dir, "true"]);
    assert_eq!((r.code(), r.stderr), (Some(64), format!("contain: --idmap and -v cannot be combined\n{usage}")));
}

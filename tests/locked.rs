//! Locked flags (issue 21, SPEC §4 "Where the container's mounts are
//! made", §5.5 Mounts and Console): container root, with every capability
//! it has in its user namespace, attacks the mounts contain made, as root
//! and as the unprivileged test user (uid 4000, subuid range 200000:65536).
//! The attacks are system calls of `tests/locked.c` (one result line each,
//! with the errno's name) and busybox's own `mount` and `umount`.
//!
//! Issue 21 "Done when", item by item:
//! - "`mount -o remount,rw,bind` of a `-r` destination and of its
//!   submounts fails and the host file is unchanged":
//!   `ro_bind_and_its_submounts_stay_read_only` (remount and
//!   `mount_setattr`);
//! - "`mount -o remount,bind,dev /` fails and a block-device node in DIR
//!   (a loop device, under a map that gives container root the node's
//!   group) stays unopenable": `dir_stays_nodev_for_a_loop_device_in_it`;
//! - "the same for `-t`'s nosuid/nodev and /sys's ro":
//!   `tmpfs_and_sysfs_flags_stay` (also /dev's and /dev/shm's tmpfs, and a
//!   new sysfs mount, which must be read-only as /sys is);
//! - "umount of a `-r` bind does not uncover anything writable":
//!   `locked_mounts_cannot_be_unmounted_or_moved` (also /dev, /proc, and
//!   `mount --move`);
//! - "`/proc/self/uid_map` inside and `/proc/INIT/uid_map` on the host read
//!   as §4 says": `maps_read_as_section_4_says_inside_and_on_the_host`;
//! - "`chmod 666 /dev/console` inside changes no node of the host's
//!   /dev/pts": `console_chmod_changes_no_host_pts_node`;
//! - "for host root ... a 0700 directory on DIR's path no longer stops
//!   contain" (What to build): `root_reaches_dir_below_a_0700_directory`;
//! - the walls of the previous rounds still hold once the mounts are made
//!   elsewhere (SPEC §5.5 "Host mounts ... are unreachable"):
//!   `chroot_escape_finds_nothing_and_mountinfo_is_the_containers`.
mod common;

use common::*;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// What a host file holds before the attacks, and must still hold after.
const SECRET: &str = "host secret\n";

/// The default map of root without a subuid range (SPEC §4 v2).
const ROOT_DEFAULT: [&str; 2] = ["0 4294967294 1", "1 4294901759 65535"];

/// A busybox root with the probe at /locked.
fn root_with_probe() -> TempDir {
    let root = rootfs();
    cc_static(&root, "locked");
    root
}

/// A host directory every uid may write in, holding `file` (mode 0666,
/// SECRET): container root could write it, were the mount not read-only.
fn writable_host_dir() -> TempDir {
    let dir = TempDir::new();
    set_mode(dir.path(), 0o777);
    dir.write("file", SECRET, 0o666);
    dir
}

/// `bin contain ARGS...` as a command line.
fn contain_argv<'a>(bin: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut argv = vec![bin, "contain"];
    argv.extend_from_slice(args);
    argv
}

/// The host ids of container root (uid, gid) under the default maps.
fn container_root(caller: Caller) -> (u32, u32) {
    match caller {
        Caller::Root => (4294967294, 4294967294),
        Caller::Unprivileged => (UID, GID),
    }
}

/// The per-mount options (field 6 of mountinfo) of mount point `mp`.
fn mount_options(mountinfo: &str, mp: &str) -> Vec<String> {
    let line = mountinfo
        .lines()
        .find(|l| l.split_whitespace().nth(4) == Some(mp))
        .unwrap_or_else(|| panic!("no mount at {mp}:\n{mountinfo}"));
    line.split_whitespace().nth(5).unwrap().split(',').map(str::to_string).collect()
}

#[test]
fn ro_bind_and_its_submounts_stay_read_only() {
    for caller in Caller::BOTH {
        let root = root_with_probe();
        root.mkdir("ro", 0o755);
        let host = writable_host_dir();
        host.mkdir("sub", 0o777);
        // The submount: another host directory, bound on host/sub in the
        // run's private mount namespace, so its file is checked after.
        let below = writable_host_dir();
        let setup = format!("mount --bind {} {}", sh_quote(below.str()), sh_quote(&host.join_str("sub")));
        let ro = format!("{}:/ro", host.str());
        let script = "L=/locked; \
            $L remount /ro bind none; $L remount /ro bind rdonly; $L remount /ro/sub bind rdonly; \
            $L setattr /ro none; $L setattr /ro rdonly; $L setattr /ro rdonly rec; $L setattr /ro/sub rdonly; \
            mount -o remount,rw,bind /ro; echo status=$?; mount -o remount,rw,bind /ro/sub; echo status=$?; \
            $L write /ro/file pwned; $L write /ro/sub/file pwned";
        let bin = bin_str();
        let r = run_after(caller, &setup, &contain_argv(&bin, &["-r", &ro, root.str(), "sh", "-c", script]));
        assert_eq!(
            (r.code(), r.stdout.as_str()),
            (
                Some(0),
                "remount /ro bind -none: ok\n\
                 remount /ro bind -rdonly: EPERM\n\
                 remount /ro/sub bind -rdonly: EPERM\n\
                 setattr /ro -none: ok\n\
                 setattr /ro -rdonly: EPERM\n\
                 setattr /ro -rdonly rec: EPERM\n\
                 setattr /ro/sub -rdonly: EPERM\n\
                 status=1\n\
                 status=1\n\
                 write /ro/file: open: EROFS\n\
                 write /ro/sub/file: open: EROFS\n"
            ),
            "{caller:?}: {r:?}"
        );
        assert_eq!(r.stderr, "mount: permission denied (are you root?)\n".repeat(2), "{caller:?}: {r:?}");
        assert_eq!(fs::read_to_string(host.join("file")).unwrap(), SECRET, "{caller:?}: the host file was written");
        assert_eq!(
            fs::read_to_string(below.join("file")).unwrap(),
            SECRET,
            "{caller:?}: the submount's file was written"
        );
    }
}

/// `-R` (issue 24): DIR and a host mount below it are read-only for a
/// container root that owns DIR and holds every capability of its user
/// namespace, and it cannot lift that; `-t` and `-b` destinations, made
/// in DIR before it went read-only where missing, stay writable.
#[test]
fn read_only_root_stays_read_only_and_its_writable_parts_work() {
    for caller in Caller::BOTH {
        let root = root_with_probe();
        let (uid, gid) = container_root(caller);
        chown(root.path(), uid, gid);
        root.mkdir("sub", 0o755);
        let below = writable_host_dir();
        let setup = format!("mount --bind {} {}", sh_quote(below.str()), sh_quote(&root.join_str("sub")));
        let rw = writable_host_dir();
        let bind = format!("{}:/mnt/rw", rw.str());
        let bin = bin_str();
        // Control: without -R, container root writes to /.
        let r = caller.run(&contain_argv(&bin, &["-c", root.str(), "/locked", "write", "/file", "x"]));
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "write /file: ok\n", ""), "{caller:?}");
        fs::remove_file(root.join("file")).unwrap();

        let script = "L=/locked; \
            $L write /file x; $L write /sub/file x; $L write /tmp/file x; $L write /run/file x; \
            $L write /mnt/rw/file x; \
            $L remount / bind rdonly; $L remount /sub bind rdonly; $L setattr / rdonly; $L setattr / rdonly rec; \
            $L setattr /sub rdonly; mount -o remount,rw /; echo status=$?; $L write /file x";
        let args = ["-c", "-R", "-t", "/tmp", "-t", "/run", "-b", &bind, root.str(), "sh", "-c", script];
        let r = run_after(caller, &setup, &contain_argv(&bin, &args));
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (
                Some(0),
                "write /file: open: EROFS\n\
                 write /sub/file: open: EROFS\n\
                 write /tmp/file: ok\n\
                 write /run/file: ok\n\
                 write /mnt/rw/file: ok\n\
                 remount / bind -rdonly: EPERM\n\
                 remount /sub bind -rdonly: EPERM\n\
                 setattr / -rdonly: EPERM\n\
                 setattr / -rdonly rec: EPERM\n\
                 setattr /sub -rdonly: EPERM\n\
                 status=1\n\
                 write /file: open: EROFS\n",
                "mount: permission denied (are you root?)\n"
            ),
            "{caller:?}"
        );
        assert_eq!(fs::read_to_string(rw.join("file")).unwrap(), "x", "{caller:?}: -b's file");
        assert_eq!(fs::read_to_string(below.join("file")).unwrap(), SECRET, "{caller:?}: the submount's file");
        assert!(!root.join("file").exists(), "{caller:?}: / was written");
        // The missing mount points were made in DIR before it went read-only.
        assert!(root.join("run").is_dir() && root.join("mnt/rw").is_dir(), "{caller:?}");
    }
}

#[test]
fn dir_stays_nodev_for_a_loop_device_in_it() {
    let dev = Loop::new();
    let rdev = fs::metadata(&dev.dev).unwrap().rdev();
    let (major, minor) = (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff), (rdev & 0xff) | ((rdev >> 12) & !0xff));
    for caller in Caller::BOTH {
        let root = root_with_probe();
        // The node in DIR: owner host root (nobody inside, so no
        // CAP_DAC_OVERRIDE over it), group container root's gid, mode 0660:
        // only nodev stands between container root and the device.
        let node = root.join_str("blk");
        let made = Command::new("mknod").args([&node, "b", &major.to_string(), &minor.to_string()]).status().unwrap();
        assert!(made.success(), "harness: mknod {node} failed");
        chown(Path::new(&node), 0, container_root(caller).1);
        set_mode(Path::new(&node), 0o660);
        let script = "L=/locked; $L remount / bind none; $L remount / bind nodev; $L setattr / nodev; \
            $L setattr / nodev rec; mount -o remount,bind,dev /; echo status=$?; \
            $L write /blk pwned; stat -c '%F %a %g' /blk";
        let bin = bin_str();
        let r = caller.run(&contain_argv(&bin, &[root.str(), "sh", "-c", script]));
        assert_eq!(
            (r.code(), r.stdout.as_str()),
            (
                Some(0),
                "remount / bind -none: ok\n\
                 remount / bind -nodev: EPERM\n\
                 setattr / -nodev: EPERM\n\
                 setattr / -nodev rec: EPERM\n\
                 status=1\n\
                 write /blk: open: EACCES\n\
                 block special file 660 0\n"
            ),
            "{caller:?}: {r:?}"
        );
        assert_eq!(r.stderr, "mount: permission denied (are you root?)\n", "{caller:?}: {r:?}");
        assert!(dev.untouched(), "{caller:?}: the loop device's image was written");
    }
}

#[test]
fn tmpfs_and_sysfs_flags_stay() {
    for caller in Caller::BOTH {
        let root = root_with_probe();
        root.mkdir("sys", 0o755);
        root.mkdir("mnt", 0o755);
        let script = "L=/locked; \
            $L remount /tmp bind none; $L remount /tmp bind nosuid; $L remount /tmp bind nodev; \
            $L setattr /tmp nosuid; $L setattr /tmp nodev; \
            mount -o remount,bind,suid,dev /tmp; echo status=$?; \
            $L remount /sys bind none; $L remount /sys bind rdonly; $L remount /sys sb rdonly; $L setattr /sys rdonly; \
            mount -o remount,rw /sys; echo status=$?; mount -o remount,bind,rw /sys; echo status=$?; \
            $L new sysfs /mnt; \
            $L remount /dev bind nosuid; $L remount /dev bind noexec; $L setattr /dev nosuid; $L setattr /dev noexec; \
            mount -o remount,bind,suid,exec /dev; echo status=$?; \
            $L remount /dev/shm bind nosuid; $L remount /dev/shm bind nodev; $L setattr /dev/shm nodev; \
            echo --; cat /proc/self/mountinfo";
        let bin = bin_str();
        let r = caller.run(&contain_argv(&bin, &["-t", "/tmp", root.str(), "sh", "-c", script]));
        let (attempts, mountinfo) = r.stdout.split_once("--\n").unwrap_or_else(|| panic!("{caller:?}: {r:?}"));
        assert_eq!(
            (r.code(), attempts),
            (
                Some(0),
                "remount /tmp bind -none: ok\n\
                 remount /tmp bind -nosuid: EPERM\n\
                 remount /tmp bind -nodev: EPERM\n\
                 setattr /tmp -nosuid: EPERM\n\
                 setattr /tmp -nodev: EPERM\n\
                 status=1\n\
                 remount /sys bind -none: ok\n\
                 remount /sys bind -rdonly: EPERM\n\
                 remount /sys sb -rdonly: EPERM\n\
                 setattr /sys -rdonly: EPERM\n\
                 status=1\n\
                 status=1\n\
                 new sysfs /mnt: EPERM\n\
                 remount /dev bind -nosuid: EPERM\n\
                 remount /dev bind -noexec: EPERM\n\
                 setattr /dev -nosuid: EPERM\n\
                 setattr /dev -noexec: EPERM\n\
                 status=1\n\
                 remount /dev/shm bind -nosuid: EPERM\n\
                 remount /dev/shm bind -nodev: EPERM\n\
                 setattr /dev/shm -nodev: EPERM\n"
            ),
            "{caller:?}: {r:?}"
        );
        assert_eq!(r.stderr, "mount: permission denied (are you root?)\n".repeat(4), "{caller:?}: {r:?}");
        for (mp, flags) in [
            ("/tmp", &["nosuid", "nodev"][..]),
            ("/sys", &["ro"]),
            ("/dev", &["nosuid", "noexec"]),
            ("/dev/shm", &["nosuid", "nodev"]),
        ] {
            let opts = mount_options(mountinfo, mp);
            for flag in flags {
                assert!(opts.iter().any(|o| o == flag), "{caller:?}: {mp} lost {flag}: {opts:?}\n{r:?}");
            }
        }
    }
}

#[test]
fn locked_mounts_cannot_be_unmounted_or_moved() {
    for caller in Caller::BOTH {
        let root = root_with_probe();
        // What a successful unmount would uncover: DIR's own /ro, writable
        // by container root.
        root.mkdir("ro", 0o777);
        root.mkdir("x", 0o755);
        let host = writable_host_dir();
        let ro = format!("{}:/ro", host.str());
        let script = "L=/locked; \
            $L umount /ro; $L umount /ro detach; umount /ro; echo status=$?; umount -l /ro; echo status=$?; \
            $L umount /dev; $L umount /dev detach; $L umount /proc; $L umount /proc detach; \
            $L move /ro /x; mount --move /ro /x; echo status=$?; \
            $L write /ro/file pwned; cat /ro/file";
        let bin = bin_str();
        let r = caller.run(&contain_argv(&bin, &["-r", &ro, root.str(), "sh", "-c", script]));
        assert_eq!(
            (r.code(), r.stdout.as_str()),
            (
                Some(0),
                "umount /ro: EINVAL\n\
                 umount /ro detach: EINVAL\n\
                 status=1\n\
                 status=1\n\
                 umount /dev: EINVAL\n\
                 umount /dev detach: EINVAL\n\
                 umount /proc: EINVAL\n\
                 umount /proc detach: EINVAL\n\
                 move /ro /x: EINVAL\n\
                 status=255\n\
                 write /ro/file: open: EROFS\n\
                 host secret\n"
            ),
            "{caller:?}: {r:?}"
        );
        assert_eq!(
            r.stderr,
            "umount: can't unmount /ro: Invalid argument\n\
             umount: can't unmount /ro: Invalid argument\n\
             mount: mounting /ro on /x failed: Invalid argument\n",
            "{caller:?}: {r:?}"
        );
        assert_eq!(fs::read_to_string(host.join("file")).unwrap(), SECRET, "{caller:?}: the host file was written");
        assert!(!root.join("ro/file").exists(), "{caller:?}: a file was written below the -r bind");
    }
}

/// Map lines of `/proc/PID/{uid,gid}_map` as the test process (the initial
/// user namespace) reads them.
fn host_map(pid: u32, which: &str) -> Vec<String> {
    map_lines(&fs::read_to_string(format!("/proc/{pid}/{which}")).unwrap())
}

#[test]
fn maps_read_as_section_4_says_inside_and_on_the_host() {
    let unranged = User { subuid: None, subgid: None, ..User::default() };
    // (what, who: None for root, the maps inside, the maps on the host)
    type Case<'a> = (&'a str, Option<&'a User>, &'a [&'a str], &'a [&'a str]);
    // Inside, every id onto itself, one line per line of the outer map:
    // the kernel maps each line onto one line of the parent's
    // (user_namespaces(7), "Defining user and group ID mappings"), so
    // `0 0 65537` across `0 4000 1` and `1 200000 65536` cannot be written.
    let cases: [Case; 3] = [
        ("root", None, &ROOT_DEFAULT, &ROOT_DEFAULT),
        ("unprivileged", Some(&User::default()), &["0 0 1", "1 1 65536"], &["0 4000 1", "1 200000 65536"]),
        ("unprivileged, no range", Some(&unranged), &["0 0 1"], &["0 4000 1"]),
    ];
    for (what, user, inside, host) in cases {
        let root = rootfs();
        let script = "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; exec sleep 100";
        let mut c = Container::start_with(&bin_str(), root.str(), &["sh", "-c", script], user);
        let out = poll_until(TIMEOUT, || {
            let out = c.bg.stdout();
            (out.matches("--\n").count() == 2).then_some(out)
        })
        .unwrap_or_else(|| panic!("{what}: the maps inside were not printed: {:?}", c.bg.finish()));
        let parts: Vec<&str> = out.split("--\n").collect();
        assert_eq!(
            (map_lines(parts[0]), map_lines(parts[1])),
            (inside.iter().map(|s| s.to_string()).collect(), inside.iter().map(|s| s.to_string()).collect()),
            "{what}: the maps inside"
        );
        assert_eq!(
            (host_map(c.init, "uid_map"), host_map(c.init, "gid_map")),
            (host.iter().map(|s| s.to_string()).collect(), host.iter().map(|s| s.to_string()).collect()),
            "{what}: the maps of the init on the host"
        );
    }
}

/// (mode, uid, gid, ctime) of every node of the host's /dev/pts.
fn host_pts() -> BTreeMap<String, (u32, u32, u32, i64, i64)> {
    let mut nodes = BTreeMap::new();
    for entry in fs::read_dir("/dev/pts").unwrap().flatten() {
        if let Ok(m) = fs::symlink_metadata(entry.path()) {
            nodes.insert(
                entry.file_name().to_string_lossy().into_owned(),
                (m.mode(), m.uid(), m.gid(), m.ctime(), m.ctime_nsec()),
            );
        }
    }
    nodes
}

#[test]
fn console_chmod_changes_no_host_pts_node() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let bin = bin_str();
        let script = "chmod 666 /dev/console; echo chmod=$?; stat -c '%a %D' /dev/console; stat -c %D /dev/pts; \
            ls -1 /dev/pts; echo M-$((6*7)); read line; echo R-$((7*7))";
        // contain starts on the first line typed, once the host's nodes
        // (the test's own terminal among them) are noted.
        let argv = [
            "sh",
            "-c",
            "ulimit -c 0; read go; exec \"$@\"",
            "sh",
            bin.as_str(),
            "contain",
            root.str(),
            "sh",
            "-c",
            script,
        ];
        let mut pty = Pty::spawn_as(caller, &argv, &[("TERM", "xterm")]);
        let before = host_pts();
        pty.line("go");
        // Fail at once, not after the hang guard, when contain ends first.
        let shown = poll_until(TIMEOUT, || match pty.expect_within("M-42", Duration::from_millis(100)) {
            None if pty.try_wait().is_some() => panic!("{caller:?}: contain ended:\n{}", pty.transcript()),
            found => found,
        })
        .unwrap_or_else(|| panic!("hang guard: {caller:?}: no M-42:\n{}", pty.transcript()))
        .replace('\r', "");
        // The container runs, its console chmodded: the host's devpts now.
        let during = host_pts();
        pty.line("go");
        pty.expect("R-49");
        let status = pty.wait();
        assert_eq!(status.code(), Some(0), "{caller:?}: {}", pty.transcript());
        // Every host node there before is unchanged; a node that appeared
        // meanwhile (another process's terminal) is neither the container
        // root's nor open to everyone.
        let owner = container_root(caller);
        for (name, now) in &during {
            match before.get(name) {
                Some(was) => assert_eq!(was, now, "{caller:?}: host /dev/pts/{name} changed"),
                None => assert!(
                    now.0 & 0o777 != 0o666 && (now.1, now.2) != owner,
                    "{caller:?}: host /dev/pts/{name} is the container's: {now:?}"
                ),
            }
        }
        let lines: Vec<&str> = shown.lines().filter(|l| !l.is_empty()).collect();
        let at = lines.iter().position(|l| l.starts_with("chmod=")).unwrap_or_else(|| panic!("{caller:?}: {shown}"));
        let lines = &lines[at..];
        assert_eq!(lines.len(), 6, "{caller:?}: {shown}");
        assert_eq!(lines[0], "chmod=0", "{caller:?}: {shown}");
        let (mode, console_dev) = lines[1].split_once(' ').unwrap_or_else(|| panic!("{caller:?}: {shown}"));
        assert_eq!(mode, "666", "{caller:?}: {shown}");
        assert_eq!(console_dev, lines[2], "{caller:?}: /dev/console is not of the container's devpts: {shown}");
        assert_eq!(&lines[3..], ["0", "ptmx", "M-42"], "{caller:?}: {shown}");
    }
}

#[test]
fn root_reaches_dir_below_a_0700_directory() {
    let outer = TempDir::new();
    let root = rootfs();
    let dir = outer.join_str("root");
    fs::rename(root.path(), &dir).unwrap();
    set_mode(outer.path(), 0o700);
    let bin = bin_str();
    let r = as_root(&[&bin, "contain", &dir, "sh", "-c", "cat /etc/passwd; ls /bin/busybox"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "root:x:0:0:root:/root:/bin/sh\n/bin/busybox\n", ""),
        "{r:?}"
    );
}

#[test]
fn chroot_escape_finds_nothing_and_mountinfo_is_the_containers() {
    for caller in Caller::BOTH {
        let root = root_with_probe();
        root.mkdir("ro", 0o755);
        let host = writable_host_dir();
        let marker = host.join_str("file");
        let ro = format!("{}:/ro", host.str());
        let script = format!(
            "/locked umount /ro detach; /locked escape {m}; cat {m}; echo --; cat /proc/self/mountinfo",
            m = sh_quote(&marker)
        );
        let bin = bin_str();
        let r = caller.run(&contain_argv(&bin, &["-r", &ro, root.str(), "sh", "-c", &script]));
        let (attempts, mountinfo) = r.stdout.split_once("--\n").unwrap_or_else(|| panic!("{caller:?}: {r:?}"));
        assert_eq!(
            (r.code(), attempts),
            (Some(0), format!("umount /ro detach: EINVAL\nescape: {marker} not found\n").as_str()),
            "{caller:?}: {r:?}"
        );
        assert_eq!(r.stderr, format!("cat: can't open '{marker}': No such file or directory\n"), "{caller:?}: {r:?}");
        let mut points: Vec<&str> = mountinfo.lines().filter_map(|l| l.split_whitespace().nth(4)).collect();
        points.sort();
        assert_eq!(
            points,
            [
                "/",
                "/dev",
                "/dev/full",
                "/dev/null",
                "/dev/pts",
                "/dev/random",
                "/dev/shm",
                "/dev/tty",
                "/dev/urandom",
                "/dev/zero",
                "/proc",
                "/ro"
            ],
            "{caller:?}: {r:?}"
        );
    }
}

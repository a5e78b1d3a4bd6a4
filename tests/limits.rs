//! Limits of SPEC §5.5 (issue 23): `-L FILE=VALUE` written in the
//! container's cgroups before the init runs, in the unified hierarchy or,
//! on this hybrid host whose unified hierarchy has no controllers, in the
//! v1 equivalent; the default pids.max; a limit that can be set nowhere is
//! an error naming it; container root cannot raise a limit; the sizes of
//! /dev, /dev/shm and `-t DST:OPTS`. `tests/sandbox.c` forks and allocates.
mod common;

use common::*;
use std::fs;
use std::path::PathBuf;

fn contain(caller: Caller, options: &[&str], root: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), "contain"];
    argv.extend_from_slice(options);
    argv.push(root.str());
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// The host directory of `pid`'s cgroup in the v1 hierarchy of
/// `controller`, from /proc/PID/cgroup and the mount of that hierarchy.
fn v1_cgroup(pid: u32, controller: &str) -> PathBuf {
    let cgroups = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let path = cgroups
        .lines()
        .find_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, controllers, path) = (f.next()?, f.next()?, f.next()?);
            controllers.split(',').any(|c| c == controller).then(|| path.to_string())
        })
        .unwrap_or_else(|| panic!("no {controller} hierarchy in /proc/{pid}/cgroup:\n{cgroups}"));
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    mountinfo
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let dash = f.iter().position(|&x| x == "-")?;
            let ours = f[dash + 1] == "cgroup" && f[dash + 3].split(',').any(|o| o == controller);
            let rel = path.strip_prefix(f[3])?.trim_start_matches('/');
            ours.then(|| PathBuf::from(f[4]).join(rel))
        })
        .unwrap_or_else(|| panic!("harness: no v1 {controller} mount"))
}

fn read(dir: &std::path::Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{}/{file}: {e}", dir.display()))
}

/// A container of root's running `sleep 100` with `options`.
fn start(options: &[&str], root: &TempDir) -> Container {
    let mut args = options.to_vec();
    args.extend([root.str(), "sleep", "100"]);
    Container::start_full(&[], &bin_str(), &args, None)
}

#[test]
fn pids_max_is_16384_by_default_and_max_removes_it() {
    let root = rootfs();
    let c = start(&[], &root);
    assert_eq!(read(&v1_cgroup(c.init, "pids"), "pids.max"), "16384\n");
    drop(c);
    let c = start(&["-L", "pids.max=max"], &root);
    assert_eq!(read(&v1_cgroup(c.init, "pids"), "pids.max"), "max\n");
}

/// The unprivileged test user's delegated cgroups (cgroup2 and
/// name=systemd) have no pids controller here: the default applies only
/// where one is, and the container runs without it.
#[test]
fn without_a_pids_controller_the_default_is_not_an_error() {
    let root = rootfs();
    let r = contain(Caller::Unprivileged, &[], &root, &["/bin/echo", "ran"]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "ran\n", ""), "{r:?}");
}

#[test]
fn limits_land_in_the_v1_files() {
    let root = rootfs();
    let c = start(
        &["-L", "cpu.max=50000 100000", "-L", "memory.swap.max=0", "--limit=memory.max=64M", "-L", "cpu.weight=50"],
        &root,
    );
    let cpu = v1_cgroup(c.init, "cpu");
    assert_eq!(
        (read(&cpu, "cpu.cfs_quota_us"), read(&cpu, "cpu.cfs_period_us")),
        ("50000\n".into(), "100000\n".into())
    );
    assert_eq!(read(&cpu, "cpu.shares"), "512\n");
    let memory = v1_cgroup(c.init, "memory");
    // No swap beyond the memory limit: v1 limits both together.
    let both = (read(&memory, "memory.limit_in_bytes"), read(&memory, "memory.memsw.limit_in_bytes"));
    assert_eq!(both, ("67108864\n".into(), "67108864\n".into()));
    assert_eq!(read(&v1_cgroup(c.init, "pids"), "pids.max"), "16384\n");
}

#[test]
fn a_fork_bomb_stops_at_pids_max() {
    let root = rootfs();
    cc_static(&root, "sandbox");
    let r = contain(Caller::Root, &["-L", "pids.max=10"], &root, &["/sandbox", "forks"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "forked 9: Resource temporarily unavailable\n", ""),
        "{r:?}"
    );
}

#[test]
fn an_allocation_over_memory_max_is_killed_inside() {
    let root = rootfs();
    cc_static(&root, "sandbox");
    let cmd = ["/bin/sh", "-c", "/sandbox alloc 200; echo $?"];
    let r = contain(Caller::Root, &[], &root, &cmd);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "allocated 200 MiB\n0\n"), "control: {r:?}");
    let r = contain(Caller::Root, &["-L", "memory.max=64M"], &root, &cmd);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "137\n"), "{r:?}");
}

/// Container root may mount its v1 pids hierarchy (its cgroup namespace's
/// own), but the limit files there stay host root's.
#[test]
fn container_root_cannot_raise_a_limit() {
    let root = rootfs();
    root.mkdir("mnt", 0o755);
    cc_static(&root, "sandbox");
    let cmd = ["/bin/sh", "-c", "mount -t cgroup -o pids none /mnt && echo max >/mnt/pids.max; /sandbox forks"];
    let r = contain(Caller::Root, &["-L", "pids.max=10"], &root, &cmd);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (
            Some(0),
            // The shell executes the probe in its place: 9 children again.
            "forked 9: Resource temporarily unavailable\n",
            "/bin/sh: can't create /mnt/pids.max: Permission denied\n"
        ),
        "{r:?}"
    );
}

#[test]
fn a_limit_set_nowhere_is_an_error_naming_it_and_leaves_nothing() {
    let root = rootfs();
    for (caller, limit, message) in [
        (Caller::Root, "foo.bar=1", "cannot set foo.bar: the container has no cgroup with the foo controller"),
        (Caller::Root, "io.weight=50", "cannot set io.weight: the container has no cgroup with the io controller"),
        (Caller::Root, "memory.swap.max=0", "cannot set memory.swap.max=0: cgroup v1 needs memory.max with it"),
        (Caller::Root, "pids.max=lots", "cannot set pids.max=lots: Invalid argument"),
        (
            Caller::Unprivileged,
            "pids.max=10",
            "cannot set pids.max: the container has no cgroup with the pids controller",
        ),
        (
            Caller::Unprivileged,
            "memory.max=1G",
            "cannot set memory.max: the container has no cgroup with the memory controller",
        ),
    ] {
        // The supervisor's pid, which names its cgroups.
        let script = format!("echo $$; exec {} contain -L '{limit}' {} /bin/echo ran", bin_str(), root.str());
        let r = caller.run(&["/bin/sh", "-c", &script]);
        let pid = r.stdout.lines().next().unwrap_or("").to_string();
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr),
            (Some(1), format!("{pid}\n").as_str(), format!("contain: {message}\n")),
            "{caller:?} {limit}"
        );
        let left: Vec<_> = ["pids", "memory", "cpu", "systemd", "unified"]
            .iter()
            .flat_map(|h| glob_cgroups(&format!("/sys/fs/cgroup/{h}"), &format!("ucontain-{pid}")))
            .collect();
        assert!(left.is_empty(), "{caller:?} {limit}: left {left:?}");
    }
}

/// Every directory named `name` below `dir`, however deep.
fn glob_cgroups(dir: &str, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![PathBuf::from(dir)];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if e.file_name() == name {
                    found.push(e.path());
                }
                todo.push(e.path());
            }
        }
    }
    found
}

#[test]
fn bad_limits_are_usage_errors() {
    let root = rootfs();
    let usage = run(&["contain", "--help"]).stdout;
    for (limit, why) in [
        ("cgroup.procs=1", "FILE is not a controller's file such as memory.max"),
        ("../x=1", "FILE is not a controller's file such as memory.max"),
        ("pids/../pids.max=1", "FILE is not a controller's file such as memory.max"),
        ("memory.max", "not FILE=VALUE"),
        ("memory.max=", "VALUE is empty or has a newline"),
    ] {
        let r = contain(Caller::Root, &["-L", limit], &root, &["/bin/true"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr),
            (Some(64), "", format!("contain: bad limit '{limit}': {why}\n{usage}")),
            "{limit}"
        );
    }
    let mut many = Vec::new();
    for _ in 0..17 {
        many.extend(["-L", "pids.max=10"]);
    }
    let r = contain(Caller::Root, &many, &root, &["/bin/true"]);
    assert_eq!((r.code(), r.stderr), (Some(64), format!("contain: more than 16 -L options\n{usage}")));
}

/// statfs of /dev and /dev/shm inside: 4 MiB and 64 MiB.
#[test]
fn dev_and_dev_shm_are_sized() {
    let root = rootfs();
    for caller in Caller::BOTH {
        let r = contain(caller, &[], &root, &["/bin/stat", "-f", "-c", "%n %b %S", "/dev", "/dev/shm"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "/dev 1024 4096\n/dev/shm 16384 4096\n", ""),
            "{caller:?}: {r:?}"
        );
    }
}

#[test]
fn tmpfs_options_size_it() {
    let root = rootfs();
    let fill = "dd if=/dev/zero of=/tmp/x bs=64k count=100 2>/dev/null; echo $?; stat -c %s /tmp/x; stat -c %a /tmp";
    for caller in Caller::BOTH {
        let r = contain(caller, &["-t", "/tmp:size=1m,mode=0700"], &root, &["/bin/sh", "-c", fill]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "1\n1048576\n700\n", ""),
            "{caller:?}: {r:?}"
        );
        // Without options, the kernel's default size and mode 1777.
        let r = contain(caller, &["-t", "/tmp"], &root, &["/bin/sh", "-c", fill]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), "0\n6553600\n1777\n"), "{caller:?}: {r:?}");
    }
    let usage = run(&["contain", "--help"]).stdout;
    let r = contain(Caller::Root, &["-t", "/tmp:"], &root, &["/bin/true"]);
    assert_eq!((r.code(), r.stderr), (Some(64), format!("contain: bad mount '/tmp:'\n{usage}")));
}

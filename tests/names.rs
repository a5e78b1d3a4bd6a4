//! Issue 24 (SPEC §3, §5.5, §5.7): containers found by name (`list`,
//! `list -q`, root listing every user's), the hostname inside
//! (`--hostname`, its default), `--pid-file`, and the messages that say
//! how to fix what the user can fix. `-R` is in tests/locked.rs, with the
//! other locked flags.
mod common;

use common::*;
use std::fs;
use std::path::Path;

/// `contain -c ARGS...` in the background as `caller`, until its init runs.
#[track_caller]
fn start(caller: Caller, args: &[&str]) -> Container {
    let mut full = vec!["-c"];
    full.extend_from_slice(args);
    Container::start_full(&[], &bin_str(), &full, caller.user().as_ref())
}

/// The header of `list`, and its line for `id` if it has one: checked
/// column by column (ID as wide as the widest id, then SUPERVISOR, INIT,
/// UP, APPLET, DIR). UP is only checked for its form: `5s`, `1m07s`, `1h02m`.
#[track_caller]
fn listed(out: &str, id: &str) -> Option<(u32, u32, String, String, String)> {
    let mut lines = out.lines();
    let header = lines.next().unwrap_or_else(|| panic!("no header: {out:?}"));
    let width = header.find("SUPERVISOR").unwrap_or_else(|| panic!("header {header:?}"));
    assert!(width >= 4 && header[..width].trim_end() == "ID", "{out}");
    assert_eq!(&header[width..], "SUPERVISOR  INIT     UP       APPLET   DIR", "{out}");
    let line = lines.find(|l| l.get(..width).map(str::trim_end) == Some(id))?;
    let field = |from: usize, len: usize| line.get(from..from + len).unwrap_or("").trim_end().to_string();
    let up = field(width + 21, 9);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let form = [("", "s"), ("m", "s"), ("h", "m")].iter().any(|(mid, end)| match up.strip_suffix(end) {
        Some(rest) if mid.is_empty() => digits(rest),
        Some(rest) => rest.split_once(mid).is_some_and(|(a, b)| digits(a) && b.len() == 2 && digits(b)),
        None => false,
    });
    assert!(form, "UP {up:?} in {line:?}");
    Some((
        field(width, 12).parse().unwrap_or_else(|_| panic!("{line:?}")),
        field(width + 12, 9).parse().unwrap_or_else(|_| panic!("{line:?}")),
        up,
        field(width + 30, 9),
        line.get(width + 39..).unwrap_or("").to_string(),
    ))
}

#[test]
fn list_shows_named_containers_and_forgets_one_whose_supervisor_was_killed() {
    let root = rootfs();
    let dir = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let (web, db) = (caller.unique_name("web"), caller.unique_name("db"));
        let mut a = start(caller, &["-N", &web, &dir, "sleep", "1000"]);
        let b = start(caller, &["-N", &db, &dir, "sleep", "1000"]);
        let r = caller.run(&[&bin, "list"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
        for (id, c) in [(&web, &a), (&db, &b)] {
            let (sup, init, _, applet, shown) =
                listed(&r.stdout, id).unwrap_or_else(|| panic!("{caller:?}: {id} is not listed:\n{}", r.stdout));
            assert_eq!((sup, init, applet.as_str(), shown.as_str()), (c.sup(), c.init, "contain", dir.as_str()));
        }
        let r = caller.run(&[&bin, "list", "-q"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
        let ids = r.lines();
        assert!(ids.contains(&web.as_str()) && ids.contains(&db.as_str()), "{caller:?}: {r:?}");
        assert!(r.lines().iter().all(|l| !l.contains(' ')), "{caller:?}: {r:?}");

        // kill -9 of web's supervisor: the next list no longer shows it.
        assert!(signal_pid(a.sup(), 9));
        a.bg.wait_timeout(TIMEOUT).expect("contain did not end");
        assert!(poll_until(TIMEOUT, || proc_gone(a.init).then_some(())).is_some(), "{caller:?}: the init lives on");
        let r = caller.run(&[&bin, "list"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
        assert_eq!(listed(&r.stdout, &web), None, "{caller:?}: the killed container is still listed");
        assert!(listed(&r.stdout, &db).is_some(), "{caller:?}: {r:?}");
        drop(b);
    }
}

#[test]
fn root_lists_every_users_containers_and_a_user_only_its_own() {
    let root = rootfs();
    let dir = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    let users = Caller::Unprivileged.unique_name("users");
    let roots = Caller::Root.unique_name("roots");
    let u = start(Caller::Unprivileged, &["-N", &users, &dir, "sleep", "1000"]);
    let r0 = start(Caller::Root, &["-N", &roots, &dir, "sleep", "1000"]);
    let r = run(&["list"]);
    let (sup, init, ..) = listed(&r.stdout, &users).unwrap_or_else(|| panic!("root does not list it: {r:?}"));
    assert_eq!((sup, init), (u.sup(), u.init), "{r:?}");
    assert!(listed(&r.stdout, &roots).is_some(), "{r:?}");
    let r = Caller::Unprivileged.run(&[&bin, "list"]);
    assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{r:?}");
    assert!(listed(&r.stdout, &users).is_some(), "{r:?}");
    assert_eq!(listed(&r.stdout, &roots), None, "the user lists root's container: {r:?}");
    drop((u, r0));
}

#[test]
fn list_usage() {
    let r = run(&["list", "--help"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "Usage: list [-q]\n  -q  --quiet  the ids only\n", "")
    );
    for args in [&["list", "-x"][..], &["list", "extra"], &["list", "--quiet=1"]] {
        let r = run(args);
        assert_eq!(r.code(), Some(64), "{args:?}: {r:?}");
        assert!(r.stderr.ends_with("Usage: list [-q]\n  -q  --quiet  the ids only\n"), "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}: {r:?}");
    }
}

#[test]
fn the_hostname_is_the_name_else_dirs_last_component_else_as_given() {
    let root = rootfs();
    let dir = root.join_str("").trim_end_matches('/').to_string();
    let last = Path::new(&dir).file_name().unwrap().to_str().unwrap().to_string();
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_ne!(host.trim_end(), last, "the control needs a host name other than DIR's");
    let bin = bin_str();
    for caller in Caller::BOTH {
        let web = caller.unique_name("web");
        let c = start(caller, &["-N", &web, &dir, "sleep", "1000"]);
        let r = caller.run(&[&bin, "inject", &web, "hostname"]);
        assert_eq!((r.code(), r.stdout.clone(), r.stderr.as_str()), (Some(0), format!("{web}\n"), ""), "{caller:?}");
        drop(c);
        // A name the hostname cannot hold: `_` becomes `-`.
        let odd = caller.unique_name("a_b");
        let r = caller.run(&[&bin, "contain", "-c", "-N", &odd, &dir, "hostname"]);
        assert_eq!(
            (r.code(), r.stdout.clone()),
            (Some(0), format!("{}\n", odd.replace('_', "-"))),
            "{caller:?}: {r:?}"
        );
        for (args, want) in [
            (&[][..], last.as_str()),
            (&["--hostname", "box.example"][..], "box.example"),
            (&["-n", "--hostname=box"][..], "box"),
        ] {
            let mut argv = vec![bin.as_str(), "contain", "-c"];
            argv.extend_from_slice(args);
            argv.extend([dir.as_str(), "hostname"]);
            let r = caller.run(&argv);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), format!("{want}\n").as_str(), ""),
                "{caller:?} {args:?}: {r:?}"
            );
        }
        assert_eq!(fs::read_to_string("/proc/sys/kernel/hostname").unwrap(), host, "the host's hostname changed");
    }
    let long = "a".repeat(65);
    for (bad, why) in [("a_b", "only letters, digits, '.' and '-'"), ("", "empty"), (&long, "longer than 64 bytes")] {
        let r = run(&["contain", "--hostname", bad, root.str(), "true"]);
        assert_eq!(r.code(), Some(64), "{r:?}");
        let first = r.stderr.lines().next().unwrap_or("");
        assert_eq!(first, format!("contain: bad hostname '{bad}': {why}"), "{r:?}");
        assert!(r.stderr.contains("\nUsage: contain [OPTIONS] DIR"), "{r:?}");
    }
}

/// A directory the caller can write its pid file in, bound into the
/// container as /run/pid so the init can read what is in it.
fn pid_dir(caller: Caller) -> TempDir {
    let dir = TempDir::new();
    chown(dir.path(), caller.id(), caller.id());
    dir
}

#[test]
fn the_pid_file_holds_the_supervisors_pid_while_it_runs_and_goes_after() {
    let root = rootfs();
    root.mkdir("run", 0o755);
    let dir = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let pids = pid_dir(caller);
        let file = pids.join_str("contain.pid");
        let bind = format!("{}:/run/pid", pids.str());
        // Ended by SIGTERM.
        let mut c = start(caller, &["--pid-file", &file, "-b", &bind, &dir, "sleep", "1000"]);
        assert_eq!(fs::read_to_string(&file).ok(), Some(format!("{}\n", c.sup())), "{caller:?}");
        let files: Vec<String> =
            fs::read_dir(pids.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        assert_eq!(files, ["contain.pid"], "{caller:?}: a temporary file is left");
        assert!(signal_pid(c.sup(), 15));
        c.bg.wait_timeout(TIMEOUT).expect("contain did not end");
        assert!(!Path::new(&file).exists(), "{caller:?}: the pid file outlived a SIGTERM");

        // Ended by its init: written before the init ran, gone after.
        let r =
            caller.run(&[&bin, "contain", "-c", "--pid-file", &file, "-b", &bind, &dir, "cat", "/run/pid/contain.pid"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
        let pid = r.stdout.strip_suffix('\n').unwrap_or("");
        assert!(!pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()), "{caller:?}: {r:?}");
        assert!(!Path::new(&file).exists(), "{caller:?}: the pid file outlived the container");

        // One that cannot be written: the container does not run.
        let missing = pids.join_str("missing/contain.pid");
        let r = caller.run(&[&bin, "contain", "-c", "--pid-file", &missing, &dir, "touch", "/ran"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.clone()),
            (Some(1), "", format!("contain: cannot write {missing}: No such file or directory\n")),
            "{caller:?}"
        );
        assert!(!root.join("ran").exists(), "{caller:?}: CMD ran");
    }
}

#[test]
fn a_third_field_in_a_bind_points_at_ro_bind() {
    let root = rootfs();
    for (option, spec) in [("-b", "/tmp:/mnt:ro"), ("-r", "/tmp:/mnt:ro"), ("--bind", "/a:/b:rw")] {
        let r = run(&["contain", option, spec, root.str(), "true"]);
        assert_eq!(r.code(), Some(64), "{r:?}");
        assert_eq!(
            r.stderr.lines().next(),
            Some(
                format!("contain: bad mount '{spec}': there is no third field; for read-only, use -r SRC:DST").as_str()
            ),
            "{r:?}"
        );
        assert!(r.stderr.contains("\nUsage: contain [OPTIONS] DIR"), "{r:?}");
    }
    let r = run(&["contain", "-d", "/dev/null:/dev/x:ro", root.str(), "true"]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert_eq!(
        r.stderr.lines().next(),
        Some("contain: bad device '/dev/null:/dev/x:ro': there is no third field"),
        "{r:?}"
    );
    // Two fields, and a tmpfs's options, which may hold a colon-free list.
    let r = as_root(&[&bin_str(), "contain", "-c", "-b", "/tmp:/mnt", "-t", "/run:size=1m", root.str(), "true"]);
    assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{r:?}");
}

#[test]
fn read_only_and_volatile_exclude_each_other() {
    let root = rootfs();
    for args in [&["-R", "-v"][..], &["--volatile", "--read-only"], &["-vR"]] {
        let mut argv = vec!["contain"];
        argv.extend_from_slice(args);
        argv.extend([root.str(), "true"]);
        let r = run(&argv);
        assert_eq!(r.code(), Some(64), "{args:?}: {r:?}");
        assert_eq!(
            r.stderr.lines().next(),
            Some("contain: -R and -v exclude each other: a volatile root never writes to DIR"),
            "{args:?}: {r:?}"
        );
        assert!(r.stderr.contains("\nUsage: contain [OPTIONS] DIR"), "{args:?}: {r:?}");
    }
}

/// A fresh XDG_RUNTIME_DIR for the test user: a state directory of its own.
fn runtime_dir() -> (TempDir, String) {
    let dir = TempDir::new();
    chown(dir.path(), UID, GID);
    let var = format!("XDG_RUNTIME_DIR={}", dir.str());
    (dir, var)
}

#[test]
fn without_a_delegated_cgroup_the_warning_says_how_and_comes_once_per_state_directory() {
    let root = rootfs();
    let bin = bin_str();
    let user = User { delegate: false, ..User::default() };
    let (_runtime, xdg) = runtime_dir();
    let argv = ["env", &xdg, &bin, "contain", "-c", root.str(), "true"];
    let r = user.run(&argv);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(lines[0].starts_with("contain: warning: cannot create cgroup /"), "{r:?}");
    assert!(
        lines[0].ends_with(
            ": Permission denied; going on without one (to have one, run contain in a delegated cgroup: \
             systemd-run --user --scope -p Delegate=yes contain ...; said once)"
        ),
        "{r:?}"
    );
    let r = user.run(&argv);
    assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "said twice: {r:?}");
    // Another state directory: said there once too.
    let (_other, xdg) = runtime_dir();
    let r = user.run(&["env", &xdg, &bin, "contain", "-c", root.str(), "true"]);
    assert_eq!((r.code(), r.err_lines().len()), (Some(0), 1), "{r:?}");
}

#[test]
fn a_directory_on_dirs_path_closed_to_the_containers_root_is_named() {
    // The caller may search its own 0700 directory; a container whose root
    // is another id (a MAP onto the caller's subuid range) may not.
    let outer = TempDir::new();
    chown(outer.path(), UID, GID);
    let root = rootfs();
    let dir = outer.join_str("root");
    fs::rename(root.path(), &dir).unwrap();
    set_mode(outer.path(), 0o700);
    let bin = bin_str();
    let argv = [bin.as_str(), "contain", "-c", "-u", "0:200000:65536", "-g", "0:200000:65536", &dir, "true"];
    // The caller's delegated cgroup is not for a container root of another
    // id: that warning comes first, every time.
    let cgroup_warning = |r: &Run| {
        let lines = r.err_lines();
        assert!(lines[0].starts_with("contain: warning: cannot create cgroup /"), "{r:?}");
        assert!(lines[0].ends_with(": Operation not permitted; going on without one"), "{r:?}");
        lines[1..].join("\n")
    };
    let r = User::default().run(&argv);
    assert_eq!(
        (r.code(), r.stdout.as_str(), cgroup_warning(&r)),
        (
            Some(1),
            "",
            format!(
                "contain: cannot bind new root {dir}: Permission denied (the container's root cannot search {o}: \
                 chmod o+x {o}, or use a DIR outside it)",
                o = outer.str()
            )
        ),
        "{r:?}"
    );
    // Control: searchable, it runs.
    set_mode(outer.path(), 0o711);
    let r = User::default().run(&argv);
    assert_eq!((r.code(), cgroup_warning(&r)), (Some(0), String::new()), "{r:?}");
    fs::rename(&dir, root.path()).unwrap();
}

#[test]
fn an_installed_system_owned_by_an_unmapped_id_is_warned_about_once() {
    for caller in Caller::BOTH {
        let root = rootfs();
        let r = contain_in(caller, &root);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: not an installed system: {r:?}");
        root.write("etc/shadow", "root:*:19000:0:99999:7:::\n", 0o640);
        let r = contain_in(caller, &root);
        assert_eq!(
            (r.code(), r.stderr.clone()),
            (
                Some(0),
                format!(
                    "contain: warning: {} belongs to uid 0, which is not mapped inside: its files are nobody's there \
                     (as root, use --idmap; else unpack it with pseudo tar)\n",
                    root.str()
                )
            ),
            "{caller:?}: {r:?}"
        );
        // Owned by container root: nothing to say.
        let owner = if caller == Caller::Root { 4294967294 } else { UID };
        chown(root.path(), owner, owner);
        let r = contain_in(caller, &root);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
    }
}

fn contain_in(caller: Caller, root: &TempDir) -> Run {
    caller.run(&[&bin_str(), "contain", "-c", root.str(), "true"])
}

/// `-R` with `-d` into a DIR without /dev: /dev is made before DIR goes
/// read-only, and the device works there.
#[test]
fn read_only_root_gets_its_dev_for_a_device_before_it_goes_read_only() {
    for caller in Caller::BOTH {
        let root = rootfs();
        fs::remove_dir(root.join("dev")).unwrap();
        // Container root's, so only -R stands between it and a write to /.
        let owner = if caller == Caller::Root { 4294967294 } else { UID };
        chown(root.path(), owner, owner);
        let bin = bin_str();
        let script = "echo hi > /dev/mynull && echo written; touch /x 2>/dev/null || echo read-only";
        let argv = [bin.as_str(), "contain", "-c", "-R", "-d", "/dev/null:/dev/mynull", root.str(), "sh", "-c", script];
        let r = caller.run(&argv);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "written\nread-only\n", ""),
            "{caller:?}"
        );
        assert!(root.join("dev").is_dir() && !root.join("x").exists(), "{caller:?}");
    }
}

/// A caller that never ran a container has no state directory: `list`
/// shows the header alone and makes none.
#[test]
fn list_without_a_state_directory_shows_the_header_and_makes_none() {
    let (runtime, xdg) = runtime_dir();
    let bin = bin_str();
    let r = User::default().run(&["env", &xdg, &bin, "list"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), "ID  SUPERVISOR  INIT     UP       APPLET   DIR\n", ""),
        "{r:?}"
    );
    let r = User::default().run(&["env", &xdg, &bin, "list", "-q"]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "", ""), "{r:?}");
    assert!(!runtime.join("ucontain").exists(), "list made a state directory");
}

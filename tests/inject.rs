//! inject PID CMD [ARG]... (SPEC §3, §5; issue 5 "Done when"): join a
//! running `contain` container from the host, as root and as the
//! unprivileged owner of the container, without exposing the host binary.
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

const NAMESPACES: [&str; 8] = ["mnt", "pid", "net", "ipc", "uts", "user", "cgroup", "time"];

/// `inject PID CMD...` through `sh -c 'SCRIPT' sh BIN inject PID CMD...`
/// (the script ends with `exec "$@"`).
fn inject_sh(injector: Caller, script: &str, pid: u32, cmd: &[&str]) -> Run {
    inject_via(injector, &["sh", "-c", script, "sh"], pid, cmd)
}

/// `inject OPTS... PID CMD...` through `sh -c 'SCRIPT' sh ...`, as `inject_sh`.
fn inject_opts(injector: Caller, script: &str, opts: &[&str], pid: u32, cmd: &[&str]) -> Run {
    let (bin, pid) = (bin_str(), pid.to_string());
    let mut argv = vec!["sh", "-c", script, "sh", bin.as_str(), "inject"];
    argv.extend_from_slice(opts);
    argv.push(&pid);
    argv.extend_from_slice(cmd);
    match injector {
        Caller::Root => run_command(command(&argv)),
        Caller::Unprivileged => User::default().run(&argv),
    }
}

/// A rootfs and a container on it running `cmd`.
fn container(owner: Caller, cmd: &[&str]) -> (TempDir, Container) {
    let root = rootfs();
    let c = Container::start(owner, root.str(), cmd);
    (root, c)
}

/// A place where CMD would leave a mark if it ran, on the host or in the
/// container: the same absolute path exists (writable by anyone) both on
/// the host and under the container's root.
struct Marker {
    _host: TempDir,
    path: String,
    inside: Option<std::path::PathBuf>,
}

impl Marker {
    fn new(root: Option<&TempDir>) -> Marker {
        let host = TempDir::new();
        set_mode(host.path(), 0o777);
        let path = host.join_str("cmd-ran");
        let inside = root.map(|root| {
            let dir = root.mkdir(host.str().trim_start_matches('/'), 0o777);
            dir.join("cmd-ran")
        });
        Marker { _host: host, path, inside }
    }

    #[track_caller]
    fn assert_not_run(&self, what: &str) {
        assert!(!Path::new(&self.path).exists(), "{what}: CMD ran on the host");
        if let Some(inside) = &self.inside {
            assert!(!inside.exists(), "{what}: CMD ran in the container");
        }
    }

    #[track_caller]
    fn assert_run(&self, what: &str) {
        let inside = self.inside.as_ref().is_some_and(|p| p.exists());
        assert!(inside, "{what}: control: CMD did not leave its mark in the container");
    }
}

/// One `inject: ...` line, exit 1.
#[track_caller]
fn assert_error(r: &Run, what: &str, contains: &[&str]) {
    assert_eq!(r.code(), Some(1), "{what}: {r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{what}: expected one line: {r:?}");
    assert!(lines[0].starts_with("inject: "), "{what}: {r:?}");
    assert!(
        contains.is_empty() || contains.iter().any(|c| lines[0].contains(c)),
        "{what}: expected one of {contains:?}: {r:?}"
    );
    assert_eq!(r.stdout, "", "{what}: {r:?}");
}

// ---- usage and errors: one line, exit 1 (or 64), CMD never runs ----

#[test]
fn usage_is_64() {
    let help = run(&["inject", "--help"]);
    assert_eq!(help.code(), Some(0), "{help:?}");
    assert!(help.stdout.starts_with("Usage: inject [-c] [-e NAME=VALUE]... PID|NAME [CMD [ARG]...]\n"), "{help:?}");
    for args in [&["inject"][..], &["inject", "-x", "1"][..]] {
        let r = run(args);
        assert_eq!(r.code(), Some(64), "{args:?}: {r:?}");
        assert_eq!(r.stderr, help.stdout, "{args:?}: {r:?}");
        assert_eq!(r.stdout, "", "{args:?}: {r:?}");
    }
}

/// SPEC §5.6: a PID that is not a (positive) number, or an unknown NAME,
/// is a clear one-line error, exit 1.
#[test]
fn a_pid_that_is_not_a_positive_number_is_one_line_and_exit_1() {
    let marker = Marker::new(None);
    for injector in Caller::BOTH {
        for pid in ["abc", "0", "-1", "12abc", "", "+5", " 5", "99999999999999999999"] {
            let error = match pid {
                "abc" | "12abc" => format!("inject: no container named {pid}\n"),
                _ => format!("inject: not a process id: {pid}\n"),
            };
            let bin = bin_str();
            let argv = [bin.as_str(), "inject", pid, "/bin/touch", marker.path.as_str()];
            let r = match injector {
                Caller::Root => run(&argv[1..]),
                Caller::Unprivileged => User::default().run(&argv),
            };
            let what = format!("{injector:?}: PID {pid:?}");
            assert_error(&r, &what, &[]);
            assert_eq!(r.stderr, error, "{what}");
            marker.assert_not_run(&what);
        }
    }
}

#[test]
fn no_such_process_is_one_line_and_exit_1() {
    let pid_max: u32 = fs::read_to_string("/proc/sys/kernel/pid_max").unwrap().trim().parse().unwrap();
    let free = (2..pid_max).rev().find(|p| !Path::new(&format!("/proc/{p}")).exists()).unwrap();
    let marker = Marker::new(None);
    for injector in Caller::BOTH {
        let r = inject(injector, free, &["/bin/touch", &marker.path]);
        assert_error(&r, &format!("{injector:?}"), &[]);
        assert_eq!(r.stderr, format!("inject: no process {free}: No such process\n"), "{injector:?}");
        marker.assert_not_run(&format!("{injector:?}"));
    }
}

#[test]
fn a_process_sharing_all_our_namespaces_is_not_a_container() {
    let marker = Marker::new(None);
    let r = inject(Caller::Root, std::process::id(), &["/bin/touch", &marker.path]);
    assert_error(&r, "own pid", &["is not in a container"]);
    marker.assert_not_run("own pid");
}

#[test]
fn a_zombie_is_refused() {
    for owner in Caller::BOTH {
        let (root, mut c) = container(owner, &["sh", "-c", "/bin/true & exec sleep 100"]);
        let zombie = poll_until(TIMEOUT, || proc_children(c.init).into_iter().find(|&k| proc_state(k) == Some('Z')))
            .expect("no zombie appeared");
        c.bg.track(zombie);
        let marker = Marker::new(Some(&root));
        let r = inject(owner, zombie, &["/bin/touch", &marker.path]);
        assert_error(&r, &format!("{owner:?}: zombie"), &[]);
        marker.assert_not_run(&format!("{owner:?}: zombie"));
        // Control: the same command into the live init leaves its mark.
        inject(owner, c.init, &["/bin/touch", &marker.path]).success();
        marker.assert_run(&format!("{owner:?}"));
    }
}

#[test]
fn unprivileged_into_roots_container_is_denied() {
    let (root, c) = container(Caller::Root, &["sleep", "100"]);
    let marker = Marker::new(Some(&root));
    let r = inject(Caller::Unprivileged, c.init, &["/bin/touch", &marker.path]);
    assert_error(&r, "tester into root's container", &["Permission denied", "Operation not permitted"]);
    marker.assert_not_run("tester into root's container");
}

#[test]
fn unprivileged_into_another_users_container_is_denied() {
    let root = rootfs();
    let other = User {
        uid: 4001,
        gid: 4001,
        name: "other".into(),
        subuid: Some("other:300000:65536\n".into()),
        subgid: Some("other:300000:65536\n".into()),
        ..User::default()
    };
    let c = Container::start_with(&bin_str(), root.str(), &["sleep", "100"], Some(&other));
    let marker = Marker::new(Some(&root));
    let r = inject(Caller::Unprivileged, c.init, &["/bin/touch", &marker.path]);
    assert_error(&r, "tester into other's container", &["Permission denied", "Operation not permitted"]);
    marker.assert_not_run("tester into other's container");
}

#[test]
fn unprivileged_into_a_root_host_process_is_refused() {
    let marker = Marker::new(None);
    let r = inject(Caller::Unprivileged, std::process::id(), &["/bin/touch", &marker.path]);
    assert_error(&r, "tester into a root process", &[]);
    marker.assert_not_run("tester into a root process");
}

// ---- where CMD runs ----

#[test]
fn every_namespace_is_the_inits() {
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let script = format!("for n in {}; do echo $n $(readlink /proc/self/ns/$n); done", NAMESPACES.join(" "));
        let r = inject(pair.injector, c.init, &["sh", "-c", &script]);
        r.success();
        let lines = r.lines();
        assert_eq!(lines.len(), NAMESPACES.len(), "{pair:?}: {r:?}");
        for (line, ns) in lines.iter().zip(NAMESPACES) {
            let want = proc_link(c.init, &format!("ns/{ns}"));
            assert!(want.starts_with(&format!("{ns}:[")), "{pair:?}: host view of {ns}: {want:?}");
            assert_eq!(*line, format!("{ns} {want}"), "{pair:?}: {r:?}");
        }
    }
}

#[test]
fn root_cwd_processes_and_pid_are_the_containers() {
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        let marker = format!("marker-{}", root.path().file_name().unwrap().to_str().unwrap());
        root.write(&marker, "in the container\n", 0o644);
        let script = format!("cat /{marker}; echo --; pwd; echo --; echo $$; echo --; ps -o pid,args");
        let r = inject_sh(pair.injector, "cd /tmp && exec \"$@\"", c.init, &["sh", "-c", &script]);
        r.success();
        let parts: Vec<&str> = r.stdout.split("--\n").collect();
        assert_eq!(parts.len(), 4, "{pair:?}: {r:?}");
        assert_eq!(parts[0], "in the container\n", "{pair:?}: {r:?}");
        assert_eq!(parts[1], "/\n", "{pair:?}: {r:?}");
        let me = parts[2].trim();
        assert_ne!(me, "1", "{pair:?}: {r:?}");
        let ps: Vec<(String, String)> = parts[3]
            .lines()
            .skip(1)
            .map(|l| {
                let (pid, args) = l.trim().split_once(char::is_whitespace).unwrap_or((l.trim(), ""));
                (pid.to_string(), args.trim().to_string())
            })
            .collect();
        assert!(ps.contains(&("1".to_string(), "sleep 100".to_string())), "{pair:?}: the init is not listed: {r:?}");
        assert!(ps.iter().any(|(pid, _)| pid == me), "{pair:?}: $$ is not listed: {r:?}");
        // Only the container's processes: the init, the shell, ps.
        assert!(ps.len() <= 4, "{pair:?}: more than the container's processes: {r:?}");
    }
}

#[test]
fn cmd_runs_as_the_containers_root() {
    // SPEC §5.6 v2: uid 0 and gid 0 inside, whoever injects.
    let cases = [
        (Pair { owner: Caller::Unprivileged, injector: Caller::Unprivileged }, "0 0"),
        (Pair { owner: Caller::Root, injector: Caller::Root }, "0 0"),
        (ROOT_INTO_USERS, "0 0"),
    ];
    for (pair, want) in cases {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let r = inject(pair.injector, c.init, &["sh", "-c", "echo $(id -u) $(id -g)"]);
        r.success();
        assert_eq!(r.stdout.trim(), want, "{pair:?}: {r:?}");
    }
}

/// The variables of `/proc/self/environ` as CMD sees it.
fn environ(r: &Run) -> Vec<&str> {
    r.stdout.split('\0').filter(|v| !v.is_empty()).collect()
}

/// SPEC §5.6 (v3): CMD's environment is never the caller's (its tokens,
/// SSH_AUTH_SOCK, HOME): exactly container=contain, the default PATH,
/// HOME of uid 0 in the container's /etc/passwd, and the `-e`s; TERM only
/// when inject relays a terminal (not here: stdin is /dev/null).
#[test]
fn environment_is_the_specs_never_the_callers() {
    let callers =
        "export SECRET=hunter2 SSH_AUTH_SOCK=/tmp/agent TERM=xterm PATH=/custom:/bin HOME=/home/me; exec \"$@\"";
    let default_path = format!("PATH={DEFAULT_PATH}");
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        let r = inject_sh(pair.injector, callers, c.init, &["cat", "/proc/self/environ"]);
        r.success();
        assert_eq!(environ(&r), ["container=contain", &default_path, "HOME=/root"], "{pair:?}: {r:?}");
        // HOME from the container's passwd; `-e` adds, a later one replaces.
        root.write("etc/passwd", "daemon:x:1:1::/usr/sbin:/bin/false\nroot:x:0:0:root:/home/r00t:/bin/sh\n", 0o644);
        let opts = ["-e", "A=b", "-e", "EMPTY=", "-e", "A=c=d"];
        let r = inject_opts(pair.injector, callers, &opts, c.init, &["cat", "/proc/self/environ"]);
        r.success();
        assert_eq!(
            environ(&r),
            ["container=contain", &default_path, "HOME=/home/r00t", "EMPTY=", "A=c=d"],
            "{pair:?}: {r:?}"
        );
        // CMD is searched in the PATH it gets: the default, or `-e PATH=`.
        root.write("custom/only-inside", "#!/bin/sh\necho inside $0\n", 0o755);
        let r = inject_sh(pair.injector, callers, c.init, &["only-inside"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(127), "inject: only-inside: No such file or directory\n"));
        let r = inject_opts(pair.injector, callers, &["-e", "PATH=/custom:/bin"], c.init, &["only-inside"]);
        r.success();
        assert_eq!(r.stdout, "inside /custom/only-inside\n", "{pair:?}: {r:?}");
    }
}

#[test]
fn a_bad_or_17th_variable_is_a_usage_error() {
    let (_root, c) = container(Caller::Root, &["sleep", "100"]);
    let init = c.init.to_string();
    let usage = run(&["inject", "--help"]).stdout;
    for (bad, why) in [("NAME", "bad variable 'NAME': not NAME=VALUE"), ("=x", "bad variable '=x': not NAME=VALUE")] {
        let r = run(&["inject", "-e", bad, &init, "true"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(64), ""), "{bad}: {r:?}");
        assert_eq!(r.stderr, format!("inject: {why}\n{usage}"), "{bad}: {r:?}");
    }
    let mut args = vec!["inject"];
    let vars: Vec<String> = (0..17).map(|i| format!("V{i}=x")).collect();
    for var in &vars[..16] {
        args.extend(["-e", var.as_str()]);
    }
    args.extend([init.as_str(), "true"]);
    run(&args).success();
    args.splice(args.len() - 2..args.len() - 2, ["-e", vars[16].as_str()]);
    let r = run(&args);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(64), ""), "{r:?}");
    assert_eq!(r.stderr, format!("inject: more than 16 -e options\n{usage}"), "{r:?}");
}

/// SPEC §5.6 (v3): without CMD, the login shell of uid 0 in the
/// container's /etc/passwd (read inside: the host's says /bin/sh), else
/// /bin/sh.
#[test]
fn the_default_command_is_root_s_login_shell_in_the_container() {
    for pair in OWN {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        root.write("bin/login-shell", "#!/bin/sh\necho \"login shell $0 with $# arguments, HOME=$HOME\"\n", 0o755);
        root.write("etc/passwd", "root:x:0:0:root:/home/r00t:/bin/login-shell\n", 0o644);
        let r = inject(pair.injector, c.init, &[]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "login shell /bin/login-shell with 0 arguments, HOME=/home/r00t\n", ""),
            "{pair:?}: {r:?}"
        );
        // A shell that is not there, or no entry for root: /bin/sh, which
        // reads its commands from stdin.
        for passwd in ["root:x:0:0:root:/root:/bin/no-such-shell\n", "daemon:x:1:1::/:/bin/login-shell\n"] {
            root.write("etc/passwd", passwd, 0o644);
            let r = inject_sh(pair.injector, "echo 'echo sh $0' | \"$@\"", c.init, &[]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), "sh /bin/sh\n", ""),
                "{pair:?}: {r:?}"
            );
        }
    }
}

/// Issue 21: an ordinary user's PATH has no /sbin, and `inject PID
/// poweroff` failed with 127; the default PATH finds the container's.
#[test]
fn poweroff_from_an_ordinary_users_path_reaches_the_init() {
    for owner in Caller::BOTH {
        let root = rootfs();
        fs::remove_file(root.join("bin/poweroff")).unwrap();
        std::os::unix::fs::symlink("/bin/busybox", root.join("sbin/poweroff")).unwrap();
        // busybox poweroff asks PID 1 with SIGUSR2.
        let init = "trap 'echo powering off; exit 0' USR2; while :; do sleep 1; done";
        let mut c = Container::start(owner, root.str(), &["sh", "-c", init]);
        let r = inject_sh(owner, "export PATH=/usr/local/bin:/usr/bin:/bin; exec \"$@\"", c.init, &["poweroff"]);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "", ""), "{owner:?}: {r:?}");
        let ended = c.bg.finish();
        assert_eq!((ended.code(), ended.stdout.as_str()), (Some(0), "powering off\n"), "{owner:?}: {ended:?}");
    }
}

/// SPEC §5.6 (v3): inject joins every cgroup of the init before it forks,
/// so what it starts counts against the container's limits.
#[test]
fn cmd_is_in_every_cgroup_of_the_init() {
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let mut bg = inject_sleep_in_background(pair.injector, c.init);
        let inj = bg.pid();
        let child = poll_until(TIMEOUT, || {
            proc_children(inj)
                .into_iter()
                .find(|&k| fs::read_to_string(format!("/proc/{k}/comm")).unwrap_or_default() == "sleep\n")
        })
        .unwrap_or_else(|| panic!("{pair:?}: inject never started its command: {}", bg.stderr()));
        bg.track(child);
        let init_cgroups = fs::read_to_string(format!("/proc/{}/cgroup", c.init)).unwrap();
        let cmd_cgroups = fs::read_to_string(format!("/proc/{child}/cgroup")).unwrap();
        assert_eq!(cmd_cgroups, init_cgroups, "{pair:?}");
        // The container's own cgroup, not the caller's.
        let ours = fs::read_to_string("/proc/self/cgroup").unwrap();
        assert_ne!(cmd_cgroups, ours, "{pair:?}: control: the container has no cgroup of its own");
    }
}

#[test]
fn no_descriptor_of_ucontain_reaches_cmd() {
    for pair in OWN {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        let probe = probe(&root);
        // Control: what the same caller passes on to any program (0 1 2, and
        // whatever the test process itself may pass on, e.g. a jobserver's).
        let control = pair.injector.run(&[probe.to_str().unwrap(), "fds"]);
        control.success();
        let passed: Vec<&str> = control.lines();
        assert!(passed.starts_with(&["0", "1", "2"]), "{pair:?}: control: {control:?}");
        let r = inject(pair.injector, c.init, &["/probe", "fds"]);
        r.success();
        let got = r.lines();
        assert!(got.starts_with(&["0", "1", "2"]), "{pair:?}: {r:?}");
        assert!(
            got.iter().all(|fd| passed.contains(fd)),
            "{pair:?}: CMD got a descriptor its caller does not pass on: {got:?}, caller passes {passed:?}"
        );
    }
}

// ---- status ----

#[test]
fn exit_status_is_cmds() {
    for pair in OWN {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let r = inject(pair.injector, c.init, &["sh", "-c", "exit 42"]);
        assert_eq!(r.code(), Some(42), "{pair:?}: {r:?}");
        let r = inject(pair.injector, c.init, &["/bin/true"]);
        assert_eq!(r.code(), Some(0), "{pair:?}: {r:?}");
    }
}

#[test]
fn death_by_signal_is_re_raised() {
    for pair in OWN {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        cc_static(&root, "segv");
        let r = inject(pair.injector, c.init, &["sh", "-c", "kill -TERM $$"]);
        assert_eq!(r.signal(), Some(SIGTERM), "{pair:?}: {r:?}");
        let r = inject_sh(pair.injector, "ulimit -c 0; exec \"$@\"", c.init, &["/segv"]);
        assert_eq!(r.signal(), Some(SIGSEGV), "{pair:?}: {r:?}");
        assert!(!root.join("core").exists());
    }
}

#[test]
fn not_found_is_127_and_not_executable_is_126() {
    for pair in OWN {
        let (root, c) = container(pair.owner, &["sleep", "100"]);
        root.write("notexec", "#!/bin/sh\necho ran\n", 0o644);
        let r = inject(pair.injector, c.init, &["no-such-cmd"]);
        assert_eq!(r.code(), Some(127), "{pair:?}: {r:?}");
        assert_eq!(r.stderr, "inject: no-such-cmd: No such file or directory\n", "{pair:?}: {r:?}");
        // On the host, not in the container.
        let r = inject(pair.injector, c.init, &["/usr/bin/setpriv"]);
        assert_eq!(r.code(), Some(127), "{pair:?}: {r:?}");
        assert_eq!(r.stderr, "inject: /usr/bin/setpriv: No such file or directory\n", "{pair:?}: {r:?}");
        let r = inject(pair.injector, c.init, &["/notexec"]);
        assert_eq!(r.code(), Some(126), "{pair:?}: {r:?}");
        assert!(r.stderr.starts_with("inject: /notexec: "), "{pair:?}: {r:?}");
        assert_eq!(r.stdout, "", "{pair:?}: {r:?}");
    }
}

/// `inject PID sleep 100` by `injector`, in the background.
fn inject_sleep_in_background(injector: Caller, init: u32) -> Background {
    let bin = bin_str();
    let pid = init.to_string();
    let user = User::default();
    Background::spawn(
        &[bin.as_str(), "inject", pid.as_str(), "sleep", "100"],
        if injector == Caller::Unprivileged { Some(&user) } else { None },
    )
}

// ---- the host binary stays out of reach ----

#[test]
fn the_waiting_inject_runs_from_a_memfd_that_cannot_be_opened_for_writing() {
    for pair in OWN {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let mut bg = inject_sleep_in_background(pair.injector, c.init);
        let inj = bg.pid();
        let child = poll_until(TIMEOUT, || {
            if !proc_link(inj, "exe").starts_with("/memfd:") {
                return None;
            }
            proc_children(inj)
                .into_iter()
                .find(|&k| fs::read_to_string(format!("/proc/{k}/comm")).unwrap_or_default() == "sleep\n")
        })
        .unwrap_or_else(|| panic!("{pair:?}: inject never waited for its child: {}", bg.stderr()));
        bg.track(child);
        assert_eq!(proc_link(inj, "exe"), "/memfd:ucontain (deleted)", "{pair:?}");
        for (what, opts) in [
            ("O_WRONLY", fs::OpenOptions::new().write(true).clone()),
            ("O_WRONLY|O_APPEND", fs::OpenOptions::new().append(true).clone()),
            ("O_WRONLY|O_TRUNC", fs::OpenOptions::new().write(true).truncate(true).clone()),
            ("O_RDWR", fs::OpenOptions::new().read(true).write(true).clone()),
        ] {
            let opened = opts.open(format!("/proc/{inj}/exe"));
            assert!(opened.is_err(), "{pair:?}: root opened /proc/{inj}/exe {what}");
        }
        // Non-dumpable: its /proc files belong to root even when it runs as the user.
        if pair.injector == Caller::Unprivileged {
            let status = fs::read_to_string(format!("/proc/{inj}/status")).unwrap();
            assert!(
                status.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("4000")),
                "{status}"
            );
            let owner = fs::symlink_metadata(format!("/proc/{inj}/exe")).unwrap().uid();
            assert_eq!(owner, 0, "{pair:?}: inject is dumpable (its /proc files belong to uid {owner})");
        }
        // Its child, CMD, is inside: the init's pid namespace.
        assert_eq!(proc_link(child, "ns/pid"), proc_link(c.init, "ns/pid"), "{pair:?}");
        signal_pid(child, SIGKILL);
        let status = bg.wait_timeout(TIMEOUT).expect("inject did not end after its child died");
        assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(SIGKILL), "{pair:?}");
    }
}

/// A copy of the binary, writable by anyone (so that only the seal protects
/// it), runs the container and 100 injects while the container's init tries
/// to write every /proc/*/exe it sees; half of the injects run a script
/// whose interpreter is /proc/self/exe (CVE-2019-5736).
fn overwrite_attempt(owner: Caller) {
    let original = fs::read(bin_str()).unwrap();
    let bindir = TempDir::new();
    let copy = bindir.join("ucontain");
    fs::write(&copy, &original).unwrap();
    set_mode(&copy, 0o777);
    let copy = copy.to_str().unwrap().to_string();
    let root = rootfs();
    cc_static(&root, "attack");
    root.write("evil", "#!/proc/self/exe\n", 0o755);
    let user = User::default();
    let user = (owner == Caller::Unprivileged).then_some(&user);
    let mut c = Container::start_with(&copy, root.str(), &["/attack"], user);
    poll_until(TIMEOUT, || c.bg.stdout().starts_with("attacking\n").then_some(())).expect("the attack did not start");
    let script = "i=0; while [ $i -lt 50 ]; do \"$0\" inject \"$1\" /bin/true || { echo \"true $i: $?\"; exit 1; }; \
                  \"$0\" inject \"$1\" /evil 2>/dev/null; i=$((i+1)); done; echo done";
    let init = c.init.to_string();
    let r = match owner {
        Caller::Root => {
            let mut cmd = std::process::Command::new("sh");
            cmd.args(["-c", script, &copy, &init]);
            run_command(cmd)
        }
        Caller::Unprivileged => User::default().run(&["sh", "-c", script, &copy, &init]),
    };
    signal_pid(c.sup(), SIGKILL);
    let _ = c.bg.wait_timeout(TIMEOUT);
    let attack = c.bg.stdout();
    assert_eq!(r.stdout, "done\n", "{owner:?}: {r:?}");
    assert!(!attack.contains("WROTE"), "{owner:?}: the container wrote to an executable:\n{attack}");
    let after = fs::read(&copy).unwrap();
    assert!(after == original, "{owner:?}: the binary changed ({} bytes, was {})", after.len(), original.len());
    eprintln!("{owner:?}: what the attack reported:\n{attack}");
}

#[test]
fn a_hundred_injects_under_attack_leave_the_binary_unchanged_as_root() {
    overwrite_attempt(Caller::Root);
}

#[test]
fn a_hundred_injects_under_attack_leave_the_binary_unchanged_unprivileged() {
    overwrite_attempt(Caller::Unprivileged);
}

#[test]
fn a_supervisor_pid_reaches_its_container() {
    // Issue 7: `inject SUPERVISOR_PID` joins the same container as
    // `inject INIT_PID` (the supervisor shares the caller's namespaces; its
    // child, in a user namespace of its own, is the init).
    for pair in OWN {
        let (_root, c) = container(pair.owner, &["sleep", "100"]);
        let by_init = inject(
            pair.injector,
            c.init,
            &["sh", "-c", "id -u; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid"],
        );
        let by_supervisor = inject(
            pair.injector,
            c.sup(),
            &["sh", "-c", "id -u; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid"],
        );
        assert_eq!(by_init.code(), Some(0), "{pair:?}: {by_init:?}");
        assert_eq!(by_supervisor.code(), Some(0), "{pair:?}: {by_supervisor:?}");
        assert_eq!(by_supervisor.stdout, by_init.stdout, "{pair:?}");
        let host_mnt = fs::read_link("/proc/self/ns/mnt").unwrap();
        assert!(!by_init.stdout.contains(host_mnt.to_str().unwrap()), "{pair:?}: {by_init:?}");
    }
}

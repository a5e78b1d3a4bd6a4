//! SPEC §7, the OCI runtime (issue 25, first part): `ucontain oci` as runc's
//! command line: a bundle from `oci spec` with a busybox root goes through
//! create, state, start, kill and delete; `run` gives the container's exit
//! status; the pid file holds the init; nothing is left behind (process,
//! record, fifo, cgroup); a bad config.json is one line naming the field.
//! With podman (installed by apt as root when missing), `podman --runtime`
//! runs `run --rm` with the exit status and `run -d`, `ps`, `stop`, `rm`.
//! Root only: the runtime is root's (rootless podman is a later part).
mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A bundle: a busybox root in `rootfs/` and `oci spec`'s config.json with
/// no terminal, running `args`, and `change` applied to it.
fn bundle(args: &[&str], change: &Change) -> TempDir {
    let dir = TempDir::new();
    let root = rootfs();
    assert!(Command::new("cp").arg("-a").arg(root.join_str("")).arg(dir.join("rootfs")).status().unwrap().success());
    run(&["oci", "spec", "--bundle", dir.str()]).success();
    let mut config = fs::read_to_string(dir.join("config.json")).unwrap();
    config = config.replace("\"terminal\": true", "\"terminal\": false");
    let quoted: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
    config = config.replace("\"args\": [\"sh\"]", &format!("\"args\": [{}]", quoted.join(", ")));
    change(&mut config);
    fs::write(dir.join("config.json"), config).unwrap();
    dir
}

/// `ucontain oci --root STATE ARGS...` through a shell that sends its
/// output to files: a created container's init keeps the runtime's stdio,
/// which must not be the test's pipes. (status, stdout, stderr)
fn oci(state: &TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let out = state.join_str("out.txt");
    let err = state.join_str("err.txt");
    let mut line = format!("exec {} oci --root {}/s", sh_quote(&bin_str()), state.str());
    for arg in args {
        line.push(' ');
        line.push_str(&sh_quote(arg));
    }
    line.push_str(&format!(" >{out} 2>{err} </dev/null"));
    let r = run_command(common_command(&["sh", "-c", &line]));
    (r.code(), fs::read_to_string(&out).unwrap_or_default(), fs::read_to_string(&err).unwrap_or_default())
}

fn common_command(argv: &[&str]) -> Command {
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..]);
    cmd
}

/// A field of the state JSON, as written (a string's without its quotes).
fn field<'a>(state: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\": ");
    let at = state.find(&key).unwrap_or_else(|| panic!("no {name} in {state}")) + key.len();
    let rest = &state[at..];
    let end = rest.find([',', '\n']).unwrap();
    rest[..end].trim_matches('"')
}

fn wait_gone(pid: i32) -> bool {
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists() {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat.rsplit(')').next().is_some_and(|s| s.trim_start().starts_with('Z')) {
            return true;
        }
        if start.elapsed() > TIMEOUT {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// The cgroup directories named `name` below the hierarchies mounted here.
fn cgroups_named(name: &str) -> Vec<String> {
    let out =
        Command::new("find").args(["/sys/fs/cgroup", "-maxdepth", "4", "-type", "d", "-name", name]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn create_start_state_kill_delete() {
    let id = format!("oci-life-{}", std::process::id());
    let b = bundle(&["/bin/sh", "-c", "echo started; exec sleep 1000"], &|_| {});
    let state = TempDir::new();
    let pid_file = state.join_str("pid");
    let (code, _, err) = oci(&state, &["create", "--bundle", b.str(), "--pid-file", &pid_file, &id]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let pid: i32 = fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    // Created: the init waits on the fifo, not yet running the command.
    let (code, out, _) = oci(&state, &["state", &id]);
    assert_eq!(code, Some(0));
    assert_eq!(
        (field(&out, "id"), field(&out, "status"), field(&out, "pid"), field(&out, "bundle")),
        (id.as_str(), "created", pid.to_string().as_str(), b.str().trim_end_matches('/'))
    );
    assert_eq!(field(&out, "rootfs"), b.join_str("rootfs"));
    assert!(fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap().contains("ucontain"));
    // A second create of the same id is refused.
    let (code, _, err) = oci(&state, &["create", "--bundle", b.str(), &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: container {id} exists").as_str()));
    // Started: the command runs as the init.
    assert_eq!(oci(&state, &["start", &id]).0, Some(0));
    let start = Instant::now();
    while !fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default().starts_with("sleep") {
        assert!(start.elapsed() < TIMEOUT, "the init did not execute its command");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(field(&oci(&state, &["state", &id]).1, "status"), "running");
    let (code, _, err) = oci(&state, &["start", &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: cannot start container {id}: it is running").as_str()));
    // Not deleted while running, unless forced; killed by name.
    let (code, _, err) = oci(&state, &["delete", &id]);
    assert_eq!(
        (code, err.trim()),
        (Some(1), format!("oci: cannot delete container {id}: it is running (use --force)").as_str())
    );
    assert_eq!(oci(&state, &["kill", &id, "KILL"]).0, Some(0));
    assert!(wait_gone(pid));
    let out = oci(&state, &["state", &id]).1;
    assert_eq!((field(&out, "status"), field(&out, "pid")), ("stopped", "0"));
    let (code, _, err) = oci(&state, &["kill", &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: container {id} is not running").as_str()));
    assert_eq!(oci(&state, &["delete", &id]).0, Some(0));
    // Nothing left: record, fifo, state file, cgroups.
    let left: Vec<_> = fs::read_dir(state.join("s")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(cgroups_named(&id), Vec::<String>::new());
    let (code, _, err) = oci(&state, &["state", &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: container {id} does not exist").as_str()));
    // delete --force of what does not exist succeeds, as runc's.
    assert_eq!(oci(&state, &["delete", "--force", &id]).0, Some(0));
}

#[test]
fn run_gives_the_exit_status_and_the_config_is_applied() {
    let id = format!("oci-run-{}", std::process::id());
    let script = "echo $(id -u):$(id -g) $(hostname) $(pwd); grep CapBnd /proc/self/status; \
                  wc -c </etc/group; touch /x 2>/dev/null || echo read-only; exit 3";
    let b = bundle(&["/bin/sh", "-c", script], &|c| {
        *c = c.replace("\"uid\": 0, \"gid\": 0", "\"uid\": 1000, \"gid\": 1000, \"additionalGids\": [5]");
        *c = c.replace("\"cwd\": \"/\"", "\"cwd\": \"/tmp\"");
        *c = c.replace("\"hostname\": \"runc\"", "\"hostname\": \"box\"");
        *c = c.replace("\"maskedPaths\": [", "\"maskedPaths\": [\"/etc/group\", \"/no/such\", ");
    });
    let state = TempDir::new();
    let (code, out, err) = oci(&state, &["run", "--bundle", b.str(), &id]);
    assert_eq!(err, "");
    // runc spec's bounding set: CAP_AUDIT_WRITE (29), CAP_KILL (5),
    // CAP_NET_BIND_SERVICE (10); /etc/group masked (/dev/null over it; a
    // masked path that is not there is passed over); the root read-only.
    assert_eq!(out, "1000:1000 box /tmp\nCapBnd:\t0000000020000420\n0\nread-only\n");
    assert_eq!(code, Some(3));
    // run deletes what it made.
    assert!(fs::read_dir(state.join("s")).unwrap().next().is_none());
    assert_eq!(cgroups_named(&id), Vec::<String>::new());
}

/// A change made to `oci spec`'s config.json.
type Change = dyn Fn(&mut String);

#[test]
fn a_bad_config_is_one_line_naming_the_field() {
    let state = TempDir::new();
    let cases: [(&Change, &str); 4] = [
        (&|c| *c = c.replace("\"cwd\": \"/\"", "\"cwd\": 7"), "process.cwd: expected a string"),
        (&|c| *c = c.replace("\"uid\": 0", "\"uid\": \"root\""), "process.user.uid: bad number"),
        (
            &|c| *c = c.replace("\"type\": \"pid\"", "\"type\": \"pids\""),
            "linux.namespaces[].type: an unknown namespace",
        ),
        (&|c| c.truncate(c.len() / 2), ""),
    ];
    for (change, want) in cases {
        let b = bundle(&["/bin/true"], change);
        let (code, _, err) = oci(&state, &["create", "--bundle", b.str(), "bad"]);
        let config = b.join_str("config.json");
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with(&format!("oci: {config}: ")), "{err}");
        assert!(err.contains(want), "{err} lacks {want}");
        assert!(fs::read_dir(state.join("s")).map_or(true, |mut d| d.next().is_none()), "left behind");
    }
    // Unknown fields are ignored.
    let b = bundle(&["/bin/true"], &|c| *c = c.replacen('{', "{\"x-unknown\": {\"a\": [1, null]}, ", 1));
    let (code, _, err) = oci(&state, &["run", "--bundle", b.str(), "unknown-fields"]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
}

#[test]
fn log_lines_are_runc_json() {
    let state = TempDir::new();
    let log = state.join_str("log.json");
    let (code, _, err) = oci(&state, &["--log", &log, "--log-format", "json", "state", "nosuch"]);
    // Global options come before the command: --root is given first by oci().
    assert_eq!((code, err.trim()), (Some(1), "oci: container nosuch does not exist"));
    let line = fs::read_to_string(&log).unwrap();
    assert!(
        line.starts_with("{\"level\":\"error\",\"msg\":\"container nosuch does not exist\",\"time\":\"20"),
        "{line}"
    );
    assert!(line.ends_with("Z\"}\n"), "{line}");
}

/// podman 4.3 with `--runtime` at the binary linked as `ucontain-oci`, on
/// an image imported from a busybox root (no registry).
#[test]
fn podman_runs_containers_with_ucontain() {
    if !Path::new("/usr/bin/podman").exists() {
        let installed = Command::new("sh").args(["tests/deps.sh", "podman"]).status().unwrap();
        assert!(installed.success(), "tests need podman: install it (apt-get install podman)");
    }
    let links = TempDir::new();
    let runtime = links.join_str("ucontain-oci");
    std::os::unix::fs::symlink(bin(), &runtime).unwrap();
    let root = rootfs();
    let tar = links.join_str("root.tar");
    assert!(Command::new("tar").args(["-C", root.str(), "-cf", &tar, "."]).status().unwrap().success());
    let image = format!("localhost/ucontain-test-{}", std::process::id());
    let podman = |args: &[&str]| {
        let mut cmd = Command::new("podman");
        cmd.args(["--runtime", &runtime, "--cgroup-manager", "cgroupfs"]).args(args);
        run_command(cmd)
    };
    podman(&["import", &tar, &image]).success();
    // The host's hard limits may be below podman's defaults (its README).
    let limits = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];
    let r = podman(&[&["run", "--rm"], &limits[..], &[&image, "sh", "-c", "echo hi; exit 7"]].concat());
    assert_eq!((r.code(), r.stdout.as_str()), (Some(7), "hi\n"), "{r:?}");
    let r = podman(&[&["run", "-d"], &limits[..], &[&image, "sleep", "1000"]].concat());
    r.success();
    let id = r.stdout.trim().to_string();
    let r = podman(&["ps", "--no-trunc", "--format", "{{.ID}}"]);
    assert!(r.stdout.lines().any(|l| l == id), "{r:?}");
    let pid: i32 = podman(&["inspect", "--format", "{{.State.Pid}}", &id]).stdout.trim().parse().unwrap();
    assert!(fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap().starts_with("sleep"));
    // exec: podman's process JSON, detached under conmon, its status.
    let r = podman(&["exec", &id, "sh", "-c", "echo hi from exec; exit 5"]);
    assert_eq!((r.code(), r.stdout.as_str()), (Some(5), "hi from exec\n"), "{r:?}");
    podman(&["stop", "-t", "1", &id]).success();
    podman(&["rm", &id]).success();
    assert!(wait_gone(pid));
    assert!(!Path::new(&format!("/run/ucontain/{id}")).exists());
    assert_eq!(cgroups_named(&format!("libpod-{id}")), Vec::<String>::new());
    podman(&["rmi", &image]).success();
}

/// A created and started container of `bundle(args, change)` in `state`:
/// its init's pid.
fn started(state: &TempDir, id: &str, args: &[&str], change: &Change) -> (TempDir, i32) {
    let b = bundle(args, change);
    let pid_file = state.join_str("init.pid");
    let (code, _, err) = oci(state, &["create", "--bundle", b.str(), "--pid-file", &pid_file, id]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    assert_eq!(oci(state, &["start", id]).0, Some(0));
    let pid: i32 = fs::read_to_string(&pid_file).unwrap().parse().unwrap();
    let start = Instant::now();
    while !fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default().starts_with(args[0]) {
        assert!(start.elapsed() < TIMEOUT, "the init did not execute its command");
        std::thread::sleep(Duration::from_millis(20));
    }
    (b, pid)
}

/// The lines of /proc/PID/status that start with one of `names`.
fn status_lines(pid: &str, names: &[&str]) -> String {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().filter(|l| names.iter().any(|n| l.starts_with(n))).map(|l| format!("{l}\n")).collect()
}

/// A seccomp profile refusing mkdir with EPERM (1).
fn refuse_mkdir(c: &mut String) {
    *c = c.replace(
        "\"linux\": {",
        "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"], \
         \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]},",
    );
}

#[test]
fn exec_runs_a_process_in_the_container_under_its_sandbox() {
    let id = format!("oci-exec-{}", std::process::id());
    let state = TempDir::new();
    let (_b, init) = started(&state, &id, &["sleep", "1000"], &refuse_mkdir);
    // A command, its exit status; in the container's root and hostname.
    let (code, out, err) = oci(&state, &["exec", &id, "sh", "-c", "echo $(hostname) $(id -u); exit 4"]);
    assert_eq!((code, out.as_str(), err.as_str()), (Some(4), "runc 0\n", ""));
    // The container's filter and bounding set, whatever the caller's.
    let names = ["Seccomp:", "CapBnd:", "NoNewPrivs:"];
    let want = status_lines(&init.to_string(), &names);
    assert!(want.contains("Seccomp:\t2\n") && want.contains("CapBnd:\t0000000020000420\n"), "{want}");
    let (code, out, _) =
        oci(&state, &["exec", &id, "grep", "-E", "^(Seccomp|CapBnd|NoNewPrivs):", "/proc/self/status"]);
    assert_eq!((code, out), (Some(0), want.clone()));
    let (code, _, err) = oci(&state, &["exec", &id, "mkdir", "/tmp/x"]);
    assert_eq!((code, err.contains("Operation not permitted")), (Some(1), true), "{err}");
    // Only fds 0, 1, 2 reach it, whatever the caller holds open.
    let (code, out, _) = oci(&state, &["exec", &id, "ls", "/proc/self/fd"]);
    assert_eq!((code, out.as_str()), (Some(0), "0\n1\n2\n3\n"));
    // --process: a process JSON as podman's (its capabilities cut to the
    // container's bounding set), with --detach and a pid file.
    let process = state.join_str("process.json");
    fs::write(
        &process,
        r#"{"user":{"uid":1000,"gid":1000,"additionalGids":[5]},"args":["sh","-c","echo $(id -u):$(id -g):$(id -G) $PWD $X >/dev/shm/out; exec sleep 1000"],"env":["PATH=/bin:/usr/bin","X=x"],"cwd":"/tmp","capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_KILL"],"permitted":["CAP_KILL"],"inheritable":["CAP_KILL"],"ambient":["CAP_KILL"]},"rlimits":[{"type":"RLIMIT_NOFILE","hard":512,"soft":512}]}"#,
    )
    .unwrap();
    let pid_file = state.join_str("exec.pid");
    let (code, _, err) = oci(&state, &["exec", "--process", &process, "--detach", "--pid-file", &pid_file, &id]);
    assert_eq!((code, err.as_str()), (Some(0), ""));
    let pid = fs::read_to_string(&pid_file).unwrap();
    let start = Instant::now();
    while !fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default().starts_with("sleep") {
        assert!(start.elapsed() < TIMEOUT, "the exec'd process did not run");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, out, _) = oci(&state, &["exec", &id, "cat", "/dev/shm/out"]);
    assert_eq!(out, "1000:1000:1000 5 /tmp x\n");
    assert_eq!(
        status_lines(&pid, &["CapBnd:", "CapEff:", "Seccomp:"]),
        "CapEff:\t0000000000000020\nCapBnd:\t0000000000000020\nSeccomp:\t2\n"
    );
    assert_eq!(
        fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap(),
        fs::read_to_string(format!("/proc/{init}/cgroup")).unwrap()
    );
    // Bad ids and a stopped container: one line each.
    let (code, _, err) = oci(&state, &["exec", "nosuch", "true"]);
    assert_eq!((code, err.trim()), (Some(1), "oci: container nosuch does not exist"));
    assert_eq!(oci(&state, &["kill", &id, "KILL"]).0, Some(0));
    assert!(wait_gone(init));
    let (code, _, err) = oci(&state, &["exec", &id, "true"]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: cannot exec in container {id}: it is stopped").as_str()));
    assert_eq!(oci(&state, &["delete", &id]).0, Some(0));
    let _ = Command::new("kill").args(["-9", pid.trim()]).status();
}

#[test]
fn ps_pause_and_resume() {
    let id = format!("oci-ps-{}", std::process::id());
    let state = TempDir::new();
    // The init counts into a file of the container's /dev/shm.
    let count = "i=0; while true; do i=$((i+1)); echo $i >/dev/shm/n; sleep 0.05; done";
    let (_b, init) = started(&state, &id, &["sh", "-c", count], &|_| {});
    let (code, out, _) = oci(&state, &["exec", "--detach", &id, "sleep", "1000"]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    // ps: the init and the exec'd sleep (the init's own sleeps come and go).
    let (code, out, _) = oci(&state, &["ps", "--format", "json", &id]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with('[') && out.ends_with("]\n"), "{out}");
    let pids: Vec<i32> = out.trim()[1..out.trim().len() - 1].split(',').map(|p| p.parse().unwrap()).collect();
    assert!(pids.contains(&init), "{out}");
    let sleeper = pids
        .iter()
        .find(|&&p| fs::read_to_string(format!("/proc/{p}/cmdline")).unwrap_or_default() == "sleep\u{0}1000\u{0}");
    assert!(sleeper.is_some(), "{out}");
    let (code, out, _) = oci(&state, &["ps", &id]);
    assert_eq!((code, out.starts_with("PID\n")), (Some(0), true), "{out}");
    assert!(out.lines().any(|l| l == init.to_string()), "{out}");
    // Paused: the state says so, and the count stops.
    let read = || oci(&state, &["exec", &id, "cat", "/dev/shm/n"]).1;
    assert_eq!(oci(&state, &["pause", &id]).0, Some(0));
    assert_eq!(field(&oci(&state, &["state", &id]).1, "status"), "paused");
    let n = fs::read_to_string(format!("/proc/{init}/root/dev/shm/n")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(fs::read_to_string(format!("/proc/{init}/root/dev/shm/n")).unwrap(), n);
    let (code, _, err) = oci(&state, &["pause", &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: container {id} is paused, not running").as_str()));
    // Resumed: running, counting again.
    assert_eq!(oci(&state, &["resume", &id]).0, Some(0));
    assert_eq!(field(&oci(&state, &["state", &id]).1, "status"), "running");
    let start = Instant::now();
    while read() == n {
        assert!(start.elapsed() < TIMEOUT, "the container did not resume");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(oci(&state, &["delete", "--force", &id]).0, Some(0));
    assert!(wait_gone(init));
    let (code, _, err) = oci(&state, &["ps", &id]);
    assert_eq!((code, err.trim()), (Some(1), format!("oci: container {id} does not exist").as_str()));
}

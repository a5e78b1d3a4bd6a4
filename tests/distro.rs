//! Real distributions (issues 13 and 21): Debian bookworm root filesystems
//! with systemd, sysvinit, runit and OpenRC (under sysvinit's /sbin/init),
//! made once by tests/distro/build.sh and cached under $UCONTAIN_CACHE or
//! ~/.cache/ucontain, unpacked with `pseudo tar -x`, booted with
//! `contain DIR /sbin/init` as root and as the unprivileged test user (with
//! its delegated cgroup), checked from inside with `inject`, and stopped: by
//! SIGTERM to contain, by poweroff and by reboot from inside. The systemd
//! and sysvinit roots are also booted on a pseudo-terminal of the test's
//! own, where a person logs in on the console and powers off.
mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// How long an init may take to come up, or to stop (issue 13: 30 s), or
/// to stop on SIGTERM to contain (issue 24: 20 s).
const UP: Duration = Duration::from_secs(90);
const DOWN: Duration = Duration::from_secs(30);
const STOP: Duration = Duration::from_secs(20);

/// The cached tarball of `name`, built once (tests/distro/build.sh).
fn tarball(name: &str) -> PathBuf {
    static BUILT: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/distro/build.sh");
    let out = Command::new("sh").arg(&script).arg(name).stderr(Stdio::inherit()).output().expect("sh");
    assert!(out.status.success(), "harness: tests/distro/build.sh {name} failed ({})", out.status);
    let cache = String::from_utf8_lossy(&out.stdout).trim().to_string();
    PathBuf::from(cache).join(format!("{name}.tar"))
}

/// `name`'s root filesystem unpacked by `caller` with `pseudo tar -x`, so
/// its files belong to the ids `caller`'s containers map.
fn unpack(caller: Caller, name: &str) -> TempDir {
    let tar = tarball(name);
    let dir = TempDir::new();
    // Container root must be able to write the top directory.
    let owner = if caller == Caller::Root { 4294967294 } else { UID };
    chown(dir.path(), owner, owner);
    let bin = bin_str();
    let script = format!("cd {} && exec {} pseudo tar -xf -", sh_quote(dir.str()), sh_quote(&bin));
    let user = match caller {
        Caller::Root => User::root(),
        Caller::Unprivileged => User::default(),
    };
    let (etc, mut cmd) = user.command(&["sh", "-c", &script]);
    let out = cmd.stdin(fs::File::open(&tar).unwrap()).output().expect("pseudo tar");
    drop(etc);
    assert!(out.status.success(), "{caller:?}: pseudo tar -x {name}: {}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// `contain DIR /sbin/init` as `caller`: no `-k`, whatever the init.
fn boot(caller: Caller, dir: &TempDir) -> Container {
    boot_with(caller, &[], dir)
}

/// `contain OPTIONS... DIR /sbin/init` as `caller`.
fn boot_with(caller: Caller, options: &[&str], dir: &TempDir) -> Container {
    let user = (caller == Caller::Unprivileged).then(User::default);
    let mut args = options.to_vec();
    args.extend([dir.str(), "/sbin/init"]);
    Container::start_full(&[], &bin_str(), &args, user.as_ref())
}

/// `inject SUPERVISOR CMD...` as `caller`.
fn inject(caller: Caller, c: &Container, cmd: &[&str]) -> Run {
    let sup = c.sup().to_string();
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), "inject", "-c", &sup];
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// What reaches the test service from inside the container, through `lo`.
const ASK_SERVICE: &str =
    "import socket; s = socket.create_connection(('127.0.0.1', 7777), 2); print(s.recv(64).decode().strip())";

/// Waits until the init is up: its test service answers on 127.0.0.1 (and,
/// for systemd, `is-system-running` says running).
fn wait_up(caller: Caller, c: &Container, name: &str) {
    let what = format!("{caller:?} {name}");
    let up = poll_until(UP, || {
        let r = inject(caller, c, &["python3", "-c", ASK_SERVICE]);
        (r.stdout.trim() == "ucontain-echo here").then_some(())
    });
    assert!(up.is_some(), "{what}: the test service never answered\n{}\n{}", c.bg.stdout(), c.bg.stderr());
    if name == "systemd" {
        let state = poll_until(UP, || {
            let r = inject(caller, c, &["systemctl", "is-system-running"]);
            matches!(r.stdout.trim(), "running" | "degraded").then(|| r.stdout.trim().to_string())
        });
        let failed = inject(caller, c, &["systemctl", "--failed", "--no-legend", "--plain"]);
        assert_eq!(state.as_deref(), Some("running"), "{what}: failed units:\n{}", failed.stdout);
    }
}

/// The container's cgroup in the unified hierarchy, as the host sees it:
/// /proc/INIT/cgroup (relative to our cgroup namespace's root, the host's)
/// up to `ucontain-SUPERVISOR`, below the cgroup2 mount.
fn cgroup_of(c: &Container) -> PathBuf {
    let line = fs::read_to_string(format!("/proc/{}/cgroup", c.init)).unwrap();
    let path = line.lines().find_map(|l| l.strip_prefix("0::")).unwrap().to_string();
    let name = format!("ucontain-{}", c.sup());
    let at = path.find(&name).unwrap_or_else(|| panic!("the init is not in {name}: {path}"));
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    let mount = mountinfo
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let dash = f.iter().position(|&x| x == "-")?;
            (f.get(dash + 1) == Some(&"cgroup2") && f[3] == "/").then(|| PathBuf::from(f[4]))
        })
        .expect("a cgroup2 mount");
    mount.join(&path[1..at + name.len()])
}

/// Everything inside a booted container that the issue asks for.
fn check_inside(caller: Caller, c: &Container, name: &str) {
    let what = format!("{caller:?} {name}");
    let r = inject(caller, c, &["ping", "-c1", "-W2", "127.0.0.1"]);
    assert_eq!(r.code(), Some(0), "{what}: ping: {r:?}");
    let r = inject(caller, c, &["python3", "-c", "import multiprocessing; multiprocessing.Lock(); print('lock')"]);
    assert_eq!(r.stdout, "lock\n", "{what}: {r:?}");
    let r = inject(caller, c, &["sh", "-c", "cat /proc/1/cgroup | grep '^0::'; echo $PATH"]);
    assert!(r.stdout.starts_with("0::/"), "{what}: {r:?}");
    let script = "set -e; mkdir -p /tmp/pkg/DEBIAN; printf 'Package: ucontain-probe\\nVersion: 1\\nArchitecture: all\\nMaintainer: t <t@t>\\nDescription: probe\\n' > /tmp/pkg/DEBIAN/control; \
                  dpkg-deb -b /tmp/pkg /tmp/probe.deb >/dev/null; dpkg -i /tmp/probe.deb >/dev/null; dpkg -s ucontain-probe | grep '^Status'; \
                  useradd -m probeuser; su probeuser -c 'id -un'";
    let r = inject(caller, c, &["sh", "-c", script]);
    assert_eq!(r.stdout, "Status: install ok installed\nprobeuser\n", "{what}: dpkg, useradd, su: {r:?}");
    if name == "openrc" {
        // OpenRC itself started the service (its openrc-run script), not a
        // sysv-rc left in the root.
        let r = inject(caller, c, &["rc-service", "ucontain-echo", "status"]);
        assert_eq!((r.code(), r.stdout.trim()), (Some(0), "* status: started"), "{what}: {r:?}");
    }
    let cg = cgroup_of(c);
    let owner = fs::metadata(&cg).map(|m| std::os::unix::fs::MetadataExt::uid(&m)).unwrap();
    let want = if caller == Caller::Root { 4294967294 } else { UID };
    assert_eq!(owner, want, "{what}: {} is not owned by container root", cg.display());
}

/// Boots `name`, checks it, then stops it by SIGTERM to contain, without
/// `-k`: contain ends by SIGTERM within 20 s, saying nothing (no fallback
/// to SIGKILL: the init stopped as asked), the init's shutdown ran (the test service was stopped and
/// wrote so), and the cgroup is gone. systemd is sent SIGRTMIN+3, sysvinit
/// (and OpenRC under it) SIGINT, runit SIGPWR.
fn boot_check_and_term(caller: Caller, name: &str) {
    boot_check_and_term_with(caller, name, &[]);
}

/// The same, with contain's `options`.
fn boot_check_and_term_with(caller: Caller, name: &str, options: &[&str]) {
    let what = format!("{caller:?} {name} {options:?}");
    let dir = unpack(caller, name);
    let mut c = boot_with(caller, options, &dir);
    wait_up(caller, &c, name);
    check_inside(caller, &c, name);
    let cg = cgroup_of(&c);
    assert!(cg.is_dir(), "{what}");
    assert!(signal_pid(c.sup(), SIGTERM), "{what}");
    let status = c.bg.wait_timeout(STOP).unwrap_or_else(|| panic!("{what}: still running {STOP:?} after SIGTERM"));
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(SIGTERM), "{what}: {}", c.bg.stderr());
    // The init's own messages go there too (no console): none of contain's.
    let said: Vec<String> = c.bg.stderr().lines().filter(|l| l.starts_with("contain:")).map(String::from).collect();
    assert_eq!(said, Vec::<String>::new(), "{what}");
    let marks = fs::read_to_string(dir.join("var/log/ucontain-marks")).unwrap_or_default();
    let stopped = if name == "runit" { "ucontain-echo finished" } else { "ucontain-echo stopped by signal 15" };
    assert!(marks.contains(stopped), "{what}: the shutdown did not stop the service:\n{marks}");
    assert!(
        poll_until(Duration::from_secs(5), || (!cg.exists()).then_some(())).is_some(),
        "{what}: {} left",
        cg.display()
    );
}

/// The last `n` characters of what a terminal showed, for a failure message.
fn tail(text: &str, n: usize) -> &str {
    let mut at = text.len().saturating_sub(n);
    while !text.is_char_boundary(at) {
        at += 1;
    }
    &text[at..]
}

/// Waits (up to `within`) until the console shows `needle`; fails saying
/// what it showed instead.
#[track_caller]
fn console_expect(pty: &mut Pty, what: &str, needle: &str, within: Duration) -> String {
    pty.expect_within(needle, within).unwrap_or_else(|| {
        panic!(
            "{what}: the console did not show {needle:?} within {within:?}; its last output:\n{}\n--- end ---",
            tail(&pty.transcript(), 3000)
        )
    })
}

/// The container's init among the children of the supervisor `sup`: PID 1
/// of a PID namespace below ours, no longer running ucontain.
fn init_of(sup: u32) -> Option<u32> {
    let bin = fs::canonicalize(bin_str()).ok()?;
    proc_children(sup).into_iter().find(|&c| {
        let status = fs::read_to_string(format!("/proc/{c}/status")).unwrap_or_default();
        let nspid: Vec<&str> =
            status.lines().find_map(|l| l.strip_prefix("NSpid:")).unwrap_or("").split_whitespace().collect();
        let exe = proc_link(c, "exe");
        nspid.len() >= 2 && nspid.last() == Some(&"1") && !exe.is_empty() && Path::new(&exe) != bin
    })
}

/// What an init prints on the console while it boots.
fn boot_message(name: &str) -> &'static str {
    match name {
        // "Welcome to Debian GNU/Linux 12 (bookworm)!", colored on a terminal.
        "systemd" => "Welcome to ",
        // sysvinit writes its own lines to /dev/console, which it opens anew.
        _ => "INIT: version ",
    }
}

/// At the console's `login:` prompt: logs in as root (no password), runs
/// `cmd` at the shell prompt and waits for `marker`, which it prints (the
/// terminal's echo of the line does not contain it), and the next prompt.
#[track_caller]
fn log_in(pty: &mut Pty, what: &str, marker: &str, cmd: &str) {
    pty.line("root");
    // bash's prompt for root: `root@HOST:~# `.
    console_expect(pty, what, ":~# ", TIMEOUT);
    pty.line(cmd);
    console_expect(pty, what, marker, TIMEOUT);
    console_expect(pty, what, ":~# ", TIMEOUT);
}

/// A person at a terminal: `contain DIR /sbin/init` on a pseudo-terminal of
/// the test's own (`Pty`, the caller's terminal) shows the boot messages and
/// a `login:` prompt; root logs in on the console, runs a command, logs out,
/// gets a new prompt, logs in again and runs `poweroff`; contain exits 0 and
/// the terminal's settings are as before.
///
/// The root needs a getty on /dev/console and a root login without a
/// password there (tests/distro/build.sh makes both): systemd starts
/// console-getty.service in a container (not masked, getty.target wanted);
/// sysvinit has `co:2345:respawn:/sbin/getty --noclear 38400 console` in
/// /etc/inittab (and no getty on tty1-6, which a container lacks); root's
/// password is empty (`passwd -d root`, pam_unix `nullok`, no
/// pam_securetty), and pam_loginuid is optional in /etc/pam.d/login (container
/// root cannot write /proc/self/loginuid).
///
/// Every init closes the descriptors of the console it was given and opens
/// /dev/console again (more than once: rc scripts, getty, login), so this
/// holds only with a relay that goes on when no descriptor of the console's
/// slave is open for a while (SPEC §5.5 Console, v3).
fn console_login_and_poweroff(caller: Caller, name: &str) {
    let what = format!("{caller:?} {name} on a terminal");
    let dir = unpack(caller, name);
    let bin = bin_str();
    let argv = ["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh", bin.as_str(), "contain", dir.str(), "/sbin/init"];
    let mut pty = Pty::spawn_as(caller, &argv, &[("TERM", "xterm")]);
    // The init, so that a failing test leaves no container behind (the
    // terminal's command, the supervisor, is killed with the session).
    let sup = pty.pid();
    let init = poll_until(TIMEOUT, || init_of(sup).map(Some).or_else(|| pty.try_wait().map(|_| None)));
    if let Some(Some(init)) = init {
        pty.track(init);
    }
    console_expect(&mut pty, &what, boot_message(name), UP);
    console_expect(&mut pty, &what, "login: ", UP);
    log_in(&mut pty, &what, "L-42 0", "echo L-$((6*7)) $(id -u)");
    // Logging out closes the console everywhere until the init's next getty
    // opens it again (a relay that stops then shows no second prompt).
    pty.line("exit");
    console_expect(&mut pty, &what, "login: ", TIMEOUT);
    log_in(&mut pty, &what, "M-56 0", "echo M-$((7*8)) $(id -u)");
    pty.line("poweroff");
    let status = poll_until(DOWN, || pty.try_wait()).unwrap_or_else(|| {
        panic!(
            "{what}: contain still running {DOWN:?} after poweroff; the console's last output:\n{}\n--- end ---",
            tail(&pty.transcript(), 3000)
        )
    });
    assert_eq!(
        status.code(),
        Some(0),
        "{what}: contain ended {status:?} after poweroff; the console's last output:\n{}\n--- end ---",
        tail(&pty.transcript(), 3000)
    );
    pty.assert_settings_restored(&what);
}

/// Boots `name` and runs `cmd` inside; contain must exit `code`.
fn boot_and_end_from_inside(caller: Caller, name: &str, cmd: &str, code: i32) {
    let what = format!("{caller:?} {name} {cmd}");
    let dir = unpack(caller, name);
    let mut c = boot(caller, &dir);
    wait_up(caller, &c, name);
    let cg = cgroup_of(&c);
    let _ = inject(caller, &c, &[cmd]);
    let status = c.bg.wait_timeout(DOWN).unwrap_or_else(|| panic!("{what}: still running {DOWN:?} after {cmd}"));
    assert_eq!(status.code(), Some(code), "{what}: {}", c.bg.stderr());
    assert!(
        poll_until(Duration::from_secs(5), || (!cg.exists()).then_some(())).is_some(),
        "{what}: {} left",
        cg.display()
    );
}

#[test]
fn systemd_boots_serves_and_stops() {
    for caller in Caller::BOTH {
        boot_check_and_term(caller, "systemd");
        boot_and_end_from_inside(caller, "systemd", "poweroff", 0);
        boot_and_end_from_inside(caller, "systemd", "reboot", 133);
    }
}

/// SPEC §5.5: `--seccomp FILE` takes podman's own default profile (as
/// podman and Docker ship it: 35 rules, three ABIs), compiled at start,
/// and systemd boots, serves and stops under it.
#[test]
fn systemd_boots_under_podmans_default_seccomp_profile() {
    const PROFILE: &str = "/usr/share/containers/seccomp.json";
    if !std::path::Path::new(PROFILE).exists() {
        let installed = std::process::Command::new("sh").args(["tests/deps.sh", "podman"]).status().unwrap();
        assert!(installed.success(), "harness: {PROFILE} is missing and tests/deps.sh could not install podman");
    }
    boot_check_and_term_with(Caller::Root, "systemd", &["--seccomp", PROFILE]);
}

#[test]
fn sysvinit_boots_serves_and_stops() {
    for caller in Caller::BOTH {
        boot_check_and_term(caller, "sysvinit");
        boot_and_end_from_inside(caller, "sysvinit", "poweroff", 0);
    }
}

#[test]
fn runit_boots_serves_and_stops() {
    for caller in Caller::BOTH {
        boot_check_and_term(caller, "runit");
    }
}

/// OpenRC under sysvinit's /sbin/init (Debian's way): its test service
/// `need`s mountall, Debian's local file systems (it has no localmount).
#[test]
fn openrc_boots_serves_and_stops() {
    for caller in Caller::BOTH {
        boot_check_and_term(caller, "openrc");
        boot_and_end_from_inside(caller, "openrc", "poweroff", 0);
    }
}

#[test]
fn systemd_boots_to_a_console_login_and_powers_off() {
    for caller in Caller::BOTH {
        console_login_and_poweroff(caller, "systemd");
    }
}

#[test]
fn sysvinit_boots_to_a_console_login_and_powers_off() {
    for caller in Caller::BOTH {
        console_login_and_poweroff(caller, "sysvinit");
    }
}

#[test]
fn without_a_delegated_cgroup_an_unprivileged_boot_warns_once() {
    let dir = unpack(Caller::Unprivileged, "sysvinit");
    let user = User { delegate: false, ..User::default() };
    // A state directory of its own: the warning is said once in each.
    let runtime = TempDir::new();
    chown(runtime.path(), UID, GID);
    let xdg = format!("XDG_RUNTIME_DIR={}", runtime.str());
    let r = user.run(&["env", &xdg, &bin_str(), "contain", dir.str(), "/bin/true"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(lines[0].starts_with("contain: warning: cannot create cgroup /"), "{r:?}");
    assert!(lines[0].contains("/ucontain-"), "{r:?}");
    assert!(lines[0].contains(": Permission denied; going on without one (to have one, "), "{r:?}");
    // Said once per state directory.
    let r = user.run(&["env", &xdg, &bin_str(), "contain", dir.str(), "/bin/true"]);
    assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{r:?}");
}

//! Runs in the background (a supervisor to signal, a container to inject
//! into), signals by pid, and /proc lookups.

use std::fs;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::Duration;

use super::{bin_str, command, kill_group, run_command, Caller, Run, TempDir, User, TIMEOUT};

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

pub const SIGINT: i32 = 2;
pub const SIGQUIT: i32 = 3;
pub const SIGKILL: i32 = 9;
pub const SIGSEGV: i32 = 11;
pub const SIGTERM: i32 = 15;
pub const SIGHUP: i32 = 1;

/// Send `sig` to one process, by pid (never a group, never by name).
pub fn signal_pid(pid: u32, sig: i32) -> bool {
    // SAFETY: kill(2) has no memory arguments.
    pid > 1 && unsafe { kill(pid as i32, sig) } == 0
}

/// The state letter of a process (field 3 of /proc/PID/stat), `None` if absent.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 1..].trim_start().chars().next()
}

/// Gone: absent, or a zombie waiting for a (possibly lazy) reaper.
pub fn proc_gone(pid: u32) -> bool {
    matches!(proc_state(pid), None | Some('Z') | Some('X'))
}

/// Poll `f` every 5 ms until it gives `Some`, or `None` after `timeout`.
pub fn poll_until<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Wait until process `pid` has a handler for `sig` (SigCgt), so a signal
/// sent now cannot arrive before the handler is installed.
#[track_caller]
pub fn wait_caught(pid: u32, sig: i32) {
    let bit = 1u64 << (sig - 1);
    poll_until(TIMEOUT, || {
        let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let cgt = status.lines().find(|l| l.starts_with("SigCgt:"))?.split_whitespace().nth(1)?;
        (u64::from_str_radix(cgt, 16).ok()? & bit != 0).then_some(())
    })
    .unwrap_or_else(|| panic!("process {pid} never installed its handler for signal {sig}"));
}

/// The children of `pid` (`/proc/PID/task/PID/children`).
pub fn proc_children(pid: u32) -> Vec<u32> {
    fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// `readlink /proc/PID/<what>` as a string (empty if unreadable).
pub fn proc_link(pid: u32, what: &str) -> String {
    fs::read_link(format!("/proc/{pid}/{what}")).map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A command running in the background, in its own process group, with
/// stdin from /dev/null and stdout/stderr to files. On drop, every tracked
/// pid and the group are SIGKILLed and the child is reaped.
pub struct Background {
    child: std::process::Child,
    out: TempDir,
    tracked: Vec<u32>,
    _etc: Option<TempDir>,
}

impl Background {
    /// `cmd` as root in a private mount namespace (`user` `None`), or as `user`.
    pub fn spawn(cmd: &[&str], user: Option<&User>) -> Background {
        let (etc, mut command) = match user {
            None => {
                let mut full = vec!["unshare", "--mount", "--propagation", "private", "--"];
                full.extend_from_slice(cmd);
                (None, command(&full))
            }
            Some(u) => {
                let (etc, c) = u.command(cmd);
                (Some(etc), c)
            }
        };
        Background::spawn_command(&mut command, etc)
    }

    pub fn spawn_command(command: &mut Command, etc: Option<TempDir>) -> Background {
        let out = TempDir::new();
        command
            .stdin(Stdio::null())
            .stdout(fs::File::create(out.join("stdout")).unwrap())
            .stderr(fs::File::create(out.join("stderr")).unwrap())
            .process_group(0);
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        Background { child, out, tracked: Vec::new(), _etc: etc }
    }

    /// The pid of the spawned process (it execs in place through the wrappers).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL `pid` too when this is dropped.
    pub fn track(&mut self, pid: u32) {
        self.tracked.push(pid);
    }

    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("cannot wait")
    }

    /// Wait up to `timeout` for the exit.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<ExitStatus> {
        poll_until(timeout, || self.try_wait())
    }

    pub fn stdout(&self) -> String {
        fs::read_to_string(self.out.join("stdout")).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        fs::read_to_string(self.out.join("stderr")).unwrap_or_default()
    }

    /// Wait (hang guard `TIMEOUT`) and return what the run produced.
    #[track_caller]
    pub fn finish(&mut self) -> Run {
        let status = self.wait_timeout(TIMEOUT).unwrap_or_else(|| {
            panic!("hang guard: background run did not finish\n{}\n{}", self.stdout(), self.stderr())
        });
        Run { status, stdout: self.stdout(), stderr: self.stderr() }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for &pid in &self.tracked {
            signal_pid(pid, SIGKILL);
        }
        if self.try_wait_quiet().is_none() {
            kill_group(self.child.id());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Background {
    fn try_wait_quiet(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// A running `contain DIR CMD...` in the background: the supervisor is
/// `bg.pid()`, `init` its child, PID 1 of the container, already past the
/// exec of CMD.
pub struct Container {
    pub bg: Background,
    pub init: u32,
}

impl Container {
    /// Start `bin contain dir cmd...` as root (`user` `None`) or as `user`.
    #[track_caller]
    pub fn start_with(bin: &str, dir: &str, cmd: &[&str], user: Option<&User>) -> Container {
        let mut args = vec![dir];
        args.extend_from_slice(cmd);
        Container::start_full(&[], bin, &args, user)
    }

    /// Start `PREFIX... bin contain ARGS...` as root (`user` `None`) or as
    /// `user`; each program of PREFIX (`nohup`, a wrapper) execs the next.
    #[track_caller]
    pub fn start_full(prefix: &[&str], bin: &str, args: &[&str], user: Option<&User>) -> Container {
        // No core file from a supervisor that ends itself by SIGQUIT or SIGSEGV.
        let mut full = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh"];
        full.extend_from_slice(prefix);
        full.extend([bin, "contain"]);
        full.extend_from_slice(args);
        let mut bg = Background::spawn(&full, user);
        let sup = bg.pid();
        let bin_real = fs::canonicalize(bin).unwrap().to_string_lossy().into_owned();
        let mut ended = None;
        let init = poll_until(TIMEOUT, || {
            if proc_link(sup, "exe") != bin_real {
                // Fail at once (not after the hang guard) when the run ended
                // before becoming the supervisor (exec failed, a usage error).
                ended = bg.try_wait_quiet();
                return ended.map(|_| 0);
            }
            proc_children(sup).into_iter().find(|&c| {
                let status = fs::read_to_string(format!("/proc/{c}/status")).unwrap_or_default();
                let nspid = status.lines().find(|l| l.starts_with("NSpid:")).unwrap_or("");
                let inner = nspid.split_whitespace().last() == Some("1") && nspid.split_whitespace().count() >= 3;
                let exe = proc_link(c, "exe");
                inner && !exe.is_empty() && exe != bin_real
            })
        });
        let init = init.filter(|_| ended.is_none());
        let Some(init) = init else {
            let st = ended.or_else(|| bg.try_wait());
            panic!("the container init did not appear (status {st:?})\n{}\n{}", bg.stdout(), bg.stderr());
        };
        bg.track(init);
        Container { bg, init }
    }

    #[track_caller]
    pub fn start(caller: Caller, dir: &str, cmd: &[&str]) -> Container {
        match caller {
            Caller::Root => Container::start_with(&bin_str(), dir, cmd, None),
            Caller::Unprivileged => Container::start_with(&bin_str(), dir, cmd, Some(&User::default())),
        }
    }

    pub fn sup(&self) -> u32 {
        self.bg.pid()
    }
}

/// Who starts a container and who injects into it.
#[derive(Clone, Copy, Debug)]
pub struct Pair {
    pub owner: Caller,
    pub injector: Caller,
}

/// Each caller joining its own container.
pub const OWN: [Pair; 2] = [
    Pair { owner: Caller::Root, injector: Caller::Root },
    Pair { owner: Caller::Unprivileged, injector: Caller::Unprivileged },
];

/// Root joining an unprivileged user's container.
pub const ROOT_INTO_USERS: Pair = Pair { owner: Caller::Unprivileged, injector: Caller::Root };

/// `inject PID CMD...` as `injector`: root straight from the test process
/// (the host's namespaces), or the unprivileged user.
pub fn inject(injector: Caller, pid: u32, cmd: &[&str]) -> Run {
    inject_via(injector, &[], pid, cmd)
}

/// `PREFIX... BIN inject PID CMD...` as `injector`; each program of PREFIX
/// execs the next.
pub fn inject_via(injector: Caller, prefix: &[&str], pid: u32, cmd: &[&str]) -> Run {
    let bin = bin_str();
    let pid = pid.to_string();
    let mut argv: Vec<&str> = prefix.to_vec();
    argv.extend([bin.as_str(), "inject", pid.as_str()]);
    argv.extend_from_slice(cmd);
    match injector {
        Caller::Root => run_command(command(&argv)),
        Caller::Unprivileged => User::default().run(&argv),
    }
}

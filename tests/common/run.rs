//! Running a command to completion with a hang guard, and what it printed.

use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::{bin_str, TempDir, TIMEOUT};

/// Quote `s` for a POSIX shell command line.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// What a run produced.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit code, `None` when killed by a signal.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The signal that killed the process, if one did.
    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }

    /// Panic with everything the run printed unless it exited 0.
    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(self.code(), Some(0), "expected success:\n{self:?}");
        self
    }

    /// stdout lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// stderr lines.
    pub fn err_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status: {}\n--- stdout ---\n{}--- stderr ---\n{}--- end ---", self.status, self.stdout, self.stderr)
    }
}

pub(crate) fn collect<R: Read + Send + 'static>(mut pipe: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// SIGKILL a whole process group (runs are their own group leaders).
pub(crate) fn kill_group(pgid: u32) {
    let _ = Command::new("/bin/kill").args(["-KILL", "--", &format!("-{pgid}")]).stderr(Stdio::null()).status();
}

/// Run `cmd` with stdin from /dev/null, capturing stdout and stderr, with
/// the default hang guard.
pub fn run_command(cmd: Command) -> Run {
    run_command_timeout(cmd, TIMEOUT)
}

/// Run `cmd` in its own process group; after `timeout`, kill the group and
/// fail. A run that exits but leaves a process holding its stdout or stderr
/// also fails (and that process is killed): nothing may outlive a test.
pub fn run_command_timeout(mut cmd: Command, timeout: Duration) -> Run {
    let shown = format!("{cmd:?}");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    // ETXTBSY: another test thread forked while the binary's copy was still
    // open for writing (its child holds the descriptor until it executes);
    // that window closes within milliseconds.
    let mut tries = 0;
    let mut child = loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(26) && tries < 100 => {
                tries += 1;
                thread::sleep(Duration::from_millis(10));
            }
            other => break other.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        }
    };
    let pgid = child.id();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let (tx, exited) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let text = |rx: &mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_secs(5)).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
    };
    let status = match exited.recv_timeout(timeout) {
        Ok(status) => status.unwrap_or_else(|e| panic!("cannot wait for {shown}: {e}")),
        Err(_) => {
            kill_group(pgid);
            let _ = exited.recv_timeout(Duration::from_secs(5));
            panic!(
                "hang guard: {shown} did not finish within {timeout:?}; killed\n--- stdout ---\n{}--- stderr ---\n{}",
                text(&stdout),
                text(&stderr)
            );
        }
    };
    let grace = Duration::from_secs(10);
    let (out, err) = match (stdout.recv_timeout(grace), stderr.recv_timeout(grace)) {
        (Ok(out), Ok(err)) => (out, err),
        _ => {
            kill_group(pgid);
            panic!("{shown} exited ({status}) but left a process running that holds its stdout or stderr; killed");
        }
    };
    Run {
        status,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

pub(crate) fn command<S: AsRef<OsStr>>(argv: &[S]) -> Command {
    let (prog, args) = argv.split_first().expect("a command line is not empty");
    let mut cmd = Command::new(prog);
    cmd.args(args);
    cmd
}

/// Run the binary with `args`, as the test process (root, host namespaces).
pub fn run(args: &[&str]) -> Run {
    let mut cmd = Command::new(bin_str());
    cmd.args(args);
    run_command(cmd)
}

/// Run the binary with `env` added to (or, with `clear_env`, replacing) the
/// test's environment.
pub fn run_env(args: &[&str], env: &[(&str, &str)], clear_env: bool) -> Run {
    let mut cmd = Command::new(bin_str());
    cmd.args(args);
    if clear_env {
        cmd.env_clear();
    }
    cmd.envs(env.iter().copied());
    run_command(cmd)
}

/// Run the binary with argv[0] set to `argv0` (busybox-style dispatch).
pub fn run_argv0(argv0: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new(bin_str());
    cmd.arg0(argv0).args(args);
    run_command(cmd)
}

/// A symlink `dir/name` pointing at the binary.
pub fn link(dir: &TempDir, name: &str) -> PathBuf {
    let path = dir.join(name);
    symlink(bin_str(), &path).unwrap_or_else(|e| panic!("cannot link {}: {e}", path.display()));
    path
}

/// Run `cmd` as root in a new private mount namespace: `unshare --mount
/// --propagation private -- CMD...`, so no mount or pivot reaches the host.
pub fn as_root(cmd: &[&str]) -> Run {
    let mut full = vec!["unshare", "--mount", "--propagation", "private", "--"];
    full.extend_from_slice(cmd);
    run_command(command(&full))
}

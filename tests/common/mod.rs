//! The harness of the black-box tests: run the built static `ucontain` as
//! root in a private mount namespace, or as an unprivileged uid with
//! temporary `/etc/passwd`, `group`, `subuid` and `subgid` bound over the
//! real ones (the machine's `/etc` is never edited), and build throwaway
//! root filesystems from busybox-static. Every run has a hang guard; mounts
//! happen only inside private mount namespaces, which vanish with their
//! processes.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Every applet, sorted as in the binary's table.
pub const APPLETS: [&str; 6] = ["contain", "inject", "isolate", "pivot", "pseudo", "seal"];

/// The default search path of SPEC §3, used when the environment has no PATH.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Hang guard for one run: generous, never a timing assertion.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The unprivileged test user of `User::default()`.
pub const UID: u32 = 4000;
pub const GID: u32 = 4000;

/// The binary under test: `$UCONTAIN_BIN` (set by `make test`), else the
/// musl release build of this checkout.
pub fn bin() -> PathBuf {
    match std::env::var_os("UCONTAIN_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/x86_64-unknown-linux-musl/release/ucontain"),
    }
}

/// `bin()` as a string, for building command lines.
pub fn bin_str() -> String {
    let path = bin();
    assert!(
        path.is_file(),
        "{} does not exist: build it with `make` (or set UCONTAIN_BIN)",
        path.display()
    );
    path.to_str().expect("binary path is UTF-8").to_string()
}

/// Quote `s` for a POSIX shell command line.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A fresh directory under /tmp (mode 0755), removed with its contents on
/// drop. Tests mount only inside private mount namespaces, so there is never
/// anything to unmount here.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        loop {
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path = PathBuf::from(format!("/tmp/ucontain-test-{}-{n}", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => {
                    set_mode(&path, 0o755);
                    return TempDir { path };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory as a string, for command lines.
    pub fn str(&self) -> &str {
        self.path.to_str().expect("temporary path is UTF-8")
    }

    pub fn join<P: AsRef<Path>>(&self, rel: P) -> PathBuf {
        self.path.join(rel)
    }

    /// `rel` under the directory, as a string for command lines.
    pub fn join_str(&self, rel: &str) -> String {
        format!("{}/{rel}", self.str())
    }

    /// Write a file (parents created, mode exactly `mode`).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>, mode: u32) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, contents)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        set_mode(&path, mode);
        path
    }

    /// Make a directory (parents created, mode exactly `mode`).
    pub fn mkdir(&self, rel: &str, mode: u32) -> PathBuf {
        let path = self.join(rel);
        fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        set_mode(&path, mode);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Set the permission bits of `path` exactly (the umask does not apply).
pub fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", path.display()));
}

/// Change the owner of `path`.
pub fn chown(path: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .unwrap_or_else(|e| panic!("cannot chown {}: {e}", path.display()));
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
        write!(
            f,
            "status: {}\n--- stdout ---\n{}--- stderr ---\n{}--- end ---",
            self.status, self.stdout, self.stderr
        )
    }
}

fn collect<R: Read + Send + 'static>(mut pipe: R) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// SIGKILL a whole process group (runs are their own group leaders).
fn kill_group(pgid: u32) {
    let _ = Command::new("/bin/kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
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
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    let pgid = child.id();
    let stdout = collect(child.stdout.take().unwrap());
    let stderr = collect(child.stderr.take().unwrap());
    let (tx, exited) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let text = |rx: &mpsc::Receiver<Vec<u8>>| {
        rx.recv_timeout(Duration::from_secs(5))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
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

fn command<S: AsRef<OsStr>>(argv: &[S]) -> Command {
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

/// Run `cmd` as root, in a private mount namespace where `/etc/subuid` and
/// `/etc/subgid` hold exactly `subuid` and `subgid` (and passwd/group hold
/// root and nobody).
pub fn as_root_with_etc(subuid: &str, subgid: &str, cmd: &[&str]) -> Run {
    User {
        subuid: Some(subuid.to_string()),
        subgid: Some(subgid.to_string()),
        ..User::root()
    }
    .run(cmd)
}

/// Where ucontain looks for the id-map helpers (SPEC §3).
pub const HELPER_DIRS: [&str; 4] = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

/// A user to run as, with the `/etc` files the run sees. `subuid`/`subgid`
/// are whole file contents (`None`: an empty file). `hide_helpers` binds an
/// empty, non-executable file over every `newuidmap`/`newgidmap` in
/// `HELPER_DIRS`, for the "no helper" fallback.
#[derive(Clone, Debug)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    pub name: String,
    pub subuid: Option<String>,
    pub subgid: Option<String>,
    pub in_passwd: bool,
    pub hide_helpers: bool,
}

impl Default for User {
    fn default() -> User {
        User {
            uid: UID,
            gid: GID,
            name: "tester".to_string(),
            subuid: Some("tester:200000:65536\n".to_string()),
            subgid: Some("tester:200000:65536\n".to_string()),
            in_passwd: true,
            hide_helpers: false,
        }
    }
}

impl User {
    /// Root, with empty subuid and subgid files.
    pub fn root() -> User {
        User {
            uid: 0,
            gid: 0,
            name: "root".to_string(),
            subuid: None,
            subgid: None,
            in_passwd: true,
            hide_helpers: false,
        }
    }

    fn passwd(&self) -> String {
        let mut s = String::from(
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        );
        if self.in_passwd && self.uid != 0 {
            s += &format!("{}:x:{}:{}::/tmp:/bin/sh\n", self.name, self.uid, self.gid);
        }
        s
    }

    fn group(&self) -> String {
        let mut s = String::from("root:x:0:\nnogroup:x:65534:\n");
        if self.gid != 0 && self.gid != 65534 {
            s += &format!("{}:x:{}:\n", self.name, self.gid);
        }
        s
    }

    /// The command that runs `cmd` as this user, and the directory holding
    /// its `/etc` files (keep it alive until the command has finished).
    pub fn command(&self, cmd: &[&str]) -> (TempDir, Command) {
        for file in ["/etc/passwd", "/etc/group", "/etc/subuid", "/etc/subgid"] {
            assert!(
                Path::new(file).is_file(),
                "{file} does not exist on this machine; the tests only bind temporary files \
                 over it and never create files in /etc (Debian's passwd/uidmap packages provide it)"
            );
        }
        let etc = TempDir::new();
        etc.write("passwd", self.passwd(), 0o644);
        etc.write("group", self.group(), 0o644);
        etc.write("subuid", self.subuid.as_deref().unwrap_or(""), 0o644);
        etc.write("subgid", self.subgid.as_deref().unwrap_or(""), 0o644);
        etc.write("nohelper", "", 0o644);
        let mut binds: Vec<(String, String)> = ["passwd", "group", "subuid", "subgid"]
            .iter()
            .map(|f| (etc.join_str(f), format!("/etc/{f}")))
            .collect();
        if self.hide_helpers {
            let mut seen = BTreeSet::new();
            for dir in HELPER_DIRS {
                for helper in ["newuidmap", "newgidmap"] {
                    if let Ok(real) = fs::canonicalize(format!("{dir}/{helper}")) {
                        if seen.insert(real.clone()) {
                            binds.push((
                                etc.join_str("nohelper"),
                                real.to_str().unwrap().to_string(),
                            ));
                        }
                    }
                }
            }
        }
        let mut script = String::new();
        for (from, to) in &binds {
            script += &format!(
                "mount --bind {0} {1} || {{ echo \"harness: cannot bind {0} over {1}\" >&2; exit 125; }}\n",
                sh_quote(from),
                sh_quote(to)
            );
        }
        script += &format!(
            "exec setpriv --reuid={} --regid={} --clear-groups -- \"$@\"\n",
            self.uid, self.gid
        );
        let mut full = vec![
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            &script,
            "sh",
        ];
        full.extend_from_slice(cmd);
        (etc, command(&full))
    }

    pub fn run(&self, cmd: &[&str]) -> Run {
        self.run_timeout(cmd, TIMEOUT)
    }

    pub fn run_timeout(&self, cmd: &[&str], timeout: Duration) -> Run {
        let (etc, command) = self.command(cmd);
        let run = run_command_timeout(command, timeout);
        drop(etc);
        run
    }
}

/// Who runs a test that must hold both for root and for an unprivileged
/// caller: root in a private mount namespace (`as_root`), or
/// `User::default()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Root,
    Unprivileged,
}

impl Caller {
    pub const BOTH: [Caller; 2] = [Caller::Root, Caller::Unprivileged];

    pub fn run(self, cmd: &[&str]) -> Run {
        match self {
            Caller::Root => as_root(cmd),
            Caller::Unprivileged => User::default().run(cmd),
        }
    }

    /// The caller's uid (and gid) outside.
    pub fn id(self) -> u32 {
        match self {
            Caller::Root => 0,
            Caller::Unprivileged => UID,
        }
    }
}

/// The host's `ip` (iproute2).
pub fn ip() -> String {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .iter()
        .find(|p| Path::new(p).is_file())
        .expect("tests need ip: install iproute2")
        .to_string()
}

/// Whether the ELF file at `path` has no program interpreter (PT_INTERP),
/// i.e. runs without a dynamic linker.
pub fn is_static_elf(path: &Path) -> bool {
    let elf = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 || elf[5] != 1 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).all(|i| {
        let at = phoff + i * phentsize;
        at + 4 <= elf.len() && u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) != 3
    })
}

/// The applet names of /bin/busybox.
pub fn busybox_applets() -> Vec<String> {
    let out = Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .expect("tests need /bin/busybox: install busybox-static");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A minimal root filesystem: a static busybox in bin/ with a symlink per
/// applet, the usual empty directories, and etc/passwd and etc/group with
/// root. Everything is world-readable and -searchable (0755; tmp is 1777).
pub fn rootfs() -> TempDir {
    let busybox = Path::new("/bin/busybox");
    assert!(
        busybox.is_file(),
        "tests need /bin/busybox: install busybox-static"
    );
    assert!(
        is_static_elf(busybox),
        "/bin/busybox is dynamically linked: install busybox-static"
    );
    let root = TempDir::new();
    for dir in [
        "bin", "sbin", "usr", "usr/bin", "usr/sbin", "proc", "dev", "etc", "root",
    ] {
        root.mkdir(dir, 0o755);
    }
    root.mkdir("tmp", 0o1777);
    fs::copy(busybox, root.join("bin/busybox")).expect("cannot copy /bin/busybox");
    set_mode(&root.join("bin/busybox"), 0o755);
    for applet in busybox_applets() {
        if applet != "busybox" {
            symlink("busybox", root.join("bin").join(&applet)).unwrap();
        }
    }
    root.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644);
    root.write("etc/group", "root:x:0:\n", 0o644);
    root
}

/// The test process's own /proc/self/mountinfo: the host's mount table.
pub fn host_mountinfo() -> String {
    fs::read_to_string("/proc/self/mountinfo").expect("cannot read /proc/self/mountinfo")
}

/// Fail if the host's mount table differs from `before`.
#[track_caller]
pub fn assert_mounts_unchanged(before: &str) {
    let after = host_mountinfo();
    let old: BTreeSet<&str> = before.lines().collect();
    let new: BTreeSet<&str> = after.lines().collect();
    let added: Vec<_> = new.difference(&old).collect();
    let removed: Vec<_> = old.difference(&new).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the host's mounts changed\nadded: {added:#?}\nremoved: {removed:#?}"
    );
}

/// Run `f` and fail if it changed the host's mount table.
#[track_caller]
pub fn no_mount_leak<T>(f: impl FnOnce() -> T) -> T {
    let before = host_mountinfo();
    let result = f();
    assert_mounts_unchanged(&before);
    result
}

/// Lines of an id map (`/proc/PID/uid_map`), whitespace-normalised:
/// `["0 4000 1", "1 200000 65536"]`.
pub fn map_lines(map: &str) -> Vec<String> {
    map.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A shell script printing a process's identity: its uid and gid maps,
/// setgroups, and `id -u`/`id -g`, separated by `--` lines (see `Ids`).
pub const IDS_SCRIPT: &str = "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; \
     cat /proc/self/setgroups; echo --; id -u; id -g";

/// What `IDS_SCRIPT` printed.
#[derive(Debug)]
pub struct Ids {
    pub uid_map: Vec<String>,
    pub gid_map: Vec<String>,
    pub setgroups: String,
    pub uid: String,
    pub gid: String,
}

impl Ids {
    #[track_caller]
    pub fn parse(run: &Run) -> Ids {
        let parts: Vec<&str> = run.stdout.split("--\n").collect();
        assert_eq!(parts.len(), 4, "not the output of IDS_SCRIPT:\n{run:?}");
        let ids: Vec<&str> = parts[3].lines().collect();
        assert_eq!(ids.len(), 2, "no uid and gid:\n{run:?}");
        Ids {
            uid_map: map_lines(parts[0]),
            gid_map: map_lines(parts[1]),
            setgroups: parts[2].trim().to_string(),
            uid: ids[0].to_string(),
            gid: ids[1].to_string(),
        }
    }
}

/// The test process's namespace link, e.g. `net:[4026531840]`.
pub fn host_ns(kind: &str) -> String {
    fs::read_link(format!("/proc/self/ns/{kind}"))
        .unwrap_or_else(|e| panic!("cannot read /proc/self/ns/{kind}: {e}"))
        .to_str()
        .unwrap()
        .to_string()
}

/// Build the test probe (see `PROBE_C`) into `dir` with `cc -static` and
/// return its path. Requests: `argv ARG...`, `seals`, `fds`, `loopback`,
/// `connect ADDR PORT`, `fail SYSCALL-NR ERRNO PROG ARG...`.
pub fn probe(dir: &TempDir) -> PathBuf {
    let src = dir.write("probe.c", PROBE_C, 0o644);
    let out = dir.join("probe");
    let built = Command::new("cc")
        .args(["-static", "-O1", "-o"])
        .arg(&out)
        .arg(&src)
        .output()
        .expect("tests need a C compiler (cc) to build their probe");
    assert!(
        built.status.success(),
        "cannot build the test probe with `cc -static` (needs gcc and libc6-dev):\n{}",
        String::from_utf8_lossy(&built.stderr)
    );
    set_mode(&out, 0o755);
    out
}

/// A small static C program the tests run where a shell cannot say what
/// they need to know (memfd seals, descriptors, sockets, a failing syscall).
const PROBE_C: &str = r##"#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int seals(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    printf("open=%s\n", strerror(errno));
    return 1;
  }
  printf("seals=%d\n", fcntl(fd, F_GET_SEALS));
  int w = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
  if (w < 0) {
    printf("write=failed (open: %s)\n", strerror(errno));
  } else if (write(w, "x", 1) != 1) {
    printf("write=failed (write: %s)\n", strerror(errno));
  } else {
    printf("write=ok\n");
  }
  if (ftruncate(fd, 0) == 0)
    printf("truncate=ok\n");
  else
    printf("truncate=failed\n");
  return 0;
}

static int fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) {
    perror("opendir");
    return 1;
  }
  int own = dirfd(d);
  int list[1024], n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 1024) {
    if (e->d_name[0] == '.')
      continue;
    int fd = atoi(e->d_name);
    if (fd != own)
      list[n++] = fd;
  }
  closedir(d);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (list[j] < list[i]) {
        int t = list[i];
        list[i] = list[j];
        list[j] = t;
      }
  for (int i = 0; i < n; i++)
    printf("%d\n", list[i]);
  return 0;
}

static int loopback(void) {
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
      getsockname(l, (struct sockaddr *)&a, &len) < 0) {
    printf("listen: %s\n", strerror(errno));
    return 1;
  }
  pid_t pid = fork();
  if (pid == 0) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
      printf("connect: %s\n", strerror(errno));
      _exit(1);
    }
    _exit(write(c, "ping", 4) == 4 ? 0 : 1);
  }
  int s = accept(l, NULL, NULL);
  char buf[16] = {0};
  ssize_t got = 0, n;
  while (s >= 0 && got < 4 && (n = read(s, buf + got, 4 - got)) > 0)
    got += n;
  int status;
  waitpid(pid, &status, 0);
  printf("received %s\n", buf);
  return strcmp(buf, "ping") != 0;
}

static int connect_to(const char *addr, const char *port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
  inet_pton(AF_INET, addr, &a.sin_addr);
  int c = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
    printf("connect: %s\n", strerror(errno));
    return 1;
  }
  printf("connected\n");
  return 0;
}

static int fail(int nr, int err, char **argv) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (err & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
    perror("probe: seccomp");
    return 125;
  }
  execv(argv[0], argv);
  perror("probe: execv");
  return 125;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "argv")) {
    for (int i = 0; i < argc; i++)
      printf("argv[%d]=%s\n", i, argv[i]);
    return 0;
  }
  if (!strcmp(what, "seals"))
    return seals();
  if (!strcmp(what, "fds"))
    return fds();
  if (!strcmp(what, "loopback"))
    return loopback();
  if (!strcmp(what, "connect") && argc == 4)
    return connect_to(argv[2], argv[3]);
  if (!strcmp(what, "fail") && argc >= 5)
    return fail(atoi(argv[2]), atoi(argv[3]), argv + 4);
  fprintf(stderr, "probe: unknown request\n");
  return 125;
}
"##;

// ---- background runs and containers (tests/contain.rs, tests/inject.rs) ----

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
    fs::read_link(format!("/proc/{pid}/{what}"))
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Build the C source `src` with `cc -static` into `dir/name` (mode 0755).
pub fn cc_static(dir: &TempDir, name: &str, src: &str) -> PathBuf {
    let c = dir.write(&format!("{name}.c"), src, 0o644);
    let out = dir.join(name);
    let built = Command::new("cc").args(["-static", "-O1", "-o"]).arg(&out).arg(&c).output()
        .expect("tests need a C compiler (cc)");
    assert!(built.status.success(), "cc -static {name}.c failed:\n{}", String::from_utf8_lossy(&built.stderr));
    let _ = fs::remove_file(&c);
    set_mode(&out, 0o755);
    out
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
        // No core file from a supervisor that ends itself by SIGQUIT or SIGSEGV.
        let mut full = vec!["sh", "-c", "ulimit -c 0; exec \"$@\"", "sh", bin, "contain", dir];
        full.extend_from_slice(cmd);
        let mut bg = Background::spawn(&full, user);
        let sup = bg.pid();
        let bin_real = fs::canonicalize(bin).unwrap().to_string_lossy().into_owned();
        let init = poll_until(TIMEOUT, || {
            if proc_link(sup, "exe") != bin_real {
                return None;
            }
            proc_children(sup).into_iter().find(|&c| {
                let status = fs::read_to_string(format!("/proc/{c}/status")).unwrap_or_default();
                let nspid = status.lines().find(|l| l.starts_with("NSpid:")).unwrap_or("");
                let inner = nspid.split_whitespace().last() == Some("1") && nspid.split_whitespace().count() >= 3;
                let exe = proc_link(c, "exe");
                inner && !exe.is_empty() && exe != bin_real
            })
        });
        let Some(init) = init else {
            let st = bg.try_wait();
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


// ---- checks shared by the applets that exec CMD in place (pseudo, isolate) ----

/// `BIN APPLET CMD...` as `caller`.
pub fn applet_run(caller: Caller, applet: &str, cmd: &[&str]) -> Run {
    let b = bin_str();
    let mut argv = vec![b.as_str(), applet];
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// CMD's exit status is the applet's, and so is the signal that kills it.
pub fn check_exit_status_and_signal(applet: &str) {
    for caller in Caller::BOTH {
        let r = applet_run(caller, applet, &["sh", "-c", "exit 42"]);
        assert_eq!(r.code(), Some(42), "{caller:?}: {r:?}");
        let r = applet_run(caller, applet, &["sh", "-c", "kill -TERM $$"]);
        assert_eq!(r.signal(), Some(15), "{caller:?}: {r:?}");
    }
}

/// CMD runs in the very process that ran the applet (same pid).
pub fn check_same_process(applet: &str) {
    let script = format!("echo $$; exec {} {applet} sh -c 'echo $$'", sh_quote(&bin_str()));
    for caller in Caller::BOTH {
        let r = caller.run(&["sh", "-c", &script]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let pids = r.lines();
        assert_eq!(pids.len(), 2, "{caller:?}: {r:?}");
        assert_eq!(pids[0], pids[1], "{caller:?}: CMD is not the process that ran {applet}");
    }
}

/// CMD gets the applet's environment unchanged.
pub fn check_environment_unchanged(applet: &str) {
    let b = bin_str();
    for caller in Caller::BOTH {
        let r = caller.run(&["env", "-i", "UCONTAIN_TEST=a b=c", &b, applet, "/bin/busybox", "env"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "UCONTAIN_TEST=a b=c\n", "{caller:?}: {r:?}");
    }
}

/// CMD gets exactly the descriptors the caller passed on.
pub fn check_no_descriptor_leak(applet: &str) {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    for caller in Caller::BOTH {
        let direct = caller.run(&[probe, "fds"]);
        assert!(direct.stdout.starts_with("0\n1\n2\n"), "{direct:?}");
        let r = applet_run(caller, applet, &[probe, "fds"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, direct.stdout, "{caller:?}: {applet} leaked a descriptor");
    }
}

/// A CMD that is not found exits 127; one that is not executable, 126.
pub fn check_127_and_126(applet: &str) {
    for caller in Caller::BOTH {
        let r = caller.run(&["env", "PATH=/usr/bin:/bin", &bin_str(), applet, "ucontain-no-such-program"]);
        assert_eq!(r.code(), Some(127), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("{applet}: ucontain-no-such-program: No such file or directory\n"), "{caller:?}");
    }
    let dir = TempDir::new();
    let file = dir.write("noexec", "#!/bin/sh\n", 0o644);
    let file = file.to_str().unwrap();
    for caller in Caller::BOTH {
        let r = applet_run(caller, applet, &[file]);
        assert_eq!(r.code(), Some(126), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("{applet}: {file}: Permission denied\n"), "{caller:?}");
    }
}

#[allow(dead_code)]
/// A static C program that dies by a real SIGSEGV (a PID 1 ignores a
/// SIGSEGV sent to it, but not one it causes).
pub const SEGV_C: &str = r#"
#include <signal.h>
int main(void) {
  signal(SIGSEGV, SIG_DFL);
  volatile int *p = (int *)0;
  *p = 1;
  return 0;
}
"#;

//! Who runs a test: root in a private mount namespace, or an unprivileged
//! uid with temporary /etc files bound over the real ones.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{as_root, command, run_command, run_command_timeout, sh_quote, Run, TempDir, TIMEOUT};

/// The unprivileged test user of `User::default()`.
pub const UID: u32 = 4000;
pub const GID: u32 = 4000;

/// Run `cmd` as root, in a private mount namespace where `/etc/subuid` and
/// `/etc/subgid` hold exactly `subuid` and `subgid` (and passwd/group hold
/// root and nobody).
pub fn as_root_with_etc(subuid: &str, subgid: &str, cmd: &[&str]) -> Run {
    User { subuid: Some(subuid.to_string()), subgid: Some(subgid.to_string()), ..User::root() }.run(cmd)
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
    /// A cgroup of its own, owned by the user, in every hierarchy (as a
    /// systemd user session delegates one), so contain can make the
    /// container's below it. Without one, contain warns.
    pub delegate: bool,
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
            delegate: true,
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
            delegate: false,
        }
    }

    fn passwd(&self) -> String {
        let mut s =
            String::from("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
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
        if self.uid != 0 {
            for arg in cmd.iter().filter(|a| a.starts_with('/')) {
                self.assert_reachable(Path::new(arg));
            }
        }
        let etc = TempDir::new();
        etc.write("passwd", self.passwd(), 0o644);
        etc.write("group", self.group(), 0o644);
        etc.write("subuid", self.subuid.as_deref().unwrap_or(""), 0o644);
        etc.write("subgid", self.subgid.as_deref().unwrap_or(""), 0o644);
        etc.write("nohelper", "", 0o644);
        let mut binds: Vec<(String, String)> =
            ["passwd", "group", "subuid", "subgid"].iter().map(|f| (etc.join_str(f), format!("/etc/{f}"))).collect();
        if self.hide_helpers {
            let mut seen = BTreeSet::new();
            for dir in HELPER_DIRS {
                for helper in ["newuidmap", "newgidmap"] {
                    if let Ok(real) = fs::canonicalize(format!("{dir}/{helper}")) {
                        if seen.insert(real.clone()) {
                            binds.push((etc.join_str("nohelper"), real.to_str().unwrap().to_string()));
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
        if self.delegate && self.uid != 0 {
            for dir in super::delegation::delegate(&etc, self.uid, self.gid) {
                script += &format!(
                    "echo $$ > {0}/cgroup.procs || {{ echo \"harness: cannot enter {0}\" >&2; exit 125; }}\n",
                    sh_quote(&dir)
                );
            }
        }
        script += &format!("exec setpriv --reuid={} --regid={} --clear-groups -- \"$@\"\n", self.uid, self.gid);
        let mut full = vec!["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", &script, "sh"];
        full.extend_from_slice(cmd);
        (etc, command(&full))
    }

    /// Fail with a `harness:` line when `path` exists but this user cannot
    /// reach it (a directory on the way it may not search), so a test does
    /// not report the binary's "Permission denied" for a harness mistake.
    #[track_caller]
    pub fn assert_reachable(&self, path: &Path) {
        use std::os::unix::fs::MetadataExt;
        if fs::symlink_metadata(path).is_err() {
            return;
        }
        for dir in path.ancestors().skip(1) {
            let Ok(meta) = fs::metadata(dir) else { return };
            let mode = meta.mode();
            let x = if meta.uid() == self.uid {
                mode & 0o100
            } else if meta.gid() == self.gid {
                mode & 0o010
            } else {
                mode & 0o001
            };
            assert!(
                x != 0,
                "harness: uid {} cannot reach {}: {} is mode {:o}, owner {}:{}",
                self.uid,
                path.display(),
                dir.display(),
                mode & 0o7777,
                meta.uid(),
                meta.gid()
            );
        }
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

    /// The user to start a process as: none for root (the test process
    /// itself), the default test user otherwise.
    pub fn user(self) -> Option<User> {
        match self {
            Caller::Root => None,
            Caller::Unprivileged => Some(User::default()),
        }
    }

    /// A container name no other test or run uses.
    pub fn unique_name(self, what: &str) -> String {
        format!("{what}-{self:?}-{}", std::process::id()).to_lowercase()
    }

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

/// Run `cmd` as `caller` in a private mount namespace where `setup` (a
/// shell script) has first run as root: mounts made there are what the
/// run sees (for the unprivileged user, the /etc binds of `User` come on top).
pub fn run_after(caller: Caller, setup: &str, cmd: &[&str]) -> Run {
    let script = format!("{{ {setup}; }} || {{ echo 'harness: setup failed' >&2; exit 125; }}\nexec \"$@\"");
    let mut full: Vec<String> = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", &script, "sh"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let etc = match caller {
        Caller::Root => {
            full.extend(cmd.iter().map(|s| s.to_string()));
            None
        }
        Caller::Unprivileged => {
            let (etc, inner) = User::default().command(cmd);
            full.push(inner.get_program().to_str().unwrap().to_string());
            full.extend(inner.get_args().map(|a| a.to_str().unwrap().to_string()));
            Some(etc)
        }
    };
    let mut c = Command::new(&full[0]);
    c.args(&full[1..]);
    let r = run_command(c);
    drop(etc);
    r
}

//! The container's cgroups (SPEC §5.5 Cgroups and Mounts, issue 21): made
//! in every hierarchy the host has mounted, the init placed in all of them
//! before its cgroup namespace, the delegated cgroup2 at /sys/fs/cgroup
//! inside, and everything removed when contain ends (however deep the
//! container nested cgroups, whatever process was left in one) or, after
//! contain was killed, by the next contain. As root and as the unprivileged
//! test user with its delegated cgroup (tests/common/delegation.rs).
mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// CGROUP2_SUPER_MAGIC and SYSFS_MAGIC as `stat -f -c %t` prints them.
const CGROUP2_MAGIC: &str = "63677270";
const SYSFS_MAGIC: &str = "62656572";

/// A cgroup mount of the test's mount namespace: fstype, super options
/// (the v1 controllers or `name=`), root, mount point.
struct CgroupMount {
    fstype: String,
    options: Vec<String>,
    root: String,
    point: PathBuf,
}

fn cgroup_mounts() -> Vec<CgroupMount> {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap();
    mountinfo
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let dash = f.iter().position(|&x| x == "-")?;
            let fstype = f.get(dash + 1)?.to_string();
            let options = f.get(dash + 3)?.split(',').map(str::to_string).collect();
            (fstype == "cgroup" || fstype == "cgroup2").then(|| CgroupMount {
                fstype,
                options,
                root: f[3].to_string(),
                point: PathBuf::from(f[4]),
            })
        })
        .collect()
}

/// The v1 hierarchies mounted here, each as the `-o` of `mount -t cgroup`
/// that mounts it again (`cpu,cpuacct`, `none,name=systemd`).
fn v1_hierarchies() -> Vec<String> {
    let mut found: Vec<String> = cgroup_mounts()
        .iter()
        .filter(|m| m.fstype == "cgroup")
        .map(|m| {
            let name = m.options.iter().find(|o| o.starts_with("name="));
            match name {
                Some(name) => format!("none,{name}"),
                None => {
                    let known = ["rw", "ro", "xattr", "nsdelegate", "noprefix", "cpuset_v2_mode", "clone_children"];
                    let c: Vec<&str> = m
                        .options
                        .iter()
                        .map(String::as_str)
                        .filter(|o| !known.contains(o) && !o.starts_with("release_agent="))
                        .collect();
                    c.join(",")
                }
            }
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Every directory named `name` in every cgroup mount, however deep.
fn find_named(name: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, name: &str, found: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                if e.file_name() == name {
                    found.push(e.path());
                }
                walk(&e.path(), name, found);
            }
        }
    }
    let mut found = Vec::new();
    for m in cgroup_mounts() {
        walk(&m.point, name, &mut found);
    }
    found
}

/// The directories of the cgroups of process `pid`, one per hierarchy
/// mounted here: (the /proc/PID/cgroup line's controllers, the directory).
fn cgroups_of(pid: u32) -> Vec<(String, PathBuf)> {
    let text = fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    let mounts = cgroup_mounts();
    text.lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, controllers, path) = (f.next()?, f.next()?, f.next()?);
            let m = mounts.iter().find(|m| {
                let same = match controllers {
                    "" => m.fstype == "cgroup2",
                    c => m.fstype == "cgroup" && c.split(',').all(|c| m.options.iter().any(|o| o == c)),
                };
                same && (m.root == "/" || path.starts_with(&m.root))
            })?;
            let rel = if m.root == "/" { path } else { &path[m.root.len()..] };
            Some((controllers.to_string(), m.point.join(rel.trim_start_matches('/'))))
        })
        .collect()
}

/// The container's directory in the unified hierarchy, from the host.
fn unified_of(pid: u32) -> PathBuf {
    cgroups_of(pid).into_iter().find(|(c, _)| c.is_empty()).expect("a unified hierarchy").1
}

/// A busybox root with `sys` (for the sysfs and its cgroup) and `x` (a
/// mount point for the container's own mounts).
fn root_with_sys() -> TempDir {
    let dir = rootfs();
    dir.mkdir("sys", 0o755);
    dir.mkdir("x", 0o755);
    dir
}

/// The host side of a run: as `caller`, wait for DIR/tmp/go0, run `contain
/// DIR /bin/sh -c INNER` in the background (printing `sup PID`, then
/// `status CODE` when it ends; `wait` says nothing of a signal), then wait for DIR/tmp/go2 and run `contain
/// DIR /bin/true` (printing `second CODE`): the next contain, which removes
/// what a killed one left.
/// With a fourth argument, it first starts a `sleep` of its own
/// (`sleeper PID`): a host process for the test to put in the container's
/// cgroups, which no pid namespace ends with the container.
const HOST_SCRIPT: &str = r#"
if [ -n "$4" ]; then sleep 1000 </dev/null >/dev/null 2>&1 & echo "sleeper $!"; fi
until [ -e "$2/tmp/go0" ]; do sleep 0.02; done
"$1" contain "$2" /bin/sh -c "$3" &
echo "sup $!"
wait $! 2>/dev/null
echo "status $?"
until [ -e "$2/tmp/go2" ]; do sleep 0.02; done
"$1" contain "$2" /bin/true
echo "second $?"
"#;

/// What INNER ends with: DIR/tmp/ready, then wait for DIR/tmp/go1.
const INNER_END: &str = "touch /tmp/ready; until [ -e /tmp/go1 ]; do sleep 0.02; done";

/// A run of HOST_SCRIPT.
struct Staged {
    bg: Background,
    dir: TempDir,
    markers: Vec<PathBuf>,
    what: String,
}

impl Staged {
    /// Starts HOST_SCRIPT as `caller` with INNER `inner` (INNER_END is
    /// appended); before contain runs, puts a marker cgroup beside where
    /// the container's will be, in every hierarchy (a host cgroup name the
    /// container must not see).
    fn start(caller: Caller, dir: TempDir, inner: &str, what: &str) -> Staged {
        Staged::start_with(caller, dir, inner, what, "")
    }

    /// `start`, with HOST_SCRIPT's fourth argument `sleeper`.
    fn start_with(caller: Caller, dir: TempDir, inner: &str, what: &str, sleeper: &str) -> Staged {
        let bin = bin_str();
        let inner = format!("{inner}\n{INNER_END}");
        let cmd = ["sh", "-c", HOST_SCRIPT, "sh", &bin, dir.str(), &inner, sleeper];
        let user = User::default();
        let bg = Background::spawn(&cmd, (caller == Caller::Unprivileged).then_some(&user));
        let what = format!("{caller:?} {what}");
        // The script is running once its command line is ours (the harness
        // has put the unprivileged user in its delegated cgroups before).
        let pid = bg.pid();
        poll_until(TIMEOUT, || {
            let cmdline = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains("go0").then_some(())
        })
        .unwrap_or_else(|| panic!("{what}: the host script did not start"));
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let marker = format!("ucontain-marker-{}-{n}", std::process::id());
        let markers: Vec<PathBuf> = cgroups_of(pid)
            .into_iter()
            .map(|(_, dir)| dir.join(&marker))
            .filter(|m| fs::create_dir(m).is_ok())
            .collect();
        dir.write("tmp/go0", "", 0o644);
        Staged { bg, dir, markers, what }
    }

    /// Waits for `line` on the script's stdout and gives its value.
    fn value(&self, key: &str) -> String {
        poll_until(TIMEOUT, || {
            let out = self.bg.stdout();
            out.lines().find_map(|l| l.strip_prefix(&format!("{key} ")).map(str::to_string))
        })
        .unwrap_or_else(|| panic!("{}: no '{key}' line\n{}\n{}", self.what, self.bg.stdout(), self.bg.stderr()))
    }

    /// The supervisor's pid, and the init's once INNER has reached INNER_END.
    fn running(&self) -> (u32, u32) {
        let sup: u32 = self.value("sup").parse().unwrap();
        let ready = self.dir.join("tmp/ready");
        poll_until(TIMEOUT, || ready.exists().then_some(()))
            .unwrap_or_else(|| panic!("{}: INNER did not finish\n{}", self.what, self.bg.stderr()));
        let init = proc_children(sup).into_iter().next().expect("the init");
        (sup, init)
    }

    fn report(&self) -> String {
        fs::read_to_string(self.dir.join("tmp/report")).unwrap_or_default()
    }

    /// Lets INNER end; contain's status.
    fn end(&self) -> String {
        self.dir.write("tmp/go1", "", 0o644);
        self.value("status")
    }

    /// Runs the next contain; its status, and what the script printed on
    /// stderr (nothing, unless a contain warned).
    fn next(&mut self) -> (String, String) {
        self.dir.write("tmp/go2", "", 0o644);
        let r = self.bg.finish();
        assert_eq!(r.code(), Some(0), "{}: {r:?}", self.what);
        (self.value("second"), r.stderr)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        for m in &self.markers {
            let _ = fs::remove_dir(m);
        }
    }
}

/// `mkdir -p` of `depth` nested cgroups `a` in `top`.
fn nested(top: &str, depth: usize) -> String {
    format!("{top}/{}", vec!["a"; depth].join("/"))
}

/// Asserts that no `ucontain-SUP` is left in any hierarchy.
#[track_caller]
fn assert_none_left(sup: u32, what: &str) {
    let left = find_named(&format!("ucontain-{sup}"));
    assert!(left.is_empty(), "{what}: left {left:?}");
}

#[test]
fn forty_nested_cgroups_are_gone_when_contain_ends() {
    for caller in Caller::BOTH {
        let inner = format!(
            "mkdir -p {} && mount -t cgroup -o none,name=systemd none /x && mkdir -p {} && echo made > /tmp/report",
            nested("/sys/fs/cgroup", 40),
            nested("/x", 40)
        );
        let mut s = Staged::start(caller, root_with_sys(), &inner, "nested");
        let (sup, init) = s.running();
        assert_eq!(s.report(), "made\n", "{}: {}", s.what, s.bg.stderr());
        let deep: Vec<PathBuf> = cgroups_of(init)
            .into_iter()
            .filter(|(c, _)| c.is_empty() || c == "name=systemd")
            .map(|(_, dir)| PathBuf::from(nested(dir.to_str().unwrap(), 40)))
            .collect();
        assert_eq!(deep.len(), 2, "{}: {deep:?}", s.what);
        assert!(deep.iter().all(|d| d.is_dir()), "{}: {deep:?}", s.what);
        assert_eq!(s.end(), "0", "{}: {}", s.what, s.bg.stderr());
        assert_none_left(sup, &s.what);
        assert_eq!(s.next(), ("0".to_string(), String::new()), "{}", s.what);
    }
}

#[test]
fn what_a_killed_contain_left_is_removed_by_the_next() {
    for caller in Caller::BOTH {
        let inner = format!("mkdir -p {} && echo made > /tmp/report", nested("/sys/fs/cgroup", 40));
        let mut s = Staged::start(caller, root_with_sys(), &inner, "killed");
        let (sup, init) = s.running();
        let top = unified_of(init);
        assert!(top.ends_with(format!("ucontain-{sup}")), "{}: {}", s.what, top.display());
        assert!(signal_pid(sup, SIGKILL), "{}", s.what);
        assert_eq!(s.value("status"), "137", "{}", s.what);
        // The init dies with its supervisor (PR_SET_PDEATHSIG), and its
        // pid namespace with it: the tree is left, empty.
        let events = top.join("cgroup.events");
        poll_until(TIMEOUT, || fs::read_to_string(&events).unwrap_or_default().contains("populated 0").then_some(()))
            .unwrap_or_else(|| panic!("{}: the container did not end", s.what));
        assert!(Path::new(&nested(top.to_str().unwrap(), 40)).is_dir(), "{}", s.what);
        assert_eq!(s.next(), ("0".to_string(), String::new()), "{}", s.what);
        assert_none_left(sup, &s.what);
    }
}

/// Processes left in nested cgroups when the init ends: one of the
/// container's own (its pid namespace ends it) and a host process of the
/// caller's moved into the container's nested cgroups, in cgroup2 (ended by
/// cgroup.kill) and in name=systemd (v1: by SIGKILL to each pid); contain
/// ends them and removes every cgroup.
#[test]
fn processes_left_in_nested_cgroups_do_not_keep_them() {
    for caller in Caller::BOTH {
        let inner = "mkdir -p /sys/fs/cgroup/n/m && mount -t cgroup -o none,name=systemd none /x && mkdir -p /x/n/m \
                     && { setsid sleep 1000 & echo $! > /sys/fs/cgroup/n/m/cgroup.procs; echo $! > /x/n/m/cgroup.procs; } \
                     && wc -l < /sys/fs/cgroup/n/m/cgroup.procs > /tmp/report";
        let mut s = Staged::start_with(caller, root_with_sys(), inner, "left", "sleeper");
        let host: u32 = s.value("sleeper").parse().unwrap();
        let (sup, init) = s.running();
        assert_eq!(s.report(), "1\n", "{}: {}", s.what, s.bg.stderr());
        let dirs: Vec<PathBuf> = cgroups_of(init)
            .into_iter()
            .filter(|(c, _)| c.is_empty() || c == "name=systemd")
            .map(|(_, dir)| dir.join("n/m"))
            .collect();
        assert_eq!(dirs.len(), 2, "{}: {dirs:?}", s.what);
        let inside: u32 = fs::read_to_string(dirs[0].join("cgroup.procs")).unwrap().trim().parse().unwrap();
        for dir in &dirs {
            fs::write(dir.join("cgroup.procs"), host.to_string()).unwrap();
            let procs = fs::read_to_string(dir.join("cgroup.procs")).unwrap();
            let mut procs: Vec<u32> = procs.lines().map(|p| p.parse().unwrap()).collect();
            procs.sort();
            assert_eq!(procs, [inside.min(host), inside.max(host)], "{}: {}", s.what, dir.display());
        }
        assert_eq!(s.end(), "0", "{}: {}", s.what, s.bg.stderr());
        assert!(proc_gone(inside), "{}: the container's process in n/m outlived contain", s.what);
        assert!(proc_gone(host), "{}: the host process in n/m outlived contain", s.what);
        assert_none_left(sup, &s.what);
        assert_eq!(s.next(), ("0".to_string(), String::new()), "{}", s.what);
    }
}

/// `mount -t cgroup -o H none /x` inside, for each v1 hierarchy H: each
/// shows the container's own cgroup (no directory, so no marker of the
/// host's, and the init among its processes, no pid from outside), and
/// /proc/self/cgroup is `/` in every hierarchy. As root, every hierarchy;
/// the unprivileged user can make (and the container see) only its own
/// cgroup in name=systemd.
#[test]
fn v1_hierarchies_inside_show_only_the_containers_cgroup() {
    let all = v1_hierarchies();
    for caller in Caller::BOTH {
        let hierarchies: Vec<&String> = match caller {
            Caller::Root => all.iter().collect(),
            Caller::Unprivileged => all.iter().filter(|h| *h == "none,name=systemd").collect(),
        };
        let mut inner = String::from(": > /tmp/report\n");
        for h in &hierarchies {
            inner += &format!(
                "mount -t cgroup -o {h} none /x || echo '{h}: no mount' >> /tmp/report\n\
                 echo \"{h}: $(find /x -mindepth 1 -type d | wc -l) cgroups\" >> /tmp/report\n\
                 while read p; do [ -d /proc/$p ] || echo \"{h}: pid $p\" >> /tmp/report; done < /x/cgroup.procs\n\
                 grep -qx 1 /x/cgroup.procs || echo '{h}: no init' >> /tmp/report\n\
                 umount /x\n"
            );
        }
        inner += "sed 's/^[0-9]*:[^:]*:/cgroup /' /proc/self/cgroup | sort -u >> /tmp/report";
        let mut s = Staged::start(caller, root_with_sys(), &inner, "v1");
        let (sup, init) = s.running();
        let mut want: String = hierarchies.iter().map(|h| format!("{h}: 0 cgroups\n")).collect();
        want += "cgroup /\n";
        assert_eq!(s.report(), want, "{}: {}", s.what, s.bg.stderr());
        // From the host: the init is in the container's cgroup in every
        // hierarchy (as root) or in the delegated ones (unprivileged).
        for (controllers, dir) in cgroups_of(init) {
            let ours = dir.ends_with(format!("ucontain-{sup}"));
            let delegated = controllers.is_empty() || controllers == "name=systemd";
            if caller == Caller::Root || delegated {
                assert!(ours, "{}: {controllers}: {}", s.what, dir.display());
            }
            // The v1 controller ones stay host root's; the delegated ones
            // are container root's (SPEC §5.5).
            let owner = std::os::unix::fs::MetadataExt::uid(&fs::metadata(&dir).unwrap());
            if ours && !delegated {
                assert_eq!(owner, 0, "{}: {}", s.what, dir.display());
            }
            if ours && delegated {
                let root = if caller == Caller::Root { 4294967294 } else { UID };
                assert_eq!(owner, root, "{}: {}", s.what, dir.display());
            }
        }
        assert!(!s.markers.is_empty(), "{}: {:?}", s.what, s.markers);
        assert_eq!(s.end(), "0", "{}: {}", s.what, s.bg.stderr());
        assert_none_left(sup, &s.what);
        assert_eq!(s.next(), ("0".to_string(), String::new()), "{}", s.what);
    }
}

/// /sys/fs/cgroup inside: cgroup2 (nosuid, nodev, noexec), the root of the
/// container's cgroup namespace, writable by container root, holding the
/// container's processes; a cgroup made there is the container's on the
/// host.
#[test]
fn sys_fs_cgroup_inside_is_the_containers_own_cgroup2() {
    for caller in Caller::BOTH {
        let inner = "{ stat -f -c %t /sys/fs/cgroup; \
                     awk '$5 == \"/sys/fs/cgroup\" { print $4, $6, $(NF-2) }' /proc/self/mountinfo; \
                     mkdir /sys/fs/cgroup/made && echo made; \
                     while read p; do [ -d /proc/$p ] || echo \"pid $p\"; done < /sys/fs/cgroup/cgroup.procs; \
                     grep -qx 1 /sys/fs/cgroup/cgroup.procs && echo init; } > /tmp/report 2>&1";
        let mut s = Staged::start(caller, root_with_sys(), inner, "sys/fs/cgroup");
        let (sup, init) = s.running();
        let want = format!("{CGROUP2_MAGIC}\n/ rw,nosuid,nodev,noexec,relatime cgroup2\nmade\ninit\n");
        assert_eq!(s.report(), want, "{}: {}", s.what, s.bg.stderr());
        let top = unified_of(init);
        assert!(top.ends_with(format!("ucontain-{sup}")), "{}: {}", s.what, top.display());
        assert!(top.join("made").is_dir(), "{}", s.what);
        let procs = fs::read_to_string(top.join("cgroup.procs")).unwrap();
        assert!(procs.lines().any(|p| p == init.to_string()), "{}: {procs}", s.what);
        assert_eq!(s.end(), "0", "{}: {}", s.what, s.bg.stderr());
        assert_none_left(sup, &s.what);
        assert_eq!(s.next(), ("0".to_string(), String::new()), "{}", s.what);
    }
}

/// Without a cgroup of its own (an unprivileged caller without delegation),
/// nothing is mounted at /sys/fs/cgroup: the namespace's root would be a
/// host cgroup container root cannot write.
#[test]
fn without_a_delegated_cgroup_sys_fs_cgroup_stays_sysfs() {
    let dir = root_with_sys();
    let user = User { delegate: false, ..User::default() };
    // A state directory of its own: the warning is said once in each.
    let runtime = TempDir::new();
    chown(runtime.path(), UID, GID);
    let xdg = format!("XDG_RUNTIME_DIR={}", runtime.str());
    let r = user.run(&["env", &xdg, &bin_str(), "contain", dir.str(), "/bin/stat", "-f", "-c", "%t", "/sys/fs/cgroup"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, format!("{SYSFS_MAGIC}\n"), "{r:?}");
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "{r:?}");
    assert!(lines[0].starts_with("contain: warning: cannot create cgroup /"), "{r:?}");
    assert!(lines[0].contains(": Permission denied; going on without one (to have one, "), "{r:?}");
}

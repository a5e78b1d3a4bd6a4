//! The container's cgroups (SPEC §5.5): `ucontain-SUPERVISORPID` below the
//! caller's own cgroup in every hierarchy the host has mounted where the
//! caller can make one: the unified (v2) one and, on a hybrid or v1 host,
//! every v1 one, named (`name=systemd`) or with controllers (`pids`,
//! `memory`, `cpu,cpuacct`, ...). The init is placed in all of them before
//! it makes its cgroup namespace, so inside each is the root of the
//! container's cgroup tree and no host cgroup name or setting shows. The
//! unified one and `name=systemd` are owned by the container's root (what
//! lets systemd boot inside); the controller ones stay host root's, so a
//! limit set there cannot be raised from inside. All are removed when the
//! container ends, however deep container root nested cgroups in them.

use crate::limits::{v1_equivalent, Limit, DEFAULT_PIDS};
use crate::mount::has_option;
use crate::out::{fail, fail_with, say, Failed, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::procfs::{self, each_mount};
use crate::state::StateDir;
use crate::sys::{self, Errno, Fd, MS_NODEV, MS_NOEXEC, MS_NOSUID, O_DIRECTORY, O_RDONLY, SIGKILL};
use crate::text::{after, for_each_line, has_byte, parse_pid, FirstBytes};
use core::ffi::CStr;

/// The hierarchies a container can be in: the unified one, and v1's (Linux
/// 6.x has 13 v1 controllers, cgroups(7); named hierarchies add to them).
const MAX_HIERARCHIES: usize = 16;

/// A hierarchy as a line of /proc/self/cgroup shows it:
/// `ID:CONTROLLERS:PATH` (cgroups(7)).
#[derive(Clone, Copy, PartialEq, Debug)]
struct Hierarchy<'a> {
    /// Empty for the unified hierarchy (ID 0), else the comma-separated
    /// controllers (`cpu,cpuacct`) or the name (`name=systemd`).
    controllers: &'a [u8],
    /// The process's cgroup, from the hierarchy's root.
    path: &'a [u8],
}

impl<'a> Hierarchy<'a> {
    fn parse(line: &'a [u8]) -> Option<Hierarchy<'a>> {
        let colon = line.iter().position(|&b| b == b':')?;
        let (id, rest) = (&line[..colon], &line[colon + 1..]);
        let colon = rest.iter().position(|&b| b == b':')?;
        let (controllers, path) = (&rest[..colon], &rest[colon + 1..]);
        // Only the unified hierarchy has ID 0 and no controllers or name.
        let valid = controllers.is_empty() == (id == b"0") && path.first() == Some(&b'/');
        valid.then_some(Hierarchy { controllers, path })
    }

    fn unified(&self) -> bool {
        self.controllers.is_empty()
    }

    /// Owned by the container's root: the ones systemd manages.
    fn delegated(&self) -> bool {
        self.unified() || self.controllers == b"name=systemd"
    }

    fn has_controller(&self, name: &[u8]) -> bool {
        has_option(self.controllers, name)
    }

    /// Whether a mount of `fstype` with `super_options` is of this hierarchy.
    fn is_mounted_as(&self, fstype: &[u8], super_options: &[u8]) -> bool {
        if self.unified() {
            return fstype == b"cgroup2";
        }
        fstype == b"cgroup" && self.controllers.split(|&b| b == b',').all(|c| has_option(super_options, c))
    }
}

/// `path` relative to a mount of its hierarchy whose root is `root`
/// (without a leading `/`); None when the mount does not reach it.
fn below<'a>(path: &'a [u8], root: &[u8]) -> Option<&'a [u8]> {
    let rest = if root == b"/" { path } else { after(path, root)? };
    match rest {
        [] => Some(rest),
        [b'/', tail @ ..] => Some(tail),
        _ => None,
    }
}

/// Where `h` is mounted and our cgroup in it: mount point + our path below
/// the mount's root, into `out`; false when it is not mounted here.
#[inline(never)]
fn our_cgroup(h: &Hierarchy, out: &mut PathBuf) -> bool {
    each_mount(&mut |m| {
        let ours = h.is_mounted_as(m.fstype, m.super_options) && !has_byte(m.point, b'\\');
        ours && below(h.path, m.root).is_some_and(|rel| out.join(m.point, rel).is_some())
    })
}

/// A directory entry's name: NAME_MAX bytes and the NUL.
type Name = [u8; 256];

/// The first subdirectory (a child cgroup) of the open cgroup `dir`, copied
/// into `name`; read from the start each time, as the walk looks again.
fn first_child<'a>(dir: &Fd, name: &'a mut Name) -> Option<&'a CStr> {
    sys::rewind(dir).ok()?;
    let mut found = false;
    let _ = sys::each_entry(dir, &mut |entry, is_dir| {
        let bytes = entry.to_bytes();
        if found || !is_dir || bytes == b"." || bytes == b".." || bytes.len() >= name.len() {
            return;
        }
        name[..bytes.len()].copy_from_slice(bytes);
        name[bytes.len()] = 0;
        found = true;
    });
    found.then(|| sys::cstr_until_nul(name)).flatten()
}

/// Ends every process in the open cgroup: `cgroup.kill` (Linux 5.14) kills
/// its whole subtree at once; without it, SIGKILL to each process of
/// `cgroup.procs`. (A task frozen by cgroup2's freezer still dies by a
/// fatal signal, cgroup-v2.rst; the v1 freezer is thawed by `remove`.)
fn end_processes(cgroup: &Fd) {
    if sys::write_file(cgroup, c"cgroup.kill", b"1").is_ok() {
        return;
    }
    let Ok(procs) = sys::openat(cgroup, c"cgroup.procs", O_RDONLY, 0) else { return };
    let me = sys::getpid();
    // A process outside our pid namespace shows as 0 (cgroup-v2.rst), and
    // kill(0) would signal our own group: parse_pid takes only pids > 0.
    for_each_line(&mut |buf| sys::read(&procs, buf).unwrap_or(0), &mut [0u8; 1024], FirstBytes::DIGITS, &mut |line| {
        if let Some(pid) = parse_pid(line).filter(|&p| p != me) {
            let _ = sys::kill(pid, SIGKILL);
        }
        false
    });
}

/// rmdir of the cgroup `name` in `parent` (`cgroup` is it, open). A cgroup
/// that still holds processes is busy: with `kill`, they are ended and
/// waited for, up to a second; without, it stays.
fn remove_cgroup(parent: &Fd, name: &CStr, cgroup: &Fd, kill: bool) -> bool {
    for _ in 0..100 {
        match sys::remove_dir_at(parent, name) {
            Ok(()) | Err(Errno::ENOENT) => return true,
            Err(Errno::EBUSY) if kill => end_processes(cgroup),
            Err(_) => return false,
        }
        let _ = sys::poll(&mut [], Some(10));
    }
    false
}

/// Removes the cgroup `dir` and every cgroup below it (systemd's slices,
/// whatever container root made), deepest first, with no limit of depth
/// and no recursion: the walk goes down one open directory at a time and
/// back up by `..`, which in a cgroup file system is always the parent (a
/// cgroup never moves to another parent: cgroup2 refuses rename(2), v1
/// renames only within the parent). Stops at the first cgroup that cannot
/// be removed, which keeps every cgroup above it anyway.
fn remove_tree(dir: &CStr, kill: bool) {
    let Ok(mut at) = sys::open(dir, O_RDONLY | O_DIRECTORY) else { return };
    let mut depth = 0u64;
    let mut name: Name = [0; 256];
    let mut grandchild: Name = [0; 256];
    loop {
        let Some(child) = first_child(&at, &mut name) else {
            if depth == 0 {
                break;
            }
            // Every child of `at` is gone: up to its parent, where the next
            // look finds `at` itself childless and removes it.
            match sys::openat(&at, c"..", O_RDONLY | O_DIRECTORY, 0) {
                Ok(up) => at = up,
                Err(_) => return,
            }
            depth -= 1;
            continue;
        };
        let Ok(fd) = sys::openat(&at, child, O_RDONLY | O_DIRECTORY, 0) else { return };
        if first_child(&fd, &mut grandchild).is_some() {
            at = fd;
            depth += 1;
        } else if !remove_cgroup(&at, child, &fd, kill) {
            return;
        }
    }
    remove_cgroup(&sys::CWD, dir, &at, kill);
}

/// Removes what a supervisor killed by SIGKILL left in `parent`: cgroups
/// `ucontain-N` whose process N is gone. Nothing is killed: the init of
/// such a container dies with its supervisor (PR_SET_PDEATHSIG), and a
/// cgroup still in use, by a container of a supervisor in another pid
/// namespace that happens to have the same number, must keep its processes.
fn remove_stale(parent: &CStr) {
    let Ok(fd) = sys::open(parent, O_RDONLY | O_DIRECTORY) else { return };
    let mut path = PathBuf::new();
    let _ = sys::each_entry(&fd, &mut |name, is_dir| {
        let Some(pid) = after(name.to_bytes(), b"ucontain-").and_then(parse_pid) else {
            return;
        };
        let alive = sys::stat(PathBuf::new().proc_path(pid, b"", &[])).is_ok();
        if is_dir && !alive {
            if let Some(stale) = path.join(parent.to_bytes(), name.to_bytes()) {
                remove_tree(stale, false);
            }
        }
    });
}

/// Makes the cgroup `path` in `h` (`parent` its parent), owned by `owner`
/// (the container root's host uid and gid) where `h` is delegated.
fn make_cgroup(h: &Hierarchy, parent: &CStr, path: &CStr, owner: Option<(u32, u32)>) -> Result<(), Errno> {
    match sys::mkdirat(&sys::CWD, path, 0o755) {
        // Left by an earlier supervisor of the same pid, killed by SIGKILL:
        // never taken over, a new one is made in its place.
        Err(Errno::EEXIST) => {
            remove_tree(path, false);
            sys::mkdirat(&sys::CWD, path, 0o755)
        }
        other => other,
    }?;
    let dir = sys::open(path, O_RDONLY | O_DIRECTORY)?;
    if h.has_controller(b"cpuset") {
        // A new v1 cpuset has no cpus and no memory nodes, and no task can
        // join it until both are set (cpuset(7)): its parent's.
        let up = sys::open(parent, O_RDONLY | O_DIRECTORY)?;
        for file in [c"cpuset.cpus", c"cpuset.mems"] {
            let mut value = [0u8; 4096];
            let n = sys::read(&sys::openat(&up, file, O_RDONLY, 0)?, &mut value)?;
            sys::write_file(&dir, file, &value[..n])?;
        }
    }
    match owner {
        // The files a delegated cgroup's owner writes (cgroup-v2.rst,
        // "Delegation Containment"; cgroups(7) for v1).
        Some((uid, gid)) if h.delegated() => {
            let files: &[&CStr] = match h.unified() {
                true => &[c"", c"cgroup.procs", c"cgroup.threads", c"cgroup.subtree_control"],
                false => &[c"", c"cgroup.procs", c"tasks"],
            };
            files.iter().try_for_each(|file| sys::chown_at(&dir, file, uid, gid))
        }
        _ => Ok(()),
    }
}

/// How to get a delegated cgroup, after the warning that there is none.
const NOT_DELEGATED: &[u8] =
    b" (to have one, run contain in a delegated cgroup: systemd-run --user --scope -p Delegate=yes contain ...; said once)";

/// The container's cgroup directories: `count` of them, in the order of
/// /proc/self/cgroup.
pub struct Cgroups {
    dirs: [PathBuf; MAX_HIERARCHIES],
    count: usize,
    /// Which of them is in the unified hierarchy, and in the v1 freezer.
    unified: Option<usize>,
    freezer: Option<usize>,
    /// The host has more hierarchies than MAX_HIERARCHIES: `place` refuses
    /// the container, which would see the others' host cgroups.
    too_many: bool,
}

/// The container's cgroups go with the value that holds them (SPEC §5.5:
/// removed when the container ends, on every path).
impl Drop for Cgroups {
    fn drop(&mut self) {
        self.remove();
    }
}

impl Cgroups {
    /// Creates `ucontain-SUPERVISOR` in every hierarchy where the caller
    /// can, and removes the stale ones beside it. One warning when a cgroup
    /// cannot be made (a v1 controller hierarchy the caller may not write is
    /// skipped without one); the container goes on without it. Where the
    /// caller's cgroup is not delegated to it, the warning says how to get
    /// one, and only once per state directory `state` (SPEC §5.5), since
    /// nothing changes from one run to the next until the user acts.
    pub fn create(owner: Option<(u32, u32)>, state: Option<&StateDir>) -> Cgroups {
        let mut cgroups = Cgroups {
            dirs: core::array::from_fn(|_| PathBuf::new()),
            count: 0,
            unified: None,
            freezer: None,
            too_many: false,
        };
        let mut name = Line::new();
        name.add(b"ucontain-").num(sys::getpid() as u64);
        let mut warned = false;
        procfs::each_cgroup(0, &mut |line| {
            let Some(h) = Hierarchy::parse(line) else { return false };
            let mut parent = PathBuf::new();
            if !our_cgroup(&h, &mut parent) {
                return false;
            }
            let Some(parent) = parent.as_cstr() else { return false };
            remove_stale(parent);
            let Some(dir) = cgroups.dirs.get_mut(cgroups.count) else {
                cgroups.too_many = true;
                return true;
            };
            let Some(path) = dir.join(parent.to_bytes(), name.text()) else { return false };
            match make_cgroup(&h, parent, path, owner) {
                Ok(()) => {
                    if h.unified() {
                        cgroups.unified = Some(cgroups.count);
                    }
                    if h.has_controller(b"freezer") {
                        cgroups.freezer = Some(cgroups.count);
                    }
                    cgroups.count += 1;
                }
                Err(e) => {
                    let denied = matches!(e, Errno::EACCES | Errno::EPERM | Errno::EROFS);
                    // Refused the directory itself: the caller's cgroup is
                    // not delegated to it (a refused chown to a MAP's root
                    // is another matter, said every time).
                    let not_delegated = denied && sys::stat(path).is_err();
                    if !warned && (h.delegated() || !denied) {
                        warned = true;
                        let said = not_delegated && !state.is_none_or(|state| state.first_time(c".said-no-cgroup"));
                        if !said {
                            let mut line = Line::message();
                            line.add(b"warning: cannot create cgroup ").add(path.to_bytes());
                            line.add(b": ").errno(e).add(b"; going on without one");
                            if not_delegated {
                                line.add(NOT_DELEGATED);
                            }
                            line.send();
                        }
                    }
                    remove_tree(path, false);
                }
            }
            false
        });
        cgroups
    }

    fn dirs(&self) -> impl Iterator<Item = &CStr> {
        self.dirs[..self.count].iter().filter_map(|d| d.as_cstr())
    }

    /// The container's cgroup in the unified hierarchy, if it has one.
    pub fn unified(&self) -> Option<&CStr> {
        self.unified.and_then(|i| self.dirs[i].as_cstr())
    }

    /// Writes the limits (SPEC §5.5, Limits), in the order given but for
    /// `memory.swap.max`, which v1 checks against the memory limit and so
    /// comes last; then `pids.max` 16384 where the pids controller is
    /// available and no `-L pids.max` was given. A limit that cannot be
    /// set is a failure naming it, after the message.
    pub fn set_limits(&self, limits: &[Limit]) -> Result<(), Failed> {
        let memory_max = limits.iter().rev().find(|l| l.file == b"memory.max").map(|l| l.value);
        let swap = |l: &&Limit| l.file == b"memory.swap.max";
        for limit in limits.iter().filter(|l| !swap(l)).chain(limits.iter().filter(swap)) {
            let text = [limit.file, limit.value];
            match self.set_limit(limit, memory_max) {
                Ok(true) => {}
                Ok(false) => {
                    say(
                        b"cannot set {}: the container has no cgroup with the {} controller",
                        &[limit.file, limit.controller()],
                    );
                    return Err(EXIT_FAILURE);
                }
                Err(LimitError::Value(why)) => {
                    say(b"cannot set {}={}: {}", &[limit.file, limit.value, why]);
                    return Err(EXIT_FAILURE);
                }
                Err(LimitError::Write(e)) => return Err(fail_with(b"cannot set {}={}", &text, e)),
            }
        }
        if !limits.iter().any(|l| l.file == DEFAULT_PIDS.file) {
            if let Err(LimitError::Write(e)) = self.set_limit(&DEFAULT_PIDS, None) {
                return Err(fail_with(b"cannot set {}={}", &[DEFAULT_PIDS.file, DEFAULT_PIDS.value], e));
            }
        }
        Ok(())
    }

    /// Writes `limit` in the unified hierarchy where it has the controller
    /// (enabled in the parent's `cgroup.subtree_control` when it is
    /// available there but not enabled), else its v1 equivalent in the v1
    /// hierarchy that has the controller. False when neither has it.
    fn set_limit(&self, limit: &Limit, memory_max: Option<&[u8]>) -> Result<bool, LimitError> {
        let mut file = PathBuf::new();
        let file = file.join(b"", limit.file).ok_or(LimitError::Write(Errno::ENAMETOOLONG))?;
        if let Some(dir) = self.unified() {
            let dir = sys::open(dir, O_RDONLY | O_DIRECTORY)?;
            let mut written = sys::write_file(&dir, file, limit.value);
            if written == Err(Errno::ENOENT) && enable_controller(&dir, limit.controller()) {
                written = sys::write_file(&dir, file, limit.value);
            }
            match written {
                Err(Errno::ENOENT) => {}
                other => return other.map(|()| true).map_err(LimitError::Write),
            }
        }
        let mut digits = [0; 20];
        let writes = v1_equivalent(limit, memory_max, &mut digits).map_err(LimitError::Value)?;
        let Some(&(first, _)) = writes.first() else { return Ok(false) };
        for (i, dir) in self.dirs[..self.count].iter().enumerate() {
            let Some(dir) = dir.as_cstr().filter(|_| Some(i) != self.unified) else { continue };
            let dir = sys::open(dir, O_RDONLY | O_DIRECTORY)?;
            // The hierarchy of the controller is the one with its files.
            if sys::stat_at(&dir, first).is_err() {
                continue;
            }
            for (file, value) in &writes {
                sys::write_file(&dir, file, value)?;
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Moves `pid` into every cgroup of the container.
    pub fn place(&self, pid: i32) -> Result<(), i32> {
        if self.too_many {
            say(b"more than 16 cgroup hierarchies", &[]);
            return Err(EXIT_FAILURE);
        }
        let mut text = Line::new();
        text.num(pid as u64);
        for dir in self.dirs() {
            let placed = sys::open(dir, O_RDONLY | O_DIRECTORY)
                .and_then(|fd| sys::write_file(&fd, c"cgroup.procs", text.text()));
            if let Err(e) = placed {
                return Err(fail(b"cannot move the init into ", dir.to_bytes(), e));
            }
        }
        Ok(())
    }

    /// Freezes (or thaws) every process of the container, however deep in
    /// its cgroups: `cgroup.freeze` in the unified hierarchy (Linux 5.2),
    /// else `freezer.state` of a v1 freezer hierarchy. A freeze waits (at
    /// most a second) until the kernel reports the processes frozen, so
    /// none of them reads anything afterwards. False where no freezer is.
    pub fn freeze(&self, frozen: bool) -> bool {
        let (v2, v1): (&[u8], &[u8]) = if frozen { (b"1", b"FROZEN") } else { (b"0", b"THAWED") };
        let freezers = [
            (self.unified, c"cgroup.freeze", v2, c"cgroup.events", &b"frozen 1"[..]),
            (self.freezer, c"freezer.state", v1, c"freezer.state", b"FROZEN"),
        ];
        for (i, file, value, state, done) in freezers {
            let Some(dir) = i.and_then(|i| self.dirs[i].as_cstr()) else { continue };
            let Ok(fd) = sys::open(dir, O_RDONLY | O_DIRECTORY) else { continue };
            if sys::write_file(&fd, file, value).is_err() {
                continue;
            }
            // cgroup-v2.rst, "cgroup.freeze": the freeze completes
            // asynchronously; cgroup.events says when.
            for _ in 0..100 {
                let mut text = [0u8; 256];
                let len = sys::openat(&fd, state, O_RDONLY, 0).and_then(|f| sys::read_full(&f, &mut text)).unwrap_or(0);
                if !frozen || text[..len].windows(done.len()).any(|w| w == done) {
                    break;
                }
                let _ = sys::poll(&mut [], Some(10));
            }
            return true;
        }
        false
    }

    /// Removes the container's cgroups and everything below them, ending
    /// whatever process is still in one.
    fn remove(&self) {
        // A task frozen by the v1 freezer dies only once thawed
        // (freezer-subsystem.rst), whichever hierarchy kills it.
        if let Some(freezer) = self.freezer.and_then(|i| self.dirs[i].as_cstr()) {
            let _ = sys::open(freezer, O_RDONLY | O_DIRECTORY)
                .and_then(|fd| sys::write_file(&fd, c"freezer.state", b"THAWED"));
        }
        for dir in self.dirs() {
            remove_tree(dir, true);
        }
    }
}

/// OCI containers' cgroups (SPEC §7): `cgroupsPath` in every hierarchy.
#[cfg(feature = "oci")]
impl Cgroups {
    /// The cgroups `path` names in every hierarchy mounted here: from the
    /// hierarchy's root when absolute, else below the parent of the
    /// caller's own cgroup (runc's reading of a relative path: the
    /// caller's own holds processes, so on cgroup v2 no controller could
    /// be enabled below it). With `create`, they are made, their missing
    /// parents too, each parent's controllers enabled for its children in
    /// the unified hierarchy. Dropped, they are removed; `keep` leaves them.
    pub fn at(path: &[u8], create: bool) -> Cgroups {
        let mut cgroups = Cgroups {
            dirs: core::array::from_fn(|_| PathBuf::new()),
            count: 0,
            unified: None,
            freezer: None,
            too_many: false,
        };
        let mut warned = false;
        procfs::each_cgroup(0, &mut |line| {
            let Some(h) = Hierarchy::parse(line) else { return false };
            let mut base = PathBuf::new();
            let found = match path.first() {
                Some(b'/') => each_mount(&mut |m| {
                    h.is_mounted_as(m.fstype, m.super_options)
                        && !has_byte(m.point, b'\\')
                        && base.join(b"", m.point).is_some()
                }),
                _ => {
                    let mut own = PathBuf::new();
                    our_cgroup(&h, &mut own)
                        && own.as_cstr().is_some_and(|own| {
                            let own = own.to_bytes();
                            let parent = &own[..own.iter().rposition(|&b| b == b'/').unwrap_or(0)];
                            base.join(b"", parent).is_some()
                        })
                }
            };
            let Some(base) = base.as_cstr().filter(|_| found) else { return false };
            let Some(dir) = cgroups.dirs.get_mut(cgroups.count) else {
                cgroups.too_many = true;
                return true;
            };
            let rel = path.strip_prefix(b"/").unwrap_or(path);
            let Some(full) = dir.join(base.to_bytes(), rel) else { return false };
            let made = if create { make_path(&h, base, rel) } else { sys::stat(full).map(drop) };
            match made {
                Ok(()) => {
                    if h.unified() {
                        cgroups.unified = Some(cgroups.count);
                    }
                    if h.has_controller(b"freezer") {
                        cgroups.freezer = Some(cgroups.count);
                    }
                    cgroups.count += 1;
                }
                Err(e)
                    if create
                        && !warned
                        && (h.delegated() || !matches!(e, Errno::EACCES | Errno::EPERM | Errno::EROFS)) =>
                {
                    let mut line = Line::message();
                    line.add(b"warning: cannot create cgroup ").add(full.to_bytes());
                    line.add(b": ").errno(e).add(b"; going on without it").send();
                    warned = true;
                }
                Err(_) => {}
            }
            false
        });
        cgroups
    }

    /// Leaves the cgroups in place (the container outlives this process).
    pub fn keep(self) {
        core::mem::forget(self);
    }

    /// Writes `value` to `file` in every v1 hierarchy that has it (the
    /// devices controller's `devices.deny`); whether one had it.
    pub fn write_v1(&self, file: &CStr, value: &[u8]) -> Result<bool, Errno> {
        let mut written = false;
        for (i, dir) in self.dirs[..self.count].iter().enumerate() {
            let Some(dir) = dir.as_cstr().filter(|_| Some(i) != self.unified) else { continue };
            let dir = sys::open(dir, O_RDONLY | O_DIRECTORY)?;
            if sys::stat_at(&dir, file).is_ok() {
                sys::write_file(&dir, file, value)?;
                written = true;
            }
        }
        Ok(written)
    }

    /// The pids in the container's cgroups (the unified one, else the
    /// first), to `f`.
    pub fn each_pid(&self, f: &mut dyn FnMut(i32)) {
        let Some(dir) = self.unified().or_else(|| self.dirs().next()) else { return };
        let Ok(procs) =
            sys::open(dir, O_RDONLY | O_DIRECTORY).and_then(|d| sys::openat(&d, c"cgroup.procs", O_RDONLY, 0))
        else {
            return;
        };
        for_each_line(
            &mut |buf| sys::read(&procs, buf).unwrap_or(0),
            &mut [0u8; 1024],
            FirstBytes::DIGITS,
            &mut |line| {
                if let Some(pid) = parse_pid(line) {
                    f(pid);
                }
                false
            },
        );
    }
}

/// Makes `rel` below `base` in `h`, one level at a time (as mkdir -p), a
/// v1 cpuset's cpus and memory nodes copied from its parent, a unified
/// parent's controllers enabled for its children.
#[cfg(feature = "oci")]
fn make_path(h: &Hierarchy, base: &CStr, rel: &[u8]) -> Result<(), Errno> {
    let mut at = sys::open(base, O_RDONLY | O_DIRECTORY)?;
    let mut name = PathBuf::new();
    for part in rel.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".") {
        let part = name.join(b"", part).filter(|p| p.to_bytes() != b"..").ok_or(Errno::EINVAL)?;
        if h.unified() {
            let mut available = [0u8; 512];
            let n = sys::openat(&at, c"cgroup.controllers", O_RDONLY, 0).and_then(|f| sys::read(&f, &mut available));
            for controller in available[..n.unwrap_or(0)].split(|&b| b == b' ' || b == b'\n').filter(|c| !c.is_empty())
            {
                let mut enable = Line::new();
                let _ = sys::write_file(&at, c"cgroup.subtree_control", enable.add(b"+").add(controller).text());
            }
        }
        match sys::mkdirat(&at, part, 0o755) {
            Ok(()) if h.has_controller(b"cpuset") => {
                let child = sys::openat(&at, part, O_RDONLY | O_DIRECTORY, 0)?;
                for file in [c"cpuset.cpus", c"cpuset.mems"] {
                    let mut value = [0u8; 4096];
                    let n = sys::read(&sys::openat(&at, file, O_RDONLY, 0)?, &mut value)?;
                    sys::write_file(&child, file, &value[..n])?;
                }
            }
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(e),
        }
        at = sys::openat(&at, part, O_RDONLY | O_DIRECTORY, 0)?;
    }
    Ok(())
}

/// Why a limit was not set.
enum LimitError {
    /// Its value has no v1 equivalent: why.
    Value(&'static [u8]),
    Write(Errno),
}

impl From<Errno> for LimitError {
    fn from(e: Errno) -> LimitError {
        LimitError::Write(e)
    }
}

/// Enables `controller` for the children of the parent of the unified
/// cgroup `dir` (`+NAME` in its `cgroup.subtree_control`), where its
/// `cgroup.controllers` lists it; whether that worked. The kernel refuses
/// it (EBUSY) for a parent that holds processes itself, as a caller's own
/// cgroup does unless it is the root (cgroup-v2.rst, "No Internal Process
/// Constraint"): a delegated parent has its controllers enabled already.
fn enable_controller(dir: &Fd, controller: &[u8]) -> bool {
    let Ok(parent) = sys::openat(dir, c"..", O_RDONLY | O_DIRECTORY, 0) else { return false };
    let mut available = [0u8; 512];
    let n = sys::openat(&parent, c"cgroup.controllers", O_RDONLY, 0).and_then(|f| sys::read(&f, &mut available));
    let listed = available[..n.unwrap_or(0)].split(|&b| b == b' ' || b == b'\n').any(|c| c == controller);
    let mut enable = Line::new();
    listed && sys::write_file(&parent, c"cgroup.subtree_control", enable.add(b"+").add(controller).text()).is_ok()
}

/// Mounts the container's own cgroup (with `flags` besides nosuid, nodev,
/// noexec: MS_RDONLY for an OCI bundle's read-only one), cgroup2 with the root of the init's
/// cgroup namespace as its root, at /sys/fs/cgroup of the new root, as
/// systemd-nspawn does, so podman, runc and systemd inside find it (SPEC
/// §5.5, Mounts). Only where /sys/fs/cgroup is there (the read-only sysfs
/// made with a new network namespace); the init calls it only when the
/// container has its delegated cgroup in the unified hierarchy (not for
/// an unprivileged caller without delegation, nor on a v1-only host).
pub fn mount_own_cgroup(flags: u32) -> Result<(), i32> {
    let at = c"/sys/fs/cgroup";
    if !sys::stat(at).is_ok_and(|s| s.is_dir()) {
        return Ok(());
    }
    sys::mount(Some(c"cgroup2"), at, Some(c"cgroup2"), MS_NOSUID | MS_NODEV | MS_NOEXEC | flags, None)
        .map_err(|e| fail(b"cannot mount cgroup2 on ", at.to_bytes(), e))
}

/// Moves this process into every cgroup of `pid` (SPEC §5.6: what inject
/// starts counts against the container's limits). Read before entering
/// any namespace of `pid`: /proc/PID/cgroup and our mountinfo are then
/// both in the caller's cgroup namespace, while the container's own shows
/// its cgroup as `/`. A hierarchy not mounted here is passed over, and
/// for an unprivileged caller so is a group that is not its own (a host
/// group only root may enter, such as a v1 controller's the init was left
/// in). Err is the exit status after the message.
pub fn join_cgroups_of(pid: i32) -> Result<(), i32> {
    let uid = sys::getuid();
    let mut me = Line::new();
    me.num(sys::getpid() as u64);
    let mut failed = Ok(());
    procfs::each_cgroup(pid, &mut |line| {
        let Some(h) = Hierarchy::parse(line) else { return false };
        let mut dir = PathBuf::new();
        if !our_cgroup(&h, &mut dir) {
            return false;
        }
        let Some(dir) = dir.as_cstr() else { return false };
        let joined = sys::open(dir, O_RDONLY | O_DIRECTORY).and_then(|fd| {
            sys::write_file(&fd, c"cgroup.procs", me.text()).or_else(|e| match sys::fstat(&fd) {
                Ok(st) if uid != 0 && st.uid != uid => Ok(()),
                _ => Err(e),
            })
        });
        if let Err(e) = joined {
            failed = Err(fail(b"cannot join cgroup ", dir.to_bytes(), e));
        }
        failed.is_err()
    });
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchies_from_proc_self_cgroup() {
        let h = |c: &'static [u8], p: &'static [u8]| Some(Hierarchy { controllers: c, path: p });
        assert_eq!(Hierarchy::parse(b"0::/"), h(b"", b"/"));
        assert_eq!(Hierarchy::parse(b"0::/user.slice/a:b"), h(b"", b"/user.slice/a:b"));
        assert_eq!(Hierarchy::parse(b"1:cpu,cpuacct:/x"), h(b"cpu,cpuacct", b"/x"));
        assert_eq!(Hierarchy::parse(b"9:name=systemd:/"), h(b"name=systemd", b"/"));
        for bad in [&b""[..], b"0", b"0:", b"1::/", b"0:cpu:/", b"1:cpu:", b"1:cpu:x"] {
            assert_eq!(Hierarchy::parse(bad), None, "{:?}", std::str::from_utf8(bad));
        }
        let cpu = Hierarchy::parse(b"1:cpu,cpuacct:/").unwrap();
        assert!(cpu.is_mounted_as(b"cgroup", b"rw,cpu,cpuacct"));
        assert!(!cpu.is_mounted_as(b"cgroup", b"rw,cpu"));
        assert!(!cpu.is_mounted_as(b"cgroup2", b"rw"));
        assert!(!cpu.delegated() && cpu.has_controller(b"cpu") && !cpu.has_controller(b"cpuset"));
        let systemd = Hierarchy::parse(b"9:name=systemd:/").unwrap();
        assert!(systemd.delegated() && systemd.is_mounted_as(b"cgroup", b"rw,xattr,name=systemd"));
        assert!(!systemd.is_mounted_as(b"cgroup", b"rw,cpu"));
        let unified = Hierarchy::parse(b"0::/").unwrap();
        assert!(unified.delegated() && unified.is_mounted_as(b"cgroup2", b"rw,nsdelegate"));
        assert!(!unified.is_mounted_as(b"cgroup", b"rw,name=systemd"));
    }

    #[test]
    fn paths_below_a_mount_root() {
        assert_eq!(below(b"/a/b", b"/"), Some(&b"a/b"[..]));
        assert_eq!(below(b"/", b"/"), Some(&b""[..]));
        assert_eq!(below(b"/a/b", b"/a"), Some(&b"b"[..]));
        assert_eq!(below(b"/a", b"/a"), Some(&b""[..]));
        assert_eq!(below(b"/ab/c", b"/a"), None);
        assert_eq!(below(b"/b", b"/a"), None);
    }
}

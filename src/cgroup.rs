//! The container's delegated cgroup (SPEC §5.5): `ucontain-SUPERVISORPID`
//! below the caller's own cgroup, in the unified (v2) hierarchy and, on a
//! hybrid host, in the `name=systemd` one; owned by the container's root,
//! the init placed in it before its cgroup namespace is made, and removed
//! when the container ends. This is what lets systemd boot inside.

use crate::exec::PathBuf;
use crate::mount::{each_mount, has_option};
use crate::ns::each_line;
use crate::out::{cannot, Line};
use crate::sys::{self, Errno, O_DIRECTORY, O_RDONLY};
use crate::text::has_byte;
use core::ffi::CStr;

/// A hierarchy: how /proc/self/cgroup names it, how mountinfo shows its
/// mount (file system type, and a super option that must be there), and
/// the files a delegated cgroup's owner needs (cgroups(7), cgroup-v2.rst
/// "Delegation Containment").
struct Hierarchy {
    line: &'static [u8],
    fstype: &'static [u8],
    option: &'static [u8],
    files: [&'static CStr; 3],
}

const HIERARCHIES: [Hierarchy; 2] = [
    Hierarchy {
        line: b"0::",
        fstype: b"cgroup2",
        option: b"",
        files: [c"cgroup.procs", c"cgroup.threads", c"cgroup.subtree_control"],
    },
    Hierarchy {
        line: b"name=systemd:",
        fstype: b"cgroup",
        option: b"name=systemd",
        files: [c"cgroup.procs", c"tasks", c"tasks"],
    },
];

/// The container's cgroup directories (empty paths where there is none).
pub struct Cgroups {
    dirs: [PathBuf; 2],
}

/// Where `h` is mounted and our cgroup in it: mount point + (our path less
/// the mount's root), into `out`; false when it is not mounted.
#[inline(never)]
fn our_cgroup(h: &Hierarchy, out: &mut PathBuf) -> bool {
    let mut path = heapless::Vec::<u8, 1024>::new();
    each_line(c"/proc/self/cgroup", &mut |line| {
        let Some(i) = line.windows(h.line.len()).position(|w| w == h.line) else { return false };
        let whole = i == 0 || line[i - 1] == b':';
        whole && path.extend_from_slice(&line[i + h.line.len()..]).is_ok()
    });
    if path.is_empty() {
        return false;
    }
    let mut found = false;
    each_mount(&mut |m| {
        let has_option = h.option.is_empty() || has_option(m.super_options, h.option);
        if m.fstype != h.fstype || !has_option || has_byte(m.point, b'\\') {
            return false;
        }
        let rel = if m.root == b"/" { Some(&path[..]) } else { path.strip_prefix(m.root) };
        found = rel.is_some_and(|rel| out.join(m.point, rel.strip_prefix(b"/").unwrap_or(rel)).is_some());
        found
    });
    found
}

/// Removes the cgroup `dir` and every cgroup below it (the container's
/// own, systemd's init.scope and slices), deepest first.
fn remove_tree(dir: &CStr, depth: u32) {
    if depth < 32 {
        if let Ok(fd) = sys::open(dir, O_RDONLY | O_DIRECTORY) {
            let mut sub = PathBuf::new();
            let _ = sys::each_entry(&fd, &mut |name, is_dir| {
                if is_dir && name.to_bytes() != b"." && name.to_bytes() != b".." {
                    if let Some(path) = sub.join(dir.to_bytes(), name.to_bytes()) {
                        remove_tree(path, depth + 1);
                    }
                }
            });
        }
    }
    let _ = sys::remove_dir(dir);
}

/// Removes what a supervisor killed by SIGKILL left in `parent`: cgroups
/// `ucontain-N` whose process N is gone (a cgroup still in use cannot be
/// removed, so a live container loses nothing).
fn remove_stale(parent: &CStr) {
    let Ok(fd) = sys::open(parent, O_RDONLY | O_DIRECTORY) else { return };
    let mut path = PathBuf::new();
    let _ = sys::each_entry(&fd, &mut |name, is_dir| {
        let Some(pid) = crate::text::after(name.to_bytes(), b"ucontain-").and_then(crate::text::parse_pid) else {
            return;
        };
        let alive = sys::stat(Line::new().proc_path(pid, b"", &[])).is_ok();
        if is_dir && !alive {
            if let Some(stale) = path.join(parent.to_bytes(), name.to_bytes()) {
                remove_tree(stale, 0);
            }
        }
    });
}

impl Cgroups {
    /// Creates `ucontain-SUPERVISOR` in every hierarchy there is, owned by
    /// `owner` (the container root's host uid and gid). One warning when a
    /// cgroup cannot be made; the container goes on without it.
    pub fn create(owner: Option<(u32, u32)>) -> Cgroups {
        let mut cgroups = Cgroups { dirs: [PathBuf::new(), PathBuf::new()] };
        let mut name = Line::new();
        name.add(b"ucontain-").num(sys::getpid() as u64);
        let mut warned = false;
        for (h, dir) in HIERARCHIES.iter().zip(cgroups.dirs.iter_mut()) {
            let mut parent = PathBuf::new();
            if !our_cgroup(h, &mut parent) {
                continue;
            }
            let Some(parent) = parent.as_cstr() else { continue };
            remove_stale(parent);
            let Some(path) = dir.join(parent.to_bytes(), name.text()) else { continue };
            let made = match sys::mkdirat(&sys::CWD, path, 0o755) {
                Err(Errno::EEXIST) => Ok(()),
                other => other,
            }
            .and_then(|()| match owner {
                Some((uid, gid)) => {
                    let dir_fd = sys::open(path, O_RDONLY | O_DIRECTORY)?;
                    sys::chown_at(&dir_fd, c"", uid, gid)?;
                    h.files.iter().try_for_each(|file| sys::chown_at(&dir_fd, file, uid, gid))
                }
                None => Ok(()),
            });
            if let Err(e) = made {
                if !warned {
                    let mut line = Line::message();
                    line.add(b"warning: cannot create cgroup ").add(path.to_bytes());
                    line.add(b": ").errno(e).add(b"; going on without one").send();
                    warned = true;
                }
                remove_tree(path, 0);
                *dir = PathBuf::new();
            }
        }
        cgroups
    }

    /// Moves `pid` into the container's cgroups.
    pub fn place(&self, pid: i32) -> Result<(), i32> {
        let mut text = Line::new();
        text.num(pid as u64);
        for dir in &self.dirs {
            let Some(dir) = dir.as_cstr().filter(|d| !d.is_empty()) else { continue };
            let Ok(fd) = sys::open(dir, O_RDONLY | O_DIRECTORY) else { continue };
            if let Err(e) = sys::write_file(&fd, c"cgroup.procs", text.text()) {
                return Err(crate::out::cannot(b"move the init into ", dir.to_bytes(), e));
            }
        }
        Ok(())
    }

    /// The container's cgroup in the unified hierarchy, if it has one.
    pub fn unified(&self) -> Option<&CStr> {
        self.dirs[0].as_cstr().filter(|d| !d.is_empty())
    }

    /// Freezes (or thaws) every process of the container, however deep in
    /// its cgroups: `cgroup.freeze` in the unified hierarchy (Linux 5.2),
    /// else `freezer.state` of a v1 freezer hierarchy. A freeze waits (at
    /// most a second) until the kernel reports the processes frozen, so
    /// none of them reads anything afterwards. False where no freezer is.
    pub fn freeze(&self, frozen: bool) -> bool {
        let (v2, v1): (&[u8], &[u8]) = if frozen { (b"1", b"FROZEN") } else { (b"0", b"THAWED") };
        for (i, dir) in self.dirs.iter().enumerate() {
            let Some(dir) = dir.as_cstr().filter(|d| !d.is_empty()) else { continue };
            let Ok(fd) = sys::open(dir, O_RDONLY | O_DIRECTORY) else { continue };
            let (file, value, state, done): (&CStr, _, &CStr, &[u8]) = match i {
                0 => (c"cgroup.freeze", v2, c"cgroup.events", b"frozen 1"),
                _ => (c"freezer.state", v1, c"freezer.state", b"FROZEN"),
            };
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

    /// Removes the container's cgroups, once every process in them is gone.
    pub fn remove(&self) {
        for dir in &self.dirs {
            if let Some(dir) = dir.as_cstr().filter(|d| !d.is_empty()) {
                remove_tree(dir, 0);
            }
        }
    }
}

/// Where the cgroup `path` of the /proc/PID/cgroup line `id:controllers:`
/// is in our mounts, into `out` (the hierarchy's first mount whose root
/// holds it); false when it is not mounted here.
fn hierarchy_dir(id: &[u8], controllers: &[u8], path: &[u8], out: &mut PathBuf) -> bool {
    let unified = id == b"0" && controllers.is_empty();
    let mut found = false;
    each_mount(&mut |m| {
        let same_hierarchy = match unified {
            true => m.fstype == b"cgroup2",
            false => m.fstype == b"cgroup" && controllers.split(|&b| b == b',').all(|c| has_option(m.super_options, c)),
        };
        if !same_hierarchy || has_byte(m.point, b'\\') {
            return false;
        }
        let rel = if m.root == b"/" { Some(path) } else { path.strip_prefix(m.root) };
        let rel = rel.filter(|rel| rel.is_empty() || rel.starts_with(b"/") || m.root == b"/");
        found = rel.is_some_and(|rel| out.join(m.point, rel.strip_prefix(b"/").unwrap_or(rel)).is_some());
        found
    });
    found
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
    each_line(Line::new().proc_path(pid, b"/cgroup", &[]), &mut |line| {
        let mut fields = line.splitn(3, |&b| b == b':');
        let (Some(id), Some(controllers), Some(path)) = (fields.next(), fields.next(), fields.next()) else {
            return false;
        };
        let mut dir = PathBuf::new();
        if !hierarchy_dir(id, controllers, path, &mut dir) {
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
            failed = Err(cannot(b"join cgroup ", dir.to_bytes(), e));
        }
        failed.is_err()
    });
    failed
}

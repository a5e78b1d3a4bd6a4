//! Delegated cgroups for the unprivileged test user, as a systemd user
//! session has one: a directory below the test's own cgroup in every
//! hierarchy contain uses (cgroup2, and name=systemd on a hybrid host),
//! owned by the user. Removed with the run's TempDir (see tempdir.rs).

use super::TempDir;
use std::fs;
use std::os::unix::fs::chown;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The file in a run's TempDir listing the cgroups made for it.
pub const LIST: &str = ".cgroups";

/// Where this process's cgroup is, in the hierarchy whose
/// /proc/self/cgroup line has `key` (`0::` or `name=systemd:`), mounted
/// with file system `fstype` and super option `option`.
pub fn own_cgroup(key: &str, fstype: &str, option: &str) -> Option<PathBuf> {
    let cgroups = fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = cgroups.lines().find_map(|l| {
        let i = l.find(key)?;
        (i == 0 || l.as_bytes()[i - 1] == b':').then(|| l[i + key.len()..].to_string())
    })?;
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").ok()?;
    mountinfo.lines().find_map(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        let dash = f.iter().position(|&x| x == "-")?;
        let (fs_type, opts) = (f.get(dash + 1)?, f.get(dash + 3)?);
        if *fs_type != fstype || !(option.is_empty() || opts.split(',').any(|o| o == option)) {
            return None;
        }
        let rel = path.strip_prefix(f[3]).unwrap_or(&path).trim_start_matches('/');
        Some(Path::new(f[4]).join(rel))
    })
}

/// The hierarchies of this host: cgroup2, and name=systemd where mounted.
pub fn hierarchies() -> Vec<PathBuf> {
    [("0::", "cgroup2", ""), ("name=systemd:", "cgroup", "name=systemd")]
        .iter()
        .filter_map(|(k, t, o)| own_cgroup(k, t, o))
        .collect()
}

/// Makes `cg` owned by uid:gid with the files a delegated cgroup's owner
/// needs; false when it cannot be made.
fn make_delegated(cg: &Path, uid: u32, gid: u32) -> bool {
    if fs::create_dir(cg).is_err() && !cg.is_dir() {
        return false;
    }
    let _ = chown(cg, Some(uid), Some(gid));
    for file in ["cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "tasks"] {
        let _ = chown(cg.join(file), Some(uid), Some(gid));
    }
    true
}

/// The parents made by `delegate` in this test process, removed at its exit.
static PARENTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

extern "C" fn remove_parents() {
    if let Ok(parents) = PARENTS.lock() {
        for parent in parents.iter() {
            remove(parent);
        }
    }
}

extern "C" {
    fn atexit(f: extern "C" fn()) -> i32;
}

/// Makes a cgroup owned by uid:gid in every hierarchy, listed in `dir` for
/// removal; returns their paths. As in a systemd user session, whose
/// delegated user@UID.service holds everything the user runs, every run of
/// one uid gets its cgroup below one parent the uid owns, so a process of
/// one run may join a cgroup of another (inject into a container: in
/// cgroup v2 the common ancestor's cgroup.procs must be the writer's).
pub fn delegate(dir: &TempDir, uid: u32, gid: u32) -> Vec<String> {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let mut made = Vec::new();
    for hierarchy in hierarchies() {
        let parent = hierarchy.join(format!("ucontain-test-{}-uid{uid}", std::process::id()));
        {
            let mut parents = PARENTS.lock().unwrap();
            if !parents.contains(&parent) {
                if parents.is_empty() {
                    // SAFETY: atexit(3) with a function that takes nothing.
                    unsafe { atexit(remove_parents) };
                }
                parents.push(parent.clone());
            }
        }
        let cg = parent.join(format!("run-{n}"));
        if !make_delegated(&parent, uid, gid) || !make_delegated(&cg, uid, gid) {
            continue;
        }
        made.push(cg.to_string_lossy().into_owned());
    }
    let _ = fs::write(dir.join(LIST), made.join("\n"));
    made
}

/// Removes the cgroup `dir` and every cgroup below it, deepest first. Its
/// processes must be gone (a cgroup with processes cannot be removed).
pub fn remove(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove(&e.path());
            }
        }
    }
    for _ in 0..100 {
        if fs::remove_dir(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

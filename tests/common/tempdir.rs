//! Temporary directories under /tmp, and file modes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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
        fs::write(&path, contents).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        set_mode(&path, mode);
        path
    }

    /// Make a directory (parents created, mode exactly `mode`).
    pub fn mkdir(&self, rel: &str, mode: u32) -> PathBuf {
        let path = self.join(rel);
        fs::create_dir_all(&path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        set_mode(&path, mode);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Cgroups made for a run (see cgroup::delegate) go with it.
        if let Ok(list) = fs::read_to_string(self.path.join(super::delegation::LIST)) {
            for dir in list.lines() {
                super::delegation::remove(Path::new(dir));
            }
        }
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

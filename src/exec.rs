//! Running CMD the way a shell does (SPEC §3): a name with `/` is used as
//! is, anything else is searched in PATH; not found is 127, found but not
//! executable is 126.

use crate::args::{looks_like_option, Opt};
use crate::out::{fail, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::sys::{self, CStrArray, CStrList, Errno, Stat};
use crate::text::{for_each_path_dir, has_byte};
use core::ffi::CStr;

/// The environment entry of the default PATH (a container's init gets it),
/// and the default PATH itself: one string in the binary, not two.
pub const DEFAULT_PATH_VAR: &CStr = c"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
pub const DEFAULT_PATH: &[u8] = DEFAULT_PATH_VAR.to_bytes().split_at(b"PATH=".len()).1;
pub const NOT_FOUND: i32 = 127;
pub const NOT_EXECUTABLE: i32 = 126;

/// The PATH a command will be searched in: the environment's, or the default.
pub fn search_path<'a>(env: CStrList<'a>) -> &'a [u8] {
    env.var(b"PATH").unwrap_or(DEFAULT_PATH)
}

/// Executes argv[0] with `argv` and `env`, searching `path` as
/// `find_program` does; an empty `argv` runs `/bin/sh` (the default CMD of
/// contain, inject and pseudo, as the original containers tool had).
/// Returns only on failure, with the exit status after the message
/// `NAME: CMD: error`.
/// An applet's options and what they come before (`DIR`, `PID`): when CMD
/// is not found and looks like one of them, the message says where it
/// belongs (SPEC §3).
pub struct OptionsBefore<'a> {
    pub options: &'a [Opt],
    pub before: &'a [u8],
}

pub fn exec_command(argv: CStrList, env: CStrList, path: &[u8], misplaced: Option<&OptionsBefore>) -> i32 {
    let mut shell = CStrArray::<2>::new();
    shell.push(c"/bin/sh");
    let argv = if argv.is_empty() { shell.list() } else { argv };
    let Some(cmd) = argv.get(0) else { return EXIT_FAILURE };
    let mut file = PathBuf::new();
    let e = match find_program(cmd, path, &mut file) {
        Ok(_) => sys::execve(file.as_cstr().unwrap_or(cmd), argv, env),
        Err(e) => e,
    };
    match misplaced {
        Some(m) if e == Errno::ENOENT && looks_like_option(m.options, cmd.to_bytes()) => {
            let mut line = Line::message();
            line.add(cmd.to_bytes()).add(b": ").errno(e).add(b" (options come before ").add(m.before).add(b")");
            line.send();
            NOT_FOUND
        }
        _ => not_run(cmd, e),
    }
}

/// A new, empty session keyring for a program about to run inside a
/// container (SPEC §3 Keys): no key of the caller's session (Kerberos
/// caches, fscrypt and cifs keys) is reachable from it, and nothing it
/// adds reaches the caller's session. A kernel without keys (ENOSYS: no
/// CONFIG_KEYS, or qemu-user) has no keyring to leak. Err is the exit
/// status after the message.
pub fn new_session_keyring() -> Result<(), i32> {
    match sys::join_new_session_keyring() {
        Ok(_) | Err(Errno::ENOSYS) => Ok(()),
        Err(e) => Err(crate::out::fail(b"cannot create session keyring", b"", e)),
    }
}

/// `NAME: CMD: error` for a command that did not run; the shell's exit
/// status for it: 127 not found, 126 found but not executable.
pub fn not_run(cmd: &CStr, e: Errno) -> i32 {
    fail(cmd.to_bytes(), b"", e);
    if e == Errno::ENOENT {
        NOT_FOUND
    } else {
        NOT_EXECUTABLE
    }
}

/// Finds the program `cmd` names without executing it: the first regular,
/// executable file in `path` (as `command -v` does). Err(ENOENT) when there
/// is none, Err(EACCES) when one exists but cannot be executed.
pub fn find_program(cmd: &CStr, path: &[u8], found: &mut PathBuf) -> Result<Stat, Errno> {
    let name = cmd.to_bytes();
    if name.is_empty() {
        return Err(Errno::ENOENT);
    }
    if has_byte(name, b'/') {
        let file = found.join(b"", name).ok_or(Errno::ENAMETOOLONG)?;
        return executable(file);
    }
    let mut result = Err(Errno::ENOENT);
    let mut candidate = PathBuf::new();
    for_each_path_dir(path, &mut |dir| {
        let Some(file) = candidate.join(dir, name) else { return false };
        match executable(file) {
            Ok(st) => {
                result = Ok(st);
                return true;
            }
            Err(Errno::EACCES) => result = Err(Errno::EACCES),
            Err(_) => {}
        }
        false
    });
    if let Ok(st) = result {
        let dir_and_name = candidate.as_cstr().map(|c| c.to_bytes()).unwrap_or(b"");
        found.join(b"", dir_and_name);
        return Ok(st);
    }
    result
}

fn executable(file: &CStr) -> Result<Stat, Errno> {
    // A file that cannot even be looked up (an unsearchable directory on
    // the way) is not found, as a shell says, not "not executable".
    let st = sys::stat(file).map_err(|_| Errno::ENOENT)?;
    if !st.is_reg() {
        return Err(Errno::EACCES);
    }
    sys::access(file, sys::X_OK)?;
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_paths() {
        let mut path = PathBuf::new();
        assert_eq!(path.join(b"/usr/bin", b"true"), Some(c"/usr/bin/true"));
        assert_eq!(path.join(b"/usr/bin/", b"true"), Some(c"/usr/bin/true"));
        assert_eq!(path.join(b"", b"./true"), Some(c"./true"));
        assert_eq!(path.join(b".", b"true"), Some(c"./true"));
        let long = [b'a'; 4095];
        assert!(path.join(b"/", &long).is_none());
        assert_eq!(path.join(b"", &long[..4095]).map(|c| c.to_bytes().len()), Some(4095));
    }

    /// PATH is searched in order: the first regular executable file wins;
    /// a directory or a file without x on the way is passed over, and
    /// makes "not executable" (EACCES) only when nothing else is found.
    #[test]
    fn path_search_order() {
        use std::os::unix::fs::PermissionsExt;
        let top = std::env::temp_dir().join(format!("ucontain-path-{}", std::process::id()));
        let dir = |name: &str| {
            let d = top.join(name);
            std::fs::create_dir_all(&d).unwrap();
            d
        };
        let file = |d: &std::path::Path, mode: u32| {
            let f = d.join("prog");
            std::fs::write(&f, "").unwrap();
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        let (noexec, subdir, first, second) = (dir("noexec"), dir("subdir"), dir("first"), dir("second"));
        file(&noexec, 0o644);
        std::fs::create_dir_all(subdir.join("prog")).unwrap();
        file(&first, 0o755);
        file(&second, 0o755);
        let join = |dirs: &[&std::path::Path]| {
            dirs.iter().map(|d| d.to_str().unwrap()).collect::<Vec<_>>().join(":").into_bytes()
        };
        let find = |path: &[u8]| {
            let mut found = PathBuf::new();
            find_program(c"prog", path, &mut found).map(|_| found.as_cstr().unwrap().to_bytes().to_vec())
        };
        let prog = |d: &std::path::Path| d.join("prog").to_str().unwrap().as_bytes().to_vec();
        let missing = top.join("missing");
        assert_eq!(find(&join(&[&missing, &noexec, &subdir, &first, &second])), Ok(prog(&first)));
        assert_eq!(find(&join(&[&second, &first])), Ok(prog(&second)));
        assert_eq!(find(&join(&[&noexec, &subdir])), Err(Errno::EACCES));
        assert_eq!(find(&join(&[&missing])), Err(Errno::ENOENT));
        std::fs::remove_dir_all(&top).unwrap();
    }

    #[test]
    fn search_path_defaults() {
        let mut env = sys::CStrArray::<4>::new();
        env.push(c"HOME=/root");
        assert_eq!(search_path(env.list()), b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.push(c"PATHX=/nope");
        env.push(c"PATH=/opt/bin");
        assert_eq!(search_path(env.list()), b"/opt/bin");
    }
}

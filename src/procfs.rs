//! Readers of the kernel's /proc files (proc(5)): a process's status,
//! start time, cgroups and children, our mounts and identity maps.

use crate::ids::{self, MapLine};
use crate::ns::each_line;
use crate::path::PathBuf;
use crate::sys::{self, O_RDONLY};
use crate::text::{decimal, parse_pid};
use core::ffi::CStr;

/// The time `pid` started, in clock ticks after boot (field 22 of
/// /proc/PID/stat): with the pid, what names a process for good, since a
/// pid is reused once its process is gone. None when there is no such
/// process.
pub fn start_time(pid: i32) -> Option<u64> {
    let file = sys::open(PathBuf::new().proc_path(pid, b"/stat", &[]), sys::O_RDONLY).ok()?;
    let mut stat = [0u8; 1024];
    let len = sys::read_full(&file, &mut stat).ok()?;
    let stat = stat.get(..len)?;
    // The command's name (field 2) is in parentheses and may hold spaces
    // and parentheses itself: the fields that follow come after the last ')'.
    let after_name = stat.iter().rposition(|&b| b == b')')? + 1;
    let field = stat[after_name..].split(|&b| b == b' ').filter(|f| !f.is_empty()).nth(22 - 3)?;
    crate::text::parse_u64(field)
}

/// Whether `pid` is the process that started at `start` (its clock ticks).
pub fn is_same_process(pid: i32, start: u64) -> bool {
    pid > 0 && start_time(pid) == Some(start)
}

/// /proc/PID/status (proc(5)) in `buf`; empty when it cannot be read.
pub fn status(pid: i32, buf: &mut [u8]) -> &[u8] {
    let Ok(file) = sys::open(PathBuf::new().proc_path(pid, b"/status", &[]), sys::O_RDONLY) else { return b"" };
    let len = sys::read_full(&file, buf).unwrap_or(0);
    &buf[..len]
}

/// The value of the line `name` (`NoNewPrivs:`) of a status text, without
/// the blanks after the name.
pub fn field<'s>(status: &'s [u8], name: &[u8]) -> Option<&'s [u8]> {
    let line = status.split(|&b| b == b'\n').find(|line| line.starts_with(name))?;
    let value = &line[name.len()..];
    let start = value.iter().position(|&b| b != b'\t' && b != b' ')?;
    Some(&value[start..])
}

/// The real uid of `pid` (the first of the `Uid:` line of its status).
pub fn uid(pid: i32) -> Option<u32> {
    let mut buf = [0u8; 2048];
    let uids = field(status(pid, &mut buf), b"Uid:")?;
    let real = uids.split(|&b| b == b'\t' || b == b' ').next()?;
    crate::text::parse_u32(real)
}

/// The running kernel's release (`6.1.0-28-amd64`), from
/// /proc/sys/kernel/osrelease; empty when it cannot be read.
pub fn kernel_release(buf: &mut [u8; 65]) -> &[u8] {
    let read = sys::open(c"/proc/sys/kernel/osrelease", sys::O_RDONLY).and_then(|file| sys::read_full(&file, buf));
    let len = read.unwrap_or(0);
    let text = &buf[..len];
    text.strip_suffix(b"\n").unwrap_or(text)
}

/// From /proc/PID/status content, the hex mask of the field `name` (`SigCgt:`, `SigBlk:`, `CapBnd:`); None
/// when absent or malformed. Any number of hex digits is taken as long as the value fits 64 bits.
pub fn mask(status: &[u8], name: &[u8]) -> Option<u64> {
    let hex = status.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(name))?.trim_ascii();
    if hex.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in hex {
        let d = (b as char).to_digit(16)?;
        v = v.checked_mul(16)?.checked_add(d as u64)?;
    }
    Some(v)
}

/// The fields of a /proc/self/mountinfo line that ucontain reads
/// (proc_pid_mountinfo(5)); the mount point is still octal-escaped.
pub struct MountInfo<'a> {
    pub root: &'a [u8],
    pub point: &'a [u8],
    pub options: &'a [u8],
    pub fstype: &'a [u8],
    pub super_options: &'a [u8],
}

/// Calls `f` for each line of /proc/self/mountinfo until it returns true.
pub fn each_mount(f: &mut dyn FnMut(&MountInfo) -> bool) -> bool {
    each_line(c"/proc/self/mountinfo", &mut |line| {
        let mut m = MountInfo { root: b"", point: b"", options: b"", fstype: b"", super_options: b"" };
        // The optional fields after the options end with a lone `-`.
        let mut dash = usize::MAX;
        for (i, field) in line.split(|&b| b == b' ').enumerate() {
            match i {
                3 => m.root = field,
                4 => m.point = field,
                5 => m.options = field,
                _ if i == dash.wrapping_add(1) => m.fstype = field,
                _ if i == dash.wrapping_add(3) => m.super_options = field,
                _ if i > 5 && field == b"-" && dash == usize::MAX => dash = i,
                _ => {}
            }
        }
        f(&m)
    })
}

/// The current namespace's map, as /proc/self/uid_map (or gid_map) says.
pub fn own_id_map(path: &CStr) -> heapless::Vec<MapLine, 16> {
    let mut text = [0u8; 4096];
    let len = match sys::open(path, O_RDONLY) {
        Ok(file) => sys::read_full(&file, &mut text).unwrap_or(0),
        Err(_) => 0,
    };
    ids::parse_proc_map(&text[..len])
}

/// Calls `f` with each line of /proc/PID/cgroup (PID 0: our own) until
/// it returns true.
pub fn each_cgroup(pid: i32, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    each_line(PathBuf::new().proc_path(pid, b"/cgroup", &[]), f)
}

/// The first child of `pid` (/proc/PID/task/PID/children, Linux 3.5).
pub fn first_child(pid: i32) -> Option<i32> {
    let mut pid_text = [0; 20];
    let pid_text = decimal(pid as u64, &mut pid_text);
    let file = sys::open(PathBuf::new().proc_path(pid, b"/task/{}/children", &[pid_text]), sys::O_RDONLY).ok()?;
    let mut children = [0u8; 24];
    let len = sys::read_full(&file, &mut children).ok()?;
    children.get(..len)?.split(|&b| b == b' ').next().and_then(parse_pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &[u8] = b"Name:\tsystemd\n\
Umask:\t0000\n\
State:\tS (sleeping)\n\
Tgid:\t1\n\
Pid:\t1\n\
PPid:\t0\n\
Uid:\t0\t0\t0\t0\n\
ShdPnd:\t0000000000000000\n\
SigBlk:\t7fefc1fe28014a03\n\
SigIgn:\t0000000000001000\n\
SigCgt:\t0000000180004a03\n\
CapInh:\t0000000000000000\n\
Seccomp:\t0\n";

    #[test]
    fn sigcgt() {
        let caught = mask(STATUS, b"SigCgt:").unwrap();
        assert_eq!(caught, 0x1_8000_4a03);
        // signal n is bit n-1: SIGHUP 1, SIGINT 2, SIGTERM 15 caught; SIGQUIT 3, SIGKILL 9 not
        assert_ne!(caught & (1 << 0), 0);
        assert_ne!(caught & (1 << 1), 0);
        assert_ne!(caught & (1 << 14), 0);
        assert_eq!(caught & (1 << 2), 0);
        assert_eq!(caught & (1 << 8), 0);
        assert_eq!(mask(b"SigCgt:\tFFFFFFFFFFFFFFFF\n", b"SigCgt:"), Some(u64::MAX));
        assert_eq!(mask(b"SigCgt:\tfffffffe7ffbfeff", b"SigCgt:"), Some(0xfffffffe7ffbfeff));
        assert_eq!(mask(b"SigCgt:\t0000000000004002\r\n", b"SigCgt:"), Some(0x4002));
        assert_eq!(mask(b"SigCgt:\t000000000000000000000000000000a0\n", b"SigCgt:"), Some(0xa0));
        assert_eq!(mask(b"SigIgn:\t1\nSigCgt:\t2\nSigCgt:\t3\n", b"SigCgt:"), Some(2));
        assert_eq!(mask(b"SigCgt:\t2\nSigBlk:\tfffffffe7ffbfeff\n", b"SigBlk:"), Some(0xfffffffe7ffbfeff));
        for bad in [
            &b""[..],
            b"SigIgn:\t0000000000001000\n",
            b"SigCgt:\n",
            b"SigCgt:\t\n",
            b"SigCgt:\tzz\n",
            b"SigCgt:\t00000000 00004ec\n",
            b"SigCgt:\t10000000000000000\n",
            b"SigCgt:\t-1\n",
            b"XSigCgt:\t1\n",
            b" SigCgt:\t1\n",
            b"sigcgt:\t1\n",
            b"SigCgt\t1\n",
        ] {
            assert_eq!(mask(bad, b"SigCgt:"), None, "{:?}", std::str::from_utf8(bad));
        }
    }
}

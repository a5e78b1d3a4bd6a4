//! Readers of the kernel's /proc files about a process (proc(5)).

use crate::path::PathBuf;
use crate::sys;

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

//! list [-q]: the running containers of the caller's state directory
//! (SPEC §5.7), one line each under a header; root also lists every other
//! user's that it finds. Stale records are removed as they are read.

use crate::args::{index, parse, Opt, Parsed};
use crate::path::PathBuf;
use crate::state::{Record, StateDir};
use crate::sys::{self, CStrList, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, STDOUT};
use crate::text::{decimal, parse_u32, parse_u64};

pub const USAGE: &[u8] = b"Usage: list [-q]
  -q  --quiet  the ids only
";

const OPTIONS: [Opt; 1] = [Opt::flag(b'q', b"quiet")];
const QUIET: usize = index(&OPTIONS, b"quiet");

/// The columns after ID, each as wide as its header (the widest value
/// fits: a pid has at most 7 digits, PID_MAX_LIMIT 4194304), then DIR.
const HEADER: &[u8] = b"SUPERVISOR  INIT     UP       APPLET   DIR\n";
const PID_WIDTH: usize = b"SUPERVISOR  ".len();
const INIT_WIDTH: usize = b"INIT     ".len();
const UP_WIDTH: usize = b"UP       ".len();
const APPLET_WIDTH: usize = b"APPLET   ".len();

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let Parsed { given, .. } = match parse::<0>(args, USAGE, &OPTIONS, 0, &mut |_, _| Err(())) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    // A reader makes no state directory: without one, nothing runs.
    let own = StateDir::existing(env);
    let quiet = given.has(QUIET);
    let now = uptime_ticks();
    // A first pass for the width of the ID column.
    let mut id_width = b"ID".len();
    each_state_dir(own.as_ref(), &mut |state| state.each_running(&mut |_, r| id_width = id_width.max(r.id.len())));
    let mut line = LineBuf::new();
    if !quiet {
        line.padded(b"ID", id_width + 2).put(HEADER);
        line.flush();
    }
    each_state_dir(own.as_ref(), &mut |state| {
        state.each_running(&mut |_, r| {
            if quiet {
                line.put(r.id).put(b"\n");
            } else {
                show(&mut line, r, id_width, now);
            }
            line.flush();
        })
    });
    0
}

/// One container's line.
fn show(line: &mut LineBuf, r: &Record, id_width: usize, now: Option<u64>) {
    let mut number = [0; 20];
    line.padded(r.id, id_width + 2);
    line.padded(decimal(r.supervisor as u64, &mut number), PID_WIDTH);
    line.padded(decimal(r.init as u64, &mut number), INIT_WIDTH);
    let mut up = [0; 24];
    let up = match now {
        Some(now) => running_for(now.saturating_sub(r.init_start) / CLOCK_TICKS, &mut up),
        None => b"?",
    };
    line.padded(up, UP_WIDTH).padded(r.applet, APPLET_WIDTH);
    // A DIR may hold any byte but NUL: a control character (a newline)
    // would break the one line, so it shows as `?`, as ls(1) shows it.
    for &b in r.dir {
        line.put(if b < b' ' || b == 0x7f { b"?" } else { core::slice::from_ref(&b) });
    }
    line.put(b"\n");
}

/// The kernel's clock ticks per second, in which /proc/PID/stat gives a
/// start time: USER_HZ, which is 100 on every Linux architecture
/// (sysconf(_SC_CLK_TCK) returns it; time(7)), whatever the kernel's HZ.
const CLOCK_TICKS: u64 = 100;

/// The time since boot in clock ticks (/proc/uptime's first field,
/// seconds with two decimals); None when /proc cannot tell.
fn uptime_ticks() -> Option<u64> {
    let file = sys::open(c"/proc/uptime", O_RDONLY).ok()?;
    let mut text = [0u8; 64];
    let len = sys::read_full(&file, &mut text).ok()?;
    let first = text[..len].split(|&b| b == b' ').next()?;
    let (seconds, hundredths) = first.split_at(first.iter().position(|&b| b == b'.')?);
    Some(parse_u64(seconds)? * CLOCK_TICKS + parse_u64(hundredths.get(1..3)?)?)
}

/// `seconds` as `42s`, `5m07s` or `1h02m`.
fn running_for(seconds: u64, buf: &mut [u8; 24]) -> &[u8] {
    let (big, small, units): (u64, u64, &[u8; 2]) = match seconds {
        0..60 => (seconds, 0, b"s "),
        60..3600 => (seconds / 60, seconds % 60, b"ms"),
        _ => (seconds / 3600, seconds / 60 % 60, b"hm"),
    };
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        buf[len..len + bytes.len()].copy_from_slice(bytes);
        len += bytes.len();
    };
    put(decimal(big, &mut [0; 20]));
    put(&units[..1]);
    if seconds >= 60 {
        put(&[b'0' + (small / 10) as u8, b'0' + (small % 10) as u8, units[1]]);
    }
    &buf[..len]
}

/// Calls `f` with the caller's state directory and, for root, every other
/// user's it finds (SPEC §3: `/run/user/UID/ucontain`, `/tmp/ucontain-UID`),
/// each only when it belongs to the user its path names: a directory
/// someone else made in /tmp under another user's name is not that user's.
fn each_state_dir(own: Option<&StateDir>, f: &mut dyn FnMut(&StateDir)) {
    if let Some(own) = own {
        f(own);
    }
    if sys::getuid() != 0 {
        return;
    }
    for (parent, prefix, tail) in [(c"/run/user", &b""[..], &b"/ucontain"[..]), (c"/tmp", b"ucontain-", b"")] {
        let Ok(dir) = sys::open(parent, O_RDONLY | O_DIRECTORY) else { continue };
        let _ = sys::each_entry(&dir, &mut |name, _| {
            let Some(uid) = name.to_bytes().strip_prefix(prefix).and_then(parse_u32) else { return };
            let mut path = PathBuf::new();
            let Some(path) = path.concat(&[parent.to_bytes(), b"/", name.to_bytes(), tail]) else { return };
            let Ok(dir) = sys::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) else { return };
            if sys::fstat(&dir).is_ok_and(|st| st.uid == uid) && uid != 0 {
                f(&StateDir { dir });
            }
        });
    }
}

/// A line of output, written whole.
struct LineBuf {
    buf: heapless::Vec<u8, 4608>,
}

impl LineBuf {
    fn new() -> LineBuf {
        LineBuf { buf: heapless::Vec::new() }
    }

    fn put(&mut self, bytes: &[u8]) -> &mut LineBuf {
        let room = self.buf.capacity() - self.buf.len();
        let _ = self.buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
        self
    }

    /// `bytes`, then blanks up to `width` (at least one).
    fn padded(&mut self, bytes: &[u8], width: usize) -> &mut LineBuf {
        self.put(bytes);
        for _ in bytes.len()..width.max(bytes.len() + 1) {
            self.put(b" ");
        }
        self
    }

    fn flush(&mut self) {
        let _ = sys::write_all(&STDOUT, &self.buf);
        self.buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_times() {
        let shown = |s| String::from_utf8(running_for(s, &mut [0; 24]).to_vec()).unwrap();
        assert_eq!(shown(0), "0s");
        assert_eq!(shown(59), "59s");
        assert_eq!(shown(60), "1m00s");
        assert_eq!(shown(307), "5m07s");
        assert_eq!(shown(3599), "59m59s");
        assert_eq!(shown(3600 + 120 + 59), "1h02m");
        assert_eq!(shown(100 * 3600), "100h00m");
        assert!(shown(u64::MAX).starts_with("5124095576030431h"));
    }
}

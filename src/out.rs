//! Messages without `core::fmt` (which costs kilobytes): one line built by
//! appending bytes into a fixed buffer, `NAME: what failed: strerror`.
//! Every message goes to standard error; the OCI runtime's `--log FILE`
//! sends each to FILE too, as text or as runc's JSON lines (`log_to`).

use crate::sys::{write_all, Errno, STDERR};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub const EXIT_FAILURE: i32 = 1;
/// sysexits.h's EX_USAGE (not a kernel number: linux-raw-sys has none).
pub const EXIT_USAGE: i32 = 64;

/// An exit status after the message that said what failed.
pub type Failed = i32;

/// One message line in a fixed buffer; what does not fit is cut off.
pub struct Line {
    buf: [u8; 512],
    len: usize,
}

impl Line {
    #[inline(never)]
    pub fn new() -> Line {
        Line { buf: [0; 512], len: 0 }
    }
    /// A new line that starts `NAME: `, for a message of the running applet.
    #[inline(never)]
    pub fn message() -> Line {
        let mut line = Line::new();
        line.add(applet_name()).add(b": ");
        line
    }
    pub fn add(&mut self, bytes: &[u8]) -> &mut Line {
        for &b in bytes {
            if self.len + 1 < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        self
    }
    pub fn num(&mut self, n: u64) -> &mut Line {
        self.add(crate::text::decimal(n, &mut [0; 20]))
    }
    pub fn errno(&mut self, e: Errno) -> &mut Line {
        match strerror(e) {
            Some(text) => self.add(text),
            None => self.add(b"Unknown error ").num(e.0 as u64),
        }
    }
    pub fn text(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    /// Appends `template`, each `{}` of it replaced by the next of `values`.
    pub fn fill(&mut self, template: &[u8], values: &[&[u8]]) -> &mut Line {
        crate::text::fill_template(template, values, &mut |part| {
            self.add(part);
        });
        self
    }
    /// Writes the line, with its newline, to standard error (and to the
    /// log, where one is set).
    pub fn send(&mut self) {
        self.buf[self.len] = b'\n';
        let _ = write_all(&STDERR, &self.buf[..self.len + 1]);
        #[cfg(feature = "oci")]
        log::send(&self.buf[..self.len + 1]);
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "oci")]
pub use log::log_to;

/// The log file of the OCI runtime's `--log FILE --log-format text|json`.
#[cfg(feature = "oci")]
mod log {
    use crate::json::escape;
    use crate::sys::{self, Fd};
    use crate::text::rfc3339;
    use core::sync::atomic::{AtomicBool, AtomicI32, Ordering::Relaxed};

    /// The log's descriptor (-1: none), and whether its lines are JSON.
    static LOG: AtomicI32 = AtomicI32::new(-1);
    static JSON: AtomicBool = AtomicBool::new(false);

    /// Every message from now on goes to `file` too: as the line itself,
    /// or with `json` as runc writes its log, one object a line,
    /// `{"level":"error","msg":"...","time":"RFC 3339"}`, the message
    /// without the applet's name (containerd's shim shows the last one).
    pub fn log_to(file: Fd, json: bool) {
        JSON.store(json, Relaxed);
        LOG.store(file.leak(), Relaxed);
    }

    /// `line` (`NAME: message\n`) to the log, if there is one.
    pub(super) fn send(line: &[u8]) {
        let fd = LOG.load(Relaxed);
        if fd < 0 {
            return;
        }
        if !JSON.load(Relaxed) {
            let _ = sys::write_all_raw(fd, line);
            return;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let msg = crate::text::after(text, super::applet_name()).and_then(|t| t.strip_prefix(b": ")).unwrap_or(text);
        let level: &[u8] = if msg.starts_with(b"warning: ") { b"warning" } else { b"error" };
        // Room for every byte escaped as \u00XX.
        let mut out = heapless::Vec::<u8, { 512 * 6 + 128 }>::new();
        let mut put = |part: &[u8]| {
            let _ = out.extend_from_slice(part);
        };
        put(b"{\"level\":\"");
        put(level);
        put(b"\",\"msg\":\"");
        escape(msg, &mut put);
        put(b"\",\"time\":\"");
        let (secs, nanos) = sys::wall_clock();
        put(rfc3339(secs, nanos, &mut [0; 40]));
        put(b"\"}\n");
        let _ = sys::write_all_raw(fd, &out);
    }
}

/// The running applet, as an index into `crate::APPLETS` (one past the
/// end for `ucontain` itself): set once at dispatch, so messages name it.
static RUNNING: AtomicUsize = AtomicUsize::new(usize::MAX);

pub fn set_applet(index: usize) {
    RUNNING.store(index, Relaxed);
}

pub fn applet_name() -> &'static [u8] {
    crate::APPLETS.get(RUNNING.load(Relaxed)).map_or(b"ucontain", |applet| applet.0.to_bytes())
}

/// `NAME: PREFIX` then `template`, each `{}` of it replaced by the next of
/// `values`.
fn message_of(prefix: &[u8], template: &[u8], values: &[&[u8]]) -> Line {
    let mut line = Line::message();
    line.add(prefix).fill(template, values);
    line
}

/// `NAME: TEMPLATE` on standard error, with `values` for its `{}`s.
pub fn say(template: &[u8], values: &[&[u8]]) {
    message_of(b"", template, values).send();
}

/// `NAME: WHAT OBJECT: strerror` on standard error; returns exit status 1.
pub fn fail(what: &[u8], object: &[u8], e: Errno) -> i32 {
    failure(b"", b"{}{}", &[what, object], e)
}

/// `NAME: TEMPLATE: strerror` on standard error, with `values` for the
/// `{}`s of the template; returns exit status 1.
pub fn fail_with(template: &[u8], values: &[&[u8]], e: Errno) -> i32 {
    failure(b"", template, values, e)
}

fn failure(prefix: &[u8], template: &[u8], values: &[&[u8]], e: Errno) -> i32 {
    message_of(prefix, template, values).add(b": ").errno(e).send();
    EXIT_FAILURE
}

/// The usage text on standard error; returns exit status 64.
#[inline(never)]
pub fn usage(text: &[u8]) -> i32 {
    let _ = write_all(&STDERR, text);
    EXIT_USAGE
}

/// The C library's texts for the error numbers a container tool meets
/// (others print as `Unknown error N`):
/// each text follows a byte that is its number plus 0x80.
const ERRNO_TEXTS: &[u8] = b"\
\x81Operation not permitted\
\x82No such file or directory\
\x83No such process\
\x84Interrupted system call\
\x85Input/output error\
\x87Argument list too long\
\x88Exec format error\
\x89Bad file descriptor\
\x8bResource temporarily unavailable\
\x8cCannot allocate memory\
\x8dPermission denied\
\x90Device or resource busy\
\x91File exists\
\x92Invalid cross-device link\
\x93No such device\
\x94Not a directory\
\x95Is a directory\
\x96Invalid argument\
\x97Too many open files in system\
\x98Too many open files\
\x99Inappropriate ioctl for device\
\x9aText file busy\
\x9bFile too large\
\x9cNo space left on device\
\x9eRead-only file system\
\xa0Broken pipe\
\xa4File name too long\
\xa6Function not implemented\
\xa7Directory not empty\
\xa8Too many levels of symbolic links\
\xdfOperation not supported\
";

pub fn strerror(e: Errno) -> Option<&'static [u8]> {
    let mut rest = ERRNO_TEXTS;
    while let [number, tail @ ..] = rest {
        let end = tail.iter().position(|&b| b >= 0x80).unwrap_or(tail.len());
        if (*number & 0x7f) as u16 == e.0 {
            return Some(&tail[..end]);
        }
        rest = &tail[end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_texts_are_the_c_library_ones() {
        assert_eq!(strerror(Errno(1)), Some(&b"Operation not permitted"[..]));
        assert_eq!(strerror(Errno(2)), Some(&b"No such file or directory"[..]));
        assert_eq!(strerror(Errno(22)), Some(&b"Invalid argument"[..]));
        assert_eq!(strerror(Errno(32)), Some(&b"Broken pipe"[..]));
        assert_eq!(strerror(Errno(95)), Some(&b"Operation not supported"[..]));
        assert_eq!(strerror(Errno(15)), None);
        assert_eq!(strerror(Errno(200)), None);
    }

    #[test]
    fn templates_take_their_values_in_order() {
        let line = message_of(b"cannot ", b"link {}/{}", &[b"dir", b"name"]);
        assert!(line.text().ends_with(b": cannot link dir/name"));
        let line = message_of(b"", b"{}: unknown applet", &[b"x"]);
        assert!(line.text().ends_with(b": x: unknown applet"));
        let line = message_of(b"", b"{}{}", &[b"no process ", b"7"]);
        assert!(line.text().ends_with(b": no process 7"));
    }

    #[test]
    fn errno_decoding_edges() {
        assert_eq!(strerror(Errno(0)), None);
        assert_eq!(strerror(Errno(4095)), None);
    }

    #[test]
    fn line_numbers_and_unknown_errors() {
        let mut line = Line::new();
        line.num(0).add(b" ").num(4294967295).add(b" ").errno(Errno(133));
        assert_eq!(line.text(), b"0 4294967295 Unknown error 133");
    }
}

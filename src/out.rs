//! Messages without `core::fmt` (which costs kilobytes): one line built by
//! appending bytes into a fixed buffer, `NAME: what failed: strerror`.

use crate::sys::{write_all, CStrList, Errno};

pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_USAGE: i32 = 64;

/// One message line in a fixed buffer; what does not fit is cut off.
pub struct Line {
    buf: [u8; 512],
    len: usize,
}

impl Line {
    pub fn new() -> Line {
        Line { buf: [0; 512], len: 0 }
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
    pub fn num(&mut self, mut n: u64) -> &mut Line {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.add(&digits[i..])
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
    /// Writes the line, with its newline, to standard error.
    pub fn send(&mut self) {
        self.buf[self.len] = b'\n';
        let _ = write_all(2, &self.buf[..self.len + 1]);
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

/// `NAME: PARTS...` on standard error.
pub fn say(name: &[u8], parts: &[&[u8]]) {
    let mut line = Line::new();
    line.add(name).add(b": ");
    for part in parts {
        line.add(part);
    }
    line.send();
}

/// `NAME: PARTS...: strerror` on standard error; returns exit status 1.
pub fn fail(name: &[u8], parts: &[&[u8]], e: Errno) -> i32 {
    let mut line = Line::new();
    line.add(name).add(b": ");
    for part in parts {
        line.add(part);
    }
    line.add(b": ").errno(e).send();
    EXIT_FAILURE
}

/// The usage text on standard error; returns exit status 64.
pub fn usage(text: &[u8]) -> i32 {
    let _ = write_all(2, text);
    EXIT_USAGE
}

/// The positional arguments of an applet that takes no options but
/// `--help` and `--`: Err(exit status) after printing usage when there are
/// fewer than `min` (or more than `max`) or an unknown option comes first.
pub fn positional<'a>(args: CStrList<'a>, usage_text: &[u8], min: usize, max: usize) -> Result<CStrList<'a>, i32> {
    let mut rest = args.skip(1);
    match rest.get(0).map(|a| a.to_bytes()) {
        Some(b"--help") => {
            let _ = write_all(1, usage_text);
            return Err(0);
        }
        Some(b"--") => rest = rest.skip(1),
        Some([b'-', _, ..]) => return Err(usage(usage_text)),
        _ => {}
    }
    if rest.len() < min || rest.len() > max {
        return Err(usage(usage_text));
    }
    Ok(rest)
}

/// The C library's texts for the error numbers a container tool meets.
pub fn strerror(e: Errno) -> Option<&'static [u8]> {
    Some(match e.0 {
        1 => b"Operation not permitted",
        2 => b"No such file or directory",
        3 => b"No such process",
        4 => b"Interrupted system call",
        5 => b"Input/output error",
        6 => b"No such device or address",
        7 => b"Argument list too long",
        8 => b"Exec format error",
        9 => b"Bad file descriptor",
        10 => b"No child processes",
        11 => b"Resource temporarily unavailable",
        12 => b"Cannot allocate memory",
        13 => b"Permission denied",
        14 => b"Bad address",
        16 => b"Device or resource busy",
        17 => b"File exists",
        18 => b"Invalid cross-device link",
        19 => b"No such device",
        20 => b"Not a directory",
        21 => b"Is a directory",
        22 => b"Invalid argument",
        23 => b"Too many open files in system",
        24 => b"Too many open files",
        25 => b"Inappropriate ioctl for device",
        26 => b"Text file busy",
        27 => b"File too large",
        28 => b"No space left on device",
        30 => b"Read-only file system",
        31 => b"Too many links",
        32 => b"Broken pipe",
        34 => b"Numerical result out of range",
        36 => b"File name too long",
        38 => b"Function not implemented",
        39 => b"Directory not empty",
        40 => b"Too many levels of symbolic links",
        87 => b"Too many users",
        95 => b"Operation not supported",
        _ => return None,
    })
}

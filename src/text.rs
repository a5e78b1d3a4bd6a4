//! Generic parsing of bytes: lines of a file read in blocks, whole
//! decimals, hex fields of /proc/PID/status, PATH lists (pure).

/// `a == b`, out of line: compared with a literal inline, the bytes are
/// tested one instruction each.
#[inline(never)]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a == b
}

/// `s` without `prefix`, when it starts with it; out of line, as `same`.
#[inline(never)]
pub fn after<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    s.strip_prefix(prefix)
}

/// Whether `s` holds `byte`; core's `contains` would bring a memchr of
/// its own, word by word.
#[inline(never)]
#[allow(clippy::manual_contains)] // that memchr is what this avoids
pub fn has_byte(s: &[u8], byte: u8) -> bool {
    s.iter().any(|&b| b == byte)
}

/// `n` in decimal, written at the end of `digits` (20 digits hold any u64).
pub fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

/// `template`, each `{}` of it replaced by the next of `values` (an empty
/// one when they run out), given to `out` in parts.
pub fn fill_template(template: &[u8], values: &[&[u8]], out: &mut dyn FnMut(&[u8])) {
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.windows(2).position(|w| w == b"{}") {
        out(&rest[..at]);
        out(values.next().copied().unwrap_or_default());
        rest = &rest[at + 2..];
    }
    out(rest);
}

/// Parse a whole decimal u32: digits only, non-empty, no sign, no overflow. Leading zeros ok.
pub fn parse_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(d as u32)?;
    }
    Some(v)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r'] => rest,
        _ => line,
    }
}

/// The index of the first '\n' in `s`, read a word (8 bytes) at a time:
/// after `x = word ^ 0x0a0a..`, `(x - 0x0101..) & !x & 0x8080..` has the top
/// bit of every zero byte of x set. Borrows only run towards higher bytes,
/// so the lowest bit set is always a real '\n' (Hacker's Delight, 6-1).
pub fn find_newline(s: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let newline_bytes = |word: &[u8]| {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * b'\n' as u64);
        x.wrapping_sub(ONES) & !x & (ONES << 7)
    };
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let found = newline_bytes(word);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    words.remainder().iter().position(|&b| b == b'\n').map(|i| at + i)
}

/// The bytes a line may start with to be handed to `f` by `for_each_line`
/// (a set of 256 bits). An empty line "starts" with its '\n'. A reader that
/// looks for one owner skips everyone else's lines without a call.
#[derive(Clone, Copy)]
pub struct FirstBytes([u64; 4]);

impl FirstBytes {
    pub const ANY: FirstBytes = FirstBytes([u64::MAX; 4]);
    /// '0' to '9' (0x30 to 0x39).
    pub const DIGITS: FirstBytes = FirstBytes([0x3ff << 0x30, 0, 0, 0]);

    /// The set with `b` added.
    pub fn and(mut self, b: u8) -> FirstBytes {
        if let Some(bits) = self.0.get_mut(b as usize / 64) {
            *bits |= 1 << (b % 64);
        }
        self
    }

    #[inline]
    fn has(&self, b: u8) -> bool {
        self.0.get(b as usize / 64).is_some_and(|bits| bits >> (b % 64) & 1 != 0)
    }
}

/// Streams lines from `read` (fills a buffer, returns bytes read, 0 at end or on error)
/// through the scratch `buf`; calls `f(line)` for each line that starts with a byte of
/// `first`, without its '\n' and without a trailing '\r'. A line that does not fit in buf
/// with room to spare (buf.len() bytes or more, '\r' included) is skipped entirely. The last
/// line may lack '\n'. Stops early and returns true as soon as `f` returns true; else false.
pub fn for_each_line(
    read: &mut dyn FnMut(&mut [u8]) -> usize,
    buf: &mut [u8],
    first: FirstBytes,
    f: &mut dyn FnMut(&[u8]) -> bool,
) -> bool {
    let mut len = 0; // bytes of an unfinished line at the front of buf
    let mut skip = false; // inside a line too long for buf: drop it up to its '\n'
    loop {
        if len == buf.len() {
            skip = true;
            len = 0;
        }
        let room = buf.len() - len;
        let n = read(buf.get_mut(len..).unwrap_or_default()).min(room);
        if n == 0 {
            let last = buf.get(..len).unwrap_or_default();
            return !skip && last.first().is_some_and(|&b| first.has(b)) && f(trim_cr(last));
        }
        let end = len + n;
        let block = buf.get(..end).unwrap_or_default();
        // Only the bytes just read can hold a '\n': the `len` before them did not.
        let (mut start, mut from) = (0, len);
        while let Some(i) = block.get(from..).and_then(find_newline) {
            let newline = from + i;
            let wanted = !skip && block.get(start).is_some_and(|&b| first.has(b));
            if wanted && f(trim_cr(block.get(start..newline).unwrap_or_default())) {
                return true;
            }
            skip = false;
            start = newline + 1;
            from = start;
        }
        // The unfinished line to the front.
        buf.copy_within(start..end, 0);
        len = end - start;
    }
}

/// A decimal number of at most 19 digits (so it cannot overflow).
pub fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0')))
}

/// Whole decimal process id > 0 fitting in i32, else None.
pub fn parse_pid(s: &[u8]) -> Option<i32> {
    i32::try_from(parse_u32(s)?).ok().filter(|&p| p > 0)
}

/// Split PATH ("a:b::c") into directories in order, calling f(dir) for each; an empty entry is
/// the current directory, given as ".". Stops early and returns true when f returns true.
pub fn for_each_path_dir(path: &[u8], f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    path.split(|&b| b == b':').any(|d| f(if d.is_empty() { b"." } else { d }))
}

/// What is wrong with `name` as a container's name (SPEC §5.5 `--name`), if
/// anything: it names a file of the state directory, so it is a plain file
/// name of letters, digits and `._-`, at most 64 bytes, and never `.` or
/// `..`.
pub fn name_problem(name: &[u8]) -> Option<&'static [u8]> {
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || has_byte(b"._-", *b);
    match name {
        [] => Some(b"empty"),
        _ if name.len() > 64 => Some(b"longer than 64 bytes"),
        _ if !name.iter().all(allowed) => Some(b"only letters, digits, '.', '_' and '-'"),
        b"." | b".." => Some(b"not . or .."),
        _ => None,
    }
}

/// The UTC time `secs` (and `nanos`) after the epoch in RFC 3339's form,
/// `2026-12-07T20:42:55.458884503Z`, as runc writes it, into `out`.
#[cfg(any(test, feature = "oci"))]
pub fn rfc3339(secs: u64, nanos: u32, out: &mut [u8; 40]) -> &[u8] {
    // Days to the civil date: Howard Hinnant's algorithm (proleptic
    // Gregorian, eras of 400 years).
    let days = secs / 86400;
    let z = days + 719468;
    let era = z / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as u64;
    let rest = secs % 86400;
    let fields = [
        (year, 4, b'-'),
        (month, 2, b'-'),
        (day, 2, b'T'),
        (rest / 3600, 2, b':'),
        (rest / 60 % 60, 2, b':'),
        (rest % 60, 2, b'.'),
        (u64::from(nanos), 9, b'Z'),
    ];
    let mut len = 0;
    for (n, width, sep) in fields {
        for i in 0..width {
            out[len + i] = b'0' + (n / 10u64.pow((width - 1 - i) as u32) % 10) as u8;
        }
        out[len + width] = sep;
        len += width + 1;
    }
    &out[..len]
}

/// HOST_NAME_MAX (limits.h): the longest hostname the kernel takes.
pub const HOST_NAME_MAX: usize = 64;

/// What is wrong with `name` as a hostname (`--hostname`, SPEC §5.5), if
/// anything: letters, digits, `-` and `.` (RFC 1123), at most
/// HOST_NAME_MAX bytes.
pub fn hostname_problem(name: &[u8]) -> Option<&'static [u8]> {
    match name {
        [] => Some(b"empty"),
        _ if name.len() > HOST_NAME_MAX => Some(b"longer than 64 bytes"),
        _ if !name.iter().all(|&b| is_hostname_byte(b)) => Some(b"only letters, digits, '.' and '-'"),
        _ => None,
    }
}

fn is_hostname_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// The default hostname made of `source` (the `--name`, or DIR's last
/// component): each byte a hostname may not hold becomes `-`, and it is
/// cut to HOST_NAME_MAX, so any name or directory gives one.
pub fn hostname_of<'b>(source: &[u8], buf: &'b mut [u8; HOST_NAME_MAX]) -> &'b [u8] {
    let len = source.len().min(HOST_NAME_MAX);
    for (to, &from) in buf.iter_mut().zip(&source[..len]) {
        *to = if is_hostname_byte(from) { from } else { b'-' };
    }
    &buf[..len]
}

#[cfg(test)]
pub mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        let mut buf = [0; 40];
        assert_eq!(rfc3339(0, 0, &mut buf), b"1970-01-01T00:00:00.000000000Z");
        assert_eq!(rfc3339(1796676174, 451596530, &mut buf), b"2026-12-07T20:42:54.451596530Z");
        assert_eq!(rfc3339(951782400, 1, &mut buf), b"2000-02-29T00:00:00.000000001Z");
    }
    use std::vec::Vec;

    #[test]
    fn hostnames() {
        assert_eq!(hostname_problem(b"web-1.example"), None);
        assert_eq!(hostname_problem(&[b'a'; 64]), None);
        assert_eq!(hostname_problem(&[b'a'; 65]), Some(&b"longer than 64 bytes"[..]));
        assert_eq!(hostname_problem(b""), Some(&b"empty"[..]));
        assert_eq!(hostname_problem(b"a_b"), Some(&b"only letters, digits, '.' and '-'"[..]));
        assert_eq!(hostname_problem(b"a b"), Some(&b"only letters, digits, '.' and '-'"[..]));
        let mut buf = [0; HOST_NAME_MAX];
        assert_eq!(hostname_of(b"my_root dir", &mut buf), b"my-root-dir");
        assert_eq!(hostname_of(&[b'x'; 100], &mut buf).len(), 64);
        assert_eq!(hostname_of(b"debian-12", &mut buf), b"debian-12");
    }

    /// Runs for_each_line over `text` with a buffer of `buf_len` bytes and reads that return
    /// `chunks[0]`, `chunks[1]`, ... bytes in turn (cycling); collects every line given to f.
    fn lines(text: &[u8], buf_len: usize, chunks: &[usize]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let stopped = scan(text, buf_len, chunks, &mut |l| {
            out.push(l.to_vec());
            false
        });
        assert!(!stopped);
        out
    }

    pub fn scan(text: &[u8], buf_len: usize, chunks: &[usize], f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
        scan_starting(text, buf_len, chunks, FirstBytes::ANY, f)
    }

    fn scan_starting(
        text: &[u8],
        buf_len: usize,
        chunks: &[usize],
        first: FirstBytes,
        f: &mut dyn FnMut(&[u8]) -> bool,
    ) -> bool {
        let (mut pos, mut turn) = (0, 0);
        let mut read = |b: &mut [u8]| {
            let n = chunks[turn % chunks.len()].min(b.len()).min(text.len() - pos);
            turn += 1;
            b[..n].copy_from_slice(&text[pos..pos + n]);
            pos += n;
            n
        };
        let mut buf = vec![0xAAu8; buf_len];
        for_each_line(&mut read, &mut buf, first, f)
    }

    /// What for_each_line must produce: every line that fits, in order.
    fn model(text: &[u8], buf_len: usize) -> Vec<Vec<u8>> {
        let mut parts: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
        if parts.last() == Some(&&b""[..]) {
            parts.pop();
        }
        parts.into_iter().filter(|l| l.len() < buf_len).map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec()).collect()
    }

    #[test]
    fn parse_u32_cases() {
        assert_eq!(parse_u32(b"0"), Some(0));
        assert_eq!(parse_u32(b"000123"), Some(123));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"42949672950"), None);
        assert_eq!(parse_u32(b"99999999999999999999"), None);
        for bad in [&b""[..], b"-1", b"+1", b" 1", b"1 ", b"0x10", b"1a", b"a", b"1.0", b"/", b":"] {
            assert_eq!(parse_u32(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn lines_plain_and_crlf() {
        let text = b"one\r\ntwo\n\nthree\r\n\rfour";
        let want: Vec<Vec<u8>> = [&b"one"[..], b"two", b"", b"three", b"\rfour"].iter().map(|l| l.to_vec()).collect();
        assert_eq!(lines(text, 64, &[usize::MAX]), want);
        assert_eq!(lines(text, 64, &[1]), want);
        assert_eq!(lines(b"", 64, &[1]), Vec::<Vec<u8>>::new());
        assert_eq!(lines(b"\n", 64, &[1]), vec![b"".to_vec()]);
        assert_eq!(lines(b"last", 64, &[3]), vec![b"last".to_vec()]);
    }

    #[test]
    fn lines_match_model_for_all_buffers_and_chunkings() {
        let text = b"a\nbb\r\nccc\n\ndddddddd\neeeeeeeee\nf\r\nggggggggggggggggggggggggg\nh\r\n12345678\r\nend";
        for buf_len in 0..40 {
            for chunks in [&[usize::MAX][..], &[1], &[2], &[3], &[1, 2, 3], &[7, 1], &[5]] {
                assert_eq!(lines(text, buf_len, chunks), model(text, buf_len), "buf {} chunks {:?}", buf_len, chunks);
            }
        }
        // a line must be shorter than the buffer: one exactly as long is skipped
        assert_eq!(lines(b"1234567\nabc", 8, &[1, 2, 3]), vec![b"1234567".to_vec(), b"abc".to_vec()]);
        assert_eq!(lines(b"12345678\nabc", 8, &[1, 2, 3]), vec![b"abc".to_vec()]);
        assert_eq!(lines(b"abc\n12345678", 8, &[4]), vec![b"abc".to_vec()]);
        assert_eq!(lines(b"123456789\nabc", 8, &[100]), vec![b"abc".to_vec()]);
        assert_eq!(lines(b"\n\nx\n", 1, &[1]), vec![b"".to_vec(), b"".to_vec()]);
        assert!(lines(b"\n\nx\n", 0, &[1]).is_empty());
    }

    #[test]
    fn lines_starting_with_a_set() {
        let text = b"a1\n\nb2\r\n\r\n9x\naaaaaaaaaaaaaaaaaaaaaaaaaaaa\n#c\n0\nz\na-last";
        let sets = [
            (FirstBytes::DIGITS, &b"0123456789"[..]),
            (FirstBytes::DIGITS.and(b'a'), b"0123456789a"),
            (FirstBytes::DIGITS.and(b'\n').and(b'\r'), b"0123456789\n\r"),
            (FirstBytes::ANY, b""),
        ];
        for (first, bytes) in sets {
            let wanted = |l: &&[u8]| bytes.is_empty() || l.first().is_some_and(|b| bytes.contains(b));
            for buf_len in [4, 8, 16, 64] {
                for chunks in [&[usize::MAX][..], &[1], &[3, 1], &[5]] {
                    let mut got = Vec::new();
                    assert!(!scan_starting(text, buf_len, chunks, first, &mut |l| {
                        got.push(l.to_vec());
                        false
                    }));
                    // the model's lines, less those whose raw first byte (an empty
                    // line's is its '\n') is not in the set
                    let raw: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').filter(wanted).collect();
                    let want: Vec<Vec<u8>> = model(&raw.concat(), buf_len);
                    assert_eq!(got, want, "set {:?} buf {} chunks {:?}", bytes, buf_len, chunks);
                }
            }
        }
        assert!(FirstBytes::DIGITS.has(b'0') && FirstBytes::DIGITS.has(b'9'));
        assert!(!FirstBytes::DIGITS.has(b'/') && !FirstBytes::DIGITS.has(b':') && !FirstBytes::DIGITS.has(0xb0));
        assert!(FirstBytes::DIGITS.and(0xff).has(0xff) && FirstBytes::DIGITS.and(0x80).has(0x80));
    }

    #[test]
    fn lines_skip_a_100k_line() {
        let mut text = b"ok1\nok2\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100_000));
        text.extend_from_slice(b"\nok3\r\nok4\n");
        text.extend(std::iter::repeat_n(b'y', 100_000)); // last line, no '\n'
        let want = vec![b"ok1".to_vec(), b"ok2".to_vec(), b"ok3".to_vec(), b"ok4".to_vec()];
        for buf_len in [5, 8, 64, 4096] {
            for chunks in [&[usize::MAX][..], &[1, 2, 3], &[3, 1], &[4096]] {
                assert_eq!(lines(&text, buf_len, chunks), want, "buf {} chunks {:?}", buf_len, chunks);
            }
        }
    }

    #[test]
    fn lines_stop_early() {
        let text = b"a\nb\nc\nd\n";
        let mut seen = Vec::new();
        let stopped = scan(text, 8, &[1, 2, 3], &mut |l| {
            seen.push(l.to_vec());
            l == b"b"
        });
        assert!(stopped);
        assert_eq!(seen, vec![b"a".to_vec(), b"b".to_vec()]);
        // stop on the unterminated last line
        assert!(scan(b"a\nlast", 8, &[2], &mut |l| l == b"last"));
        // never stopped
        assert!(!scan(text, 8, &[2], &mut |_| false));
        // a reader that claims more than it was given is clamped, not trusted
        let mut read = |b: &mut [u8]| {
            b.fill(b'\n');
            b.len() + 100
        };
        let mut buf = [0u8; 4];
        let mut calls = 0;
        let stopped = for_each_line(&mut read, &mut buf, FirstBytes::ANY, &mut |l| {
            assert!(l.is_empty());
            calls += 1;
            calls == 10
        });
        assert!(stopped);
        assert_eq!(calls, 10);
    }

    #[test]
    fn pid_parsing() {
        assert_eq!(parse_pid(b"1"), Some(1));
        assert_eq!(parse_pid(b"4242"), Some(4242));
        assert_eq!(parse_pid(b"007"), Some(7));
        assert_eq!(parse_pid(b"2147483647"), Some(i32::MAX));
        for bad in
            [&b"0"[..], b"00", b"-1", b"12a", b"", b"99999999999", b"2147483648", b"4294967295", b" 1", b"+1", b"1\n"]
        {
            assert_eq!(parse_pid(bad), None, "{:?}", bad);
        }
    }

    fn dirs(path: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        assert!(!for_each_path_dir(path, &mut |d| {
            out.push(d.to_vec());
            false
        }));
        out
    }

    #[test]
    fn path_dirs() {
        let v = |l: &[&[u8]]| l.iter().map(|d| d.to_vec()).collect::<Vec<_>>();
        assert_eq!(dirs(b"a:b::c"), v(&[b"a", b"b", b".", b"c"]));
        assert_eq!(
            dirs(b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            v(&[b"/usr/local/sbin", b"/usr/local/bin", b"/usr/sbin", b"/usr/bin", b"/sbin", b"/bin"])
        );
        assert_eq!(dirs(b""), v(&[b"."]));
        assert_eq!(dirs(b":"), v(&[b".", b"."]));
        assert_eq!(dirs(b":/bin:"), v(&[b".", b"/bin", b"."]));
        assert_eq!(dirs(b"/bin"), v(&[b"/bin"]));
        let mut seen = Vec::new();
        assert!(for_each_path_dir(b"/a:/b:/c", &mut |d| {
            seen.push(d.to_vec());
            d == b"/b"
        }));
        assert_eq!(seen, v(&[b"/a", b"/b"]));
    }

    #[test]
    fn newline_at_every_offset() {
        for len in 0..40 {
            let mut text = vec![b'x'; len];
            assert_eq!(find_newline(&text), None);
            // '\n' after bytes that borrow in the word trick: 0x0b, 0x00, 0x8a, 0xff
            for i in 0..len {
                for before in [b'x', 0x0b, 0x00, 0x8a, 0xff, b'\n' + 1] {
                    text.fill(before);
                    text[i] = b'\n';
                    assert_eq!(find_newline(&text), Some(i), "len {} at {} after {:#x}", len, i, before);
                    if i + 1 < len {
                        text[i + 1] = b'\n';
                        assert_eq!(find_newline(&text), Some(i));
                    }
                }
            }
        }
        assert_eq!(find_newline(&[0x0b, 0x0a, 0x0b, 0x09, 0x00, 0x0a, 0x01, 0x8a, 0x0a]), Some(1));
        assert_eq!(find_newline(&[0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x09, 0x0a]), Some(8));
    }

    #[test]
    fn container_names() {
        for good in [&b"web"[..], b"a", b"db-1.example_2", b"-", &[b'x'; 64]] {
            assert_eq!(name_problem(good), None, "{good:?}");
        }
        let why = |name: &[u8]| core::str::from_utf8(name_problem(name).unwrap()).unwrap();
        assert_eq!(why(b""), "empty");
        assert_eq!(why(&[b'x'; 65]), "longer than 64 bytes");
        for bad in [&b"a/b"[..], b"a b", b"caf\xc3\xa9", b"x:y", b"..\n"] {
            assert_eq!(why(bad), "only letters, digits, '.', '_' and '-'", "{bad:?}");
        }
        assert_eq!(why(b"."), "not . or ..");
        assert_eq!(why(b".."), "not . or ..");
    }
}

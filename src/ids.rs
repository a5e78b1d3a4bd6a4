//! Identity lookups and map arithmetic (SPEC §4): pure functions over bytes.

use crate::text::{after, decimal, parse_u32};
use heapless::VecView;

/// A contiguous id range from /etc/subuid or /etc/subgid.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub struct Range {
    pub start: u32,
    pub count: u32,
}

/// One line of a uid_map/gid_map: `inner outer count`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[cfg_attr(test, derive(Debug))]
pub struct MapLine {
    pub inner: u32,
    pub outer: u32,
    pub count: u32,
}

/// Max lines we ever write (the kernel allows 340; we never need more than this).
pub const MAX_MAP_LINES: usize = 16;
pub type IdMap = heapless::Vec<MapLine, MAX_MAP_LINES>;

/// Ids are u32, so a range may end at most here (exclusive).
const ID_SPACE: u64 = 1 << 32;

fn end_of(start: u32, count: u32) -> u64 {
    start as u64 + count as u64
}

/// The login name of `uid` in one /etc/passwd line `name:pw:UID:...`: the third field must be a
/// whole decimal equal to uid and the name non-empty. Comment lines never match (glibc's files
/// backend skips them too). No NSS.
pub fn passwd_name(line: &[u8], uid: u32) -> Option<&[u8]> {
    let mut fields = line.split(|&b| b == b':');
    let name = fields.next().filter(|n| !n.is_empty() && n.first() != Some(&b'#'))?;
    (parse_u32(fields.nth(1)?)? == uid).then_some(name)
}

/// A field of a line, None when absent or empty.
pub type Field<'a> = Option<&'a [u8]>;

/// The home directory and login shell of `uid` in one /etc/passwd line
/// `name:pw:UID:GID:gecos:HOME:SHELL`, matched as `passwd_name` matches;
/// an empty field is None (passwd(5): an empty shell means /bin/sh), and
/// so is one with a NUL byte, which no C string can carry.
pub fn passwd_home_shell(line: &[u8], uid: u32) -> Option<(Field<'_>, Field<'_>)> {
    passwd_name(line, uid)?;
    let mut fields = line.split(|&b| b == b':').skip(5);
    let mut field = || fields.next().filter(|f| !f.is_empty() && !f.contains(&0));
    Some((field(), field()))
}

/// One /etc/subuid line `OWNER:START:COUNT`: the range when OWNER is `name` or the whole decimal
/// `uid`, with exactly three fields, COUNT > 0 and START + COUNT <= 2^32 - 1 (the id (uid_t)-1 is
/// never part of a range: newuidmap refuses it). Else None.
pub fn subid_line(line: &[u8], name: Option<&[u8]>, uid: u32) -> Option<Range> {
    let mut fields = owned_part(line, name, uid)?.split(|&b| b == b':');
    let start = parse_u32(fields.next()?)?;
    let count = parse_u32(fields.next()?)?;
    if fields.next().is_some() || count == 0 || end_of(start, count) >= ID_SPACE {
        return None;
    }
    Some(Range { start, count })
}

/// What follows `OWNER:` when OWNER is `name` or the whole decimal `uid`.
fn owned_part<'a>(line: &'a [u8], name: Option<&[u8]>, uid: u32) -> Option<&'a [u8]> {
    if line.first() == Some(&b'#') {
        return None;
    }
    if let Some(name) = name.filter(|n| !n.is_empty()) {
        if let Some([b':', rest @ ..]) = after(line, name) {
            return Some(rest);
        }
    }
    let colon = line.iter().position(|&b| b == b':')?;
    (parse_u32(line.get(..colon)?)? == uid).then(|| line.get(colon + 1..)).flatten()
}

/// Parse /proc/self/uid_map content (three decimals a line, padded with blanks); malformed
/// lines skipped, lines past 16 ignored.
pub fn parse_proc_map(text: &[u8]) -> heapless::Vec<MapLine, 16> {
    let mut map = heapless::Vec::new();
    let mut fields = [0u64; 3];
    let (mut count, mut bad, mut value, mut digits) = (0, false, 0u64, false);
    for &b in text.iter().chain(b"\n") {
        if b.is_ascii_digit() {
            // Saturate past 2^32: still too large, never overflowing.
            value = (value * 10 + (b - b'0') as u64).min(ID_SPACE);
            digits = true;
            continue;
        }
        if !b.is_ascii_whitespace() {
            bad = true;
        }
        if digits {
            match fields.get_mut(count) {
                Some(field) => *field = value,
                None => bad = true,
            }
            count += 1;
            (value, digits) = (0, false);
        }
        if b == b'\n' {
            let [inner, outer, n] = fields;
            if !bad && count == 3 && n > 0 && inner + n <= ID_SPACE && outer + n <= ID_SPACE {
                let _ = map.push(MapLine { inner: inner as u32, outer: outer as u32, count: n as u32 });
            }
            (count, bad) = (0, false);
        }
    }
    map
}

/// The end of the run of ids of `current` starting at `id` (`id` itself when it is not covered).
fn covered_until(current: &[MapLine], mut id: u64) -> u64 {
    'grow: loop {
        for l in current {
            if l.inner as u64 <= id && id < end_of(l.inner, l.count) {
                id = end_of(l.inner, l.count);
                continue 'grow;
            }
        }
        return id;
    }
}

/// Whether every id in [r.start, r.start + r.count) is an id of the current namespace.
pub fn range_inside(current: &[MapLine], r: Range) -> bool {
    covered_until(current, r.start as u64) >= end_of(r.start, r.count)
}

/// The default for root without a subordinate range (SPEC §4): container
/// root onto TOP, the highest id of `current`, and container ids 1..=N onto
/// the N ids just below it, N = min(65535, TOP - 1). No id a host user or
/// group really has is mapped: with the 2013 original's identity map,
/// container root could leave setgid programs of any host group but 0
/// (`shadow`, `disk`) in DIR for host users to run.
pub fn default_root_map(current: &[MapLine]) -> Option<IdMap> {
    let top = current.iter().filter(|l| l.count > 0).map(|l| end_of(l.inner, l.count) - 1).max()?;
    let top = u32::try_from(top).ok()?;
    let n = top.saturating_sub(1).min(65535);
    let mut map = IdMap::new();
    map.push(MapLine { inner: 0, outer: top, count: 1 }).ok()?;
    if n > 0 {
        map.push(MapLine { inner: 1, outer: top - n, count: n }).ok()?;
    }
    Some(map)
}

/// A `-u`/`-g` MAP, `INSIDE:OUTSIDE:COUNT[,...]` (SPEC §4): at most 16 entries, each field
/// decimal, COUNT >= 1, every id below 2^32 - 1, no two entries overlapping inside or outside.
/// Err names the bad entry and what is wrong with it.
pub fn parse_map(text: &[u8]) -> Result<IdMap, (&[u8], &'static [u8])> {
    let mut map = IdMap::new();
    for entry in text.split(|&b| b == b',') {
        let mut fields = entry.split(|&b| b == b':').map(parse_u32);
        let (Some(Some(inner)), Some(Some(outer)), Some(Some(count)), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err((entry, b"not INSIDE:OUTSIDE:COUNT"));
        };
        if count == 0 {
            return Err((entry, b"count is 0"));
        }
        if end_of(inner, count) >= ID_SPACE || end_of(outer, count) >= ID_SPACE {
            return Err((entry, b"out of range"));
        }
        let overlaps = |a: u32, b: u32, n: u32| (a as u64) < end_of(b, n) && (b as u64) < end_of(a, count);
        if map.iter().any(|l| overlaps(inner, l.inner, l.count) || overlaps(outer, l.outer, l.count)) {
            return Err((entry, b"overlaps another entry"));
        }
        map.push(MapLine { inner, outer, count }).map_err(|_| (entry, &b"more than 16 entries"[..]))?;
    }
    Ok(map)
}

/// Maps of the SPEC §4 table for an unprivileged caller: [0 caller 1], then [1 S C] for a range.
#[inline(never)]
pub fn unprivileged_map(caller: u32, range: Option<Range>) -> IdMap {
    let mut map = IdMap::new();
    let _ = map.push(MapLine { inner: 0, outer: caller, count: 1 });
    if let Some(r) = range.filter(|r| r.count > 0) {
        let _ = map.push(MapLine { inner: 1, outer: r.start, count: r.count });
    }
    map
}

/// Appends `v` in decimal, then `end`.
fn push_dec(out: &mut VecView<u8>, v: u32, end: u8) -> bool {
    out.extend_from_slice(decimal(v as u64, &mut [0; 20])).is_ok() && out.push(end).is_ok()
}

/// Appends every line as `inner SEP outer SEP count END`; on overflow leaves `out` as it was.
fn push_lines(map: &[MapLine], out: &mut VecView<u8>, sep: u8, end: u8) -> bool {
    let mark = out.len();
    let ok =
        map.iter().all(|l| push_dec(out, l.inner, sep) && push_dec(out, l.outer, sep) && push_dec(out, l.count, end));
    if !ok {
        out.truncate(mark);
    }
    ok
}

/// Text for /proc/PID/uid_map: "inner outer count\n" per line, appended to out. False if it
/// does not fit (out unchanged then).
#[inline(never)]
pub fn format_map(map: &[MapLine], out: &mut heapless::Vec<u8, 512>) -> bool {
    push_lines(map, out.as_mut_view(), b' ', b'\n')
}

/// Arguments for newuidmap/newgidmap after the PID: inner, outer, count of each line as
/// NUL-terminated decimals, back to back in `out`; the number of strings, or None if they
/// don't fit (out unchanged then).
pub fn helper_args(map: &[MapLine], out: &mut heapless::Vec<u8, 256>) -> Option<usize> {
    push_lines(map, out.as_mut_view(), 0, 0).then_some(map.len() * 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tests::scan;

    fn overlaps(a: u32, a_count: u32, b: u32, b_count: u32) -> bool {
        (a as u64) < end_of(b, b_count) && (b as u64) < end_of(a, a_count)
    }
    use std::vec::Vec;

    fn ml(inner: u32, outer: u32, count: u32) -> MapLine {
        MapLine { inner, outer, count }
    }

    fn name_of(passwd: &[u8], uid: u32) -> Option<Vec<u8>> {
        let mut found = None;
        scan(passwd, 256, &[usize::MAX], &mut |l| {
            found = passwd_name(l, uid).map(|n| n.to_vec());
            found.is_some()
        });
        found
    }

    fn first_range(text: &[u8], name: Option<&[u8]>, uid: u32, buf_len: usize, chunks: &[usize]) -> Option<Range> {
        let mut found = None;
        scan(text, buf_len, chunks, &mut |l| {
            found = subid_line(l, name, uid);
            found.is_some()
        });
        found
    }

    fn rng(start: u32, count: u32) -> Option<Range> {
        Some(Range { start, count })
    }

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\r\n\
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
# comment:x:5:5\n\
short\n\
sh:x\n\
bad:x:1000x:1000::/:/bin/sh\n\
sp:x: 1000:1000::/:/bin/sh\n\
:x:1000:1000::/:/bin/sh\n\
alice:x:1000:1000:Alice:/home/alice:/bin/sh\n\
alice2:x:1000:1000:dup:/home/alice2:/bin/sh\n\
zero:x:01001:1001::/:/bin/sh\n\
neg:x:-5:5::/:/bin/sh\n\
big:x:4294967296:5::/:/bin/sh\n\
max:x:4294967295:5::/:/bin/sh\n\
svc:x:7\r\n";

    #[test]
    fn passwd_lookup() {
        assert_eq!(name_of(PASSWD, 0), Some(b"root".to_vec()));
        assert_eq!(name_of(PASSWD, 1), Some(b"daemon".to_vec()));
        // first match wins; malformed uid fields and an empty name before it are skipped
        assert_eq!(name_of(PASSWD, 1000), Some(b"alice".to_vec()));
        assert_eq!(name_of(PASSWD, 1001), Some(b"zero".to_vec()));
        assert_eq!(name_of(PASSWD, 4294967295), Some(b"max".to_vec()));
        // the CR of a CRLF line ending is not part of the uid field
        assert_eq!(name_of(PASSWD, 7), Some(b"svc".to_vec()));
        assert_eq!(passwd_name(b"svc:x:7\r", 7), None);
        // missing users, including wrapped and negative values
        for uid in [2, 5, 999, 1002, 0u32.wrapping_sub(5), 4294967294] {
            assert_eq!(name_of(PASSWD, uid), None, "uid {}", uid);
        }
        assert_eq!(name_of(b"", 0), None);
    }

    #[test]
    fn passwd_home_and_shell() {
        let some = |home: &'static [u8], shell: &'static [u8]| Some((Some(home), Some(shell)));
        assert_eq!(passwd_home_shell(b"root:x:0:0:root:/root:/bin/ash", 0), some(b"/root", b"/bin/ash"));
        assert_eq!(passwd_home_shell(b"root:x:0:0:root:/root:/bin/ash", 1), None);
        assert_eq!(passwd_home_shell(b"#root:x:0:0:root:/root:/bin/ash", 0), None);
        assert_eq!(passwd_home_shell(b"toor:x:0:0::/home/toor:", 0), Some((Some(&b"/home/toor"[..]), None)));
        assert_eq!(passwd_home_shell(b"root:x:0:0::", 0), Some((None, None)));
        assert_eq!(passwd_home_shell(b"root:x:0", 0), Some((None, None)));
        // A NUL byte would cut the C string: the field is not taken.
        assert_eq!(passwd_home_shell(b"root:x:0:0::/ro\0ot:/bin/sh", 0), Some((None, Some(&b"/bin/sh"[..]))));
    }

    #[test]
    fn passwd_single_lines() {
        assert_eq!(passwd_name(b"root:x:0:0:root:/root:/bin/sh", 0), Some(&b"root"[..]));
        assert_eq!(passwd_name(b"root:x:0:0:root:/root:/bin/sh", 1), None);
        assert_eq!(passwd_name(b"root:x:0", 0), Some(&b"root"[..]));
        assert_eq!(passwd_name(b"root::0:", 0), Some(&b"root"[..]));
        for short in [
            &b""[..],
            b"root",
            b"root:x",
            b"root:x:",
            b":x:0:0",
            b"root:0:x:0",
            b"root:x:0x0:0",
            b"root:x:+0:0",
            b"#root:x:0:0",
        ] {
            assert_eq!(passwd_name(short, 0), None, "{:?}", short);
        }
    }

    const SUBUID: &[u8] = b"# owner:start:count\n\
alice:1:2:3\n\
alice:100000\n\
alice::65536\n\
alice:100000:\n\
alice:-1:65536\n\
alice:100000:-1\n\
alice:100000:0\n\
alice:4294967296:1\n\
alice:0:4294967296\n\
alice:4294967295:2\n\
alice: 100000:65536\n\
alice:100000:65536 \n\
 alice:100000:65536\n\
alice :100000:65536\n\
alice:0x10:65536\n\
\n\
bob:200000:65536\n\
alice:100000:65536\r\n\
1000:300000:65536\n\
alice:400000:65536\n";

    #[test]
    fn subid_first_valid_line_wins() {
        for (buf_len, chunks) in [(256, &[usize::MAX][..]), (32, &[1, 2, 3][..]), (20, &[3][..])] {
            assert_eq!(first_range(SUBUID, Some(b"alice"), 1000, buf_len, chunks), rng(100000, 65536));
            assert_eq!(first_range(SUBUID, Some(b"alice"), 1, buf_len, chunks), rng(100000, 65536));
            // no passwd entry: only the numeric owner line matches
            assert_eq!(first_range(SUBUID, None, 1000, buf_len, chunks), rng(300000, 65536));
            assert_eq!(first_range(SUBUID, Some(b"bob"), 1001, buf_len, chunks), rng(200000, 65536));
            // a user whose name is not in the file but whose uid is
            assert_eq!(first_range(SUBUID, Some(b"carol"), 1000, buf_len, chunks), rng(300000, 65536));
            assert_eq!(first_range(SUBUID, Some(b"carol"), 1001, buf_len, chunks), None);
            // "alice" is never uid 0
            assert_eq!(first_range(SUBUID, None, 0, buf_len, chunks), None);
            assert_eq!(first_range(SUBUID, Some(b"root"), 0, buf_len, chunks), None);
        }
        // the numeric line comes before the named one in this file
        let numeric_first = b"1000:5:10\nalice:100000:65536\n";
        assert_eq!(first_range(numeric_first, Some(b"alice"), 1000, 64, &[2]), rng(5, 10));
    }

    /// The rule as SPEC §4 states it, field by field: what the owner-first
    /// subid_line must agree with on every line.
    fn subid_model(line: &[u8], name: Option<&[u8]>, uid: u32) -> Option<Range> {
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        let [owner, start, count] = fields[..] else { return None };
        let (start, count) = (parse_u32(start)?, parse_u32(count)?);
        let owned = !owner.is_empty() && owner[0] != b'#' && (name == Some(owner) || parse_u32(owner) == Some(uid));
        (owned && count > 0 && end_of(start, count) < ID_SPACE).then_some(Range { start, count })
    }

    #[test]
    fn subid_owner_first_agrees_with_the_rule() {
        let owners: &[&[u8]] = &[
            b"",
            b"a",
            b"alice",
            b"alic",
            b"alicex",
            b"#alice",
            b"1000",
            b"01000",
            b"1001",
            b"100",
            b"10000",
            b"4294967295",
            b"4294967296",
            b"99999999999999999999",
            b"1000a",
            b"a1000",
            b"0",
            b"-0",
            b" 1000",
        ];
        let rests: &[&[u8]] = &[
            b"",
            b":",
            b":1",
            b":1:",
            b"::1",
            b":1:1",
            b":0:1",
            b":1:0",
            b":100000:65536",
            b":4294967294:1",
            b":4294967295:1",
            b":1:1:",
            b":1:1:1",
            b":x:1",
            b":1:x",
            b";1:1",
            b":1:1\r",
        ];
        for owner in owners {
            for rest in rests {
                let line = [*owner, *rest].concat();
                for (name, uid) in
                    [(Some(&b"alice"[..]), 1000), (None, 1000), (Some(b"1000"), 5), (Some(b"a"), 0), (None, 0)]
                {
                    assert_eq!(
                        subid_line(&line, name, uid),
                        subid_model(&line, name, uid),
                        "{:?} name {:?} uid {}",
                        std::str::from_utf8(&line),
                        name.map(|n| std::str::from_utf8(n)),
                        uid
                    );
                }
            }
        }
    }

    #[test]
    fn subid_single_lines() {
        let a = Some(&b"alice"[..]);
        assert_eq!(subid_line(b"alice:100000:65536", a, 1000), rng(100000, 65536));
        assert_eq!(subid_line(b"alice:0:1", a, 1000), rng(0, 1));
        // A range may end at 2^32 - 1 (exclusive): (uid_t)-1 is never an id.
        assert_eq!(subid_line(b"alice:4294967294:1", a, 1000), rng(4294967294, 1));
        assert_eq!(subid_line(b"alice:4294967295:1", a, 1000), None);
        assert_eq!(subid_line(b"alice:0:4294967295", a, 1000), rng(0, 4294967295));
        assert_eq!(subid_line(b"alice:1:4294967294", a, 1000), rng(1, 4294967294));
        assert_eq!(subid_line(b"alice:1:4294967295", a, 1000), None);
        assert_eq!(subid_line(b"alice:2:4294967295", a, 1000), None);
        assert_eq!(subid_line(b"alice:4294967295:2", a, 1000), None);
        assert_eq!(subid_line(b"alice:00100:010", a, 1000), rng(100, 10));
        assert_eq!(subid_line(b"1000:100000:65536", None, 1000), rng(100000, 65536));
        assert_eq!(subid_line(b"01000:100000:65536", None, 1000), rng(100000, 65536));
        assert_eq!(subid_line(b"0:100000:65536", None, 0), rng(100000, 65536));
        assert_eq!(subid_line(b"root:100000:65536", Some(b"root"), 0), rng(100000, 65536));
        // a numeric user name is matched byte for byte too
        assert_eq!(subid_line(b"1000:7:1", Some(b"1000"), 5), rng(7, 1));
        let bad: &[&[u8]] = &[
            b"",
            b"#",
            b"#alice:100000:65536",
            b"alice",
            b"alice:100000",
            b"alice:100000:65536:",
            b"alice:100000:65536:x",
            b"alice::65536",
            b"alice:100000:",
            b"::",
            b":100000:65536",
            b"alice:-1:65536",
            b"alice:100000:-1",
            b"alice:+1:65536",
            b"alice:100000:0",
            b"alice:4294967296:1",
            b"alice:1:4294967296",
            b"alice:99999999999:1",
            b" alice:100000:65536",
            b"alice :100000:65536",
            b"alice: 100000:65536",
            b"alice:100000:65536 ",
            b"alice:100000:65536\r",
            b"alice:1e5:65536",
            b"alice;100000;65536",
            b"Alice:100000:65536",
            b"alic:100000:65536",
            b"alicee:100000:65536",
        ];
        for line in bad {
            assert_eq!(subid_line(line, a, 1000), None, "{:?}", std::str::from_utf8(line));
        }
        // numeric owners: whole decimals only, equal to the uid
        for line in [&b"alice:1:1"[..], b"0x0:1:1", b" 0:1:1", b"+0:1:1", b"-0:1:1", b":1:1", b"00 :1:1", b"1:1:1"] {
            assert_eq!(subid_line(line, None, 0), None, "{:?}", std::str::from_utf8(line));
        }
        assert_eq!(subid_line(b"000:1:1", None, 0), rng(1, 1));
        // a comment is never an owner, whatever the name
        assert_eq!(subid_line(b"#alice:1:1", Some(b"#alice"), 0), None);
        // an empty name never matches an empty owner
        assert_eq!(subid_line(b":1:1", Some(b""), 5), None);
        assert_eq!(subid_line(b"4294967296:1:1", None, 0), None);
    }

    #[test]
    fn proc_map_parsing() {
        let text = b"         0       1000          1\n         1     100000      65536\n";
        assert_eq!(&parse_proc_map(text)[..], &[ml(0, 1000, 1), ml(1, 100000, 65536)]);
        assert_eq!(&parse_proc_map(b"         0          0 4294967295\n")[..], &[ml(0, 0, 4294967295)]);
        let messy = b"\n0 0\nx 1 1\n0 0 1 2\n5 5 0\n4294967295 0 2\n0 4294967295 2\n-1 0 1\n\t7\t8\t9\r\n 10 20 30";
        assert_eq!(&parse_proc_map(messy)[..], &[ml(7, 8, 9), ml(10, 20, 30)]);
        assert!(parse_proc_map(b"").is_empty());
        let mut many = Vec::new();
        for i in 0..70u32 {
            many.extend_from_slice(format!("{} {} 1\n", i, i + 1000).as_bytes());
        }
        let map = parse_proc_map(&many);
        assert_eq!(map.len(), 16);
        assert_eq!(map[15], ml(15, 1015, 1));
    }

    #[test]
    fn range_inside_cases() {
        let top = [ml(0, 0, 4294967295)];
        let inside = |cur: &[MapLine], start, count| range_inside(cur, Range { start, count });
        assert!(inside(&top, 0, 4294967295));
        assert!(inside(&top, 4294967294, 1));
        assert!(inside(&top, 100000, 65536));
        assert!(!inside(&top, 4294967295, 1));
        assert!(!inside(&top, 1, 4294967295));
        assert!(!inside(&top, 4294967294, 2));
        // the whole id space, split in two lines
        let all = [ml(4294967295, 5, 1), ml(0, 0, 4294967295)];
        assert!(inside(&all, 0, 4294967295));
        assert!(inside(&all, 1, 4294967295));
        assert!(inside(&all, 4294967295, 1));
        // split coverage, in either order
        let nested = [ml(0, 1000, 1), ml(1, 100000, 65536)];
        let reversed = [ml(1, 100000, 65536), ml(0, 1000, 1)];
        for cur in [&nested[..], &reversed[..]] {
            assert!(inside(cur, 0, 65537));
            assert!(inside(cur, 65536, 1));
            assert!(inside(cur, 0, 2));
            assert!(!inside(cur, 0, 65538));
            assert!(!inside(cur, 65537, 1));
            assert!(!inside(cur, 65536, 2));
        }
        // a gap
        let gap = [ml(20, 0, 10), ml(0, 100, 10), ml(10, 200, 5)];
        assert!(inside(&gap, 0, 15));
        assert!(inside(&gap, 20, 10));
        assert!(inside(&gap, 14, 1));
        assert!(!inside(&gap, 0, 16));
        assert!(!inside(&gap, 15, 1));
        assert!(!inside(&gap, 10, 11));
        assert!(!inside(&gap, 29, 2));
        // empty ranges are trivially inside; nothing is inside an empty map
        assert!(inside(&gap, 17, 0));
        assert!(!inside(&[], 0, 1));
        assert!(!inside(&[ml(5, 5, 0)], 5, 1));
    }

    fn assert_disjoint(map: &[MapLine]) {
        for (i, a) in map.iter().enumerate() {
            for b in &map[i + 1..] {
                assert!(!overlaps(a.inner, a.count, b.inner, b.count), "{:?} {:?}", a, b);
                assert!(!overlaps(a.outer, a.count, b.outer, b.count), "{:?} {:?}", a, b);
            }
        }
    }

    #[test]
    fn default_root_map_cases() {
        // top level: root on 4294967294, ids 1..=65535 on the block just below it
        let top = default_root_map(&[ml(0, 0, 4294967295)]).unwrap();
        assert_eq!(&top[..], &[ml(0, 4294967294, 1), ml(1, 4294901759, 65535)]);
        // nested in a pseudo: TOP is 65536, N = 65535
        let nested = default_root_map(&[ml(0, 1000, 1), ml(1, 100000, 65536)]).unwrap();
        assert_eq!(&nested[..], &[ml(0, 65536, 1), ml(1, 1, 65535)]);
        let reversed = default_root_map(&[ml(1, 100000, 65536), ml(0, 1000, 1)]).unwrap();
        assert_eq!(&reversed[..], &nested[..]);
        // a small namespace: N = TOP - 1
        assert_eq!(&default_root_map(&[ml(0, 1000, 10)]).unwrap()[..], &[ml(0, 9, 1), ml(1, 1, 8)]);
        // only root, or only two ids
        assert_eq!(&default_root_map(&[ml(0, 1000, 1)]).unwrap()[..], &[ml(0, 0, 1)]);
        assert_eq!(&default_root_map(&[ml(0, 1000, 2)]).unwrap()[..], &[ml(0, 1, 1)]);
        // the whole id space, top line last
        let all = default_root_map(&[ml(0, 0, 4294967295), ml(4294967295, 7, 1)]).unwrap();
        assert_eq!(&all[..], &[ml(0, 4294967295, 1), ml(1, 4294901760, 65535)]);
        for m in [&top, &nested, &all] {
            assert_disjoint(m);
        }
        assert_eq!(default_root_map(&[]), None);
        assert_eq!(default_root_map(&[ml(0, 0, 0)]), None);
    }

    #[test]
    fn map_options() {
        assert_eq!(&parse_map(b"0:100000:1000").unwrap()[..], &[ml(0, 100000, 1000)]);
        assert_eq!(
            &parse_map(b"0:4294967294:1,1:1:4294967293").unwrap()[..],
            &[ml(0, 4294967294, 1), ml(1, 1, 4294967293)]
        );
        let sixteen: Vec<String> = (0..16).map(|i| format!("{i}:{}:1", 1000 + i)).collect();
        assert_eq!(parse_map(sixteen.join(",").as_bytes()).unwrap().len(), 16);
        let seventeen = sixteen.join(",") + ",16:1016:1";
        assert_eq!(parse_map(seventeen.as_bytes()), Err((&b"16:1016:1"[..], &b"more than 16 entries"[..])));
        let bad: [(&[u8], &[u8], &[u8]); 14] = [
            (b"", b"", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:1", b"0:1", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:1:2:3", b"0:1:2:3", b"not INSIDE:OUTSIDE:COUNT"),
            (b"a:1:1", b"a:1:1", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:1:1,", b"", b"not INSIDE:OUTSIDE:COUNT"),
            (b"-1:1:1", b"-1:1:1", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:1: 1", b"0:1: 1", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:1:0", b"0:1:0", b"count is 0"),
            (b"0:4294967295:1", b"0:4294967295:1", b"out of range"),
            (b"4294967294:0:2", b"4294967294:0:2", b"out of range"),
            (b"0:1:4294967296", b"0:1:4294967296", b"not INSIDE:OUTSIDE:COUNT"),
            (b"0:100:10,5:200:1", b"5:200:1", b"overlaps another entry"),
            (b"0:100:10,10:105:1", b"10:105:1", b"overlaps another entry"),
            (b"0:100:1,0:200:1", b"0:200:1", b"overlaps another entry"),
        ];
        for (text, entry, why) in bad {
            assert_eq!(parse_map(text), Err((entry, why)), "{:?}", std::str::from_utf8(text));
        }
        assert!(parse_map(b"0:100:10,10:110:10").is_ok());
    }

    #[test]
    fn unprivileged_maps() {
        assert_eq!(&unprivileged_map(1000, rng(100000, 65536))[..], &[ml(0, 1000, 1), ml(1, 100000, 65536)]);
        assert_eq!(&unprivileged_map(1000, None)[..], &[ml(0, 1000, 1)]);
        assert_eq!(&unprivileged_map(7, rng(5, 0))[..], &[ml(0, 7, 1)]);
        assert_eq!(&unprivileged_map(0, rng(0, 4294967295))[..], &[ml(0, 0, 1), ml(1, 0, 4294967295)]);
    }

    #[test]
    fn format_map_bytes() {
        let mut out = heapless::Vec::<u8, 512>::new();
        assert!(format_map(&[ml(0, 1000, 1), ml(1, 100000, 65536)], &mut out));
        assert_eq!(&out[..], b"0 1000 1\n1 100000 65536\n");
        assert!(format_map(&[ml(0, 4294967294, 1), ml(1, 1, 4294967293)], &mut out));
        assert_eq!(&out[..], &b"0 1000 1\n1 100000 65536\n0 4294967294 1\n1 1 4294967293\n"[..]);
        let mut empty = heapless::Vec::<u8, 512>::new();
        assert!(format_map(&[], &mut empty));
        assert!(empty.is_empty());
        // 16 widest lines are 16 * 33 = 528 bytes: refused, out untouched
        let wide = [ml(u32::MAX, u32::MAX, u32::MAX); 16];
        let mut out = heapless::Vec::<u8, 512>::new();
        out.extend_from_slice(b"keep").unwrap();
        assert!(!format_map(&wide, &mut out));
        assert_eq!(&out[..], b"keep");
        let mut out = heapless::Vec::<u8, 512>::new();
        assert!(format_map(&wide[..15], &mut out));
        assert_eq!(out.len(), 15 * 33);
        assert_eq!(&out[..33], b"4294967295 4294967295 4294967295\n");
        assert_eq!(&out[..], b"4294967295 4294967295 4294967295\n".repeat(15).as_slice());
        let mut out = heapless::Vec::<u8, 512>::new();
        assert!(format_map(&[ml(9, 10, 99), ml(100, 1000000000, 7)], &mut out));
        assert_eq!(&out[..], b"9 10 99\n100 1000000000 7\n");
    }

    #[test]
    fn helper_args_bytes() {
        let mut out = heapless::Vec::<u8, 256>::new();
        assert_eq!(helper_args(&[ml(0, 1000, 1), ml(1, 100000, 65536)], &mut out), Some(6));
        assert_eq!(&out[..], b"0\x001000\x001\x001\x00100000\x0065536\x00");
        let mut out = heapless::Vec::<u8, 256>::new();
        assert_eq!(helper_args(&[], &mut out), Some(0));
        assert!(out.is_empty());
        // 7 widest lines are 231 bytes, 8 are 264
        let wide = [ml(u32::MAX, 0, u32::MAX); 8];
        assert_eq!(helper_args(&wide[..7], &mut out), Some(21));
        assert_eq!(out.len(), 7 * 24);
        assert_eq!(&out[..24], b"4294967295\x000\x004294967295\x00");
        let wider = [ml(u32::MAX, u32::MAX, u32::MAX); 8];
        let mut out = heapless::Vec::<u8, 256>::new();
        assert_eq!(helper_args(&wider[..7], &mut out), Some(21));
        assert_eq!(out.len(), 231);
        let mut out = heapless::Vec::<u8, 256>::new();
        out.push(b'k').unwrap();
        assert_eq!(helper_args(&wider, &mut out), None);
        assert_eq!(&out[..], b"k");
    }
}

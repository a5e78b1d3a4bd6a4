//! User namespaces and their identity maps (SPEC §4): which maps a caller
//! gets, and the two ways of writing them.

use crate::ids::{self, IdMap, MapLine, Range};
use crate::out::{fail, say, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::procfs;
use crate::sys::{self, CStrArray, Errno, Exit, Fd, O_RDONLY};
use crate::text::{after, FirstBytes};
use core::ffi::CStr;

/// Who writes the maps of a new user namespace.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// newuidmap/newgidmap (setuid, from shadow-utils) run from the parent
    /// namespace: the only way an unprivileged user maps more than itself.
    Helpers,
    /// A process of the parent namespace writes /proc/PID/*_map itself:
    /// root, who holds CAP_SETUID there.
    Parent,
    /// Only the caller's own ids: any process may, once setgroups is
    /// denied (user_namespaces(7), "Interaction with setgroups").
    Own,
}

pub struct Maps {
    pub uid: IdMap,
    pub gid: IdMap,
    pub writer: Writer,
    /// After the maps: drop supplementary groups and become uid/gid 0
    /// inside, so host root stays unmapped.
    pub become_root: bool,
}

const HELPER_DIRS: [&[u8]; 4] = [b"/usr/bin", b"/bin", b"/usr/sbin", b"/sbin"];

/// Calls f for each line of a file until it returns true (then true);
/// false when it cannot be read. Lines of 16 KiB or more are skipped; a
/// block of that size is read at a time.
pub fn each_line(path: &CStr, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    each_line_starting(path, FirstBytes::ANY, f)
}

/// `each_line` for the lines that start with a byte of `first` only.
fn each_line_starting(path: &CStr, first: FirstBytes, f: &mut dyn FnMut(&[u8]) -> bool) -> bool {
    let Ok(file) = sys::open(path, O_RDONLY) else { return false };
    let mut buf = [0u8; 16384];
    crate::text::for_each_line(&mut |chunk| sys::read(&file, chunk).unwrap_or(0), &mut buf, first, f)
}

/// The first valid range of `uid` (or of its login name) in a subid file.
/// A range holding id 0 would map host root: it is skipped, with a warning
/// (SPEC §4).
fn subid_range(path: &CStr, name: Option<&[u8]>, uid: u32) -> Option<Range> {
    // The owner is `name` or a decimal: other lines are not even looked at.
    let first = match name.and_then(|n| n.first()) {
        Some(&b) => FirstBytes::DIGITS.and(b),
        None => FirstBytes::DIGITS,
    };
    let mut found = None;
    each_line_starting(path, first, &mut |line| {
        found = ids::subid_line(line, name, uid).filter(|r| r.start != 0 || warn_host_root(line, path));
        found.is_some()
    });
    found
}

/// Out of the per-line path of `subid_range`, which a long file runs for
/// every line: false, after the warning.
#[cold]
#[inline(never)]
fn warn_host_root(line: &[u8], path: &CStr) -> bool {
    say(b"warning: skipping {} in {}: it maps host root", &[line, path.to_bytes()]);
    false
}

/// The login name of `uid` from /etc/passwd (no NSS).
fn login_name(uid: u32) -> heapless::Vec<u8, 64> {
    let mut name = heapless::Vec::new();
    each_line(c"/etc/passwd", &mut |line| match ids::passwd_name(line, uid) {
        Some(found) => {
            let _ = name.extend_from_slice(found.get(..64).unwrap_or(found));
            true
        }
        None => false,
    });
    name
}

/// newuidmap or newgidmap from the fixed system directories, never from
/// the caller's PATH.
pub fn find_helper(name: &[u8], path: &mut PathBuf) -> bool {
    HELPER_DIRS.iter().any(|dir| match path.join(dir, name) {
        Some(file) => sys::access(file, sys::X_OK).is_ok(),
        None => false,
    })
}

/// What decides a caller's row of the SPEC §4 table.
pub struct Situation<'a> {
    pub uid: u32,
    pub gid: u32,
    /// The first valid /etc/subuid and /etc/subgid ranges.
    pub subuid: Option<Range>,
    pub subgid: Option<Range>,
    /// Whether newuidmap and newgidmap were both found.
    pub helpers: bool,
    /// `-u MAP` and `-g MAP`.
    pub uid_map: Option<&'a IdMap>,
    pub gid_map: Option<&'a IdMap>,
}

/// The row of SPEC §4 for `pseudo` and `contain` (pure): root's maps from
/// its range (or the default at the top of `current_*`), an unprivileged
/// caller's through the helpers, or only its own ids when a range or a
/// helper is missing, with what was missing. A MAP given replaces the row's.
pub fn choose_maps(s: &Situation, current_uid: &[MapLine], current_gid: &[MapLine]) -> (Maps, Option<&'static [u8]>) {
    if s.uid == 0 {
        let root_map = |given: Option<&IdMap>, range: Option<Range>, current: &[MapLine]| match (given, range) {
            (Some(map), _) => map.clone(),
            (None, Some(r)) if ids::range_inside(current, r) => {
                let mut map = IdMap::new();
                let _ = map.push(MapLine { inner: 0, outer: r.start, count: r.count });
                map
            }
            _ => ids::default_root_map(current).unwrap_or_default(),
        };
        let uid = root_map(s.uid_map, s.subuid, current_uid);
        let gid = root_map(s.gid_map, s.subgid, current_gid);
        return (Maps { uid, gid, writer: Writer::Parent, become_root: true }, None);
    }
    let given = s.uid_map.is_some() || s.gid_map.is_some();
    let missing: Option<&'static [u8]> = if s.subuid.is_none() && !given {
        Some(b"no range in /etc/subuid")
    } else if s.subgid.is_none() && !given {
        Some(b"no range in /etc/subgid")
    } else if !s.helpers {
        Some(b"newuidmap or newgidmap not found")
    } else {
        None
    };
    let own = missing.is_some() && !given;
    let (subuid, subgid) = if own { (None, None) } else { (s.subuid, s.subgid) };
    let uid = s.uid_map.cloned().unwrap_or_else(|| ids::unprivileged_map(s.uid, subuid));
    let gid = s.gid_map.cloned().unwrap_or_else(|| ids::unprivileged_map(s.gid, subgid));
    let writer = if own { Writer::Own } else { Writer::Helpers };
    // With a MAP the caller may not be root inside: take root (or the
    // lowest ids mapped) as the root rows do.
    (Maps { uid, gid, writer, become_root: given }, missing)
}

/// The maps of SPEC §4 for a `pseudo` or `contain` caller, with `-u` and
/// `-g` MAPs if given. Prints the one warning line when an unprivileged
/// caller falls back to its own ids; Err when a MAP needs the helpers and
/// they are missing.
pub fn plan_maps(uid_map: Option<&IdMap>, gid_map: Option<&IdMap>) -> Result<Maps, i32> {
    let (uid, gid) = (sys::getuid(), sys::getgid());
    let name = login_name(uid);
    let name = if name.is_empty() { None } else { Some(&name[..]) };
    let mut path = PathBuf::new();
    let situation = Situation {
        uid,
        gid,
        subuid: subid_range(c"/etc/subuid", name, uid),
        subgid: subid_range(c"/etc/subgid", name, uid),
        helpers: find_helper(b"newuidmap", &mut path) && find_helper(b"newgidmap", &mut path),
        uid_map,
        gid_map,
    };
    let (current_uid, current_gid) = if uid == 0 {
        (procfs::own_id_map(c"/proc/self/uid_map"), procfs::own_id_map(c"/proc/self/gid_map"))
    } else {
        Default::default()
    };
    let (maps, missing) = choose_maps(&situation, &current_uid, &current_gid);
    match missing {
        Some(why) if maps.writer == Writer::Helpers => {
            say(b"cannot write the maps given: {}", &[why]);
            Err(EXIT_FAILURE)
        }
        Some(why) => {
            let mut line = Line::message();
            line.add(b"warning: ").add(why).add(b"; mapping only uid ").num(uid as u64);
            line.add(b" and gid ").num(gid as u64).add(b" to root");
            if situation.subuid.is_none() || situation.subgid.is_none() {
                // The fix needs root: a range of ids no other user has.
                line.add(b" (for a range: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ");
                match name {
                    Some(name) => line.add(name),
                    None => line.num(uid as u64),
                };
                line.add(b", as root)");
            }
            line.send();
            Ok(maps)
        }
        None => Ok(maps),
    }
}

/// The caller's own ids mapped onto themselves (isolate, unprivileged).
pub fn self_maps() -> Maps {
    let one = |id| {
        let mut map = IdMap::new();
        let _ = map.push(MapLine { inner: id, outer: id, count: 1 });
        map
    };
    Maps { uid: one(sys::getuid()), gid: one(sys::getgid()), writer: Writer::Own, become_root: false }
}

/// `/proc/PID/FILE` (or `/proc/self/FILE` for pid 0).
/// Writes the maps of `pid`'s user namespace (0: our own) directly, as
/// root from the parent namespace or, for `Writer::Own`, from anywhere.
/// Err is the exit status after the message.
fn write_direct(pid: i32, maps: &Maps) -> Result<(), i32> {
    let mut path = PathBuf::new();
    if maps.writer == Writer::Own {
        // Since Linux 3.19 an unprivileged gid_map needs setgroups denied
        // first (CVE-2014-8989).
        let file = path.proc_path(pid, b"/setgroups", &[]);
        sys::write_file(&sys::CWD, file, b"deny").map_err(|e| fail(b"cannot write ", file.to_bytes(), e))?;
    }
    for (map, name) in [(&maps.gid, &b"gid_map"[..]), (&maps.uid, &b"uid_map"[..])] {
        let mut text = heapless::Vec::<u8, 512>::new();
        ids::format_map(map, &mut text);
        let file = path.proc_path(pid, b"/{}", &[name]);
        sys::write_file(&sys::CWD, file, &text).map_err(|e| fail(b"cannot write ", file.to_bytes(), e))?;
    }
    Ok(())
}

/// Starts `newuidmap PID ARGS...` (or newgidmap) with its stderr on
/// `said`; returns its pid.
fn start_helper(helper: &[u8], pid: i32, map: &[MapLine], said: &Fd) -> Result<i32, i32> {
    let mut path = PathBuf::new();
    if !find_helper(helper, &mut path) {
        say(b"{} not found", &[helper]);
        return Err(EXIT_FAILURE);
    }
    let mut pid_text = Line::new();
    pid_text.num(pid as u64).add(b"\0");
    let mut args_text = heapless::Vec::<u8, 256>::new();
    ids::helper_args(map, &mut args_text);
    let mut argv = CStrArray::<24>::new();
    argv.push(path.as_cstr().unwrap_or(c""));
    argv.push(sys::cstr_until_nul(pid_text.text()).unwrap_or(c"0"));
    let mut rest = &args_text[..];
    while let Some(arg) = sys::cstr_until_nul(rest) {
        argv.push(arg);
        rest = &rest[arg.to_bytes().len() + 1..];
    }
    let child = sys::fork().map_err(|e| fail(b"cannot fork ", helper, e))?;
    if child == 0 {
        sys::set_mask(sys::SigSet(0));
        let _ = sys::dup_onto(said, 2);
        let e = sys::execve(path.as_cstr().unwrap_or(c""), argv.list(), CStrArray::<1>::new().list());
        sys::exit(fail(b"cannot execute ", helper, e));
    }
    Ok(child)
}

/// Ok for a helper that exited 0; else `NAME: HELPER failed: exit status
/// N` (or `killed by signal N`, or `lost` when it could not be waited
/// for) and Err(1).
pub fn helper_ended(helper: &[u8], how: Result<Exit, Errno>) -> Result<(), i32> {
    let mut line = Line::message();
    line.add(helper).add(b" failed: ");
    match how {
        Ok(Exit::Code(0)) => return Ok(()),
        Ok(Exit::Code(code)) => line.add(b"exit status ").num(code as u64),
        Ok(Exit::Signal(sig)) => line.add(b"killed by signal ").num(sig as u64),
        Err(_) => line.add(b"lost"),
    };
    line.send();
    Err(EXIT_FAILURE)
}

/// Writes the maps of the user namespace of `pid`, a child or parent of
/// ours that has just entered it, from our (parent) namespace. The two
/// helpers run at the same time: they write different files.
pub fn write_maps(pid: i32, maps: &Maps) -> Result<(), i32> {
    write_maps_nesting(pid, maps, false).map(drop)
}

/// `write_maps`, with SPEC §4's nesting fallback when `fallback` allows
/// it: where both helpers fail to write the default row's maps (the
/// caller is inside another tool's one-id user namespace, as bubblewrap
/// makes, where setuid grants nothing), the caller's own ids instead, with
/// one warning naming the helper's error. Some(those maps) when taken.
pub fn write_maps_nesting(pid: i32, maps: &Maps, fallback: bool) -> Result<Option<Maps>, i32> {
    if maps.writer != Writer::Helpers {
        return write_direct(pid, maps).map(|()| None);
    }
    // What the helpers say is held back until we know whether it matters.
    let (said_r, said_w) = sys::pipe().map_err(|e| fail(b"cannot create pipe", b"", e))?;
    let uid_helper = start_helper(b"newuidmap", pid, &maps.uid, &said_w)?;
    let gid_helper = start_helper(b"newgidmap", pid, &maps.gid, &said_w);
    drop(said_w);
    let uid_how = sys::wait(uid_helper);
    let gid_how = sys::wait(gid_helper?);
    let mut text = [0u8; 1024];
    let len = sys::read_full(&said_r, &mut text).unwrap_or(0);
    let said = &text[..len];
    let failed = |how: &Result<Exit, Errno>| *how != Ok(Exit::Code(0));
    match own_ids_instead(maps).filter(|_| fallback && failed(&uid_how) && failed(&gid_how)) {
        Some(own) => {
            // newuidmap's line, without its `newuidmap: ` (the two
            // helpers' lines come in either order); else the first one.
            let mut lines = said.split(|&b| b == b'\n');
            let first = lines.clone().next().unwrap_or_default();
            let why = lines.find_map(|line| after(line, b"newuidmap: ")).unwrap_or(first);
            let mut line = Line::message();
            line.add(b"warning: newuidmap failed (");
            match why.is_empty() {
                true => line.add(b"no message"),
                false => line.add(why),
            };
            let ids = (own.uid[0].outer as u64, own.gid[0].outer as u64);
            line.add(b"); mapping only uid ").num(ids.0).add(b" and gid ").num(ids.1).add(b" to root");
            line.send();
            write_direct(pid, &own)?;
            Ok(Some(own))
        }
        None => {
            let _ = sys::write_all(&sys::STDERR, said);
            let uid_written = helper_ended(b"newuidmap", uid_how);
            helper_ended(b"newgidmap", gid_how).and(uid_written).map(|()| None)
        }
    }
}

/// The fallback row of SPEC §4 for `maps` of the default unprivileged row
/// (`0 U 1` and `1 S C`): `0 U 1` alone, written by the caller itself.
/// None for other maps (a MAP given is written as given, or not at all).
pub fn own_ids_instead(maps: &Maps) -> Option<Maps> {
    if maps.writer != Writer::Helpers || maps.become_root {
        return None;
    }
    let first = |map: &IdMap| map.iter().take(1).copied().collect::<IdMap>();
    Some(Maps { uid: first(&maps.uid), gid: first(&maps.gid), writer: Writer::Own, become_root: false })
}

/// Inside the new namespace, once mapped: become its root (SPEC §4, root rows).
pub fn become_root(maps: &Maps) -> Result<(), i32> {
    if !maps.become_root {
        return Ok(());
    }
    // setgroups is denied in a namespace whose gid_map its owner wrote;
    // an id 0 that a MAP leaves unmapped cannot be taken (EINVAL): the
    // process then stays the overflow id.
    let _ = sys::clear_groups();
    match sys::setgid(0).and_then(|_| sys::setuid(0)) {
        Ok(()) => Ok(()),
        // No root inside: files made before CMD runs (the /dev nodes) are
        // made as the lowest ids mapped, since the overflow id cannot own
        // a file (EOVERFLOW); execve then leaves file access to the euid.
        Err(sys::Errno::EINVAL) => {
            if let (Some(uid), Some(gid)) =
                (maps.uid.iter().map(|l| l.inner).min(), maps.gid.iter().map(|l| l.inner).min())
            {
                sys::setfsgid(gid);
                sys::setfsuid(uid);
            }
            Ok(())
        }
        Err(e) => Err(fail(b"cannot become root in the user namespace", b"", e)),
    }
}

/// The maps of the container's own user namespace, which the mounter
/// makes and maps (SPEC §4, "Where the container's mounts are made"): for
/// host root, whose mounter stays in the initial namespace, the table's
/// maps themselves; for an unprivileged caller, whose mounter is root of
/// an outer namespace with the table's maps, every id of that namespace
/// onto itself, so that inside /proc/self/uid_map reads `0 0 N` while the
/// host still sees the table's map. Either way the init then becomes root.
pub fn nested_maps(maps: &Maps) -> Maps {
    if maps.writer == Writer::Parent {
        return Maps { uid: maps.uid.clone(), gid: maps.gid.clone(), writer: Writer::Parent, become_root: true };
    }
    let identity =
        |map: &IdMap| map.iter().map(|l| MapLine { inner: l.inner, outer: l.inner, count: l.count }).collect();
    Maps { uid: identity(&maps.uid), gid: identity(&maps.gid), writer: Writer::Parent, become_root: true }
}

/// unshare(CLONE_NEWUSER) for this very process, then its maps: `Own`
/// maps are written by ourselves; the others by a child left in the parent
/// namespace, forked before and released once we have unshared.
pub fn unshare_user(maps: &Maps) -> Result<(), i32> {
    let unshare = |flags| sys::unshare(flags).map_err(|e| fail(b"cannot create user namespace", b"", e));
    if maps.writer == Writer::Own {
        unshare(sys::CLONE_NEWUSER)?;
        write_direct(0, maps)?;
        return become_root(maps);
    }
    let (ready_r, ready_w) = sys::pipe().map_err(|e| fail(b"cannot create pipe", b"", e))?;
    let parent = sys::getpid();
    let writer = sys::fork().map_err(|e| fail(b"cannot fork", b"", e))?;
    if writer == 0 {
        drop(ready_w);
        let mut go = [0u8; 1];
        // End of file without the byte: the parent failed and said so.
        if sys::read_full(&ready_r, &mut go) != Ok(1) {
            sys::exit(EXIT_FAILURE);
        }
        sys::exit(match write_maps_nesting(parent, maps, true) {
            Ok(_) => 0,
            Err(status) => status,
        });
    }
    drop(ready_r);
    let unshared = unshare(sys::CLONE_NEWUSER);
    if unshared.is_ok() {
        let _ = sys::write_all(&ready_w, b"1");
    }
    drop(ready_w);
    let written = sys::wait(writer);
    unshared?;
    match written {
        Ok(Exit::Code(0)) => become_root(maps),
        _ => Err(EXIT_FAILURE),
    }
}

/// A `-u MAP` or `-g MAP` value, parsed into `map`; Err after saying
/// which entry is wrong and why.
#[allow(clippy::result_unit_err)]
pub fn map_option(value: &CStr, map: &mut Option<IdMap>) -> Result<(), ()> {
    match ids::parse_map(value.to_bytes()) {
        Ok(parsed) => *map = Some(parsed),
        Err((entry, why)) => {
            say(b"bad map entry '{}': {}", &[entry, why]);
            return Err(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ml(inner: u32, outer: u32, count: u32) -> MapLine {
        MapLine { inner, outer, count }
    }

    fn map(lines: &[MapLine]) -> IdMap {
        lines.iter().copied().collect()
    }

    fn situation(uid: u32, ranges: bool, helpers: bool) -> Situation<'static> {
        let range = ranges.then_some(Range { start: 200000, count: 65536 });
        Situation { uid, gid: uid, subuid: range, subgid: range, helpers, uid_map: None, gid_map: None }
    }

    const TOP_LEVEL: [MapLine; 1] = [MapLine { inner: 0, outer: 0, count: 4294967295 }];

    /// Every row of the SPEC §4 table, chosen from the caller's situation.
    #[test]
    fn each_row_of_the_map_table() {
        // unprivileged, range and helpers: 0 U 1 + 1 S C through the helpers
        let (m, why) = choose_maps(&situation(4000, true, true), &[], &[]);
        assert_eq!(
            (&m.uid[..], m.writer == Writer::Helpers, why),
            (&[ml(0, 4000, 1), ml(1, 200000, 65536)][..], true, None)
        );
        // unprivileged, no range: only its own ids, written by itself, and why
        let (m, why) = choose_maps(&situation(4000, false, true), &[], &[]);
        assert_eq!((&m.uid[..], m.writer == Writer::Own), (&[ml(0, 4000, 1)][..], true));
        assert_eq!(why, Some(&b"no range in /etc/subuid"[..]));
        // unprivileged, no helper
        let (m, why) = choose_maps(&situation(4000, true, false), &[], &[]);
        assert_eq!((&m.gid[..], m.writer == Writer::Own), (&[ml(0, 4000, 1)][..], true));
        assert_eq!(why, Some(&b"newuidmap or newgidmap not found"[..]));
        // root with a range inside its namespace
        let (m, why) = choose_maps(&situation(0, true, true), &TOP_LEVEL, &TOP_LEVEL);
        assert_eq!(
            (&m.uid[..], m.writer == Writer::Parent, m.become_root, why),
            (&[ml(0, 200000, 65536)][..], true, true, None)
        );
        // root without a range: the block at the top of the id space
        let (m, _) = choose_maps(&situation(0, false, true), &TOP_LEVEL, &TOP_LEVEL);
        assert_eq!(&m.uid[..], &[ml(0, 4294967294, 1), ml(1, 4294901759, 65535)]);
        // root whose range lies outside its (nested) namespace: the default
        let nested = [ml(0, 1000, 1), ml(1, 100000, 65536)];
        let (m, _) = choose_maps(&situation(0, true, true), &nested, &nested);
        assert_eq!(&m.uid[..], &[ml(0, 65536, 1), ml(1, 1, 65535)]);
    }

    #[test]
    fn a_map_given_replaces_the_row() {
        let given = map(&[ml(0, 100000, 1000)]);
        // root: exactly the MAP for uids, the default row for gids
        let s = Situation { uid_map: Some(&given), ..situation(0, false, true) };
        let (m, _) = choose_maps(&s, &TOP_LEVEL, &TOP_LEVEL);
        assert_eq!((&m.uid[..], &m.gid[..]), (&given[..], &[ml(0, 4294967294, 1), ml(1, 4294901759, 65535)][..]));
        // unprivileged: through the helpers even without ranges, and as root inside
        let s = Situation { gid_map: Some(&given), ..situation(4000, false, true) };
        let (m, why) = choose_maps(&s, &[], &[]);
        assert_eq!((m.writer == Writer::Helpers, m.become_root, why), (true, true, None));
        assert_eq!((&m.uid[..], &m.gid[..]), (&[ml(0, 4000, 1)][..], &given[..]));
        // unprivileged without the helpers: the MAP cannot be written
        let s = Situation { uid_map: Some(&given), ..situation(4000, true, false) };
        let (m, why) = choose_maps(&s, &[], &[]);
        assert_eq!((m.writer == Writer::Helpers, why.is_some()), (true, true));
    }
}

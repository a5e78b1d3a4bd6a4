//! The state directory (SPEC §3): one record per running container, so
//! `inject NAME` and `list` find it and `inject` gives its command the
//! container's own sandbox. `/run/ucontain` for root; for other users
//! `$XDG_RUNTIME_DIR/ucontain`, else `/run/user/UID/ucontain` where that
//! directory exists, else `/tmp/ucontain-UID`, made 0700 and refused when
//! another user owns it.
//!
//! A record is private to ucontain and versioned by its first line: a
//! field is `NAME LENGTH\n`, the LENGTH bytes, `\n`, so a DIR and a
//! system call filter are stored as they are. It is written to a
//! temporary name and linked to its id (link(2) never replaces: that is
//! what keeps ids unique), readable by its owner only, and removed when
//! the container ends or, when its supervisor is gone, by the next
//! contain, inject or list.

use crate::out::{fail, fail_with, say, Line};
use crate::path::PathBuf;
use crate::procfs::{is_same_process, start_time};
use crate::sys::{self, CStrList, Errno, Fd, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY};
use crate::text::{decimal, parse_pid, parse_u64};
use core::ffi::CStr;

const VERSION_LINE: &[u8] = b"ucontain state 1\n";
/// The longest record: the fields, and a filter of BPF_MAXINSNS (4096)
/// instructions of 8 bytes.
pub const RECORD_MAX: usize = 4096 * 8 + 8192;
/// The longest id (SPEC §5.5, `--name`).
pub const ID_MAX: usize = 64;

/// What a record says of a running container.
#[derive(Default)]
pub struct Record<'a> {
    /// Its `--name`, OCI id, or its supervisor's pid.
    pub id: &'a [u8],
    /// The applet that made it (`contain`, `oci`).
    pub applet: &'a [u8],
    pub supervisor: i32,
    /// The supervisor's and the init's start times (clock ticks after
    /// boot), so a reused pid is never taken for theirs.
    pub supervisor_start: u64,
    pub init: i32,
    pub init_start: u64,
    /// DIR, or the OCI bundle.
    pub dir: &'a [u8],
    /// The container's cgroup in the unified hierarchy (empty: none).
    pub cgroup: &'a [u8],
    /// The sandbox: the capability bounding set, no_new_privs, and the
    /// system call filter as `struct sock_filter`s (empty: none).
    pub bounding: u64,
    pub no_new_privs: bool,
    pub seccomp: &'a [u8],
    pub seccomp_flags: u32,
    /// Its host interface (`--veth`; empty: none), deleted with a stale
    /// record: the kernel keeps it while anything holds the container's
    /// network namespace.
    pub veth: &'a [u8],
}

/// A record in a buffer of its own, as read.
pub struct RecordBuf([u8; RECORD_MAX]);

impl RecordBuf {
    pub fn new() -> RecordBuf {
        RecordBuf([0; RECORD_MAX])
    }
}

impl Default for RecordBuf {
    fn default() -> Self {
        Self::new()
    }
}

/// Why the state directory cannot be used: `what` failed on `path` with
/// `errno`, or (None) another user owns it.
pub struct Unusable<'p> {
    pub what: &'static [u8],
    pub path: &'p [u8],
    pub errno: Option<Errno>,
}

impl Unusable<'_> {
    /// The reason, added to `line`: `cannot create P: E`, or `P belongs to
    /// another user`.
    pub fn tell(&self, line: &mut Line) {
        match self.errno {
            Some(e) => line.add(self.what).add(self.path).add(b": ").errno(e),
            None => line.add(self.path).add(b" belongs to another user"),
        };
    }
}

/// The open state directory.
pub struct StateDir {
    pub dir: Fd,
}

impl StateDir {
    /// Opens the caller's state directory, making it when missing. Err is
    /// the exit status after the message.
    pub fn open(env: CStrList) -> Result<StateDir, i32> {
        let mut path = PathBuf::new();
        StateDir::try_open(env, &mut path).map_err(|why| {
            let mut line = Line::message();
            why.tell(&mut line);
            line.send();
            crate::out::EXIT_FAILURE
        })
    }

    /// `open` without a message: why it cannot be used, for the caller to
    /// say (an error, or a warning where a container runs without one).
    pub fn try_open<'p>(env: CStrList, path: &'p mut PathBuf) -> Result<StateDir, Unusable<'p>> {
        let uid = sys::getuid();
        let Some(path) = path_of(env, uid, path) else {
            return Err(Unusable {
                what: b"cannot name ",
                path: b"the state directory",
                errno: Some(Errno::ENAMETOOLONG),
            });
        };
        let mut made = sys::mkdirat(&sys::CWD, path, 0o700);
        // An initramfs or a rescue shell's root may have no /run yet: root
        // makes it (0755, as the FHS has it), where the root is writable.
        if made == Err(Errno::ENOENT) && uid == 0 && sys::mkdirat(&sys::CWD, c"/run", 0o755).is_ok() {
            made = sys::mkdirat(&sys::CWD, path, 0o700);
        }
        match made {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(Unusable { what: b"cannot create ", path: path.to_bytes(), errno: Some(e) }),
        }
        StateDir::open_owned(path, uid).map_err(|errno| Unusable {
            what: b"cannot open ",
            path: path.to_bytes(),
            errno,
        })
    }

    /// The caller's state directory where it exists and is the caller's,
    /// made by no one and said of nowhere: what `inject` reads.
    pub fn existing(env: CStrList) -> Option<StateDir> {
        let uid = sys::getuid();
        let mut path = PathBuf::new();
        StateDir::open_owned(path_of(env, uid, &mut path)?, uid).ok()
    }

    /// The directory `path`, not followed if a symlink; Err(None) when
    /// `uid` does not own it.
    fn open_owned(path: &CStr, uid: u32) -> Result<StateDir, Option<Errno>> {
        let dir = sys::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)?;
        if sys::fstat(&dir)?.uid != uid {
            return Err(None);
        }
        Ok(StateDir { dir })
    }

    /// The state directory `path` (the OCI runtime's `--root DIR`), made
    /// with its parents when missing. Err is the exit status after the
    /// message.
    #[cfg(feature = "oci")]
    pub fn at(path: &[u8]) -> Result<StateDir, i32> {
        let mut buf = PathBuf::new();
        let full = buf.join(b"", path).ok_or_else(|| fail(b"cannot open ", path, Errno::ENAMETOOLONG))?;
        let mut part = PathBuf::new();
        for (i, _) in path.iter().enumerate().filter(|&(i, &b)| b == b'/' && i > 0) {
            if let Some(dir) = part.join(b"", &path[..i]) {
                let _ = sys::mkdirat(&sys::CWD, dir, 0o711);
            }
        }
        match sys::mkdirat(&sys::CWD, full, 0o700) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(fail(b"cannot create ", path, e)),
        }
        StateDir::open_owned(full, sys::getuid()).map_err(|e| match e {
            Some(e) => fail(b"cannot open ", path, e),
            None => {
                say(b"{} belongs to another user", &[path]);
                crate::out::EXIT_FAILURE
            }
        })
    }

    /// For host root: the state directory of user `uid`, where it is
    /// without an environment to tell (`/run/user/UID/ucontain`, else
    /// `/tmp/ucontain-UID`), when that user owns it.
    pub fn of_user(uid: u32) -> Option<StateDir> {
        let mut uid_text = [0; 20];
        let uid_text = decimal(u64::from(uid), &mut uid_text);
        let mut path = PathBuf::new();
        let run_user = path.concat(&[b"/run/user/", uid_text, b"/ucontain"])?;
        if let Ok(state) = StateDir::open_owned(run_user, uid) {
            return Some(state);
        }
        StateDir::open_owned(path.concat(&[b"/tmp/ucontain-", uid_text])?, uid).ok()
    }

    /// Writes `record` under its id. Err(EEXIST) when a running container
    /// has that id (a stale record is replaced); other errors after the
    /// message.
    pub fn add(&self, record: &Record) -> Result<(), Errno> {
        let mut buf = RecordBuf::new();
        let len = encode(record, &mut buf.0).ok_or(Errno::ENAMETOOLONG)?;
        let mut tmp_name = PathBuf::new();
        let tmp =
            tmp_name.concat(&[b".new-", decimal(sys::getpid() as u64, &mut [0; 20])]).ok_or(Errno::ENAMETOOLONG)?;
        let mut id_name = PathBuf::new();
        let id = id_name.join(b"", record.id).ok_or(Errno::ENAMETOOLONG)?;
        let _ = sys::unlink_at(&self.dir, tmp);
        let written = sys::openat(&self.dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
            .and_then(|file| sys::write_all(&file, &buf.0[..len]));
        let mut linked = written.and_then(|()| sys::link_at(&self.dir, tmp, &self.dir, id));
        if linked == Err(Errno::EEXIST) && self.remove_if_stale(id) {
            linked = sys::link_at(&self.dir, tmp, &self.dir, id);
        }
        let _ = sys::unlink_at(&self.dir, tmp);
        linked
    }

    /// Whether the marker `name` (a name starting with `.`, which no record
    /// has) was not there yet; it is now. For what is said once per state
    /// directory. True too when it cannot be made: said again, then.
    pub fn first_time(&self, name: &CStr) -> bool {
        sys::openat(&self.dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600).err() != Some(Errno::EEXIST)
    }

    /// Removes the record `id`.
    pub fn remove(&self, id: &[u8]) {
        if let Some(name) = PathBuf::new().join(b"", id) {
            let _ = sys::unlink_at(&self.dir, name);
        }
    }

    /// Reads the record `name` into `buf`; None when there is none (or it
    /// is not a record of this version).
    pub fn read<'b>(&self, name: &CStr, buf: &'b mut RecordBuf) -> Option<Record<'b>> {
        let file = sys::openat(&self.dir, name, O_RDONLY | O_NOFOLLOW, 0).ok()?;
        let len = sys::read_full(&file, &mut buf.0).ok()?;
        decode(buf.0.get(..len)?)
    }

    /// Removes the record `name` when its supervisor is gone; true when it
    /// did (or there was no record).
    fn remove_if_stale(&self, name: &CStr) -> bool {
        let mut buf = RecordBuf::new();
        let record = self.read(name, &mut buf);
        let alive = record.as_ref().is_some_and(kept);
        if !alive {
            self.remove_stale_record(name, record.as_ref());
        }
        !alive
    }

    /// Removes the record `name` of a container whose supervisor is gone
    /// (SIGKILL: nothing of it ran), and what it left on the host.
    fn remove_stale_record(&self, name: &CStr, record: Option<&Record>) {
        self.remove_leftovers(record);
        let _ = sys::unlink_at(&self.dir, name);
    }

    /// What a container whose supervisor is gone left on the host that
    /// outlives it: its host interface (`--veth`), which the kernel keeps
    /// while anything holds the container's network namespace.
    fn remove_leftovers(&self, record: Option<&Record>) {
        // Only host root makes them (--veth), and only host root's own
        // records are believed: host root also reads users' directories
        // (inject), whose records their owners can write, and must not
        // delete a host interface one of them names.
        let trusted = || sys::getuid() == 0 && sys::fstat(&self.dir).is_ok_and(|st| st.uid == 0);
        if let Some(veth) = record.map(|r| r.veth).filter(|veth| !veth.is_empty() && trusted()) {
            let _ = sys::delete_link(veth);
        }
    }

    /// Removes every record whose supervisor is gone, and temporary files
    /// of writers that are gone; calls `f` with each record of a running
    /// container (its file's name, and it).
    pub fn each_running(&self, f: &mut dyn FnMut(&CStr, &Record)) {
        while self.remove_stale() {}
        let mut buf = RecordBuf::new();
        let _ = sys::rewind(&self.dir);
        let _ = sys::each_entry(&self.dir, &mut |name, _| {
            if name.to_bytes().first().is_some_and(|&b| b != b'.') {
                if let Some(record) = self.read(name, &mut buf) {
                    f(name, &record);
                }
            }
        });
    }

    /// Removes up to 64 stale records and temporary files (see
    /// `each_running`); true when there may be more. They are unlinked
    /// after the directory is read: unlinking while getdents(2) reads
    /// would make it skip entries.
    fn remove_stale(&self) -> bool {
        let mut stale: heapless::Vec<heapless::Vec<u8, { ID_MAX + 8 }>, 64> = heapless::Vec::new();
        let mut more = false;
        let mut buf = RecordBuf::new();
        let _ = sys::rewind(&self.dir);
        let _ = sys::each_entry(&self.dir, &mut |name, _| {
            let bytes = name.to_bytes();
            let gone = match bytes.strip_prefix(b".new-") {
                Some(writer) => parse_pid(writer).is_some_and(|pid| start_time(pid).is_none()),
                None if bytes.first().is_none_or(|&b| b == b'.') => false,
                None => match self.read(name, &mut buf) {
                    Some(r) if kept(&r) => false,
                    record => {
                        self.remove_leftovers(record.as_ref());
                        true
                    }
                },
            };
            // (A name longer than an id is none of ours: left alone.)
            let mut copy = heapless::Vec::new();
            if gone && copy.extend_from_slice(name.to_bytes_with_nul()).is_ok() {
                more |= stale.push(copy).is_err();
            }
        });
        for name in &stale {
            if let Some(name) = sys::cstr_until_nul(name) {
                let _ = sys::unlink_at(&self.dir, name);
            }
        }
        more
    }
}

/// Where the state directory of `uid` is (see the module's comment).
fn path_of<'p>(env: CStrList, uid: u32, path: &'p mut PathBuf) -> Option<&'p CStr> {
    let mut uid_text = [0; 20];
    let uid_text = decimal(u64::from(uid), &mut uid_text);
    let mut run_user = PathBuf::new();
    match env.var(b"XDG_RUNTIME_DIR").filter(|dir| dir.starts_with(b"/")) {
        _ if uid == 0 => path.concat(&[b"/run/ucontain"]),
        Some(runtime) => path.join(runtime, b"ucontain"),
        None => match run_user.join(b"/run/user", uid_text) {
            Some(dir) if sys::stat(dir).is_ok() => path.join(dir.to_bytes(), b"ucontain"),
            _ => path.concat(&[b"/tmp/ucontain-", uid_text]),
        },
    }
}

/// Whether a record stays: while its supervisor runs; an OCI container's
/// (SPEC §7), whose runtime does not stay, until `oci delete`.
fn kept(r: &Record) -> bool {
    r.applet == b"oci" || is_same_process(r.supervisor, r.supervisor_start)
}

/// The record whose id is `id`, or (for a pid) whose supervisor or init is
/// that process, among the running containers of `state`, into `buf`.
pub fn find<'b>(state: &StateDir, id: &[u8], buf: &'b mut RecordBuf) -> Option<Record<'b>> {
    let pid = parse_pid(id);
    let mut found: heapless::Vec<u8, { ID_MAX + 8 }> = heapless::Vec::new();
    state.each_running(&mut |name, r| {
        let by_pid =
            pid.is_some_and(|pid| r.supervisor == pid || (r.init == pid && is_same_process(r.init, r.init_start)));
        if found.is_empty() && (r.id == id || by_pid) {
            let _ = found.extend_from_slice(name.to_bytes_with_nul());
        }
    });
    let name = sys::cstr_until_nul(&found)?;
    state.read(name, buf)
}

/// The fields of a record, in the order it holds them; those after the
/// first REQUIRED may be missing (a record of an older ucontain).
const FIELDS: [&[u8]; 13] = [
    b"id",
    b"applet",
    b"supervisor",
    b"supervisor_start",
    b"init",
    b"init_start",
    b"dir",
    b"cgroup",
    b"bounding",
    b"no_new_privs",
    b"seccomp",
    b"seccomp_flags",
    b"veth",
];
const REQUIRED: usize = 12;

/// `record` as its file holds it, in `out`; None when it does not fit.
#[inline(never)]
fn encode(r: &Record, out: &mut [u8]) -> Option<usize> {
    let mut numbers = [[0u8; 20]; 6];
    let [a, b, c, d, e, f] = &mut numbers;
    let values: [&[u8]; 13] = [
        r.id,
        r.applet,
        decimal(r.supervisor as u64, a),
        decimal(r.supervisor_start, b),
        decimal(r.init as u64, c),
        decimal(r.init_start, d),
        r.dir,
        r.cgroup,
        decimal(r.bounding, e),
        if r.no_new_privs { b"1" } else { b"0" },
        r.seccomp,
        decimal(u64::from(r.seccomp_flags), f),
        r.veth,
    ];
    let mut len = 0;
    let mut put = |bytes: &[u8]| -> Option<()> {
        out.get_mut(len..len + bytes.len())?.copy_from_slice(bytes);
        len += bytes.len();
        Some(())
    };
    put(VERSION_LINE)?;
    for (name, value) in FIELDS.iter().zip(values) {
        for part in [name, &b" "[..], decimal(value.len() as u64, &mut [0; 20]), b"\n", value, b"\n"] {
            put(part)?;
        }
    }
    Some(len)
}

/// The record `text` holds; None when it is not one of this version.
#[inline(never)]
fn decode(text: &[u8]) -> Option<Record<'_>> {
    let mut rest = text.strip_prefix(VERSION_LINE)?;
    let mut values: [&[u8]; 13] = [b""; 13];
    for (i, (name, value)) in FIELDS.iter().zip(values.iter_mut()).enumerate() {
        if i >= REQUIRED && rest.is_empty() {
            break;
        }
        let header = rest.strip_prefix(*name)?.strip_prefix(b" ")?;
        let newline = header.iter().position(|&b| b == b'\n')?;
        let len = parse_u64(&header[..newline])? as usize;
        let field = header.get(newline + 1..)?;
        *value = field.get(..len)?;
        rest = field.get(len..)?.strip_prefix(b"\n")?;
    }
    let [id, applet, supervisor, supervisor_start, init, init_start, dir, cgroup, bounding, no_new_privs, seccomp, seccomp_flags, veth] =
        values;
    Some(Record {
        id,
        applet,
        supervisor: parse_u64(supervisor)? as i32,
        supervisor_start: parse_u64(supervisor_start)?,
        init: parse_u64(init)? as i32,
        init_start: parse_u64(init_start)?,
        dir,
        cgroup,
        bounding: parse_u64(bounding)?,
        no_new_privs: no_new_privs == b"1",
        seccomp,
        seccomp_flags: u32::try_from(parse_u64(seccomp_flags)?).ok()?,
        veth,
    })
}

/// The message for an id a running container already has.
pub fn taken(id: &[u8]) -> i32 {
    say(b"a container named {} is running", &[id]);
    crate::out::EXIT_FAILURE
}

/// The message for a record that could not be written.
pub fn not_recorded(id: &[u8], e: Errno) -> i32 {
    fail_with(b"cannot record container {} in the state directory", &[id], e)
}

/// A start time for a process that must exist (ours, our child's): 0 when
/// /proc cannot tell, which no record then matches.
pub fn started(pid: i32) -> u64 {
    start_time(pid).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let filter = [0x06u8, 0, 0, 0, 0, 0, 0xff, 0x7f, b'\n', 0];
        let record = Record {
            id: b"web",
            applet: b"contain",
            supervisor: 4242,
            supervisor_start: 123456,
            init: 4243,
            init_start: 123457,
            dir: b"/srv/a dir\nwith a newline",
            cgroup: b"/sys/fs/cgroup/unified/ucontain-web",
            bounding: 0x1_ffff_ffff,
            no_new_privs: true,
            seccomp: &filter,
            seccomp_flags: 4,
            veth: b"ve-web",
        };
        let mut buf = [0u8; 1024];
        let len = encode(&record, &mut buf).unwrap();
        let back = decode(&buf[..len]).unwrap();
        assert_eq!(back.id, b"web");
        assert_eq!(back.applet, b"contain");
        assert_eq!((back.supervisor, back.supervisor_start, back.init, back.init_start), (4242, 123456, 4243, 123457));
        assert_eq!(back.dir, record.dir);
        assert_eq!(back.cgroup, record.cgroup);
        assert_eq!((back.bounding, back.no_new_privs), (0x1_ffff_ffff, true));
        assert_eq!((back.seccomp, back.seccomp_flags), (&filter[..], 4));
        assert_eq!(back.veth, b"ve-web");
        // A record without the newer fields (an older ucontain's).
        let old = b"ucontain state 1\nid 1\nx\napplet 7\ncontain\nsupervisor 1\n5\nsupervisor_start 1\n6\ninit 1\n7\ninit_start 1\n8\ndir 1\n/\ncgroup 0\n\nbounding 1\n0\nno_new_privs 1\n0\nseccomp 0\n\nseccomp_flags 1\n0\n";
        let back = decode(old).unwrap();
        assert_eq!((back.id, back.supervisor, back.init, back.veth), (&b"x"[..], 5, 7, &b""[..]));
        // Too small a buffer, a cut record, another version: nothing.
        assert!(encode(&record, &mut [0u8; 64]).is_none());
        assert!(decode(&buf[..len - 1]).is_none());
        assert!(decode(b"ucontain state 2\nid 1\nx\n").is_none());
        assert!(decode(b"ucontain state 1\nid 9\nx\n").is_none());
    }
}

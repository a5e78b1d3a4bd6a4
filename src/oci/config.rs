//! An OCI bundle's config.json (and `exec --process`'s process JSON) read
//! into what ucontain builds, by the heapless scanner of `json.rs`: no
//! copy of the document; the strings that become C strings (paths,
//! arguments, the environment) are decoded once into a text arena
//! (`Text`), and named there by `Span`s. Unknown fields are ignored, as
//! the runtime spec says; a field ucontain does not implement but the spec
//! requires a runtime to honour is an error naming it, as is a value of
//! the wrong type. Every error names the field (`process.user.uid`) and
//! the byte where the scanner stopped.

use crate::ids::{IdMap, MapLine};
use crate::json::{self, Kind, Scanner, Str};
use crate::sys::{
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS,
};
use core::ffi::CStr;

pub const MAX_ARGS: usize = 4096;
pub const MAX_ENV: usize = 1024;
pub const MAX_MOUNTS: usize = 64;
pub const MAX_PATHS: usize = 64;
pub const MAX_GROUPS: usize = 64;
pub const MAX_RLIMITS: usize = 16;
pub const MAX_SYSCTLS: usize = 64;
/// The decoded strings of one document.
pub const TEXT_MAX: usize = 256 * 1024;

/// What is wrong: `field` (a dotted path, `mounts[].options`), `what`, and
/// where the scanner stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub field: &'static [u8],
    pub what: &'static [u8],
    pub at: usize,
}

type Result<T> = core::result::Result<T, ConfigError>;

/// A json::Result for `field`.
fn at<T>(field: &'static [u8], r: json::Result<T>) -> Result<T> {
    r.map_err(|e| ConfigError { field, what: e.what, at: e.at })
}

fn bad<T>(field: &'static [u8], what: &'static [u8], s: &Scanner) -> Result<T> {
    Err(ConfigError { field, what, at: s.pos() })
}

/// A decoded string in the arena: `len` bytes at `at`, then a NUL.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Span {
    at: u32,
    len: u32,
}

/// The arena of decoded strings.
pub struct Text {
    buf: [u8; TEXT_MAX],
    len: usize,
}

impl Text {
    fn add(&mut self, s: Str, field: &'static [u8], scanner: &Scanner) -> Result<Span> {
        let start = self.len;
        for b in s.bytes() {
            if b == 0 {
                return bad(field, b"a NUL character in a string", scanner);
            }
            self.push(b, field, scanner)?;
        }
        self.push(0, field, scanner)?;
        Ok(Span { at: start as u32, len: (self.len - start - 1) as u32 })
    }

    fn push(&mut self, b: u8, field: &'static [u8], scanner: &Scanner) -> Result<()> {
        match self.buf.get_mut(self.len) {
            Some(to) => *to = b,
            None => return bad(field, b"too much text (256 KiB of strings)", scanner),
        }
        self.len += 1;
        Ok(())
    }

    /// The string `span` names, as a C string.
    pub fn cstr(&self, span: Span) -> &CStr {
        let end = (span.at + span.len) as usize;
        crate::sys::cstr_until_nul(&self.buf[span.at as usize..=end]).unwrap_or(c"")
    }

    pub fn bytes(&self, span: Span) -> &[u8] {
        &self.buf[span.at as usize..(span.at + span.len) as usize]
    }
}

/// The five capability sets, bit N for capability N.
#[derive(Clone, Copy, Default, Debug)]
pub struct Caps {
    pub bounding: u64,
    pub effective: u64,
    pub inheritable: u64,
    pub permitted: u64,
    pub ambient: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Rlimit {
    pub resource: u32,
    pub soft: u64,
    pub hard: u64,
}

/// A process: config.json's `process`, or exec's process JSON.
pub struct Process {
    pub args: heapless::Vec<Span, MAX_ARGS>,
    pub env: heapless::Vec<Span, MAX_ENV>,
    pub cwd: Span,
    pub terminal: bool,
    pub uid: u32,
    pub gid: u32,
    pub umask: Option<u32>,
    pub groups: heapless::Vec<u32, MAX_GROUPS>,
    pub caps: Caps,
    pub rlimits: heapless::Vec<Rlimit, MAX_RLIMITS>,
    pub no_new_privileges: bool,
    pub oom_score_adj: Option<i64>,
}

impl Process {
    pub fn new() -> Process {
        Process {
            args: heapless::Vec::new(),
            env: heapless::Vec::new(),
            cwd: Span::default(),
            terminal: false,
            uid: 0,
            gid: 0,
            umask: None,
            groups: heapless::Vec::new(),
            caps: Caps::default(),
            rlimits: heapless::Vec::new(),
            no_new_privileges: false,
            oom_score_adj: None,
        }
    }
}

impl Default for Process {
    fn default() -> Self {
        Self::new()
    }
}

/// One of `mounts`.
#[derive(Clone, Copy, Default, Debug)]
pub struct Mount {
    pub destination: Span,
    pub source: Span,
    pub fstype: Span,
    /// The options that are not flags, comma-separated: the mount's data.
    pub data: Span,
    pub flags: u32,
    pub propagation: u32,
    pub copy_up: bool,
}

/// `linux.resources`, as far as ucontain sets them (`None`: not given).
#[derive(Default, Debug)]
pub struct Resources {
    pub memory_limit: Option<i64>,
    pub memory_swap: Option<i64>,
    pub pids_limit: Option<i64>,
    pub cpu_shares: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<u64>,
    /// `devices`: the device rules in order, each allowing (true) or
    /// denying a cgroup v1 rule line (`c 1:3 rwm`, `a *:* rwm`).
    pub devices: heapless::Vec<(bool, Span), 64>,
}

/// Byte ranges of the document kept as JSON (the seccomp profile,
/// annotations).
pub type Raw = (usize, usize);

/// What config.json asks for.
pub struct Config {
    pub text: Text,
    pub oci_version: Span,
    pub process: Process,
    pub root: Span,
    pub root_readonly: bool,
    pub hostname: Option<Span>,
    pub domainname: Option<Span>,
    pub mounts: heapless::Vec<Mount, MAX_MOUNTS>,
    /// The namespaces to make (CLONE_NEW*), and those to join by path.
    pub namespaces: u32,
    pub join: heapless::Vec<(u32, Span), 8>,
    pub uid_map: IdMap,
    pub gid_map: IdMap,
    pub masked: heapless::Vec<Span, MAX_PATHS>,
    pub readonly: heapless::Vec<Span, MAX_PATHS>,
    pub sysctl: heapless::Vec<(Span, Span), MAX_SYSCTLS>,
    pub cgroups_path: Option<Span>,
    pub resources: Resources,
    pub seccomp: Option<Raw>,
    pub annotations: Option<Raw>,
    pub rootfs_propagation: u32,
}

impl Config {
    pub fn new() -> Config {
        Config {
            text: Text { buf: [0; TEXT_MAX], len: 0 },
            oci_version: Span::default(),
            process: Process::new(),
            root: Span::default(),
            root_readonly: false,
            hostname: None,
            domainname: None,
            mounts: heapless::Vec::new(),
            namespaces: 0,
            join: heapless::Vec::new(),
            uid_map: IdMap::new(),
            gid_map: IdMap::new(),
            masked: heapless::Vec::new(),
            readonly: heapless::Vec::new(),
            sysctl: heapless::Vec::new(),
            cgroups_path: None,
            resources: Resources::default(),
            seccomp: None,
            annotations: None,
            rootfs_propagation: 0,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::new()
    }
}

// mount(2)'s flags (linux/mount.h).
pub const MS_RDONLY: u32 = 1;
const MS_NOSUID: u32 = 2;
const MS_NODEV: u32 = 4;
const MS_NOEXEC: u32 = 8;
const MS_SYNCHRONOUS: u32 = 16;
const MS_REMOUNT: u32 = 32;
const MS_MANDLOCK: u32 = 64;
const MS_DIRSYNC: u32 = 128;
const MS_NOSYMFOLLOW: u32 = 256;
const MS_NOATIME: u32 = 1024;
const MS_NODIRATIME: u32 = 2048;
pub const MS_BIND: u32 = 4096;
pub const MS_REC: u32 = 16384;
const MS_SILENT: u32 = 32768;
const MS_POSIXACL: u32 = 1 << 16;
pub const MS_UNBINDABLE: u32 = 1 << 17;
pub const MS_PRIVATE: u32 = 1 << 18;
pub const MS_SLAVE: u32 = 1 << 19;
pub const MS_SHARED: u32 = 1 << 20;
const MS_RELATIME: u32 = 1 << 21;
const MS_I_VERSION: u32 = 1 << 23;
const MS_STRICTATIME: u32 = 1 << 24;
const MS_LAZYTIME: u32 = 1 << 25;

/// mount(8)'s options that are flags: (name, whether it clears the flag, flag).
const FLAG_OPTIONS: [(&[u8], bool, u32); 32] = [
    (b"defaults", false, 0),
    (b"ro", false, MS_RDONLY),
    (b"rw", true, MS_RDONLY),
    (b"nosuid", false, MS_NOSUID),
    (b"suid", true, MS_NOSUID),
    (b"nodev", false, MS_NODEV),
    (b"dev", true, MS_NODEV),
    (b"noexec", false, MS_NOEXEC),
    (b"exec", true, MS_NOEXEC),
    (b"sync", false, MS_SYNCHRONOUS),
    (b"async", true, MS_SYNCHRONOUS),
    (b"dirsync", false, MS_DIRSYNC),
    (b"remount", false, MS_REMOUNT),
    (b"mand", false, MS_MANDLOCK),
    (b"nomand", true, MS_MANDLOCK),
    (b"noatime", false, MS_NOATIME),
    (b"atime", true, MS_NOATIME),
    (b"nodiratime", false, MS_NODIRATIME),
    (b"diratime", true, MS_NODIRATIME),
    (b"relatime", false, MS_RELATIME),
    (b"norelatime", true, MS_RELATIME),
    (b"strictatime", false, MS_STRICTATIME),
    (b"nostrictatime", true, MS_STRICTATIME),
    (b"lazytime", false, MS_LAZYTIME),
    (b"nolazytime", true, MS_LAZYTIME),
    (b"bind", false, MS_BIND),
    (b"rbind", false, MS_BIND | MS_REC),
    (b"silent", false, MS_SILENT),
    (b"loud", true, MS_SILENT),
    (b"iversion", false, MS_I_VERSION),
    (b"noiversion", true, MS_I_VERSION),
    (b"nosymfollow", false, MS_NOSYMFOLLOW),
];

/// The propagation options: (name, flags).
const PROPAGATION: [(&[u8], u32); 8] = [
    (b"private", MS_PRIVATE),
    (b"rprivate", MS_PRIVATE | MS_REC),
    (b"shared", MS_SHARED),
    (b"rshared", MS_SHARED | MS_REC),
    (b"slave", MS_SLAVE),
    (b"rslave", MS_SLAVE | MS_REC),
    (b"unbindable", MS_UNBINDABLE),
    (b"runbindable", MS_UNBINDABLE | MS_REC),
];

/// The flags of ACL support (`acl`, `noacl`), which mount(8) passes as a flag.
const ACL: [(&[u8], bool, u32); 2] = [(b"acl", false, MS_POSIXACL), (b"noacl", true, MS_POSIXACL)];

/// The namespace types (config-linux.md, "Namespaces").
const NAMESPACES: [(&[u8], u32); 8] = [
    (b"pid", CLONE_NEWPID),
    (b"network", CLONE_NEWNET),
    (b"mount", CLONE_NEWNS),
    (b"ipc", CLONE_NEWIPC),
    (b"uts", CLONE_NEWUTS),
    (b"user", CLONE_NEWUSER),
    (b"cgroup", CLONE_NEWCGROUP),
    (b"time", CLONE_NEWTIME),
];

/// The resource limits by name, numbered as getrlimit(2) numbers them.
const RLIMITS: [&[u8]; 16] = [
    b"RLIMIT_CPU",
    b"RLIMIT_FSIZE",
    b"RLIMIT_DATA",
    b"RLIMIT_STACK",
    b"RLIMIT_CORE",
    b"RLIMIT_RSS",
    b"RLIMIT_NPROC",
    b"RLIMIT_NOFILE",
    b"RLIMIT_MEMLOCK",
    b"RLIMIT_AS",
    b"RLIMIT_LOCKS",
    b"RLIMIT_SIGPENDING",
    b"RLIMIT_MSGQUEUE",
    b"RLIMIT_NICE",
    b"RLIMIT_RTPRIO",
    b"RLIMIT_RTTIME",
];

/// The raw range of the value at the scanner's position, skipped.
fn raw(s: &mut Scanner, field: &'static [u8]) -> Result<Raw> {
    at(field, s.peek())?;
    let start = s.pos();
    at(field, s.skip())?;
    Ok((start, s.pos()))
}

/// Whether the next value is `null` (then read): an absent field.
fn null(s: &mut Scanner, field: &'static [u8]) -> Result<bool> {
    at(field, s.null())
}

fn string(s: &mut Scanner, text: &mut Text, field: &'static [u8]) -> Result<Span> {
    let value = at(field, s.string())?;
    text.add(value, field, s)
}

fn boolean(s: &mut Scanner, field: &'static [u8]) -> Result<bool> {
    at(field, s.bool())
}

fn u32_of(s: &mut Scanner, field: &'static [u8]) -> Result<u32> {
    let n = at(field, s.u64())?;
    u32::try_from(n).or_else(|_| bad(field, b"more than 4294967295", s))
}

/// A whole number that may be negative (-1: unlimited, in resources).
fn i64_of(s: &mut Scanner, field: &'static [u8]) -> Result<i64> {
    let start = s.pos();
    let text = at(field, s.number())?;
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, text),
    };
    let mut n: i64 = 0;
    for &d in digits {
        let next = n.checked_mul(10).and_then(|n| n.checked_add(d.wrapping_sub(b'0') as i64));
        match next {
            Some(next) if d.is_ascii_digit() => n = next,
            _ => return Err(ConfigError { field, what: b"expected a whole number", at: start }),
        }
    }
    Ok(if negative { -n } else { n })
}

/// An array of strings, each with `each`.
fn strings(
    s: &mut Scanner,
    text: &mut Text,
    field: &'static [u8],
    each: &mut dyn FnMut(Span, &Text, &Scanner) -> Result<()>,
) -> Result<()> {
    if null(s, field)? {
        return Ok(());
    }
    at(field, s.array())?;
    while at(field, s.item())? {
        let span = string(s, text, field)?;
        each(span, text, s)?;
    }
    Ok(())
}

/// Pushes into a fixed list, or says it is full.
fn push<T, const N: usize>(list: &mut heapless::Vec<T, N>, v: T, field: &'static [u8], s: &Scanner) -> Result<()> {
    list.push(v).or_else(|_| bad(field, b"too many entries", s))
}

/// A set of capabilities by name.
fn caps(s: &mut Scanner, field: &'static [u8]) -> Result<u64> {
    let mut set = 0;
    if null(s, field)? {
        return Ok(0);
    }
    at(field, s.array())?;
    while at(field, s.item())? {
        let name = at(field, s.string())?;
        let mut buf = [0u8; 40];
        let known = name.decode(&mut buf).and_then(|n| crate::caps::parse_caps(n).ok());
        match known {
            Some(cap) if cap != crate::caps::ALL => set |= cap,
            _ => return bad(field, b"an unknown capability", s),
        }
    }
    Ok(set)
}

/// Reads the object at the scanner's position, calling `f` with each key
/// (the value next); a key `f` does not read (false) is skipped. `null`
/// is an absent object.
fn object(s: &mut Scanner, field: &'static [u8], f: &mut dyn FnMut(Str, &mut Scanner) -> Result<bool>) -> Result<()> {
    if null(s, field)? {
        return Ok(());
    }
    at(field, s.object())?;
    while let Some(key) = at(field, s.key())? {
        if !f(key, s)? {
            at(field, s.skip())?;
        }
    }
    Ok(())
}

/// `process`, or exec's process JSON (a whole document).
pub fn read_process(s: &mut Scanner, text: &mut Text, p: &mut Process) -> Result<()> {
    object(s, b"process", &mut |key, s| {
        match () {
            _ if key.is(b"terminal") => p.terminal = boolean(s, b"process.terminal")?,
            _ if key.is(b"args") => {
                p.args.clear();
                strings(s, text, b"process.args", &mut |span, _, s| push(&mut p.args, span, b"process.args", s))?;
            }
            _ if key.is(b"env") => {
                p.env.clear();
                strings(s, text, b"process.env", &mut |span, _, s| push(&mut p.env, span, b"process.env", s))?;
            }
            _ if key.is(b"cwd") => p.cwd = string(s, text, b"process.cwd")?,
            _ if key.is(b"user") => object(s, b"process.user", &mut |key, s| {
                match () {
                    _ if key.is(b"uid") => p.uid = u32_of(s, b"process.user.uid")?,
                    _ if key.is(b"gid") => p.gid = u32_of(s, b"process.user.gid")?,
                    _ if key.is(b"umask") => p.umask = Some(u32_of(s, b"process.user.umask")?),
                    _ if key.is(b"additionalGids") => {
                        let field = b"process.user.additionalGids";
                        p.groups.clear();
                        if !null(s, field)? {
                            at(field, s.array())?;
                            while at(field, s.item())? {
                                let gid = u32_of(s, field)?;
                                push(&mut p.groups, gid, field, s)?;
                            }
                        }
                    }
                    _ if key.is(b"username") => {
                        at(b"process.user.username", s.string())?;
                    }
                    _ => return Ok(false),
                }
                Ok(true)
            })?,
            _ if key.is(b"capabilities") => object(s, b"process.capabilities", &mut |key, s| {
                let set = match () {
                    _ if key.is(b"bounding") => &mut p.caps.bounding,
                    _ if key.is(b"effective") => &mut p.caps.effective,
                    _ if key.is(b"inheritable") => &mut p.caps.inheritable,
                    _ if key.is(b"permitted") => &mut p.caps.permitted,
                    _ if key.is(b"ambient") => &mut p.caps.ambient,
                    _ => return Ok(false),
                };
                *set = caps(s, b"process.capabilities")?;
                Ok(true)
            })?,
            _ if key.is(b"rlimits") => {
                let field = b"process.rlimits";
                p.rlimits.clear();
                if !null(s, field)? {
                    at(field, s.array())?;
                    while at(field, s.item())? {
                        let mut limit = Rlimit { resource: u32::MAX, soft: 0, hard: 0 };
                        object(s, field, &mut |key, s| {
                            match () {
                                _ if key.is(b"type") => {
                                    let name = at(b"process.rlimits[].type", s.string())?;
                                    match RLIMITS.iter().position(|r| name.is(r)) {
                                        Some(i) => limit.resource = i as u32,
                                        None => return bad(b"process.rlimits[].type", b"an unknown limit", s),
                                    }
                                }
                                _ if key.is(b"soft") => limit.soft = at(b"process.rlimits[].soft", s.u64())?,
                                _ if key.is(b"hard") => limit.hard = at(b"process.rlimits[].hard", s.u64())?,
                                _ => return Ok(false),
                            }
                            Ok(true)
                        })?;
                        if limit.resource == u32::MAX {
                            return bad(b"process.rlimits[].type", b"missing", s);
                        }
                        push(&mut p.rlimits, limit, field, s)?;
                    }
                }
            }
            _ if key.is(b"noNewPrivileges") => p.no_new_privileges = boolean(s, b"process.noNewPrivileges")?,
            _ if key.is(b"oomScoreAdj") => {
                if !null(s, b"process.oomScoreAdj")? {
                    p.oom_score_adj = Some(i64_of(s, b"process.oomScoreAdj")?);
                }
            }
            _ if key.is(b"apparmorProfile") => {
                let profile = at(b"process.apparmorProfile", s.string())?;
                if !profile.raw().is_empty() {
                    return bad(b"process.apparmorProfile", b"AppArmor profiles are not supported", s);
                }
            }
            _ if key.is(b"selinuxLabel") => {
                let label = at(b"process.selinuxLabel", s.string())?;
                if !label.raw().is_empty() {
                    return bad(b"process.selinuxLabel", b"SELinux labels are not supported", s);
                }
            }
            _ if key.is(b"ioPriority") || key.is(b"scheduler") || key.is(b"execCPUAffinity") => {
                return bad(b"process", b"ioPriority, scheduler and execCPUAffinity are not supported", s);
            }
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// The options of one mount into its flags, propagation and data.
fn mount_options(s: &mut Scanner, text: &mut Text, m: &mut Mount) -> Result<()> {
    const FIELD: &[u8] = b"mounts[].options";
    if null(s, FIELD)? {
        return Ok(());
    }
    at(FIELD, s.array())?;
    let start = text.len;
    while at(FIELD, s.item())? {
        let option = at(FIELD, s.string())?;
        if let Some(&(_, clear, flag)) = FLAG_OPTIONS.iter().chain(&ACL).find(|(name, ..)| option.is(name)) {
            if clear {
                m.flags &= !flag;
            } else {
                m.flags |= flag;
            }
            continue;
        }
        if let Some(&(_, flags)) = PROPAGATION.iter().find(|(name, _)| option.is(name)) {
            m.propagation = flags;
            continue;
        }
        if option.is(b"tmpcopyup") {
            m.copy_up = true;
            continue;
        }
        // The recursive forms of mount_setattr(2) (`rro`, `rnosuid`, ...).
        let recursive = FLAG_OPTIONS.iter().any(|(name, ..)| {
            option.raw().first() == Some(&b'r') && option.raw().len() == name.len() + 1 && option.raw()[1..] == **name
        });
        if recursive {
            return bad(FIELD, b"recursive mount attributes (rro, rnosuid, ...) are not supported", s);
        }
        // Anything else is the file system's: the mount's data.
        if text.len > start {
            text.push(b',', FIELD, s)?;
        }
        for b in option.bytes() {
            if b == 0 || b == b',' {
                return bad(FIELD, b"a NUL or comma in an option", s);
            }
            text.push(b, FIELD, s)?;
        }
    }
    let len = text.len - start;
    text.push(0, FIELD, s)?;
    m.data = Span { at: start as u32, len: len as u32 };
    Ok(())
}

fn read_mounts(s: &mut Scanner, c: &mut Config) -> Result<()> {
    const FIELD: &[u8] = b"mounts";
    if null(s, FIELD)? {
        return Ok(());
    }
    at(FIELD, s.array())?;
    while at(FIELD, s.item())? {
        let mut m = Mount::default();
        let text = &mut c.text;
        object(s, FIELD, &mut |key, s| {
            match () {
                _ if key.is(b"destination") => m.destination = string(s, text, b"mounts[].destination")?,
                _ if key.is(b"source") => m.source = string(s, text, b"mounts[].source")?,
                _ if key.is(b"type") => m.fstype = string(s, text, b"mounts[].type")?,
                _ if key.is(b"options") => mount_options(s, text, &mut m)?,
                _ if key.is(b"uidMappings") || key.is(b"gidMappings") => {
                    if !null(s, b"mounts[].uidMappings")? {
                        return bad(b"mounts[].uidMappings", b"idmapped mounts are not supported", s);
                    }
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if m.destination.len == 0 || c.text.bytes(m.destination)[0] != b'/' {
            return bad(b"mounts[].destination", b"not an absolute path", s);
        }
        if c.text.bytes(m.fstype) == b"bind" || c.text.bytes(m.fstype) == b"rbind" {
            m.flags |= MS_BIND;
        }
        push(&mut c.mounts, m, FIELD, s)?;
    }
    Ok(())
}

fn read_maps(s: &mut Scanner, field: &'static [u8], map: &mut IdMap) -> Result<()> {
    if null(s, field)? {
        return Ok(());
    }
    at(field, s.array())?;
    while at(field, s.item())? {
        let mut line = MapLine { inner: 0, outer: 0, count: 0 };
        object(s, field, &mut |key, s| {
            match () {
                _ if key.is(b"containerID") => line.inner = u32_of(s, field)?,
                _ if key.is(b"hostID") => line.outer = u32_of(s, field)?,
                _ if key.is(b"size") => line.count = u32_of(s, field)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        push(map, line, field, s)?;
    }
    Ok(())
}

fn read_resources(s: &mut Scanner, text: &mut Text, r: &mut Resources) -> Result<()> {
    object(s, b"linux.resources", &mut |key, s| {
        match () {
            _ if key.is(b"memory") => object(s, b"linux.resources.memory", &mut |key, s| {
                const F: &[u8] = b"linux.resources.memory";
                match () {
                    _ if key.is(b"limit") => r.memory_limit = (!null(s, F)?).then(|| i64_of(s, F)).transpose()?,
                    _ if key.is(b"swap") => r.memory_swap = (!null(s, F)?).then(|| i64_of(s, F)).transpose()?,
                    _ if key.is(b"reservation") || key.is(b"kernel") || key.is(b"kernelTCP") => {
                        at(F, s.skip())?;
                    }
                    _ if key.is(b"swappiness") || key.is(b"disableOOMKiller") => {
                        at(F, s.skip())?;
                    }
                    _ => return Ok(false),
                }
                Ok(true)
            })?,
            _ if key.is(b"pids") => object(s, b"linux.resources.pids", &mut |key, s| {
                if !key.is(b"limit") {
                    return Ok(false);
                }
                r.pids_limit = Some(i64_of(s, b"linux.resources.pids.limit")?);
                Ok(true)
            })?,
            _ if key.is(b"cpu") => object(s, b"linux.resources.cpu", &mut |key, s| {
                const F: &[u8] = b"linux.resources.cpu";
                match () {
                    _ if key.is(b"shares") => r.cpu_shares = (!null(s, F)?).then(|| at(F, s.u64())).transpose()?,
                    _ if key.is(b"quota") => r.cpu_quota = (!null(s, F)?).then(|| i64_of(s, F)).transpose()?,
                    _ if key.is(b"period") => r.cpu_period = (!null(s, F)?).then(|| at(F, s.u64())).transpose()?,
                    _ if key.is(b"cpus") || key.is(b"mems") => {
                        let value = at(F, s.string())?;
                        if !value.raw().is_empty() {
                            return bad(b"linux.resources.cpu.cpus", b"cpusets are not supported", s);
                        }
                    }
                    _ if key.is(b"realtimeRuntime") || key.is(b"realtimePeriod") => {
                        return bad(b"linux.resources.cpu.realtimeRuntime", b"not supported", s);
                    }
                    _ => return Ok(false),
                }
                Ok(true)
            })?,
            _ if key.is(b"devices") => {
                const F: &[u8] = b"linux.resources.devices";
                if !null(s, F)? {
                    at(F, s.array())?;
                    while at(F, s.item())? {
                        let mut allow = false;
                        let mut kind = b'a';
                        let (mut major, mut minor) = (None, None);
                        let mut access = [0u8; 3];
                        let mut access_len = 0;
                        object(s, F, &mut |key, s| {
                            match () {
                                _ if key.is(b"allow") => allow = boolean(s, F)?,
                                _ if key.is(b"type") => {
                                    let t = at(F, s.string())?;
                                    kind = match t.raw() {
                                        b"a" | b"" => b'a',
                                        b"c" => b'c',
                                        b"b" => b'b',
                                        _ => return bad(b"linux.resources.devices[].type", b"not a, b or c", s),
                                    };
                                }
                                _ if key.is(b"major") => major = (!null(s, F)?).then(|| i64_of(s, F)).transpose()?,
                                _ if key.is(b"minor") => minor = (!null(s, F)?).then(|| i64_of(s, F)).transpose()?,
                                _ if key.is(b"access") => {
                                    let a = at(F, s.string())?;
                                    if a.raw().len() > 3 || !a.raw().iter().all(|b| b"rwm".contains(b)) {
                                        return bad(b"linux.resources.devices[].access", b"not of r, w, m", s);
                                    }
                                    access_len = a.raw().len();
                                    access[..access_len].copy_from_slice(a.raw());
                                }
                                _ => return Ok(false),
                            }
                            Ok(true)
                        })?;
                        // The cgroup v1 rule line: TYPE MAJOR:MINOR ACCESS
                        // (cgroup-v1/devices.rst), `*` for any number.
                        let start = text.len;
                        let mut line = heapless::Vec::<u8, 64>::new();
                        let number = |n: Option<i64>, line: &mut heapless::Vec<u8, 64>| match n {
                            Some(n) if n >= 0 => {
                                let _ = line.extend_from_slice(crate::text::decimal(n as u64, &mut [0; 20]));
                            }
                            _ => {
                                let _ = line.push(b'*');
                            }
                        };
                        let _ = line.push(kind);
                        let _ = line.push(b' ');
                        number(major, &mut line);
                        let _ = line.push(b':');
                        number(minor, &mut line);
                        let _ = line.push(b' ');
                        let _ = line.extend_from_slice(if access_len == 0 { b"rwm" } else { &access[..access_len] });
                        for &b in &line {
                            text.push(b, F, s)?;
                        }
                        text.push(0, F, s)?;
                        let span = Span { at: start as u32, len: line.len() as u32 };
                        push(&mut r.devices, (allow, span), F, s)?;
                    }
                }
            }
            _ if key.is(b"blockIO") || key.is(b"hugepageLimits") || key.is(b"network") || key.is(b"rdma") => {
                if !null(s, b"linux.resources")? {
                    let start = s.pos();
                    at(b"linux.resources", s.skip())?;
                    // An empty object or list asks for nothing.
                    if s.pos() - start > 2 {
                        return Err(ConfigError {
                            field: b"linux.resources",
                            what: b"blockIO, hugepageLimits, network and rdma are not supported",
                            at: start,
                        });
                    }
                }
            }
            _ if key.is(b"unified") => {
                if !null(s, b"linux.resources.unified")? {
                    let (start, end) = raw(s, b"linux.resources.unified")?;
                    if end - start > 2 {
                        return Err(ConfigError {
                            field: b"linux.resources.unified",
                            what: b"not supported",
                            at: start,
                        });
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    })
}

fn read_linux(s: &mut Scanner, c: &mut Config) -> Result<()> {
    object(s, b"linux", &mut |key, s| {
        let text = &mut c.text;
        match () {
            _ if key.is(b"namespaces") => {
                const F: &[u8] = b"linux.namespaces";
                if !null(s, F)? {
                    at(F, s.array())?;
                    while at(F, s.item())? {
                        let (mut flag, mut path) = (0, None);
                        object(s, F, &mut |key, s| {
                            match () {
                                _ if key.is(b"type") => {
                                    let kind = at(b"linux.namespaces[].type", s.string())?;
                                    match NAMESPACES.iter().find(|(name, _)| kind.is(name)) {
                                        Some(&(_, f)) => flag = f,
                                        None => return bad(b"linux.namespaces[].type", b"an unknown namespace", s),
                                    }
                                }
                                _ if key.is(b"path") => {
                                    let p = string(s, text, b"linux.namespaces[].path")?;
                                    path = (p.len > 0).then_some(p);
                                }
                                _ => return Ok(false),
                            }
                            Ok(true)
                        })?;
                        if flag == 0 {
                            return bad(b"linux.namespaces[].type", b"missing", s);
                        }
                        match path {
                            Some(_) if flag == CLONE_NEWUSER || flag == CLONE_NEWNS => {
                                return bad(
                                    b"linux.namespaces[].path",
                                    b"joining a user or mount namespace is not supported",
                                    s,
                                )
                            }
                            Some(p) => push(&mut c.join, (flag, p), F, s)?,
                            None => c.namespaces |= flag,
                        }
                    }
                }
            }
            _ if key.is(b"uidMappings") => read_maps(s, b"linux.uidMappings", &mut c.uid_map)?,
            _ if key.is(b"gidMappings") => read_maps(s, b"linux.gidMappings", &mut c.gid_map)?,
            _ if key.is(b"sysctl") => object(s, b"linux.sysctl", &mut |key, s| {
                let name = text.add(key, b"linux.sysctl", s)?;
                let value = string(s, text, b"linux.sysctl")?;
                push(&mut c.sysctl, (name, value), b"linux.sysctl", s)?;
                Ok(true)
            })?,
            _ if key.is(b"resources") => read_resources(s, text, &mut c.resources)?,
            _ if key.is(b"cgroupsPath") => c.cgroups_path = Some(string(s, text, b"linux.cgroupsPath")?),
            _ if key.is(b"seccomp") => {
                if !null(s, b"linux.seccomp")? {
                    c.seccomp = Some(raw(s, b"linux.seccomp")?);
                }
            }
            _ if key.is(b"maskedPaths") => {
                strings(s, text, b"linux.maskedPaths", &mut |p, _, s| push(&mut c.masked, p, b"linux.maskedPaths", s))?
            }
            _ if key.is(b"readonlyPaths") => strings(s, text, b"linux.readonlyPaths", &mut |p, _, s| {
                push(&mut c.readonly, p, b"linux.readonlyPaths", s)
            })?,
            _ if key.is(b"rootfsPropagation") => {
                let name = at(b"linux.rootfsPropagation", s.string())?;
                match PROPAGATION.iter().find(|(n, _)| name.is(n)) {
                    Some(&(_, flags)) => c.rootfs_propagation = flags,
                    None if name.raw().is_empty() => {}
                    None => return bad(b"linux.rootfsPropagation", b"an unknown propagation", s),
                }
            }
            _ if key.is(b"devices") => {
                if !null(s, b"linux.devices")? {
                    let (start, end) = raw(s, b"linux.devices")?;
                    if end - start > 2 {
                        return Err(ConfigError {
                            field: b"linux.devices",
                            what: b"devices are not supported yet",
                            at: start,
                        });
                    }
                }
            }
            _ if key.is(b"mountLabel") => {
                let label = at(b"linux.mountLabel", s.string())?;
                if !label.raw().is_empty() {
                    return bad(b"linux.mountLabel", b"SELinux labels are not supported", s);
                }
            }
            _ if key.is(b"intelRdt") || key.is(b"personality") => {
                return bad(b"linux", b"intelRdt and personality are not supported", s);
            }
            _ if key.is(b"timeOffsets") => return bad(b"linux.timeOffsets", b"not supported yet", s),
            _ => return Ok(false),
        }
        Ok(true)
    })
}

/// Reads config.json, `src`, into `c`.
pub fn read_config(src: &[u8], c: &mut Config) -> Result<()> {
    let mut s = Scanner::new(src);
    if at(b"config.json", s.peek())? != Kind::Object {
        return bad(b"config.json", b"expected an object", &s);
    }
    object(&mut s, b"config.json", &mut |key, s| {
        match () {
            _ if key.is(b"ociVersion") => c.oci_version = string(s, &mut c.text, b"ociVersion")?,
            _ if key.is(b"process") => read_process(s, &mut c.text, &mut c.process)?,
            _ if key.is(b"root") => object(s, b"root", &mut |key, s| {
                match () {
                    _ if key.is(b"path") => c.root = string(s, &mut c.text, b"root.path")?,
                    _ if key.is(b"readonly") => c.root_readonly = boolean(s, b"root.readonly")?,
                    _ => return Ok(false),
                }
                Ok(true)
            })?,
            _ if key.is(b"hostname") => c.hostname = Some(string(s, &mut c.text, b"hostname")?),
            _ if key.is(b"domainname") => c.domainname = Some(string(s, &mut c.text, b"domainname")?),
            _ if key.is(b"mounts") => read_mounts(s, c)?,
            _ if key.is(b"linux") => read_linux(s, c)?,
            _ if key.is(b"annotations") => {
                if !null(s, b"annotations")? {
                    if at(b"annotations", s.peek())? != Kind::Object {
                        return bad(b"annotations", b"expected an object", s);
                    }
                    c.annotations = Some(raw(s, b"annotations")?);
                }
            }
            _ if key.is(b"hooks") => {
                if !null(s, b"hooks")? {
                    let (start, end) = raw(s, b"hooks")?;
                    if end - start > 2 {
                        return Err(ConfigError { field: b"hooks", what: b"hooks are not supported yet", at: start });
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    at(b"config.json", s.end())?;
    let version = c.text.bytes(c.oci_version);
    if !version.starts_with(b"1.") {
        return bad(b"ociVersion", b"not a 1.x version", &s);
    }
    if c.root.len == 0 {
        return bad(b"root.path", b"missing", &s);
    }
    if c.process.args.is_empty() {
        return bad(b"process.args", b"missing or empty", &s);
    }
    if c.process.cwd.len == 0 || c.text.bytes(c.process.cwd)[0] != b'/' {
        return bad(b"process.cwd", b"not an absolute path", &s);
    }
    if c.hostname.is_some_and(|h| h.len > 0) && c.namespaces & CLONE_NEWUTS == 0 {
        return bad(b"hostname", b"a host name needs a new UTS namespace", &s);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &str) -> (Box<Config>, Result<()>) {
        let mut c = Box::new(Config::new());
        let r = read_config(src.as_bytes(), &mut c);
        (c, r)
    }

    const MINIMAL: &str = r#"{"ociVersion":"1.0.2","process":{"args":["/bin/sh","-c","echo \"hi\"\u00e9"],"cwd":"/","env":["A=1"]},"root":{"path":"rootfs"}}"#;

    #[test]
    fn a_minimal_config() {
        let (c, r) = read(MINIMAL);
        assert_eq!(r, Ok(()));
        let args: Vec<&[u8]> = c.process.args.iter().map(|a| c.text.bytes(*a)).collect();
        assert_eq!(args, [&b"/bin/sh"[..], b"-c", "echo \"hi\"é".as_bytes()]);
        assert_eq!(c.text.cstr(c.root), c"rootfs");
        assert_eq!(c.text.cstr(c.process.env[0]), c"A=1");
    }

    #[test]
    fn the_captured_configs() {
        for name in
            ["podman-4.3-run-d", "podman-4.3-default-config", "podman-4.3-privileged", "containerd-1.6-ctr-run-d"]
        {
            let path = format!("{}/../shared/oci-captures/{name}.config.json", env!("CARGO_MANIFEST_DIR"));
            let Ok(src) = std::fs::read(&path) else { continue };
            let mut c = Box::new(Config::new());
            let read = read_config(&src, &mut c);
            // --privileged lists the host's devices: not yet.
            if name.contains("privileged") {
                assert_eq!(read.map_err(|e| e.field), Err(&b"linux.devices"[..]));
                continue;
            }
            assert_eq!(read, Ok(()), "{name}");
            assert_eq!(c.seccomp.is_some(), name.starts_with("podman"), "{name}");
        }
        let path = format!("{}/../shared/oci-captures/podman-4.3-run-d.config.json", env!("CARGO_MANIFEST_DIR"));
        if let Ok(src) = std::fs::read(&path) {
            let mut c = Box::new(Config::new());
            read_config(&src, &mut c).unwrap();
            assert_eq!(c.namespaces, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
            assert_eq!(c.join.len(), 1);
            assert_eq!(c.mounts.len(), 11);
            let pts = &c.mounts[3];
            assert_eq!(c.text.bytes(pts.data), b"newinstance,ptmxmode=0666,mode=0620,gid=5");
            assert_eq!(pts.flags, MS_NOSUID | MS_NOEXEC);
            assert_eq!(c.process.caps.bounding.count_ones(), 11);
            assert_eq!(c.process.rlimits.len(), 2);
            assert_eq!(c.resources.pids_limit, Some(2048));
            let rules: Vec<_> =
                c.resources.devices.iter().map(|&(allow, l)| (allow, c.text.bytes(l).to_vec())).collect();
            assert_eq!(rules, [(false, b"a *:* rwm".to_vec())]);
        }
    }

    #[test]
    fn errors_name_the_field() {
        let field = |src: &str| read(src).1.err().map(|e| e.field);
        assert_eq!(field(r#"{"ociVersion":"1.0.0","process":{"args":"x"}}"#), Some(&b"process.args"[..]));
        assert_eq!(
            field(r#"{"ociVersion":"1.0.0","process":{"user":{"uid":-1}},"root":{"path":"r"}}"#),
            Some(&b"process.user.uid"[..])
        );
        assert_eq!(field(r#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"}}"#), Some(&b"root.path"[..]));
        assert_eq!(
            field(r#"{"ociVersion":"2.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"}}"#),
            Some(&b"ociVersion"[..])
        );
        assert_eq!(
            field(
                r#"{"ociVersion":"1.0.0","process":{"args":["a"],"cwd":"/"},"root":{"path":"r"},"linux":{"namespaces":[{"type":"pidx"}]}}"#
            ),
            Some(&b"linux.namespaces[].type"[..])
        );
        // Unknown fields are ignored, whatever they hold.
        let ok = r#"{"ociVersion":"1.0.0","x":{"y":[1,{}]},"process":{"args":["a"],"cwd":"/","z":null},"root":{"path":"r"}}"#;
        assert_eq!(read(ok).1, Ok(()));
        // Truncated anywhere: an error, never a panic.
        for end in 0..MINIMAL.len() {
            assert!(read_config(&MINIMAL.as_bytes()[..end], &mut Box::new(Config::new())).is_err(), "{end}");
        }
    }
}

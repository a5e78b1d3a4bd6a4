//! Root filesystem assembly and the in-process pivot. Every helper here
//! prints its own message where a step fails and returns exit status 1.

use crate::ns::{write_maps, Maps};
use crate::out::{fail, fail_with, say, Line, EXIT_FAILURE};
use crate::path::{fd_path, PathBuf};
use crate::procfs::each_mount;
use crate::sys::{
    self, Errno, Fd, MNT_DETACH, MOUNT_ATTR_NODEV, MOUNT_ATTR_RDONLY, MS_BIND, MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID,
    MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SLAVE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH,
};
use crate::text::{after, same};
use core::ffi::CStr;

pub use crate::out::Failed;

/// A step's result, with the message `NAME: cannot WHAT OBJECT: strerror`
/// when it failed (the two parts in registers, not an array at every call).
fn step<T>(r: Result<T, Errno>, what: &[u8], object: &[u8]) -> Result<T, Failed> {
    r.map_err(|e| fail(what, object, e))
}

/// With the working directory at the new root: pivot_root(".", ".") stacks
/// the old root on top of the new one (pivot_root(2), "NOTES"); making it a
/// slave stops the unmount from propagating to the host's mounts, and the
/// lazy unmount then removes the old root from this namespace for good.
/// This runs in our own process, before any program from the new root is
/// executed, so no library of the container runs while the host's root is
/// still reachable. `shown` is the new root as the user gave it.
pub fn detach_old_root(shown: &[u8]) -> Result<(), Failed> {
    if let Err(e) = sys::pivot_root(c".", c".") {
        // pivot_root(2), EINVAL: the current root is the rootfs (initramfs),
        // which can never be pivoted away from.
        if e == Errno::EINVAL && root_is_rootfs() {
            return Err(fail_with(
                b"cannot pivot to new root {}: the root is the initramfs (rootfs); use switch_root first",
                &[shown],
                e,
            ));
        }
        return Err(pivot_failed(shown, c".", e));
    }
    step(sys::mount(None, c".", None, MS_SLAVE | MS_REC, None), b"cannot disable old root mount propagation", b"")?;
    step(sys::umount2(c".", MNT_DETACH), b"cannot detach old root", b"")?;
    step(sys::chdir(c"/"), b"cannot change directory to /", b"")
}

/// The message for a pivot_root(2) of `new_root` (shown as `shown`) that
/// failed with `e`: where the new root is no mount point (EINVAL; EBUSY
/// when it is on the current root's mount), the rule and the way round it.
pub fn pivot_failed(shown: &[u8], new_root: &CStr, e: Errno) -> Failed {
    if matches!(e, Errno::EINVAL | Errno::EBUSY) && sys::stat(new_root).is_ok_and(|st| !st.mount_root) {
        let mut line = Line::message();
        line.fill(b"cannot pivot to new root {}: ", &[shown]).errno(e);
        line.fill(
            b" (pivot_root(2): NEW-ROOT must be a mount point; bind it onto itself first: mount --bind {} {})",
            &[shown, shown],
        );
        line.send();
        return EXIT_FAILURE;
    }
    fail(b"cannot pivot to new root ", shown, e)
}

/// Whether the comma-separated mount `options` include `name`; out of
/// line, as it is looked up for six flags and in the cgroup hierarchies.
#[inline(never)]
pub fn has_option(options: &[u8], name: &[u8]) -> bool {
    options.split(|&b| b == b',').any(|o| o == name)
}

/// Whether `/` is the initial ramfs (fstype `rootfs` in mountinfo).
pub fn root_is_rootfs() -> bool {
    each_mount(&mut |m| m.point == b"/" && same(m.fstype, b"rootfs"))
}

/// The mount point of mountinfo with its `\ooo` escapes decoded, as a C string.
fn unescape<'a>(point: &[u8], buf: &'a mut PathBuf) -> Option<&'a CStr> {
    let mut out = heapless::Vec::<u8, 4096>::new();
    let mut i = 0;
    while let Some(&b) = point.get(i) {
        let octal = point.get(i + 1..i + 4).filter(|d| b == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        let c = match octal {
            Some(d) => {
                i += 3;
                d.iter().fold(0u8, |v, c| v.wrapping_mul(8).wrapping_add(c - b'0'))
            }
            None => b,
        };
        out.push(c).ok()?;
        i += 1;
    }
    buf.join(b"", &out)
}

/// Whether the path `inner` is `outer` or below it.
fn is_below(inner: &[u8], outer: &[u8]) -> bool {
    match after(inner, outer) {
        Some(rest) => rest.is_empty() || outer == b"/" || rest.first() == Some(&b'/'),
        None => false,
    }
}

/// The per-mount options a remount keeps, with their flags.
static KEPT_OPTIONS: [(&[u8], u32); 6] = [
    (b"ro", MS_RDONLY),
    (b"nosuid", MS_NOSUID),
    (b"noexec", MS_NOEXEC),
    (b"noatime", 1024),
    (b"nodiratime", 2048),
    (b"relatime", 1 << 21),
];

/// Adds `attr` (nodev, or read-only) to the mount at `path` and every mount
/// below it: mount_setattr(2) with AT_RECURSIVE on Linux 5.12 and later;
/// before, a remount of each mount found below `path` in mountinfo, keeping
/// its other flags (a remount in a user namespace must keep the locked ones).
fn restrict_tree(path: &CStr, attr: u64) -> Result<(), Failed> {
    match sys::set_mount_attr_recursive(path, attr) {
        Err(Errno::ENOSYS) => {}
        r => return step(r, b"cannot restrict mounts below ", path.to_bytes()),
    }
    let extra = if attr & MOUNT_ATTR_RDONLY as u64 != 0 { MS_RDONLY } else { 0 } | MS_NODEV;
    let top = path.to_bytes();
    let mut failed = None;
    let mut buf = PathBuf::new();
    each_mount(&mut |m| {
        let Some(point) = unescape(m.point, &mut buf) else { return false };
        let p = point.to_bytes();
        if !is_below(p, top) {
            return false;
        }
        let mut flags = MS_REMOUNT | MS_BIND | extra;
        for &(name, flag) in &KEPT_OPTIONS {
            if has_option(m.options, name) {
                flags |= flag;
            }
        }
        if let Err(e) = sys::mount(None, point, None, flags, None) {
            failed = Some(fail(b"cannot restrict mount ", p, e));
            return true;
        }
        false
    });
    failed.map_or(Ok(()), Err)
}

/// `name` in the directory `dir`, opened without following a symlink: a
/// DIR/dev that links elsewhere is not a directory of DIR's.
fn subdir(dir: &Fd, name: &CStr) -> Option<Fd> {
    sys::openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0).ok()
}

const DEV_NODES: [&CStr; 6] = [c"full", c"null", c"random", c"tty", c"urandom", c"zero"];
static DEV_LINKS: [(&CStr, &CStr); 5] = [
    (c"ptmx", c"pts/ptmx"),
    (c"fd", c"/proc/self/fd"),
    (c"stdin", c"fd/0"),
    (c"stdout", c"fd/1"),
    (c"stderr", c"fd/2"),
];

/// A file `name` created in `dir` to mount a single node onto.
fn mount_file(dir: &Fd, name: &CStr, what: &[u8]) -> Result<Fd, Failed> {
    step(sys::openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW, 0o666), b"cannot create ", what)
}

/// The console: a new pseudo-terminal of the devpts instance mounted on
/// `pts` in `dir` (the container's own, SPEC §5.5: no node of the host's
/// devpts is ever the container's), its slave owned by container root
/// (`owner`). `pts` is opened here, after the mount: a descriptor opened
/// before it names the directory below.
fn console_pty(dir: &Fd, pts: &CStr, owner: (u32, u32)) -> Result<(Fd, Fd), Failed> {
    let pts = step(subdir(dir, pts).ok_or(Errno::ENOENT), b"cannot open the console's ptmx", b"")?;
    let mut path = PathBuf::new();
    let ptmx = path.join(fd_path(&pts, &mut PathBuf::new()).to_bytes(), b"ptmx").unwrap_or(c"");
    let (master, slave) = step(sys::open_pty(ptmx), b"cannot open the console's ptmx", b"")?;
    step(sys::chown_at(&slave, c"", owner.0, owner.1), b"cannot give the console to the container's root", b"")?;
    Ok((master, slave))
}

/// Runs `f` with the file system ids `owner` (container root's ids as the
/// mounter's user namespace sees them), so that what it creates and the
/// tmpfs it mounts are container root's inside; then back to the ids
/// before (the mounter's own, whose file access the bind sources and DIR's
/// path need). The
/// capabilities a mount needs stay throughout (capabilities(7), "Effect
/// of user ID changes on capabilities").
fn as_owner<T>(owner: (u32, u32), f: impl FnOnce() -> T) -> T {
    let gid = sys::setfsgid(owner.1);
    let uid = sys::setfsuid(owner.0);
    let done = f();
    sys::setfsuid(uid);
    sys::setfsgid(gid);
    done
}

/// A new devpts instance at `target`.
fn devpts(target: &Fd) -> Result<(), Failed> {
    step(
        sys::mount(
            Some(c"devpts"),
            fd_path(target, &mut PathBuf::new()),
            Some(c"devpts"),
            MS_NOSUID | MS_NOEXEC,
            Some(c"newinstance,ptmxmode=0666,mode=0620"),
        ),
        b"cannot mount devpts on /dev/pts",
        b"",
    )
}

/// A /dev of its own on `dev`: a tmpfs with the six harmless nodes bound
/// from the host's /dev, a new devpts instance, a tmpfs at shm, the
/// console (a pseudo-terminal of that devpts, bound at /dev/console) when
/// `console` asks for one, and the usual links.
fn make_dev(dev: Fd, owner: (u32, u32), console: bool) -> Result<Option<(Fd, Fd)>, Failed> {
    let mut path = PathBuf::new();
    let tmpfs = |target: &CStr, flags, data: &CStr, what: &[u8]| {
        step(
            sys::mount(Some(c"tmpfs"), target, Some(c"tmpfs"), MS_NOSUID | flags, Some(data)),
            b"cannot mount tmpfs on ",
            what,
        )
    };
    // Sized (SPEC §5.5, Limits): /dev holds only nodes and links.
    tmpfs(fd_path(&dev, &mut path), MS_NOEXEC, c"mode=0755,size=4m", b"/dev")?;
    let dev = step(sys::openat(&sys::CWD, c"dev", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0), b"cannot open /dev", b"")?;
    let mut host = PathBuf::new();
    for node in DEV_NODES {
        let source = host.join(b"/dev", node.to_bytes()).unwrap_or(node);
        let target = mount_file(&dev, node, source.to_bytes())?;
        step(
            sys::mount(Some(source), fd_path(&target, &mut path), None, MS_BIND, None),
            b"cannot bind host ",
            source.to_bytes(),
        )?;
    }
    for (name, mode, what) in [(c"pts", 0o755, &b"/dev/pts"[..]), (c"shm", 0o1777, b"/dev/shm")] {
        step(sys::mkdirat(&dev, name, mode), b"cannot create ", what)?;
    }
    let pts = step(subdir(&dev, c"pts").ok_or(Errno::ENOENT), b"cannot open /dev/pts", b"")?;
    devpts(&pts)?;
    // A devpts instance's root directory is host root's whoever mounts it:
    // given to container root (`owner`) with the mounter's own file access.
    let pts = step(subdir(&dev, c"pts").ok_or(Errno::ENOENT), b"cannot open /dev/pts", b"")?;
    let given = as_owner((0, 0), || sys::chown_at(&pts, c"", owner.0, owner.1));
    step(given, b"cannot give /dev/pts to the container's root", b"")?;
    let pty = match console {
        true => {
            let pty = console_pty(&dev, c"pts", owner)?;
            let target = mount_file(&dev, c"console", b"/dev/console")?;
            let mut slave_path = PathBuf::new();
            step(
                sys::mount(Some(fd_path(&pty.1, &mut slave_path)), fd_path(&target, &mut path), None, MS_BIND, None),
                b"cannot bind the console at /dev/console",
                b"",
            )?;
            Some(pty)
        }
        false => None,
    };
    let shm = step(subdir(&dev, c"shm").ok_or(Errno::ENOENT), b"cannot open /dev/shm", b"")?;
    tmpfs(fd_path(&shm, &mut path), MS_NODEV, c"mode=1777,size=64m", b"/dev/shm")?;
    for &(name, target) in &DEV_LINKS {
        step(sys::symlinkat(target, &dev, name), b"cannot create /dev/", name.to_bytes())?;
    }
    Ok(pty)
}

/// What `-b`, `-r`, `-t` and `-d` add inside (SPEC §5.5), and the generic
/// mount of an OCI bundle's `mounts` (SPEC §7).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    Bind,
    ReadOnly,
    Tmpfs,
    Device,
    /// mount(2) of `src` (a host path for a bind, else the file system's
    /// source) with `fstype`, `flags` and `opts` as its data, then the
    /// `propagation` flags; flags that a bind ignores (read-only, nosuid,
    /// ...) by a remount of the bind.
    Mount,
}

/// One `-b SRC[:DST]`, `-r SRC[:DST]`, `-t DST[:OPTS]` or `-d DEV[:DST]`,
/// or an OCI mount.
#[derive(Clone, Copy)]
pub struct ExtraMount<'a> {
    pub kind: Extra,
    /// The host path (`-b`, `-r`, `-d`, a bind); empty for `-t`.
    pub src: &'a [u8],
    /// The path inside, relative to the new root.
    pub dst: &'a [u8],
    /// `-t`'s tmpfs options (`size=1m,mode=0700`), a mount's data; empty for none.
    pub opts: &'a [u8],
    /// `Extra::Mount`: the file system type (`proc`, `tmpfs`, `bind`...),
    /// MS_ flags, MS_ propagation flags (with MS_REC for the `r` forms).
    pub fstype: &'a [u8],
    pub flags: u32,
    pub propagation: u32,
    /// Ways of mounting (`INSIDE`, `IF_THERE`).
    pub how: u8,
}

/// `src` is a path inside the new root (an OCI readonlyPath bound onto itself).
pub const INSIDE: u8 = 1;
/// Skipped when `dst` does not exist inside (maskedPaths, readonlyPaths).
pub const IF_THERE: u8 = 2;
/// maskedPaths: an empty read-only tmpfs over a directory, /dev/null over
/// anything else (runc's and crun's).
pub const MASK: u8 = 4;
/// `tmpcopyup`: a tmpfs over a directory starts with what it covers; done
/// for an empty directory only (anything else is refused, not yet copied).
pub const COPY_UP: u8 = 8;
/// The flags of a bind that the bind itself takes (the others come by a
/// remount).
#[cfg(feature = "oci")]
const MS_BIND_REC: u32 = MS_BIND | MS_REC;

impl<'a> ExtraMount<'a> {
    /// A `-b`, `-r` or `-t` mount.
    pub fn new(kind: Extra, src: &'a [u8], dst: &'a [u8], opts: &'a [u8]) -> ExtraMount<'a> {
        ExtraMount { kind, src, dst, opts, fstype: b"", flags: 0, propagation: 0, how: 0 }
    }
}

/// What the last component of a mount target is: a directory (a tmpfs,
/// or the bind of a directory) or a file (the bind of anything else).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Dir,
    File,
}

/// Opens `dst` inside the new root (the working directory) one component
/// at a time, never following a symlink and never going up, so it cannot
/// lead out of DIR; a missing component is created, the last one as `last`
/// says.
fn open_inside(dst: &[u8], last: Last, owner: (u32, u32)) -> Result<Fd, Failed> {
    let mut dir = step(sys::open(c".", O_PATH | O_DIRECTORY), b"cannot open new root", b"")?;
    let mut parts = dst.split(|&b| b == b'/').filter(|p| !p.is_empty() && p != b".").peekable();
    let mut name = PathBuf::new();
    if parts.peek().is_none() {
        return Ok(dir);
    }
    while let Some(part) = parts.next() {
        let file = parts.peek().is_none() && last == Last::File;
        let Some(part_c) = name.join(b"", part).filter(|_| part != b"..") else {
            say(b"cannot mount on {}: a path inside may not contain ..", &[dst]);
            return Err(EXIT_FAILURE);
        };
        let flags = if file { O_PATH | O_NOFOLLOW } else { O_PATH | O_DIRECTORY | O_NOFOLLOW };
        let opened = match sys::openat(&dir, part_c, flags, 0) {
            Err(Errno::ENOENT) => {
                let make = || match file {
                    true => sys::openat(&dir, part_c, O_CREAT | O_EXCL | O_NOFOLLOW, 0o644).map(drop),
                    false => sys::mkdirat(&dir, part_c, 0o755),
                };
                // On an idmapped DIR (--idmap) the mounter's own ids have
                // no mapping (EOVERFLOW): made as container root instead.
                let made = match make() {
                    Err(Errno::EOVERFLOW) => as_owner(owner, make),
                    made => made,
                };
                step(made, b"cannot create ", dst)?;
                step(sys::chown_at(&dir, part_c, owner.0, owner.1), b"cannot create ", dst)?;
                sys::openat(&dir, part_c, flags, 0)
            }
            other => other,
        };
        dir = step(opened, b"cannot mount on ", dst)?;
    }
    Ok(dir)
}

/// The absolute path of `rel` below the new root `dir`, for the remount
/// fallback of `restrict_tree`.
fn below<'a>(dir: &CStr, rel: &[u8], buf: &'a mut PathBuf) -> Result<&'a CStr, Failed> {
    let rel = rel.strip_prefix(b"/").unwrap_or(rel);
    step(buf.join(dir.to_bytes(), rel).ok_or(Errno::ENAMETOOLONG), b"cannot mount on ", rel)
}

/// Where `pass_device` makes a node, in the container's /dev, for as long
/// as it takes to bind it.
const STAGE: &CStr = c".ucontain-device";

/// `-d DEV[:DST]` (SPEC §5.5): the host's device DEV, usable by container
/// root at DST, and nothing else of the host's /dev. DIR and the
/// container's /dev stay as they are; the node is a mount of its own,
/// whose flags are its mount's (a bind carries them, mount(2)).
///
/// The node is made with mknod(2) by the mounter, owned by container root,
/// in a tmpfs that the mounter mounts for it: host root's mounter is in the
/// initial user namespace, so that tmpfs is not nodev (a file system
/// mounted in any other user namespace is, SB_I_NODEV). The node is bound
/// at DST and the tmpfs detached, so container root reaches the node and
/// nothing else of it. Where mknod is refused (an unprivileged caller's
/// mounter, root of an outer user namespace, lacks CAP_MKNOD in the initial
/// one), the host's node itself is bound: its owner and mode stay the
/// host's, so container root opens it only where the node's mode lets the
/// caller's ids in (a 0666 /dev/kvm or /dev/net/tun, not a disk).
fn pass_device(m: &ExtraMount, owner: (u32, u32)) -> Result<(), Failed> {
    let mut buf = PathBuf::new();
    let dev_path = step(buf.join(b"", m.src).ok_or(Errno::ENAMETOOLONG), b"cannot pass ", m.src)?;
    // Following symlinks: /dev/disk/by-id/... names a node.
    let host_node = step(sys::open(dev_path, O_PATH), b"cannot pass ", m.src)?;
    let st = step(sys::fstat(&host_node), b"cannot pass ", m.src)?;
    if !st.is_device() {
        say(b"cannot pass {}: not a character or block device", &[m.src]);
        return Err(EXIT_FAILURE);
    }
    let target = open_inside(m.dst, Last::File, owner)?;
    let dev = open_inside(b"/dev", Last::Dir, owner)?;
    step(sys::mkdirat(&dev, STAGE, 0o700), b"cannot create /dev/", STAGE.to_bytes())?;
    let staged = stage_node(&dev, &st, owner, m.src);
    let (mut source, mut path) = (PathBuf::new(), PathBuf::new());
    let source = match &staged {
        Ok(Some(stage)) => source.join(fd_path(stage, &mut PathBuf::new()).to_bytes(), b"node").unwrap_or(c""),
        Ok(None) => fd_path(&host_node, &mut source),
        Err(_) => c"",
    };
    let bound = staged.and_then(|_| {
        step(sys::mount(Some(source), fd_path(&target, &mut path), None, MS_BIND, None), b"cannot pass ", m.src)
    });
    // The stage's tmpfs goes (the bind keeps what it needs of it), and
    // then its directory.
    if let Some(stage) = subdir(&dev, STAGE) {
        let _ = sys::umount2(fd_path(&stage, &mut path), MNT_DETACH);
    }
    let _ = sys::remove_dir_at(&dev, STAGE);
    bound
}

/// A tmpfs on `dev`'s STAGE directory with the node `node` in it: the
/// device of `st`, owned by container root (`owner`). The tmpfs's root
/// when made; None where mknod is refused (see `pass_device`).
fn stage_node(dev: &Fd, st: &sys::Stat, owner: (u32, u32), shown: &[u8]) -> Result<Option<Fd>, Failed> {
    let mut path = PathBuf::new();
    let stage = step(subdir(dev, STAGE).ok_or(Errno::ENOENT), b"cannot open /dev/", STAGE.to_bytes())?;
    // Not nodev: that is its point. Room for the node alone.
    let data = c"mode=0700,size=4k,nr_inodes=2";
    let mounted =
        sys::mount(Some(c"tmpfs"), fd_path(&stage, &mut path), Some(c"tmpfs"), MS_NOSUID | MS_NOEXEC, Some(data));
    step(mounted, b"cannot mount tmpfs on /dev/", STAGE.to_bytes())?;
    let stage = step(subdir(dev, STAGE).ok_or(Errno::ENOENT), b"cannot open /dev/", STAGE.to_bytes())?;
    // Its type and permission bits; setuid and the like mean nothing here.
    let mode = st.mode & (sys::S_IFMT | 0o777);
    match sys::mknod_at(&stage, c"node", mode, st.rdev) {
        Err(Errno::EPERM) => return Ok(None),
        made => step(made, b"cannot pass ", shown)?,
    }
    step(sys::chown_at(&stage, c"node", owner.0, owner.1), b"cannot pass ", shown)?;
    Ok(Some(stage))
}

/// `-R`: DIR's bind, and every mount below it, read-only, like `-r`
/// (locked in the init's copy, see `assemble_root`). The mount points of
/// `-b`, `-r` and `-t` that DIR lacks are made first, while it is still
/// writable; those inside /dev (every `-d`'s) or inside an earlier one's
/// mount are made there later, as without `-R`.
fn make_read_only(root: &Root) -> Result<(), Failed> {
    // `-d` makes its node in /dev: a DIR without one gets it now, and so
    // the /dev of assemble_root.
    if root.extra.iter().any(|m| m.kind == Extra::Device) {
        open_inside(b"/dev", Last::Dir, root.owner)?;
    }
    let has_dev = subdir(&sys::CWD, c"dev").is_some();
    for (i, m) in root.extra.iter().enumerate() {
        let inside_another = root.extra[..i].iter().any(|earlier| is_inside(m.dst, earlier.dst));
        if inside_another || (has_dev && is_inside(m.dst, b"/dev")) {
            continue;
        }
        let last = match m.kind {
            Extra::Tmpfs => Last::Dir,
            _ => {
                let mut src = PathBuf::new();
                let src = step(src.join(b"", m.src).ok_or(Errno::ENAMETOOLONG), b"cannot bind ", m.src)?;
                match step(sys::stat(src), b"cannot bind ", m.src)?.is_dir() {
                    true => Last::Dir,
                    false => Last::File,
                }
            }
        };
        open_inside(m.dst, last, root.owner)?;
    }
    restrict_tree(root.dir, (MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY) as u64)
}

/// Whether the path inside `inner` is `outer` or below it, component by
/// component (`tmp//x/` is inside `/tmp`).
fn is_inside(inner: &[u8], outer: &[u8]) -> bool {
    let mut inner = inner.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".");
    outer.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".").all(|part| inner.next() == Some(part))
}

fn extra_mount(dir: &CStr, m: &ExtraMount, owner: (u32, u32)) -> Result<(), Failed> {
    let mut path = PathBuf::new();
    if m.kind == Extra::Device {
        return pass_device(m, owner);
    }
    #[cfg(feature = "oci")]
    if m.kind == Extra::Mount {
        return generic_mount(m, owner);
    }
    if m.kind == Extra::Tmpfs {
        let target = open_inside(m.dst, Last::Dir, owner)?;
        // The user's options after the default mode, which a later
        // `mode=` overrides (tmpfs(5)).
        let mut data = Line::new();
        data.add(b"mode=1777");
        if !m.opts.is_empty() {
            data.add(b",").add(m.opts);
        }
        let data =
            step(sys::cstr_until_nul(data.add(b"\0").text()).ok_or(Errno::EINVAL), b"cannot mount tmpfs on ", m.dst)?;
        let mounted = as_owner(owner, || {
            sys::mount(Some(c"tmpfs"), fd_path(&target, &mut path), Some(c"tmpfs"), MS_NOSUID | MS_NODEV, Some(data))
        });
        return step(mounted, b"cannot mount tmpfs on ", m.dst);
    }
    let mut src_buf = PathBuf::new();
    let src_c = src_buf.join(b"", m.src).unwrap_or(c"");
    let source = step(sys::open(src_c, O_PATH), b"cannot bind ", m.src)?;
    let is_dir = step(sys::fstat(&source), b"cannot bind ", m.src)?.is_dir();
    let target = open_inside(m.dst, if is_dir { Last::Dir } else { Last::File }, owner)?;
    let mut src_path = PathBuf::new();
    step(
        sys::mount(Some(fd_path(&source, &mut src_path)), fd_path(&target, &mut path), None, MS_BIND | MS_REC, None),
        b"cannot bind ",
        m.src,
    )?;
    let attr = if m.kind == Extra::ReadOnly { MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY } else { MOUNT_ATTR_NODEV };
    restrict_tree(below(dir, m.dst, &mut path)?, attr as u64)
}

/// Whether `dst` exists inside the new root (the working directory),
/// found as `open_inside` would (no symlink, no `..`).
#[cfg(feature = "oci")]
fn found_inside(dst: &[u8]) -> Option<Fd> {
    let mut at = sys::open(c".", O_PATH | O_DIRECTORY).ok()?;
    let mut name = PathBuf::new();
    for part in dst.split(|&b| b == b'/').filter(|p| !p.is_empty() && p != b".") {
        let part = name.join(b"", part).filter(|_| part != b"..")?;
        at = sys::openat(&at, part, O_PATH | O_NOFOLLOW, 0).ok()?;
    }
    Some(at)
}

/// maskedPaths: `dst` (open, `target`) covered by an empty read-only
/// tmpfs if a directory, else by the host's /dev/null.
#[cfg(feature = "oci")]
fn mask(target: Fd, dst: &[u8]) -> Result<(), Failed> {
    let mut path = PathBuf::new();
    let at = fd_path(&target, &mut path);
    let mounted = match step(sys::fstat(&target), b"cannot mask ", dst)?.is_dir() {
        true => sys::mount(Some(c"tmpfs"), at, Some(c"tmpfs"), MS_RDONLY, Some(c"size=0")),
        false => sys::mount(Some(c"/dev/null"), at, None, MS_BIND, None),
    };
    step(mounted, b"cannot mask ", dst)
}

/// Whether the directory `dir` is empty.
#[cfg(feature = "oci")]
fn is_empty_dir(dir: &Fd) -> bool {
    let Ok(dir) = sys::openat(dir, c".", sys::O_RDONLY | O_DIRECTORY, 0) else { return false };
    let mut empty = true;
    let _ = sys::each_entry(&dir, &mut |name, _| empty &= name.to_bytes() == b"." || name.to_bytes() == b"..");
    empty
}

/// An `Extra::Mount` (SPEC §7, mounts): onto `dst` opened inside the new
/// root without following a symlink (made when missing: a file for the
/// bind of a file, else a directory), as `extra_mount`'s.
#[cfg(feature = "oci")]
fn generic_mount(m: &ExtraMount, owner: (u32, u32)) -> Result<(), Failed> {
    if m.how & (IF_THERE | MASK) != 0 {
        let Some(found) = found_inside(m.dst) else { return Ok(()) };
        if m.how & MASK != 0 {
            return mask(found, m.dst);
        }
    }
    let mut path = PathBuf::new();
    let mut src_buf = PathBuf::new();
    let mut src_path = PathBuf::new();
    let bind = m.flags & MS_BIND != 0;
    let source = if bind {
        let src = src_buf.join(b"", m.src).unwrap_or(c"");
        let opened = match m.how & INSIDE != 0 {
            true => open_inside(m.src, Last::File, owner),
            false => step(sys::open(src, O_PATH), b"cannot bind ", m.src),
        }?;
        Some(opened)
    } else {
        None
    };
    let is_dir = match &source {
        Some(fd) => step(sys::fstat(fd), b"cannot bind ", m.src)?.is_dir(),
        None => true,
    };
    let target = open_inside(m.dst, if is_dir { Last::Dir } else { Last::File }, owner)?;
    if m.how & COPY_UP != 0 && !is_empty_dir(&target) {
        say(b"cannot mount on {}: tmpcopyup of a directory that is not empty is not supported yet", &[m.dst]);
        return Err(EXIT_FAILURE);
    }
    let target_path = fd_path(&target, &mut path);
    let what: &[u8] = if bind { b"cannot bind {} on {}" } else { b"cannot mount {} on {}" };
    let shown = if bind { m.src } else { m.fstype };
    let failed = |e| fail_with(what, &[shown, m.dst], e);
    let mut data = Line::new();
    let data = sys::cstr_until_nul(data.add(m.opts).add(b"\0").text());
    let last = if is_dir { Last::Dir } else { Last::File };
    // A descriptor opened before a mount names what it covers: what is
    // done to the new mount (a remount, its propagation) goes through the
    // target opened again.
    let mut again = PathBuf::new();
    match &source {
        Some(fd) => {
            sys::mount(Some(fd_path(fd, &mut src_path)), target_path, None, m.flags & MS_BIND_REC, None)
                .map_err(failed)?;
            // A bind takes no other flag: they come with a remount of it,
            // which must keep the flags the kernel locked (mount(2)).
            let others = m.flags & !(MS_BIND_REC | MS_REMOUNT);
            if others != 0 {
                let mounted = open_inside(m.dst, last, owner)?;
                let mounted = fd_path(&mounted, &mut again);
                let flags = MS_REMOUNT | MS_BIND | others | locked_flags(mounted);
                sys::mount(None, mounted, None, flags, None).map_err(failed)?;
            }
        }
        None => {
            let src = src_buf.join(b"", if m.src.is_empty() { m.fstype } else { m.src }).unwrap_or(c"none");
            let fstype = src_path.join(b"", m.fstype).unwrap_or(c"");
            // proc, sysfs and mqueue show the namespaces of the process
            // that mounts them: `late_mounts` runs in the container's.
            sys::mount(Some(src), target_path, Some(fstype), m.flags, data).map_err(failed)?;
        }
    }
    if m.propagation != 0 {
        let mounted = open_inside(m.dst, last, owner)?;
        sys::mount(None, fd_path(&mounted, &mut again), None, m.propagation, None).map_err(failed)?;
    }
    Ok(())
}

/// The per-mount flags of the mount at `path` that a remount must keep.
#[cfg(feature = "oci")]
fn locked_flags(path: &CStr) -> u32 {
    let mut flags = 0;
    let mut buf = PathBuf::new();
    let mut target = [0u8; 4096];
    let Ok(real) = sys::readlink(path, &mut target) else { return 0 };
    let real = real.to_bytes();
    each_mount(&mut |m| {
        if unescape(m.point, &mut buf).is_some_and(|p| p.to_bytes() == real) {
            flags =
                KEPT_OPTIONS.iter().filter(|(name, _)| has_option(m.options, name)).fold(0, |f, (_, flag)| f | flag);
            flags |= if has_option(m.options, b"nodev") { MS_NODEV } else { 0 };
        }
        false
    });
    flags
}

/// What the new root is made of.
pub struct Root<'a> {
    /// DIR as an absolute path.
    pub dir: &'a CStr,
    /// DIR as the user gave it, for messages.
    pub shown: &'a [u8],
    pub new_net: bool,
    /// `-v`: an overlay with DIR as its lower layer and a tmpfs above it.
    pub volatile: bool,
    /// `-R`: DIR and the mounts below it read-only.
    pub read_only: bool,
    /// Whether the init gets a console (a pseudo-terminal of the
    /// container's own devpts, bound at /dev/console).
    pub console: bool,
    pub extra: &'a [ExtraMount<'a>],
    /// The ids of the container's root as the mounter's user namespace
    /// sees them: they own the console and a volatile root's upper layer.
    pub owner: (u32, u32),
    /// `--idmap`: the container's maps, through which DIR is bound.
    pub idmap: Option<&'a Maps>,
    /// An OCI bundle's root (SPEC §7): DIR is neither made nodev nor given
    /// contain's /dev; `extra` is mounted once the init exists, in its
    /// namespaces (its proc, sysfs, mqueue), then the default devices and
    /// links where /dev lacks them, and the console (from the container's
    /// own devpts) at /dev/console.
    pub late: Option<&'a Late<'a>>,
}

/// What an OCI root has beyond contain's (see `Root::late`).
pub struct Late<'a> {
    /// Run first, in the container's namespaces before anything is
    /// mounted: the host name and sysctls. Err after the message.
    pub prepare: &'a dyn Fn() -> Result<(), Failed>,
    /// `root.readonly`: the root mount read-only, once all is mounted.
    pub readonly: bool,
    /// `rootfsPropagation`: MS_ flags for `/` once it is the root (0: private).
    pub propagation: u32,
    /// A `cgroup` mount at /sys/fs/cgroup: the container's own cgroup
    /// mounted there by the init, with these MS_ flags (MS_RDONLY).
    pub cgroup: Option<u32>,
}

/// `-v`: a tmpfs mounted on DIR holds the upper and work directories of an
/// overlay then mounted over it, with DIR's own directory (opened before it
/// was covered) as the lower layer. DIR itself is never bound, so after the
/// pivot it is reachable only as the overlay's read-only lower layer.
fn volatile_root(root: &Root) -> Result<(), Failed> {
    let lower = sys::open(root.dir, O_PATH | O_DIRECTORY).map_err(|e| unreachable_root(b"cannot open ", root, e))?;
    step(
        sys::mount(Some(c"tmpfs"), root.dir, Some(c"tmpfs"), MS_NOSUID | MS_NODEV, Some(c"mode=0755")),
        b"cannot mount tmpfs on ",
        root.shown,
    )?;
    let upper = step(sys::open(root.dir, O_PATH | O_DIRECTORY), b"cannot open ", root.shown)?;
    for name in [c"upper", c"work"] {
        step(sys::mkdirat(&upper, name, 0o755), b"cannot create the overlay's directories", b"")?;
    }
    // Made by the mounter (host root, or the caller's root of the outer
    // user namespace), the upper layer, whose owner the overlay's / shows,
    // must be container root's.
    let (uid, gid) = root.owner;
    step(sys::chown_at(&upper, c"upper", uid, gid), b"cannot create the overlay's directories", b"")?;
    let mut data = Line::new();
    let (mut l, mut u) = (PathBuf::new(), PathBuf::new());
    let (lower_dir, upper_dir) = (fd_path(&lower, &mut l).to_bytes(), fd_path(&upper, &mut u).to_bytes());
    data.fill(b"lowerdir={},upperdir={}/upper,workdir={}/work\0", &[lower_dir, upper_dir, upper_dir]);
    let data = sys::cstr_until_nul(data.text()).unwrap_or(c"");
    match sys::mount(Some(c"overlay"), root.dir, Some(c"overlay"), MS_NODEV, Some(data)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let mut line = Line::message();
            line.fill(
                b"cannot mount overlay on {} (a volatile root needs overlayfs in a user namespace, Linux 5.11): ",
                &[root.shown],
            );
            line.errno(e).send();
            Err(EXIT_FAILURE)
        }
    }
}

/// Whether `dir` (an absolute path without symlinks) is out of other host
/// users' reach, as `--idmap` requires (SPEC §4): it, or a directory on its
/// path, is root's and not searchable by its group or by others.
pub fn out_of_reach(dir: &CStr) -> bool {
    let path = dir.to_bytes();
    let mut buf = PathBuf::new();
    let mut end = path.len();
    loop {
        let prefix = if end == 0 { &b"/"[..] } else { &path[..end] };
        let closed =
            buf.join(b"", prefix).and_then(|p| sys::stat(p).ok()).is_some_and(|st| st.uid == 0 && st.mode & 0o011 == 0);
        if closed {
            return true;
        }
        match path[..end].iter().rposition(|&b| b == b'/') {
            Some(slash) if end > 0 => end = slash,
            _ => return false,
        }
    }
}

/// `--idmap` (SPEC §4): DIR bound through an idmapped mount (open_tree(2),
/// mount_setattr(2) with MOUNT_ATTR_IDMAP, move_mount(2)), recursively and
/// nodev, so that its files of host ids 0..N-1 are the container's ids
/// 0..N-1 and what container root writes lands with host ids 0..N-1. The
/// kernel takes the mapping from a user namespace: one with the
/// container's maps, made for this by a child that ends once the mount
/// holds it.
fn idmapped_root(root: &Root, maps: &Maps) -> Result<(), Failed> {
    let userns = user_namespace_with(maps)?;
    let tree = step(sys::clone_tree(root.dir), b"cannot bind new root ", root.shown)?;
    match sys::idmap_tree(&tree, &userns, MOUNT_ATTR_NODEV as u64) {
        Ok(()) => {}
        Err(e @ Errno::ENOSYS) => {
            return Err(fail_with(
                b"cannot idmap {}: the kernel has no idmapped mounts (Linux 5.12 has)",
                &[root.shown],
                e,
            ))
        }
        // mount_setattr(2): a file system without FS_ALLOW_IDMAP, in DIR's
        // mount or one below it.
        Err(e @ Errno::EINVAL) => {
            let mut fstype = heapless::Vec::<u8, 32>::new();
            each_mount(&mut |m| {
                if is_below(root.dir.to_bytes(), m.point) {
                    fstype.clear();
                    let _ = fstype.extend_from_slice(m.fstype.get(..32).unwrap_or(m.fstype));
                }
                false
            });
            return Err(fail_with(
                b"cannot idmap {}: its file system ({}) has no idmapped mounts",
                &[root.shown, &fstype],
                e,
            ));
        }
        Err(e) => return Err(fail(b"cannot idmap ", root.shown, e)),
    }
    step(sys::attach_tree(&tree, root.dir), b"cannot bind new root ", root.shown)
}

/// A new user namespace with `maps`, held by the descriptor returned: a
/// child enters it and waits until we have opened it.
fn user_namespace_with(maps: &Maps) -> Result<Fd, Failed> {
    let (hold, release) = step(sys::pipe(), b"cannot create pipe", b"")?;
    let child = step(sys::fork_into(sys::CLONE_NEWUSER), b"cannot create user namespace", b"")?;
    if child == 0 {
        drop(release);
        let _ = sys::read_full(&hold, &mut [0u8; 1]);
        sys::exit(0);
    }
    drop(hold);
    let mut path = PathBuf::new();
    let opened = write_maps(child, maps).and_then(|()| {
        let ns = path.proc_path(child, b"/ns/user", &[]);
        step(sys::open(ns, sys::O_RDONLY), b"cannot open the container's user namespace", b"")
    });
    drop(release);
    let _ = sys::wait(child);
    opened
}

/// Detaches every mount but `/`, DIR and what is below DIR, and the mounts
/// DIR is on (the mounter made the container's proc and sysfs already; the
/// walk reads on from its open mountinfo). Those the kernel locked stay
/// (umount2(2), EINVAL), covered by DIR.
fn detach_others(dir: &CStr) {
    let dir = dir.to_bytes();
    let mut buf = PathBuf::new();
    each_mount(&mut |m| {
        if let Some(p) = unescape(m.point, &mut buf) {
            let b = p.to_bytes();
            if !is_below(b, dir) && !is_below(dir, b) {
                let _ = sys::umount2(p, MNT_DETACH);
            }
        }
        false
    });
}

/// With the working directory at the new root: move it over / and make it
/// the root (as switch_root(8) does, without deleting anything).
fn move_root() -> Result<(), Failed> {
    step(sys::mount(Some(c"."), c"/", None, MS_MOVE, None), b"cannot move the new root over /", b"")?;
    step(sys::chroot(c"."), b"cannot change root", b"")?;
    step(sys::chdir(c"/"), b"cannot change directory to /", b"")
}

/// The message for DIR that the mounter failed to reach (`what` DIR:
/// strerror). An unprivileged caller's mounter is the container's root,
/// without the caller's supplementary groups (or another id, with `-u`):
/// when a directory on DIR's path is closed to it, the line names that
/// directory and how to open it (SPEC §3).
fn unreachable_root(what: &[u8], root: &Root, e: Errno) -> Failed {
    let path = root.dir.to_bytes();
    let mut closed = PathBuf::new();
    let closed = match e {
        // Each directory on the path, from /, searched for its `.`.
        Errno::EACCES => (0..path.len()).filter(|&i| path[i] == b'/').find_map(|i| {
            let dir = closed.concat(&[&path[..i.max(1)], b"/."])?;
            (sys::open(dir, O_PATH).err() == Some(Errno::EACCES)).then(|| &path[..i.max(1)])
        }),
        _ => None,
    };
    let mut line = Line::message();
    line.add(what).add(root.shown).add(b": ").errno(e);
    if let Some(dir) = closed {
        line.fill(b" (the container's root cannot search {}: chmod o+x {}, or use a DIR outside it)", &[dir, dir]);
    }
    line.send();
    EXIT_FAILURE
}

/// In a new mount namespace: DIR bound onto itself with everything below it
/// and made nodev (or, with `-v`, an overlay on it), entered, and checked
/// for host mounts on dev, proc and sys.
fn prepare_root(root: &Root) -> Result<(), Failed> {
    // Nothing mounted here may propagate back to the host.
    step(sys::mount(None, c"/", None, MS_REC | MS_PRIVATE, None), b"cannot make mounts private", b"")?;
    if root.volatile {
        volatile_root(root)?;
    } else if let Some(maps) = root.idmap {
        idmapped_root(root, maps)?;
    } else {
        let bound = sys::mount(Some(root.dir), root.dir, None, MS_BIND | MS_REC, None);
        bound.map_err(|e| unreachable_root(b"cannot bind new root ", root, e))?;
        // Device nodes in DIR (a tarball's /dev, a copied disk) must not
        // open inside: only the nodes of the /dev made below do. (An OCI
        // bundle's root is the runtime's caller's to make: as runc, not.)
        if root.late.is_none() {
            restrict_tree(root.dir, MOUNT_ATTR_NODEV as u64)?;
        }
    }
    step(sys::chdir(root.dir), b"cannot enter new root ", root.shown)?;
    // A host mount left on DIR/dev (a chroot setup's bind) would only be
    // covered, and container root could unmount the cover and reach it.
    for name in [c"dev", c"proc", c"sys"] {
        if sys::lstat(name).is_ok_and(|st| st.mount_root) {
            say(b"{}/{} is a mount point: unmount it first", &[root.shown, name.to_bytes()]);
            return Err(EXIT_FAILURE);
        }
    }
    Ok(())
}

/// The console's pseudo-terminal, and whether its slave is bound at the
/// container's /dev/console.
pub struct Pty {
    pub master: Fd,
    pub slave: Fd,
    pub at_dev_console: bool,
}

/// Where the container's mounts are made (SPEC §4, §5.5 "Mounts"): the
/// mounter, a process of a user namespace more privileged than the
/// container's (host root's own, or for an unprivileged caller the outer
/// one of the §4 map), assembles DIR in a mount namespace of its own. The
/// init's namespace is copied from that one into the container's less
/// privileged user namespace, and the kernel then locks every flag set
/// here and every mount against being unmounted or moved
/// (mount_namespaces(7), "Restrictions on mount namespaces"): container
/// root cannot clear `-r`'s read-only, DIR's nodev, or anything else.
///
/// This first part: DIR bound onto itself and made nodev (or, with `-v`,
/// an overlay on it), a /dev of its own, and the `-b`, `-r`, `-t` mounts.
/// Paths under DIR are opened relative to it, without following symlinks,
/// and mounts go onto what was opened, so a DIR/dev linking out of DIR
/// never mounts anything outside. Returns the console's master and slave
/// when `root.console` asks for one.
pub fn assemble_root(root: &Root) -> Result<Option<Pty>, Failed> {
    prepare_root(root)?;
    if root.late.is_some() {
        return Ok(None);
    }
    if root.read_only {
        make_read_only(root)?;
    }
    let pty = match subdir(&sys::CWD, c"dev") {
        Some(dev) => as_owner(root.owner, || make_dev(dev, root.owner, root.console))?.map(|(master, slave)| Pty {
            master,
            slave,
            at_dev_console: true,
        }),
        // No /dev in DIR: the console comes from a devpts instance mounted
        // in this namespace only, which the switch of root then detaches.
        None if root.console => {
            let pts = step(sys::open(c"/dev/pts", O_PATH | O_DIRECTORY), b"cannot open /dev/pts", b"")?;
            devpts(&pts)?;
            let dev = step(sys::open(c"/dev", O_PATH | O_DIRECTORY), b"cannot open /dev", b"")?;
            let (master, slave) = console_pty(&dev, c"pts", root.owner)?;
            Some(Pty { master, slave, at_dev_console: false })
        }
        None => None,
    };
    for m in root.extra {
        extra_mount(root.dir, m, root.owner)?;
    }
    Ok(pty)
}

/// The second part, once the init exists: the kernel's views that belong
/// to its namespaces, made here so that their flags are locked too: a
/// read-only sysfs of its network namespace (only a network namespace of
/// its own makes sysfs the container's), and a proc of its PID namespace
/// (proc shows the PID namespace of the process that mounts it: a child
/// made after joining it mounts it).
pub fn mount_kernel_views(root: &Root, init: i32) -> Result<Option<Pty>, Failed> {
    #[cfg(feature = "oci")]
    if let Some(late) = root.late {
        return late_mounts(root, late, init);
    }
    let mut path = PathBuf::new();
    let mut ns = PathBuf::new();
    if let Some(sys_dir) = subdir(&sys::CWD, c"sys").filter(|_| root.new_net) {
        let net = step(
            sys::open(ns.proc_path(init, b"/ns/net", &[]), sys::O_RDONLY),
            b"cannot open the init's network namespace",
            b"",
        )?;
        step(sys::setns(&net, sys::CLONE_NEWNET), b"cannot enter the init's network namespace", b"")?;
        step(
            sys::mount(
                Some(c"sysfs"),
                fd_path(&sys_dir, &mut path),
                Some(c"sysfs"),
                MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                None,
            ),
            b"cannot mount sysfs",
            b"",
        )?;
    }
    if let Some(proc_dir) = subdir(&sys::CWD, c"proc") {
        let pid = step(
            sys::open(ns.proc_path(init, b"/ns/pid", &[]), sys::O_RDONLY),
            b"cannot open the init's PID namespace",
            b"",
        )?;
        step(sys::setns(&pid, sys::CLONE_NEWPID), b"cannot enter the init's PID namespace", b"")?;
        let child = step(sys::fork(), b"cannot fork", b"")?;
        if child == 0 {
            let target = fd_path(&proc_dir, &mut path);
            let mounted = sys::mount(Some(c"proc"), target, Some(c"proc"), MS_NOSUID | MS_NODEV | MS_NOEXEC, None);
            sys::exit(step(mounted, b"cannot mount proc", b"").err().unwrap_or(0));
        }
        if sys::wait(child) != Ok(sys::Exit::Code(0)) {
            return Err(EXIT_FAILURE);
        }
    }
    Ok(None)
}

/// An OCI root's mounts (`Root::late`), by a child of the mounter in the
/// init's network, IPC, UTS and PID namespaces (so that proc, sysfs and
/// mqueue are the container's, and the host name and sysctls its own),
/// in the mounter's mount namespace; then the console.
#[cfg(feature = "oci")]
fn late_mounts(root: &Root, late: &Late, init: i32) -> Result<Option<Pty>, Failed> {
    let mut ns = PathBuf::new();
    for (name, flag) in [
        (&b"/ns/net"[..], sys::CLONE_NEWNET),
        (b"/ns/ipc", sys::CLONE_NEWIPC),
        (b"/ns/uts", sys::CLONE_NEWUTS),
        (b"/ns/pid", sys::CLONE_NEWPID),
    ] {
        let file =
            step(sys::open(ns.proc_path(init, name, &[]), sys::O_RDONLY), b"cannot open the init's namespaces", b"")?;
        step(sys::setns(&file, flag), b"cannot enter the init's namespaces", b"")?;
    }
    let child = step(sys::fork(), b"cannot fork", b"")?;
    if child == 0 {
        sys::exit(late_child(root, late).err().unwrap_or(0));
    }
    if sys::wait(child) != Ok(sys::Exit::Code(0)) {
        return Err(EXIT_FAILURE);
    }
    if late.readonly {
        // The root mount only, as runc: what is mounted below keeps its own.
        let flags = MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(root.dir);
        step(sys::mount(None, c".", None, flags, None), b"cannot make the root read-only", b"")?;
    }
    if !root.console {
        return Ok(None);
    }
    let dev = step(subdir(&sys::CWD, c"dev").ok_or(Errno::ENOENT), b"cannot open /dev", b"")?;
    let (master, slave) = console_pty(&dev, c"pts", root.owner)?;
    bind_console(&dev, &slave)?;
    Ok(Some(Pty { master, slave, at_dev_console: true }))
}

/// The slave `slave` bound at /dev/console (in `dev`), made when missing.
#[cfg(feature = "oci")]
fn bind_console(dev: &Fd, slave: &Fd) -> Result<(), Failed> {
    let target = match sys::openat(dev, c"console", O_PATH | O_NOFOLLOW, 0) {
        Ok(file) => file,
        Err(_) => mount_file(dev, c"console", b"/dev/console")?,
    };
    let (mut slave_path, mut path) = (PathBuf::new(), PathBuf::new());
    step(
        sys::mount(Some(fd_path(slave, &mut slave_path)), fd_path(&target, &mut path), None, MS_BIND, None),
        b"cannot bind the console at /dev/console",
        b"",
    )
}

#[cfg(feature = "oci")]
fn late_child(root: &Root, late: &Late) -> Result<(), Failed> {
    (late.prepare)()?;
    for m in root.extra {
        extra_mount(root.dir, m, root.owner)?;
    }
    // The default devices and links of the runtime spec (config-linux.md,
    // "Default Devices"), where the mounts left /dev without them: the
    // host's nodes bound, as in a user namespace, where mknod is refused.
    let Some(dev) = subdir(&sys::CWD, c"dev") else { return Ok(()) };
    let mut path = PathBuf::new();
    let mut host = PathBuf::new();
    for node in DEV_NODES {
        if sys::stat_at(&dev, node).is_ok() {
            continue;
        }
        let source = host.join(b"/dev", node.to_bytes()).unwrap_or(node);
        let target = mount_file(&dev, node, source.to_bytes())?;
        step(sys::chown_at(&target, c"", root.owner.0, root.owner.1), b"cannot create ", source.to_bytes())?;
        step(
            sys::mount(Some(source), fd_path(&target, &mut path), None, MS_BIND, None),
            b"cannot bind host ",
            source.to_bytes(),
        )?;
    }
    for &(name, target) in &DEV_LINKS {
        match sys::symlinkat(target, &dev, name) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(fail(b"cannot create /dev/", name.to_bytes(), e)),
        }
    }
    Ok(())
}

/// The last part: DIR becomes the root. On a normal root, the in-process
/// pivot of `detach_old_root`, which leaves no host mount in the
/// namespace. The initial ramfs (rootfs) can never be pivoted away from
/// (pivot_root(2), EINVAL): there, the other mounts are detached and DIR
/// is moved over / and made the root, as switch_root(8) does. A `..` from
/// a mount stacked on the namespace's root leads nowhere (path_resolution(7)),
/// and DIR, locked in the init's copy, can neither be unmounted nor moved.
pub fn switch_root(root: &Root) -> Result<(), Failed> {
    if root_is_rootfs() {
        detach_others(root.dir);
        move_root()?;
    } else {
        detach_old_root(root.shown)?;
    }
    #[cfg(feature = "oci")]
    if let Some(flags) = root.late.map(|late| late.propagation).filter(|&flags| flags != 0) {
        step(sys::mount(None, c"/", None, flags, None), b"cannot set the root's propagation", b"")?;
    }
    Ok(())
}

/// In the init, once in the container's user namespace: the mount
/// namespace copied from the mounter's (and so locked, see
/// `assemble_root`), with the new root as its root.
pub fn enter_locked_copy() -> Result<(), Failed> {
    step(sys::unshare(sys::CLONE_NEWNS), b"cannot create mount namespace", b"")?;
    // The mounter's pivot moved our root and working directory with its
    // own; after a move over the initial ramfs, our working directory is
    // the new root and our root still the one below it.
    step(sys::chroot(c"."), b"cannot change root", b"")?;
    step(sys::chdir(c"/"), b"cannot change directory to /", b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below() {
        assert!(is_below(b"/a/b", b"/a/b"));
        assert!(is_below(b"/a/b/c", b"/a/b"));
        assert!(is_below(b"/a", b"/"));
        assert!(is_below(b"/", b"/"));
        assert!(!is_below(b"/a/bc", b"/a/b"));
        assert!(!is_below(b"/a", b"/a/b"));
    }

    #[test]
    fn paths_inside() {
        assert!(is_inside(b"/tmp", b"/tmp"));
        assert!(is_inside(b"tmp//x/", b"/tmp"));
        assert!(is_inside(b"./tmp/x", b"tmp/."));
        assert!(is_inside(b"/dev/ttyS0", b"/dev"));
        assert!(is_inside(b"/x", b"/"));
        assert!(!is_inside(b"/tmpx", b"/tmp"));
        assert!(!is_inside(b"/tmp", b"/tmp/x"));
    }
}

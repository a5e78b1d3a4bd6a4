//! contain [OPTIONS] DIR [CMD [ARG]...]: run CMD (default /bin/sh) as PID 1
//! of a new container whose root is DIR, in new user, mount, PID, network,
//! IPC, UTS, cgroup and time namespaces, while this process supervises it.

use crate::args::{index, parse, Given, Opt, Parsed};
use crate::basename;
use crate::caps::{parse_caps, Bounding};
use crate::cgroup::Cgroups;
use crate::console::at_terminal;
use crate::container::{launch, Spec};
use crate::exec::OptionsBefore;
use crate::ids::IdMap;
use crate::limits::{parse_limit, Limit};
use crate::mount::{out_of_reach, Extra, ExtraMount, Root};
use crate::ns::{map_option, plan_maps, Maps, Writer};
use crate::out::{fail_with, say, usage, Line, EXIT_FAILURE};
use crate::path::{fd_path, PathBuf};
use crate::sandbox::Sandbox;
use crate::seccomp::{SockFilter, BPF_MAXINSNS, BUILTIN};
use crate::state::StateDir;
use crate::supervise::{end, parse_signal};
use crate::sys::{
    self, CStrList, Errno, Exit, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME,
    CLONE_NEWUSER, CLONE_NEWUTS, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_WRONLY,
};
use crate::text::{after, decimal, hostname_of, hostname_problem, name_problem, HOST_NAME_MAX};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: contain [OPTIONS] DIR [CMD [ARG]...]
  -c  --no-console         no console: the init gets contain's stdin, stdout, stderr
  -n  --share-net          share the caller's network namespace
  -u  --map-users MAP      uid map INSIDE:OUTSIDE:COUNT[,...]
  -g  --map-groups MAP     gid map, likewise
  -b  --bind SRC[:DST]     bind host path SRC at DST inside (default DST = SRC)
  -r  --ro-bind SRC[:DST]  the same, read-only
  -t  --tmpfs DST[:OPTS]   a new empty tmpfs at DST inside (OPTS: size=64m,mode=1777)
  -d  --device DEV[:DST]   host device node DEV usable by container root at DST (under /dev)
  -v  --volatile           volatile root: writes go to a tmpfs over DIR, never to DIR
      --idmap              DIR through an idmapped mount: its host ids 0..N are the container's (root)
  -R  --read-only          DIR read-only (with -t, -b for the writable parts)
  -o  --helper CMD         run sh -c CMD on the host once the namespaces exist ($CONTAIN_PID)
  -k  --stop-signal SIG    the signal that asks the init to stop (on SIGTERM)
  -N  --name NAME          the container's name (letters, digits, ._-; at most 64)
      --hostname NAME      the hostname inside (default: the name, else DIR's last component)
      --pid-file FILE      write the supervisor's pid to FILE while the container runs
  -L  --limit FILE=VALUE   a cgroup limit by its v2 file name (memory.max=256M; up to 16)
      --cap-add CAPS       add capabilities to the bounding set (sys_time,CAP_MKNOD; all)
      --cap-drop CAPS      remove capabilities from it
      --no-new-privs       setuid programs and file capabilities grant nothing inside
      --seccomp none|FILE  no system call filter, or an OCI seccomp profile's instead of the built-in
      --veth               (root) a veth pair: host0 inside, ve-ID on the host
Ctrl-] three times within a second on the console kills the container.
";

/// The options, in the order of the usage.
const OPTIONS: [Opt; 22] = [
    Opt::flag(b'c', b"no-console"),
    Opt::flag(b'n', b"share-net"),
    Opt::value(b'u', b"map-users"),
    Opt::value(b'g', b"map-groups"),
    Opt::value(b'b', b"bind"),
    Opt::value(b'r', b"ro-bind"),
    Opt::value(b't', b"tmpfs"),
    Opt::value(b'd', b"device"),
    Opt::flag(b'v', b"volatile"),
    Opt::flag(0, b"idmap"),
    Opt::flag(b'R', b"read-only"),
    Opt::value(b'o', b"helper"),
    Opt::value(b'k', b"stop-signal"),
    Opt::value(b'N', b"name"),
    Opt::value(0, b"hostname"),
    Opt::value(0, b"pid-file"),
    Opt::value(b'L', b"limit"),
    Opt::value(0, b"cap-add"),
    Opt::value(0, b"cap-drop"),
    Opt::flag(0, b"no-new-privs"),
    Opt::value(0, b"seccomp"),
    Opt::flag(0, b"veth"),
];
const NO_CONSOLE: usize = index(&OPTIONS, b"no-console");
const SHARE_NET: usize = index(&OPTIONS, b"share-net");
const MAP_USERS: usize = index(&OPTIONS, b"map-users");
const MAP_GROUPS: usize = index(&OPTIONS, b"map-groups");
const BIND: usize = index(&OPTIONS, b"bind");
const RO_BIND: usize = index(&OPTIONS, b"ro-bind");
const DEVICE: usize = index(&OPTIONS, b"device");
const VOLATILE: usize = index(&OPTIONS, b"volatile");
const IDMAP: usize = index(&OPTIONS, b"idmap");
const READ_ONLY: usize = index(&OPTIONS, b"read-only");
const HELPER: usize = index(&OPTIONS, b"helper");
const STOP_SIGNAL: usize = index(&OPTIONS, b"stop-signal");
const NAME: usize = index(&OPTIONS, b"name");
const HOSTNAME: usize = index(&OPTIONS, b"hostname");
const PID_FILE: usize = index(&OPTIONS, b"pid-file");
const LIMIT: usize = index(&OPTIONS, b"limit");
const CAP_ADD: usize = index(&OPTIONS, b"cap-add");
const CAP_DROP: usize = index(&OPTIONS, b"cap-drop");
const NO_NEW_PRIVS: usize = index(&OPTIONS, b"no-new-privs");
const SECCOMP: usize = index(&OPTIONS, b"seccomp");
const VETH: usize = index(&OPTIONS, b"veth");

const NAMESPACES: u32 = CLONE_NEWUSER
    | CLONE_NEWNS
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWIPC
    | CLONE_NEWUTS
    | CLONE_NEWCGROUP
    | CLONE_NEWTIME;

/// Everything the command line asks for besides DIR and CMD.
struct Plan<'a> {
    given: Given,
    uid_map: Option<IdMap>,
    gid_map: Option<IdMap>,
    extra: heapless::Vec<ExtraMount<'a>, 16>,
    helper: Option<&'a CStr>,
    stop: Option<u32>,
    /// `--name`: the container's id in the state directory (SPEC §3).
    name: Option<&'a CStr>,
    hostname: Option<&'a [u8]>,
    pid_file: Option<&'a CStr>,
    limits: heapless::Vec<Limit<'a>, 16>,
    bounding: Bounding,
    /// `--seccomp`: `none`, or an OCI profile's file.
    seccomp: Option<&'a CStr>,
}

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let mut plan = Plan {
        given: Given::NONE,
        uid_map: None,
        gid_map: None,
        extra: heapless::Vec::new(),
        helper: None,
        stop: None,
        name: None,
        hostname: None,
        pid_file: None,
        limits: heapless::Vec::new(),
        bounding: Bounding::DEFAULT,
        seccomp: None,
    };
    let Parsed { given, fixed: [dir], rest, .. } = match read_options(args, &mut plan) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    plan.given = given;
    if let Err(status) = options_allowed(given) {
        return status;
    }
    let mut dir_abs = PathBuf::new();
    let dir_abs = match root_dir(dir, given, &mut dir_abs) {
        Ok(path) => path,
        Err(status) => return status,
    };
    let maps = match plan_maps(plan.uid_map.as_ref(), plan.gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    // Through --idmap, DIR's host ids 0..N are the container's: nothing to warn of.
    if !given.has(IDMAP) {
        warn_if_unmapped(dir_abs, dir.to_bytes(), &maps);
    }
    let state = match open_state(&plan, env) {
        Ok(state) => state,
        Err(status) => return status,
    };
    let mut pid_text = [0; 20];
    let id = plan.name.map_or_else(|| decimal(sys::getpid() as u64, &mut pid_text), CStr::to_bytes);
    let mut spec = fill_spec(&plan, &maps, dir, dir_abs, rest, env);
    (spec.id, spec.state) = (id, state.as_ref());
    let mut program = [SockFilter::default(); BPF_MAXINSNS];
    (spec.sandbox.seccomp, spec.sandbox.seccomp_flags) =
        match system_call_filter(plan.seccomp, spec.sandbox.bounding, &mut program) {
            Ok(filter) => filter,
            Err(status) => return status,
        };
    // The default hostname, as systemd-nspawn's: the name, else DIR's last
    // component, so a prompt inside never looks like the host's.
    let mut default_hostname = [0; HOST_NAME_MAX];
    spec.hostname = plan.hostname.unwrap_or_else(|| {
        let source = plan.name.map_or_else(|| basename(dir_abs.to_bytes()), CStr::to_bytes);
        hostname_of(source, &mut default_hostname)
    });
    let cgroups = Cgroups::create(spec.root_owner, state.as_ref());
    let how = run(&spec, &cgroups, plan.pid_file);
    // Before `end`, which may end this process by a signal: no drop after.
    drop(cgroups);
    end(how)
}

/// Launches the container of `spec` and supervises it; how contain must
/// end. The init waits until supervise lets it go: the pid file is there
/// before anything of the container runs, and goes before contain ends.
fn run(spec: &Spec, cgroups: &Cgroups, pid_file: Option<&CStr>) -> Exit {
    match launch(spec, cgroups) {
        Err(how) => how,
        Ok(running) => match pid_file.map(PidFile::write).transpose() {
            Ok(pid_file) => {
                let how = running.supervise();
                drop(pid_file);
                how
            }
            Err(status) => Exit::Code(status),
        },
    }
}

/// Options that exclude each other, or that the caller may not use. Err
/// is the exit status after the message.
fn options_allowed(given: Given) -> Result<(), i32> {
    if given.has(READ_ONLY) && given.has(VOLATILE) {
        say(b"-R and -v exclude each other: a volatile root never writes to DIR", &[]);
        return Err(usage(USAGE));
    }
    if given.has(IDMAP) && given.has(VOLATILE) {
        say(b"--idmap and -v cannot be combined", &[]);
        return Err(usage(USAGE));
    }
    // Idmapping a mount of a host file system needs CAP_SYS_ADMIN in the
    // initial user namespace (mount_setattr(2), MOUNT_ATTR_IDMAP).
    if given.has(IDMAP) && sys::getuid() != 0 {
        say(b"--idmap needs root (the kernel idmaps mounts for host root only)", &[]);
        return Err(EXIT_FAILURE);
    }
    if given.has(VETH) {
        veth_allowed(given)?;
    }
    Ok(())
}

/// DIR as an absolute path (a bind of `.` onto itself would be entered
/// only by a path that crosses the new mount, never by `.` itself), not
/// `/`, and, with `--idmap`, out of other users' reach. Err is the exit
/// status after the message.
fn root_dir<'b>(dir: &CStr, given: Given, buf: &'b mut PathBuf) -> Result<&'b CStr, i32> {
    let dir_abs = match resolve_dir(dir, buf) {
        Ok(path) if path.to_bytes() == b"/" => {
            say(b"/ cannot be DIR", &[]);
            return Err(EXIT_FAILURE);
        }
        Ok(path) => path,
        Err(e) => return Err(fail_with(b"cannot use {} as root", &[dir.to_bytes()], e)),
    };
    // What container root writes through an idmapped DIR is host root's: a
    // setuid file it leaves there must be out of other users' reach.
    if given.has(IDMAP) && !out_of_reach(dir_abs) {
        let why = b"--idmap refused: other users can reach {} (put it below a root-owned 0700 directory, as /var/lib/machines)";
        say(why, &[dir.to_bytes()]);
        return Err(EXIT_FAILURE);
    }
    Ok(dir_abs)
}

/// `--pid-file FILE` (SPEC §5.5): the supervisor's pid in FILE, for
/// service managers, written atomically (a temporary file beside it,
/// renamed over it, so a reader never sees it half written); removed when
/// dropped.
struct PidFile<'a>(&'a CStr);

impl<'a> PidFile<'a> {
    fn write(path: &'a CStr) -> Result<PidFile<'a>, i32> {
        let mut pid = Line::new();
        pid.num(sys::getpid() as u64);
        let mut tmp = PathBuf::new();
        let Some(tmp) = tmp.concat(&[path.to_bytes(), b".new-", pid.text()]) else {
            return Err(fail_with(b"cannot write {}", &[path.to_bytes()], Errno::ENAMETOOLONG));
        };
        pid.add(b"\n");
        let _ = sys::unlink_at(&sys::CWD, tmp);
        let written = sys::openat(&sys::CWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
            .and_then(|file| sys::write_all(&file, pid.text()))
            .and_then(|()| sys::rename_at(&sys::CWD, tmp, path));
        match written {
            Ok(()) => Ok(PidFile(path)),
            Err(e) => {
                let _ = sys::unlink_at(&sys::CWD, tmp);
                Err(fail_with(b"cannot write {}", &[path.to_bytes()], e))
            }
        }
    }
}

impl Drop for PidFile<'_> {
    fn drop(&mut self) {
        let _ = sys::unlink_at(&sys::CWD, self.0);
    }
}

/// The command line's options into `plan`; DIR and CMD.
fn read_options<'a>(args: CStrList<'a>, plan: &mut Plan<'a>) -> Result<Parsed<'a, 1>, i32> {
    parse::<1>(args, USAGE, &OPTIONS, usize::MAX, &mut |option, value| {
        let text = value.to_bytes();
        match option {
            MAP_USERS => map_option(value, &mut plan.uid_map)?,
            MAP_GROUPS => map_option(value, &mut plan.gid_map)?,
            HELPER => plan.helper = Some(value),
            STOP_SIGNAL => {
                plan.stop = parse_signal(text);
                if plan.stop.is_none() {
                    say(b"bad signal '{}'", &[text]);
                    return Err(());
                }
            }
            NAME => {
                if let Some(why) = name_problem(text) {
                    say(b"bad name '{}': {}", &[text, why]);
                    return Err(());
                }
                plan.name = Some(value);
            }
            HOSTNAME => {
                if let Some(why) = hostname_problem(text) {
                    say(b"bad hostname '{}': {}", &[text, why]);
                    return Err(());
                }
                plan.hostname = Some(text);
            }
            PID_FILE => plan.pid_file = Some(value),
            LIMIT => {
                let limit = parse_limit(text).map_err(|why| say(b"bad limit '{}': {}", &[text, why]))?;
                plan.limits.push(limit).map_err(|_| say(b"more than 16 -L options", &[]))?;
            }
            SECCOMP => plan.seccomp = Some(value),
            CAP_ADD | CAP_DROP => {
                let caps = parse_caps(text).map_err(|name| say(b"unknown capability '{}'", &[name]))?;
                match option {
                    CAP_ADD => plan.bounding.add(caps),
                    _ => plan.bounding.drop(caps),
                }
            }
            _ => mount_option(option, text, plan)?,
        }
        Ok(())
    })
}

/// The container that `plan` asks for, with the maps, DIR (as given and
/// as an absolute path) and CMD.
fn fill_spec<'a>(
    plan: &'a Plan,
    maps: &'a Maps,
    dir: &'a CStr,
    dir_abs: &'a CStr,
    cmd: CStrList<'a>,
    env: CStrList<'a>,
) -> Spec<'a> {
    let namespaces = if plan.given.has(SHARE_NET) { NAMESPACES & !CLONE_NEWNET } else { NAMESPACES };
    // The host ids of the container's root, which owns its cgroups (none
    // when a MAP leaves 0 unmapped).
    let root = |map: &IdMap| map.iter().find(|l| l.inner == 0).map(|l| l.outer);
    let root_owner = root(&maps.uid).zip(root(&maps.gid));
    // The container's root is root of the mounter's user namespace too:
    // host ids for host root, id 0 of the outer namespace otherwise.
    let owner = match maps.writer {
        Writer::Parent => root_owner.unwrap_or((0, 0)),
        _ => (0, 0),
    };
    let root = Root {
        dir: dir_abs,
        shown: dir.to_bytes(),
        new_net: namespaces & CLONE_NEWNET != 0,
        volatile: plan.given.has(VOLATILE),
        read_only: plan.given.has(READ_ONLY),
        console: !plan.given.has(NO_CONSOLE) && at_terminal(),
        extra: &plan.extra,
        owner,
        idmap: plan.given.has(IDMAP).then_some(maps),
        late: None,
    };
    let sandbox = Sandbox {
        bounding: plan.bounding.resolve(namespaces & CLONE_NEWNET != 0),
        no_new_privs: plan.given.has(NO_NEW_PRIVS),
        seccomp: &[],
        seccomp_flags: 0,
    };
    Spec {
        namespaces,
        maps,
        root_owner,
        root,
        host_hook: plan.helper,
        stop: plan.stop,
        cmd,
        env,
        id: b"",
        state: None,
        applet: b"contain",
        misplaced: Some(&OptionsBefore { options: &OPTIONS, before: b"DIR" }),
        sandbox,
        limits: &plan.limits,
        veth: plan.given.has(VETH),
        join: &[],
        tail: None,
        hostname: b"",
    }
}

/// `-b`, `-r`, `-t` or `-d` (`option`) with its value `text`, into the
/// plan's extra mounts. Err after the message.
fn mount_option<'a>(option: usize, text: &'a [u8], plan: &mut Plan<'a>) -> Result<(), ()> {
    let kind = match option {
        BIND => Extra::Bind,
        RO_BIND => Extra::ReadOnly,
        DEVICE => Extra::Device,
        _ => Extra::Tmpfs, // -t, --tmpfs
    };
    let (first, second) = match text.iter().position(|&b| b == b':') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    // SRC[:DST], or -t's DST[:OPTS]
    let (src, dst, opts) = match (kind, second) {
        (Extra::Tmpfs, _) => (&b""[..], first, second),
        // A Docker habit (`-v SRC:DST:ro`), which would bind
        // at a DST of `DST:ro`.
        (Extra::Device, Some(dst)) if dst.contains(&b':') => {
            say(b"bad device '{}': there is no third field", &[text]);
            return Err(());
        }
        (_, Some(dst)) if dst.contains(&b':') => {
            say(b"bad mount '{}': there is no third field; for read-only, use -r SRC:DST", &[text]);
            return Err(());
        }
        (_, Some(dst)) => (first, dst, None),
        (_, None) => (text, text, None),
    };
    if first.is_empty() || dst.is_empty() || opts.is_some_and(<[u8]>::is_empty) {
        say(b"bad mount '{}'", &[text]);
        return Err(());
    }
    // A device's node belongs in the container's /dev, never
    // over a file of DIR's.
    if kind == Extra::Device && after(dst, b"/dev/").is_none_or(|name| name.is_empty()) {
        say(b"bad device '{}': DST must be under /dev", &[text]);
        return Err(());
    }
    let opts = opts.unwrap_or_default();
    if plan.extra.push(ExtraMount::new(kind, src, dst, opts)).is_err() {
        say(b"more than 16 -b, -r, -t and -d options", &[]);
        return Err(());
    }
    Ok(())
}

/// The system call filter `--seccomp` asks for (SPEC §5.5, The sandbox):
/// the built-in one, none, or an OCI profile compiled into `program` (in
/// builds with `seccomp-file`; its `includes` and `excludes` judged by the
/// container's bounding set); and its SECCOMP_FILTER_FLAG_ bits. Err is
/// the exit status after the message.
fn system_call_filter<'p>(
    given: Option<&CStr>,
    bounding: u64,
    program: &'p mut [SockFilter; BPF_MAXINSNS],
) -> Result<(&'p [SockFilter], u32), i32> {
    match given.map(CStr::to_bytes) {
        None => Ok((BUILTIN, 0)),
        Some(b"none") => Ok((&[], 0)),
        Some(file) => profile_filter(file, bounding, program),
    }
}

/// The filter of the OCI seccomp profile in `file`.
#[cfg(feature = "seccomp-file")]
fn profile_filter<'p>(
    file: &[u8],
    bounding: u64,
    program: &'p mut [SockFilter; BPF_MAXINSNS],
) -> Result<(&'p [SockFilter], u32), i32> {
    use crate::seccomp::{compile, kernel_version, Host};
    // Podman's default profile is 16 KiB; room for far larger ones.
    let mut json = [0u8; 256 * 1024];
    let path = PathBuf::new().join(b"", file).map(|p| sys::open(p, sys::O_RDONLY));
    let read = match path {
        Some(Ok(fd)) => sys::read_full(&fd, &mut json),
        Some(Err(e)) => Err(e),
        None => Err(Errno::ENAMETOOLONG),
    };
    let len = match read {
        Ok(len) if len < json.len() => len,
        Ok(_) => return Err(fail_with(b"cannot read {}", &[file], Errno::EFBIG)),
        Err(e) => return Err(fail_with(b"cannot read {}", &[file], e)),
    };
    let mut release = [0u8; 65];
    let host = Host { caps: bounding, kernel: kernel_version(crate::procfs::kernel_release(&mut release)) };
    match compile(&json[..len], &host, program) {
        Ok(compiled) => Ok((&program[..compiled.len], compiled.flags)),
        Err(e) => {
            let mut at = [0; 20];
            let mut line = crate::out::Line::message();
            line.add(file)
                .add(b": ")
                .fill(e.what, &[e.value])
                .add(b" (at byte ")
                .add(decimal(e.at as u64, &mut at))
                .add(b")");
            line.send();
            Err(EXIT_FAILURE)
        }
    }
}

/// A classic build has no profile compiler (SPEC §5.5).
#[cfg(not(feature = "seccomp-file"))]
fn profile_filter<'p>(_: &[u8], _: u64, _: &'p mut [SockFilter; BPF_MAXINSNS]) -> Result<(&'p [SockFilter], u32), i32> {
    say(
        b"--seccomp FILE needs the full build (with the profile compiler): --seccomp none, or the built-in filter",
        &[],
    );
    Err(crate::out::usage(USAGE))
}

/// `--veth` needs host root (CAP_NET_ADMIN where the host interface is
/// made) and a network namespace of the container's own. Err is the exit
/// status after the message.
fn veth_allowed(given: Given) -> Result<(), i32> {
    if given.has(SHARE_NET) {
        say(b"--veth needs a network namespace of the container's own, which -n shares", &[]);
        return Err(usage(USAGE));
    }
    if sys::getuid() != 0 {
        say(b"--veth needs root: an unprivileged caller cannot make host interfaces", &[]);
        return Err(EXIT_FAILURE);
    }
    Ok(())
}

/// The state directory, with its stale records removed; None, after a
/// warning, where it cannot be made (a read-only root without /run), unless
/// `--name` needs it. Err when the name is taken.
fn open_state(plan: &Plan, env: CStrList) -> Result<Option<StateDir>, i32> {
    let mut path = PathBuf::new();
    let state = match StateDir::try_open(env, &mut path) {
        Ok(state) => state,
        // A name, and a host interface to delete after a SIGKILL, need it.
        Err(why) if plan.name.is_some() || plan.given.has(VETH) => {
            let mut line = Line::message();
            why.tell(&mut line);
            line.send();
            return Err(EXIT_FAILURE);
        }
        Err(why) => {
            let mut line = Line::message();
            line.add(b"warning: no state directory (");
            why.tell(&mut line);
            line.add(b"): inject and list will not find this container by name").send();
            return Ok(None);
        }
    };
    let mut taken = false;
    state.each_running(&mut |_, record| taken |= plan.name.is_some_and(|name| name.to_bytes() == record.id));
    match plan.name {
        Some(name) if taken => Err(crate::state::taken(name.to_bytes())),
        _ => Ok(Some(state)),
    }
}

/// One warning when DIR is an installed system (it has /etc/shadow) that
/// belongs to a host id the uid map leaves unmapped (debootstrap output, a
/// mounted disk): inside, its files are nobody's, so passwd, dpkg and the
/// like fail there (SPEC §3, §4). It says the two ways out.
fn warn_if_unmapped(dir_abs: &CStr, shown: &[u8], maps: &Maps) {
    let Ok(st) = sys::stat(dir_abs) else { return };
    let mapped = maps.uid.iter().any(|l| st.uid >= l.outer && st.uid - l.outer < l.count);
    let mut shadow = PathBuf::new();
    if mapped || shadow.join(dir_abs.to_bytes(), b"etc/shadow").is_none_or(|path| sys::lstat(path).is_err()) {
        return;
    }
    let mut line = Line::message();
    line.fill(b"warning: {} belongs to uid ", &[shown]).num(u64::from(st.uid));
    line.add(b", which is not mapped inside: its files are nobody's there (as root, use --idmap; else unpack it with pseudo tar)");
    line.send();
}

/// The absolute path of the directory `dir` (as the kernel names the open
/// directory in /proc/self/fd).
fn resolve_dir<'a>(dir: &CStr, buf: &'a mut PathBuf) -> Result<&'a CStr, Errno> {
    let fd = sys::open(dir, O_PATH | O_DIRECTORY)?;
    let mut target = [0u8; 4096];
    let path = sys::readlink(fd_path(&fd, &mut PathBuf::new()), &mut target)?;
    buf.join(b"", path.to_bytes()).ok_or(Errno::ENAMETOOLONG)
}

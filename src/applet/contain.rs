//! contain [OPTIONS] DIR [CMD [ARG]...]: run CMD (default /bin/sh) as PID 1
//! of a new container whose root is DIR, in new user, mount, PID, network,
//! IPC, UTS, cgroup and time namespaces, while this process supervises it.

use crate::args::{index, parse, Given, Opt, Parsed};
use crate::cgroup::Cgroups;
use crate::console::{at_terminal, end, owned_signals, supervise, take_console, Child, Console, SIGRTMIN};
use crate::exec::{exec_command, PathBuf, DEFAULT_PATH, DEFAULT_PATH_VAR};
use crate::ids::IdMap;
use crate::mount::{assemble_root, enter_locked_copy, mount_kernel_views, switch_root, Extra, ExtraMount, Root};
use crate::ns::{become_root, helper_ended, map_option, nested_maps, plan_maps, write_maps, Maps, Writer};
use crate::out::{cannot, cannot_with, say, Line, EXIT_FAILURE};
use crate::sys::{
    self, CStrArray, CStrList, Errno, Exit, Fd, SigSet, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
    CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_PARENT, O_DIRECTORY, O_NOCTTY, O_PATH, O_RDWR,
    PR_CAPBSET_DROP, PR_SET_PDEATHSIG, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM,
};
use crate::text::{after, name_problem};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: contain [OPTIONS] DIR [CMD [ARG]...]
  -c  --no-console         no console: the init gets contain's stdin, stdout, stderr
  -n  --share-net          share the caller's network namespace
  -u  --map-users MAP      uid map INSIDE:OUTSIDE:COUNT[,...]
  -g  --map-groups MAP     gid map, likewise
  -b  --bind SRC[:DST]     bind host path SRC at DST inside (default DST = SRC)
  -r  --ro-bind SRC[:DST]  the same, read-only
  -t  --tmpfs DST          a new empty tmpfs at DST inside
  -v  --volatile           volatile root: writes go to a tmpfs over DIR, never to DIR
  -o  --helper CMD         run sh -c CMD on the host once the namespaces exist ($CONTAIN_PID)
  -k  --stop-signal SIG    the signal that asks the init to stop (on SIGTERM)
  -N  --name NAME          the container's name (letters, digits, ._-; at most 64)
Ctrl-] three times within a second on the console kills the container.
";

/// The options, in the order of the usage.
const OPTIONS: [Opt; 11] = [
    Opt::flag(b'c', b"no-console"),
    Opt::flag(b'n', b"share-net"),
    Opt::value(b'u', b"map-users"),
    Opt::value(b'g', b"map-groups"),
    Opt::value(b'b', b"bind"),
    Opt::value(b'r', b"ro-bind"),
    Opt::value(b't', b"tmpfs"),
    Opt::flag(b'v', b"volatile"),
    Opt::value(b'o', b"helper"),
    Opt::value(b'k', b"stop-signal"),
    Opt::value(b'N', b"name"),
];
const NO_CONSOLE: usize = index(&OPTIONS, b"no-console");
const SHARE_NET: usize = index(&OPTIONS, b"share-net");
const MAP_USERS: usize = index(&OPTIONS, b"map-users");
const MAP_GROUPS: usize = index(&OPTIONS, b"map-groups");
const BIND: usize = index(&OPTIONS, b"bind");
const RO_BIND: usize = index(&OPTIONS, b"ro-bind");
const VOLATILE: usize = index(&OPTIONS, b"volatile");
const HELPER: usize = index(&OPTIONS, b"helper");
const STOP_SIGNAL: usize = index(&OPTIONS, b"stop-signal");
const NAME: usize = index(&OPTIONS, b"name");

const NAMESPACES: u32 = CLONE_NEWUSER
    | CLONE_NEWNS
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWIPC
    | CLONE_NEWUTS
    | CLONE_NEWCGROUP
    | CLONE_NEWTIME;

/// capability(7): CAP_SYS_RAWIO.
const CAP_SYS_RAWIO: usize = 17;

/// Everything the command line asks for besides DIR and CMD.
struct Plan<'a> {
    given: Given,
    uid_map: Option<IdMap>,
    gid_map: Option<IdMap>,
    extra: heapless::Vec<ExtraMount<'a>, 16>,
    helper: Option<&'a CStr>,
    stop: Option<u32>,
    /// `--name`: stored, given its meaning by the state directory (SPEC §3).
    #[allow(dead_code)]
    name: Option<&'a CStr>,
}

/// A signal by number (1..=64) or name, with or without `SIG`:
/// `TERM`, `SIGRTMIN+3`, `RTMAX-1`, `15`.
#[inline(never)]
pub fn parse_signal(text: &[u8]) -> Option<u32> {
    // The names of signals 1 to 31, in order, each after a space.
    const NAMES: &[u8] = b" HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS";
    let number = |t: &[u8]| crate::text::parse_u32(t).filter(|n| (1..=64).contains(n));
    if let Some(n) = number(text) {
        return Some(n);
    }
    let name = after(text, b"SIG").unwrap_or(text);
    if let Some(i) = NAMES.split(|&b| b == b' ').skip(1).position(|n| n == name) {
        return Some(i as u32 + 1);
    }
    let (base, offset) = match name {
        [b'R', b'T', b'M', b'I', b'N', rest @ ..] => (SIGRTMIN, rest),
        [b'R', b'T', b'M', b'A', b'X', rest @ ..] => (64, rest),
        _ => return None,
    };
    let n = match offset {
        [] => base,
        [b'+', n @ ..] => base + crate::text::parse_u32(n).filter(|&n| n <= 30)?,
        [b'-', n @ ..] => base - crate::text::parse_u32(n).filter(|&n| n <= 30)?,
        _ => return None,
    };
    (SIGRTMIN..=64).contains(&n).then_some(n)
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
    };
    let parsed = parse::<1>(args, USAGE, &OPTIONS, usize::MAX, &mut |option, value| {
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
            _ => {
                let kind = match option {
                    BIND => Extra::Bind,
                    RO_BIND => Extra::ReadOnly,
                    _ => Extra::Tmpfs, // -t, --tmpfs
                };
                let (src, dst) = match text.iter().position(|&b| b == b':') {
                    _ if kind == Extra::Tmpfs => (&b""[..], text),
                    Some(i) => (&text[..i], &text[i + 1..]),
                    None => (text, text),
                };
                if text.is_empty() || dst.is_empty() || src.is_empty() && kind != Extra::Tmpfs {
                    say(b"bad mount '{}'", &[text]);
                    return Err(());
                }
                if plan.extra.push(ExtraMount { kind, src, dst }).is_err() {
                    say(b"more than 16 -b, -r and -t options", &[]);
                    return Err(());
                }
            }
        }
        Ok(())
    });
    let Parsed { given, fixed: [dir], rest, .. } = match parsed {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    plan.given = given;
    let namespaces = if plan.given.has(SHARE_NET) { NAMESPACES & !CLONE_NEWNET } else { NAMESPACES };
    // DIR as an absolute path: a bind of `.` onto itself would be entered
    // only by a path that crosses the new mount, never by `.` itself.
    let mut dir_abs = PathBuf::new();
    let dir_abs = match resolve_dir(dir, &mut dir_abs) {
        Ok(path) => path,
        Err(e) => return cannot_with(b"use {} as root", &[dir.to_bytes()], e),
    };
    if dir_abs.to_bytes() == b"/" {
        say(b"/ cannot be DIR", &[]);
        return EXIT_FAILURE;
    }
    let maps = match plan_maps(plan.uid_map.as_ref(), plan.gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    // The host ids of the container's root, which owns its console and its
    // cgroup (none when a MAP leaves 0 unmapped).
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
        console: !plan.given.has(NO_CONSOLE) && at_terminal(),
        extra: &plan.extra,
        owner,
    };
    let (ready_r, ready_w) = match sys::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return cannot(b"create pipe", b"", e),
    };
    let (report, mounter_end) = match sys::socket_pair() {
        Ok(pair) => pair,
        Err(e) => return cannot(b"create socket pair", b"", e),
    };
    // Without a console, at a terminal: Ctrl-Z freezes the container.
    let stoppable = !root.console && sys::get_termios(&sys::STDIN).is_ok();
    let owned = owned_signals(root.console, stoppable);
    let cgroups = Cgroups::create(root_owner);
    let old_mask = sys::block(owned);
    // Host root's mounter stays in the initial user namespace; an
    // unprivileged caller's is root of an outer one with the §4 map.
    let outer = if maps.writer == Writer::Parent { CLONE_NEWNS } else { CLONE_NEWNS | CLONE_NEWUSER };
    let mounter = match sys::fork_into(outer) {
        Ok(pid) => pid,
        Err(e) => {
            cgroups.remove();
            return cannot(b"create namespaces", b"", e);
        }
    };
    if mounter == 0 {
        drop((ready_w, report));
        let inner = Inner { cmd: rest, env, ready: ready_r, old_mask };
        sys::exit(mounter_main(&root, namespaces, &maps, &mounter_end, inner));
    }
    drop((ready_r, mounter_end));
    let started = start_mounter(mounter, &maps, &report);
    let (init, master) = match started {
        Ok(started) => started,
        Err(status) => {
            // The init, if the mounter made it, ends when it reads end of
            // file on the ready pipe; it is our child (CLONE_PARENT).
            drop(ready_w);
            while let Ok(Some(_)) = sys::reap_any() {}
            cgroups.remove();
            return status;
        }
    };
    let started = master.map(Console::adopt).transpose().map_err(Exit::Code).and_then(|console| {
        cgroups.place(init).map_err(Exit::Code)?;
        if let Some(helper) = plan.helper {
            run_helper(helper, init, env, &cgroups, owned)?;
        }
        Ok(console)
    });
    let mut console = match started {
        Ok(console) => console,
        Err(how) => {
            let _ = sys::kill(init, SIGKILL);
            let _ = sys::wait(init);
            cgroups.remove();
            return end(how);
        }
    };
    if let Some(console) = &console {
        console.raw();
    }
    let _ = sys::write_all(&ready_w, b"1");
    let how = match sys::open(c"/proc", O_PATH | O_DIRECTORY) {
        Ok(proc) => {
            let freeze = |frozen| cgroups.freeze(frozen);
            supervise(init, owned, Child::Init { stop: plan.stop }, console.as_mut(), &proc, Some(&freeze))
        }
        Err(e) => {
            let _ = sys::kill(init, SIGKILL);
            let _ = sys::wait(init);
            Exit::Code(cannot(b"open /proc", b"", e))
        }
    };
    drop(ready_w);
    cgroups.remove();
    end(how)
}

/// Writes the mounter's maps (an unprivileged caller's outer user
/// namespace), lets it go, and takes what it reports: the init's host pid
/// and the console's master. Err after the message (the mounter's own, or
/// ours) once the mounter is reaped.
fn start_mounter(mounter: i32, maps: &Maps, report: &Fd) -> Result<(i32, Option<Fd>), i32> {
    let mapped = if maps.writer == Writer::Parent { Ok(()) } else { write_maps(mounter, maps) };
    if mapped.is_ok() {
        let _ = sys::send_with_fd(report, b"1", None);
    } else {
        let _ = sys::kill(mounter, SIGKILL);
    }
    let mut pid = [0u8; 4];
    let received = sys::recv_with_fd(report, &mut pid);
    let ended = sys::wait(mounter);
    mapped?;
    match (received, ended) {
        (Ok((4, master)), Ok(Exit::Code(0))) => Ok((i32::from_ne_bytes(pid), master)),
        (_, Ok(Exit::Code(code))) if code != 0 => Err(code),
        _ => Err(EXIT_FAILURE),
    }
}

/// What the init needs from the supervisor: CMD, the caller's environment
/// (for TERM), the pipe that releases it, the signal mask to restore.
struct Inner<'a> {
    cmd: CStrList<'a>,
    env: CStrList<'a>,
    ready: Fd,
    old_mask: SigSet,
}

/// The mounter (see mount::assemble_root): in a mount namespace of its
/// own, owned by a more privileged user namespace than the container's, it
/// assembles DIR, makes the init (the supervisor's child, CLONE_PARENT) in
/// the container's namespaces, writes its maps, mounts its sysfs and proc,
/// switches root, and reports the init's pid and the console's master.
fn mounter_main(root: &Root, namespaces: u32, maps: &Maps, report: &Fd, inner: Inner) -> i32 {
    let mut go = [0u8; 1];
    if sys::recv_with_fd(report, &mut go).map(|(n, _)| n) != Ok(1) {
        return EXIT_FAILURE;
    }
    if maps.writer != Writer::Parent {
        if let Err(status) = become_root(maps) {
            return status;
        }
    }
    let _ = sys::prctl(PR_SET_PDEATHSIG, SIGKILL as usize);
    let pty = match assemble_root(root) {
        Ok(pty) => pty,
        Err(status) => return status,
    };
    if maps.writer != Writer::Parent {
        // Our new ids make us undumpable, and /proc/PID of the init we make
        // then host root's, which we could not write its maps to.
        let _ = sys::prctl(sys::PR_SET_DUMPABLE, 1);
    }
    // The cgroup namespace is made by the init itself, once it is in its
    // cgroup, so that cgroup is the namespace's root; its mount namespace
    // is copied from ours by the init, into its own user namespace.
    let namespaces = CLONE_PARENT | (namespaces & !(CLONE_NEWCGROUP | CLONE_NEWNS));
    // Time namespaces need Linux 5.6; older kernels reject the flag.
    let init = match sys::fork_into(namespaces) {
        Err(Errno::EINVAL) => sys::fork_into(namespaces & !CLONE_NEWTIME),
        other => other,
    };
    let init = match init {
        Ok(init) => init,
        // An unprivileged caller's container's user namespace is nested in
        // the mounter's and counts twice against the limit (user_namespaces(7)).
        Err(e @ Errno::ENOSPC) => return cannot(b"create namespaces (user.max_user_namespaces)", b"", e),
        Err(e) => return cannot(b"create namespaces", b"", e),
    };
    if init == 0 {
        let slave = pty.map(|pty| (pty.slave, pty.at_dev_console));
        let inner_maps = nested_maps(maps);
        sys::exit(container_init(root, slave, &inner_maps, inner));
    }
    let written = write_maps(init, &nested_maps(maps))
        .and_then(|()| mount_kernel_views(root, init))
        .and_then(|()| switch_root(root));
    if let Err(status) = written {
        let _ = sys::kill(init, SIGKILL);
        return status;
    }
    let master = pty.map(|pty| pty.master);
    match sys::send_with_fd(report, &init.to_ne_bytes(), master.as_ref()) {
        Ok(()) => 0,
        Err(e) => cannot(b"report to the supervisor", b"", e),
    }
}

/// The absolute path of the directory `dir` (as the kernel names the open
/// directory in /proc/self/fd).
fn resolve_dir<'a>(dir: &CStr, buf: &'a mut PathBuf) -> Result<&'a CStr, Errno> {
    let fd = sys::open(dir, O_PATH | O_DIRECTORY)?;
    let mut link = Line::new();
    let mut target = [0u8; 4096];
    let path = sys::readlink(link.proc_path(0, b"/fd/{}", &[Line::new().num(fd.raw() as u64).text()]), &mut target)?;
    buf.join(b"", path.to_bytes()).ok_or(Errno::ENAMETOOLONG)
}

/// `-o CMD`: `/bin/sh -c CMD` on the host, as the caller, in a process
/// group of its own so that what it starts ends with it; its environment
/// adds CONTAIN_PID (the init's host pid), CONTAIN_NAME (the container's
/// id: the supervisor's pid) and CONTAIN_CGROUP (the container's cgroup in
/// the unified hierarchy, where it has one). The signals of `owned` are
/// served meanwhile: one that ends the container (SPEC §5.5, Signals: the
/// init takes none yet) goes to the helper's group too, a second SIGTERM
/// as SIGKILL, and once the helper is gone contain ends by it. Err is how
/// contain must end: by that signal, or status 1 after the message when
/// the helper failed.
fn run_helper(cmd: &CStr, init: i32, env: CStrList, cgroups: &Cgroups, owned: SigSet) -> Result<(), Exit> {
    let mut pid_var = Line::new();
    pid_var.add(b"CONTAIN_PID=").num(init as u64).add(b"\0");
    let mut name_var = Line::new();
    name_var.add(b"CONTAIN_NAME=").num(sys::getpid() as u64).add(b"\0");
    let mut cgroup_var = PathBuf::new();
    // An absolute path: its leading `/` is the one `join` puts between.
    let cgroup_var = cgroups.unified().and_then(|dir| cgroup_var.join(b"CONTAIN_CGROUP=", &dir.to_bytes()[1..]));
    let ours = [sys::cstr_until_nul(pid_var.text()), sys::cstr_until_nul(name_var.text()), cgroup_var];
    let theirs = |e: &&CStr| {
        let name = after(e.to_bytes(), b"CONTAIN_").unwrap_or(b"");
        ![&b"PID="[..], b"NAME=", b"CGROUP="].iter().any(|var| name.starts_with(var))
    };
    let mut helper_env = CStrArray::<512>::new();
    if !env.iter().filter(theirs).chain(ours.into_iter().flatten()).all(|e| helper_env.push(e)) {
        say(b"helper failed: too many environment variables", &[]);
        return Err(Exit::Code(EXIT_FAILURE));
    }
    let mut argv = CStrArray::<4>::new();
    argv.push(c"/bin/sh");
    argv.push(c"-c");
    argv.push(cmd);
    let helper = sys::fork().map_err(|e| Exit::Code(cannot(b"fork helper", b"", e)))?;
    if helper == 0 {
        let _ = sys::new_process_group(0);
        sys::set_mask(SigSet(0));
        let e = sys::execve(c"/bin/sh", argv.list(), helper_env.list());
        sys::exit(cannot(b"execute /bin/sh", b"", e));
    }
    // Here too, so no signal to the group can come before it exists
    // (setpgid(2); EACCES once the helper has executed: it made it then).
    let _ = sys::new_process_group(helper);
    let mut ending = None;
    loop {
        match sys::try_wait(helper) {
            Ok(None) => {}
            ended => {
                return match ending {
                    Some(sig) => Err(Exit::Signal(sig)),
                    None => helper_ended(b"helper", ended.map(|how| how.unwrap_or(Exit::Code(0)))).map_err(Exit::Code),
                };
            }
        }
        // SIGCHLD, and what only a running init would be sent, just wake us.
        if let Ok(sig @ (SIGTERM | SIGINT | SIGHUP | SIGQUIT)) = sys::wait_signal(owned) {
            let again = ending.is_some();
            ending = ending.or(Some(sig));
            let _ = sys::kill(-helper, if again && sig == SIGTERM { SIGKILL } else { sig });
        }
    }
}

/// PID 1 of the container, until it executes CMD.
fn container_init(root: &Root, console: Option<(Fd, bool)>, maps: &Maps, inner: Inner) -> i32 {
    // The supervisor's blocked signals would show in our SigBlk as taken:
    // until CMD runs, a signal is either fatal (SIGKILL) or ignored, as the
    // kernel ignores it for a PID 1 without a handler.
    sys::set_mask(inner.old_mask);
    let ready = inner.ready;
    let mut go = [0u8; 1];
    if sys::read_full(&ready, &mut go) != Ok(1) {
        return EXIT_FAILURE;
    }
    if let Err(status) = become_root(maps) {
        return status;
    }
    // Die with the supervisor. Set only now: a change of credentials
    // clears it (prctl(2), PR_SET_PDEATHSIG). The supervisor holds its end
    // of the pipe until it ends, so end of file now means it is gone.
    let _ = sys::prctl(PR_SET_PDEATHSIG, SIGKILL as usize);
    if sys::read_nonblocking(&ready, &mut go) != Err(Errno::EAGAIN) {
        return EXIT_FAILURE;
    }
    drop(ready);
    if let Err(status) = enter_locked_copy() {
        return status;
    }
    if let Err(e) = sys::unshare(CLONE_NEWCGROUP) {
        return cannot(b"create cgroup namespace", b"", e);
    }
    if let Err(status) = crate::cgroup::mount_own_cgroup() {
        return status;
    }
    // A new session has no controlling terminal, so nothing inside can
    // push input into the caller's with TIOCSTI (CVE-2017-5226).
    if let Err(e) = sys::setsid() {
        return cannot(b"create session", b"", e);
    }
    // The console by its name inside, so that ttyname(3) and systemd see
    // /dev/console, when the mounter bound it there; else (DIR has no
    // /dev) the descriptor it opened.
    let console = console.map(|(slave, at_dev_console)| match at_dev_console {
        true => sys::open(c"/dev/console", O_RDWR | O_NOCTTY).unwrap_or(slave),
        false => slave,
    });
    if let Some(slave) = &console {
        if let Err(status) = take_console(slave) {
            return status;
        }
    }
    drop(console);
    if root.new_net {
        if let Err(e) = sys::loopback_up() {
            return cannot(b"bring up lo", b"", e);
        }
    }
    if let Err(e) = sys::cloexec_from(3) {
        return cannot(b"close inherited files", b"", e);
    }
    if let Err(status) = crate::exec::new_session_keyring() {
        return status;
    }
    // As systemd-nspawn, no CAP_SYS_RAWIO (it grants nothing in a user
    // namespace): systemd then skips the debugfs and tracefs mounts it could
    // only fail, instead of booting "degraded".
    let _ = sys::prctl(PR_CAPBSET_DROP, CAP_SYS_RAWIO);
    let mut init_env = CStrArray::<4>::new();
    init_env.push(c"container=contain");
    init_env.push(DEFAULT_PATH_VAR);
    if root.console {
        if let Some(term) = inner.env.iter().find(|e| after(e.to_bytes(), b"TERM=").is_some()) {
            init_env.push(term);
        }
    }
    exec_command(inner.cmd, init_env.list(), DEFAULT_PATH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_by_name_and_number() {
        for (text, sig) in [
            (&b"TERM"[..], 15),
            (b"SIGTERM", 15),
            (b"15", 15),
            (b"1", 1),
            (b"64", 64),
            (b"HUP", 1),
            (b"KILL", 9),
            (b"USR1", 10),
            (b"PWR", 30),
            (b"SYS", 31),
            (b"RTMIN", 34),
            (b"RTMIN+3", 37),
            (b"SIGRTMIN+3", 37),
            (b"RTMAX", 64),
            (b"RTMAX-1", 63),
        ] {
            assert_eq!(parse_signal(text), Some(sig), "{:?}", std::str::from_utf8(text));
        }
        for bad in [
            &b""[..],
            b"0",
            b"65",
            b"-1",
            b"term",
            b"SIG",
            b"SIGSIGTERM",
            b"RTMIN+31",
            b"RTMAX-31",
            b"RTMIN-1",
            b"RTMIN+",
            b"TERM ",
        ] {
            assert_eq!(parse_signal(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }
}

//! contain [OPTIONS] DIR [CMD [ARG]...]: run CMD (default /bin/sh) as PID 1
//! of a new container whose root is DIR, in new user, mount, PID, network,
//! IPC, UTS, cgroup and time namespaces, while this process supervises it.

use crate::args::{options, Args};
use crate::exec::{exec_command, PathBuf, DEFAULT_PATH};
use crate::ids::{signal_mask, IdMap};
use crate::mount::{assemble_root, Extra, ExtraMount, Root};
use crate::ns::{become_root, map_option, plan_maps, write_maps, Maps};
use crate::out::{fail, say, Line, EXIT_FAILURE};
use crate::sys::{
    self, CStrArray, CStrList, Errno, Exit, Fd, SigSet, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
    CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, O_DIRECTORY, O_PATH, O_RDONLY, PR_SET_PDEATHSIG, SIGCHLD,
    SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM,
};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: contain [OPTIONS] DIR [CMD [ARG]...]
  -c          no console: the init gets contain's stdin, stdout, stderr
  -n          share the caller's network namespace
  -u MAP      uid map INSIDE:OUTSIDE:COUNT[,...]
  -g MAP      gid map, likewise
  -b SRC[:DST]  bind host path SRC at DST inside (default DST = SRC)
  -r SRC[:DST]  the same, read-only
  -t DST      a new empty tmpfs at DST inside
  -v          volatile root: writes go to a tmpfs over DIR, never to DIR
  -o CMD      run sh -c CMD on the host once the namespaces exist ($CONTAIN_PID)
  -k SIG      the signal that asks the init to stop (on SIGTERM)
Ctrl-] three times within a second on the console kills the container.
";

/// The flag letters, bit i for FLAGS[i].
const FLAGS: &[u8] = b"cnv";
const NO_CONSOLE: u32 = 1;
const SHARE_NET: u32 = 2;
const VOLATILE: u32 = 4;

const NAMESPACES: u32 = CLONE_NEWUSER
    | CLONE_NEWNS
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWIPC
    | CLONE_NEWUTS
    | CLONE_NEWCGROUP
    | CLONE_NEWTIME;

const SIGUSR1: u32 = 10;
const SIGUSR2: u32 = 12;
/// The C library's SIGRTMIN is the kernel's 32 + 2 (glibc and musl keep two
/// for threads); systemd halts on SIGRTMIN+3 = 37 (systemd(1), "Signals").
const SIGRTMIN: u32 = 34;
const HALT: u32 = SIGRTMIN + 3;
/// systemd-nspawn's status for a container that rebooted.
const REBOOTED: i32 = 133;

/// The signals the supervisor owns (SPEC §5.5): a PID 1 ignores every
/// signal it has no handler for, so these are passed on or end it.
const OWNED: [u32; 6] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2];

/// Everything the command line asks for besides DIR and CMD.
struct Plan<'a> {
    flags: u32,
    uid_map: Option<IdMap>,
    gid_map: Option<IdMap>,
    extra: heapless::Vec<ExtraMount<'a>, 16>,
    helper: Option<&'a CStr>,
    stop: Option<u32>,
}

/// A signal by number (1..=64) or name, with or without `SIG`:
/// `TERM`, `SIGRTMIN+3`, `RTMAX-1`, `15`.
pub fn parse_signal(text: &[u8]) -> Option<u32> {
    const NAMES: [&[u8]; 31] = [
        b"HUP", b"INT", b"QUIT", b"ILL", b"TRAP", b"ABRT", b"BUS", b"FPE", b"KILL", b"USR1", b"SEGV", b"USR2",
        b"PIPE", b"ALRM", b"TERM", b"STKFLT", b"CHLD", b"CONT", b"STOP", b"TSTP", b"TTIN", b"TTOU", b"URG",
        b"XCPU", b"XFSZ", b"VTALRM", b"PROF", b"WINCH", b"IO", b"PWR", b"SYS",
    ];
    let number = |t: &[u8]| crate::ids::parse_u32(t).filter(|n| (1..=64).contains(n));
    if let Some(n) = number(text) {
        return Some(n);
    }
    let name = text.strip_prefix(b"SIG").unwrap_or(text);
    if let Some(i) = NAMES.iter().position(|n| *n == name) {
        return Some(i as u32 + 1);
    }
    let (base, offset) = match name {
        [b'R', b'T', b'M', b'I', b'N', rest @ ..] => (SIGRTMIN, rest),
        [b'R', b'T', b'M', b'A', b'X', rest @ ..] => (64, rest),
        _ => return None,
    };
    let n = match offset {
        [] => base,
        [b'+', n @ ..] => base + crate::ids::parse_u32(n).filter(|&n| n <= 30)?,
        [b'-', n @ ..] => base - crate::ids::parse_u32(n).filter(|&n| n <= 30)?,
        _ => return None,
    };
    (SIGRTMIN..=64).contains(&n).then_some(n)
}

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let mut plan = Plan { flags: 0, uid_map: None, gid_map: None, extra: heapless::Vec::new(), helper: None, stop: None };
    let rest = match options(args, USAGE, FLAGS, b"ugbrtok", (1, usize::MAX), &mut |letter, value| {
        let text = value.to_bytes();
        match letter {
            b'u' => plan.uid_map = Some(map_option(value)?),
            b'g' => plan.gid_map = Some(map_option(value)?),
            b'o' => plan.helper = Some(value),
            b'k' => {
                plan.stop = parse_signal(text);
                if plan.stop.is_none() {
                    say(&[b"bad signal '", text, b"'"]);
                    return Err(());
                }
            }
            _ => {
                let kind = match letter {
                    b'b' => Extra::Bind,
                    b'r' => Extra::ReadOnly,
                    _ => Extra::Tmpfs,
                };
                let (src, dst) = match text.iter().position(|&b| b == b':') {
                    _ if kind == Extra::Tmpfs => (&b""[..], text),
                    Some(i) => (&text[..i], &text[i + 1..]),
                    None => (text, text),
                };
                if text.is_empty() || dst.is_empty() || src.is_empty() && kind != Extra::Tmpfs {
                    say(&[b"bad mount '", text, b"'"]);
                    return Err(());
                }
                if plan.extra.push(ExtraMount { kind, src, dst }).is_err() {
                    say(&[b"more than 16 -b, -r and -t options"]);
                    return Err(());
                }
            }
        }
        Ok(())
    }) {
        Args::Run(flags, rest) => {
            plan.flags = flags;
            rest
        }
        Args::Exit(status) => return status,
    };
    let Some(dir) = rest.get(0) else { return EXIT_FAILURE };
    let namespaces = if plan.flags & SHARE_NET != 0 { NAMESPACES & !CLONE_NEWNET } else { NAMESPACES };
    // DIR as an absolute path: a bind of `.` onto itself would be entered
    // only by a path that crosses the new mount, never by `.` itself.
    let mut dir_abs = PathBuf::new();
    let dir_abs = match resolve_dir(dir, &mut dir_abs) {
        Ok(path) => path,
        Err(e) => return fail(&[b"cannot use ", dir.to_bytes(), b" as root"], e),
    };
    let maps = match plan_maps(plan.uid_map.as_ref(), plan.gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    let (ready_r, ready_w) = match sys::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return fail(&[b"cannot create pipe"], e),
    };
    // A signal the caller ignores stays ignored (SPEC §3): nohup's SIGHUP, a
    // script's background SIGINT. The others are ours to pass on.
    let mut owned = SigSet::of(&[SIGCHLD]);
    for sig in OWNED {
        if !sys::is_ignored(sig) {
            owned.0 |= SigSet::of(&[sig]).0;
        }
    }
    let old_mask = sys::block(owned);
    // Time namespaces need Linux 5.6; older kernels reject the flag.
    let init = match sys::fork_into(namespaces) {
        Err(Errno::EINVAL) => sys::fork_into(namespaces & !CLONE_NEWTIME),
        other => other,
    };
    let init = match init {
        Ok(init) => init,
        Err(e) => return fail(&[b"cannot create namespaces"], e),
    };
    if init == 0 {
        drop(ready_w);
        let root = Root {
            dir: dir_abs,
            shown: dir.to_bytes(),
            new_net: namespaces & CLONE_NEWNET != 0,
            volatile: plan.flags & VOLATILE != 0,
            console: None,
            extra: &plan.extra,
        };
        sys::exit(container_init(&root, rest.skip(1), env, &maps, ready_r, old_mask));
    }
    drop(ready_r);
    let started = write_maps(init, &maps).and_then(|()| match plan.helper {
        Some(helper) => run_helper(helper, init, env),
        None => Ok(()),
    });
    if let Err(status) = started {
        let _ = sys::kill(init, SIGKILL);
        let _ = sys::wait(init, false);
        return status;
    }
    let _ = sys::write_all(ready_w.raw(), b"1");
    let status = supervise(init, owned, plan.stop);
    drop(ready_w);
    status
}

/// The absolute path of the directory `dir` (as the kernel names the open
/// directory in /proc/self/fd).
fn resolve_dir<'a>(dir: &CStr, buf: &'a mut PathBuf) -> Result<&'a CStr, Errno> {
    let fd = sys::open(dir, O_PATH | O_DIRECTORY)?;
    let mut link = Line::new();
    let mut target = [0u8; 4096];
    let path = sys::readlink(link.proc_path(0, &[b"/fd/", Line::new().num(fd.raw() as u64).text()]), &mut target)?;
    buf.join(b"", path.to_bytes()).ok_or(Errno::ENAMETOOLONG)
}

/// `-o CMD`: `/bin/sh -c CMD` on the host, as the caller, with the init's
/// host pid in `CONTAIN_PID`; Err(1) after the message when it fails.
fn run_helper(cmd: &CStr, init: i32, env: CStrList) -> Result<(), i32> {
    let mut pid_var = Line::new();
    pid_var.add(b"CONTAIN_PID=").num(init as u64).add(b"\0");
    let mut helper_env = CStrArray::<512>::new();
    let pid_var = sys::cstr_until_nul(pid_var.text()).unwrap_or(c"CONTAIN_PID=");
    if !env.iter().filter(|e| !e.to_bytes().starts_with(b"CONTAIN_PID=")).chain([pid_var]).all(|e| helper_env.push(e)) {
        say(&[b"helper failed: too many environment variables"]);
        return Err(EXIT_FAILURE);
    }
    let mut argv = CStrArray::<4>::new();
    for arg in [c"/bin/sh", c"-c", cmd] {
        argv.push(arg);
    }
    let child = sys::fork().map_err(|e| fail(&[b"cannot fork helper"], e))?;
    if child == 0 {
        sys::set_mask(SigSet(0));
        let e = sys::execve(c"/bin/sh", argv.list(), helper_env.list());
        sys::exit(fail(&[b"cannot execute /bin/sh"], e));
    }
    let mut line = Line::new();
    line.add(crate::out::applet_name()).add(b": helper failed: ");
    match sys::wait(child, false) {
        Ok(Some((_, Exit::Code(0)))) => return Ok(()),
        Ok(Some((_, Exit::Code(code)))) => line.add(b"exit status ").num(code as u64),
        Ok(Some((_, Exit::Signal(sig)))) => line.add(b"killed by signal ").num(sig as u64),
        _ => line.add(b"lost"),
    };
    line.send();
    Err(EXIT_FAILURE)
}

/// PID 1 of the container, until it executes CMD.
fn container_init(root: &Root, cmd: CStrList, env: CStrList, maps: &Maps, ready: Fd, old_mask: SigSet) -> i32 {
    let mut go = [0u8; 1];
    if sys::read_full(ready.raw(), &mut go) != Ok(1) {
        return EXIT_FAILURE;
    }
    if let Err(status) = become_root(maps) {
        return status;
    }
    // Die with the supervisor. Set only now: a change of credentials
    // clears it (prctl(2), PR_SET_PDEATHSIG). The supervisor holds its end
    // of the pipe until it ends, so end of file now means it is gone.
    let _ = sys::prctl(PR_SET_PDEATHSIG, SIGKILL as usize);
    if sys::read_nonblocking(ready.raw(), &mut go) != Err(Errno::EAGAIN) {
        return EXIT_FAILURE;
    }
    drop(ready);
    // A new session has no controlling terminal, so nothing inside can
    // push input into the caller's with TIOCSTI (CVE-2017-5226).
    if let Err(e) = sys::setsid() {
        return fail(&[b"cannot create session"], e);
    }
    if let Err(status) = assemble_root(root) {
        return status;
    }
    if root.new_net {
        if let Err(e) = sys::loopback_up() {
            return fail(&[b"cannot bring up lo"], e);
        }
    }
    if let Err(e) = sys::cloexec_from(3) {
        return fail(&[b"cannot close inherited files"], e);
    }
    sys::set_mask(old_mask);
    let mut init_env = CStrArray::<4>::new();
    init_env.push(c"container=contain");
    init_env.push(c"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    if root.console.is_some() {
        if let Some(term) = env.iter().find(|e| e.to_bytes().starts_with(b"TERM=")) {
            init_env.push(term);
        }
    }
    exec_command(cmd, init_env.list(), DEFAULT_PATH)
}

/// The signal the init is sent for `sig` received by contain: passed on
/// when the init takes it; SIGTERM asks it to stop (`-k`, else SIGRTMIN+3
/// or SIGTERM when taken, else SIGKILL; a second SIGTERM kills); SIGUSR1 and
/// SIGUSR2 not taken are dropped (None); the others end the container.
fn signal_for(sig: u32, takes: &dyn Fn(u32) -> bool, stop: Option<u32>, stopping: bool) -> Option<u32> {
    Some(match sig {
        SIGTERM if stopping => SIGKILL,
        SIGTERM => stop.unwrap_or(if takes(HALT) {
            HALT
        } else if takes(SIGTERM) {
            SIGTERM
        } else {
            SIGKILL
        }),
        _ if takes(sig) => sig,
        SIGUSR1 | SIGUSR2 => return None,
        _ => SIGKILL,
    })
}

/// Waits for the init, passing on or acting on the signals we own, and
/// ends as it did (or by the signal that made us end it).
fn supervise(init: i32, owned: SigSet, stop: Option<u32>) -> i32 {
    let mut received = 0;
    loop {
        let Ok(sig) = sys::wait_signal(owned) else { continue };
        if sig != SIGCHLD {
            let takes = |s| init_takes(init, s);
            if let Some(target) = signal_for(sig, &takes, stop, received == SIGTERM) {
                if sig != SIGUSR1 && sig != SIGUSR2 {
                    received = sig;
                }
                let _ = sys::kill(init, target);
            }
            continue;
        }
        // SIGCHLD: reap whatever ended; only the init's end matters.
        while let Ok(Some((pid, how))) = sys::wait(-1, true) {
            if pid != init {
                continue;
            }
            if received != 0 {
                sys::die_by(received);
            }
            return match how {
                Exit::Code(code) => code,
                // reboot(2) in a PID namespace ends its init "killed" by
                // SIGINT for a halt or power-off, SIGHUP for a restart
                // (pid_namespaces(7)).
                Exit::Signal(SIGINT) => 0,
                Exit::Signal(SIGHUP) => REBOOTED,
                Exit::Signal(sig) => sys::die_by(sig),
            };
        }
    }
}

/// Whether the init takes `sig`: a handler for it (SigCgt), or blocked to
/// be read through signalfd, as systemd and runit do (SigBlk).
fn init_takes(init: i32, sig: u32) -> bool {
    let Ok(file) = sys::open(Line::new().proc_path(init, &[b"/status"]), O_RDONLY) else { return false };
    let mut status = [0u8; 2048];
    let len = sys::read_full(file.raw(), &mut status).unwrap_or(0);
    let status = &status[..len];
    let mask = signal_mask(status, b"SigCgt:").unwrap_or(0) | signal_mask(status, b"SigBlk:").unwrap_or(0);
    SigSet(mask).has(sig)
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
        for bad in [&b""[..], b"0", b"65", b"-1", b"term", b"SIG", b"SIGSIGTERM", b"RTMIN+31", b"RTMAX-31", b"RTMIN-1", b"RTMIN+", b"TERM "] {
            assert_eq!(parse_signal(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn stop_and_pass_on() {
        let takes_none = |_| false;
        let systemd = |s| s == HALT || s == SIGTERM || s == SIGINT;
        let sysv = |s| s == SIGTERM || s == SIGUSR1;
        assert_eq!(signal_for(SIGTERM, &systemd, None, false), Some(HALT));
        assert_eq!(signal_for(SIGTERM, &sysv, None, false), Some(SIGTERM));
        assert_eq!(signal_for(SIGTERM, &takes_none, None, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGTERM, &systemd, Some(SIGPWR_FOR_TEST), false), Some(SIGPWR_FOR_TEST));
        assert_eq!(signal_for(SIGTERM, &systemd, None, true), Some(SIGKILL));
        assert_eq!(signal_for(SIGINT, &systemd, None, false), Some(SIGINT));
        assert_eq!(signal_for(SIGINT, &takes_none, None, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGHUP, &takes_none, None, false), Some(SIGKILL));
        assert_eq!(signal_for(SIGUSR1, &sysv, None, false), Some(SIGUSR1));
        assert_eq!(signal_for(SIGUSR2, &sysv, None, false), None);
    }
    const SIGPWR_FOR_TEST: u32 = 30;
}

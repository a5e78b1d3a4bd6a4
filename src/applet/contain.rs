//! contain DIR CMD [ARG]...: run CMD as PID 1 of a new container whose
//! root is DIR, in new user, mount, PID, network, IPC, UTS, cgroup and time
//! namespaces, while this process supervises it.

use crate::exec::{exec_command, DEFAULT_PATH};
use crate::ids::caught_signals;
use crate::mount::{assemble_root, PIVOT_STEP};
use crate::ns::{become_root, plan_maps, write_maps, Maps};
use crate::out::{fail, options, Line, EXIT_FAILURE};
use crate::sys::{
    self, CStrArray, CStrList, Errno, Exit, Fd, SigSet, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
    CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, O_RDONLY, PR_SET_PDEATHSIG, SIGCHLD, SIGHUP, SIGINT,
    SIGKILL, SIGQUIT, SIGTERM,
};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: contain [-n] DIR CMD [ARG]...\n";
/// `-n`: share the caller's network namespace (bit 0 of the options).
const SHARE_NET: u32 = 1;

const NAMESPACES: u32 = CLONE_NEWUSER
    | CLONE_NEWNS
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWIPC
    | CLONE_NEWUTS
    | CLONE_NEWCGROUP
    | CLONE_NEWTIME;

/// The signals the supervisor owns (SPEC §5): a PID 1 ignores every signal
/// it has no handler for, so these are passed on or end the container.
const FORWARDED: [u32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

pub fn main(args: CStrList, _env: CStrList) -> i32 {
    let (opts, args) = match options(args, USAGE, b"n", 2, usize::MAX) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let namespaces = if opts & SHARE_NET != 0 { NAMESPACES & !CLONE_NEWNET } else { NAMESPACES };
    let Some(dir) = args.get(0) else { return EXIT_FAILURE };
    match sys::statat(sys::AT_FDCWD, dir, false) {
        Ok(st) if st.is_dir() => {}
        Ok(_) => return fail(&[b"cannot use ", dir.to_bytes(), b" as root"], Errno::ENOTDIR),
        Err(e) => return fail(&[b"cannot use ", dir.to_bytes(), b" as root"], e),
    }
    let maps = plan_maps();
    let (ready_r, ready_w) = match sys::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return fail(&[b"cannot create pipe"], e),
    };
    let signals = SigSet::of(&[SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT]);
    let old_mask = sys::block(signals);
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
        let new_net = namespaces & CLONE_NEWNET != 0;
        sys::exit(container_init(dir, args.skip(1), &maps, ready_r, old_mask, new_net));
    }
    drop(ready_r);
    if let Err(status) = write_maps(init, &maps) {
        let _ = sys::kill(init, SIGKILL);
        let _ = sys::wait(init, false);
        return status;
    }
    let _ = sys::write_all(ready_w.raw(), b"1");
    let status = supervise(init, signals);
    drop(ready_w);
    status
}

/// PID 1 of the container, until it executes CMD.
fn container_init(dir: &CStr, cmd: CStrList, maps: &Maps, ready: Fd, old_mask: SigSet, new_net: bool) -> i32 {
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
    if let Err((what, e)) = assemble_root(dir, new_net) {
        return if what == PIVOT_STEP || what == b"cannot bind new root" {
            fail(&[what, b" ", dir.to_bytes()], e)
        } else {
            fail(&[what], e)
        };
    }
    if let Err(e) = sys::cloexec_from(3) {
        return fail(&[b"cannot close inherited files"], e);
    }
    sys::set_mask(old_mask);
    let mut env = CStrArray::<2>::new();
    env.push(c"container=contain");
    exec_command(cmd, env.list(), DEFAULT_PATH)
}

/// Waits for the init, passing on or acting on the signals we own, and
/// ends as it did (or by the signal that made us end it).
fn supervise(init: i32, signals: SigSet) -> i32 {
    let mut received = 0;
    loop {
        let Ok(sig) = sys::wait_signal(signals) else { continue };
        if SigSet::of(&FORWARDED).has(sig) {
            received = sig;
            let target = if init_catches(init, sig) { sig } else { SIGKILL };
            let _ = sys::kill(init, target);
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
                Exit::Signal(sig) => sys::die_by(sig),
            };
        }
    }
}

/// Whether the init has a handler for `sig` (SigCgt of /proc/PID/status).
fn init_catches(init: i32, sig: u32) -> bool {
    let Ok(file) = sys::open(Line::new().proc_path(init, &[b"/status"]), O_RDONLY) else { return false };
    let mut status = [0u8; 2048];
    let len = sys::read_full(file.raw(), &mut status).unwrap_or(0);
    caught_signals(&status[..len]).is_some_and(|mask| SigSet(mask).has(sig))
}

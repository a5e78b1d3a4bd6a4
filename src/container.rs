//! One container: `Spec`, what to build, which every front end fills (contain's
//! command line; an OCI bundle next), and `launch`, which builds it and
//! returns the `Running` container, to supervise (contain) or, later, to
//! leave running (the OCI runtime's `create`). Whatever `launch` made is
//! undone when what holds it is dropped: the init is killed and reaped, its
//! cgroups removed.
//!
//! Three processes take part. The supervisor (the caller's process) makes
//! the cgroups and forks the mounter; the mounter, in a user namespace more
//! privileged than the container's, assembles the root (mount::assemble_root)
//! and forks the init as the supervisor's child (CLONE_PARENT), then ends;
//! the init copies the mounter's mount namespace into its own user
//! namespace, so every mount is locked, and applies the rest in the
//! kernel's order before it executes CMD.

use crate::cgroup::Cgroups;
use crate::console::{take_console, Console};
use crate::exec::{exec_command, OptionsBefore, DEFAULT_PATH, DEFAULT_PATH_VAR};
use crate::limits::Limit;
use crate::mount::{assemble_root, enter_locked_copy, mount_kernel_views, switch_root, Root};
use crate::ns::{
    become_root, helper_ended, nested_maps, own_ids_instead, write_maps, write_maps_nesting, Maps, Writer,
};
use crate::out::{fail, say, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::sandbox::{apply_sandbox, Sandbox};
use crate::seccomp::{program_bytes, BPF_MAXINSNS};
use crate::state::{not_recorded, started, taken, Record, StateDir};
use crate::supervise::{owned_signals, supervise, Child};
use crate::sys::{
    self, CStrArray, CStrList, Errno, Exit, Fd, SigSet, CLONE_NEWCGROUP, CLONE_NEWNS, CLONE_NEWTIME, CLONE_NEWUSER,
    CLONE_PARENT, O_DIRECTORY, O_NOCTTY, O_PATH, O_RDWR, PR_SET_PDEATHSIG, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM,
};
use crate::text::after;
use core::ffi::CStr;

/// What to build.
pub struct Spec<'a> {
    /// The namespaces to make (CLONE_NEW*): every one but the network's
    /// with `-n`.
    pub namespaces: u32,
    /// The identity maps of SPEC §4 and who writes them.
    pub maps: &'a Maps,
    /// The host ids of the container's root, which own its cgroups (none
    /// when a map leaves 0 unmapped).
    pub root_owner: Option<(u32, u32)>,
    /// The root file system and its mounts.
    pub root: Root<'a>,
    /// `-o`: a command run on the host once the namespaces exist.
    pub host_hook: Option<&'a CStr>,
    /// `-k`: the signal that asks the init to stop.
    pub stop: Option<u32>,
    /// The process: CMD, and the caller's environment (for TERM and `-o`).
    pub cmd: CStrList<'a>,
    pub env: CStrList<'a>,
    /// The container's id (`--name`, else the supervisor's pid), and the
    /// state directory that records it while it runs (none where it cannot
    /// be made).
    pub id: &'a [u8],
    pub state: Option<&'a StateDir>,
    /// The applet that makes it, as the record names it.
    pub applet: &'a [u8],
    /// The applet's options, for the hint when CMD is not found but looks
    /// like one of them.
    pub misplaced: Option<&'a OptionsBefore<'a>>,
    /// What the init keeps of its capabilities (SPEC §5.5, The sandbox).
    pub sandbox: Sandbox<'a>,
    /// `-L`: cgroup limits, written before the init runs (SPEC §5.5, Limits).
    pub limits: &'a [Limit<'a>],
    /// `--veth`: a veth pair, `host0` inside and `ve-ID` on the host.
    pub veth: bool,
    /// Namespaces the init joins (CLONE_NEW* and the namespace's file,
    /// `/run/netns/NAME`) instead of making them: an OCI bundle's
    /// namespaces with a `path`.
    pub join: &'a [(u32, &'a CStr)],
    /// The OCI runtime's: the init outlives this process (no
    /// PR_SET_PDEATHSIG; `Running::detach`), the console's master is left
    /// to the caller (`Running::master`), and instead of the sandbox and
    /// CMD the init ends in `tail` (which executes the process or returns
    /// the exit status after the message).
    pub tail: Option<&'a dyn Fn() -> i32>,
    /// The hostname inside (the UTS namespace is always the container's
    /// own); empty: the host's, as the namespace starts with it.
    pub hostname: &'a [u8],
}

/// The name of a container's host interface: `ve-ID`, cut to the 15 bytes
/// an interface name can have (IFNAMSIZ less its NUL), as systemd-nspawn's.
pub type HostIf = heapless::Vec<u8, 15>;

fn host_interface(id: &[u8]) -> HostIf {
    b"ve-".iter().chain(id).take(15).copied().collect()
}

/// A container whose init waits to execute CMD.
pub struct Running<'c> {
    pub init: i32,
    console: Option<Console>,
    /// With `Spec::tail`: the console's master, for the caller to pass on.
    pub master: Option<Fd>,
    cgroups: &'c Cgroups,
    /// The init's release: a byte lets it go on; end of file (our end
    /// closed) ends it.
    ready: Fd,
    owned: SigSet,
    stop: Option<u32>,
    reaped: bool,
    /// Its record in the state directory, removed with it.
    recorded: Option<(&'c StateDir, &'c [u8])>,
    /// Its host interface (`--veth`), deleted with it: the kernel would
    /// delete it only once nothing holds the network namespace.
    veth: Option<HostIf>,
}

impl Running<'_> {
    /// Lets the init go on (to `Spec::tail`) and leaves it running: no
    /// longer killed, nor its record removed, when this is dropped. The
    /// release is held until the init has read it (it reads end of file
    /// as this process's end otherwise).
    pub fn detach(mut self) -> i32 {
        let _ = sys::write_all(&self.ready, b"1");
        self.reaped = true;
        self.recorded = None;
        self.init
    }

    /// Lets the init execute CMD, relays the console, serves the signals
    /// and waits for the init (SPEC §5.5): how it ended.
    pub fn supervise(mut self) -> Exit {
        if let Some(console) = &self.console {
            console.raw();
        }
        let _ = sys::write_all(&self.ready, b"1");
        let how = match sys::open(c"/proc", O_PATH | O_DIRECTORY) {
            Ok(proc) => {
                let cgroups = self.cgroups;
                let freeze = |frozen| cgroups.freeze(frozen);
                let child = Child::Init { stop: self.stop };
                supervise(self.init, self.owned, child, self.console.as_mut(), &proc, Some(&freeze))
            }
            Err(e) => return Exit::Code(fail(b"cannot open /proc", b"", e)),
        };
        self.reaped = true;
        how
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = sys::kill(self.init, SIGKILL);
            let _ = sys::wait(self.init);
        }
        if let Some(name) = &self.veth {
            let _ = sys::delete_link(name);
        }
        if let Some((state, id)) = self.recorded {
            state.remove(id);
        }
    }
}

/// Builds the container of `spec` up to the init's exec: the mounter and
/// what it assembles, the init in every namespace and in `cgroups` (made
/// for it by the caller, `Cgroups::create`, and removed when the caller
/// drops them), the console, `-o`. Err is how the caller must end (after
/// the message), with the init gone.
pub fn launch<'c>(spec: &Spec<'c>, cgroups: &'c Cgroups) -> Result<Running<'c>, Exit> {
    let fail = |what: &[u8], e| Exit::Code(crate::out::fail(what, b"", e));
    // Before any process of the container exists.
    cgroups.set_limits(spec.limits).map_err(Exit::Code)?;
    let (ready_r, ready) = sys::pipe().map_err(|e| fail(b"cannot create pipe", e))?;
    let (report, mounter_end) = sys::socket_pair().map_err(|e| fail(b"cannot create socket pair", e))?;
    // Without a console, at a terminal: Ctrl-Z freezes the container.
    let stoppable = !spec.root.console && sys::get_termios(&sys::STDIN).is_ok();
    let owned = owned_signals(spec.root.console, stoppable);
    let old_mask = sys::block(owned);
    // Host root's mounter stays in the initial user namespace; an
    // unprivileged caller's is root of an outer one with the §4 map.
    let outer = if spec.maps.writer == Writer::Parent { CLONE_NEWNS } else { CLONE_NEWNS | CLONE_NEWUSER };
    let mounter = sys::fork_into(outer).map_err(|e| fail(b"cannot create namespaces", e))?;
    if mounter == 0 {
        drop((ready, report));
        let own_cgroup = cgroups.unified().is_some();
        let inner = Inner {
            cmd: spec.cmd,
            env: spec.env,
            ready: ready_r,
            old_mask,
            own_cgroup,
            misplaced: spec.misplaced,
            sandbox: spec.sandbox,
            veth: spec.veth,
            namespaces: spec.namespaces,
            tail: spec.tail,
            hostname: spec.hostname,
        };
        sys::exit(mounter_main(&spec.root, spec.join, spec.maps, &mounter_end, inner));
    }
    drop((ready_r, mounter_end));
    let (init, master) = match start_mounter(mounter, spec.maps, &report) {
        Ok(started) => started,
        Err(status) => {
            // The init, if the mounter made it, ends when it reads end of
            // file on the ready pipe; it is our child (CLONE_PARENT).
            drop(ready);
            while let Ok(Some(_)) = sys::reap_any() {}
            return Err(Exit::Code(status));
        }
    };
    let stop = spec.stop;
    let mut running = Running {
        init,
        console: None,
        master: None,
        cgroups,
        ready,
        owned,
        stop,
        reaped: false,
        recorded: None,
        veth: None,
    };
    if spec.tail.is_some() {
        running.master = master;
    } else {
        running.console = master.map(Console::adopt).transpose().map_err(Exit::Code)?;
    }
    running.cgroups.place(init).map_err(Exit::Code)?;
    // Recorded before it exists, so whoever finds the record stale (its
    // supervisor killed) deletes it; never after: a stale record of the
    // same id would then name ours.
    let veth = spec.veth.then(|| host_interface(spec.id));
    if let Some(state) = spec.state {
        record(state, spec, &running, veth.as_deref().unwrap_or_default())?;
        running.recorded = Some((state, spec.id));
    }
    if let Some(name) = veth {
        sys::create_veth(&name, b"host0", init)
            .map_err(|e| Exit::Code(crate::out::fail_with(b"cannot create interface {}", &[&name], e)))?;
        running.veth = Some(name);
    }
    if let Some(hook) = spec.host_hook {
        run_helper(hook, init, spec.id, spec.env, running.cgroups, owned)?;
    }
    Ok(running)
}

/// Records the container in the state directory (SPEC §3), before its
/// init may run: `inject` finds it, and gives its commands its sandbox.
fn record(state: &StateDir, spec: &Spec, running: &Running, veth: &[u8]) -> Result<(), Exit> {
    let mut program = [0; 8 * BPF_MAXINSNS];
    // An OCI container's init outlives this process: it stands for the
    // supervisor, so that a record is never taken for stale while it runs.
    let supervisor = if spec.tail.is_some() { running.init } else { sys::getpid() };
    let record = Record {
        id: spec.id,
        applet: spec.applet,
        supervisor,
        supervisor_start: started(supervisor),
        init: running.init,
        init_start: started(running.init),
        dir: spec.root.dir.to_bytes(),
        cgroup: running.cgroups.unified().map_or(b"", |dir| dir.to_bytes()),
        bounding: spec.sandbox.bounding,
        no_new_privs: spec.sandbox.no_new_privs,
        seccomp: program_bytes(spec.sandbox.seccomp, &mut program),
        seccomp_flags: spec.sandbox.seccomp_flags,
        veth,
    };
    state.add(&record).map_err(|e| {
        Exit::Code(match e {
            Errno::EEXIST => taken(spec.id),
            e => not_recorded(spec.id, e),
        })
    })
}

/// Writes the mounter's maps (an unprivileged caller's outer user
/// namespace), lets it go, and takes what it reports: the init's host pid
/// and the console's master. Err after the message (the mounter's own, or
/// ours) once the mounter is reaped.
fn start_mounter(mounter: i32, maps: &Maps, report: &Fd) -> Result<(i32, Option<Fd>), i32> {
    let mapped = if maps.writer == Writer::Parent { Ok(None) } else { write_maps_nesting(mounter, maps, true) };
    match &mapped {
        // `o`: the mounter's namespace maps the caller's own ids only (SPEC
        // §4's nesting fallback), and so must the container's.
        Ok(own) => drop(sys::send_with_fd(report, if own.is_some() { b"o" } else { b"1" }, None)),
        Err(_) => drop(sys::kill(mounter, SIGKILL)),
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
    /// Whether the container has a cgroup of its own in the unified
    /// hierarchy, to mount at /sys/fs/cgroup.
    own_cgroup: bool,
    misplaced: Option<&'a OptionsBefore<'a>>,
    sandbox: Sandbox<'a>,
    /// Whether the network namespace has a `host0` to bring up.
    veth: bool,
    /// The namespaces to make (CLONE_NEW*).
    namespaces: u32,
    tail: Option<&'a dyn Fn() -> i32>,
    hostname: &'a [u8],
}

/// The mounter (see mount::assemble_root): in a mount namespace of its
/// own, owned by a more privileged user namespace than the container's, it
/// assembles DIR, makes the init (the supervisor's child, CLONE_PARENT) in
/// the container's namespaces, writes its maps, mounts its sysfs and proc,
/// switches root, and reports the init's pid and the console's master.
fn mounter_main(root: &Root, join: &[(u32, &CStr)], maps: &Maps, report: &Fd, inner: Inner) -> i32 {
    let namespaces = inner.namespaces;
    let new_user = namespaces & CLONE_NEWUSER != 0;
    let mut go = [0u8; 1];
    if sys::recv_with_fd(report, &mut go).map(|(n, _)| n) != Ok(1) {
        return EXIT_FAILURE;
    }
    let own;
    let maps = match (go[0], own_ids_instead(maps)) {
        (b'o', Some(fallback)) => {
            own = fallback;
            &own
        }
        _ => maps,
    };
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
    // The namespaces given by their files, joined before the init is made
    // so that it starts in them (a PID namespace is its children's).
    for &(flag, path) in join {
        let joined = sys::open(path, sys::O_RDONLY).and_then(|ns| sys::setns(&ns, flag));
        if let Err(e) = joined {
            return fail(b"cannot join the namespace ", path.to_bytes(), e);
        }
    }
    // Time namespaces need Linux 5.6; older kernels reject the flag.
    let init = match sys::fork_into(namespaces) {
        Err(Errno::EINVAL) => sys::fork_into(namespaces & !CLONE_NEWTIME),
        other => other,
    };
    let init = match init {
        Ok(init) => init,
        // An unprivileged caller's container's user namespace is nested in
        // the mounter's and counts twice against the limit (user_namespaces(7)).
        Err(e @ Errno::ENOSPC) => return fail(b"cannot create namespaces (user.max_user_namespaces)", b"", e),
        Err(e) => return fail(b"cannot create namespaces", b"", e),
    };
    if init == 0 {
        let slave = pty.map(|pty| (pty.slave, pty.at_dev_console));
        let inner_maps = nested_maps(maps);
        let inner_maps = if new_user { Some(&inner_maps) } else { None };
        sys::exit(container_init(root, slave, inner_maps, inner));
    }
    let mapped = if new_user { write_maps(init, &nested_maps(maps)) } else { Ok(()) };
    let late_pty = mapped.and_then(|()| mount_kernel_views(root, init));
    let written = late_pty.and_then(|late| switch_root(root).map(|()| late));
    let late_pty = match written {
        Ok(late) => late,
        Err(status) => {
            let _ = sys::kill(init, SIGKILL);
            return status;
        }
    };
    let master = pty.or(late_pty).map(|pty| pty.master);
    match sys::send_with_fd(report, &init.to_ne_bytes(), master.as_ref()) {
        Ok(()) => 0,
        Err(e) => fail(b"cannot report to the supervisor", b"", e),
    }
}

/// `-o CMD`: `/bin/sh -c CMD` on the host, as the caller, in a process
/// group of its own so that what it starts ends with it; its environment
/// adds CONTAIN_PID (the init's host pid), CONTAIN_NAME (the container's
/// id) and CONTAIN_CGROUP (the container's cgroup in
/// the unified hierarchy, where it has one). The signals of `owned` are
/// served meanwhile: one that ends the container (SPEC §5.5, Signals: the
/// init takes none yet) goes to the helper's group too, a second SIGTERM
/// as SIGKILL, and once the helper is gone contain ends by it. Err is how
/// contain must end: by that signal, or status 1 after the message when
/// the helper failed.
fn run_helper(cmd: &CStr, init: i32, id: &[u8], env: CStrList, cgroups: &Cgroups, owned: SigSet) -> Result<(), Exit> {
    let mut pid_var = Line::new();
    pid_var.add(b"CONTAIN_PID=").num(init as u64).add(b"\0");
    let mut name_var = Line::new();
    name_var.add(b"CONTAIN_NAME=").add(id).add(b"\0");
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
    let helper = sys::fork().map_err(|e| Exit::Code(fail(b"cannot fork helper", b"", e)))?;
    if helper == 0 {
        let _ = sys::new_process_group(0);
        sys::set_mask(SigSet(0));
        let e = sys::execve(c"/bin/sh", argv.list(), helper_env.list());
        sys::exit(fail(b"cannot execute /bin/sh", b"", e));
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
fn container_init(root: &Root, console: Option<(Fd, bool)>, maps: Option<&Maps>, inner: Inner) -> i32 {
    // The supervisor's blocked signals would show in our SigBlk as taken:
    // until CMD runs, a signal is either fatal (SIGKILL) or ignored, as the
    // kernel ignores it for a PID 1 without a handler.
    sys::set_mask(inner.old_mask);
    let ready = inner.ready;
    let mut go = [0u8; 1];
    if sys::read_full(&ready, &mut go) != Ok(1) {
        return EXIT_FAILURE;
    }
    if let Err(status) = maps.map_or(Ok(()), become_root) {
        return status;
    }
    // Die with the supervisor. Set only now: a change of credentials
    // clears it (prctl(2), PR_SET_PDEATHSIG). The supervisor holds its end
    // of the pipe until it ends, so end of file now means it is gone. (An
    // OCI init outlives the runtime that made it.)
    if inner.tail.is_none() {
        let _ = sys::prctl(PR_SET_PDEATHSIG, SIGKILL as usize);
        if sys::read_nonblocking(&ready, &mut go) != Err(Errno::EAGAIN) {
            return EXIT_FAILURE;
        }
    }
    drop(ready);
    if let Err(status) = enter_locked_copy() {
        return status;
    }
    if inner.namespaces & CLONE_NEWCGROUP != 0 {
        if let Err(e) = sys::unshare(CLONE_NEWCGROUP) {
            return fail(b"cannot create cgroup namespace", b"", e);
        }
    }
    // Only the container's own, delegated cgroup: without one, the root of
    // the cgroup namespace is a cgroup of the caller's. An OCI bundle's
    // mounts say whether and how.
    let cgroup_mount = root.late.map_or(Some(0), |late| late.cgroup);
    if let Some(flags) = cgroup_mount.filter(|_| inner.own_cgroup) {
        if let Err(status) = crate::cgroup::mount_own_cgroup(flags) {
            return status;
        }
    }
    // A new session has no controlling terminal, so nothing inside can
    // push input into the caller's with TIOCSTI (CVE-2017-5226).
    if let Err(e) = sys::setsid() {
        return fail(b"cannot create session", b"", e);
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
    if !inner.hostname.is_empty() {
        if let Err(e) = sys::set_hostname(inner.hostname) {
            return fail(b"cannot set the hostname ", inner.hostname, e);
        }
    }
    if root.new_net {
        if let Err(e) = sys::link_up(b"lo") {
            return fail(b"cannot bring up lo", b"", e);
        }
    }
    // `--veth`: the supervisor made it before it let us go on.
    if inner.veth {
        if let Err(e) = sys::link_up(b"host0") {
            return fail(b"cannot bring up host0", b"", e);
        }
    }
    if let Err(e) = sys::cloexec_from(3) {
        return fail(b"cannot close inherited files", b"", e);
    }
    if let Err(status) = crate::exec::new_session_keyring() {
        return status;
    }
    if let Some(tail) = inner.tail {
        return tail();
    }
    if let Err(status) = apply_sandbox(&inner.sandbox) {
        return status;
    }
    let mut init_env = CStrArray::<4>::new();
    init_env.push(c"container=contain");
    init_env.push(DEFAULT_PATH_VAR);
    if root.console {
        if let Some(term) = inner.env.iter().find(|e| after(e.to_bytes(), b"TERM=").is_some()) {
            init_env.push(term);
        }
    }
    exec_command(inner.cmd, init_env.list(), DEFAULT_PATH, inner.misplaced)
}

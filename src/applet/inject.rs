//! inject PID|NAME CMD [ARG]...: run CMD inside the running container whose
//! init (or supervisor) has host pid PID, or whose id is NAME, with the
//! container's sandbox, without exposing this binary to it.

use crate::args::{index, parse, Opt, Parsed};
use crate::cgroup::join_cgroups_of;
use crate::console::{at_terminal, take_console, Console};
use crate::enter::{
    container_child, enter_namespaces, open_namespaces, record_sandbox, sealed_and_undumpable, Targets, USER,
};
use crate::exec::{exec_command, new_session_keyring, search_path, OptionsBefore, DEFAULT_PATH_VAR};
use crate::ids::passwd_home_shell;
use crate::ns::{become_root, Maps, Writer};
use crate::out::{fail, say, Line, EXIT_FAILURE};
use crate::path::PathBuf;
use crate::procfs;
use crate::sandbox::{apply_sandbox, Sandbox};
use crate::seccomp::{SockFilter, BPF_MAXINSNS};
use crate::state::{find, Record, RecordBuf, StateDir};
use crate::supervise::{end, owned_signals, supervise, Child};
use crate::sys::{self, CStrArray, CStrList, O_DIRECTORY, O_NONBLOCK, O_PATH, O_RDONLY};
use crate::text::{after, decimal, has_byte, name_problem, parse_pid, same};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: inject [-c] [-e NAME=VALUE]... PID|NAME [CMD [ARG]...]
  -c  --no-console      no pseudo-terminal: CMD gets inject's stdin, stdout, stderr
  -e  --env NAME=VALUE  a variable of CMD's environment (up to 16)
";

/// The options, in the order of the usage.
const OPTIONS: [Opt; 2] = [Opt::flag(b'c', b"no-console"), Opt::value(b'e', b"env")];
const NO_CONSOLE: usize = index(&OPTIONS, b"no-console");

/// `-e NAME=VALUE`s, in order.
type Variables<'a> = heapless::Vec<&'a CStr, 16>;

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let mut vars = Variables::new();
    // The only value option is -e.
    let parsed = parse::<1>(args, USAGE, &OPTIONS, usize::MAX, &mut |_, value| {
        let text = value.to_bytes();
        if !has_byte(text, b'=') || text.first() == Some(&b'=') {
            say(b"bad variable '{}': not NAME=VALUE", &[text]);
            return Err(());
        }
        vars.push(value).map_err(|_| say(b"more than 16 -e options", &[]))
    });
    let Parsed { given, fixed: [pid_arg], rest, .. } = match parsed {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    let pid_arg = pid_arg.to_bytes();
    // The container's record, by its id or by a pid of its supervisor or
    // init: its init, and the sandbox its commands get. (Before the
    // re-execution too, so a bad PID or NAME is said at once.)
    let state = StateDir::existing(env);
    let mut record_buf = RecordBuf::new();
    let record = state.as_ref().and_then(|state| find(state, pid_arg, &mut record_buf));
    let pid = match (parse_pid(pid_arg), &record) {
        (Some(pid), _) => pid,
        (None, Some(record)) => record.init,
        (None, None) => {
            // A name has a letter; `0`, `-1` and `99999999999` were meant as pids.
            let a_name = name_problem(pid_arg).is_none() && pid_arg.iter().any(u8::is_ascii_alphabetic);
            say(if a_name { b"no container named {}" } else { b"not a process id: {}" }, &[pid_arg]);
            return EXIT_FAILURE;
        }
    };
    if let Err(status) = sealed_and_undumpable(args, env) {
        return status;
    }
    // The host's /proc, to read the child's signal masks once our own view
    // is the container's.
    let proc = match sys::open(c"/proc", O_PATH | O_DIRECTORY) {
        Ok(proc) => proc,
        Err(e) => return fail(b"cannot open /proc", b"", e),
    };
    // Every namespace file is opened before the first setns: once in the
    // container's mount namespace, the host's /proc is out of reach.
    let mut targets: Targets = Default::default();
    let mut pid = pid;
    let mut found = open_namespaces(pid, &mut targets);
    if found.is_ok() && targets[USER].is_none() {
        // PID shares our user namespace, as a `contain` supervisor does:
        // its child in a user namespace of its own, the container's init,
        // is what the caller means (as in the original containers tool).
        if let Some(child) = container_child(pid) {
            pid = child;
            targets = Default::default();
            found = open_namespaces(pid, &mut targets);
        }
    }
    let mut pid_text = Line::new();
    pid_text.num(pid as u64);
    let pid_text = pid_text.text();
    match found {
        Ok(true) => {}
        Ok(false) => {
            say(b"process {} is not in a container", &[pid_text]);
            return EXIT_FAILURE;
        }
        Err(status) => return status,
    }
    // What CMD starts counts against the container's limits.
    if let Err(status) = join_cgroups_of(pid) {
        return status;
    }
    // CMD gets exactly the container's sandbox: its record's, where the
    // record is this init's; else what the init runs under.
    // (Host root's inject into a user's container: that user's record.)
    let mut owners_buf = RecordBuf::new();
    let record = match record.filter(|r| r.init == pid) {
        Some(record) => Some(record),
        None => owners_record(pid, &mut owners_buf),
    };
    let mut program = [SockFilter::default(); BPF_MAXINSNS];
    let sandbox = match &record {
        Some(r) => match record_sandbox(r, &mut program) {
            Some(sandbox) => sandbox,
            None => return EXIT_FAILURE,
        },
        // Before its record is written, an init has not applied its
        // sandbox either: /proc would tell of less than it will have.
        None if still_starting(pid) => {
            say(b"container of process {} is still starting: try again", &[pid_text]);
            return EXIT_FAILURE;
        }
        None => match init_sandbox(pid) {
            Some(sandbox) => sandbox,
            None => {
                say(
                    b"no record of the system call filter of process {}: cannot give CMD the container's sandbox",
                    &[pid_text],
                );
                return EXIT_FAILURE;
            }
        },
    };
    if let Err(status) = enter_namespaces(targets, pid_text) {
        return status;
    }
    // A pseudo-terminal of the container's own devpts, so `tty` inside
    // names /dev/pts/N; the master stays with us, outside the container's
    // processes. A container without /dev/ptmx gets no terminal.
    let mut console = None;
    if !given.has(NO_CONSOLE) && at_terminal() {
        if sys::access(c"/dev/ptmx", 0).is_err() {
            say(b"warning: the container has no /dev/ptmx; running without a terminal", &[]);
        } else {
            console = match Console::open(c"/dev/ptmx") {
                Ok(console) => Some(console),
                Err(status) => return status,
            };
        }
    }
    let owned = owned_signals(console.is_some(), false);
    let old_mask = sys::block(owned);
    let child = match sys::fork() {
        Ok(child) => child,
        Err(e) => return fail(b"cannot fork", b"", e),
    };
    if child == 0 {
        sys::set_mask(old_mask);
        sys::exit(run_inside(rest, env, &vars, console.as_ref(), &sandbox));
    }
    if let Some(console) = &console {
        console.raw();
    }
    end(supervise(child, owned, Child::Command, console.as_mut(), &proc, None))
}

/// The child, inside every namespace: CMD as the container's root, in a
/// session of its own, with only fds 0, 1 and 2.
fn run_inside(cmd: CStrList, env: CStrList, vars: &Variables, console: Option<&Console>, sandbox: &Sandbox) -> i32 {
    // uid and gid 0 inside, groups cleared where setgroups is allowed: the
    // capabilities of the container's root, and not a process of a host id
    // that container root could ptrace (SPEC §5.6).
    let root = Maps { uid: Default::default(), gid: Default::default(), writer: Writer::Parent, become_root: true };
    if let Err(status) = become_root(&root) {
        return status;
    }
    // No controlling terminal: TIOCSTI and TIOCLINUX cannot reach the
    // caller's (CVE-2017-5226).
    if let Err(e) = sys::setsid() {
        return fail(b"cannot create session", b"", e);
    }
    if let Some(slave) = console.and_then(|c| c.slave.as_ref()) {
        if let Err(status) = take_console(slave) {
            return status;
        }
    }
    if let Err(status) = new_session_keyring() {
        return status;
    }
    // A host descriptor (or directory) handed to a program of the
    // container is a way out (CVE-2024-21626).
    if let Err(e) = sys::cloexec_from(3) {
        return fail(b"cannot close inherited files", b"", e);
    }
    let (mut home, mut shell) = (heapless::Vec::new(), heapless::Vec::new());
    let (home, shell) = root_home_and_shell(&mut home, &mut shell);
    // Not the caller's environment: its tokens, SSH_AUTH_SOCK and HOME are
    // its secrets, and every process of the container can read CMD's
    // (SPEC §5.6). What contain gives its init, HOME, and each `-e`; a
    // NAME given again replaces the earlier one.
    let given = |name: &[u8], after: usize| vars.iter().skip(after).any(|v| same(var_name(v), name));
    let term = env.iter().find(|e| after(e.to_bytes(), b"TERM=").is_some()).filter(|_| console.is_some());
    let mut cmd_env = CStrArray::<24>::new();
    for var in [Some(c"container=contain"), Some(DEFAULT_PATH_VAR), term, Some(home)].into_iter().flatten() {
        if !given(var_name(var), 0) {
            cmd_env.push(var);
        }
    }
    for (i, var) in vars.iter().enumerate() {
        if !given(var_name(var), i + 1) {
            cmd_env.push(var);
        }
    }
    let mut login = CStrArray::<2>::new();
    login.push(shell);
    let cmd = if cmd.is_empty() { login.list() } else { cmd };
    // Last, as the init does: become_root needs CAP_SETUID, which the
    // sandbox may not keep.
    if let Err(status) = apply_sandbox(sandbox) {
        return status;
    }
    exec_command(
        cmd,
        cmd_env.list(),
        search_path(cmd_env.list()),
        Some(&OptionsBefore { options: &OPTIONS, before: b"PID" }),
    )
}

/// NAME of `NAME=VALUE`.
fn var_name(var: &CStr) -> &[u8] {
    let var = var.to_bytes();
    var.split(|&b| b == b'=').next().unwrap_or(var)
}

/// `HOME=DIR` and the login shell of uid 0 in the container's /etc/passwd
/// (SPEC §5.6), made in `home` and `shell`: `HOME=/root` without a home
/// there, `/bin/sh` without a shell there that can be executed. Only a
/// regular file is read: container root could make /etc/passwd a FIFO
/// that holds the open, or /dev/zero.
fn root_home_and_shell<'a>(
    home: &'a mut heapless::Vec<u8, 4096>,
    shell: &'a mut heapless::Vec<u8, 4096>,
) -> (&'a CStr, &'a CStr) {
    let _ = home.extend_from_slice(b"HOME=");
    let passwd = sys::open(c"/etc/passwd", O_RDONLY | O_NONBLOCK).ok();
    if let Some(file) = passwd.filter(|f| sys::fstat(f).is_ok_and(|st| st.is_reg())) {
        let mut buf = [0u8; 16384];
        let mut read = |chunk: &mut [u8]| sys::read(&file, chunk).unwrap_or(0);
        crate::text::for_each_line(&mut read, &mut buf, crate::text::FirstBytes::ANY, &mut |line| {
            let Some((dir, login)) = passwd_home_shell(line, 0) else { return false };
            let _ = home.extend_from_slice(dir.unwrap_or(b"/root"));
            let _ = shell.extend_from_slice(login.unwrap_or(b"/bin/sh"));
            true
        });
    }
    if home.len() == b"HOME=".len() {
        let _ = home.extend_from_slice(b"/root");
    }
    let usable = |shell: &[u8]| sys::cstr_until_nul(shell).is_some_and(|s| sys::access(s, sys::X_OK).is_ok());
    if shell.push(0).is_err() || !usable(shell) {
        shell.clear();
        let _ = shell.extend_from_slice(b"/bin/sh\0");
    }
    let _ = home.push(0);
    (sys::cstr_until_nul(home).unwrap_or(c"HOME=/root"), sys::cstr_until_nul(shell).unwrap_or(c"/bin/sh"))
}

/// The sandbox the init `pid` runs under, from /proc, for a container
/// without a record (where the state directory could not be made):
/// everything, where /proc cannot tell; None when it runs under a system
/// call filter, which cannot be read back from /proc.
fn init_sandbox(pid: i32) -> Option<Sandbox<'static>> {
    let mut status = [0u8; 2048];
    let status = procfs::status(pid, &mut status);
    if procfs::field(status, b"Seccomp:").is_some_and(|mode| mode != b"0") {
        return None;
    }
    Some(Sandbox {
        bounding: procfs::mask(status, b"CapBnd:").unwrap_or(u64::MAX),
        no_new_privs: procfs::field(status, b"NoNewPrivs:") == Some(b"1"),
        seccomp: &[],
        seccomp_flags: 0,
    })
}

/// Whether the init `pid` still runs the program of its parent (contain's
/// supervisor, CLONE_PARENT): it has not executed CMD yet.
fn still_starting(pid: i32) -> bool {
    let mut status = [0u8; 2048];
    let Some(parent) = procfs::field(procfs::status(pid, &mut status), b"PPid:").and_then(parse_pid) else {
        return false;
    };
    let exe = |pid| sys::stat(PathBuf::new().proc_path(pid, b"/exe", &[])).map(|st| (st.dev, st.ino));
    matches!((exe(pid), exe(parent)), (Ok(init), Ok(supervisor)) if init == supervisor)
}

/// For host root: the record of the container whose init is `pid` in the
/// state directory of the user who runs its supervisor (the init's parent).
fn owners_record(pid: i32, buf: &mut RecordBuf) -> Option<Record<'_>> {
    if sys::getuid() != 0 {
        return None;
    }
    let mut status = [0u8; 2048];
    let parent = procfs::field(procfs::status(pid, &mut status), b"PPid:").and_then(parse_pid)?;
    let uid = procfs::uid(parent).filter(|&uid| uid != 0)?;
    let state = StateDir::of_user(uid)?;
    find(&state, decimal(pid as u64, &mut [0; 20]), buf).filter(|r| r.init == pid)
}

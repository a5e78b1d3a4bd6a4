//! oci [GLOBAL OPTIONS] COMMAND ...: an OCI runtime with runc's command
//! line (SPEC §7), for podman (`--runtime`), containerd's runc shim
//! (`BinaryName`) and Kubernetes through containerd.
//!
//! A container is a record in the state directory (SPEC §3; `--root DIR`
//! for another), named by its id, beside two files of its own: `.exec-ID`,
//! the fifo its init waits on between `create` and `start` (runc's
//! exec.fifo), and `.oci-ID`, what `state` says besides the record (the
//! bundle, the root, when it was created, the cgroups path, the
//! annotations) as one JSON object.

use crate::args::{command_index, find_command, index, parse, parse_command, Command, Opt};
use crate::caps::ALL;
use crate::cgroup::join_cgroups_of;
use crate::cgroup::Cgroups;
use crate::console::take_console;
use crate::container::{launch, Spec};
use crate::enter::{enter_namespaces, open_namespaces, record_sandbox, sealed_and_undumpable, Targets};
use crate::exec::{find_program, not_run, DEFAULT_PATH};
use crate::ids::IdMap;
use crate::json::{escape, Scanner};
use crate::limits::Limit;
use crate::mount::{Extra, ExtraMount, Late, Root, IF_THERE, INSIDE, MASK};
use crate::ns::{Maps, Writer};
use crate::oci::config::{read_config, read_process, Config, ConfigError, Process, Text, MS_BIND, MS_RDONLY, MS_REC};
use crate::out::{fail, fail_with, say, usage, Failed, Line, EXIT_FAILURE, EXIT_USAGE};
use crate::path::{fd_path, PathBuf};
use crate::procfs::{is_same_process, start_time};
use crate::sandbox::Sandbox;
use crate::seccomp::{SockFilter, BPF_MAXINSNS};
use crate::state::{find, RecordBuf, StateDir};
use crate::supervise::parse_signal;
use crate::sys::{
    self, CStrArray, CStrList, Errno, Fd, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER, O_CREAT, O_DIRECTORY, O_NONBLOCK,
    O_PATH, O_RDONLY, O_TRUNC, O_WRONLY, SIGKILL, SIGTERM,
};
use crate::text::{decimal, name_problem, parse_u32, rfc3339};
use core::ffi::CStr;

pub const USAGE: &[u8] = b"Usage: oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ID]
  --root DIR           the state directory (default: ucontain's, /run/ucontain for root)
  --log FILE           messages to FILE too
  --log-format text|json  FILE's lines as text or as runc's JSON
  --systemd-cgroup     cgroupsPath in systemd's slice:prefix:name form
  --debug              accepted
Commands:
  create [--bundle DIR] [--pid-file F] [--console-socket S] ID
  start ID
  run [--bundle DIR] [--pid-file F] [--console-socket S] [--detach] ID
  state ID
  kill [--all] ID [SIGNAL]
  delete [--force] ID
  exec [--process F] [--detach] [--tty] [--console-socket S] [--pid-file F]
       [--preserve-fds N] [--cwd D] [--env K=V]... [--user U[:G]] [--no-new-privs] ID [CMD [ARG]...]
  ps [--format table|json] ID
  pause ID
  resume ID
  features
  spec [--bundle DIR] [--rootless]
  --version
";

const GLOBAL: [Opt; 8] = [
    Opt::value(0, b"root"),
    Opt::value(0, b"log"),
    Opt::value(0, b"log-format"),
    Opt::flag(0, b"systemd-cgroup"),
    Opt::flag(0, b"debug"),
    Opt::value(0, b"rootless"),
    Opt::value(0, b"criu"),
    Opt::flag(b'v', b"version"),
];
const ROOT: usize = index(&GLOBAL, b"root");
const LOG: usize = index(&GLOBAL, b"log");
const LOG_FORMAT: usize = index(&GLOBAL, b"log-format");
const SYSTEMD_CGROUP: usize = index(&GLOBAL, b"systemd-cgroup");
const VERSION: usize = index(&GLOBAL, b"version");

const CREATE_OPTIONS: [Opt; 7] = [
    Opt::value(b'b', b"bundle"),
    Opt::value(0, b"pid-file"),
    Opt::value(0, b"console-socket"),
    Opt::value(0, b"preserve-fds"),
    Opt::flag(0, b"no-pivot"),
    Opt::flag(0, b"no-new-keyring"),
    Opt::flag(b'd', b"detach"),
];
const BUNDLE: usize = index(&CREATE_OPTIONS, b"bundle");
const PID_FILE: usize = index(&CREATE_OPTIONS, b"pid-file");
const CONSOLE_SOCKET: usize = index(&CREATE_OPTIONS, b"console-socket");
const PRESERVE_FDS: usize = index(&CREATE_OPTIONS, b"preserve-fds");
const DETACH: usize = index(&CREATE_OPTIONS, b"detach");
const KILL_OPTIONS: [Opt; 1] = [Opt::flag(b'a', b"all")];
const ALL_PROCESSES: usize = index(&KILL_OPTIONS, b"all");
const DELETE_OPTIONS: [Opt; 1] = [Opt::flag(b'f', b"force")];
const FORCE: usize = index(&DELETE_OPTIONS, b"force");
const SPEC_OPTIONS: [Opt; 2] = [Opt::value(b'b', b"bundle"), Opt::flag(0, b"rootless")];
const EXEC_OPTIONS: [Opt; 10] = [
    Opt::value(b'p', b"process"),
    Opt::flag(b'd', b"detach"),
    Opt::flag(b't', b"tty"),
    Opt::value(0, b"console-socket"),
    Opt::value(0, b"pid-file"),
    Opt::value(0, b"preserve-fds"),
    Opt::value(0, b"cwd"),
    Opt::value(b'e', b"env"),
    Opt::value(b'u', b"user"),
    Opt::flag(0, b"no-new-privs"),
];
const EXEC_PROCESS: usize = index(&EXEC_OPTIONS, b"process");
const EXEC_DETACH: usize = index(&EXEC_OPTIONS, b"detach");
const EXEC_TTY: usize = index(&EXEC_OPTIONS, b"tty");
const EXEC_CONSOLE_SOCKET: usize = index(&EXEC_OPTIONS, b"console-socket");
const EXEC_PID_FILE: usize = index(&EXEC_OPTIONS, b"pid-file");
const EXEC_PRESERVE_FDS: usize = index(&EXEC_OPTIONS, b"preserve-fds");
const EXEC_CWD: usize = index(&EXEC_OPTIONS, b"cwd");
const EXEC_ENV: usize = index(&EXEC_OPTIONS, b"env");
const EXEC_USER: usize = index(&EXEC_OPTIONS, b"user");
const EXEC_NO_NEW_PRIVS: usize = index(&EXEC_OPTIONS, b"no-new-privs");

const PS_OPTIONS: [Opt; 1] = [Opt::value(b'f', b"format")];

const COMMANDS: [Command; 12] = [
    Command { name: b"create", usage: USAGE, options: &CREATE_OPTIONS, min: 1, max: 1 },
    Command { name: b"start", usage: USAGE, options: &[], min: 1, max: 1 },
    Command { name: b"run", usage: USAGE, options: &CREATE_OPTIONS, min: 1, max: 1 },
    Command { name: b"state", usage: USAGE, options: &[], min: 1, max: 1 },
    Command { name: b"kill", usage: USAGE, options: &KILL_OPTIONS, min: 1, max: 2 },
    Command { name: b"delete", usage: USAGE, options: &DELETE_OPTIONS, min: 1, max: 1 },
    Command { name: b"features", usage: USAGE, options: &[], min: 0, max: 0 },
    Command { name: b"spec", usage: USAGE, options: &SPEC_OPTIONS, min: 0, max: 0 },
    Command { name: b"exec", usage: USAGE, options: &EXEC_OPTIONS, min: 1, max: usize::MAX },
    Command { name: b"ps", usage: USAGE, options: &PS_OPTIONS, min: 1, max: 1 },
    Command { name: b"pause", usage: USAGE, options: &[], min: 1, max: 1 },
    Command { name: b"resume", usage: USAGE, options: &[], min: 1, max: 1 },
];
const CREATE: usize = command_index(&COMMANDS, b"create");
const START: usize = command_index(&COMMANDS, b"start");
const RUN: usize = command_index(&COMMANDS, b"run");
const STATE: usize = command_index(&COMMANDS, b"state");
const KILL: usize = command_index(&COMMANDS, b"kill");
const DELETE: usize = command_index(&COMMANDS, b"delete");
const FEATURES: usize = command_index(&COMMANDS, b"features");
const SPEC: usize = command_index(&COMMANDS, b"spec");
const EXEC: usize = command_index(&COMMANDS, b"exec");
const PS: usize = command_index(&COMMANDS, b"ps");
const PAUSE: usize = command_index(&COMMANDS, b"pause");
const RESUME: usize = command_index(&COMMANDS, b"resume");

/// The runtime spec versions whose configs are read (SPEC §7).
const OCI_VERSION: &[u8] = b"1.0.2";

/// The largest config.json (podman's are 12 KiB; room for a large
/// seccomp profile and long argument lists).
const CONFIG_MAX: usize = 1024 * 1024;

pub fn main(args: CStrList, env: CStrList) -> i32 {
    let mut root_dir: Option<&CStr> = None;
    let mut log: Option<&CStr> = None;
    let mut json_log = false;
    let parsed = parse::<0>(args, USAGE, &GLOBAL, usize::MAX, &mut |option, value| {
        match option {
            ROOT => root_dir = Some(value),
            LOG => log = Some(value),
            LOG_FORMAT => match value.to_bytes() {
                b"json" => json_log = true,
                b"text" => json_log = false,
                other => {
                    say(b"bad log format '{}': text or json", &[other]);
                    return Err(());
                }
            },
            _ => {}
        }
        Ok(())
    });
    let parsed = match parsed {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    if let Some(file) = log {
        match sys::openat(&sys::CWD, file, O_WRONLY | O_CREAT | sys::O_APPEND, 0o600) {
            Ok(fd) => crate::out::log_to(fd, json_log),
            Err(e) => return fail(b"cannot open ", file.to_bytes(), e),
        }
    }
    if parsed.given.has(VERSION) {
        let version = concat!("ucontain oci ", env!("CARGO_PKG_VERSION"), "\nspec: 1.0.2\n");
        let _ = sys::write_all(&sys::STDOUT, version.as_bytes());
        return 0;
    }
    if parsed.given.has(SYSTEMD_CGROUP) {
        say(b"--systemd-cgroup is not supported yet: use the cgroupfs manager", &[]);
        return EXIT_FAILURE;
    }
    let Some(name) = parsed.all.get(0) else { return usage(USAGE) };
    let Some(command) = find_command(&COMMANDS, name.to_bytes()) else {
        say(b"unknown command {}", &[name.to_bytes()]);
        return usage(USAGE);
    };
    let mut values: [Option<&CStr>; 10] = [None; 10];
    let mut vars = ExecVars::new();
    let (given, rest) = match parse_command(&COMMANDS, command, parsed.all, &mut |option, value| {
        if command == EXEC && option == EXEC_ENV {
            return vars.push(value).map_err(|_| say(b"more than 32 --env options", &[]));
        }
        values[option] = Some(value);
        Ok(())
    }) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    match command {
        FEATURES => return features(),
        SPEC => return write_spec(values[0]),
        _ => {}
    }
    let id = rest.get(0).map_or(&b""[..], CStr::to_bytes);
    if let Some(why) = name_problem(id) {
        say(b"bad container id '{}': {}", &[id, why]);
        return EXIT_USAGE;
    }
    let state = match root_dir {
        Some(dir) => StateDir::at(dir.to_bytes()),
        None => StateDir::open(env),
    };
    let state = match state {
        Ok(state) => state,
        Err(status) => return status,
    };
    match command {
        CREATE | RUN => {
            let options = CreateOptions {
                bundle: values[BUNDLE],
                pid_file: values[PID_FILE],
                console_socket: values[CONSOLE_SOCKET],
                preserve_fds: values[PRESERVE_FDS],
                detach: command == CREATE || given.has(DETACH),
            };
            create(&state, id, &options)
        }
        START => start(&state, id),
        STATE => print_state(&state, id),
        KILL => kill(&state, id, rest.get(1), given.has(ALL_PROCESSES)),
        DELETE => delete(&state, id, given.has(FORCE)),
        PS => ps(&state, id, values[0]),
        PAUSE | RESUME => pause(&state, id, command == PAUSE),
        EXEC => {
            // As inject (SPEC §5.6): from a sealed copy, non-dumpable.
            if let Err(status) = sealed_and_undumpable(args, env) {
                return status;
            }
            let options = ExecOptions {
                process: values[EXEC_PROCESS],
                detach: given.has(EXEC_DETACH),
                tty: given.has(EXEC_TTY),
                console_socket: values[EXEC_CONSOLE_SOCKET],
                pid_file: values[EXEC_PID_FILE],
                preserve_fds: values[EXEC_PRESERVE_FDS],
                cwd: values[EXEC_CWD],
                env: &vars,
                user: values[EXEC_USER],
                no_new_privs: given.has(EXEC_NO_NEW_PRIVS),
                cmd: rest.skip(1),
            };
            exec(&state, id, &options)
        }
        _ => usage(USAGE),
    }
}

struct CreateOptions<'a> {
    bundle: Option<&'a CStr>,
    pid_file: Option<&'a CStr>,
    console_socket: Option<&'a CStr>,
    preserve_fds: Option<&'a CStr>,
    detach: bool,
}

/// A file of the container's beside its record: `.exec-ID`, `.oci-ID`.
fn own_file<'b>(kind: &[u8], id: &[u8], buf: &'b mut PathBuf) -> &'b CStr {
    buf.concat(&[b".", kind, b"-", id]).unwrap_or(c".")
}

/// The absolute path of the directory `dir`.
fn absolute<'a>(dir: &CStr, buf: &'a mut PathBuf) -> Result<&'a CStr, Errno> {
    let fd = sys::open(dir, O_PATH | O_DIRECTORY)?;
    let mut target = [0u8; 4096];
    let path = sys::readlink(fd_path(&fd, &mut PathBuf::new()), &mut target)?;
    buf.join(b"", path.to_bytes()).ok_or(Errno::ENAMETOOLONG)
}

/// The whole file `path` into `buf`: its length.
fn read_file(path: &CStr, buf: &mut [u8]) -> Result<usize, Errno> {
    let file = sys::open(path, O_RDONLY)?;
    match sys::read_full(&file, buf)? {
        n if n == buf.len() => Err(Errno::EFBIG),
        n => Ok(n),
    }
}

/// `FILE: FIELD: WHAT (at byte N)`, exit status 1.
fn config_error(file: &[u8], e: &ConfigError) -> i32 {
    let mut at = [0; 20];
    let mut line = Line::message();
    line.add(file).add(b": ").add(e.field).add(b": ").add(e.what);
    line.add(b" (at byte ").add(decimal(e.at as u64, &mut at)).add(b")");
    line.send();
    EXIT_FAILURE
}

/// The cgroup v2 limits of `linux.resources`, in `digits`.
fn limits<'d>(c: &Config, digits: &'d mut [[u8; 48]; 6]) -> heapless::Vec<Limit<'d>, 8> {
    let r = &c.resources;
    let mut out = heapless::Vec::new();
    let [mem, swap, pids, weight, cpu, _] = digits;
    let number = |n: i64, buf: &'d mut [u8; 48]| -> &'d [u8] {
        if n < 0 {
            return b"max";
        }
        let mut digits = [0u8; 20];
        let text = decimal(n as u64, &mut digits);
        let len = text.len();
        buf[..len].copy_from_slice(text);
        &buf[..len]
    };
    if let Some(limit) = r.memory_limit {
        let _ = out.push(Limit { file: b"memory.max", value: number(limit, mem) });
        // The spec's swap is memory and swap together; v2's swap alone.
        if let Some(total) = r.memory_swap {
            let swap_only = if total < 0 || limit < 0 { -1 } else { (total - limit).max(0) };
            let _ = out.push(Limit { file: b"memory.swap.max", value: number(swap_only, swap) });
        }
    }
    if let Some(limit) = r.pids_limit {
        let _ = out.push(Limit { file: b"pids.max", value: number(if limit <= 0 { -1 } else { limit }, pids) });
    }
    if let Some(shares) = r.cpu_shares.filter(|&s| s > 0) {
        // runc's conversion of v1 shares (2..262144) to v2's weight (1..10000).
        let weight_of = 1 + (shares.clamp(2, 262144) - 2) * 9999 / 262142;
        let _ = out.push(Limit { file: b"cpu.weight", value: number(weight_of as i64, weight) });
    }
    if let Some(quota) = r.cpu_quota.filter(|&q| q != 0) {
        let period = r.cpu_period.unwrap_or(100000);
        let mut p = [0u8; 20];
        let period = decimal(period, &mut p);
        let mut quota_digits = [0u8; 20];
        let q = if quota < 0 { &b"max"[..] } else { decimal(quota as u64, &mut quota_digits) };
        let mut len = 0;
        for part in [q, b" ", period] {
            cpu[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        let _ = out.push(Limit { file: b"cpu.max", value: &cpu[..len] });
    }
    out
}

/// `linux.resources.devices` as cgroup v1 `devices.allow` and
/// `devices.deny` lines, in order, then the default devices (as runc:
/// config-linux.md, "Default Devices"), where a v1 devices hierarchy is.
/// (On cgroup v2 they need a BPF device program: not made yet, said once.)
fn device_rules(c: &Config, cgroups: &Cgroups) -> Result<(), Errno> {
    if c.resources.devices.is_empty() {
        return Ok(());
    }
    let mut any = false;
    for &(allow, line) in &c.resources.devices {
        let file = if allow { c"devices.allow" } else { c"devices.deny" };
        any |= cgroups.write_v1(file, c.text.bytes(line))?;
    }
    for rule in DEVICE_RULES {
        any |= cgroups.write_v1(c"devices.allow", rule)?;
    }
    if !any {
        say(b"warning: no cgroup v1 devices hierarchy: linux.resources.devices not enforced (no BPF program yet)", &[]);
    }
    Ok(())
}

/// The default devices a container may use whatever its device rules
/// (config-linux.md, "Default Devices"), as cgroup v1 device rules:
/// mknod of any, and null, zero, full, tty, random, urandom, the console,
/// ptmx and the pseudo-terminals.
const DEVICE_RULES: [&[u8]; 11] = [
    b"c *:* m",
    b"b *:* m",
    b"c 1:3 rwm",
    b"c 1:5 rwm",
    b"c 1:7 rwm",
    b"c 5:0 rwm",
    b"c 1:8 rwm",
    b"c 1:9 rwm",
    b"c 5:1 rwm",
    b"c 5:2 rwm",
    b"c 136:* rwm",
];

fn create(state: &StateDir, id: &[u8], options: &CreateOptions) -> i32 {
    // The bundle and its config.json.
    let mut bundle_buf = PathBuf::new();
    let bundle = match absolute(options.bundle.unwrap_or(c"."), &mut bundle_buf) {
        Ok(path) => path,
        Err(e) => return fail(b"cannot open the bundle ", options.bundle.map_or(b".", CStr::to_bytes), e),
    };
    let mut config_path = PathBuf::new();
    let Some(config_path) = config_path.join(bundle.to_bytes(), b"config.json") else {
        return fail(b"cannot open the bundle ", bundle.to_bytes(), Errno::ENAMETOOLONG);
    };
    let mut src = [0u8; CONFIG_MAX];
    let len = match read_file(config_path, &mut src) {
        Ok(len) => len,
        Err(e) => return fail(b"cannot read ", config_path.to_bytes(), e),
    };
    let mut c = Config::new();
    if let Err(e) = read_config(&src[..len], &mut c) {
        return config_error(config_path.to_bytes(), &e);
    }
    if c.namespaces & CLONE_NEWNS == 0 {
        say(b"{}: linux.namespaces: a mount namespace is required", &[config_path.to_bytes()]);
        return EXIT_FAILURE;
    }
    if c.process.terminal && options.console_socket.is_none() {
        say(b"process.terminal needs --console-socket", &[]);
        return EXIT_FAILURE;
    }
    if options.preserve_fds.is_some_and(|n| parse_u32(n.to_bytes()) != Some(0)) {
        say(b"--preserve-fds is not supported yet", &[]);
        return EXIT_FAILURE;
    }
    // The root: relative to the bundle.
    let root_given = c.text.bytes(c.root);
    let mut root_rel = PathBuf::new();
    let root_at = match root_given.first() {
        Some(b'/') => c.text.cstr(c.root),
        _ => root_rel.join(bundle.to_bytes(), root_given).unwrap_or(c""),
    };
    let mut root_buf = PathBuf::new();
    let rootfs = match absolute(root_at, &mut root_buf) {
        Ok(path) => path,
        Err(e) => return fail(b"cannot use root.path ", root_at.to_bytes(), e),
    };
    // The user namespace's maps, or none.
    let new_user = c.namespaces & CLONE_NEWUSER != 0;
    let maps = Maps { uid: c.uid_map.clone(), gid: c.gid_map.clone(), writer: Writer::Parent, become_root: true };
    let host_root = |map: &IdMap| map.iter().find(|l| l.inner == 0).map(|l| l.outer);
    let owner = if new_user { host_root(&c.uid_map).zip(host_root(&c.gid_map)).unwrap_or((0, 0)) } else { (0, 0) };
    // The mounts: config.json's, then readonlyPaths and maskedPaths.
    let mut extra: heapless::Vec<ExtraMount, 200> = heapless::Vec::new();
    let mut cgroup_mount = None;
    for m in &c.mounts {
        let fstype = c.text.bytes(m.fstype);
        let dst = c.text.bytes(m.destination);
        if fstype == b"cgroup" || fstype == b"cgroup2" {
            if dst != b"/sys/fs/cgroup" {
                say(b"{}: mounts: a cgroup mount only at /sys/fs/cgroup", &[config_path.to_bytes()]);
                return EXIT_FAILURE;
            }
            cgroup_mount = Some(m.flags & MS_RDONLY);
            continue;
        }
        let mut mount = ExtraMount::new(Extra::Mount, c.text.bytes(m.source), dst, c.text.bytes(m.data));
        (mount.fstype, mount.flags, mount.propagation) = (fstype, m.flags, m.propagation);
        if m.copy_up {
            mount.how |= crate::mount::COPY_UP;
        }
        let _ = extra.push(mount);
    }
    for &path in &c.readonly {
        let p = c.text.bytes(path);
        let mut mount = ExtraMount::new(Extra::Mount, p, p, b"");
        (mount.flags, mount.how) = (MS_BIND | MS_REC | MS_RDONLY, INSIDE | IF_THERE);
        let _ = extra.push(mount);
    }
    for &path in &c.masked {
        let p = c.text.bytes(path);
        let mut mount = ExtraMount::new(Extra::Mount, b"", p, b"");
        mount.how = MASK | IF_THERE;
        let _ = extra.push(mount);
    }
    // The host name and sysctls, set from the container's namespaces.
    let text = &c.text;
    let hostname = c.hostname;
    let domainname = c.domainname;
    let sysctls = &c.sysctl;
    let prepare = || -> Result<(), Failed> {
        if let Some(name) = hostname {
            sys::set_hostname(text.bytes(name)).map_err(|e| fail(b"cannot set the host name", b"", e))?;
        }
        if let Some(name) = domainname {
            sys::set_domainname(text.bytes(name)).map_err(|e| fail(b"cannot set the domain name", b"", e))?;
        }
        for &(key, value) in sysctls {
            let key = text.bytes(key);
            let mut file = PathBuf::new();
            let mut path = heapless::Vec::<u8, 512>::new();
            let _ = path.extend_from_slice(b"/proc/sys/");
            for &b in key {
                let _ = path.push(if b == b'.' { b'/' } else { b });
            }
            let file = file.join(b"", &path).ok_or(EXIT_FAILURE)?;
            sys::write_file(&sys::CWD, file, text.bytes(value)).map_err(|e| fail(b"cannot set sysctl ", key, e))?;
        }
        Ok(())
    };
    let late =
        Late { prepare: &prepare, readonly: c.root_readonly, propagation: c.rootfs_propagation, cgroup: cgroup_mount };
    let root = Root {
        dir: rootfs,
        shown: rootfs.to_bytes(),
        new_net: c.namespaces & CLONE_NEWNET != 0,
        volatile: false,
        console: c.process.terminal,
        extra: &extra,
        owner,
        idmap: None,
        late: Some(&late),
        // The bundle's root.readonly is `late`'s, after its mounts.
        read_only: false,
    };
    // The system call filter.
    let mut program = [SockFilter::default(); BPF_MAXINSNS];
    let bounding = c.process.caps.bounding;
    let (filter, filter_flags) = match c.seccomp {
        Some((start, end)) => match compile(&src[start..end], bounding, &mut program, config_path.to_bytes(), start) {
            Ok(compiled) => compiled,
            Err(status) => return status,
        },
        None => (&program[..0], 0),
    };
    // The exec fifo, and the pipe the init says it reached it by.
    let mut fifo_name = PathBuf::new();
    let fifo_name = own_file(b"exec", id, &mut fifo_name);
    if find(state, id, &mut RecordBuf::new()).is_some() {
        say(b"container {} exists", &[id]);
        return EXIT_FAILURE;
    }
    let _ = sys::unlink_at(&state.dir, fifo_name);
    // Writable by the process's user, whoever it is (runc's mode).
    let mask = sys::umask(0);
    let made = sys::mkfifo_at(&state.dir, fifo_name, 0o622);
    sys::umask(mask);
    if let Err(e) = made {
        return fail(b"cannot create the exec fifo", b"", e);
    }
    let fifo = match sys::openat(&state.dir, fifo_name, O_PATH, 0) {
        Ok(fd) => fd,
        Err(e) => return fail(b"cannot open the exec fifo", b"", e),
    };
    let (reached_r, reached_w) = match sys::pipe() {
        Ok(pipe) => pipe,
        Err(e) => return fail(b"cannot create pipe", b"", e),
    };
    let mut argv = CStrArray::<{ crate::oci::config::MAX_ARGS + 1 }>::new();
    for &arg in &c.process.args {
        argv.push(c.text.cstr(arg));
    }
    let mut envp = CStrArray::<{ crate::oci::config::MAX_ENV + 1 }>::new();
    for &var in &c.process.env {
        envp.push(c.text.cstr(var));
    }
    let finish = Finish {
        process: &c.process,
        text: &c.text,
        argv: argv.list(),
        env: envp.list(),
        seccomp: filter,
        seccomp_flags: filter_flags,
        fifo: &fifo,
        reached: &reached_w,
    };
    let tail = || finish.run();
    let mut digits = [[0u8; 48]; 6];
    let limits = limits(&c, &mut digits);
    let namespaces = c.namespaces;
    let mut join: heapless::Vec<(u32, &CStr), 8> = heapless::Vec::new();
    for &(flag, path) in &c.join {
        let _ = join.push((flag, c.text.cstr(path)));
    }
    let spec = Spec {
        namespaces,
        maps: &maps,
        root_owner: if new_user { Some(owner) } else { None },
        root,
        host_hook: None,
        stop: None,
        cmd: argv.list(),
        env: envp.list(),
        id,
        state: Some(state),
        applet: b"oci",
        misplaced: None,
        sandbox: Sandbox {
            bounding,
            no_new_privs: c.process.no_new_privileges,
            seccomp: filter,
            seccomp_flags: filter_flags,
        },
        limits: &limits,
        veth: false,
        join: &join,
        tail: Some(&tail),
        // config.json's hostname is set by `prepare`, in the init.
        hostname: b"",
    };
    let cgroups_path = c.cgroups_path.map_or(id, |p| c.text.bytes(p));
    let cgroups = Cgroups::at(cgroups_path, true);
    if let Err(e) = device_rules(&c, &cgroups) {
        let _ = sys::unlink_at(&state.dir, fifo_name);
        return fail(b"cannot set linux.resources.devices", b"", e);
    }
    let running = match launch(&spec, &cgroups) {
        Ok(running) => running,
        Err(how) => {
            let _ = sys::unlink_at(&state.dir, fifo_name);
            return crate::supervise::end(how);
        }
    };
    let created = CreatedFile {
        bundle: bundle.to_bytes(),
        rootfs: rootfs.to_bytes(),
        cgroups_path,
        annotations: c.annotations.map_or(&b"{}"[..], |(start, end)| &src[start..end]),
    };
    let mut side = PathBuf::new();
    let side = own_file(b"oci", id, &mut side);
    let console_sent = match (options.console_socket, running.master.as_ref()) {
        (Some(socket), Some(master)) => sys::connect_local(socket.to_bytes())
            .and_then(|sock| sys::send_with_fd(&sock, b"/dev/ptmx", Some(master)))
            .map_err(|e| fail(b"cannot send the console to ", socket.to_bytes(), e)),
        _ => Ok(()),
    };
    let written = created.write(state, side).map_err(|e| fail(b"cannot record container ", id, e));
    if console_sent.and(written).is_err() {
        let _ = sys::unlink_at(&state.dir, fifo_name);
        let _ = sys::unlink_at(&state.dir, side);
        return EXIT_FAILURE; // `running` and `cgroups` undo the rest
    }
    let init = running.detach();
    drop(reached_w);
    // The init says it waits on the fifo with a byte; end of file is its
    // end, after its message.
    let mut byte = [0u8; 1];
    if sys::read_full(&reached_r, &mut byte) != Ok(1) {
        let _ = sys::kill(init, SIGKILL);
        let _ = sys::wait(init);
        forget(state, id);
        return EXIT_FAILURE;
    }
    if let Some(file) = options.pid_file {
        if let Err(e) = write_pid_file(file, init) {
            let _ = sys::kill(init, SIGKILL);
            let _ = sys::wait(init);
            forget(state, id);
            return fail(b"cannot write ", file.to_bytes(), e);
        }
    }
    if options.detach {
        cgroups.keep();
        return 0;
    }
    // `run`: start it, wait for it, and delete it (the cgroups with
    // `cgroups`, dropped).
    let started = start(state, id);
    let how = if started == 0 { sys::wait(init) } else { Ok(sys::Exit::Code(started)) };
    forget(state, id);
    drop(cgroups);
    match how {
        Ok(sys::Exit::Code(code)) => code,
        Ok(sys::Exit::Signal(sig)) => 128 + sig as i32,
        Err(e) => fail(b"cannot wait for the container", b"", e),
    }
}

/// The OCI profile `json` (at byte `offset` of `file`) compiled for this
/// machine, with the container's bounding set for podman's includes.
fn compile<'p>(
    json: &[u8],
    bounding: u64,
    program: &'p mut [SockFilter; BPF_MAXINSNS],
    file: &[u8],
    offset: usize,
) -> Result<(&'p [SockFilter], u32), i32> {
    use crate::seccomp::{kernel_version, Host};
    let mut release = [0u8; 65];
    let host = Host { caps: bounding, kernel: kernel_version(crate::procfs::kernel_release(&mut release)) };
    match crate::seccomp::compile(json, &host, program) {
        Ok(compiled) => Ok((&program[..compiled.len], compiled.flags)),
        Err(e) => {
            let mut at = [0; 20];
            let mut line = Line::message();
            line.add(file).add(b": linux.seccomp: ").fill(e.what, &[e.value]);
            line.add(b" (at byte ").add(decimal((offset + e.at) as u64, &mut at)).add(b")");
            line.send();
            Err(EXIT_FAILURE)
        }
    }
}

/// The pid file, written whole under a temporary name and renamed over
/// FILE, as runc does: a reader never sees half of it.
fn write_pid_file(file: &CStr, pid: i32) -> Result<(), Errno> {
    PidFile::open(file)?.write(pid)
}

/// A pid file to be written: its directory opened (before `exec` leaves
/// the host's mount namespace) and its name.
struct PidFile {
    dir: Fd,
    name: PathBuf,
}

impl PidFile {
    fn open(file: &CStr) -> Result<PidFile, Errno> {
        let path = file.to_bytes();
        let (dir, name) = match path.iter().rposition(|&b| b == b'/') {
            Some(i) => (&path[..i.max(1)], &path[i + 1..]),
            None => (&b"."[..], path),
        };
        let mut dir_buf = PathBuf::new();
        let dir = sys::open(dir_buf.join(b"", dir).ok_or(Errno::ENAMETOOLONG)?, O_PATH | O_DIRECTORY)?;
        let mut final_name = PathBuf::new();
        final_name.join(b"", name).ok_or(Errno::ENAMETOOLONG)?;
        Ok(PidFile { dir, name: final_name })
    }

    fn write(&self, pid: i32) -> Result<(), Errno> {
        let name = self.name.as_cstr().unwrap_or(c"");
        let mut tmp = PathBuf::new();
        let tmp = tmp.concat(&[b".", name.to_bytes(), b".tmp"]).ok_or(Errno::ENAMETOOLONG)?;
        let mut text = Line::new();
        text.num(pid as u64);
        let written = sys::openat(&self.dir, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            .and_then(|f| sys::write_all(&f, text.text()))
            .and_then(|()| sys::rename_at(&self.dir, tmp, name));
        if written.is_err() {
            let _ = sys::unlink_at(&self.dir, tmp);
        }
        written
    }
}

/// What `state` says besides the record: `.oci-ID`.
struct CreatedFile<'a> {
    bundle: &'a [u8],
    rootfs: &'a [u8],
    cgroups_path: &'a [u8],
    annotations: &'a [u8],
}

impl CreatedFile<'_> {
    fn write(&self, state: &StateDir, name: &CStr) -> Result<(), Errno> {
        let mut out = heapless::Vec::<u8, 65536>::new();
        let mut full = false;
        let mut put = |part: &[u8]| full |= out.extend_from_slice(part).is_err();
        let (secs, nanos) = sys::wall_clock();
        let mut time = [0; 40];
        let fields: [(&[u8], &[u8]); 4] = [
            (b"bundle", self.bundle),
            (b"rootfs", self.rootfs),
            (b"created", rfc3339(secs, nanos, &mut time)),
            (b"cgroupsPath", self.cgroups_path),
        ];
        put(b"{");
        for (name, value) in fields {
            put(b"\"");
            put(name);
            put(b"\":\"");
            escape(value, &mut put);
            put(b"\",");
        }
        put(b"\"annotations\":");
        put(self.annotations);
        put(b"}\n");
        if full {
            return Err(Errno::EFBIG);
        }
        let file = sys::openat(&state.dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)?;
        sys::write_all(&file, &out)
    }
}

/// Removes what `create` left of the container `id`: its record and files.
fn forget(state: &StateDir, id: &[u8]) {
    state.remove(id);
    for kind in [&b"exec"[..], b"oci", b"paused"] {
        let _ = sys::unlink_at(&state.dir, own_file(kind, id, &mut PathBuf::new()));
    }
}

/// The init's last steps (`Spec::tail`), after contain's (its namespaces,
/// root and console): the process's limits, identity, capabilities and
/// filter; then it says it is ready and waits on the exec fifo until
/// `start`.
struct Finish<'a> {
    process: &'a Process,
    text: &'a Text,
    argv: CStrList<'a>,
    env: CStrList<'a>,
    seccomp: &'a [SockFilter],
    seccomp_flags: u32,
    fifo: &'a Fd,
    reached: &'a Fd,
}

impl Finish<'_> {
    fn run(&self) -> i32 {
        match self.prepare() {
            Ok(program) => {
                let e = sys::execve(program.as_cstr().unwrap_or(c""), self.argv, self.env);
                not_run(self.argv.get(0).unwrap_or(c""), e)
            }
            Err(status) => status,
        }
    }

    fn prepare(&self) -> Result<PathBuf, Failed> {
        let p = self.process;
        let program = become_process(p, self.text.cstr(p.cwd), self.argv, self.env, self.seccomp, self.seccomp_flags)?;
        // Ready: then wait until `start` opens the fifo for reading.
        let _ = sys::write_all(self.reached, b"1");
        let mut fifo_path = PathBuf::new();
        let fifo = sys::open(fd_path(self.fifo, &mut fifo_path), O_WRONLY)
            .map_err(|e| fail(b"cannot open the exec fifo", b"", e))?;
        let _ = sys::write_all(&fifo, b"0");
        drop(fifo);
        if p.no_new_privileges && !self.seccomp.is_empty() {
            // As late as can be, so few calls run under it before execve.
            install(self.seccomp, self.seccomp_flags)?;
        }
        Ok(program)
    }
}

/// The process `p` becomes (`create`'s init, `exec`'s process), as far as
/// it can before its execve: its limits, identity, capabilities, working
/// directory `cwd`; the filter `seccomp` where installing it needs
/// capabilities it then loses. The program `argv` names, found in `env`'s PATH.
fn become_process(
    p: &Process,
    cwd: &CStr,
    argv: CStrList,
    env: CStrList,
    seccomp: &[SockFilter],
    seccomp_flags: u32,
) -> Result<PathBuf, Failed> {
    for limit in &p.rlimits {
        sys::set_rlimit(limit.resource, limit.soft, limit.hard)
            .map_err(|e| fail(b"cannot set process.rlimits", b"", e))?;
    }
    if let Some(adj) = p.oom_score_adj {
        let mut text = Line::new();
        if adj < 0 {
            text.add(b"-");
        }
        text.num(adj.unsigned_abs());
        sys::write_file(&sys::CWD, c"/proc/self/oom_score_adj", text.text())
            .map_err(|e| fail(b"cannot set process.oomScoreAdj", b"", e))?;
    }
    // The bounding set first (it needs CAP_SETPCAP), then the ids with
    // the permitted set kept across the change (PR_SET_KEEPCAPS), then
    // the sets themselves (capabilities(7)).
    drop_bounding(p.caps.bounding)?;
    if !p.no_new_privileges && !seccomp.is_empty() {
        // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN:
        // before the capabilities go (seccomp(2)).
        install(seccomp, seccomp_flags)?;
    }
    sys::prctl(PR_SET_KEEPCAPS, 1).map_err(|e| fail(b"cannot keep the capabilities", b"", e))?;
    sys::set_groups(&p.groups).map_err(|e| fail(b"cannot set process.user.additionalGids", b"", e))?;
    sys::setgid(p.gid).map_err(|e| fail(b"cannot set process.user.gid", b"", e))?;
    sys::setuid(p.uid).map_err(|e| fail(b"cannot set process.user.uid", b"", e))?;
    let _ = sys::prctl(PR_SET_KEEPCAPS, 0);
    let caps = p.caps;
    sys::capset(caps.effective, caps.permitted, caps.inheritable)
        .map_err(|e| fail(b"cannot set process.capabilities", b"", e))?;
    let _ = sys::prctl(sys::PR_CAP_AMBIENT, sys::PR_CAP_AMBIENT_CLEAR_ALL as usize);
    // A capability can be ambient only if it is permitted and
    // inheritable (prctl(2)); runc's default config lists ambient ones
    // that are not inheritable, which runc passes over too.
    let ambient = caps.ambient & caps.permitted & caps.inheritable;
    for cap in (0..64).filter(|cap| ambient & 1 << cap != 0) {
        sys::prctl_ambient_raise(cap).map_err(|e| fail(b"cannot raise process.capabilities.ambient", b"", e))?;
    }
    if let Some(mask) = p.umask {
        sys::umask(mask);
    }
    sys::chdir(cwd).map_err(|e| fail(b"cannot enter process.cwd ", cwd.to_bytes(), e))?;
    // The program, found now: a missing one fails `create`, as runc's.
    let cmd = argv.get(0).unwrap_or(c"");
    let path = env.var(b"PATH").unwrap_or(DEFAULT_PATH);
    let mut program = PathBuf::new();
    find_program(cmd, path, &mut program).map_err(|e| not_run(cmd, e))?;
    if p.no_new_privileges {
        sys::prctl(sys::PR_SET_NO_NEW_PRIVS, 1).map_err(|e| fail(b"cannot set process.noNewPrivileges", b"", e))?;
    }
    Ok(program)
}

const PR_SET_KEEPCAPS: u32 = 8;

fn drop_bounding(keep: u64) -> Result<(), Failed> {
    for cap in 0..64 {
        if keep & 1 << cap == 0 {
            match sys::prctl(sys::PR_CAPBSET_DROP, cap) {
                Ok(()) => {}
                Err(Errno::EINVAL) => break,
                Err(e) => return Err(fail(b"cannot set process.capabilities.bounding", b"", e)),
            }
        }
    }
    Ok(())
}

fn install(program: &[SockFilter], flags: u32) -> Result<(), Failed> {
    sys::install_filter(program, flags).map_err(|e| fail(b"cannot install linux.seccomp", b"", e))
}

/// The record of `id`, or the message that there is none (exit status 1).
fn record_of<'b>(state: &StateDir, id: &[u8], buf: &'b mut RecordBuf) -> Result<crate::state::Record<'b>, i32> {
    match find(state, id, buf) {
        Some(r) if r.applet == b"oci" && r.id == id => Ok(r),
        _ => {
            say(b"container {} does not exist", &[id]);
            Err(EXIT_FAILURE)
        }
    }
}

/// The status of a container (runtime spec, "State"): `stopped` once its
/// init is gone (or a zombie, or its pid another process's), `created`
/// while the init waits on the fifo, else `running`.
fn status(state: &StateDir, r: &crate::state::Record) -> &'static [u8] {
    if !is_same_process(r.init, r.init_start) || is_zombie(r.init) {
        return b"stopped";
    }
    if sys::stat_at(&state.dir, own_file(b"paused", r.id, &mut PathBuf::new())).is_ok() {
        return b"paused";
    }
    let mut fifo = PathBuf::new();
    match sys::stat_at(&state.dir, own_file(b"exec", r.id, &mut fifo)) {
        Ok(_) => b"created",
        Err(_) => b"running",
    }
}

/// Whether `pid` has ended but is not reaped yet (state Z in /proc/PID/stat).
fn is_zombie(pid: i32) -> bool {
    let Ok(file) = sys::open(PathBuf::new().proc_path(pid, b"/stat", &[]), O_RDONLY) else { return false };
    let mut stat = [0u8; 512];
    let len = sys::read_full(&file, &mut stat).unwrap_or(0);
    let stat = &stat[..len];
    let after = stat.iter().rposition(|&b| b == b')').map_or(len, |i| i + 2);
    stat.get(after) == Some(&b'Z')
}

fn start(state: &StateDir, id: &[u8]) -> i32 {
    let mut buf = RecordBuf::new();
    let r = match record_of(state, id, &mut buf) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let current = status(state, &r);
    if current != b"created" {
        say(b"cannot start container {}: it is {}", &[id, current]);
        return EXIT_FAILURE;
    }
    let mut fifo_name = PathBuf::new();
    let fifo_name = own_file(b"exec", id, &mut fifo_name);
    let fifo = match sys::openat(&state.dir, fifo_name, O_RDONLY | O_NONBLOCK, 0) {
        Ok(fd) => fd,
        Err(e) => return fail(b"cannot open the exec fifo of ", id, e),
    };
    // The init's byte, once it has opened the fifo: it may be on its way
    // there still; it may also have died meanwhile.
    loop {
        let mut byte = [0u8; 1];
        match sys::read(&fifo, &mut byte) {
            Ok(1) => break,
            Ok(_) | Err(Errno::EAGAIN) => {}
            Err(e) => return fail(b"cannot read the exec fifo of ", id, e),
        }
        if !is_same_process(r.init, r.init_start) || is_zombie(r.init) {
            say(b"cannot start container {}: its init has ended", &[id]);
            return EXIT_FAILURE;
        }
        let _ = sys::poll(&mut [sys::PollFd { fd: fifo.raw(), events: sys::POLLIN, revents: 0 }], Some(100));
    }
    let _ = sys::unlink_at(&state.dir, fifo_name);
    0
}

/// The state JSON of the runtime spec, with runc's `rootfs`, `created`, `owner`.
fn print_state(state: &StateDir, id: &[u8]) -> i32 {
    let mut buf = RecordBuf::new();
    let r = match record_of(state, id, &mut buf) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let current = status(state, &r);
    let mut side = [0u8; 65536];
    let mut side_name = PathBuf::new();
    let len = sys::openat(&state.dir, own_file(b"oci", id, &mut side_name), O_RDONLY, 0)
        .and_then(|f| sys::read_full(&f, &mut side))
        .unwrap_or(0);
    let side = &side[..len];
    let created = Created::read(side);
    let mut out = heapless::Vec::<u8, 70000>::new();
    let mut put = |part: &[u8]| {
        let _ = out.extend_from_slice(part);
    };
    let pid = if current == b"stopped" { 0 } else { r.init };
    put(b"{\n  \"ociVersion\": \"");
    put(OCI_VERSION);
    put(b"\",\n  \"id\": \"");
    escape(id, &mut put);
    put(b"\",\n  \"pid\": ");
    put(decimal(pid as u64, &mut [0; 20]));
    put(b",\n  \"status\": \"");
    put(current);
    put(b"\",\n  \"bundle\": \"");
    put(created.bundle);
    put(b"\",\n  \"rootfs\": \"");
    put(created.rootfs);
    put(b"\",\n  \"created\": \"");
    put(created.created);
    put(b"\",\n  \"owner\": \"\",\n  \"annotations\": ");
    put(if created.annotations.is_empty() { b"{}" } else { created.annotations });
    put(b"\n}\n");
    let _ = sys::write_all(&sys::STDOUT, &out);
    0
}

/// `.oci-ID` as read back: its strings as written (escaped JSON).
#[derive(Default)]
struct Created<'a> {
    bundle: &'a [u8],
    rootfs: &'a [u8],
    created: &'a [u8],
    cgroups_path: &'a [u8],
    annotations: &'a [u8],
}

impl<'a> Created<'a> {
    fn read(text: &'a [u8]) -> Created<'a> {
        let mut c = Created::default();
        let mut s = Scanner::new(text);
        let _ = (|| -> crate::json::Result<()> {
            s.object()?;
            while let Some(key) = s.key()? {
                let field = match () {
                    _ if key.is(b"bundle") => &mut c.bundle,
                    _ if key.is(b"rootfs") => &mut c.rootfs,
                    _ if key.is(b"created") => &mut c.created,
                    _ if key.is(b"cgroupsPath") => &mut c.cgroups_path,
                    _ if key.is(b"annotations") => {
                        let start = s.pos();
                        s.skip()?;
                        c.annotations = text[start..s.pos()].trim_ascii();
                        continue;
                    }
                    _ => {
                        s.skip()?;
                        continue;
                    }
                };
                *field = s.string()?.raw();
            }
            Ok(())
        })();
        c
    }
}

fn kill(state: &StateDir, id: &[u8], signal: Option<&CStr>, all: bool) -> i32 {
    let mut buf = RecordBuf::new();
    let r = match record_of(state, id, &mut buf) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let sig = match signal {
        Some(text) => match parse_signal(text.to_bytes()) {
            Some(sig) => sig,
            None => {
                say(b"bad signal '{}'", &[text.to_bytes()]);
                return EXIT_USAGE;
            }
        },
        None => SIGTERM,
    };
    if status(state, &r) == b"stopped" {
        say(b"container {} is not running", &[id]);
        return EXIT_FAILURE;
    }
    if all {
        let mut side = [0u8; 65536];
        let len = sys::openat(&state.dir, own_file(b"oci", id, &mut PathBuf::new()), O_RDONLY, 0)
            .and_then(|f| sys::read_full(&f, &mut side))
            .unwrap_or(0);
        let created = Created::read(&side[..len]);
        let cgroups = Cgroups::at(created.cgroups_path, false);
        cgroups.each_pid(&mut |pid| {
            let _ = sys::kill(pid, sig);
        });
        cgroups.keep();
        return 0;
    }
    match sys::kill(r.init, sig) {
        Ok(()) => 0,
        Err(e) => fail_with(b"cannot signal container {}", &[id], e),
    }
}

fn delete(state: &StateDir, id: &[u8], force: bool) -> i32 {
    let mut side = [0u8; 65536];
    let len = sys::openat(&state.dir, own_file(b"oci", id, &mut PathBuf::new()), O_RDONLY, 0)
        .and_then(|f| sys::read_full(&f, &mut side));
    let mut buf = RecordBuf::new();
    match find(state, id, &mut buf) {
        Some(r) if r.applet == b"oci" && r.id == id => {
            let current = status(state, &r);
            if current != b"stopped" {
                if !force {
                    say(b"cannot delete container {}: it is {} (use --force)", &[id, current]);
                    return EXIT_FAILURE;
                }
                let _ = sys::kill(r.init, SIGKILL);
                // Until its parent (the caller, a subreaper) has reaped it.
                for _ in 0..500 {
                    if start_time(r.init) != Some(r.init_start) || is_zombie(r.init) {
                        break;
                    }
                    let _ = sys::poll(&mut [], Some(10));
                }
            }
        }
        // A record removed as stale (its init gone) by a ucontain that
        // does not know OCI records, its own file still there: stopped.
        _ if len.is_ok() => {}
        // runc: a container that does not exist is deleted already.
        _ if force => return 0,
        _ => {
            say(b"container {} does not exist", &[id]);
            return EXIT_FAILURE;
        }
    }
    let created = Created::read(&side[..len.unwrap_or(0)]);
    if !created.cgroups_path.is_empty() {
        // Dropped: removed, whatever still runs in them ended.
        drop(Cgroups::at(created.cgroups_path, false));
    }
    forget(state, id);
    0
}

/// `features` (runtime spec, features.md): what this runtime implements.
fn features() -> i32 {
    const FEATURES: &[u8] = br#"{
    "ociVersionMin": "1.0.0",
    "ociVersionMax": "1.0.2",
    "hooks": [],
    "mountOptions": [
        "acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
        "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
        "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "rbind",
        "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "runbindable", "rw", "shared",
        "silent", "slave", "strictatime", "suid", "sync", "tmpcopyup", "unbindable"
    ],
    "linux": {
        "namespaces": ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"],
        "capabilities": [
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
            "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
            "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
            "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"
        ],
        "cgroup": {"v1": true, "v2": true, "systemd": false, "systemdUser": false},
        "seccomp": {
            "enabled": true,
            "actions": [
                "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"
            ],
            "operators": [
                "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"
            ],
            "archs": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"]
        },
        "apparmor": {"enabled": false},
        "selinux": {"enabled": false}
    },
    "annotations": {"org.ucontain.version": "0.1.0"}
}
"#;
    let _ = sys::write_all(&sys::STDOUT, FEATURES);
    let _ = ALL;
    0
}

/// `spec`: runc's default config.json (runc spec), in DIR (default `.`);
/// an existing one is not replaced.
fn write_spec(bundle: Option<&CStr>) -> i32 {
    const DEFAULT: &[u8] = br#"{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": true,
		"user": {"uid": 0, "gid": 0},
		"args": ["sh"],
		"env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
		"cwd": "/",
		"capabilities": {
			"bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
		},
		"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
		"noNewPrivileges": true
	},
	"root": {"path": "rootfs", "readonly": true},
	"hostname": "runc",
	"mounts": [
		{"destination": "/proc", "type": "proc", "source": "proc"},
		{"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
		{"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
		{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
		{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
	],
	"linux": {
		"resources": {"devices": [{"allow": false, "access": "rwm"}]},
		"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
		"maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
		"readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
	}
}
"#;
    let dir = bundle.unwrap_or(c".");
    let mut path = PathBuf::new();
    let Some(file) = path.join(dir.to_bytes(), b"config.json") else {
        return fail(b"cannot create ", dir.to_bytes(), Errno::ENAMETOOLONG);
    };
    let written =
        sys::openat(&sys::CWD, file, O_WRONLY | O_CREAT | sys::O_EXCL, 0o666).and_then(|f| sys::write_all(&f, DEFAULT));
    match written {
        Ok(()) => 0,
        Err(e) => fail(b"cannot create ", file.to_bytes(), e),
    }
}

/// exec's `--env`s, in order.
type ExecVars<'a> = heapless::Vec<&'a CStr, 32>;

struct ExecOptions<'a> {
    process: Option<&'a CStr>,
    detach: bool,
    tty: bool,
    console_socket: Option<&'a CStr>,
    pid_file: Option<&'a CStr>,
    preserve_fds: Option<&'a CStr>,
    cwd: Option<&'a CStr>,
    env: &'a ExecVars<'a>,
    user: Option<&'a CStr>,
    no_new_privs: bool,
    cmd: CStrList<'a>,
}

/// `exec`: a process in the running container `id`, entered as `inject`
/// enters one (src/enter.rs), under the container's system call filter
/// and within its bounding set: `--process F`'s (runtime spec, the
/// `process` object), or CMD's as the container's root with its bounding
/// set. Detached, its host pid goes to the pid file and exec returns, the
/// process left to the caller (a subreaper); else exec waits and exits
/// with its status.
fn exec(state: &StateDir, id: &[u8], o: &ExecOptions) -> i32 {
    let mut buf = RecordBuf::new();
    let r = match record_of(state, id, &mut buf) {
        Ok(r) => r,
        Err(status) => return status,
    };
    if status(state, &r) == b"stopped" {
        say(b"cannot exec in container {}: it is stopped", &[id]);
        return EXIT_FAILURE;
    }
    // The process: --process F's, or CMD's as the container's root.
    let mut c = Config::new();
    let mut argv = CStrArray::<{ crate::oci::config::MAX_ARGS + 1 }>::new();
    let mut envp = CStrArray::<{ crate::oci::config::MAX_ENV + 40 }>::new();
    let mut cwd = o.cwd.unwrap_or(c"/");
    if let Some(file) = o.process {
        let mut src = [0u8; CONFIG_MAX];
        let len = match read_file(file, &mut src) {
            Ok(len) => len,
            Err(e) => return fail(b"cannot read ", file.to_bytes(), e),
        };
        if let Err(e) = read_process(&mut Scanner::new(&src[..len]), &mut c.text, &mut c.process) {
            return config_error(file.to_bytes(), &e);
        }
        if c.process.args.is_empty() {
            say(b"{}: process.args: empty", &[file.to_bytes()]);
            return EXIT_FAILURE;
        }
    } else {
        if o.cmd.is_empty() {
            say(b"exec needs --process F or a command", &[]);
            return EXIT_USAGE;
        }
        let caps = &mut c.process.caps;
        (caps.bounding, caps.effective, caps.permitted) = (r.bounding, r.bounding, r.bounding);
        envp.push(crate::exec::DEFAULT_PATH_VAR);
    }
    let p = &mut c.process;
    if let Some(user) = o.user {
        let text = user.to_bytes();
        let (uid, gid) = match text.iter().position(|&b| b == b':') {
            Some(i) => (parse_u32(&text[..i]), parse_u32(&text[i + 1..])),
            None => (parse_u32(text), Some(0)),
        };
        match uid.zip(gid) {
            Some((uid, gid)) => (p.uid, p.gid) = (uid, gid),
            None => {
                say(b"bad user '{}': UID[:GID]", &[text]);
                return EXIT_USAGE;
            }
        }
    }
    p.no_new_privileges |= o.no_new_privs || r.no_new_privs;
    // Never more than the container's bounding set.
    p.caps.bounding &= r.bounding;
    let p = &c.process;
    for &arg in &p.args {
        argv.push(c.text.cstr(arg));
    }
    for arg in o.cmd.iter() {
        argv.push(arg);
    }
    for &var in &p.env {
        envp.push(c.text.cstr(var));
    }
    for &var in o.env {
        envp.push(var);
    }
    if o.cwd.is_none() && o.process.is_some() {
        cwd = c.text.cstr(p.cwd);
    }
    let preserve = match o.preserve_fds.map(|n| parse_u32(n.to_bytes())) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => {
            say(b"bad --preserve-fds: a number", &[]);
            return EXIT_USAGE;
        }
    };
    let tty = o.tty || p.terminal;
    // What is on the host is opened before entering: the pid file's
    // directory, the console socket.
    let pid_file = match o.pid_file.map(PidFile::open) {
        None => None,
        Some(Ok(file)) => Some(file),
        Some(Err(e)) => return fail(b"cannot open the pid file ", o.pid_file.map_or(b"", CStr::to_bytes), e),
    };
    let socket = match (tty, o.console_socket) {
        (false, _) => None,
        (true, None) => {
            say(b"--tty needs --console-socket", &[]);
            return EXIT_USAGE;
        }
        (true, Some(path)) => match sys::connect_local(path.to_bytes()) {
            Ok(sock) => Some(sock),
            Err(e) => return fail(b"cannot connect to ", path.to_bytes(), e),
        },
    };
    let mut program = [SockFilter::default(); BPF_MAXINSNS];
    let Some(sandbox) = record_sandbox(&r, &mut program) else { return EXIT_FAILURE };
    let mut targets: Targets = Default::default();
    let mut pid_text = Line::new();
    pid_text.num(r.init as u64);
    let pid_text = pid_text.text();
    if let Err(status) = open_namespaces(r.init, &mut targets) {
        return status;
    }
    // What it starts counts against the container's limits.
    if let Err(status) = join_cgroups_of(r.init) {
        return status;
    }
    if let Err(status) = enter_namespaces(targets, pid_text) {
        return status;
    }
    // A pseudo-terminal of the container's devpts: the master to the
    // console socket, the slave the process's terminal.
    let mut slave = None;
    if let Some(sock) = &socket {
        let (master, pty) = match sys::open_pty(c"/dev/ptmx") {
            Ok(pair) => pair,
            Err(e) => return fail(b"cannot open the container's /dev/ptmx", b"", e),
        };
        if let Err(e) = sys::send_with_fd(sock, b"/dev/ptmx", Some(&master)) {
            return fail(b"cannot send the console to ", o.console_socket.map_or(b"", CStr::to_bytes), e);
        }
        slave = Some(pty);
    }
    drop(socket);
    let child = match sys::fork() {
        Ok(child) => child,
        Err(e) => return fail(b"cannot fork", b"", e),
    };
    if child == 0 {
        sys::exit(exec_inside(p, cwd, argv.list(), envp.list(), slave.as_ref(), &sandbox, preserve));
    }
    drop(slave);
    if let Some(file) = &pid_file {
        if let Err(e) = file.write(child) {
            let _ = sys::kill(child, SIGKILL);
            return fail(b"cannot write the pid file ", o.pid_file.map_or(b"", CStr::to_bytes), e);
        }
    }
    if o.detach {
        return 0;
    }
    match sys::wait(child) {
        Ok(sys::Exit::Code(code)) => code,
        Ok(sys::Exit::Signal(sig)) => 128 + sig as i32,
        Err(e) => fail(b"cannot wait for the process", b"", e),
    }
}

/// exec's child, in the container's namespaces: a session of its own (the
/// terminal `slave` its controlling one), only fds 0, 1, 2 and the
/// `preserve` after them, the process `p`, the container's filter.
fn exec_inside(
    p: &Process,
    cwd: &CStr,
    argv: CStrList,
    env: CStrList,
    slave: Option<&Fd>,
    sandbox: &Sandbox,
    preserve: u32,
) -> i32 {
    // No controlling terminal of the caller's: TIOCSTI cannot reach it
    // (CVE-2017-5226).
    if let Err(e) = sys::setsid() {
        return fail(b"cannot create session", b"", e);
    }
    if let Some(slave) = slave {
        if let Err(status) = take_console(slave) {
            return status;
        }
    }
    // A host descriptor (or directory) handed to a program of the
    // container is a way out (CVE-2024-21626).
    if let Err(e) = sys::cloexec_from(3 + preserve) {
        return fail(b"cannot close inherited files", b"", e);
    }
    let program = match become_process(p, cwd, argv, env, sandbox.seccomp, sandbox.seccomp_flags) {
        Ok(program) => program,
        Err(status) => return status,
    };
    if p.no_new_privileges && !sandbox.seccomp.is_empty() {
        if let Err(status) = install(sandbox.seccomp, sandbox.seccomp_flags) {
            return status;
        }
    }
    let e = sys::execve(program.as_cstr().unwrap_or(c""), argv, env);
    not_run(argv.get(0).unwrap_or(c""), e)
}

/// The container's cgroups, from `.oci-ID`, kept when dropped.
fn with_cgroups<T>(state: &StateDir, id: &[u8], f: &mut dyn FnMut(&Cgroups) -> T) -> T {
    let mut side = [0u8; 65536];
    let len = sys::openat(&state.dir, own_file(b"oci", id, &mut PathBuf::new()), O_RDONLY, 0)
        .and_then(|f| sys::read_full(&f, &mut side))
        .unwrap_or(0);
    let created = Created::read(&side[..len]);
    let cgroups = Cgroups::at(created.cgroups_path, false);
    let result = f(&cgroups);
    cgroups.keep();
    result
}

/// `ps`: the host pids of the container's cgroup, as runc's `ps --format
/// json` (a JSON array, which the shim reads) or one a line under `PID`.
fn ps(state: &StateDir, id: &[u8], format: Option<&CStr>) -> i32 {
    let json = match format.map(CStr::to_bytes) {
        None | Some(b"table") => false,
        Some(b"json") => true,
        Some(other) => {
            say(b"bad format '{}': table or json", &[other]);
            return EXIT_USAGE;
        }
    };
    if let Err(status) = record_of(state, id, &mut RecordBuf::new()) {
        return status;
    }
    let mut out = heapless::Vec::<u8, 65536>::new();
    let _ = out.extend_from_slice(if json { b"[" } else { b"PID\n" });
    let mut first = true;
    with_cgroups(state, id, &mut |cgroups| {
        cgroups.each_pid(&mut |pid| {
            if json && !first {
                let _ = out.push(b',');
            }
            first = false;
            let _ = out.extend_from_slice(decimal(pid as u64, &mut [0; 20]));
            if !json {
                let _ = out.push(b'\n');
            }
        })
    });
    if json {
        let _ = out.extend_from_slice(b"]\n");
    }
    let _ = sys::write_all(&sys::STDOUT, &out);
    0
}

/// `pause` and `resume`: the container's cgroup frozen or thawed (the
/// freezer), and `.paused-ID` for `state`'s `paused`.
fn pause(state: &StateDir, id: &[u8], frozen: bool) -> i32 {
    let mut buf = RecordBuf::new();
    let r = match record_of(state, id, &mut buf) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let current = status(state, &r);
    let wanted: &[u8] = if frozen { b"running" } else { b"paused" };
    if current != wanted {
        say(b"container {} is {}, not {}", &[id, current, wanted]);
        return EXIT_FAILURE;
    }
    if !with_cgroups(state, id, &mut |cgroups| cgroups.freeze(frozen)) {
        say(b"cannot freeze container {}: no freezer", &[id]);
        return EXIT_FAILURE;
    }
    let mut marker = PathBuf::new();
    let marker = own_file(b"paused", id, &mut marker);
    if !frozen {
        let _ = sys::unlink_at(&state.dir, marker);
        return 0;
    }
    match sys::openat(&state.dir, marker, O_WRONLY | O_CREAT, 0o600) {
        Ok(_) => 0,
        Err(e) => fail(b"cannot record the pause of ", id, e),
    }
}

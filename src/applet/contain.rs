//! contain [OPTIONS] DIR [CMD [ARG]...]: run CMD (default /bin/sh) as PID 1
//! of a new container whose root is DIR, in new user, mount, PID, network,
//! IPC, UTS, cgroup and time namespaces, while this process supervises it.

use crate::args::{index, parse, Given, Opt, Parsed};
use crate::cgroup::Cgroups;
use crate::console::at_terminal;
use crate::container::{launch, Running, Spec};
use crate::exec::OptionsBefore;
use crate::ids::IdMap;
use crate::mount::{Extra, ExtraMount, Root};
use crate::ns::{map_option, plan_maps, Maps, Writer};
use crate::out::{fail_with, say, EXIT_FAILURE};
use crate::path::{fd_path, PathBuf};
use crate::state::StateDir;
use crate::supervise::{end, parse_signal};
use crate::sys::{
    self, CStrList, Errno, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME,
    CLONE_NEWUSER, CLONE_NEWUTS, O_DIRECTORY, O_PATH,
};
use crate::text::{decimal, name_problem};
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
    let Parsed { given, fixed: [dir], rest, .. } = match read_options(args, &mut plan) {
        Ok(parsed) => parsed,
        Err(status) => return status,
    };
    plan.given = given;
    // DIR as an absolute path: a bind of `.` onto itself would be entered
    // only by a path that crosses the new mount, never by `.` itself.
    let mut dir_abs = PathBuf::new();
    let dir_abs = match resolve_dir(dir, &mut dir_abs) {
        Ok(path) if path.to_bytes() == b"/" => {
            say(b"/ cannot be DIR", &[]);
            return EXIT_FAILURE;
        }
        Ok(path) => path,
        Err(e) => return fail_with(b"cannot use {} as root", &[dir.to_bytes()], e),
    };
    let maps = match plan_maps(plan.uid_map.as_ref(), plan.gid_map.as_ref()) {
        Ok(maps) => maps,
        Err(status) => return status,
    };
    let state = match open_state(&plan, env) {
        Ok(state) => state,
        Err(status) => return status,
    };
    let mut pid_text = [0; 20];
    let id = plan.name.map_or_else(|| decimal(sys::getpid() as u64, &mut pid_text), CStr::to_bytes);
    let mut spec = fill_spec(&plan, &maps, dir, dir_abs, rest, env);
    (spec.id, spec.state) = (id, state.as_ref());
    let cgroups = Cgroups::create(spec.root_owner);
    let how = launch(&spec, &cgroups).map_or_else(|how| how, Running::supervise);
    // Before `end`, which may end this process by a signal: no drop after.
    drop(cgroups);
    end(how)
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
        console: !plan.given.has(NO_CONSOLE) && at_terminal(),
        extra: &plan.extra,
        owner,
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
    }
}

/// The state directory, with its stale records removed; None, after a
/// warning, where it cannot be made (a read-only root without /run), unless
/// `--name` needs it. Err when the name is taken.
fn open_state(plan: &Plan, env: CStrList) -> Result<Option<StateDir>, i32> {
    let state = match StateDir::open(env) {
        Ok(state) => state,
        Err(status) if plan.name.is_some() => return Err(status),
        Err(_) => {
            say(b"warning: no state directory: inject and list will not find this container by name", &[]);
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

/// The absolute path of the directory `dir` (as the kernel names the open
/// directory in /proc/self/fd).
fn resolve_dir<'a>(dir: &CStr, buf: &'a mut PathBuf) -> Result<&'a CStr, Errno> {
    let fd = sys::open(dir, O_PATH | O_DIRECTORY)?;
    let mut target = [0u8; 4096];
    let path = sys::readlink(fd_path(&fd, &mut PathBuf::new()), &mut target)?;
    buf.join(b"", path.to_bytes()).ok_or(Errno::ENAMETOOLONG)
}

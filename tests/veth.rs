//! contain --veth (SPEC §5.5, issue 24), as root: a veth pair that ucontain
//! makes itself over rtnetlink (no `ip` needed), `host0` inside, up and
//! unconfigured, `ve-ID` on the host (ID cut to 15 bytes); `-o` and the
//! container set the addresses, and a TCP service inside answers from the
//! host. The host interface goes with the container, and after a SIGKILL
//! of the supervisor with the next contain, even while something still
//! holds the container's network namespace (where the kernel would keep
//! it). An unprivileged caller is refused: it cannot make host interfaces.
mod common;

use common::*;
use std::fs;
use std::io::Read;
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A container id for this test and run, longer than the 12 bytes that
/// fit after `ve-`: `vt` TAG PID, then `-longer-than-fits`.
fn unique(tag: char) -> String {
    format!("vt{tag}{:07}-longer-than-fits", std::process::id() % 10_000_000)
}

/// The host interface of the container `id`: `ve-ID` cut to 15 bytes.
fn host_if(id: &str) -> String {
    format!("ve-{id}")[..15].to_string()
}

/// Whether the host has a network interface `name`.
fn host_has(name: &str) -> bool {
    PathBuf::from("/sys/class/net").join(name).exists()
}

/// DIR without its trailing `/`.
fn dir_of(root: &TempDir) -> String {
    root.join_str("").trim_end_matches('/').to_string()
}

/// The container's network namespace, held open: the kernel keeps its
/// interfaces, the veth pair included, while this lives.
fn hold_net_ns(c: &Container) -> fs::File {
    fs::File::open(format!("/proc/{}/ns/net", c.init)).expect("the init's network namespace")
}

#[test]
fn host0_is_up_inside_and_the_host_end_goes_with_the_container() {
    let root = rootfs();
    let bin = bin_str();
    let id = unique('a');
    let ve = host_if(&id);
    assert_eq!(ve.len(), 15);
    let mut c = Container::start_full(&[], &bin, &["-c", "--veth", "-N", &id, &dir_of(&root), "sleep", "1000"], None);
    assert!(host_has(&ve), "no {ve} on the host: {}", c.bg.stderr());
    // busybox ip: `2: host0@if11: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> ...`.
    let r = Caller::Root.run(&[&bin, "inject", &id, "ip", "-o", "link", "show"]);
    let links: Vec<&str> = r.stdout.lines().filter_map(|l| l.split(": ").nth(1)?.split('@').next()).collect();
    assert_eq!((r.code(), links), (Some(0), vec!["lo", "host0"]), "{r:?}");
    let host0 = r.stdout.lines().find(|l| l.contains("host0")).unwrap();
    let flags = host0.split('<').nth(1).and_then(|f| f.split('>').next()).unwrap_or_default();
    assert!(flags.split(',').any(|f| f == "UP"), "host0 is not up: {host0}");
    let r = Caller::Root.run(&[&bin, "inject", &id, "ip", "-o", "addr", "show", "dev", "host0"]);
    assert_eq!((r.code(), r.stdout.contains("inet ")), (Some(0), false), "host0 is not unconfigured: {r:?}");

    // Held open, the namespace would keep the pair: contain deletes it.
    let held = hold_net_ns(&c);
    assert!(signal_pid(c.sup(), SIGTERM));
    let status = c.bg.wait_timeout(TIMEOUT).expect("hang guard: SIGTERM did not end contain");
    assert_eq!((status.signal(), c.bg.stderr()), (Some(SIGTERM), String::new()));
    assert!(!host_has(&ve), "{ve} outlived its container");
    drop(held);
}

#[test]
fn a_tcp_service_inside_answers_from_the_host() {
    let root = rootfs();
    let bin = bin_str();
    let id = unique('b');
    let ve = host_if(&id);
    // A /30 of its own for this run: 10.231.N.4k+1 outside, +2 inside.
    let n = std::process::id();
    let net = format!("10.231.{}.{}", n % 250, 4 * (n / 250 % 60));
    let (outside, inside) = (bump(&net, 1), bump(&net, 2));
    let helper = format!("ip addr add {outside}/30 dev {ve} && ip link set {ve} up");
    let service = format!("ip addr add {inside}/30 dev host0 && exec nc -l -p 7272 -e echo served-42");
    let args = ["-c", "--veth", "-N", &id, "-o", &helper, &dir_of(&root), "sh", "-c", &service];
    let mut c = Container::start_full(&[], &bin, &args, None);
    let answer = poll_until(TIMEOUT, || {
        let mut stream =
            TcpStream::connect_timeout(&format!("{inside}:7272").parse().unwrap(), Duration::from_secs(2)).ok()?;
        let mut answer = String::new();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    });
    assert_eq!(answer.as_deref(), Some("served-42\n"), "{}", c.bg.stderr());
    let status = c.bg.wait_timeout(TIMEOUT).expect("hang guard: the service did not end");
    assert_eq!((status.code(), c.bg.stderr()), (Some(0), String::new()));
    assert!(!host_has(&ve), "{ve} outlived its container");
}

/// `a.b.c.d` plus `k` in its last byte.
fn bump(net: &str, k: u32) -> String {
    let (head, last) = net.rsplit_once('.').unwrap();
    format!("{head}.{}", last.parse::<u32>().unwrap() + k)
}

#[test]
fn after_a_sigkill_of_the_supervisor_the_next_contain_removes_the_host_end() {
    let root = rootfs();
    let bin = bin_str();
    let id = unique('c');
    let ve = host_if(&id);
    let mut c = Container::start_full(&[], &bin, &["-c", "--veth", "-N", &id, &dir_of(&root), "sleep", "1000"], None);
    assert!(host_has(&ve), "no {ve} on the host: {}", c.bg.stderr());
    let held = hold_net_ns(&c);
    let init = c.init;
    assert!(signal_pid(c.sup(), SIGKILL));
    c.bg.wait_timeout(TIMEOUT).expect("hang guard: SIGKILL did not end contain");
    assert!(poll_until(TIMEOUT, || proc_gone(init).then_some(())).is_some(), "the init outlived its supervisor");
    // What the test holds keeps it: nothing of contain's ran after SIGKILL.
    assert!(host_has(&ve), "{ve} went with the namespace: the test proves nothing");
    let r = Caller::Root.run(&[&bin, "contain", "-c", &dir_of(&root), "true"]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "", ""), "{r:?}");
    assert!(!host_has(&ve), "the next contain left the stale {ve}");
    assert!(!PathBuf::from("/run/ucontain").join(&id).exists(), "the stale record is left");
    drop(held);
}

#[test]
fn veth_is_refused_unprivileged_and_with_a_shared_network() {
    let root = rootfs();
    let bin = bin_str();
    let before = host_mountinfo();
    let r = User::default().run(&[&bin, "contain", "-c", "--veth", &dir_of(&root), "true"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(1), "", "contain: --veth needs root: an unprivileged caller cannot make host interfaces\n"),
        "{r:?}"
    );
    for caller in Caller::BOTH {
        let r = caller.run(&[&bin, "contain", "-c", "-n", "--veth", &dir_of(&root), "true"]);
        let lines = r.err_lines();
        assert_eq!(
            (r.code(), r.stdout.as_str(), lines.first().copied()),
            (Some(64), "", Some("contain: --veth needs a network namespace of the container's own, which -n shares")),
            "{caller:?}: {r:?}"
        );
        assert_eq!(lines.get(1).copied(), Some("Usage: contain [OPTIONS] DIR [CMD [ARG]...]"), "{caller:?}: {r:?}");
    }
    assert_mounts_unchanged(&before);
}

/// Attack: host root's inject reads a user's state directory (to find the
/// user's container's sandbox), whose records the user can write. A stale
/// record forged there, naming a host interface, must not make root delete
/// it: only root's own records name interfaces to delete.
#[test]
fn a_forged_record_of_a_user_cannot_make_root_delete_a_host_interface() {
    let root = rootfs();
    let bin = bin_str();
    let target = format!("vtx{:07}", std::process::id() % 10_000_000);
    let peer = target.replace("vtx", "vty");
    let made = Command::new(ip()).args(["link", "add", &target, "type", "veth", "peer", "name", &peer]).status();
    assert!(made.unwrap().success(), "harness: cannot make the interface {target}");
    let user = User::default();
    let mut c = Container::start_full(&[], &bin, &["-c", &dir_of(&root), "sleep", "1000"], Some(&user));
    let uid = Caller::Unprivileged.id();
    let forged = PathBuf::from(format!("/tmp/ucontain-{uid}/forged"));
    // Its supervisor is pid 1 with another start time: stale.
    let record = format!(
        "ucontain state 1\nid 6\nforged\napplet 7\ncontain\nsupervisor 1\n1\nsupervisor_start 13\n1234567890123\n\
         init 1\n1\ninit_start 13\n1234567890123\ndir 1\n/\ncgroup 0\n\nbounding 1\n0\nno_new_privs 1\n0\n\
         seccomp 0\n\nseccomp_flags 1\n0\nveth {}\n{target}\n",
        target.len()
    );
    fs::write(&forged, record).unwrap();
    std::os::unix::fs::chown(&forged, Some(uid), Some(uid)).unwrap();
    let r = Caller::Root.run(&[&bin, "inject", &c.init.to_string(), "true"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    // Read, found stale and removed: root's inject went through it.
    assert!(!forged.exists(), "root's inject never read the user's records: the test proves nothing");
    let still = host_has(&target);
    let _ = Command::new(ip()).args(["link", "del", &target]).status();
    assert!(still, "a user's forged record made root delete the host's {target}");
    assert!(signal_pid(c.sup(), SIGTERM));
    c.bg.wait_timeout(TIMEOUT).expect("hang guard: SIGTERM did not end contain");
}

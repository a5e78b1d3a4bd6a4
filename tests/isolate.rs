//! isolate CMD [ARG]... (SPEC §4, §5): new network and IPC namespaces with
//! only `lo`, up; unprivileged callers also get a user namespace mapping
//! them onto themselves. Every test holds for root and for uid 4000.
mod common;

use common::*;
use std::io::ErrorKind;
use std::net::TcpListener;

fn isolate(caller: Caller, cmd: &[&str]) -> Run {
    let b = bin_str();
    let mut argv = vec![b.as_str(), "isolate"];
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// Interface names listed in a /proc/net/dev text.
fn interfaces(net_dev: &str) -> Vec<String> {
    net_dev.lines().skip(2).filter_map(|l| l.split_once(':')).map(|(name, _)| name.trim().to_string()).collect()
}

#[test]
fn only_lo() {
    for caller in Caller::BOTH {
        let r = isolate(caller, &["cat", "/proc/net/dev"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(interfaces(&r.stdout), ["lo"], "{caller:?}: {r:?}");
    }
}

#[test]
fn lo_is_up_with_its_addresses() {
    let ip = ip();
    for caller in Caller::BOTH {
        let r = isolate(caller, &[&ip, "-o", "link", "show"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let lines = r.lines();
        assert_eq!(lines.len(), 1, "{caller:?}: {r:?}");
        assert!(lines[0].contains(" lo: <"), "{caller:?}: {r:?}");
        let flags = lines[0].split(['<', '>']).nth(1).unwrap();
        assert!(flags.split(',').any(|f| f == "UP"), "{caller:?}: lo is down: {r:?}");

        let r = isolate(caller, &[&ip, "-o", "-4", "addr", "show", "dev", "lo"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert!(r.stdout.contains(" inet 127.0.0.1/8 "), "{caller:?}: {r:?}");
    }
}

#[test]
fn new_network_and_ipc_namespaces_only() {
    let script = "for ns in net ipc mnt pid uts user; do readlink /proc/self/ns/$ns; done";
    let both = format!("{script}; echo --; exec {} isolate sh -c '{script}'", sh_quote(&bin_str()));
    for caller in Caller::BOTH {
        let r = caller.run(&["sh", "-c", &both]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let (outside, inside) = r.stdout.split_once("--\n").unwrap();
        let (outside, inside): (Vec<&str>, Vec<&str>) = (outside.lines().collect(), inside.lines().collect());
        assert_eq!(outside.len(), 6, "{r:?}");
        assert_eq!(inside.len(), 6, "{r:?}");
        let new_user = caller == Caller::Unprivileged;
        for (i, kind) in ["net", "ipc", "mnt", "pid", "uts", "user"].iter().enumerate() {
            let expect_new = matches!(*kind, "net" | "ipc") || (*kind == "user" && new_user);
            assert_eq!(
                outside[i] != inside[i],
                expect_new,
                "{caller:?}: {kind}: outside {} inside {}",
                outside[i],
                inside[i]
            );
        }
    }
}

#[test]
fn listener_inside_is_reachable_from_inside() {
    let dir = TempDir::new();
    let probe = probe(&dir);
    for caller in Caller::BOTH {
        let r = isolate(caller, &[probe.to_str().unwrap(), "loopback"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "received ping\n", "{caller:?}: {r:?}");
    }
}

#[test]
fn host_listener_is_unreachable() {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    for caller in Caller::BOTH {
        let r = isolate(caller, &[probe, "connect", "127.0.0.1", &port]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "connect: Connection refused\n", "{caller:?}: {r:?}");
        let r = isolate(caller, &[probe, "connect", "192.0.2.1", "80"]);
        assert_eq!(r.code(), Some(1), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "connect: Network is unreachable\n", "{caller:?}: {r:?}");
    }
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the host listener was reached from inside: {other:?}"),
    }
    // Control: the same probe outside reaches it.
    for caller in Caller::BOTH {
        let r = caller.run(&[probe, "connect", "127.0.0.1", &port]);
        assert_eq!(r.stdout, "connected\n", "{caller:?}: {r:?}");
    }
}

#[test]
fn unprivileged_maps_the_caller_onto_itself() {
    let r = isolate(Caller::Unprivileged, &["sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["4000 4000 1"], "{r:?}");
    assert_eq!(ids.gid_map, ["4000 4000 1"], "{r:?}");
    assert_eq!(ids.setgroups, "deny", "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("4000", "4000"), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn unprivileged_needs_no_subuid_range_or_helper() {
    let user = User { subuid: None, subgid: None, hide_helpers: true, ..User::default() };
    let r = user.run(&[&bin_str(), "isolate", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(Ids::parse(&r).uid_map, ["4000 4000 1"], "{r:?}");
    assert_eq!(r.stderr, "", "isolate maps only the caller: nothing to warn about\n{r:?}");
}

#[test]
fn root_keeps_its_user_namespace() {
    let r = isolate(Caller::Root, &["sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["0 0 4294967295"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 0 4294967295"], "{r:?}");
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{r:?}");
}

#[test]
fn usage() {
    let r = run(&["isolate"]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert!(r.stderr.starts_with("Usage: isolate CMD [ARG]..."), "{r:?}");
    assert_eq!(r.stdout, "");
    let r = run(&["isolate", "--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.starts_with("Usage: isolate CMD [ARG]..."), "{r:?}");
    assert_eq!(r.stderr, "");
}

#[test]
fn exit_status_and_signal_pass_through() {
    check_exit_status_and_signal("isolate");
}

#[test]
fn runs_cmd_in_the_same_process() {
    check_same_process("isolate");
}

#[test]
fn environment_unchanged() {
    check_environment_unchanged("isolate");
}

#[test]
fn opens_no_descriptor_for_cmd() {
    check_no_descriptor_leak("isolate");
}

#[test]
fn not_found_is_127_not_executable_is_126() {
    check_127_and_126("isolate");
}

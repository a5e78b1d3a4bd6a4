//! The sandbox of SPEC §5.5 (issue 23), from inside a container, as root
//! and as the unprivileged test user: the capability bounding set is
//! systemd-nspawn's (CAP_NET_ADMIN only with a network namespace of its
//! own), `--cap-add` and `--cap-drop` change it by any spelling of a name,
//! the other capability sets follow it so a setuid-root program gains
//! nothing outside it, and `--no-new-privs` holds. `tests/sandbox.c`
//! reports what a process has.
mod common;

use common::*;

/// systemd-nspawn's default set, and with CAP_NET_ADMIN (bit 12).
const NSPAWN: u64 = 0xfdec_afff;
const WITH_NET_ADMIN: u64 = NSPAWN | 1 << 12;
const CAP_SYS_TIME: u64 = 1 << 25;
const CAP_SYS_ADMIN: u64 = 1 << 21;

/// What `sandbox caps` prints for a process of euid `euid` whose
/// effective and permitted sets are `set` and bounding set `bounding`.
fn caps_of(set: u64, bounding: u64, no_new_privs: bool, euid: u32) -> String {
    let nnp = no_new_privs as u8;
    format!(
        "CapInh:\t0000000000000000\nCapPrm:\t{set:016x}\nCapEff:\t{set:016x}\nCapBnd:\t{bounding:016x}\n\
         CapAmb:\t0000000000000000\nNoNewPrivs:\t{nnp}\neuid {euid}\n"
    )
}

/// The same for a root process whose sets are all `set`.
fn caps(set: u64, no_new_privs: bool) -> String {
    caps_of(set, set, no_new_privs, 0)
}

/// A rootfs with the probe at /sandbox and a world-writable /w on DIR's
/// own file system (not a nosuid tmpfs).
fn root_with_probe() -> TempDir {
    let root = rootfs();
    cc_static(&root, "sandbox");
    root.mkdir("w", 0o1777);
    root
}

fn contain(caller: Caller, options: &[&str], root: &TempDir, cmd: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), "contain"];
    argv.extend_from_slice(options);
    argv.push(root.str());
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

#[test]
fn the_bounding_set_is_systemd_nspawns_with_net_admin_only_for_a_private_network() {
    let root = root_with_probe();
    for caller in Caller::BOTH {
        for (options, set) in [(&[][..], WITH_NET_ADMIN), (&["-n"][..], NSPAWN)] {
            let r = contain(caller, options, &root, &["/sandbox", "caps"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), caps(set, false).as_str(), ""),
                "{caller:?} {options:?}: {r:?}"
            );
        }
    }
}

#[test]
fn cap_add_and_cap_drop_take_every_spelling_in_order() {
    let root = root_with_probe();
    for caller in Caller::BOTH {
        for (options, set) in [
            (&["--cap-add", "sys_time"][..], WITH_NET_ADMIN | CAP_SYS_TIME),
            (&["--cap-add=CAP_SYS_TIME", "-n"], NSPAWN | CAP_SYS_TIME),
            (&["--cap-add", "Cap_Sys_Time"], WITH_NET_ADMIN | CAP_SYS_TIME),
            (&["--cap-drop", "net_admin,CAP_SYS_ADMIN"], NSPAWN & !CAP_SYS_ADMIN),
            (&["--cap-drop", "all", "--cap-add", "sys_admin,chown"], CAP_SYS_ADMIN | 1),
            (&["-n", "--cap-add", "net_admin"], WITH_NET_ADMIN),
            (&["--cap-drop", "all"], 0),
        ] {
            let r = contain(caller, options, &root, &["/sandbox", "caps"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), caps(set, false).as_str(), ""),
                "{caller:?} {options:?}: {r:?}"
            );
        }
    }
}

/// All capabilities up to the kernel's last one.
#[test]
fn cap_add_all_keeps_every_capability_of_the_kernel() {
    let root = root_with_probe();
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap").unwrap().trim().parse().unwrap();
    let all = (1u64 << (last + 1)) - 1;
    for caller in Caller::BOTH {
        let r = contain(caller, &["--cap-add", "all"], &root, &["/sandbox", "caps"]);
        assert_eq!((r.code(), r.stdout.as_str()), (Some(0), caps(all, false).as_str()), "{caller:?}: {r:?}");
    }
}

/// busybox ping opens a raw socket, which needs CAP_NET_RAW (its ICMP
/// datagram sockets are off: net.ipv4.ping_group_range is per network
/// namespace and "1 0" in a new one).
#[test]
fn without_cap_net_raw_ping_fails() {
    let root = rootfs();
    for caller in Caller::BOTH {
        let r = contain(caller, &[], &root, &["/bin/ping", "-c1", "127.0.0.1"]);
        assert!(r.code() == Some(0) && r.stdout.contains("1 packets received"), "control, {caller:?}: {r:?}");
        for options in [&["--cap-drop", "all"][..], &["--cap-drop", "net_raw"]] {
            let r = contain(caller, options, &root, &["/bin/ping", "-c1", "127.0.0.1"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(1), "PING 127.0.0.1 (127.0.0.1): 56 data bytes\n", "ping: permission denied (are you root?)\n"),
                "{caller:?} {options:?}: {r:?}"
            );
        }
    }
}

#[test]
fn unknown_capability_names_are_usage_errors_naming_them() {
    let root = rootfs();
    let usage = run(&["contain", "--help"]).stdout;
    for (options, name) in [
        (&["--cap-add", "sys_tim"][..], "sys_tim"),
        (&["--cap-drop", "chown,CAP_FOO"], "CAP_FOO"),
        (&["--cap-add", "chown,"], ""),
        (&["--cap-drop=cap_all"], "cap_all"),
        (&["--cap-add", "41"], "41"),
    ] {
        let r = contain(Caller::Root, options, &root, &["/bin/true"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr),
            (Some(64), "", format!("contain: unknown capability '{name}'\n{usage}")),
            "{options:?}"
        );
    }
}

/// A setuid-root program, run inside by uid 1000, gets the bounding set
/// and nothing more; with --no-new-privs, not even uid 0.
#[test]
fn a_setuid_root_program_gains_nothing_outside_the_set() {
    let root = root_with_probe();
    for caller in Caller::BOTH {
        for (options, expected) in [
            (&[][..], caps(WITH_NET_ADMIN, false)),
            // The probe needs to change its uid.
            (&["--cap-drop", "all", "--cap-add", "setuid,setgid"], caps(1 << 6 | 1 << 7, false)),
            (&["--cap-drop", "sys_admin,net_raw", "-n"], caps(NSPAWN & !CAP_SYS_ADMIN & !(1 << 13), false)),
            (&["--no-new-privs"], caps_of(0, WITH_NET_ADMIN, true, 1000)),
        ] {
            // A copy of each caller's own: a sticky /w keeps another's.
            let copy = format!("/w/suid-{}", caller.id());
            let r = contain(caller, options, &root, &["/sandbox", "setuid", "1000", &copy]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(0), expected.as_str(), ""),
                "{caller:?} {options:?}: {r:?}"
            );
        }
    }
}

#[test]
fn no_new_privs_is_set_for_the_init() {
    let root = root_with_probe();
    for caller in Caller::BOTH {
        let r = contain(caller, &["--no-new-privs"], &root, &["/sandbox", "caps"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), caps(WITH_NET_ADMIN, true).as_str(), ""),
            "{caller:?}: {r:?}"
        );
    }
}

/// SPEC §5.6: inject's command gets exactly the container's sandbox, from
/// its record (the same bounding set, no_new_privs), never more than the
/// init has: inject is no way out of `--cap-drop` or `--no-new-privs`.
#[test]
fn inject_gives_its_command_the_containers_sandbox() {
    let root = root_with_probe();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let user = match caller {
            Caller::Root => None,
            Caller::Unprivileged => Some(User::default()),
        };
        for (options, set, nnp) in [
            (&["-c"][..], WITH_NET_ADMIN, false),
            (&["-c", "--cap-drop", "all", "--no-new-privs"][..], 0, true),
            (
                &["-c", "--cap-drop", "net_raw,sys_admin", "--cap-add", "sys_time"][..],
                (WITH_NET_ADMIN & !(1 << 13) & !CAP_SYS_ADMIN) | CAP_SYS_TIME,
                false,
            ),
        ] {
            let mut args = options.to_vec();
            args.extend([root.str(), "sleep", "1000"]);
            let c = Container::start_full(&[], &bin, &args, user.as_ref());
            let by_name = c.sup().to_string();
            for target in [c.init.to_string(), by_name] {
                let r = caller.run(&[&bin, "inject", "-c", &target, "/sandbox", "caps"]);
                assert_eq!(
                    (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                    (Some(0), caps(set, nnp).as_str(), ""),
                    "{caller:?} {options:?} inject {target}: {r:?}"
                );
            }
            drop(c);
        }
    }
}

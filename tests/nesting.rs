//! Nesting without options (SPEC §4): unprivileged inside another tool's
//! one-id user namespace (bubblewrap's), where the setuid helpers cannot
//! write the caller's subuid range, contain and pseudo fall back to the
//! caller's own ids with one warning naming newuidmap's error, instead of
//! failing.
mod common;

use common::*;
use std::process::Command;

/// bubblewrap, installed by tests/deps.sh where it is missing.
fn bwrap() {
    if Command::new("bwrap").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return;
    }
    let installed = Command::new("sh").args(["tests/deps.sh", "bwrap"]).status().unwrap();
    assert!(installed.success(), "harness: bubblewrap is missing and tests/deps.sh could not install it");
}

const BWRAP: [&str; 9] = ["bwrap", "--unshare-all", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"];

fn warning(applet: &str) -> String {
    format!(
        "{applet}: warning: newuidmap failed (write to uid_map failed: Operation not permitted); \
         mapping only uid {UID} and gid {GID} to root"
    )
}

/// bwrap's cgroup namespace hides the delegated cgroup: contain warns
/// about that too, in words that depend on the host's hierarchies.
fn without_cgroup_warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| !l.starts_with("contain: warning: cannot create cgroup ")).collect()
}

#[test]
fn contain_in_bubblewrap_falls_back_to_own_ids() {
    bwrap();
    let root = rootfs();
    let bin = bin_str();
    let mut argv = BWRAP.to_vec();
    argv.extend([bin.as_str(), "contain", "-c", root.str(), "sh", "-c", "cat /proc/self/uid_map; id -u"]);
    let r = User::default().run(&argv);
    assert_eq!(
        (r.code(), r.stdout.split_whitespace().collect::<Vec<_>>()),
        (Some(0), vec!["0", "0", "1", "0"]),
        "{r:?}"
    );
    assert_eq!(without_cgroup_warnings(&r.stderr), [warning("contain").as_str()], "{r:?}");
    // The control: outside bubblewrap, the helpers map the whole range.
    let r = User::default().run(&[&bin, "contain", "-c", root.str(), "cat", "/proc/self/uid_map"]);
    assert_eq!((r.code(), r.stdout.split_whitespace().count(), r.stderr.as_str()), (Some(0), 6, ""), "{r:?}");
}

#[test]
fn pseudo_in_bubblewrap_falls_back_to_own_ids() {
    bwrap();
    let bin = bin_str();
    let mut argv = BWRAP.to_vec();
    argv.extend([bin.as_str(), "pseudo", "cat", "/proc/self/uid_map"]);
    let r = User::default().run(&argv);
    assert_eq!(
        (r.code(), r.stdout.split_whitespace().collect::<Vec<_>>(), r.stderr.clone()),
        (Some(0), vec!["0", &UID.to_string(), "1"], warning("pseudo") + "\n"),
        "{r:?}"
    );
}

/// A MAP given is written as given or not at all: no fallback.
#[test]
fn a_map_given_is_not_replaced() {
    bwrap();
    let bin = bin_str();
    let mut argv = BWRAP.to_vec();
    argv.extend([bin.as_str(), "pseudo", "-u", "0:4000:1,1:200000:10", "true"]);
    let r = User::default().run(&argv);
    // The helpers' own lines, in the order they wrote them, then ours.
    let mut helpers: Vec<&str> = r.stderr.lines().take(2).collect();
    helpers.sort();
    assert_eq!(
        (r.code(), r.stdout.as_str(), helpers, r.stderr.lines().skip(2).collect::<Vec<_>>()),
        (
            Some(1),
            "",
            vec![
                "newgidmap: write to gid_map failed: Operation not permitted",
                "newuidmap: write to uid_map failed: Operation not permitted"
            ],
            vec!["pseudo: newuidmap failed: exit status 1", "pseudo: newgidmap failed: exit status 1"]
        ),
        "{r:?}"
    );
}

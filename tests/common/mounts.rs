//! The host's mount table and namespaces, to show nothing leaked.

use std::collections::BTreeSet;
use std::fs;

/// The test process's own /proc/self/mountinfo: the host's mount table.
pub fn host_mountinfo() -> String {
    fs::read_to_string("/proc/self/mountinfo").expect("cannot read /proc/self/mountinfo")
}

/// Fail if the host's mount table differs from `before`.
#[track_caller]
pub fn assert_mounts_unchanged(before: &str) {
    let after = host_mountinfo();
    let old: BTreeSet<&str> = before.lines().collect();
    let new: BTreeSet<&str> = after.lines().collect();
    let added: Vec<_> = new.difference(&old).collect();
    let removed: Vec<_> = old.difference(&new).collect();
    assert!(
        added.is_empty() && removed.is_empty(),
        "the host's mounts changed\nadded: {added:#?}\nremoved: {removed:#?}"
    );
}

/// Run `f` and fail if it changed the host's mount table.
#[track_caller]
pub fn no_mount_leak<T>(f: impl FnOnce() -> T) -> T {
    let before = host_mountinfo();
    let result = f();
    assert_mounts_unchanged(&before);
    result
}

/// The test process's namespace link, e.g. `net:[4026531840]`.
pub fn host_ns(kind: &str) -> String {
    fs::read_link(format!("/proc/self/ns/{kind}"))
        .unwrap_or_else(|e| panic!("cannot read /proc/self/ns/{kind}: {e}"))
        .to_str()
        .unwrap()
        .to_string()
}

//! pseudo CMD [ARG]... (SPEC §4, §5): root of a new user namespace, with
//! the identity maps of every row of the §4 table, as root and as the
//! unprivileged test user (uid/gid 4000, name `tester`).
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

/// SPEC §4 v2: root on the top id, 1..=65535 on the block just below it.
const ROOT_DEFAULT: [&str; 2] = ["0 4294967294 1", "1 4294901759 65535"];

fn pseudo_ids(user: &User) -> (Run, Ids) {
    let r = user.run(&[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    (r, ids)
}

/// The same as root, with these /etc/subuid and /etc/subgid contents.
fn root_pseudo_ids(subuid: &str, subgid: &str) -> (Run, Ids) {
    let r = as_root_with_etc(subuid, subgid, &[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    (r, ids)
}

#[track_caller]
fn assert_root_inside(ids: &Ids) {
    assert_eq!((ids.uid.as_str(), ids.gid.as_str()), ("0", "0"), "{ids:?}");
}

/// The one warning line of the unprivileged fallback, naming one of `what`.
#[track_caller]
fn assert_one_warning(r: &Run, what: &[&str]) {
    let lines = r.err_lines();
    assert_eq!(lines.len(), 1, "expected exactly one warning line:\n{r:?}");
    assert!(lines[0].starts_with("pseudo: "), "{r:?}");
    assert!(lines[0].contains("warning"), "{r:?}");
    assert!(what.iter().any(|w| lines[0].contains(w)), "warning names none of {what:?}:\n{r:?}");
}

// ---- unprivileged ----

#[test]
fn unprivileged_maps_caller_and_subordinate_ranges() {
    let user = User {
        subuid: Some("tester:200000:65536\n".into()),
        subgid: Some("tester:300000:1000\n".into()),
        ..User::default()
    };
    let (r, ids) = pseudo_ids(&user);
    assert_eq!(ids.uid_map, ["0 4000 1", "1 200000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 4000 1", "1 300000 1000"], "{r:?}");
    assert_root_inside(&ids);
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn unprivileged_numeric_owner_and_whole_fields() {
    // `400`, `40000` and `4000x` are not uid 4000; `alice` is someone else.
    let user = User {
        subuid: Some("alice:100000:65536\n400:110000:10\n40000:120000:10\n4000x:130000:10\n4000:140000:100\n".into()),
        subgid: Some("tester:150000:200\n4000:160000:10\n".into()),
        ..User::default()
    };
    let (r, ids) = pseudo_ids(&user);
    assert_eq!(ids.uid_map, ["0 4000 1", "1 140000 100"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 4000 1", "1 150000 200"], "{r:?}");
    assert_root_inside(&ids);
}

#[test]
fn unprivileged_last_line_without_newline() {
    let user = User { subuid: Some("tester:250000:100".into()), ..User::default() };
    let (r, ids) = pseudo_ids(&user);
    assert_eq!(ids.uid_map, ["0 4000 1", "1 250000 100"], "{r:?}");
}

/// The unprivileged fallback of SPEC §4: only the caller mapped, setgroups
/// denied, root inside, and one warning line naming one of `missing`.
fn assert_fallback(user: &User, missing: &[&str]) {
    let (r, ids) = pseudo_ids(user);
    assert_eq!(ids.uid_map, ["0 4000 1"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 4000 1"], "{r:?}");
    assert_eq!(ids.setgroups, "deny", "{r:?}");
    assert_root_inside(&ids);
    assert_one_warning(&r, missing);
}

#[test]
fn unprivileged_without_a_range_falls_back_with_a_warning() {
    let user = User {
        subuid: Some("alice:100000:65536\n".into()),
        subgid: Some("alice:100000:65536\n".into()),
        ..User::default()
    };
    assert_fallback(&user, &["subuid", "subgid"]);
    // The warning says how root adds a range for the caller, by name.
    let (r, _) = pseudo_ids(&user);
    assert_eq!(
        r.stderr,
        "pseudo: warning: no range in /etc/subuid; mapping only uid 4000 and gid 4000 to root \
         (for a range: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 tester, as root)\n",
        "{r:?}"
    );
}

#[test]
fn unprivileged_without_passwd_entry_falls_back_with_a_warning() {
    // No name for uid 4000, so the `tester` lines are not the caller's.
    let user = User { in_passwd: false, ..User::default() };
    assert_fallback(&user, &["subuid", "subgid"]);
    let (r, _) = pseudo_ids(&user);
    assert!(r.stderr.ends_with(" 100000-165535 4000, as root)\n"), "{r:?}");
}

#[test]
fn unprivileged_without_newuidmap_falls_back_with_a_warning() {
    let user = User { hide_helpers: true, ..User::default() };
    assert_fallback(&user, &["newuidmap", "newgidmap"]);
    // A range is there: no advice to add one.
    let (r, _) = pseudo_ids(&user);
    assert!(!r.stderr.contains("usermod"), "{r:?}");
}

#[test]
fn unprivileged_files_are_the_callers() {
    let dir = TempDir::new();
    chown(dir.path(), UID, GID);
    let owned = dir.write("owned", "", 0o644);
    chown(&owned, UID, GID);
    let script = format!("touch {d}/made && stat -c %u:%g {d}/made {d}/owned", d = sh_quote(dir.str()));
    let r = User::default().run(&[&bin_str(), "pseudo", "sh", "-c", &script]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stdout, "0:0\n0:0\n", "the caller's files are root's inside");
    let made = fs::metadata(dir.join("made")).unwrap();
    assert_eq!((made.uid(), made.gid()), (UID, GID), "a file made inside is the caller's outside");
}

// ---- root ----

#[test]
fn root_with_a_range() {
    let (r, ids) = root_pseudo_ids("root:100000:65536\n", "root:300000:1000\n");
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
    assert_root_inside(&ids);
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn root_numeric_owner() {
    let (r, ids) = root_pseudo_ids("0:100000:65536\n", "0:300000:1000\n");
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
}

#[test]
fn root_range_after_another_users_line() {
    let (r, ids) = root_pseudo_ids(
        "tester:200000:65536\nroot:100000:65536\nroot:900000:10\n",
        "tester:200000:65536\nroot:300000:1000\n",
    );
    assert_eq!(ids.uid_map, ["0 100000 65536"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 300000 1000"], "{r:?}");
}

#[test]
fn root_without_a_range_gets_the_containers_default() {
    let (r, ids) = root_pseudo_ids("", "");
    assert_eq!(ids.uid_map, ROOT_DEFAULT, "{r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT, "{r:?}");
    assert_root_inside(&ids);
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn root_names_are_not_uid_0() {
    // `alice`, `0abc` and an empty owner must never be read as uid 0.
    let lines = "alice:100000:65536\n0abc:110000:10\n:120000:10\n";
    let r = as_root_with_etc(lines, lines, &[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ROOT_DEFAULT, "{r:?}");
    assert_eq!(ids.gid_map, ROOT_DEFAULT, "{r:?}");
}

#[test]
fn root_files_belong_to_the_range_and_host_root_is_unmapped() {
    let dir = TempDir::new();
    set_mode(dir.path(), 0o777);
    let overflow = fs::read_to_string("/proc/sys/kernel/overflowuid").unwrap();
    let script = format!("touch {d}/made && stat -c %u:%g {d}/made / && id -u", d = sh_quote(dir.str()));
    let r = as_root_with_etc("root:100000:65536\n", "root:300000:1000\n", &[&bin_str(), "pseudo", "sh", "-c", &script]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let o = overflow.trim();
    assert_eq!(r.stdout, format!("0:0\n{o}:{o}\n0\n"), "{r:?}");
    let made = fs::metadata(dir.join("made")).unwrap();
    assert_eq!((made.uid(), made.gid()), (100000, 300000));
}

#[test]
fn root_default_files_belong_to_the_top_id() {
    let dir = TempDir::new();
    set_mode(dir.path(), 0o777);
    let script = format!("touch {d}/made", d = sh_quote(dir.str()));
    let r = as_root_with_etc("", "", &[&bin_str(), "pseudo", "sh", "-c", &script]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let made = fs::metadata(dir.join("made")).unwrap();
    assert_eq!((made.uid(), made.gid()), (4294967294, 4294967294));
}

// ---- malformed /etc/subuid ----

/// Lines no parser may take for OWNER's range, ending with the one it must.
fn garbage(owner: &str) -> String {
    let mut s = String::new();
    for line in [
        format!("{owner}:abc:65536"),
        format!("{owner}:-1:65536"),
        format!("{owner}:4294967296:10"),
        format!("{owner}:4294967295:2"),
        format!("{owner}:200000:4294967296"),
        format!("{owner}:99999999999999999999999:1"),
        format!("{owner}:18446744073709551617:1"),
        format!("{owner}:1:0"),
        format!("{owner}::65536"),
        format!("{owner}:200000:"),
        format!("{owner}:1:2:3"),
        owner.to_string(),
        format!("{owner}:"),
        ":200000:65536".to_string(),
        ":::".to_string(),
        "".to_string(),
        format!("# {owner}:600000:10"),
        format!("\u{0}{owner}:610000:10"),
        format!("{owner}x:620000:10"),
        // 128 KiB, then text that looks like a range if a reader cuts the
        // line at any power-of-two buffer size.
        format!("{}{owner}:700000:10", "y".repeat(1 << 17)),
        format!("{owner}:{}:10", "9".repeat(100 * 1024)),
        format!("{owner}:500000:1000"),
        format!("{owner}:800000:1000"),
    ] {
        s += &line;
        s += "\n";
    }
    s
}

#[test]
fn malformed_subuid_lines_are_skipped_unprivileged() {
    let user = User { subuid: Some(garbage("tester")), subgid: Some(garbage("tester")), ..User::default() };
    let r = user.run_timeout(&[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT], Duration::from_secs(30));
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["0 4000 1", "1 500000 1000"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 4000 1", "1 500000 1000"], "{r:?}");
    assert_root_inside(&ids);
}

#[test]
fn malformed_subuid_lines_are_skipped_as_root() {
    let user = User { subuid: Some(garbage("root")), subgid: Some(garbage("0")), ..User::root() };
    let r = user.run_timeout(&[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT], Duration::from_secs(30));
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["0 500000 1000"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 500000 1000"], "{r:?}");
    assert_root_inside(&ids);
}

#[test]
fn only_garbage_means_no_range() {
    let junk = format!("{}\n\u{0}\u{1}\u{7f}:::\n{}", "x".repeat(100 * 1024), "é".repeat(50 * 1024));
    let user = User { subuid: Some(junk.clone()), subgid: Some(junk.clone()), ..User::default() };
    let r = user.run_timeout(&[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT], Duration::from_secs(30));
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_eq!(ids.uid_map, ["0 4000 1"], "{r:?}");
    assert_one_warning(&r, &["subuid", "subgid"]);

    let r = as_root_with_etc(&junk, &junk, &[&bin_str(), "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(Ids::parse(&r).uid_map, ROOT_DEFAULT, "{r:?}");
}

// ---- nesting, exec in place, environment, errors ----

#[test]
fn nested_unprivileged() {
    let b = bin_str();
    let r = User::default().run(&[&b, "pseudo", &b, "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_root_inside(&ids);
    // Inside the first namespace the caller is root with no root range:
    // the default over that namespace's ids 0..=65536.
    assert_eq!(ids.uid_map, ["0 65536 1", "1 1 65535"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 65536 1", "1 1 65535"], "{r:?}");
}

#[test]
fn nested_as_root() {
    let b = bin_str();
    let r = as_root_with_etc("", "", &[&b, "pseudo", &b, "pseudo", "sh", "-c", IDS_SCRIPT]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    let ids = Ids::parse(&r);
    assert_root_inside(&ids);
    // The first namespace maps 0..=65535: TOP 65535, N = TOP - 1.
    assert_eq!(ids.uid_map, ["0 65535 1", "1 1 65534"], "{r:?}");
    assert_eq!(ids.gid_map, ["0 65535 1", "1 1 65534"], "{r:?}");
}

#[test]
fn nested_id_u_is_0() {
    let b = bin_str();
    for caller in Caller::BOTH {
        let r = caller.run(&[&b, "pseudo", &b, "pseudo", "id", "-u"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "0\n", "{caller:?}: {r:?}");
    }
}

#[test]
fn usage() {
    let r = run(&["pseudo", "--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert!(r.stdout.starts_with("Usage: pseudo [-u MAP] [-g MAP] [CMD [ARG]...]\n"), "{r:?}");
    assert_eq!(r.stderr, "");
    let r = run(&["pseudo", "-x"]);
    assert_eq!(r.code(), Some(64), "{r:?}");
    assert_eq!(r.stderr, run(&["pseudo", "--help"]).stdout, "{r:?}");
    // No CMD: /bin/sh (here reading commands from stdin, which is empty).
    let r = run(&["pseudo"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
}

#[test]
fn exit_status_and_signal_pass_through() {
    check_exit_status_and_signal("pseudo");
}

#[test]
fn runs_cmd_in_the_same_process() {
    check_same_process("pseudo");
}

#[test]
fn environment_unchanged() {
    check_environment_unchanged("pseudo");
}

#[test]
fn opens_no_descriptor_for_cmd() {
    check_no_descriptor_leak("pseudo");
}

#[test]
fn not_found_is_127_not_executable_is_126() {
    check_127_and_126("pseudo");
}

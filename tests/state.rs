//! SPEC §3 The state directory (issue 23): a running container has a
//! record only its owner can read, in `/run/ucontain` for root and (here,
//! where the test user has no XDG_RUNTIME_DIR and no /run/user/UID)
//! `/tmp/ucontain-UID` for others; `inject NAME` finds it; a second
//! container cannot take a running one's name; the record goes with the
//! container, and a stale one (its supervisor killed) goes with the next
//! command that finds it.
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;

fn state_dir(caller: Caller) -> PathBuf {
    match caller {
        Caller::Root => PathBuf::from("/run/ucontain"),
        Caller::Unprivileged => PathBuf::from(format!("/tmp/ucontain-{}", caller.id())),
    }
}

#[test]
fn a_named_container_has_a_private_record_inject_finds_it_and_it_goes_with_the_container() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let name = caller.unique_name("web");
        let user = caller.user();
        let mut c = Container::start_full(&[], &bin, &["-c", "-N", &name, &root_path, "sleep", "1000"], user.as_ref());
        let record = state_dir(caller).join(&name);
        let meta = fs::metadata(&record).unwrap_or_else(|e| panic!("{caller:?}: no record {record:?}: {e}"));
        assert_eq!((meta.uid(), meta.permissions().mode() & 0o777), (caller.id(), 0o600), "{caller:?}");
        let dir = fs::metadata(state_dir(caller)).unwrap();
        assert_eq!((dir.uid(), dir.permissions().mode() & 0o777), (caller.id(), 0o700), "{caller:?}");

        let r = caller.run(&[&bin, "inject", "-c", &name, "cat", "/proc/1/comm"]);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "sleep\n", ""), "{caller:?}: {r:?}");

        // The name is taken while it runs: refused before anything is built.
        let before = host_mountinfo();
        let r = caller.run(&[&bin, "contain", "-c", "-N", &name, &root_path, "true"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(1), "", format!("contain: a container named {name} is running\n").as_str()),
            "{caller:?}: {r:?}"
        );
        assert_mounts_unchanged(&before);
        assert!(record.exists(), "{caller:?}: the running container's record went");

        assert!(signal_pid(c.sup(), 15));
        let status = c.bg.wait_timeout(TIMEOUT).expect("contain did not end");
        assert!(status.code().is_some() || status.signal().is_some(), "{status:?}");
        assert!(!record.exists(), "{caller:?}: the record outlived its container");
        let r = caller.run(&[&bin, "inject", &name, "true"]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(1), format!("inject: no container named {name}\n").as_str()),
            "{caller:?}: {r:?}"
        );
    }
}

#[test]
fn the_default_id_is_the_supervisors_pid() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    for caller in Caller::BOTH {
        let c = Container::start(caller, &root_path, &["sleep", "1000"]);
        let record = state_dir(caller).join(c.sup().to_string());
        let text = fs::read(&record).unwrap_or_else(|e| panic!("{caller:?}: no record {record:?}: {e}"));
        assert!(text.starts_with(b"ucontain state 1\n"), "{caller:?}: {text:?}");
        drop(c);
    }
}

#[test]
fn a_stale_record_is_removed_by_the_next_command_that_finds_it() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let name = caller.unique_name("stale");
        let user = caller.user();
        let mut c = Container::start_full(&[], &bin, &["-c", "-N", &name, &root_path, "sleep", "1000"], user.as_ref());
        let record = state_dir(caller).join(&name);
        assert!(record.exists(), "{caller:?}");
        // kill -9 of the supervisor: the init follows it (PDEATHSIG), the
        // record stays behind.
        assert!(signal_pid(c.sup(), 9));
        c.bg.wait_timeout(TIMEOUT).expect("contain did not end");
        assert!(poll_until(TIMEOUT, || proc_gone(c.init).then_some(())).is_some(), "{caller:?}: the init lives on");
        assert!(record.exists(), "{caller:?}: nothing should have removed it yet");
        let r = caller.run(&[&bin, "inject", &name, "true"]);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (Some(1), format!("inject: no container named {name}\n").as_str()),
            "{caller:?}: {r:?}"
        );
        assert!(!record.exists(), "{caller:?}: the stale record is still there");
        // And its name can be used again.
        let r = caller.run(&[&bin, "contain", "-c", "-N", &name, &root_path, "true"]);
        assert_eq!((r.code(), r.stderr.as_str()), (Some(0), ""), "{caller:?}: {r:?}");
    }
}

#[test]
fn a_state_directory_another_user_owns_is_refused() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    // XDG_RUNTIME_DIR/ucontain made by root, before the user's first run.
    let runtime = TempDir::new();
    fs::set_permissions(runtime.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(runtime.path().join("ucontain")).unwrap();
    let xdg = format!("XDG_RUNTIME_DIR={}", runtime.join_str("").trim_end_matches('/'));
    let r = User::default().run(&["env", &xdg, &bin, "contain", "-c", "-N", "mine", &root_path, "true"]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (
            Some(1),
            "",
            format!("contain: {}/ucontain belongs to another user\n", runtime.join_str("").trim_end_matches('/'))
                .as_str()
        ),
        "{r:?}"
    );
    // Without --name, a container still runs, with one warning.
    let r = User::default().run(&["env", &xdg, &bin, "contain", "-c", &root_path, "true"]);
    assert_eq!(
        (r.code(), r.stderr.as_str()),
        (
            Some(0),
            format!(
                "contain: warning: no state directory ({}/ucontain belongs to another user): \
                 inject and list will not find this container by name\n",
                runtime.join_str("").trim_end_matches('/')
            )
            .as_str()
        ),
        "{r:?}"
    );
}

/// More stale records than one pass of the directory removes (64): all go,
/// and a running container's record among them is still found.
#[test]
fn a_hundred_stale_records_all_go_and_the_running_one_is_found() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    let name = Caller::Root.unique_name("among");
    let c = Container::start_full(&[], &bin, &["-c", "-N", &name, &root_path, "sleep", "1000"], None);
    let record = fs::read(state_dir(Caller::Root).join(&name)).unwrap();
    // Copies of the record with a supervisor that is gone: a start time no
    // process has.
    let text = String::from_utf8_lossy(&record).into_owned();
    let start = text.lines().skip_while(|l| !l.starts_with("supervisor_start ")).nth(1).unwrap().to_string();
    let stale_text =
        text.replacen(&format!("supervisor_start {}\n{start}\n", start.len()), "supervisor_start 1\n7\n", 1);
    assert_ne!(stale_text, text, "the record's layout changed");
    let stale: Vec<PathBuf> =
        (0..100).map(|i| state_dir(Caller::Root).join(format!("stale-{}-{i}", std::process::id()))).collect();
    for path in &stale {
        fs::write(path, &stale_text).unwrap();
    }
    let r = Caller::Root.run(&[&bin, "inject", "-c", &name, "cat", "/proc/1/comm"]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "sleep\n", ""), "{r:?}");
    let left: Vec<_> = stale.iter().filter(|p| p.exists()).collect();
    assert!(left.is_empty(), "{} stale records left, e.g. {:?}", left.len(), left.first());
    drop(c);
}

/// Without a record (its state directory could not be made), inject never
/// guesses a container's sandbox: while the init has not executed CMD (its
/// sandbox not applied yet) it says the container is still starting; once
/// the init runs under a filter that no record holds, it refuses.
#[test]
fn without_a_record_inject_refuses_a_starting_or_filtered_container() {
    let root = rootfs();
    let root_path = root.join_str("").trim_end_matches('/').to_string();
    let bin = bin_str();
    let runtime = TempDir::new();
    fs::set_permissions(runtime.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir(runtime.path().join("ucontain")).unwrap();
    let runtime_path = runtime.join_str("").trim_end_matches('/').to_string();
    let xdg = format!("XDG_RUNTIME_DIR={runtime_path}");
    let marks = TempDir::new();
    fs::set_permissions(marks.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let pid_file = marks.join_str("pid");
    let hook = format!("echo $CONTAIN_PID > {pid_file}.new && mv {pid_file}.new {pid_file}; sleep 3");
    let user = User::default();
    let mut bg =
        Background::spawn(&["env", &xdg, &bin, "contain", "-c", "-o", &hook, &root_path, "sleep", "1000"], Some(&user));
    let init = poll_until(TIMEOUT, || fs::read_to_string(&pid_file).ok()).expect("no CONTAIN_PID").trim().to_string();
    let init_pid: u32 = init.parse().unwrap();
    bg.track(init_pid);
    let r = user.run(&["env", &xdg, &bin, "inject", &init, "true"]);
    assert_eq!(
        (r.code(), r.stderr.clone()),
        (Some(1), format!("inject: container of process {init} is still starting: try again\n")),
        "{r:?}"
    );
    // Once CMD runs (the init's program is no longer contain's).
    let contain_exe = proc_link(bg.pid(), "exe");
    poll_until(TIMEOUT, || (proc_link(init_pid, "exe") != contain_exe).then_some(())).expect("CMD never ran");
    let r = user.run(&["env", &xdg, &bin, "inject", &init, "true"]);
    assert_eq!(
        (r.code(), r.stderr.clone()),
        (
            Some(1),
            format!(
                "inject: no record of the system call filter of process {init}: cannot give CMD the container's sandbox\n"
            )
        ),
        "{r:?}"
    );
    assert!(signal_pid(bg.pid(), 15));
    bg.wait_timeout(TIMEOUT).expect("contain did not end");
}

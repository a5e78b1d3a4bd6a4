//! SPEC §3 Keys (issue 21): contain's init and inject's command start with
//! a new, empty session keyring, so a key of the caller's session keyring
//! cannot be found, read or linked from inside, and a key added inside
//! never reaches the caller's session keyring. Every run happens under
//! `tests/keys.c`, which first joins a session keyring of its own: the
//! machine's is never touched. The containers run with `--seccomp none`:
//! the built-in filter refuses the key calls outright (tests/seccomp.rs),
//! and this wall must hold without it too.
mod common;

use common::*;

/// What `keys inner` prints in a container, then what `keys outer` finds after.
const WALLED: &str = "session: new\nsearch: ENOKEY\nread: EACCES\nlink: EACCES\nadd: ok\nafter: ENOKEY\n";

/// A rootfs with the probe at /keys.
fn root_with_probe() -> (TempDir, String) {
    let root = rootfs();
    let keys = cc_static(&root, "keys").to_str().unwrap().to_string();
    (root, keys)
}

/// Control: without a container between them, `keys inner` shares the
/// outer session and reaches its key, so the walls below are contain's.
#[test]
fn control_the_probe_reaches_its_own_sessions_key() {
    let (_root, keys) = root_with_probe();
    for caller in Caller::BOTH {
        let r = caller.run(&[&keys, "outer", &keys, "inner", "@SESSION", "@KEY"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (Some(0), "session: same\nsearch: ok\nread: ok\nlink: ok\nadd: ok\nafter: ok\n", ""),
            "{caller:?}: {r:?}"
        );
    }
}

#[test]
fn contains_init_has_a_new_empty_session_keyring() {
    let (root, keys) = root_with_probe();
    let bin = bin_str();
    for caller in Caller::BOTH {
        let r = caller.run(&[
            &keys,
            "outer",
            &bin,
            "contain",
            "--seccomp",
            "none",
            root.str(),
            "/keys",
            "inner",
            "@SESSION",
            "@KEY",
        ]);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), WALLED, ""), "{caller:?}: {r:?}");
    }
}

#[test]
fn injects_command_has_a_new_empty_session_keyring() {
    for pair in OWN.into_iter().chain([ROOT_INTO_USERS]) {
        let (root, keys) = root_with_probe();
        let bin = bin_str();
        let owner = match pair.owner {
            Caller::Root => None,
            Caller::Unprivileged => Some(User::default()),
        };
        let c = Container::start_full(&[], &bin, &["--seccomp", "none", root.str(), "sleep", "100"], owner.as_ref());
        let init = c.init.to_string();
        let argv = [keys.as_str(), "outer", &bin, "inject", &init, "/keys", "inner", "@SESSION", "@KEY"];
        let r = pair.injector.run(&argv);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), WALLED, ""), "{pair:?}: {r:?}");
    }
}

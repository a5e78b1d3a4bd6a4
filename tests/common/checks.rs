//! Checks shared by the applets that exec CMD in place (pseudo, isolate).

use super::{bin_str, probe, sh_quote, Caller, Run, TempDir};

/// `BIN APPLET CMD...` as `caller`.
pub fn applet_run(caller: Caller, applet: &str, cmd: &[&str]) -> Run {
    let b = bin_str();
    let mut argv = vec![b.as_str(), applet];
    argv.extend_from_slice(cmd);
    caller.run(&argv)
}

/// CMD's exit status is the applet's, and so is the signal that kills it.
pub fn check_exit_status_and_signal(applet: &str) {
    for caller in Caller::BOTH {
        let r = applet_run(caller, applet, &["sh", "-c", "exit 42"]);
        assert_eq!(r.code(), Some(42), "{caller:?}: {r:?}");
        let r = applet_run(caller, applet, &["sh", "-c", "kill -TERM $$"]);
        assert_eq!(r.signal(), Some(15), "{caller:?}: {r:?}");
    }
}

/// CMD runs in the very process that ran the applet (same pid).
pub fn check_same_process(applet: &str) {
    let script = format!("echo $$; exec {} {applet} sh -c 'echo $$'", sh_quote(&bin_str()));
    for caller in Caller::BOTH {
        let r = caller.run(&["sh", "-c", &script]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        let pids = r.lines();
        assert_eq!(pids.len(), 2, "{caller:?}: {r:?}");
        assert_eq!(pids[0], pids[1], "{caller:?}: CMD is not the process that ran {applet}");
    }
}

/// CMD gets the applet's environment unchanged.
pub fn check_environment_unchanged(applet: &str) {
    let b = bin_str();
    for caller in Caller::BOTH {
        let r = caller.run(&["env", "-i", "UCONTAIN_TEST=a b=c", &b, applet, "/bin/busybox", "env"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, "UCONTAIN_TEST=a b=c\n", "{caller:?}: {r:?}");
    }
}

/// CMD gets exactly the descriptors the caller passed on.
pub fn check_no_descriptor_leak(applet: &str) {
    let dir = TempDir::new();
    let probe = probe(&dir);
    let probe = probe.to_str().unwrap();
    for caller in Caller::BOTH {
        let direct = caller.run(&[probe, "fds"]);
        assert!(direct.stdout.starts_with("0\n1\n2\n"), "{direct:?}");
        let r = applet_run(caller, applet, &[probe, "fds"]);
        assert_eq!(r.code(), Some(0), "{caller:?}: {r:?}");
        assert_eq!(r.stdout, direct.stdout, "{caller:?}: {applet} leaked a descriptor");
    }
}

/// A CMD that is not found exits 127; one that is not executable, 126.
pub fn check_127_and_126(applet: &str) {
    for caller in Caller::BOTH {
        let r = caller.run(&["env", "PATH=/usr/bin:/bin", &bin_str(), applet, "ucontain-no-such-program"]);
        assert_eq!(r.code(), Some(127), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("{applet}: ucontain-no-such-program: No such file or directory\n"), "{caller:?}");
    }
    let dir = TempDir::new();
    let file = dir.write("noexec", "#!/bin/sh\n", 0o644);
    let file = file.to_str().unwrap();
    for caller in Caller::BOTH {
        let r = applet_run(caller, applet, &[file]);
        assert_eq!(r.code(), Some(126), "{caller:?}: {r:?}");
        assert_eq!(r.stderr, format!("{applet}: {file}: Permission denied\n"), "{caller:?}");
    }
}

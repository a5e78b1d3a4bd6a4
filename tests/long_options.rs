//! Issue 22 "Options" (SPEC v3 §3, §5.5): every option with a letter has a
//! long name, given as `--name VALUE` or `--name=VALUE`, and behaves as its
//! letter does; letters bundle (`-cn`) and take attached values (`-bSRC`);
//! a bad long option is a usage error that names it; contain's `-N`/`--name`
//! is validated. As root and as the unprivileged test user.
mod common;

use common::*;
use std::fs;

/// `APPLET ARGS...` as `caller`.
fn applet(caller: Caller, name: &str, args: &[&str]) -> Run {
    let bin = bin_str();
    let mut argv = vec![bin.as_str(), name];
    argv.extend_from_slice(args);
    caller.run(&argv)
}

/// The usage text of `name` (its --help).
fn usage_of(name: &str) -> String {
    let r = run(&[name, "--help"]);
    assert_eq!(r.code(), Some(0), "{r:?}");
    r.stdout
}

/// `args` with "DIR" replaced by `dir` and "SRC" by `src`.
fn fill<'a>(args: &[&'a str], dir: &'a str, src: &'a str) -> Vec<String> {
    args.iter().map(|a| a.replace("DIR", dir).replace("SRC", src)).collect()
}

/// Each row: a contain command line with short options, the same with long
/// ones, and what the short one gives: (status, stdout, stderr). "DIR" is
/// the root, "SRC" a host directory holding `hello`.
type Row = (&'static [&'static str], &'static [&'static str], (i32, &'static str, &'static str));

const CONTAIN_ROWS: &[Row] = &[
    (&["-c", "DIR", "echo", "ok"], &["--no-console", "DIR", "echo", "ok"], (0, "ok\n", "")),
    (&["-c", "-n", "DIR", "true"], &["--no-console", "--share-net", "DIR", "true"], (0, "", "")),
    (&["-cn", "DIR", "true"], &["--share-net", "--no-console", "DIR", "true"], (0, "", "")),
    (
        &["-b", "SRC:/mnt", "DIR", "cat", "/mnt/hello"],
        &["--bind", "SRC:/mnt", "DIR", "cat", "/mnt/hello"],
        (0, "from the host\n", ""),
    ),
    (
        &["-bSRC:/mnt", "DIR", "cat", "/mnt/hello"],
        &["--bind=SRC:/mnt", "DIR", "cat", "/mnt/hello"],
        (0, "from the host\n", ""),
    ),
    (
        &["-r", "SRC:/mnt", "DIR", "sh", "-c", "cat /mnt/hello; touch /mnt/x 2>/dev/null || echo refused"],
        &["--ro-bind=SRC:/mnt", "DIR", "sh", "-c", "cat /mnt/hello; touch /mnt/x 2>/dev/null || echo refused"],
        (0, "from the host\nrefused\n", ""),
    ),
    (
        &["-t", "/scratch", "DIR", "sh", "-c", "awk '$2 == \"/scratch\" {print $3}' /proc/mounts"],
        &["--tmpfs", "/scratch", "DIR", "sh", "-c", "awk '$2 == \"/scratch\" {print $3}' /proc/mounts"],
        (0, "tmpfs\n", ""),
    ),
    (
        &["-v", "DIR", "sh", "-c", "touch /volatile-mark && echo written"],
        &["--volatile", "DIR", "sh", "-c", "touch /volatile-mark && echo written"],
        (0, "written\n", ""),
    ),
    (
        &["-o", "exit 3", "DIR", "true"],
        &["--helper", "exit 3", "DIR", "true"],
        (1, "", "contain: helper failed: exit status 3\n"),
    ),
    (
        &["-o", "exit 3", "DIR", "true"],
        &["--helper=exit 3", "DIR", "true"],
        (1, "", "contain: helper failed: exit status 3\n"),
    ),
    (&["-k", "HUP", "DIR", "echo", "ok"], &["--stop-signal", "HUP", "DIR", "echo", "ok"], (0, "ok\n", "")),
    (&["-kRTMIN+3", "DIR", "echo", "ok"], &["--stop-signal=RTMIN+3", "DIR", "echo", "ok"], (0, "ok\n", "")),
    (&["-N", "web-1.a_b", "DIR", "echo", "ok"], &["--name", "web-1.a_b", "DIR", "echo", "ok"], (0, "ok\n", "")),
    (&["-Nx", "DIR", "echo", "ok"], &["--name=x", "DIR", "echo", "ok"], (0, "ok\n", "")),
    // Options after DIR are CMD's, long ones too.
    (&["DIR", "echo", "-n", "--name=x"], &["--", "DIR", "echo", "-n", "--name=x"], (0, "--name=x", "")),
    (&["-n", "DIR", "echo", "--share-net"], &["--share-net", "DIR", "echo", "--share-net"], (0, "--share-net\n", "")),
    // Errors of values read the same from either form.
    (
        &["-k", "BOGUS", "DIR", "true"],
        &["--stop-signal=BOGUS", "DIR", "true"],
        (64, "", "contain: bad signal 'BOGUS'\n"),
    ),
    (&["-t", "", "DIR", "true"], &["--tmpfs=", "DIR", "true"], (64, "", "contain: bad mount ''\n")),
];

#[test]
fn each_long_form_of_contain_behaves_as_its_letter() {
    let usage = usage_of("contain");
    for caller in Caller::BOTH {
        let root = rootfs();
        // Mount points of the root's own: an unprivileged container's root
        // cannot create them in a root that host root owns.
        root.mkdir("mnt", 0o755);
        root.mkdir("scratch", 0o755);
        let src = TempDir::new();
        src.write("hello", "from the host\n", 0o644);
        set_mode(src.path(), 0o755);
        for (short, long, (code, stdout, stderr)) in CONTAIN_ROWS {
            let want_stderr = if *code == 64 { format!("{stderr}{usage}") } else { stderr.to_string() };
            for args in [short, long] {
                let args = fill(args, root.str(), src.str());
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let r = applet(caller, "contain", &args);
                assert_eq!(
                    (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                    (Some(*code), *stdout, want_stderr.as_str()),
                    "{caller:?}: contain {args:?}"
                );
            }
            assert!(!root.join("volatile-mark").exists(), "{caller:?}: --volatile wrote to DIR");
        }
    }
}

#[test]
fn share_net_shares_the_network_namespace_as_n_does() {
    let host = host_ns("net");
    for caller in Caller::BOTH {
        let root = rootfs();
        for args in [&["-n"][..], &["--share-net"], &["-cn"], &["--no-console", "--share-net"]] {
            let mut argv = args.to_vec();
            argv.extend([root.str(), "readlink", "/proc/self/ns/net"]);
            let r = applet(caller, "contain", &argv);
            assert_eq!(
                (r.code(), r.stdout.trim(), r.stderr.as_str()),
                (Some(0), host.as_str(), ""),
                "{caller:?}: {argv:?}"
            );
        }
        // Without it: a network namespace of the container's own.
        let r = applet(caller, "contain", &[root.str(), "readlink", "/proc/self/ns/net"]);
        assert_eq!(r.code(), Some(0), "{r:?}");
        assert_ne!(r.stdout.trim(), host, "{caller:?}: {r:?}");
    }
}

#[test]
fn map_options_in_long_form_give_the_same_maps() {
    let root = rootfs();
    let script = "cat /proc/self/uid_map /proc/self/gid_map";
    let want = "         0     100000       1000\n         0     300000          5\n";
    for args in [
        &["-u", "0:100000:1000", "-g", "0:300000:5"][..],
        &["--map-users", "0:100000:1000", "--map-groups", "0:300000:5"],
        &["--map-users=0:100000:1000", "--map-groups=0:300000:5"],
        &["-u0:100000:1000", "-g0:300000:5"],
    ] {
        let mut argv = args.to_vec();
        argv.extend([root.str(), "sh", "-c", script]);
        let r = applet(Caller::Root, "contain", &argv);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), want, ""), "contain {argv:?}");
        let mut argv = args.to_vec();
        argv.extend(["sh", "-c", script]);
        let r = applet(Caller::Root, "pseudo", &argv);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), want, ""), "pseudo {argv:?}");
    }
}

#[test]
fn a_bad_map_reads_the_same_in_either_form() {
    for caller in Caller::BOTH {
        for name in ["contain", "pseudo"] {
            let usage = usage_of(name);
            let short = applet(caller, name, &["-u", "0:x:1", "/", "true"]);
            assert_eq!(short.code(), Some(64), "{short:?}");
            assert!(short.stderr.ends_with(&usage) && short.stderr.starts_with(&format!("{name}: ")), "{short:?}");
            for long in [&["--map-users", "0:x:1"][..], &["--map-users=0:x:1"]] {
                let mut argv = long.to_vec();
                argv.extend(["/", "true"]);
                let r = applet(caller, name, &argv);
                assert_eq!(
                    (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                    (Some(64), "", short.stderr.as_str()),
                    "{caller:?}: {name} {argv:?}"
                );
            }
        }
    }
}

#[test]
fn inject_long_forms_behave_as_their_letters() {
    for pair in OWN {
        let root = rootfs();
        let c = Container::start(pair.owner, root.str(), &["sleep", "1000"]);
        let pid = c.init.to_string();
        for (short, long) in [
            (&["-c"][..], &["--no-console"][..]),
            (&["-e", "A=1", "-e", "B=2"], &["--env", "A=1", "--env=B=2"]),
            (&["-c", "-eA=1", "-eB=2"], &["--no-console", "--env=A=1", "--env", "B=2"]),
            (&["-ceA=1", "-eB=2"], &["--env=A=1", "--no-console", "--env=B=2"]),
        ] {
            let want_out = if short.iter().any(|a| a.contains("A=1")) { "1 2\n" } else { "\n" };
            for opts in [short, long] {
                let mut argv = opts.to_vec();
                argv.extend([pid.as_str(), "sh", "-c", "echo $A $B; id -u"]);
                let r = applet(pair.injector, "inject", &argv);
                assert_eq!(
                    (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                    (Some(0), format!("{want_out}0\n").as_str(), ""),
                    "{pair:?}: inject {argv:?}"
                );
            }
        }
        let usage = usage_of("inject");
        for (args, first) in [
            (&["--env", "=x", pid.as_str(), "true"][..], "inject: bad variable '=x': not NAME=VALUE"),
            (&["--env=nothing", pid.as_str(), "true"], "inject: bad variable 'nothing': not NAME=VALUE"),
            (&["--nope", pid.as_str(), "true"], "inject: unknown option --nope"),
            (&["--no-console=yes", pid.as_str(), "true"], "inject: option --no-console takes no value"),
            (&["--env"], "inject: option --env needs a value"),
        ] {
            let r = applet(pair.injector, "inject", args);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(64), "", format!("{first}\n{usage}").as_str()),
                "{pair:?}: inject {args:?}"
            );
        }
    }
}

#[test]
fn a_bad_long_option_is_a_usage_error_that_names_it() {
    let root = rootfs();
    let ran = root.join("ran");
    for caller in Caller::BOTH {
        for (name, args, first) in [
            ("contain", &["--nope", "DIR", "/bin/touch", "/ran"][..], "contain: unknown option --nope"),
            ("contain", &["--nope=1", "DIR", "/bin/touch", "/ran"], "contain: unknown option --nope"),
            ("contain", &["-c", "--share", "DIR", "/bin/touch", "/ran"], "contain: unknown option --share"),
            ("contain", &["--NAME=x", "DIR", "/bin/touch", "/ran"], "contain: unknown option --NAME"),
            (
                "contain",
                &["--no-console=1", "DIR", "/bin/touch", "/ran"],
                "contain: option --no-console takes no value",
            ),
            ("contain", &["--volatile=", "DIR", "/bin/touch", "/ran"], "contain: option --volatile takes no value"),
            ("contain", &["--map-users"], "contain: option --map-users needs a value"),
            ("contain", &["-c", "--name"], "contain: option --name needs a value"),
            (
                "contain",
                &["--name", "a/b", "DIR", "/bin/touch", "/ran"],
                "contain: bad name 'a/b': only letters, digits, '.', '_' and '-'",
            ),
            ("contain", &["--name=", "DIR", "/bin/touch", "/ran"], "contain: bad name '': empty"),
            ("contain", &["-N", "..", "DIR", "/bin/touch", "/ran"], "contain: bad name '..': not . or .."),
            ("pseudo", &["--nope", "/bin/true"], "pseudo: unknown option --nope"),
            ("pseudo", &["--map-groups"], "pseudo: option --map-groups needs a value"),
            ("isolate", &["--nope", "/bin/true"], "isolate: unknown option --nope"),
            ("seal", &["--nope", "/bin/true"], "seal: unknown option --nope"),
            ("pivot", &["--nope", "/"], "pivot: unknown option --nope"),
        ] {
            let args = fill(args, root.str(), "");
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = applet(caller, name, &args);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr),
                (Some(64), "", format!("{first}\n{}", usage_of(name))),
                "{caller:?}: {name} {args:?}"
            );
            assert!(!ran.exists(), "{caller:?}: {name} {args:?}: CMD ran");
        }
    }
}

#[test]
fn a_name_of_64_bytes_is_accepted_and_65_refused() {
    let root = rootfs();
    let usage = usage_of("contain");
    for caller in Caller::BOTH {
        let name = "n".repeat(64);
        let r = applet(caller, "contain", &["--name", &name, root.str(), "echo", "ok"]);
        assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "ok\n", ""), "{caller:?}: {r:?}");
        let name = "n".repeat(65);
        let r = applet(caller, "contain", &[&format!("--name={name}"), root.str(), "echo", "ok"]);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr),
            (Some(64), "", format!("contain: bad name '{name}': longer than 64 bytes\n{usage}")),
            "{caller:?}"
        );
    }
    assert!(fs::read_dir(root.path()).is_ok());
}

#[test]
fn help_shows_the_long_form_beside_each_letter() {
    for (name, rows) in [
        (
            "contain",
            &[
                ("-c", "--no-console"),
                ("-n", "--share-net"),
                ("-u", "--map-users"),
                ("-g", "--map-groups"),
                ("-b", "--bind"),
                ("-r", "--ro-bind"),
                ("-t", "--tmpfs"),
                ("-v", "--volatile"),
                ("-o", "--helper"),
                ("-k", "--stop-signal"),
                ("-N", "--name"),
            ][..],
        ),
        ("inject", &[("-c", "--no-console"), ("-e", "--env")]),
        ("pseudo", &[("-u", "--map-users"), ("-g", "--map-groups")]),
    ] {
        let usage = usage_of(name);
        for (letter, long) in rows {
            let lines: Vec<&str> = usage.lines().filter(|l| l.split_whitespace().next() == Some(letter)).collect();
            assert_eq!(lines.len(), 1, "{name}: {letter}:\n{usage}");
            assert_eq!(lines[0].split_whitespace().nth(1), Some(*long), "{name}: {letter}:\n{usage}");
        }
    }
}

/// SPEC §3: an option after DIR (or PID) is CMD, not an error; when no
/// such CMD exists and it looks like an option of the applet, the message
/// says where options go. One that is not an option of the applet is the
/// plain 127 message.
#[test]
fn an_option_after_dir_or_pid_is_cmd_and_the_127_message_says_where_options_go() {
    let root = rootfs();
    let dir = root.join_str("").trim_end_matches('/').to_string();
    for caller in Caller::BOTH {
        for (cmd, hint) in [
            ("-c", " (options come before DIR)"),
            ("--name=x", " (options come before DIR)"),
            ("--share-net", " (options come before DIR)"),
            ("-bfoo", " (options come before DIR)"),
            ("-x", ""),
            ("--nothing", ""),
        ] {
            let r = applet(caller, "contain", &["-c", &dir, cmd, "true"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(127), "", format!("contain: {cmd}: No such file or directory{hint}\n").as_str()),
                "{caller:?} {cmd}: {r:?}"
            );
        }
        let c = Container::start(caller, &dir, &["sleep", "1000"]);
        let pid = c.init.to_string();
        for (cmd, hint) in
            [("-c", " (options come before PID)"), ("--env=A=1", " (options come before PID)"), ("-q", "")]
        {
            let r = applet(caller, "inject", &[&pid, cmd, "true"]);
            assert_eq!(
                (r.code(), r.stdout.as_str(), r.stderr.as_str()),
                (Some(127), "", format!("inject: {cmd}: No such file or directory{hint}\n").as_str()),
                "{caller:?} {cmd}: {r:?}"
            );
        }
    }
}

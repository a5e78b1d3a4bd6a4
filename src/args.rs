//! Options and positional arguments, getopt_long-style but smaller: an
//! applet describes its options in a table of [`Opt`] rows and names each
//! by a constant derived from the table ([`index`]), as busybox's `OPT_x`.
//!
//! An applet with commands (`oci [GLOBAL OPTIONS] COMMAND [OPTIONS] ARGS`)
//! parses its global options with `parse`, whose first positional is the
//! command: a row of its table of [`Command`]s (named by constants from
//! [`command_index`]) with options of its own, parsed the same way from
//! the command on (`Parsed::all`, whose argv[0] is the command's name).
//!
//! Options come before the positional arguments: single letters (`-c`,
//! bundled `-cn`, a value attached `-bSRC` or next `-b SRC`) and long names
//! (`--share-net`, `--name NAME`, `--name=NAME`; no abbreviations). `--`
//! ends them, and so does the first argument that is not an option: `-`
//! alone, or a dash and a digit (a negative number, for inject's "not a
//! PID").

use crate::out::{say, usage};
use crate::sys::{write_all, CStrList, STDOUT};
use core::ffi::CStr;

/// One row of an applet's option table.
pub struct Opt {
    /// Its letter, or 0 when it has only a long name.
    pub letter: u8,
    /// Its long name, without the `--`.
    pub name: &'static [u8],
    /// Whether it takes a value.
    pub takes_value: bool,
}

impl Opt {
    /// An option without a value: a flag, given or not.
    pub const fn flag(letter: u8, name: &'static [u8]) -> Opt {
        Opt { letter, name, takes_value: false }
    }

    /// An option with a value, handed to the applet's handler.
    pub const fn value(letter: u8, name: &'static [u8]) -> Opt {
        Opt { letter, name, takes_value: true }
    }
}

/// Whether `arg` is one of `options` as a command line gives it: `-X`
/// (with its value or more letters after) or `--NAME` (`=VALUE`).
pub fn looks_like_option(options: &[Opt], arg: &[u8]) -> bool {
    match arg {
        [b'-', b'-', long @ ..] => {
            let name = long.split(|&b| b == b'=').next().unwrap_or_default();
            options.iter().any(|o| o.name == name)
        }
        [b'-', letter, ..] => options.iter().any(|o| o.letter == *letter && o.letter != 0),
        _ => false,
    }
}

/// The position of the option `name` in `table`: the applet's constant
/// for it. Evaluated at compile time, where a name not in the table stops
/// the build.
pub const fn index(table: &[Opt], name: &[u8]) -> usize {
    let mut i = 0;
    while i < table.len() {
        if const_same(table[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no such option in the table")
}

/// Whether `a` and `b` are the same bytes, at compile time.
const fn const_same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut j = 0;
    while j < a.len() {
        if a[j] != b[j] {
            return false;
        }
        j += 1;
    }
    true
}

/// One command of an applet with commands: its name, usage text, options,
/// and how many positional arguments it takes.
pub struct Command {
    pub name: &'static [u8],
    pub usage: &'static [u8],
    pub options: &'static [Opt],
    pub min: usize,
    pub max: usize,
}

/// The position of the command `name` in `table`, at compile time (as
/// `index`).
pub const fn command_index(table: &[Command], name: &[u8]) -> usize {
    let mut i = 0;
    while i < table.len() {
        if const_same(table[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no such command in the table")
}

/// The command `name` of `table`, if there is one.
pub fn find_command(table: &[Command], name: &[u8]) -> Option<usize> {
    table.iter().position(|c| c.name == name)
}

/// The options and positional arguments of the command `command` of
/// `table`, from `args` (argv[0] is the command's name), as `parse`
/// reads them; its usage is `NAME COMMAND`'s own.
pub fn parse_command<'a>(
    table: &[Command],
    command: usize,
    args: CStrList<'a>,
    on_value: OnValue<'a, '_>,
) -> Result<(Given, CStrList<'a>), i32> {
    let c = &table[command];
    options(args, c.usage, c.options, (c.min, c.max), on_value)
}

/// The flags given: bit i for the option `table[i]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Given(u32);

impl Given {
    pub const NONE: Given = Given(0);

    /// Whether the flag at `option` (an [`index`]) was given.
    pub fn has(self, option: usize) -> bool {
        self.0 & 1 << option != 0
    }
}

/// A command line that passed the usage check.
pub struct Parsed<'a, const N: usize> {
    /// The flags given.
    pub given: Given,
    /// The first N positional arguments, which the usage requires.
    pub fixed: [&'a CStr; N],
    /// The positional arguments after those N.
    pub rest: CStrList<'a>,
    /// Every positional argument.
    pub all: CStrList<'a>,
}

/// A value option's handler: takes the option's index in the table and its
/// value; Err after saying what is wrong with the value.
pub type OnValue<'a, 'b> = &'b mut dyn FnMut(usize, &'a CStr) -> Result<(), ()>;

/// Options of `table` until the first positional argument or `--`, then
/// at least N and at most `max` positional arguments. A value goes to
/// `on_value`. `--help` prints the usage to stdout: Err(0). An unknown
/// option, a missing or bad value, a value given to a flag, or a wrong
/// number of positional arguments print the usage to stderr (a long
/// option's error is named first): Err(64).
pub fn parse<'a, const N: usize>(
    args: CStrList<'a>,
    usage_text: &[u8],
    table: &[Opt],
    max: usize,
    on_value: OnValue<'a, '_>,
) -> Result<Parsed<'a, N>, i32> {
    let (given, rest) = options(args, usage_text, table, (N, max), on_value)?;
    // Counted: every one of the N is there.
    let fixed = core::array::from_fn(|i| rest.get(i).unwrap_or(c""));
    Ok(Parsed { given, fixed, rest: rest.skip(N), all: rest })
}

/// parse() without the fixed array, so that its code is not repeated for
/// every N: the flags given and the positional arguments.
fn options<'a>(
    args: CStrList<'a>,
    usage_text: &[u8],
    table: &[Opt],
    (min, max): (usize, usize),
    on_value: OnValue<'a, '_>,
) -> Result<(Given, CStrList<'a>), i32> {
    debug_assert!(table.len() <= 32);
    let mut given = 0u32;
    let mut rest = args.skip(1);
    while let Some(arg) = rest.get(0) {
        let bytes = arg.to_bytes();
        match bytes {
            b"--help" => {
                let _ = write_all(&STDOUT, usage_text);
                return Err(0);
            }
            b"--" => {
                rest = rest.skip(1);
                break;
            }
            [b'-', b'-', long @ ..] => {
                rest = rest.skip(1);
                let (name, attached) = match long.iter().position(|&b| b == b'=') {
                    Some(i) => (&long[..i], Some(tail(arg, 3 + i))),
                    None => (long, None),
                };
                let Some(i) = table.iter().position(|o| o.name == name) else {
                    say(b"unknown option --{}", &[name]);
                    return Err(usage(usage_text));
                };
                if !table[i].takes_value {
                    if attached.is_some() {
                        say(b"option --{} takes no value", &[name]);
                        return Err(usage(usage_text));
                    }
                    given |= 1 << i;
                    continue;
                }
                let Some(value) = attached.or_else(|| rest.get(0)) else {
                    say(b"option --{} needs a value", &[name]);
                    return Err(usage(usage_text));
                };
                if attached.is_none() {
                    rest = rest.skip(1);
                }
                if on_value(i, value).is_err() {
                    return Err(usage(usage_text));
                }
            }
            [b'-', d, ..] if d.is_ascii_digit() => break,
            [b'-', letters @ ..] if !letters.is_empty() => {
                rest = rest.skip(1);
                for (at, letter) in letters.iter().enumerate() {
                    let Some(i) = table.iter().position(|o| o.letter == *letter && *letter != 0) else {
                        return Err(usage(usage_text));
                    };
                    if !table[i].takes_value {
                        given |= 1 << i;
                        continue;
                    }
                    // The rest of the argument is the value, or else the
                    // next argument is, whatever it looks like.
                    let value = if at + 1 < letters.len() {
                        tail(arg, 2 + at)
                    } else if let Some(next) = rest.get(0) {
                        rest = rest.skip(1);
                        next
                    } else {
                        return Err(usage(usage_text));
                    };
                    if on_value(i, value).is_err() {
                        return Err(usage(usage_text));
                    }
                    break;
                }
            }
            _ => break,
        }
    }
    if rest.len() < min || rest.len() > max {
        return Err(usage(usage_text));
    }
    Ok((Given(given), rest))
}

/// `arg` from its byte `at` on: the value attached to an option.
fn tail(arg: &CStr, at: usize) -> &CStr {
    let bytes = arg.to_bytes_with_nul();
    CStr::from_bytes_with_nul(&bytes[at.min(bytes.len() - 1)..]).unwrap_or(c"")
}

/// The positional arguments of an applet with no options but `--help`.
pub fn positional<'a, const N: usize>(args: CStrList<'a>, usage_text: &[u8], max: usize) -> Result<Parsed<'a, N>, i32> {
    parse(args, usage_text, &[], max, &mut |_, _| Err(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::out::EXIT_USAGE;
    use crate::sys::CStrArray;

    const OPTIONS: [Opt; 5] = [
        Opt::flag(b'n', b"share-net"),
        Opt::flag(b'c', b"no-console"),
        Opt::value(b'k', b"stop-signal"),
        Opt::value(b'N', b"name"),
        Opt::value(0, b"hostname"),
    ];
    const SHARE_NET: usize = index(&OPTIONS, b"share-net");
    const NO_CONSOLE: usize = index(&OPTIONS, b"no-console");
    const STOP_SIGNAL: usize = index(&OPTIONS, b"stop-signal");
    const NAME: usize = index(&OPTIONS, b"name");
    const HOSTNAME: usize = index(&OPTIONS, b"hostname");

    /// (flags given as letters "n" and "c", positionals, values as
    /// "long-name=value")
    type Outcome = (String, Vec<String>, Vec<String>);

    /// parse() over `args` with OPTIONS and 1 to 2 positionals; values are
    /// collected, "bad" is refused.
    fn parse_of(args: &[&CStr]) -> Result<Outcome, i32> {
        let mut argv = CStrArray::<8>::new();
        for arg in args {
            assert!(argv.push(arg));
        }
        let mut values = Vec::new();
        let parsed = parse::<1>(argv.list(), b"", &OPTIONS, 2, &mut |i, value| {
            let name = core::str::from_utf8(OPTIONS[i].name).unwrap();
            values.push(format!("{name}={}", value.to_str().unwrap()));
            if value.to_bytes() == b"bad" {
                Err(())
            } else {
                Ok(())
            }
        });
        parsed.map(|p| {
            let mut flags = String::new();
            for (i, letter) in [(SHARE_NET, 'n'), (NO_CONSOLE, 'c')] {
                if p.given.has(i) {
                    flags.push(letter);
                }
            }
            let all: Vec<String> = p.all.iter().map(|a| a.to_str().unwrap().to_string()).collect();
            assert_eq!(p.fixed[0].to_str().unwrap(), all[0]);
            assert_eq!(p.rest.len(), all.len() - 1);
            (flags, all, values)
        })
    }

    fn ok(flags: &str, positionals: &[&str], values: &[&str]) -> Result<Outcome, i32> {
        let strings = |s: &[&str]| s.iter().map(|s| s.to_string()).collect();
        Ok((flags.to_string(), strings(positionals), strings(values)))
    }

    #[test]
    fn constants_name_their_rows() {
        assert_eq!((SHARE_NET, NO_CONSOLE, STOP_SIGNAL, NAME, HOSTNAME), (0, 1, 2, 3, 4));
    }

    #[test]
    fn short_options() {
        assert_eq!(parse_of(&[c"x", c"a"]), ok("", &["a"], &[]));
        assert_eq!(parse_of(&[c"x", c"-n", c"a", c"b"]), ok("n", &["a", "b"], &[]));
        assert_eq!(parse_of(&[c"x", c"-c", c"-n", c"a"]), ok("nc", &["a"], &[]));
        assert_eq!(parse_of(&[c"x", c"-k", c"TERM", c"-n", c"a"]), ok("n", &["a"], &["stop-signal=TERM"]));
        // The next argument is the value, whatever it looks like.
        assert_eq!(parse_of(&[c"x", c"-k", c"-n", c"a"]), ok("", &["a"], &["stop-signal=-n"]));
        assert_eq!(parse_of(&[c"x", c"-k", c"--", c"a"]), ok("", &["a"], &["stop-signal=--"]));
    }

    #[test]
    fn bundled_letters_and_attached_values() {
        assert_eq!(parse_of(&[c"x", c"-nc", c"a"]), ok("nc", &["a"], &[]));
        assert_eq!(parse_of(&[c"x", c"-kTERM", c"a"]), ok("", &["a"], &["stop-signal=TERM"]));
        assert_eq!(parse_of(&[c"x", c"-nkTERM", c"a"]), ok("n", &["a"], &["stop-signal=TERM"]));
        assert_eq!(parse_of(&[c"x", c"-cnk", c"HUP", c"a"]), ok("nc", &["a"], &["stop-signal=HUP"]));
        // After a value letter, the rest is its value, letters included.
        assert_eq!(parse_of(&[c"x", c"-kn", c"a"]), ok("", &["a"], &["stop-signal=n"]));
        assert_eq!(parse_of(&[c"x", c"-Nk", c"-k=", c"a"]), ok("", &["a"], &["name=k", "stop-signal=="]));
    }

    #[test]
    fn long_options() {
        assert_eq!(parse_of(&[c"x", c"--share-net", c"--no-console", c"a"]), ok("nc", &["a"], &[]));
        assert_eq!(parse_of(&[c"x", c"--name", c"web", c"a"]), ok("", &["a"], &["name=web"]));
        assert_eq!(parse_of(&[c"x", c"--name=web", c"a"]), ok("", &["a"], &["name=web"]));
        // Only the first `=` separates; an empty value is the handler's to judge.
        assert_eq!(parse_of(&[c"x", c"--name=a=b", c"a"]), ok("", &["a"], &["name=a=b"]));
        assert_eq!(parse_of(&[c"x", c"--name=", c"a"]), ok("", &["a"], &["name="]));
        assert_eq!(parse_of(&[c"x", c"--name", c"--share-net", c"a"]), ok("", &["a"], &["name=--share-net"]));
        // A long name without a letter.
        assert_eq!(parse_of(&[c"x", c"--hostname=h", c"-n", c"a"]), ok("n", &["a"], &["hostname=h"]));
        // Short and long forms mix.
        assert_eq!(
            parse_of(&[c"x", c"-n", c"--stop-signal", c"HUP", c"-NW", c"a"]),
            ok("n", &["a"], &["stop-signal=HUP", "name=W"])
        );
    }

    #[test]
    fn options_end_at_double_dash_and_at_the_first_positional() {
        assert_eq!(parse_of(&[c"x", c"a", c"-n"]), ok("", &["a", "-n"], &[]));
        assert_eq!(parse_of(&[c"x", c"a", c"--nope"]), ok("", &["a", "--nope"], &[]));
        assert_eq!(parse_of(&[c"x", c"--", c"-n"]), ok("", &["-n"], &[]));
        assert_eq!(parse_of(&[c"x", c"-n", c"--", c"--", c"a"]), ok("n", &["--", "a"], &[]));
        assert_eq!(parse_of(&[c"x", c"-", c"-n"]), ok("", &["-", "-n"], &[]));
        // A negative number is a positional (inject's bad PID), not an option.
        assert_eq!(parse_of(&[c"x", c"-1", c"b"]), ok("", &["-1", "b"], &[]));
    }

    #[test]
    fn errors_are_usage() {
        let usage_error = |args: &[&CStr]| assert_eq!(parse_of(args), Err(EXIT_USAGE), "{args:?}");
        // Positionals: too few, too many.
        usage_error(&[c"x"]);
        usage_error(&[c"x", c"-n"]);
        usage_error(&[c"x", c"--", c"a", c"b", c"c"]);
        usage_error(&[c"x", c"a", c"b", c"c"]);
        // Unknown options, short, bundled, long; no abbreviations.
        usage_error(&[c"x", c"-u", c"a"]);
        usage_error(&[c"x", c"-nu", c"a"]);
        usage_error(&[c"x", c"--nope", c"a"]);
        usage_error(&[c"x", c"--nope=1", c"a"]);
        usage_error(&[c"x", c"--share", c"a"]);
        usage_error(&[c"x", c"--N", c"a"]);
        usage_error(&[c"x", c"---share-net", c"a"]);
        // A value missing, refused, or given to a flag.
        usage_error(&[c"x", c"-k"]);
        usage_error(&[c"x", c"-nk"]);
        usage_error(&[c"x", c"--name"]);
        usage_error(&[c"x", c"-k", c"bad", c"a"]);
        usage_error(&[c"x", c"-kbad", c"a"]);
        usage_error(&[c"x", c"--name=bad", c"a"]);
        usage_error(&[c"x", c"--name", c"bad", c"a"]);
        usage_error(&[c"x", c"--no-console=1", c"a"]);
        usage_error(&[c"x", c"--no-console=", c"a"]);
        assert_eq!(parse_of(&[c"x", c"--help"]), Err(0));
        assert_eq!(parse_of(&[c"x", c"-n", c"--help", c"a"]), Err(0));
    }

    const COMMANDS: [Command; 2] = [
        Command { name: b"create", usage: b"", options: &OPTIONS, min: 1, max: 1 },
        Command { name: b"state", usage: b"", options: &[], min: 1, max: 1 },
    ];
    const CREATE: usize = command_index(&COMMANDS, b"create");
    const STATE: usize = command_index(&COMMANDS, b"state");

    #[test]
    fn commands_have_their_own_options() {
        assert_eq!((CREATE, STATE), (0, 1));
        assert_eq!(find_command(&COMMANDS, b"state"), Some(STATE));
        assert_eq!(find_command(&COMMANDS, b"stat"), None);
        let mut argv = CStrArray::<8>::new();
        for arg in [c"oci", c"--name", c"g", c"create", c"-n", c"--name=x", c"id"] {
            assert!(argv.push(arg));
        }
        let mut values = Vec::new();
        let global = parse::<1>(argv.list(), b"", &OPTIONS, usize::MAX, &mut |i, v| {
            values.push((i, v.to_bytes().to_vec()));
            Ok(())
        })
        .ok()
        .unwrap();
        assert_eq!(global.fixed[0], c"create");
        let (given, rest) = parse_command(&COMMANDS, CREATE, global.all, &mut |i, v| {
            values.push((i, v.to_bytes().to_vec()));
            Ok(())
        })
        .ok()
        .unwrap();
        assert!(given.has(SHARE_NET));
        assert_eq!((rest.len(), rest.get(0)), (1, Some(c"id")));
        assert_eq!(values, [(NAME, b"g".to_vec()), (NAME, b"x".to_vec())]);
        // The command's own table: state has no -n; an id is required.
        assert_eq!(parse_command(&COMMANDS, STATE, argv.list().skip(3), &mut |_, _| Ok(())).err(), Some(EXIT_USAGE));
        let mut one = CStrArray::<2>::new();
        one.push(c"state");
        assert_eq!(parse_command(&COMMANDS, STATE, one.list(), &mut |_, _| Ok(())).err(), Some(EXIT_USAGE));
    }

    #[test]
    fn positional_only() {
        let mut argv = CStrArray::<4>::new();
        for arg in [c"pivot", c"new", c"old"] {
            assert!(argv.push(arg));
        }
        let p = positional::<1>(argv.list(), b"", 2).ok().unwrap();
        assert_eq!((p.fixed, p.rest.get(0), p.all.len()), ([c"new"], Some(c"old"), 2));
        assert_eq!(positional::<1>(argv.list(), b"", 1).err(), Some(EXIT_USAGE));
        assert_eq!(positional::<3>(argv.list(), b"", 3).err(), Some(EXIT_USAGE));
    }
}

//! Options and positional arguments, getopt-style but smaller: single
//! letters before the positional arguments, `--` ends them, a value option
//! takes the next argument.

use crate::out::usage;
use crate::sys::{write_all, CStrList, STDOUT};
use crate::text::{has_byte, same};
use core::ffi::CStr;

/// What an applet's command line asks for.
pub enum Args<'a> {
    /// Go on: the flag letters given (bit i for `flags[i]`) and the
    /// positional arguments.
    Run(u32, CStrList<'a>),
    /// Stop now with this exit status: `--help` was printed (0), or a
    /// usage error (64).
    Exit(i32),
}

/// A value option's handler: takes the option letter and its value; Err
/// after saying what is wrong with the value.
pub type OnValue<'a, 'b> = &'b mut dyn FnMut(u8, &'a CStr) -> Result<(), ()>;

/// Options until the first non-option or `--`: letters of `flags` (no
/// value) and of `valued` (whose value, the next argument, goes to
/// `on_value`). `--help` prints the usage to stdout. An unknown option, a
/// missing or bad value, or fewer than `min` (more than `max`) positional
/// arguments print the usage to stderr: exit 64.
pub fn options<'a>(
    args: CStrList<'a>,
    usage_text: &[u8],
    flags: &[u8],
    valued: &[u8],
    (min, max): (usize, usize),
    on_value: OnValue<'a, '_>,
) -> Args<'a> {
    let mut given = 0;
    let mut rest = args.skip(1);
    while let Some(arg) = rest.get(0) {
        rest = rest.skip(1);
        match arg.to_bytes() {
            b if same(b, b"--help") => {
                let _ = write_all(&STDOUT, usage_text);
                return Args::Exit(0);
            }
            b if same(b, b"--") => break,
            // A negative number is an argument (for inject's "not a PID").
            [b'-', d, ..] if d.is_ascii_digit() => {}
            [b'-', letter] if has_byte(valued, *letter) => match rest.get(0) {
                Some(value) if on_value(*letter, value).is_ok() => {
                    rest = rest.skip(1);
                    continue;
                }
                _ => return Args::Exit(usage(usage_text)),
            },
            [b'-', letter] => match flags.iter().position(|f| f == letter) {
                Some(i) => {
                    given |= 1 << i;
                    continue;
                }
                None => return Args::Exit(usage(usage_text)),
            },
            [b'-', _, ..] => return Args::Exit(usage(usage_text)),
            _ => {}
        }
        // Not an option: put it back as the first positional.
        rest = args.skip(args.len() - rest.len() - 1);
        break;
    }
    if rest.len() < min || rest.len() > max {
        return Args::Exit(usage(usage_text));
    }
    Args::Run(given, rest)
}

/// The positional arguments of an applet with no options but `--help`.
pub fn positional<'a>(args: CStrList<'a>, usage_text: &[u8], min: usize, max: usize) -> Result<CStrList<'a>, i32> {
    match options(args, usage_text, b"", b"", (min, max), &mut |_, _| Err(())) {
        Args::Run(_, rest) => Ok(rest),
        Args::Exit(status) => Err(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::out::EXIT_USAGE;
    use crate::sys::CStrArray;

    /// options() over `args` with the flags "nc" and the value option "k",
    /// 1 to 2 positionals; values are collected, "bad" is refused.
    fn parse(args: &[&CStr]) -> Result<(u32, Vec<String>, Vec<String>), i32> {
        let mut argv = CStrArray::<8>::new();
        for arg in args {
            assert!(argv.push(arg));
        }
        let mut values = Vec::new();
        let parsed = options(argv.list(), b"", b"nc", b"k", (1, 2), &mut |letter, value| {
            values.push(format!("{}={}", letter as char, value.to_str().unwrap()));
            if value.to_bytes() == b"bad" {
                Err(())
            } else {
                Ok(())
            }
        });
        match parsed {
            Args::Run(flags, rest) => {
                Ok((flags, rest.iter().map(|a| a.to_str().unwrap().to_string()).collect(), values))
            }
            Args::Exit(status) => Err(status),
        }
    }

    fn ok(flags: u32, rest: &[&str], values: &[&str]) -> Result<(u32, Vec<String>, Vec<String>), i32> {
        Ok((flags, rest.iter().map(|s| s.to_string()).collect(), values.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn options_before_positionals() {
        assert_eq!(parse(&[c"x", c"a"]), ok(0, &["a"], &[]));
        assert_eq!(parse(&[c"x", c"-n", c"a", c"b"]), ok(1, &["a", "b"], &[]));
        assert_eq!(parse(&[c"x", c"-c", c"-n", c"a"]), ok(3, &["a"], &[]));
        assert_eq!(parse(&[c"x", c"-k", c"TERM", c"-n", c"a"]), ok(1, &["a"], &["k=TERM"]));
        assert_eq!(parse(&[c"x", c"-k", c"-n", c"a"]), ok(0, &["a"], &["k=-n"]));
        // Options stop at the first positional and at `--`.
        assert_eq!(parse(&[c"x", c"a", c"-n"]), ok(0, &["a", "-n"], &[]));
        assert_eq!(parse(&[c"x", c"--", c"-n"]), ok(0, &["-n"], &[]));
        // A negative number is a positional (inject's bad PID), not an option.
        assert_eq!(parse(&[c"x", c"-1", c"b"]), ok(0, &["-1", "b"], &[]));
    }

    #[test]
    fn options_errors_are_usage() {
        assert_eq!(parse(&[c"x"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"-n"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"-u", c"a"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"-nc", c"a"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"--nope", c"a"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"a", c"b", c"c"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"-k"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"-k", c"bad", c"a"]), Err(EXIT_USAGE));
        assert_eq!(parse(&[c"x", c"--help"]), Err(0));
    }
}

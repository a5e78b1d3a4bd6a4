//! The harness of the black-box tests: run the built static `ucontain` as
//! root in a private mount namespace, or as an unprivileged uid with
//! temporary `/etc/passwd`, `group`, `subuid` and `subgid` bound over the
//! real ones (the machine's `/etc` is never edited), and build throwaway
//! root filesystems from busybox-static. Every run has a hang guard; mounts
//! happen only inside private mount namespaces, which vanish with their
//! processes. A failure that is the harness's, not the binary's, says
//! `harness: ...` in one line.
//!
//! - `bin`: the binary, copied where the test uid can reach it
//! - `tempdir`: temporary directories and file modes
//! - `run`: a run to completion with a hang guard (`Run`)
//! - `user`: root or an unprivileged uid with its own /etc files (`User`, `Caller`)
//! - `rootfs`: busybox root filesystems, host tools
//! - `mounts`: the host's mount table and namespaces
//! - `ids`: identity maps as a process sees them
//! - `loopdev`: loop devices on test image files (`Loop`)
//! - `probe`: the C programs of `tests/*.c`, built with `cc -static`
//! - `background`: background runs, containers, signals, /proc lookups
//! - `checks`: checks shared by the applets that exec CMD in place
//! - `pty`: a pseudo-terminal driver (an interactive caller)
#![allow(dead_code)]
#![allow(unused_imports)]

mod background;
mod bin;
mod checks;
pub mod delegation;
mod ids;
mod loopdev;
mod mounts;
mod probe;
pub mod pty;
mod rootfs;
mod run;
mod tempdir;
mod user;

pub use background::*;
pub use bin::*;
pub use checks::*;
pub use ids::*;
pub use loopdev::*;
pub use mounts::*;
pub use probe::*;
pub use pty::Pty;
pub use rootfs::*;
pub use run::*;
pub use tempdir::*;
pub use user::*;

use std::time::Duration;

/// Every applet, sorted as in the binary's table.
pub const APPLETS: [&str; 8] = ["contain", "inject", "isolate", "list", "oci", "pivot", "pseudo", "seal"];

/// The default search path of SPEC §3, used when the environment has no PATH.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Hang guard for one run: generous, never a timing assertion.
pub const TIMEOUT: Duration = Duration::from_secs(60);

//! Identity maps as a process sees them.

use super::Run;

/// Lines of an id map (`/proc/PID/uid_map`), whitespace-normalised:
/// `["0 4000 1", "1 200000 65536"]`.
pub fn map_lines(map: &str) -> Vec<String> {
    map.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect()
}

/// A shell script printing a process's identity: its uid and gid maps,
/// setgroups, and `id -u`/`id -g`, separated by `--` lines (see `Ids`).
pub const IDS_SCRIPT: &str = "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; \
     cat /proc/self/setgroups; echo --; id -u; id -g";

/// What `IDS_SCRIPT` printed.
#[derive(Debug)]
pub struct Ids {
    pub uid_map: Vec<String>,
    pub gid_map: Vec<String>,
    pub setgroups: String,
    pub uid: String,
    pub gid: String,
}

impl Ids {
    #[track_caller]
    pub fn parse(run: &Run) -> Ids {
        let parts: Vec<&str> = run.stdout.split("--\n").collect();
        assert_eq!(parts.len(), 4, "not the output of IDS_SCRIPT:\n{run:?}");
        let ids: Vec<&str> = parts[3].lines().collect();
        assert_eq!(ids.len(), 2, "no uid and gid:\n{run:?}");
        Ids {
            uid_map: map_lines(parts[0]),
            gid_map: map_lines(parts[1]),
            setgroups: parts[2].trim().to_string(),
            uid: ids[0].to_string(),
            gid: ids[1].to_string(),
        }
    }
}

//! Capabilities by name (capabilities(7)) and the container's bounding set
//! (SPEC §5.5, The sandbox): pure, so the names and the arithmetic are
//! unit-tested on the host. `sandbox.rs` applies the set.

/// The names of capabilities 0 to 40 (CAP_CHOWN to CAP_CHECKPOINT_RESTORE,
/// Linux 5.9), in order, without `CAP_`, each after a space.
const NAMES: &[u8] = b" CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE";

pub const CAP_NET_ADMIN: u32 = 12;

/// systemd-nspawn's default (systemd-nspawn(1), `--capability=`):
/// CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_CHOWN, CAP_DAC_OVERRIDE,
/// CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_IPC_OWNER, CAP_KILL,
/// CAP_LEASE, CAP_LINUX_IMMUTABLE, CAP_MKNOD, CAP_NET_BIND_SERVICE,
/// CAP_NET_BROADCAST, CAP_NET_RAW, CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP,
/// CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_NICE,
/// CAP_SYS_PTRACE, CAP_SYS_RESOURCE, CAP_SYS_TTY_CONFIG. Without
/// CAP_SYS_RAWIO (it grants nothing in a user namespace), systemd inside
/// skips the debugfs and tracefs mounts it could only fail, instead of
/// booting "degraded".
pub const DEFAULT_BOUNDING: u64 = 0xfdec_afff;

/// Every capability: `all`. Bits past the kernel's last capability are
/// ignored by capset(2) and never dropped from the bounding set.
pub const ALL: u64 = u64::MAX;

/// The capabilities named by `text`, a comma-separated list of names as
/// capabilities(7) writes them, with or without `CAP_`, in any case, or
/// `all`. Err is the first name that is none of them.
pub fn parse_caps(text: &[u8]) -> Result<u64, &[u8]> {
    let mut set = 0;
    for name in text.split(|&b| b == b',') {
        set |= cap_by_name(name).ok_or(name)?;
    }
    Ok(set)
}

/// One name's capability, as a set of one (or ALL for `all`).
fn cap_by_name(name: &[u8]) -> Option<u64> {
    let mut buf = [0u8; 32];
    let upper = buf.get_mut(..name.len())?;
    for (to, b) in upper.iter_mut().zip(name) {
        *to = b.to_ascii_uppercase();
    }
    if upper == b"ALL" {
        return Some(ALL);
    }
    let bare = match upper {
        [b'C', b'A', b'P', b'_', rest @ ..] => rest,
        _ => upper,
    };
    let index = NAMES.split(|&b| b == b' ').skip(1).position(|n| n == bare)?;
    Some(1 << index)
}

/// The bounding set as `--cap-add` and `--cap-drop` change it, in the
/// order given, from the default. CAP_NET_ADMIN is in the default only
/// with a private network, which is known once every option is read: it
/// follows the default unless an option named it.
pub struct Bounding {
    set: u64,
    named: u64,
}

impl Bounding {
    pub const DEFAULT: Bounding = Bounding { set: DEFAULT_BOUNDING | 1 << CAP_NET_ADMIN, named: 0 };

    pub fn add(&mut self, caps: u64) {
        self.set |= caps;
        self.named |= caps;
    }

    pub fn drop(&mut self, caps: u64) {
        self.set &= !caps;
        self.named |= caps;
    }

    /// The set, for a container with (`private_net`) or without a network
    /// namespace of its own.
    pub fn resolve(&self, private_net: bool) -> u64 {
        let net_admin = 1 << CAP_NET_ADMIN;
        match private_net || self.named & net_admin != 0 {
            true => self.set,
            false => self.set & !net_admin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linux_raw_sys::general as k;

    #[test]
    fn names_are_the_kernel_numbers() {
        let names: Vec<&[u8]> = NAMES.split(|&b| b == b' ').skip(1).collect();
        assert_eq!(names.len() as u32, k::CAP_LAST_CAP + 1);
        for (name, number) in [
            (&b"CHOWN"[..], k::CAP_CHOWN),
            (b"NET_ADMIN", k::CAP_NET_ADMIN),
            (b"NET_RAW", k::CAP_NET_RAW),
            (b"SYS_RAWIO", k::CAP_SYS_RAWIO),
            (b"SYS_TIME", k::CAP_SYS_TIME),
            (b"SYS_TTY_CONFIG", k::CAP_SYS_TTY_CONFIG),
            (b"MKNOD", k::CAP_MKNOD),
            (b"SETFCAP", k::CAP_SETFCAP),
            (b"MAC_OVERRIDE", k::CAP_MAC_OVERRIDE),
            (b"AUDIT_READ", k::CAP_AUDIT_READ),
            (b"PERFMON", k::CAP_PERFMON),
            (b"BPF", k::CAP_BPF),
            (b"CHECKPOINT_RESTORE", k::CAP_CHECKPOINT_RESTORE),
        ] {
            assert_eq!(names[number as usize], name);
        }
    }

    #[test]
    fn the_default_is_systemd_nspawns() {
        let nspawn = [
            k::CAP_AUDIT_CONTROL,
            k::CAP_AUDIT_WRITE,
            k::CAP_CHOWN,
            k::CAP_DAC_OVERRIDE,
            k::CAP_DAC_READ_SEARCH,
            k::CAP_FOWNER,
            k::CAP_FSETID,
            k::CAP_IPC_OWNER,
            k::CAP_KILL,
            k::CAP_LEASE,
            k::CAP_LINUX_IMMUTABLE,
            k::CAP_MKNOD,
            k::CAP_NET_BIND_SERVICE,
            k::CAP_NET_BROADCAST,
            k::CAP_NET_RAW,
            k::CAP_SETFCAP,
            k::CAP_SETGID,
            k::CAP_SETPCAP,
            k::CAP_SETUID,
            k::CAP_SYS_ADMIN,
            k::CAP_SYS_BOOT,
            k::CAP_SYS_CHROOT,
            k::CAP_SYS_NICE,
            k::CAP_SYS_PTRACE,
            k::CAP_SYS_RESOURCE,
            k::CAP_SYS_TTY_CONFIG,
        ];
        assert_eq!(nspawn.iter().fold(0u64, |set, &cap| set | 1 << cap), DEFAULT_BOUNDING);
        assert_eq!(Bounding::DEFAULT.resolve(true), 0xfdec_bfff);
        assert_eq!(Bounding::DEFAULT.resolve(false), 0xfdec_afff);
    }

    #[test]
    fn names_in_every_spelling() {
        for text in [&b"sys_time"[..], b"SYS_TIME", b"CAP_SYS_TIME", b"cap_sys_time", b"Cap_Sys_Time"] {
            assert_eq!(parse_caps(text), Ok(1 << 25), "{:?}", std::str::from_utf8(text));
        }
        assert_eq!(parse_caps(b"chown,net_raw,CAP_CHECKPOINT_RESTORE"), Ok(1 | 1 << 13 | 1 << 40));
        assert_eq!(parse_caps(b"all"), Ok(ALL));
        assert_eq!(parse_caps(b"ALL"), Ok(ALL));
        assert_eq!(parse_caps(b"chown,all"), Ok(ALL));
    }

    #[test]
    fn unknown_names_are_named() {
        assert_eq!(parse_caps(b""), Err(&b""[..]));
        assert_eq!(parse_caps(b"chown,"), Err(&b""[..]));
        assert_eq!(parse_caps(b"chown,sys_tim"), Err(&b"sys_tim"[..]));
        assert_eq!(parse_caps(b"CAP_"), Err(&b"CAP_"[..]));
        assert_eq!(parse_caps(b"cap_cap_chown"), Err(&b"cap_cap_chown"[..]));
        assert_eq!(parse_caps(b"chown net_raw"), Err(&b"chown net_raw"[..]));
        assert_eq!(parse_caps(b"41"), Err(&b"41"[..]));
        assert_eq!(parse_caps(b"CAP_ALL"), Err(&b"CAP_ALL"[..]));
        let long = [b'a'; 40];
        assert_eq!(parse_caps(&long), Err(&long[..]));
    }

    #[test]
    fn adds_and_drops_apply_in_order() {
        let mut b = Bounding::DEFAULT;
        b.drop(ALL);
        b.add(1 << 13);
        assert_eq!((b.resolve(true), b.resolve(false)), (1 << 13, 1 << 13));
        let mut b = Bounding::DEFAULT;
        b.add(ALL);
        b.drop(1 << 21);
        assert_eq!(b.resolve(false), ALL & !(1 << 21));
        let mut b = Bounding::DEFAULT;
        b.add(1 << 25);
        assert_eq!(b.resolve(true), 0xfdec_bfff | 1 << 25);
        assert_eq!(b.resolve(false), 0xfdec_afff | 1 << 25);
        // Named by an option, CAP_NET_ADMIN no longer follows the network.
        let mut b = Bounding::DEFAULT;
        b.add(1 << CAP_NET_ADMIN);
        assert_eq!(b.resolve(false), 0xfdec_bfff);
        let mut b = Bounding::DEFAULT;
        b.drop(1 << CAP_NET_ADMIN);
        assert_eq!(b.resolve(true), 0xfdec_afff);
    }
}

//! `-L FILE=VALUE` (SPEC §5.5, Limits): a cgroup limit by its cgroup v2
//! file name, and what it is written as in a v1 hierarchy where the
//! unified one lacks the controller. Pure; `cgroup.rs` writes them.

use crate::text::{decimal, has_byte, parse_u32, same};
use core::ffi::CStr;

/// One `-L FILE=VALUE`.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Limit<'a> {
    /// A controller's interface file: `memory.max`, `pids.max`.
    pub file: &'a [u8],
    pub value: &'a [u8],
}

/// The default when no `-L pids.max` is given: systemd-nspawn's TasksMax.
pub const DEFAULT_PIDS: Limit = Limit { file: b"pids.max", value: b"16384" };

/// `FILE=VALUE` as a limit, or what is wrong with it. FILE is a
/// controller's file, `CONTROLLER.NAME` of letters, digits and `_`: never
/// a path, and never one of the core `cgroup.*` files (`cgroup.procs`
/// would move processes, not limit them).
pub fn parse_limit(text: &[u8]) -> Result<Limit<'_>, &'static [u8]> {
    let eq = text.iter().position(|&b| b == b'=').ok_or(&b"not FILE=VALUE"[..])?;
    let (file, value) = (&text[..eq], &text[eq + 1..]);
    // Controllers are lower case; their files may not be (`hugetlb.2MB.max`).
    let word = |w: &[u8]| !w.is_empty() && w.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_');
    let controller = file.split(|&b| b == b'.').next().unwrap_or_default();
    let lower = controller.iter().all(|&b| !b.is_ascii_uppercase());
    if !file.split(|&b| b == b'.').all(word) || !has_byte(file, b'.') || !lower || controller == b"cgroup" {
        return Err(b"FILE is not a controller's file such as memory.max");
    }
    if value.is_empty() || has_byte(value, b'\n') {
        return Err(b"VALUE is empty or has a newline");
    }
    Ok(Limit { file, value })
}

impl Limit<'_> {
    /// The controller the limit belongs to: what its file name starts with.
    pub fn controller(&self) -> &[u8] {
        self.file.split(|&b| b == b'.').next().unwrap_or_default()
    }
}

/// A size as the kernel's memparse reads it: digits and an optional `K`,
/// `M` or `G` (either case), in bytes.
pub fn parse_size(text: &[u8]) -> Option<u64> {
    let (digits, shift) = match text {
        [d @ .., b'k' | b'K'] => (d, 10),
        [d @ .., b'm' | b'M'] => (d, 20),
        [d @ .., b'g' | b'G'] => (d, 30),
        _ => (text, 0),
    };
    let mut n: u64 = 0;
    if digits.is_empty() {
        return None;
    }
    for &b in digits {
        n = n.checked_mul(10)?.checked_add(b.checked_sub(b'0').filter(|&d| d <= 9)? as u64)?;
    }
    n.checked_mul(1 << shift)
}

/// What a limit is written as in a v1 hierarchy: up to two writes, in
/// order, each a file and its value.
pub type V1Writes<'a> = heapless::Vec<(&'static CStr, &'a [u8]), 2>;

/// The v1 equivalent of `limit` (SPEC §5.5, Limits): no writes for a file
/// that has none (v2 only); Err says why a value cannot be converted. A
/// number computed is written in `digits`.
/// `memory_max` is the `-L memory.max` given, if any: v1 limits memory and
/// swap together (`memory.memsw.limit_in_bytes`, which must be at least
/// `memory.limit_in_bytes`), so swap.max is added to it.
#[inline(never)]
pub fn v1_equivalent<'a>(
    limit: &Limit<'a>,
    memory_max: Option<&[u8]>,
    digits: &'a mut [u8; 20],
) -> Result<V1Writes<'a>, &'static [u8]> {
    const WITH_V1: [&[u8]; 5] = [b"memory.max", b"pids.max", b"memory.swap.max", b"cpu.max", b"cpu.weight"];
    let mut writes = V1Writes::new();
    let value = limit.value;
    let max = |v: &[u8]| same(v, b"max");
    let write = match WITH_V1.iter().position(|name| same(name, limit.file)) {
        Some(0) => (c"memory.limit_in_bytes", if max(value) { &b"-1"[..] } else { value }),
        Some(1) => (c"pids.max", value),
        Some(2) => {
            let memory = memory_max.ok_or(&b"cgroup v1 needs memory.max with it"[..])?;
            let sum = if max(memory) || max(value) {
                &b"-1"[..]
            } else {
                let sum = parse_size(memory).zip(parse_size(value)).and_then(|(m, s)| m.checked_add(s));
                decimal(sum.ok_or(&b"not a size"[..])?, digits)
            };
            (c"memory.memsw.limit_in_bytes", sum)
        }
        Some(3) => {
            // `QUOTA [PERIOD]`, in microseconds; v2's default period. The
            // period first: v1 checks the quota against it.
            let (quota, period) = match value.iter().position(|&b| b == b' ') {
                Some(i) => (&value[..i], &value[i + 1..]),
                None => (value, &b"100000"[..]),
            };
            let _ = writes.push((c"cpu.cfs_period_us", period));
            (c"cpu.cfs_quota_us", if max(quota) { &b"-1"[..] } else { quota })
        }
        Some(_) => {
            // As systemd converts CPUWeight= to CPUShares=: the default
            // weight 100 is the default 1024 shares.
            let weight =
                parse_u32(value).filter(|w| (1..=10000).contains(w)).ok_or(&b"not a weight from 1 to 10000"[..])?;
            (c"cpu.shares", decimal(weight as u64 * 1024 / 100, digits))
        }
        None => return Ok(writes),
    };
    let _ = writes.push(write);
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_controller_files() {
        let ok = |t: &'static [u8], f: &'static [u8], v: &'static [u8]| {
            assert_eq!(parse_limit(t), Ok(Limit { file: f, value: v }), "{:?}", std::str::from_utf8(t))
        };
        ok(b"memory.max=64M", b"memory.max", b"64M");
        ok(b"cpu.max=50000 100000", b"cpu.max", b"50000 100000");
        ok(b"memory.swap.max=0", b"memory.swap.max", b"0");
        ok(b"io.weight=default 50", b"io.weight", b"default 50");
        ok(b"hugetlb.2MB.max=0", b"hugetlb.2MB.max", b"0");
        ok(b"pids.max=a=b", b"pids.max", b"a=b");
        assert_eq!(parse_limit(b"memory.max=1").unwrap().controller(), b"memory");
        for bad in [
            &b"memory.max"[..],
            b"=1",
            b"memory=1",
            b"memory.=1",
            b".max=1",
            b"memory..max=1",
            b"cgroup.procs=1",
            b"cgroup.max.depth=1",
            b"../x=1",
            b"memory/../pids.max=1",
            b"pids.max/x=1",
            b"Memory.max=1",
            b"memory.max =1",
            b"memory.max=",
            b"memory.max=1\n2",
        ] {
            assert!(parse_limit(bad).is_err(), "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn sizes_as_memparse() {
        assert_eq!(parse_size(b"0"), Some(0));
        assert_eq!(parse_size(b"4096"), Some(4096));
        assert_eq!(parse_size(b"64k"), Some(64 << 10));
        assert_eq!(parse_size(b"64M"), Some(64 << 20));
        assert_eq!(parse_size(b"2G"), Some(2 << 30));
        assert_eq!(parse_size(b"2g"), Some(2 << 30));
        for bad in [&b""[..], b"M", b"1T", b"-1", b"1.5G", b"max", b"99999999999G"] {
            assert_eq!(parse_size(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    fn v1_of(
        file: &'static [u8],
        value: &'static [u8],
        memory: Option<&[u8]>,
    ) -> Result<Vec<(String, String)>, &'static [u8]> {
        let mut digits = [0; 20];
        let v1 = v1_equivalent(&Limit { file, value }, memory, &mut digits)?;
        Ok(v1
            .iter()
            .map(|(f, v)| (f.to_str().unwrap().to_string(), std::str::from_utf8(v).unwrap().to_string()))
            .collect())
    }

    fn writes(pairs: &[(&str, &str)]) -> Result<Vec<(String, String)>, &'static [u8]> {
        Ok(pairs.iter().map(|(f, v)| (f.to_string(), v.to_string())).collect())
    }

    #[test]
    fn v1_equivalents() {
        assert_eq!(v1_of(b"memory.max", b"64M", None), writes(&[("memory.limit_in_bytes", "64M")]));
        assert_eq!(v1_of(b"memory.max", b"max", None), writes(&[("memory.limit_in_bytes", "-1")]));
        assert_eq!(v1_of(b"pids.max", b"10", None), writes(&[("pids.max", "10")]));
        assert_eq!(v1_of(b"pids.max", b"max", None), writes(&[("pids.max", "max")]));
        assert_eq!(
            v1_of(b"cpu.max", b"50000 100000", None),
            writes(&[("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "50000")])
        );
        assert_eq!(
            v1_of(b"cpu.max", b"max 20000", None),
            writes(&[("cpu.cfs_period_us", "20000"), ("cpu.cfs_quota_us", "-1")])
        );
        assert_eq!(
            v1_of(b"cpu.max", b"25000", None),
            writes(&[("cpu.cfs_period_us", "100000"), ("cpu.cfs_quota_us", "25000")])
        );
        assert_eq!(v1_of(b"cpu.weight", b"100", None), writes(&[("cpu.shares", "1024")]));
        assert_eq!(v1_of(b"cpu.weight", b"1", None), writes(&[("cpu.shares", "10")]));
        assert_eq!(v1_of(b"cpu.weight", b"10000", None), writes(&[("cpu.shares", "102400")]));
        assert!(v1_of(b"cpu.weight", b"0", None).is_err());
        assert!(v1_of(b"cpu.weight", b"10001", None).is_err());
        assert_eq!(
            v1_of(b"memory.swap.max", b"0", Some(b"64M")),
            writes(&[("memory.memsw.limit_in_bytes", "67108864")])
        );
        assert_eq!(
            v1_of(b"memory.swap.max", b"1G", Some(b"1G")),
            writes(&[("memory.memsw.limit_in_bytes", "2147483648")])
        );
        assert_eq!(v1_of(b"memory.swap.max", b"0", Some(b"max")), writes(&[("memory.memsw.limit_in_bytes", "-1")]));
        assert!(v1_of(b"memory.swap.max", b"0", None).is_err());
        assert!(v1_of(b"memory.swap.max", b"x", Some(b"1M")).is_err());
        // v2 only.
        assert_eq!(v1_of(b"io.weight", b"50", None), writes(&[]));
        assert_eq!(v1_of(b"memory.high", b"1M", None), writes(&[]));
    }
}

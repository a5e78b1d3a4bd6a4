//! The seccomp compiler: an OCI seccomp profile (the JSON of the runtime
//! spec's `linux.seccomp`, and of Docker's and podman's profile files) to a
//! classic BPF program, without libseccomp, a heap or core::fmt. build.rs
//! runs this same file on the built-in profile (SPEC §5.5); `--seccomp
//! FILE` and the OCI runtime run it at run time (SPEC §7).
//!
//! The program, as libseccomp's gen_bpf.c lays it out:
//! 1. load `seccomp_data.arch`, one `jeq` per architecture the filter
//!    knows (the native one first), any other: `bad_arch`;
//! 2. per architecture, load `nr`; on x86_64, x32's calls are the numbers
//!    with __X32_SYSCALL_BIT set under the same AUDIT_ARCH_X86_64, so a
//!    `jge` splits them off first;
//! 3. per ABI, a binary search (`jge`) over the intervals of numbers that
//!    share an action: the numbers of a 450-name profile make a few dozen
//!    intervals, so a call costs about ten instructions and the program a
//!    few hundred per ABI;
//! 4. a call with argument rules gets a block at its leaf: the rules in the
//!    profile's order, each comparing 64-bit arguments as two 32-bit
//!    halves (`seccomp_data.args` are u64s, in little-endian order on every
//!    ABI here); the first rule whose conditions all hold gives its action,
//!    else the call's rule without arguments, else the default.
//!
//! The program is written backwards, from its last instruction, so every
//! jump's target is already placed and its distance known: a conditional
//! jump (8-bit offsets) to a target further than 255 instructions goes
//! through a `ja` (32-bit offset) placed right after it, and a `ret` is
//! shared by every jump within reach of it.

use super::bpf::*;
use super::syscalls as table;
use crate::json::{self, Scanner, Str};

/// What is wrong with a profile: `what` (with `{}` standing for `value`,
/// the profile's own spelling of the faulty word, if any) at byte `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProfileError<'a> {
    pub what: &'static [u8],
    pub value: &'a [u8],
    pub at: usize,
}

impl From<json::Error> for ProfileError<'_> {
    fn from(e: json::Error) -> Self {
        ProfileError { what: e.what, value: b"", at: e.at }
    }
}

type Result<'a, T> = core::result::Result<T, ProfileError<'a>>;

fn fault<'a, T>(what: &'static [u8], value: &'a [u8], at: usize) -> Result<'a, T> {
    Err(ProfileError { what, value, at })
}

/// An ABI a filter can tell apart: its architecture and its numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    X86_64,
    X86,
    X32,
    Aarch64,
    Arm,
    Riscv64,
}

const ABIS: [Abi; 6] = [Abi::X86_64, Abi::X86, Abi::X32, Abi::Aarch64, Abi::Arm, Abi::Riscv64];

impl Abi {
    /// The profile's name for it.
    fn scmp_name(self) -> &'static [u8] {
        match self {
            Abi::X86_64 => b"SCMP_ARCH_X86_64",
            Abi::X86 => b"SCMP_ARCH_X86",
            Abi::X32 => b"SCMP_ARCH_X32",
            Abi::Aarch64 => b"SCMP_ARCH_AARCH64",
            Abi::Arm => b"SCMP_ARCH_ARM",
            Abi::Riscv64 => b"SCMP_ARCH_RISCV64",
        }
    }

    /// Go's GOARCH, which podman's `includes`/`excludes` `arches` name.
    fn go_name(self) -> &'static [u8] {
        match self {
            Abi::X86_64 => b"amd64",
            Abi::X86 => b"386",
            Abi::X32 => b"x32",
            Abi::Aarch64 => b"arm64",
            Abi::Arm => b"arm",
            Abi::Riscv64 => b"riscv64",
        }
    }

    fn audit_arch(self) -> u32 {
        match self {
            Abi::X86_64 | Abi::X32 => AUDIT_ARCH_X86_64,
            Abi::X86 => AUDIT_ARCH_I386,
            Abi::Aarch64 => AUDIT_ARCH_AARCH64,
            Abi::Arm => AUDIT_ARCH_ARM,
            Abi::Riscv64 => AUDIT_ARCH_RISCV64,
        }
    }

    /// Whether the arguments are 64-bit. On x86 and arm the kernel fills
    /// `seccomp_data.args` from 32-bit registers, and libseccomp compares
    /// the low halves only, with the profile's values cut to 32 bits (so
    /// 0xffffffff and u64::MAX both mean -1 there). x32 passes 64-bit
    /// registers: compared whole (libseccomp compares x32's low halves only,
    /// which lets a caller set the high half freely).
    fn wide(self) -> bool {
        !matches!(self, Abi::X86 | Abi::Arm)
    }

    fn numbers(self) -> &'static [u16; table::COUNT] {
        match self {
            Abi::X86_64 => &table::X86_64,
            Abi::X86 => &table::X86,
            Abi::X32 => &table::X32,
            Abi::Aarch64 => &table::AARCH64,
            Abi::Arm => &table::ARM,
            Abi::Riscv64 => &table::RISCV64,
        }
    }

    /// The number of the call at `index` of the name table, if it has one.
    fn nr(self, index: usize) -> Option<u32> {
        let n = self.numbers()[index];
        match n {
            table::NONE => None,
            _ if self == Abi::X32 => Some(table::X32_SYSCALL_BIT | n as u32),
            _ if self == Abi::Arm && n & table::ARM_PRIVATE != 0 => {
                Some(table::ARM_NR_BASE | (n & !table::ARM_PRIVATE) as u32)
            }
            _ => Some(n as u32),
        }
    }

    fn bit(self) -> u8 {
        1 << ABIS.iter().position(|&a| a == self).unwrap_or(0)
    }
}

/// The ABIs a machine of Rust's `target_arch` runs, the native one first:
/// what a filter must tell apart there.
pub fn machine(target_arch: &str) -> Option<&'static [Abi]> {
    Some(match target_arch {
        "x86_64" => &[Abi::X86_64, Abi::X86, Abi::X32],
        "aarch64" => &[Abi::Aarch64, Abi::Arm],
        "riscv64" => &[Abi::Riscv64],
        "arm" => &[Abi::Arm],
        _ => return None,
    })
}

/// The index of `name` in the name table.
fn lookup(name: &[u8]) -> Option<usize> {
    let name_at = |i: usize| {
        let start = if i == 0 { 0 } else { table::NAME_END[i - 1] as usize };
        &table::NAMES[start..table::NAME_END[i] as usize]
    };
    let (mut lo, mut hi) = (0, table::COUNT);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match name_at(mid).cmp(name) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// The number of the call `name` on `abi`, if it has one.
pub fn number(abi: Abi, name: &[u8]) -> Option<u32> {
    lookup(name).and_then(|index| abi.nr(index))
}

/// What the profile's `includes` and `excludes` are checked against, as
/// podman checks them when it turns its profile into the runtime's (the
/// runtime spec has neither field, so crun never sees them): the
/// container's capability bounding set and the running kernel.
#[derive(Clone, Copy, Debug)]
pub struct Host {
    /// Bit N set: capability N (CAP_CHOWN is 0) is in the bounding set.
    pub caps: u64,
    /// The kernel's major and minor version (see `kernel_version`).
    pub kernel: (u32, u32),
}

/// The major and minor version of a kernel release ("6.1.0-18-amd64").
pub fn kernel_version(release: &[u8]) -> (u32, u32) {
    let mut parts = release.split(|&b| b == b'.').map(|p| {
        p.iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0u32, |n, &d| n.saturating_mul(10).saturating_add((d - b'0') as u32))
    });
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Whether `name` ("CAP_SYS_ADMIN") is in `caps`; an unknown name is not.
fn has_cap(caps: u64, name: Str) -> bool {
    crate::caps::parse_caps(name.raw()).is_ok_and(|cap| cap != crate::caps::ALL && caps & cap != 0)
}

/// A comparison operator of an argument rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ne,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
    MaskedEq,
}

const OPS: [(&[u8], Op); 7] = [
    (b"SCMP_CMP_NE", Op::Ne),
    (b"SCMP_CMP_LT", Op::Lt),
    (b"SCMP_CMP_LE", Op::Le),
    (b"SCMP_CMP_EQ", Op::Eq),
    (b"SCMP_CMP_GE", Op::Ge),
    (b"SCMP_CMP_GT", Op::Gt),
    (b"SCMP_CMP_MASKED_EQ", Op::MaskedEq),
];

/// One argument rule: `args[index] op value`; for MASKED_EQ, `value` is
/// the mask and `value_two` what the masked argument must equal.
#[derive(Clone, Copy, Debug)]
struct Cond {
    index: u32,
    op: Op,
    value: u64,
    value_two: u64,
}

/// Calls `each` with every condition of the `args` array at `at`.
fn conditions<'a>(src: &'a [u8], at: usize, mut each: impl FnMut(Cond)) -> Result<'a, ()> {
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(());
    }
    s.array()?;
    while s.item()? {
        let start = s.pos();
        let mut cond = Cond { index: 0, op: Op::Eq, value: 0, value_two: 0 };
        let mut op = None;
        s.object()?;
        while let Some(key) = s.key()? {
            s.peek()?;
            let at = s.pos();
            if key.is(b"index") {
                let index = s.u64()?;
                if index >= 6 {
                    return fault(b"argument index above 5", b"", at);
                }
                cond.index = index as u32;
            } else if key.is(b"value") {
                cond.value = s.u64()?;
            } else if key.is(b"valueTwo") {
                cond.value_two = s.u64()?;
            } else if key.is(b"op") {
                let name = s.string()?;
                match OPS.iter().find(|(n, _)| name.is(n)) {
                    Some(&(_, o)) => op = Some(o),
                    None => return fault(b"unknown operator {}", name.raw(), at),
                }
            } else {
                s.skip()?;
            }
        }
        cond.op = match op {
            Some(op) => op,
            None => return fault(b"argument rule without op", b"", start),
        };
        each(cond);
    }
    Ok(())
}

/// A seccomp return value from an action's name and its errnoRet.
fn action<'a>(name: Str<'a>, errno: Option<u64>, at: usize) -> Result<'a, u32> {
    // SCMP_ACT_ERRNO without errnoRet is EPERM (runtime spec); the kernel
    // caps an errno at MAX_ERRNO, 4095.
    let errno = match errno {
        None => 1,
        Some(e) if e <= 4095 => e as u32,
        Some(_) => return fault(b"errnoRet above 4095", b"", at),
    };
    // SCMP_ACT_NOTIFY (None) needs a listener (listenerPath) that
    // receives the notification descriptor: not built.
    const ACTIONS: [(&[u8], Option<u32>); 7] = [
        (b"SCMP_ACT_ALLOW", Some(RET_ALLOW)),
        (b"SCMP_ACT_KILL", Some(RET_KILL_THREAD)),
        (b"SCMP_ACT_KILL_THREAD", Some(RET_KILL_THREAD)),
        (b"SCMP_ACT_KILL_PROCESS", Some(RET_KILL_PROCESS)),
        (b"SCMP_ACT_TRAP", Some(RET_TRAP)),
        (b"SCMP_ACT_LOG", Some(RET_LOG)),
        (b"SCMP_ACT_NOTIFY", None),
    ];
    if name.is(b"SCMP_ACT_ERRNO") {
        return Ok(RET_ERRNO | errno);
    }
    // A tracer gets errnoRet as the message (runc: EPERM without it).
    if name.is(b"SCMP_ACT_TRACE") {
        return Ok(RET_TRACE | errno);
    }
    match ACTIONS.iter().find(|(n, _)| name.is(n)) {
        Some(&(_, Some(ret))) => Ok(ret),
        Some((_, None)) => fault(b"{} is not supported", name.raw(), at),
        None => fault(b"unknown action {}", name.raw(), at),
    }
}

/// Where a profile's fields are (the last of each, as Go's decoder keeps).
#[derive(Default)]
struct Fields {
    default_action: Option<usize>,
    default_errno: Option<usize>,
    architectures: Option<usize>,
    arch_map: Option<usize>,
    flags: Option<usize>,
    syscalls: Option<usize>,
}

/// One (ABI, call) pair a rule names: the unit the program is built of.
#[derive(Clone, Copy, Debug, Default)]
struct Call {
    abi: u8,
    nr: u32,
    /// The rule's order in the profile.
    seq: u16,
    action: u32,
    /// Where its `args` array is; 0: none, the rule is unconditional.
    args_at: u32,
    /// `ALL` conditions, or only the one at this index: a rule with two
    /// conditions on the same argument becomes one rule per condition, as
    /// runc and crun do it.
    only: u8,
}

const ALL: u8 = u8::MAX;

/// Pairs of (ABI, call) a profile may name: 450 names on three ABIs fit.
pub const MAX_CALLS: usize = 2048;

/// What a leaf of the search covers: one action, or the block of rules of
/// calls[from..to] (one call with argument rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaf {
    Ret(u32),
    Block(u16, u16),
}

/// The numbers from `start` up to the next interval's start.
#[derive(Clone, Copy, Debug)]
struct Interval {
    start: u32,
    leaf: Leaf,
}

/// At most one interval per call and one between each two.
const MAX_INTERVALS: usize = 2 * table::COUNT + 1;

/// A compiled filter: `len` instructions at the start of the output, and
/// the SECCOMP_FILTER_FLAG_ bits its profile asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Program {
    pub len: usize,
    pub flags: u32,
}

/// Compiles the profile `src` for a machine that runs `machine`'s ABIs
/// (`machine()`), into `out` (up to BPF_MAXINSNS instructions).
///
/// The filter tells apart every ABI of the machine: those the profile's
/// `architectures` lists (podman's `archMap` where it lists none), and the
/// native one always (as libseccomp's seccomp_init adds it). A call from
/// any other ABI, or from an architecture the machine should not even
/// have, gets SECCOMP_RET_KILL_PROCESS: a call the filter cannot read is
/// refused, and killing the whole process (not only the thread, libseccomp's
/// default) leaves nothing half-running; before Linux 4.14 the kernel reads
/// it as SECCOMP_RET_KILL.
pub fn compile<'a>(src: &'a [u8], machine: &[Abi], host: &Host, out: &mut [SockFilter]) -> Result<'a, Program> {
    let fields = read_fields(src)?;
    let Some(at) = fields.default_action else {
        return fault(b"no defaultAction", b"", 0);
    };
    let default_errno = match fields.default_errno {
        Some(e) => optional_u64(src, e)?,
        None => None,
    };
    let default = action(Scanner::at(src, at).string()?, default_errno, at)?;
    let flags = match fields.flags {
        Some(at) => read_flags(src, at)?,
        None => 0,
    };
    let native = machine[0];
    let mut listed = 0u8;
    if let Some(at) = fields.architectures {
        listed = read_architectures(src, at)?;
    }
    if listed == 0 {
        if let Some(at) = fields.arch_map {
            listed = read_arch_map(src, at, native)?;
        }
    }
    listed |= native.bit();
    let selected = |abi: Abi| machine.contains(&abi) && listed & abi.bit() != 0;

    let mut calls = [Call::default(); MAX_CALLS];
    let mut count = 0;
    if let Some(at) = fields.syscalls {
        count = read_rules(src, at, native, host, &selected, &mut calls)?;
    }
    let calls = &mut calls[..count];
    calls.sort_unstable_by_key(|c| (c.abi, c.nr, c.seq));

    let limit = out.len().min(BPF_MAXINSNS);
    let mut e = Emitter { out: &mut out[..limit], len: 0, rets: [None; RET_CACHE], next_ret: 0 };
    let mut intervals = [Interval { start: 0, leaf: Leaf::Ret(0) }; MAX_INTERVALS];
    let mut entries = [(0u32, 0usize); 6];
    // Architectures in reverse, so the native one's comes first. x32 is
    // in x86_64's: its calls are x86_64's with __X32_SYSCALL_BIT set.
    for (i, &abi) in machine.iter().enumerate().rev() {
        if abi == Abi::X32 || !selected(abi) {
            continue;
        }
        let low = if selected(abi) {
            e.search(src, abi, default, calls, &mut intervals)?
        } else {
            Target::Ret(RET_KILL_PROCESS)
        };
        let entry = if abi == Abi::X86_64 {
            let high = if selected(Abi::X32) {
                e.search(src, Abi::X32, default, calls, &mut intervals)?
            } else if selected(Abi::X86_64) {
                // nr -1 is no x32 call: the kernel and tracers use it to
                // skip a call (libseccomp lets it through to the default).
                Target::Label(e.jump(JEQ, u32::MAX, Target::Ret(default), Target::Ret(RET_KILL_PROCESS))?)
            } else {
                Target::Ret(RET_KILL_PROCESS)
            };
            Target::Label(e.jump(JGE, table::X32_SYSCALL_BIT, high, low)?)
        } else {
            low
        };
        e.here(entry)?;
        entries[i] = (abi.audit_arch(), e.push(LD_ABS, 0, 0, NR)?);
    }
    let mut next = Target::Ret(RET_KILL_PROCESS);
    for (i, &abi) in machine.iter().enumerate().rev() {
        if abi == Abi::X32 || !selected(abi) {
            continue;
        }
        let (arch, label) = entries[i];
        next = Target::Label(e.jump(JEQ, arch, Target::Label(label), next)?);
    }
    e.here(next)?;
    e.push(LD_ABS, 0, 0, ARCH)?;
    let len = e.len;
    out.copy_within(limit - len..limit, 0);
    Ok(Program { len, flags })
}

fn optional_u64(src: &[u8], at: usize) -> Result<'_, Option<u64>> {
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(None);
    }
    Ok(Some(s.u64()?))
}

fn read_fields(src: &[u8]) -> Result<'_, Fields> {
    let mut f = Fields::default();
    let mut s = Scanner::new(src);
    s.object()?;
    while let Some(key) = s.key()? {
        s.peek()?;
        let at = Some(s.pos());
        let field = if key.is(b"defaultAction") {
            &mut f.default_action
        } else if key.is(b"defaultErrnoRet") {
            &mut f.default_errno
        } else if key.is(b"architectures") {
            &mut f.architectures
        } else if key.is(b"archMap") {
            &mut f.arch_map
        } else if key.is(b"flags") {
            &mut f.flags
        } else if key.is(b"syscalls") {
            &mut f.syscalls
        } else {
            s.skip()?;
            continue;
        };
        *field = at;
        s.skip()?;
    }
    s.end()?;
    Ok(f)
}

/// Calls `each` with every string of the array (or null) at `at`.
fn strings<'a>(src: &'a [u8], at: usize, mut each: impl FnMut(Str<'a>, usize) -> Result<'a, ()>) -> Result<'a, ()> {
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(());
    }
    s.array()?;
    while s.item()? {
        s.peek()?;
        let at = s.pos();
        each(s.string()?, at)?;
    }
    Ok(())
}

/// The ABIs an `architectures` list names, as bits. libseccomp's names of
/// architectures this compiler has no table for (MIPS, PowerPC, s390, ...)
/// are skipped: a filter for this machine never sees their calls.
fn read_architectures(src: &[u8], at: usize) -> Result<'_, u8> {
    let mut bits = 0;
    strings(src, at, |name, at| {
        match ABIS.iter().find(|a| name.is(a.scmp_name())) {
            Some(abi) => bits |= abi.bit(),
            None if name.raw().starts_with(b"SCMP_ARCH_") => {}
            None => return fault(b"unknown architecture {}", name.raw(), at),
        }
        Ok(())
    })?;
    Ok(bits)
}

/// podman's `archMap` (profiles without `architectures`): the native
/// architecture and its `subArchitectures`.
fn read_arch_map(src: &[u8], at: usize, native: Abi) -> Result<'_, u8> {
    let mut bits = 0;
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(0);
    }
    s.array()?;
    while s.item()? {
        let (mut arch, mut subs) = (None, None);
        s.object()?;
        while let Some(key) = s.key()? {
            if key.is(b"architecture") {
                arch = Some(s.string()?);
            } else if key.is(b"subArchitectures") {
                subs = Some(s.pos());
                s.skip()?;
            } else {
                s.skip()?;
            }
        }
        if arch.is_some_and(|a| a.is(native.scmp_name())) {
            bits |= native.bit();
            if let Some(at) = subs {
                bits |= read_architectures(src, at)?;
            }
        }
    }
    Ok(bits)
}

fn read_flags(src: &[u8], at: usize) -> Result<'_, u32> {
    const FLAGS: [(&[u8], u32); 4] = [
        (b"SECCOMP_FILTER_FLAG_TSYNC", FLAG_TSYNC),
        (b"SECCOMP_FILTER_FLAG_LOG", FLAG_LOG),
        (b"SECCOMP_FILTER_FLAG_SPEC_ALLOW", FLAG_SPEC_ALLOW),
        (b"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", FLAG_WAIT_KILLABLE_RECV),
    ];
    let mut flags = 0;
    strings(src, at, |name, at| match FLAGS.iter().find(|(n, _)| name.is(n)) {
        Some((_, bit)) => {
            flags |= bit;
            Ok(())
        }
        None => fault(b"unknown flag {}", name.raw(), at),
    })?;
    Ok(flags)
}

/// Whether an `includes` (or, `excluding`, an `excludes`) object at `at`
/// lets its rule in, as podman decides: includes need every cap, the native
/// architecture among `arches` and a kernel at least `minKernel`; excludes
/// drop the rule on any cap, the native architecture, or such a kernel.
fn filter_allows<'a>(src: &'a [u8], at: usize, excluding: bool, native: Abi, host: &Host) -> Result<'a, bool> {
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(true);
    }
    let (mut caps, mut arches, mut min_kernel) = (None, None, None);
    s.object()?;
    while let Some(key) = s.key()? {
        let at = Some(s.pos());
        if key.is(b"caps") {
            caps = at;
        } else if key.is(b"arches") {
            arches = at;
        } else if key.is(b"minKernel") {
            min_kernel = at;
        }
        s.skip()?;
    }
    let mut allows = true;
    if let Some(at) = caps {
        strings(src, at, |cap, _| {
            let held = has_cap(host.caps, cap);
            allows &= if excluding { !held } else { held };
            Ok(())
        })?;
    }
    if let Some(at) = arches {
        let (mut any, mut native_listed) = (false, false);
        strings(src, at, |arch, _| {
            any = true;
            native_listed |= arch.is(native.go_name());
            Ok(())
        })?;
        if any {
            allows &= native_listed != excluding;
        }
    }
    if let Some(at) = min_kernel {
        let mut s = Scanner::at(src, at);
        if !s.null()? {
            let version = s.string()?;
            let min = kernel_version(version.raw());
            if min == (0, 0) {
                return fault(b"bad minKernel {}", version.raw(), at);
            }
            allows &= (host.kernel >= min) != excluding;
        }
    }
    Ok(allows)
}

/// The rules of the `syscalls` array at `at` that apply, as (ABI, call)
/// pairs in `calls`: how many.
fn read_rules<'a>(
    src: &'a [u8],
    at: usize,
    native: Abi,
    host: &Host,
    selected: &dyn Fn(Abi) -> bool,
    calls: &mut [Call; MAX_CALLS],
) -> Result<'a, usize> {
    let mut count = 0;
    let mut s = Scanner::at(src, at);
    if s.null()? {
        return Ok(0);
    }
    s.array()?;
    let mut seq: u16 = 0;
    while s.item()? {
        seq = seq.wrapping_add(1);
        s.peek()?;
        let rule_at = s.pos();
        let (mut names, mut name, mut act, mut errno, mut args, mut includes, mut excludes) =
            (None, None, None, None, None, None, None);
        s.object()?;
        while let Some(key) = s.key()? {
            s.peek()?;
            let at = Some(s.pos());
            if key.is(b"names") {
                names = at;
            } else if key.is(b"name") {
                name = at;
            } else if key.is(b"action") {
                act = at;
            } else if key.is(b"errnoRet") {
                errno = at;
            } else if key.is(b"args") {
                args = at;
            } else if key.is(b"includes") {
                includes = at;
            } else if key.is(b"excludes") {
                excludes = at;
            }
            s.skip()?;
        }
        let Some(act_at) = act else {
            return fault(b"a rule without action", b"", rule_at);
        };
        let errno = match errno {
            Some(at) => optional_u64(src, at)?,
            None => None,
        };
        let ret = action(Scanner::at(src, act_at).string()?, errno, act_at)?;
        let (mut conds, mut indexes, mut repeated) = (0u8, 0u8, false);
        if let Some(at) = args {
            conditions(src, at, |c| {
                conds += 1;
                repeated |= indexes & 1 << c.index != 0;
                indexes |= 1 << c.index;
            })?;
        }
        if let Some(at) = includes {
            if !filter_allows(src, at, false, native, host)? {
                continue;
            }
        }
        if let Some(at) = excludes {
            if !filter_allows(src, at, true, native, host)? {
                continue;
            }
        }
        let mut add = |index: usize| -> Result<'a, ()> {
            for abi in ABIS.into_iter().filter(|&a| selected(a)) {
                let Some(nr) = abi.nr(index) else { continue };
                let template = Call {
                    abi: abi as u8,
                    nr,
                    seq,
                    action: ret,
                    args_at: if conds > 0 { args.unwrap_or(0) as u32 } else { 0 },
                    only: ALL,
                };
                let parts = if repeated { conds } else { 1 };
                for part in 0..parts {
                    if count == MAX_CALLS {
                        return fault(b"more than 2048 rules for one ABI's calls", b"", rule_at);
                    }
                    calls[count] = Call { only: if repeated { part } else { ALL }, ..template };
                    count += 1;
                }
            }
            Ok(())
        };
        // Names no ABI of this machine has are skipped, as libseccomp (and
        // runc and crun) skip them: profiles name every architecture's calls.
        let mut each_name = |name: Str<'a>, _| {
            let mut buf = [0; 64];
            if let Some(index) = name.decode(&mut buf).and_then(lookup) {
                add(index)?;
            }
            Ok(())
        };
        if let Some(at) = names {
            strings(src, at, &mut each_name)?;
        }
        if let Some(at) = name {
            let mut s = Scanner::at(src, at);
            each_name(s.string()?, at)?;
        }
    }
    Ok(count)
}

/// Where a jump goes: an instruction already written (its label), or a
/// `ret` of this value, written where a jump needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Label(usize),
    Ret(u32),
}

/// How many recent `ret`s are remembered for sharing.
const RET_CACHE: usize = 8;

/// Writes a program backwards from the end of `out`: an instruction's
/// label is how many were written before it, so the instruction written at
/// `len` reaches label `l` with offset `len - l - 1`.
struct Emitter<'o> {
    out: &'o mut [SockFilter],
    len: usize,
    rets: [Option<(u32, usize)>; RET_CACHE],
    next_ret: usize,
}

impl Emitter<'_> {
    fn push<'a>(&mut self, code: u16, jt: u8, jf: u8, k: u32) -> Result<'a, usize> {
        if self.len == self.out.len() {
            return fault(b"program longer than 4096 instructions (BPF_MAXINSNS)", b"", 0);
        }
        let at = self.out.len() - 1 - self.len;
        self.out[at] = SockFilter { code, jt, jf, k };
        self.len += 1;
        Ok(self.len - 1)
    }

    /// How far the next instruction written would jump to `label`.
    fn distance(&self, label: usize) -> usize {
        self.len - label - 1
    }

    /// A label for `target` within `MAX_JUMP - slack` of the next
    /// instruction: the target itself, a shared `ret`, or a new `ret` or
    /// `ja` written now (so placed right after the jump).
    fn reach<'a>(&mut self, target: Target, slack: usize) -> Result<'a, usize> {
        match target {
            Target::Label(label) if self.distance(label) <= MAX_JUMP - slack => Ok(label),
            Target::Label(label) => {
                let k = self.distance(label) as u32;
                self.push(JA, 0, 0, k)
            }
            Target::Ret(value) => {
                let near = |&&(v, l): &&(u32, usize)| v == value && self.distance(l) <= MAX_JUMP - slack;
                if let Some((_, label)) = self.rets.iter().flatten().find(near) {
                    return Ok(*label);
                }
                let label = self.push(RET, 0, 0, value)?;
                self.rets[self.next_ret] = Some((value, label));
                self.next_ret = (self.next_ret + 1) % RET_CACHE;
                Ok(label)
            }
        }
    }

    /// Writes a conditional jump: to `jt` if A `code` k, else to `jf`.
    fn jump<'a>(&mut self, code: u16, k: u32, jt: Target, jf: Target) -> Result<'a, usize> {
        // The false target first, one closer: the true one may add an
        // instruction in between.
        let f = self.reach(jf, 1)?;
        let t = self.reach(jt, 0)?;
        let (t, f) = (self.distance(t) as u8, self.distance(f) as u8);
        self.push(code, t, f, k)
    }

    /// Makes `target` the next instruction: its label.
    fn here<'a>(&mut self, target: Target) -> Result<'a, usize> {
        match target {
            Target::Label(label) if label + 1 == self.len => Ok(label),
            Target::Label(label) => {
                let k = self.distance(label) as u32;
                self.push(JA, 0, 0, k)
            }
            Target::Ret(value) => self.push(RET, 0, 0, value),
        }
    }

    /// The search of `abi`'s calls (A holds nr): their intervals, then
    /// the tree over them.
    fn search<'a>(
        &mut self,
        src: &'a [u8],
        abi: Abi,
        default: u32,
        calls: &[Call],
        intervals: &mut [Interval; MAX_INTERVALS],
    ) -> Result<'a, Target> {
        let first = calls.iter().position(|c| c.abi == abi as u8).unwrap_or(calls.len());
        let end = first + calls[first..].iter().take_while(|c| c.abi == abi as u8).count();
        let mut n = 1;
        intervals[0] = Interval { start: 0, leaf: Leaf::Ret(default) };
        let mut i = first;
        while i < end {
            let nr = calls[i].nr;
            let j = i + calls[i..end].iter().take_while(|c| c.nr == nr).count();
            let leaf = leaf_of(&calls[i..j], i, default);
            // The last interval is always the default's, from a number at
            // most nr on.
            if leaf != Leaf::Ret(default) {
                let last = intervals[n - 1].start;
                let extends = last == nr && n >= 2 && intervals[n - 2].leaf == leaf && matches!(leaf, Leaf::Ret(_));
                if extends {
                    intervals[n - 1].start = nr + 1;
                } else {
                    if last == nr {
                        n -= 1;
                    }
                    intervals[n] = Interval { start: nr, leaf };
                    intervals[n + 1] = Interval { start: nr + 1, leaf: Leaf::Ret(default) };
                    n += 2;
                }
            }
            i = j;
        }
        self.tree(src, abi, default, calls, &intervals[..n])
    }

    /// A binary search over `intervals` (at least one): `jge` on the
    /// middle one's start; right half written first, so it comes after.
    fn tree<'a>(
        &mut self,
        src: &'a [u8],
        abi: Abi,
        default: u32,
        calls: &[Call],
        intervals: &[Interval],
    ) -> Result<'a, Target> {
        if let [one] = intervals {
            return match one.leaf {
                Leaf::Ret(value) => Ok(Target::Ret(value)),
                Leaf::Block(from, to) => self.block(src, abi, default, &calls[from as usize..to as usize]),
            };
        }
        let mid = intervals.len() / 2;
        let right = self.tree(src, abi, default, calls, &intervals[mid..])?;
        let left = self.tree(src, abi, default, calls, &intervals[..mid])?;
        Ok(Target::Label(self.jump(JGE, intervals[mid].start, right, left)?))
    }

    /// The rules of one call, in the profile's order: the first whose
    /// conditions all hold gives its action; else the call's (last) rule
    /// without arguments, else the default. (libseccomp lets a rule without
    /// arguments hide the others; Docker's and podman's profiles never give
    /// one call both kinds with different actions, and this order lets a
    /// profile allow some arguments of a call it otherwise refuses.)
    fn block<'a>(&mut self, src: &'a [u8], abi: Abi, default: u32, rules: &[Call]) -> Result<'a, Target> {
        let otherwise = rules.iter().rev().find(|c| c.args_at == 0).map_or(default, |c| c.action);
        let mut next = Target::Ret(otherwise);
        for rule in rules.iter().rev().filter(|c| c.args_at != 0) {
            let mut conds = [Cond { index: 0, op: Op::Eq, value: 0, value_two: 0 }; 6];
            let mut count = 0;
            let mut k = 0;
            conditions(src, rule.args_at as usize, |c| {
                if rule.only == ALL || rule.only == k {
                    if count < conds.len() {
                        conds[count] = c;
                    }
                    count += 1;
                }
                k += 1;
            })?;
            // All of them must hold: written last first, each passing on to
            // the one after it.
            let mut pass = Target::Ret(rule.action);
            for cond in conds[..count.min(6)].iter().rev() {
                pass = Target::Label(self.condition(abi, cond, pass, next)?);
            }
            next = pass;
        }
        Ok(next)
    }

    /// One comparison of a 64-bit argument with `cond.value`: the high
    /// halves decide unless they are equal, then the low halves (unsigned,
    /// as libseccomp compares). On ABIs with 32-bit arguments, the low
    /// halves only.
    fn condition<'a>(&mut self, abi: Abi, cond: &Cond, pass: Target, fail: Target) -> Result<'a, usize> {
        let (code, swapped) = match cond.op {
            Op::Eq | Op::MaskedEq => (JEQ, false),
            Op::Ne => (JEQ, true),
            Op::Gt => (JGT, false),
            Op::Ge => (JGE, false),
            Op::Lt => (JGE, true),
            Op::Le => (JGT, true),
        };
        let (yes, no) = if swapped { (fail, pass) } else { (pass, fail) };
        let (value, mask) = match cond.op {
            Op::MaskedEq => (cond.value_two, Some(cond.value)),
            _ => (cond.value, None),
        };
        let (lo, hi) = (value as u32, (value >> 32) as u32);
        let offset = ARGS + 8 * cond.index;
        self.jump(code, lo, yes, no)?;
        if let Some(mask) = mask {
            self.push(AND, 0, 0, mask as u32)?;
        }
        let low = self.push(LD_ABS, 0, 0, offset)?;
        if !abi.wide() {
            return Ok(low);
        }
        match cond.op {
            // Equal high halves: the low ones decide; else it is not equal.
            Op::Eq | Op::Ne | Op::MaskedEq => self.jump(JEQ, hi, Target::Label(low), no)?,
            // A greater high half decides for greater, a smaller one for
            // smaller.
            _ => {
                let equal = self.jump(JEQ, hi, Target::Label(low), no)?;
                self.jump(JGT, hi, yes, Target::Label(equal))?
            }
        };
        if let Some(mask) = mask {
            self.push(AND, 0, 0, (mask >> 32) as u32)?;
        }
        self.push(LD_ABS, 0, 0, offset + 4)
    }
}

/// The leaf of one call's rules calls[at..at + rules.len()]. Of its
/// rules without arguments the profile's last wins: podman's default
/// profile allows `setns` in its long list and refuses it further down to
/// containers without CAP_SYS_ADMIN.
fn leaf_of(rules: &[Call], at: usize, default: u32) -> Leaf {
    if rules.iter().any(|c| c.args_at != 0) {
        return Leaf::Block(at as u16, (at + rules.len()) as u16);
    }
    Leaf::Ret(rules.last().map_or(default, |c| c.action))
}

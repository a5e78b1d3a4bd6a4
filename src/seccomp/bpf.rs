//! Classic BPF as seccomp runs it: the instruction, the opcodes a filter
//! uses, the return actions and where `struct seccomp_data` keeps each
//! field (<linux/filter.h>, <linux/bpf_common.h>, <linux/seccomp.h>).
//! Shared by the library and by build.rs, which compiles the built-in
//! filter with the same code.

use core::mem::offset_of;
use linux_raw_sys::ptrace as k;

/// `struct sock_filter`: one instruction.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SockFilter {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// The kernel refuses longer programs (EINVAL).
pub const BPF_MAXINSNS: usize = k::BPF_MAXINSNS as usize;

/// A = 32-bit word at offset k of `seccomp_data`.
pub const LD_ABS: u16 = (k::BPF_LD | k::BPF_W | k::BPF_ABS) as u16;
/// A &= k.
pub const AND: u16 = (k::BPF_ALU | k::BPF_AND | k::BPF_K) as u16;
/// Jump forward by k (32 bits: the only long jump).
pub const JA: u16 = (k::BPF_JMP | k::BPF_JA) as u16;
/// Jump by jt if A == k, else by jf (8-bit offsets).
pub const JEQ: u16 = (k::BPF_JMP | k::BPF_JEQ | k::BPF_K) as u16;
/// Jump by jt if A > k (unsigned), else by jf.
pub const JGT: u16 = (k::BPF_JMP | k::BPF_JGT | k::BPF_K) as u16;
/// Jump by jt if A >= k (unsigned), else by jf.
pub const JGE: u16 = (k::BPF_JMP | k::BPF_JGE | k::BPF_K) as u16;
/// Return k: the action.
pub const RET: u16 = (k::BPF_RET | k::BPF_K) as u16;

/// The longest jump a conditional instruction can make.
pub const MAX_JUMP: usize = u8::MAX as usize;

pub const RET_KILL_PROCESS: u32 = k::SECCOMP_RET_KILL_PROCESS;
pub const RET_KILL_THREAD: u32 = k::SECCOMP_RET_KILL_THREAD;
pub const RET_TRAP: u32 = k::SECCOMP_RET_TRAP;
pub const RET_ERRNO: u32 = k::SECCOMP_RET_ERRNO;
pub const RET_TRACE: u32 = k::SECCOMP_RET_TRACE;
pub const RET_LOG: u32 = k::SECCOMP_RET_LOG;
pub const RET_ALLOW: u32 = k::SECCOMP_RET_ALLOW;

pub const FLAG_TSYNC: u32 = k::SECCOMP_FILTER_FLAG_TSYNC;
pub const FLAG_LOG: u32 = k::SECCOMP_FILTER_FLAG_LOG;
pub const FLAG_SPEC_ALLOW: u32 = k::SECCOMP_FILTER_FLAG_SPEC_ALLOW;
pub const FLAG_WAIT_KILLABLE_RECV: u32 = k::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

pub const AUDIT_ARCH_X86_64: u32 = k::AUDIT_ARCH_X86_64;
pub const AUDIT_ARCH_I386: u32 = k::AUDIT_ARCH_I386;
pub const AUDIT_ARCH_AARCH64: u32 = k::AUDIT_ARCH_AARCH64;
pub const AUDIT_ARCH_ARM: u32 = k::AUDIT_ARCH_ARM;
pub const AUDIT_ARCH_RISCV64: u32 = k::AUDIT_ARCH_RISCV64;

/// Offsets in `struct seccomp_data`.
pub const NR: u32 = offset_of!(k::seccomp_data, nr) as u32;
pub const ARCH: u32 = offset_of!(k::seccomp_data, arch) as u32;
pub const ARGS: u32 = offset_of!(k::seccomp_data, args) as u32;

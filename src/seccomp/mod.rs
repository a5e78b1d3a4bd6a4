//! The system call filter (SPEC §5.5, The sandbox; §7, Seccomp).
//!
//! `BUILTIN` is the built-in filter, compiled from `builtin.json` by
//! build.rs (with `compile.rs`, this module's compiler) for the target's
//! ABIs: the classic binary carries the program and neither the parser nor
//! the name tables. `compile` (feature `seccomp-file`, which `oci` needs too) compiles an
//! OCI profile at run time for this machine's ABIs. `sys::install_filter`
//! installs either.

pub mod bpf;
#[cfg(any(test, feature = "seccomp-file"))]
pub mod compile;
#[cfg(any(test, feature = "seccomp-file"))]
mod syscalls;

pub use bpf::{SockFilter, BPF_MAXINSNS};

/// The built-in filter, for this build's target architecture.
pub static BUILTIN: &[SockFilter] = include!(concat!(env!("OUT_DIR"), "/seccomp_builtin.rs"));

#[cfg(any(test, feature = "seccomp-file"))]
pub use compile::{kernel_version, Host, ProfileError, Program};

/// `program` as a state record stores it (SPEC §3): each instruction in 8
/// bytes, code, jt, jf, k, little-endian; the bytes written to `out`.
pub fn program_bytes<'o>(program: &[SockFilter], out: &'o mut [u8]) -> &'o [u8] {
    let mut len = 0;
    for (insn, to) in program.iter().zip(out.chunks_exact_mut(8)) {
        to[..2].copy_from_slice(&insn.code.to_le_bytes());
        to[2] = insn.jt;
        to[3] = insn.jf;
        to[4..].copy_from_slice(&insn.k.to_le_bytes());
        len += 8;
    }
    &out[..len]
}

/// The program `bytes` holds (as `program_bytes` writes it), in `out`;
/// None when it is not whole instructions or longer than BPF_MAXINSNS.
pub fn program_from_bytes<'o>(bytes: &[u8], out: &'o mut [SockFilter; BPF_MAXINSNS]) -> Option<&'o [SockFilter]> {
    if !bytes.len().is_multiple_of(8) || bytes.len() / 8 > BPF_MAXINSNS {
        return None;
    }
    for (from, insn) in bytes.chunks_exact(8).zip(out.iter_mut()) {
        *insn = SockFilter {
            code: u16::from_le_bytes([from[0], from[1]]),
            jt: from[2],
            jf: from[3],
            k: u32::from_le_bytes([from[4], from[5], from[6], from[7]]),
        };
    }
    Some(&out[..bytes.len() / 8])
}

/// The ABIs this machine runs, the native one first.
#[cfg(any(test, feature = "seccomp-file"))]
fn this_machine() -> &'static [compile::Abi] {
    let arch = if cfg!(target_arch = "x86_64") {
        "x86_64"
    } else if cfg!(target_arch = "aarch64") {
        "aarch64"
    } else if cfg!(target_arch = "riscv64") {
        "riscv64"
    } else {
        "arm"
    };
    compile::machine(arch).unwrap_or(&[compile::Abi::Arm])
}

/// Compiles the OCI seccomp profile `json` for this machine into `out`:
/// the program is `out[..len]`, to be installed with the profile's `flags`
/// (SECCOMP_FILTER_FLAG_ bits). `host` is what the profile's podman
/// `includes`/`excludes` are checked against (the container's bounding set
/// and the running kernel).
#[cfg(any(test, feature = "seccomp-file"))]
pub fn compile<'a>(
    json: &'a [u8],
    host: &Host,
    out: &mut [SockFilter; BPF_MAXINSNS],
) -> Result<Program, ProfileError<'a>> {
    compile::compile(json, this_machine(), host, out)
}

#[cfg(test)]
mod tests;

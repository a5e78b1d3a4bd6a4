//! Link flags of the shipped binary only (the unit tests on the host link
//! std): it brings its own _start and links no libc. One table, spelled for
//! rust-lld (cross builds, see .cargo/config.toml) and for a C compiler
//! driver (the native cc), each flag with its reason.
//!
//! And the built-in seccomp filter (SPEC §5.5): src/seccomp/builtin.json
//! compiled by the library's own compiler (the same files, included here)
//! for the target's ABIs, written to OUT_DIR as the array
//! `seccomp::BUILTIN` includes.

// The compiler's files, as the library has them: `crate::json`,
// `crate::caps`, `super::bpf` and `super::syscalls` resolve the same way
// here.
#[allow(dead_code)]
#[path = "src/seccomp/bpf.rs"]
mod bpf;
#[allow(dead_code)]
#[path = "src/caps.rs"]
mod caps;
#[allow(dead_code)]
#[path = "src/seccomp/compile.rs"]
mod compile;
#[allow(dead_code)]
#[path = "src/json.rs"]
mod json;
#[allow(dead_code)]
#[path = "src/seccomp/syscalls.rs"]
mod syscalls;

/// (rust-lld, cc driver, why); an empty spelling is not needed there.
const LINK_FLAGS: [(&str, &str, &str); 10] = [
    ("-static", "-static", "fully static: no dynamic loader, no shared library"),
    ("--no-pie", "-no-pie", "nothing relocates a position-independent binary without libc"),
    ("", "-nostartfiles", "our own _start, no crt1.o"),
    ("", "-nostdlib", "no libc, no libgcc"),
    ("", "-fuse-ld=bfd", "GNU ld lays this binary out smaller than the lld rustc may pick"),
    ("--gc-sections", "-Wl,--gc-sections", "drop every function nothing calls"),
    ("--build-id=none", "-Wl,--build-id=none", "no .note.gnu.build-id"),
    ("-znorelro", "-Wl,-z,norelro", "no RELRO segment and its page padding"),
    ("-znoexecstack", "-Wl,-z,noexecstack", "a non-executable stack"),
    ("-znoseparate-code", "-Wl,-z,noseparate-code", "no page-aligned padding around the code"),
];

/// The built-in filter for the target's ABIs, as Rust source.
fn builtin_filter(out_dir: &str) {
    let profile = "src/seccomp/builtin.json";
    let json = std::fs::read(profile).unwrap();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap();
    let machine = compile::machine(&arch).unwrap_or_else(|| panic!("no seccomp filter for {arch}"));
    // The built-in profile has no includes or excludes: no host to check.
    let host = compile::Host { caps: 0, kernel: (0, 0) };
    let mut program = [bpf::SockFilter::default(); bpf::BPF_MAXINSNS];
    let len = match compile::compile(&json, machine, &host, &mut program) {
        Ok(p) => p.len,
        Err(e) => panic!(
            "{profile}: {} {} at byte {}",
            String::from_utf8_lossy(e.what),
            String::from_utf8_lossy(e.value),
            e.at
        ),
    };
    let mut rust = String::from("&[\n");
    for i in &program[..len] {
        rust += &format!("    SockFilter {{ code: {:#06x}, jt: {}, jf: {}, k: {:#x} }},\n", i.code, i.jt, i.jf, i.k);
    }
    rust += "]\n";
    std::fs::write(format!("{out_dir}/seccomp_builtin.rs"), rust).unwrap();
    for file in [
        profile,
        "src/caps.rs",
        "src/seccomp/compile.rs",
        "src/seccomp/bpf.rs",
        "src/seccomp/syscalls.rs",
        "src/json.rs",
    ] {
        println!("cargo:rerun-if-changed={file}");
    }
}

fn main() {
    // panic = "abort" needs no unwind tables, but the precompiled core
    // brings them: drop them at link time (they would be a fifth of the
    // binary), and the compiler's version string in .comment, which
    // nothing reads. INSERT keeps the linker's default script for the rest.
    let out = std::env::var("OUT_DIR").unwrap();
    builtin_filter(&out);
    let script = format!("{out}/discarded-sections.ld");
    std::fs::write(
        &script,
        "SECTIONS { /DISCARD/ : { *(.eh_frame) *(.eh_frame_hdr) *(.comment) } } INSERT AFTER .text;\n",
    )
    .unwrap();
    let lld = std::env::var("RUSTC_LINKER").is_ok_and(|l| l.ends_with("rust-lld"));
    for (for_lld, for_cc, _why) in LINK_FLAGS {
        let flag = if lld { for_lld } else { for_cc };
        if !flag.is_empty() {
            println!("cargo:rustc-link-arg-bins={flag}");
        }
    }
    println!("cargo:rustc-link-arg-bins={}{script}", if lld { "-T" } else { "-Wl,-T," });
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
}

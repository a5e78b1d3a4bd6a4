// The shipped binary brings its own _start and links no libc: tell the
// linker so, for the binary only (the unit tests on the host link std).
// The same flags are spelled for a C compiler driver (the native cc) or
// for rust-lld directly (cross builds, see .cargo/config.toml).
fn main() {
    // panic = "abort" needs no unwind tables, but the precompiled core
    // brings them: drop them at link time (they would be a fifth of the
    // binary). INSERT keeps the linker's default script for the rest.
    let out = std::env::var("OUT_DIR").unwrap();
    let script = format!("{out}/no-unwind-tables.ld");
    std::fs::write(
        &script,
        "SECTIONS { /DISCARD/ : { *(.eh_frame) *(.eh_frame_hdr) } } INSERT AFTER .text;\n",
    )
    .unwrap();
    let lld = std::env::var("RUSTC_LINKER").is_ok_and(|l| l.ends_with("rust-lld"));
    let linker_flags = [
        "--gc-sections",
        "--build-id=none",
        "-z,norelro",
        "-z,noexecstack",
        "-z,noseparate-code",
        "-T",
    ];
    if lld {
        for arg in ["-static", "--no-pie", "--gc-sections", "--build-id=none", "-znorelro", "-znoexecstack", "-znoseparate-code"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
        println!("cargo:rustc-link-arg-bins=-T{script}");
    } else {
        // GNU ld, also where rustc would pick its bundled lld (x86_64 gnu
        // hosts): it lays this binary out smaller.
        for arg in ["-fuse-ld=bfd", "-nostartfiles", "-nostdlib", "-static", "-no-pie"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
        for arg in &linker_flags[..linker_flags.len() - 1] {
            println!("cargo:rustc-link-arg-bins=-Wl,{arg}");
        }
        println!("cargo:rustc-link-arg-bins=-Wl,-T,{script}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
}

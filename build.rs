// The shipped binary brings its own _start and links no libc: tell the
// linker so, for the binary only (the unit tests on the host link std).
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
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{script}");
    for arg in [
        "-nostartfiles",
        "-nostdlib",
        "-static",
        "-no-pie",
        "-Wl,--gc-sections",
        "-Wl,--build-id=none",
        "-Wl,-z,norelro",
        "-Wl,-z,noexecstack",
        "-Wl,-z,noseparate-code",
    ] {
        println!("cargo:rustc-link-arg-bins={arg}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}

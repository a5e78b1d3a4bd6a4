//! Link flags of the shipped binary only (the unit tests on the host link
//! std): it brings its own _start and links no libc. One table, spelled for
//! rust-lld (cross builds, see .cargo/config.toml) and for a C compiler
//! driver (the native cc), each flag with its reason.

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

fn main() {
    // panic = "abort" needs no unwind tables, but the precompiled core
    // brings them: drop them at link time (they would be a fifth of the
    // binary), and the compiler's version string in .comment, which
    // nothing reads. INSERT keeps the linker's default script for the rest.
    let out = std::env::var("OUT_DIR").unwrap();
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

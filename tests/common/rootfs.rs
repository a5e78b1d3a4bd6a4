//! Throwaway root filesystems from busybox-static, and host tools.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use super::{set_mode, TempDir};

/// The host's `ip` (iproute2).
pub fn ip() -> String {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .iter()
        .find(|p| Path::new(p).is_file())
        .expect("tests need ip: install iproute2")
        .to_string()
}

/// Whether the ELF file at `path` has no program interpreter (PT_INTERP),
/// i.e. runs without a dynamic linker.
pub fn is_static_elf(path: &Path) -> bool {
    let elf = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 || elf[5] != 1 {
        return false;
    }
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).all(|i| {
        let at = phoff + i * phentsize;
        at + 4 <= elf.len() && u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) != 3
    })
}

/// The applet names of /bin/busybox.
pub fn busybox_applets() -> Vec<String> {
    let out =
        Command::new("/bin/busybox").arg("--list").output().expect("tests need /bin/busybox: install busybox-static");
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// A minimal root filesystem: a static busybox in bin/ with a symlink per
/// applet, the usual empty directories, and etc/passwd and etc/group with
/// root. Everything is world-readable and -searchable (0755; tmp is 1777).
pub fn rootfs() -> TempDir {
    let busybox = Path::new("/bin/busybox");
    assert!(busybox.is_file(), "tests need /bin/busybox: install busybox-static");
    assert!(is_static_elf(busybox), "/bin/busybox is dynamically linked: install busybox-static");
    let root = TempDir::new();
    for dir in ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "proc", "dev", "etc", "root"] {
        root.mkdir(dir, 0o755);
    }
    root.mkdir("tmp", 0o1777);
    fs::copy(busybox, root.join("bin/busybox")).expect("cannot copy /bin/busybox");
    set_mode(&root.join("bin/busybox"), 0o755);
    for applet in busybox_applets() {
        if applet != "busybox" {
            symlink("busybox", root.join("bin").join(&applet)).unwrap();
        }
    }
    root.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644);
    root.write("etc/group", "root:x:0:\n", 0o644);
    root
}

//! The rescue (issue 24, SPEC §4): a real Debian root on a disk, owned by
//! host root as an installed system is, entered with `contain --idmap` as a
//! rescuer would: container root changes a password, installs a package,
//! and what it wrote stays host root's on the disk, never a high id. The
//! disk is an ext4 image file of the test's on a loop device, mounted on
//! the host below a root-owned 0700 directory; `--idmap` refuses the same
//! image mounted below a world-searchable one. Root only (`--idmap` is).
//!
//! The root is the sysvinit variant of tests/distro.rs (its cached tarball,
//! built once by tests/distro/build.sh), unpacked as host root with
//! `tar --numeric-owner` straight into the image: the same as `cp -a` of an
//! unpacked tree, without a second 250 MB copy. Everything (mounts, the
//! loop device, the image) goes with the `Disk` guard, also when an
//! assertion fails.
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The cached tarball of a tests/distro variant, built once (as in
/// tests/distro.rs: build.sh returns at once when the cache is current).
fn tarball(name: &str) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/distro/build.sh");
    let out = Command::new("sh").arg(&script).arg(name).stderr(Stdio::inherit()).output().expect("sh");
    assert!(out.status.success(), "harness: tests/distro/build.sh {name} failed ({})", out.status);
    let cache = String::from_utf8_lossy(&out.stdout).trim().to_string();
    PathBuf::from(cache).join(format!("{name}.tar"))
}

/// Run a host tool as the test (root), panicking with its stderr on failure.
#[track_caller]
fn host(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("harness: cannot run {}: {e}", args[0]));
    assert!(out.status.success(), "harness: {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An ext4 image file on a loop device, mounted on the host at one or more
/// places. Drop unmounts (newest first), detaches the loop device, and then
/// the fields' TempDirs remove the image and the mount points.
struct Disk {
    dev: String,
    mounts: Vec<String>,
    // Dropped after `drop` below has unmounted: the image file's directory
    // and the mount points' parents.
    _image: TempDir,
    parents: Vec<TempDir>,
}

impl Disk {
    fn new(size: &str) -> Disk {
        let image = TempDir::new();
        set_mode(image.path(), 0o700);
        let file = image.join_str("disk.img");
        host(&["truncate", "-s", size, &file]);
        host(&["mkfs.ext4", "-q", &file]);
        let dev = host(&["losetup", "--find", "--show", &file]).trim().to_string();
        assert!(dev.starts_with("/dev/loop"), "harness: losetup printed {dev:?}");
        Disk { dev, mounts: Vec::new(), _image: image, parents: Vec::new() }
    }

    /// Mount the file system at `sysroot` in a new directory of mode
    /// `parent_mode` (owned by root), and return the mount point.
    fn mount(&mut self, parent_mode: u32) -> String {
        let parent = TempDir::new();
        set_mode(parent.path(), parent_mode);
        let dir = parent.mkdir("sysroot", 0o755).to_str().unwrap().to_string();
        self.parents.push(parent);
        host(&["mount", "-t", "ext4", &self.dev, &dir]);
        self.mounts.push(dir.clone());
        dir
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        for dir in self.mounts.iter().rev() {
            let ok = Command::new("umount").arg(dir).status().is_ok_and(|s| s.success());
            if !ok {
                eprintln!("harness: umount {dir} failed; detaching it lazily");
                let _ = Command::new("umount").args(["--lazy", dir]).status();
            }
        }
        let _ = Command::new("losetup").args(["--detach", &self.dev]).status();
    }
}

/// A tiny Debian package: one file, /usr/share/ucontain-rescue/marker.
fn tiny_deb(dir: &TempDir) -> PathBuf {
    dir.write(
        "pkg/DEBIAN/control",
        "Package: ucontain-rescue\nVersion: 1.0\nArchitecture: all\nMaintainer: ucontain tests <root@localhost>\n\
         Description: a rescue test package\n",
        0o644,
    );
    dir.write("pkg/usr/share/ucontain-rescue/marker", "rescued\n", 0o644);
    let deb = dir.join("ucontain-rescue.deb");
    host(&["dpkg-deb", "--root-owner-group", "--build", &dir.join_str("pkg"), deb.to_str().unwrap()]);
    deb
}

/// The root's line of a shadow file.
fn root_line(shadow: &Path) -> String {
    let text = fs::read_to_string(shadow).unwrap();
    text.lines().find(|l| l.starts_with("root:")).expect("shadow has root").to_string()
}

/// The owner of `path` on the host.
fn owner(path: &Path) -> (u32, u32) {
    let m = fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (m.uid(), m.gid())
}

const SCRIPT: &str = r#"export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
set -e
id -u
stat -c '%u %g %a %n' /etc/shadow /usr/bin/dpkg
echo root:secret | chpasswd
dpkg -i /root/ucontain-rescue.deb >/root/dpkg.log 2>&1 || { cat /root/dpkg.log >&2; exit 1; }
dpkg-query -W -f='${Package} ${Status}\n' ucontain-rescue
stat -c '%u %g %n' /usr/share/ucontain-rescue/marker
cat /usr/share/ucontain-rescue/marker
if command -v update-initramfs; then echo has update-initramfs; else echo no update-initramfs; fi
ls -A /boot
test -d /etc/kernel/postinst.d && echo kernel hooks directory
stat -c '%u %g %a %n' /etc/shadow"#;

#[test]
fn a_debian_disk_is_rescued_through_idmap_and_stays_host_roots() {
    let tar = tarball("sysvinit");
    let mut disk = Disk::new("1G");
    let sysroot = disk.mount(0o700);
    // As an installed system is: every file host root's (0:0 mostly; the
    // tarball's numeric ids, as root unpacks them, e.g. /etc/shadow 0:42).
    host(&["tar", "-C", &sysroot, "--numeric-owner", "-xpf", tar.to_str().unwrap()]);
    let root = Path::new(&sysroot);
    assert_eq!(owner(&root.join("usr/bin/dpkg")), (0, 0));
    let shadow = root.join("etc/shadow");
    let shadow_owner = owner(&shadow);
    assert_eq!(shadow_owner.0, 0);
    let before = root_line(&shadow);
    // build.sh's console login: root has an empty password.
    assert!(before.starts_with("root::"), "{before}");
    let work = TempDir::new();
    fs::copy(tiny_deb(&work), root.join("root/ucontain-rescue.deb")).unwrap();
    // The cached roots are minbase plus an init: no kernel, so no
    // initramfs-tools (and no network here to install it), so this test
    // cannot run `update-initramfs -u`. It asserts what the root has
    // instead: no update-initramfs, an empty /boot, /etc/kernel/postinst.d
    // (where initramfs-tools would hook in). A root that gains
    // initramfs-tools fails here: then add `update-initramfs -u` to SCRIPT
    // and check /boot/initrd.img-* is 0:0 on the host.
    assert!(!root.join("usr/sbin/update-initramfs").exists(), "the root has initramfs-tools now: test it");

    let bin = bin_str();
    // The same disk below a world-searchable directory: refused, untouched.
    let open = disk.mount(0o755);
    let r = Caller::Root.run(&[&bin, "contain", "--idmap", "-c", &open, "/bin/sh", "-c", "echo x > /etc/new"]);
    let message = format!(
        "contain: --idmap refused: other users can reach {open} (put it below a root-owned 0700 directory, as /var/lib/machines)\n"
    );
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr), (Some(1), "", message));
    assert!(!root.join("etc/new").exists());

    // Below the 0700 directory: accepted, and the rescue works.
    let r = Caller::Root.run(&[&bin, "contain", "--idmap", "-c", &sysroot, "/bin/sh", "-c", SCRIPT]);
    let shadow_ids = format!("{} {}", shadow_owner.0, shadow_owner.1);
    let expected = format!(
        "0\n{shadow_ids} 640 /etc/shadow\n0 0 755 /usr/bin/dpkg\n\
         ucontain-rescue install ok installed\n0 0 /usr/share/ucontain-rescue/marker\nrescued\n\
         no update-initramfs\nkernel hooks directory\n{shadow_ids} 640 /etc/shadow\n"
    );
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), expected.as_str(), ""), "{r:?}");

    // On the host: the password changed, and every file written is host
    // root's, not container root's high id (100000+ or 4294967294).
    let after = root_line(&shadow);
    assert_ne!(after, before);
    assert!(after.starts_with("root:$y$"), "a yescrypt hash for root: {after}");
    assert_eq!(owner(&shadow), shadow_owner, "/etc/shadow's owner on the host");
    let marker = root.join("usr/share/ucontain-rescue/marker");
    assert_eq!(fs::read_to_string(&marker).unwrap(), "rescued\n");
    assert_eq!(owner(&marker), (0, 0), "the package's file on the host");
    assert_eq!(owner(&root.join("var/lib/dpkg/status")), (0, 0), "dpkg's status on the host");
    assert_eq!(owner(&root.join("var/lib/dpkg/info/ucontain-rescue.list")), (0, 0));
}

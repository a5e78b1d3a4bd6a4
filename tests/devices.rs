//! `contain -d DEV[:DST]` (SPEC §5.5): one host device node, usable by
//! container root at DST, and nothing else of the host's /dev. Tried on a
//! loop device over an image file of the test's, whose bytes show what
//! container root wrote.
mod common;

use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// The container's /dev without a console (SPEC §5.5), with `extra` added.
fn dev_listing(extra: &[&str]) -> String {
    let mut names: Vec<&str> =
        ["fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"]
            .to_vec();
    names.extend_from_slice(extra);
    names.sort();
    names.iter().map(|n| format!("{n}\n")).collect()
}

/// What `dd` wrote over the image's first bytes.
const WRITTEN: &str = "written by container root";

fn write_script(dev: &str) -> String {
    format!("ls -A /dev; printf '{WRITTEN}' | dd of={dev} conv=notrunc,fsync 2>/dev/null; echo dd=$?")
}

#[test]
fn root_passes_a_block_device_that_container_root_can_write() {
    let dev = Loop::new();
    let root = rootfs();
    let bin = bin_str();
    let script = write_script(&dev.dev);
    let r = Caller::Root.run(&[&bin, "contain", "-c", "-d", &dev.dev, root.str(), "sh", "-c", &script]);
    let name = dev.dev.trim_start_matches("/dev/");
    // Nothing of the host's /dev but the node passed (no /dev/vda or sda,
    // no staging directory left).
    assert_eq!((r.code(), r.stdout.clone(), r.stderr.as_str()), (Some(0), dev_listing(&[name]) + "dd=0\n", ""));
    let image = fs::read(dev.image.join("image")).unwrap();
    assert_eq!(&image[..WRITTEN.len()], WRITTEN.as_bytes(), "the image does not hold what was written");
    assert!(image[WRITTEN.len()..].iter().all(|&b| b == IMAGE_BYTE));
}

#[test]
fn root_passes_a_device_at_another_name_under_dev() {
    let dev = Loop::new();
    let root = rootfs();
    let bin = bin_str();
    let script = "stat -c '%F %u %g %t:%T' /dev/disk/rescue; printf '{WRITTEN}' | dd of=/dev/disk/rescue 2>/dev/null";
    let script = script.replace("{WRITTEN}", WRITTEN);
    let spec = format!("{}:/dev/disk/rescue", dev.dev);
    let r = Caller::Root.run(&[&bin, "contain", "-c", "--device", &spec, root.str(), "sh", "-c", &script]);
    let rdev = fs::metadata(&dev.dev).unwrap().rdev();
    let (major, minor) = (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff), (rdev & 0xff) | ((rdev >> 12) & !0xff));
    // Owned by container root; major and minor as stat prints them (hex).
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), format!("block special file 0 0 {major:x}:{minor:x}\n").as_str(), "")
    );
    assert_eq!(&fs::read(dev.image.join("image")).unwrap()[..WRITTEN.len()], WRITTEN.as_bytes());
}

#[test]
fn without_d_the_device_is_unreachable() {
    let dev = Loop::new();
    let rdev = fs::metadata(&dev.dev).unwrap().rdev();
    let (major, minor) = (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff), (rdev & 0xff) | ((rdev >> 12) & !0xff));
    for caller in Caller::BOTH {
        let root = rootfs();
        // A copy of the node in DIR, owned by container root: DIR is nodev.
        let node = root.join_str("blk");
        let made = Command::new("mknod").args([&node, "b", &major.to_string(), &minor.to_string()]).status().unwrap();
        assert!(made.success(), "harness: mknod {node} failed");
        let owner = if caller == Caller::Root { 4294967294 } else { UID };
        chown(Path::new(&node), owner, owner);
        let script = format!(
            "[ -e {0} ] && echo present || echo absent; printf x | dd of=/blk conv=notrunc 2>&1; echo dd=$?",
            dev.dev
        );
        let bin = bin_str();
        let r = caller.run(&[&bin, "contain", "-c", root.str(), "sh", "-c", &script]);
        assert_eq!(
            (r.code(), r.stdout.as_str()),
            (Some(0), "absent\ndd: can't open '/blk': Permission denied\ndd=1\n"),
            "{caller:?}: {r:?}"
        );
        assert!(dev.untouched(), "{caller:?}: the loop device's image was written");
    }
}

/// An unprivileged caller's mounter cannot mknod: the host's node itself
/// is bound, and opens only as far as its mode lets the caller in. A 0666
/// node (/dev/zero) works; the disk (the host's loop node, not
/// world-writable) does not.
#[test]
fn unprivileged_gets_the_hosts_node_with_its_permissions() {
    let dev = Loop::new();
    let mode = fs::metadata(&dev.dev).unwrap().mode();
    assert_eq!(mode & 0o006, 0, "harness: {} is open to others", dev.dev);
    let root = rootfs();
    let bin = bin_str();
    let script = format!("head -c 4 /dev/z | od -An -tx1; printf x | dd of={} conv=notrunc 2>&1; echo dd=$?", dev.dev);
    let r = Caller::Unprivileged.run(&[
        &bin,
        "contain",
        "-c",
        "-d",
        "/dev/zero:/dev/z",
        "-d",
        &dev.dev,
        root.str(),
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (Some(0), format!(" 00 00 00 00\ndd: can't open '{}': Permission denied\ndd=1\n", dev.dev).as_str(), ""),
        "{r:?}"
    );
    assert!(dev.untouched(), "the loop device's image was written");
    // Root: the same /dev/zero, a node of container root's.
    let r = Caller::Root.run(&[
        &bin,
        "contain",
        "-c",
        "-d",
        "/dev/zero:/dev/z",
        root.str(),
        "stat",
        "-c",
        "%u %t:%T",
        "/dev/z",
    ]);
    assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(0), "0 1:5\n", ""), "{r:?}");
}

#[test]
fn bad_devices_are_named() {
    let root = rootfs();
    let bin = bin_str();
    for caller in Caller::BOTH {
        for (spec, message) in [
            ("/etc/passwd:/dev/x", "contain: cannot pass /etc/passwd: not a character or block device\n"),
            ("/dev/nonexistent", "contain: cannot pass /dev/nonexistent: No such file or directory\n"),
        ] {
            let r = caller.run(&[&bin, "contain", "-c", "-d", spec, root.str(), "true"]);
            assert_eq!((r.code(), r.stdout.as_str(), r.stderr.as_str()), (Some(1), "", message), "{caller:?}: {r:?}");
        }
        let usage = caller.run(&[&bin, "contain", "--help"]).stdout;
        for (spec, message) in [
            ("/dev/zero:/etc/zero", "contain: bad device '/dev/zero:/etc/zero': DST must be under /dev\n"),
            ("/etc/passwd", "contain: bad device '/etc/passwd': DST must be under /dev\n"),
            ("/dev/zero:/dev/", "contain: bad device '/dev/zero:/dev/': DST must be under /dev\n"),
        ] {
            let r = caller.run(&[&bin, "contain", "-c", "-d", spec, root.str(), "true"]);
            assert_eq!((r.code(), r.stderr), (Some(64), format!("{message}{usage}")), "{caller:?}");
        }
    }
}

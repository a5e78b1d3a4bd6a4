//! Loop devices on image files of the test's, for the tests of device
//! nodes (a real block device no test may touch otherwise).

use std::fs;
use std::process::Command;

use super::TempDir;

/// A loop device on an image file of the test's, detached on drop.
pub struct Loop {
    pub dev: String,
    pub image: TempDir,
}

pub const IMAGE_BYTE: u8 = b'A';
pub const IMAGE_SIZE: usize = 64 * 1024;

impl Loop {
    pub fn new() -> Loop {
        let image = TempDir::new();
        let file = image.write("image", vec![IMAGE_BYTE; IMAGE_SIZE], 0o600);
        let out = Command::new("losetup")
            .args(["--find", "--show"])
            .arg(&file)
            .output()
            .unwrap_or_else(|e| panic!("harness: cannot run losetup (util-linux): {e}"));
        assert!(out.status.success(), "harness: losetup --find failed: {}", String::from_utf8_lossy(&out.stderr));
        let dev = String::from_utf8(out.stdout).unwrap().trim().to_string();
        assert!(dev.starts_with("/dev/loop"), "harness: losetup printed {dev:?}");
        Loop { dev, image }
    }

    /// The image's bytes, all IMAGE_BYTE unless something wrote them.
    pub fn untouched(&self) -> bool {
        fs::read(self.image.join("image")).unwrap() == vec![IMAGE_BYTE; IMAGE_SIZE]
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["--detach", &self.dev]).status();
    }
}

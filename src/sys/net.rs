//! The network: the loopback interface.

use super::*;
/// Brings the loopback interface of the current network namespace up.
pub fn loopback_up() -> Result<()> {
    use linux_raw_sys::ioctl::{SIOCGIFFLAGS, SIOCSIFFLAGS};
    // SAFETY: plain integer arguments.
    let sock = check(unsafe {
        sc::syscall3(
            nr!(__NR_socket),
            linux_raw_sys::net::AF_INET as usize,
            (linux_raw_sys::net::SOCK_DGRAM | O_CLOEXEC) as usize,
            0,
        )
    })
    .map(|fd| Fd(fd as i32))?;
    // struct ifreq: the name in 16 bytes, then a union whose first member
    // we use is the short ifr_flags.
    let mut ifreq = [0u8; 40];
    ifreq[..2].copy_from_slice(b"lo");
    // SAFETY: ifreq is large enough for struct ifreq.
    check(unsafe {
        sc::syscall3(nr!(__NR_ioctl), sock.raw() as usize, SIOCGIFFLAGS as usize, ifreq.as_mut_ptr() as usize)
    })?;
    ifreq[16] |= 1; // IFF_UP
                    // SAFETY: as above.
    unit(unsafe {
        sc::syscall3(nr!(__NR_ioctl), sock.raw() as usize, SIOCSIFFLAGS as usize, ifreq.as_mut_ptr() as usize)
    })
}

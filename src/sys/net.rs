//! The network: the loopback interface.

use super::*;
use linux_raw_sys::ioctl::{SIOCGIFFLAGS, SIOCSIFFLAGS};
use linux_raw_sys::net::{ifreq, net_device_flags::IFF_UP, AF_INET, SOCK_DGRAM};

/// Brings the loopback interface of the current network namespace up
/// (netdevice(7): read the flags, add IFF_UP, write them back).
pub fn loopback_up() -> Result<()> {
    // SAFETY: plain integer arguments.
    let sock = check(unsafe { sc::syscall3(nr!(__NR_socket), AF_INET as usize, (SOCK_DGRAM | O_CLOEXEC) as usize, 0) })
        .map(|fd| Fd(fd as i32))?;
    // SAFETY: ifreq is plain data (names, numbers, addresses): all zero
    // bytes is a valid value.
    let mut request: ifreq = unsafe { core::mem::zeroed() };
    // SAFETY: the name is the union's only member.
    let name = unsafe { &mut request.ifr_ifrn.ifrn_name };
    name[0] = b'l' as c_char;
    name[1] = b'o' as c_char;
    ioctl(&sock, SIOCGIFFLAGS, &mut request)?;
    // SAFETY: SIOCGIFFLAGS filled ifru_flags.
    unsafe { request.ifr_ifru.ifru_flags |= IFF_UP as i16 };
    ioctl(&sock, SIOCSIFFLAGS, &mut request).map(drop)
}

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
    // SAFETY: an ifreq, as SIOCGIFFLAGS reads and writes (netdevice(7)).
    unsafe { ioctl(&sock, SIOCGIFFLAGS, &mut request) }?;
    // SAFETY: SIOCGIFFLAGS filled ifru_flags.
    unsafe { request.ifr_ifru.ifru_flags |= IFF_UP as i16 };
    // SAFETY: an ifreq, as SIOCSIFFLAGS reads (netdevice(7)).
    unsafe { ioctl(&sock, SIOCSIFFLAGS, &mut request) }.map(drop)
}

/// A connected pair of local sockets (socketpair(2), AF_UNIX,
/// SOCK_SEQPACKET: one send is one message), both close-on-exec.
pub fn socket_pair() -> Result<(Fd, Fd)> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into fds.
    unit(unsafe {
        sc::syscall4(
            nr!(__NR_socketpair),
            linux_raw_sys::net::AF_UNIX as usize,
            (linux_raw_sys::net::SOCK_SEQPACKET | O_CLOEXEC) as usize,
            0,
            fds.as_mut_ptr() as usize,
        )
    })?;
    Ok((Fd(fds[0]), Fd(fds[1])))
}

/// The control message that carries one descriptor: a cmsghdr and an int,
/// laid out as CMSG_SPACE(sizeof(int)) (the int right after the header,
/// the whole padded to the header's alignment).
#[repr(C)]
struct OneFd {
    header: linux_raw_sys::net::cmsghdr,
    fd: i32,
}

/// Sends `data` as one message on the socket `sock`, with `fd` passed
/// along (SCM_RIGHTS, unix(7)) when there is one.
pub fn send_with_fd(sock: &Fd, data: &[u8], fd: Option<&Fd>) -> Result<()> {
    use linux_raw_sys::net::{cmsghdr, msghdr, SCM_RIGHTS, SOL_SOCKET};
    let mut iov = k::iovec { iov_base: data.as_ptr() as *mut _, iov_len: data.len() as _ };
    let mut control = OneFd {
        header: cmsghdr {
            cmsg_len: (core::mem::offset_of!(OneFd, fd) + 4) as _,
            cmsg_level: SOL_SOCKET as _,
            cmsg_type: SCM_RIGHTS as _,
        },
        fd: fd.map_or(-1, Fd::raw),
    };
    let msg = msghdr {
        msg_name: core::ptr::null_mut(),
        msg_namelen: 0,
        msg_iov: &mut iov as *mut k::iovec as *mut _,
        msg_iovlen: 1,
        msg_control: if fd.is_some() { &mut control as *mut OneFd as *mut _ } else { core::ptr::null_mut() },
        msg_controllen: if fd.is_some() { core::mem::size_of::<OneFd>() as _ } else { 0 },
        msg_flags: 0,
    };
    // SAFETY: msg points to one iovec over `data` and, with a descriptor,
    // to one well-formed control message; the kernel only reads them.
    check(unsafe { sc::syscall3(nr!(__NR_sendmsg), sock.raw() as usize, &msg as *const msghdr as usize, 0) }).map(drop)
}

/// Receives one message into `buf`: its length (0 at end of file) and
/// the descriptor passed with it, if any (close-on-exec).
pub fn recv_with_fd(sock: &Fd, buf: &mut [u8]) -> Result<(usize, Option<Fd>)> {
    use linux_raw_sys::net::{cmsghdr, msghdr, MSG_CMSG_CLOEXEC, SCM_RIGHTS, SOL_SOCKET};
    let mut iov = k::iovec { iov_base: buf.as_mut_ptr() as *mut _, iov_len: buf.len() as _ };
    let mut control = OneFd { header: cmsghdr { cmsg_len: 0, cmsg_level: 0, cmsg_type: 0 }, fd: -1 };
    let mut msg = msghdr {
        msg_name: core::ptr::null_mut(),
        msg_namelen: 0,
        msg_iov: &mut iov as *mut k::iovec as *mut _,
        msg_iovlen: 1,
        msg_control: &mut control as *mut OneFd as *mut _,
        msg_controllen: core::mem::size_of::<OneFd>() as _,
        msg_flags: 0,
    };
    // SAFETY: msg points to one iovec over `buf` and to room for one
    // control message carrying one descriptor, which the kernel fills.
    let n = check(unsafe {
        sc::syscall3(
            nr!(__NR_recvmsg),
            sock.raw() as usize,
            &mut msg as *mut msghdr as usize,
            MSG_CMSG_CLOEXEC as usize,
        )
    })?;
    let passed = msg.msg_controllen as usize >= core::mem::offset_of!(OneFd, fd) + 4
        && control.header.cmsg_level == SOL_SOCKET as _
        && control.header.cmsg_type == SCM_RIGHTS as _
        && control.fd >= 0;
    Ok((n, passed.then_some(Fd(control.fd))))
}

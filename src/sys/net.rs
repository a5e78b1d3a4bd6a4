//! The network: interfaces brought up, a veth pair made and deleted
//! (rtnetlink), local sockets that pass descriptors.

use super::*;
use linux_raw_sys::ioctl::{SIOCGIFFLAGS, SIOCSIFFLAGS};
use linux_raw_sys::net::{ifreq, net_device_flags::IFF_UP, AF_INET, SOCK_DGRAM};

/// Brings the interface `name` (at most 15 bytes) of the current network
/// namespace up (netdevice(7): read the flags, add IFF_UP, write them back).
pub fn link_up(name: &[u8]) -> Result<()> {
    // SAFETY: plain integer arguments.
    let sock = check(unsafe { sc::syscall3(nr!(__NR_socket), AF_INET as usize, (SOCK_DGRAM | O_CLOEXEC) as usize, 0) })
        .map(|fd| Fd(fd as i32))?;
    // SAFETY: ifreq is plain data (names, numbers, addresses): all zero
    // bytes is a valid value.
    let mut request: ifreq = unsafe { core::mem::zeroed() };
    // SAFETY: the name is the union's only member.
    let ifr_name = unsafe { &mut request.ifr_ifrn.ifrn_name };
    for (to, &from) in ifr_name[..15].iter_mut().zip(name) {
        *to = from as c_char;
    }
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

/// The attribute of a veth's peer in IFLA_INFO_DATA (linux/veth.h:
/// VETH_INFO_PEER), which linux-raw-sys does not carry.
const VETH_INFO_PEER: u16 = 1;

/// An rtnetlink request (rtnetlink(7), netlink(7)): a header, an
/// ifinfomsg, attributes each padded to 4 bytes, nested ones holding
/// their length over what they nest. 256 bytes hold the largest we make.
struct Request {
    buf: [u8; 256],
    len: usize,
}

impl Request {
    /// A request of type `kind` (RTM_*) with `flags` besides NLM_F_REQUEST
    /// and NLM_F_ACK, for the interface that its IFLA_IFNAME names.
    fn new(kind: u32, flags: u32) -> Request {
        use linux_raw_sys::netlink::{NLM_F_ACK, NLM_F_REQUEST};
        let mut request = Request { buf: [0; 256], len: 0 };
        // nlmsghdr: length (set by `bytes`), type, flags, sequence, port.
        let mut header = [0u8; 16];
        header[4..6].copy_from_slice(&(kind as u16).to_ne_bytes());
        header[6..8].copy_from_slice(&((NLM_F_REQUEST | NLM_F_ACK | flags) as u16).to_ne_bytes());
        request.put(&header);
        request.ifinfo();
        request
    }

    /// Appends `bytes`, then zeros up to a multiple of 4 (NLMSG_ALIGN,
    /// RTA_ALIGN). The requests made here always fit.
    fn put(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(self.buf.len());
        self.buf[self.len..end].copy_from_slice(&bytes[..end - self.len]);
        self.len = (end + 3) & !3;
    }

    /// An ifinfomsg of any family and index, changing no flags.
    fn ifinfo(&mut self) {
        self.put(&[0; 16]);
    }

    /// Starts attribute `kind` (an rtattr: length, type): where its
    /// header is, for `end`.
    fn begin(&mut self, kind: u16) -> usize {
        let at = self.len;
        let [a, b] = kind.to_ne_bytes();
        self.put(&[0, 0, a, b]);
        at
    }

    /// Ends the attribute begun at `at`: its length, what it holds
    /// included, its last padding not.
    fn end(&mut self, at: usize, unpadded: usize) {
        self.buf[at..at + 2].copy_from_slice(&((unpadded - at) as u16).to_ne_bytes());
    }

    fn attr(&mut self, kind: u16, value: &[u8]) {
        let at = self.begin(kind);
        let unpadded = self.len + value.len();
        self.put(value);
        self.end(at, unpadded);
    }

    /// An interface name: a NUL-terminated string (IFLA_IFNAME).
    fn name(&mut self, name: &[u8]) {
        let mut value = [0u8; 16];
        let len = name.len().min(15);
        value[..len].copy_from_slice(&name[..len]);
        self.attr(linux_raw_sys::netlink::IFLA_IFNAME as u16, &value[..len + 1]);
    }

    /// The finished request, its length in its header.
    fn bytes(&mut self) -> &[u8] {
        self.buf[..4].copy_from_slice(&(self.len as u32).to_ne_bytes());
        &self.buf[..self.len]
    }
}

/// Sends `request` to the kernel's rtnetlink and reads its answer: the
/// acknowledgement, an nlmsgerr whose error is 0 or -errno (netlink(7)).
fn ask(mut request: Request) -> Result<()> {
    use linux_raw_sys::netlink::{NETLINK_ROUTE, NLMSG_ERROR};
    // SAFETY: plain integer arguments.
    let sock = check(unsafe {
        sc::syscall3(
            nr!(__NR_socket),
            linux_raw_sys::net::AF_NETLINK as usize,
            (linux_raw_sys::net::SOCK_RAW | O_CLOEXEC) as usize,
            NETLINK_ROUTE as usize,
        )
    })
    .map(|fd| Fd(fd as i32))?;
    // An unconnected netlink socket sends to the kernel (port 0).
    write_all(&sock, request.bytes())?;
    // The answer repeats the request after the error: room for both.
    let mut answer = [0u8; 512];
    let len = read(&sock, &mut answer)?;
    let word = |at: usize| answer.get(at..at + 4).map(|w| i32::from_ne_bytes([w[0], w[1], w[2], w[3]]));
    let kind = answer.get(4..6).map(|t| u16::from_ne_bytes([t[0], t[1]]));
    match (kind, word(16)) {
        (Some(kind), Some(0)) if len >= 20 && u32::from(kind) == NLMSG_ERROR => Ok(()),
        (Some(kind), Some(e)) if len >= 20 && u32::from(kind) == NLMSG_ERROR && e < 0 => {
            Err(Errno(e.unsigned_abs() as u16))
        }
        _ => Err(Errno::EINVAL),
    }
}

/// Makes a veth pair (veth(4)): `host` in our network namespace, `peer`
/// in the network namespace of process `pid`, both down: neither end can
/// be brought up while the pair is made (veth_open: ENOTCONN until both
/// are registered).
pub fn create_veth(host: &[u8], peer: &[u8], pid: i32) -> Result<()> {
    use linux_raw_sys::netlink::{
        IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_LINKINFO, IFLA_NET_NS_PID, NLM_F_CREATE, NLM_F_EXCL, RTM_NEWLINK,
    };
    let mut request = Request::new(RTM_NEWLINK as u32, NLM_F_CREATE | NLM_F_EXCL);
    request.name(host);
    let info = request.begin(IFLA_LINKINFO as u16);
    request.attr(IFLA_INFO_KIND as u16, b"veth");
    let data = request.begin(IFLA_INFO_DATA as u16);
    // The peer: an ifinfomsg of its own, then its attributes.
    let other = request.begin(VETH_INFO_PEER);
    request.ifinfo();
    request.name(peer);
    request.attr(IFLA_NET_NS_PID as u16, &(pid as u32).to_ne_bytes());
    // Nested attributes end padded: their lengths include it.
    let len = request.len;
    request.end(other, len);
    request.end(data, len);
    request.end(info, len);
    ask(request)
}

/// Deletes the network interface `name` of our network namespace (a
/// veth's peer goes with it); Ok when there is none.
pub fn delete_link(name: &[u8]) -> Result<()> {
    let mut request = Request::new(linux_raw_sys::netlink::RTM_DELLINK as u32, 0);
    request.name(name);
    match ask(request) {
        Err(Errno::ENODEV) => Ok(()),
        other => other,
    }
}

//! Per-connection OS socket settings from the socket options: kernel buffer sizes
//! (SNDBUF/RCVBUF) and TCP keepalives (TCP_KEEPALIVE and its CNT/IDLE/INTVL), applied
//! through a [`SockRef`] so any stream socket kind can share them.

use socket2::{SockRef, TcpKeepalive};
use std::io;
use std::time::Duration;

/// The OS-level settings a connection inherits from its socket; -1 leaves the OS
/// default, as in libzmq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamTuning {
    /// SO_SNDBUF in bytes.
    pub sndbuf: i32,
    /// SO_RCVBUF in bytes.
    pub rcvbuf: i32,
    /// SO_KEEPALIVE: 0 off, 1 on.
    pub keepalive: i32,
    /// TCP_KEEPCNT: probes before the connection is dropped.
    pub keepalive_cnt: i32,
    /// TCP_KEEPIDLE in seconds.
    pub keepalive_idle: i32,
    /// TCP_KEEPINTVL in seconds.
    pub keepalive_intvl: i32,
    /// TOS: IP_TOS (IPv4) / IPV6_TCLASS (IPv6); 0 leaves the OS default.
    pub tos: i32,
    /// TCP_MAXRT: TCP_USER_TIMEOUT in ms; 0 leaves the OS default.
    pub maxrt: i32,
    /// BINDTODEVICE: SO_BINDTODEVICE interface; empty for none.
    pub bind_device: bytes::Bytes,
}

impl StreamTuning {
    /// Sets SO_SNDBUF/SO_RCVBUF where they are not -1 (on a listener, before `listen`,
    /// accepted connections inherit them).
    pub fn apply_buffers(&self, sock: SockRef<'_>) -> io::Result<()> {
        if let Ok(n) = usize::try_from(self.sndbuf) {
            sock.set_send_buffer_size(n)?;
        }
        if let Ok(n) = usize::try_from(self.rcvbuf) {
            sock.set_recv_buffer_size(n)?;
        }
        Ok(())
    }

    /// Sets SO_KEEPALIVE and, when it is not -1, whichever of TCP_KEEPCNT/KEEPIDLE/
    /// KEEPINTVL are not -1 (libzmq's `tune_tcp_keepalives`).
    /// Applies TOS and BINDTODEVICE, which libzmq sets on listeners and on connecting
    /// sockets before `bind`/`connect`. BINDTODEVICE fails as the kernel says (EPERM
    /// without CAP_NET_RAW, ENODEV for an unknown interface).
    pub fn apply_before_connect(&self, sock: SockRef<'_>, ipv6: bool) -> io::Result<()> {
        self.apply_tos(&sock, ipv6)?;
        if !self.bind_device.is_empty() {
            sock.bind_device(Some(&self.bind_device))?;
        }
        Ok(())
    }

    /// Applies TOS (IP_TOS, or IPV6_TCLASS on an IPv6 socket) when it is not 0.
    pub fn apply_tos(&self, sock: &SockRef<'_>, ipv6: bool) -> io::Result<()> {
        let Ok(tos) = u32::try_from(self.tos) else {
            return Ok(());
        };
        if tos == 0 {
            return Ok(());
        }
        if ipv6 {
            sock.set_tclass_v6(tos)?;
            // An IPv6 socket may carry IPv4 traffic too (dual stack); libzmq sets both.
            let _ = sock.set_tos_v4(tos);
            Ok(())
        } else {
            sock.set_tos_v4(tos)
        }
    }

    /// Applies TCP_MAXRT as TCP_USER_TIMEOUT (what libzmq does on Linux).
    pub fn apply_maxrt(&self, sock: &SockRef<'_>) -> io::Result<()> {
        match u32::try_from(self.maxrt) {
            Ok(ms) if ms > 0 => {
                sock.set_tcp_user_timeout(Some(Duration::from_millis(u64::from(ms))))
            }
            _ => Ok(()),
        }
    }

    pub fn apply_keepalive(&self, sock: SockRef<'_>) -> io::Result<()> {
        if self.keepalive == -1 {
            return Ok(());
        }
        let mut params = TcpKeepalive::new();
        let mut any = false;
        if let Ok(secs) = u64::try_from(self.keepalive_idle) {
            params = params.with_time(Duration::from_secs(secs));
            any = true;
        }
        if let Ok(secs) = u64::try_from(self.keepalive_intvl) {
            params = params.with_interval(Duration::from_secs(secs));
            any = true;
        }
        if let Ok(n) = u32::try_from(self.keepalive_cnt) {
            params = params.with_retries(n);
            any = true;
        }
        if any {
            // This also turns SO_KEEPALIVE on; the line below sets what was asked for.
            sock.set_tcp_keepalive(&params)?;
        }
        sock.set_keepalive(self.keepalive == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use socket2::{Domain, Socket, Type};

    /// What a socket with default options asks for: nothing.
    fn os_defaults() -> StreamTuning {
        crate::options::Options::default().tcp_config().tuning
    }

    fn tcp_socket() -> Socket {
        Socket::new(Domain::IPV4, Type::STREAM, None).unwrap()
    }

    #[test]
    fn defaults_leave_the_os_settings() {
        let s = tcp_socket();
        let (snd, rcv) = (s.send_buffer_size().unwrap(), s.recv_buffer_size().unwrap());
        let t = os_defaults();
        t.apply_buffers(SockRef::from(&s)).unwrap();
        t.apply_keepalive(SockRef::from(&s)).unwrap();
        assert_eq!(s.send_buffer_size().unwrap(), snd);
        assert_eq!(s.recv_buffer_size().unwrap(), rcv);
        assert!(!s.keepalive().unwrap());
    }

    #[test]
    fn buffers_are_set() {
        let s = tcp_socket();
        let t = StreamTuning {
            sndbuf: 64 * 1024,
            rcvbuf: 32 * 1024,
            ..os_defaults()
        };
        t.apply_buffers(SockRef::from(&s)).unwrap();
        // Linux doubles the value for its bookkeeping; other systems report it as set.
        let snd = s.send_buffer_size().unwrap();
        let rcv = s.recv_buffer_size().unwrap();
        assert!((64 * 1024..=128 * 1024).contains(&snd), "SO_SNDBUF {snd}");
        assert!((32 * 1024..=64 * 1024).contains(&rcv), "SO_RCVBUF {rcv}");
    }

    #[test]
    fn keepalive_and_its_parameters_are_set() {
        let s = tcp_socket();
        let t = StreamTuning {
            keepalive: 1,
            keepalive_cnt: 7,
            keepalive_idle: 33,
            keepalive_intvl: 11,
            ..os_defaults()
        };
        t.apply_keepalive(SockRef::from(&s)).unwrap();
        assert!(s.keepalive().unwrap());
        assert_eq!(s.tcp_keepalive_retries().unwrap(), 7);
        assert_eq!(s.tcp_keepalive_time().unwrap(), Duration::from_secs(33));
        assert_eq!(s.tcp_keepalive_interval().unwrap(), Duration::from_secs(11));
    }

    #[test]
    fn keepalive_off_stays_off_with_parameters() {
        let s = tcp_socket();
        s.set_keepalive(true).unwrap();
        let t = StreamTuning {
            keepalive: 0,
            keepalive_idle: 40,
            ..os_defaults()
        };
        t.apply_keepalive(SockRef::from(&s)).unwrap();
        assert!(!s.keepalive().unwrap());
        assert_eq!(s.tcp_keepalive_time().unwrap(), Duration::from_secs(40));
    }

    #[test]
    fn parameters_without_keepalive_are_ignored() {
        let s = tcp_socket();
        let before = s.tcp_keepalive_time().unwrap();
        let t = StreamTuning {
            keepalive_idle: 40,
            ..os_defaults()
        };
        t.apply_keepalive(SockRef::from(&s)).unwrap();
        assert!(!s.keepalive().unwrap());
        assert_eq!(s.tcp_keepalive_time().unwrap(), before);
    }
}

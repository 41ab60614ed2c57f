//! The one UDP socket and the task that owns it: every datagram is handed to the room whose
//! leg it belongs to, by the 5-tuple once learned, else by the ICE ufrag in a STUN request.
//! The router owns its maps; rooms change them by message, so nothing here is locked.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use crate::metrics::MediaMetrics;
use crate::{RoomCommand, RoomId, stun};

/// Largest datagram read; WebRTC keeps packets under the path MTU.
const MAX_DATAGRAM: usize = 2048;

/// One received datagram, on its way to a room.
#[derive(Debug)]
pub(crate) struct Datagram {
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub at: Instant,
    pub bytes: Vec<u8>,
}

/// Changes to the routing maps.
#[derive(Debug)]
pub(crate) enum Control {
    /// A leg with this ufrag belongs to `room`.
    Register {
        ufrag: String,
        room: RoomId,
        tx: mpsc::Sender<RoomCommand>,
    },
    /// The leg with this ufrag is gone (left, replaced or ICE-restarted).
    Unregister { ufrag: String },
    /// Every leg of the room is gone.
    UnregisterRoom { room: RoomId },
}

struct Route {
    room: RoomId,
    ufrag: String,
    tx: mpsc::Sender<RoomCommand>,
}

#[derive(Default)]
struct Routes {
    by_ufrag: HashMap<String, (RoomId, mpsc::Sender<RoomCommand>)>,
    by_addr: HashMap<SocketAddr, Route>,
}

impl Routes {
    fn apply(&mut self, control: Control) {
        match control {
            Control::Register { ufrag, room, tx } => {
                self.by_ufrag.insert(ufrag, (room, tx));
            }
            Control::Unregister { ufrag } => {
                self.by_ufrag.remove(&ufrag);
                self.by_addr.retain(|_, r| r.ufrag != ufrag);
            }
            Control::UnregisterRoom { room } => {
                self.by_ufrag.retain(|_, (r, _)| *r != room);
                self.by_addr.retain(|_, r| r.room != room);
            }
        }
    }

    fn route(&mut self, source: SocketAddr, bytes: &[u8]) -> Option<&mpsc::Sender<RoomCommand>> {
        // A STUN request names the leg it wants; it also (re)binds the sender's address, which
        // is how a peer that moved (ICE restart, new network) is followed.
        if let Some(ufrag) = stun::local_ufrag(bytes)
            && let Some((room, tx)) = self.by_ufrag.get(ufrag)
        {
            let route = Route {
                room: *room,
                ufrag: ufrag.to_owned(),
                tx: tx.clone(),
            };
            self.by_addr.insert(source, route);
        }
        self.by_addr.get(&source).map(|r| &r.tx)
    }

    fn len(&self) -> usize {
        self.by_ufrag.len() + self.by_addr.len()
    }
}

/// Starts the router task; returns the control channel.
///
/// `destination` is the address legs advertise as their candidate (the packets' destination as
/// ICE sees it, even when the socket is bound to a wildcard address behind NAT).
pub(crate) fn spawn(
    socket: Arc<UdpSocket>,
    destination: SocketAddr,
    metrics: Arc<MediaMetrics>,
) -> mpsc::Sender<Control> {
    let (tx, rx) = mpsc::channel(1024);
    tokio::spawn(run(socket, destination, rx, metrics));
    tx
}

async fn run(
    socket: Arc<UdpSocket>,
    destination: SocketAddr,
    mut control: mpsc::Receiver<Control>,
    metrics: Arc<MediaMetrics>,
) {
    let mut routes = Routes::default();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        tokio::select! {
            c = control.recv() => match c {
                Some(c) => {
                    routes.apply(c);
                    metrics.routes.store(i64::try_from(routes.len()).unwrap_or(i64::MAX), std::sync::atomic::Ordering::Relaxed);
                }
                None => break,
            },
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, source)) => {
                    MediaMetrics::add(&metrics.datagrams_in, 1);
                    MediaMetrics::add(&metrics.bytes_in, n as u64);
                    let bytes = &buf[..n];
                    let before = routes.len();
                    let routed = routes.route(source, bytes).cloned();
                    if routes.len() != before {
                        metrics.routes.store(i64::try_from(routes.len()).unwrap_or(i64::MAX), std::sync::atomic::Ordering::Relaxed);
                    }
                    match routed.as_ref() {
                        Some(tx) => {
                            let d = Datagram { source, destination, at: Instant::now(), bytes: bytes.to_vec() };
                            if tx.try_send(RoomCommand::Datagram(d)).is_err() {
                                MediaMetrics::add(&metrics.datagrams_dropped, 1);
                            }
                        }
                        None => MediaMetrics::add(&metrics.datagrams_unroutable, 1),
                    }
                }
                // ICMP port-unreachable surfaces here on Linux as ECONNREFUSED; keep serving.
                Err(e) => tracing::debug!(error = %e, "UDP receive error"),
            },
        }
    }
}

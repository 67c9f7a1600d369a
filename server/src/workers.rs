//! Request workers: one single-threaded tokio runtime per core, each serving whole connections.
//!
//! The listeners accept on the caller's runtime and deal each connection, in turn, to a worker
//! thread. From then on everything on that connection runs on that one thread: the TLS
//! handshake (HTTPS), reading requests, the handler, writing responses. On tokio's
//! multi-threaded runtime a connection's work moved between threads, and an idle worker was
//! woken across cores for request after request; on the 2-core machine those wake-ups, and
//! the scheduler's bookkeeping around them, were about a tenth of a GetUser's CPU (issue 24).
//!
//! Stopping: when the accept loops end, the workers' queues close. Each worker then asks its
//! open connections to finish (an in-flight request completes, an idle keep-alive connection
//! closes) and its thread ends; [`Finished::wait`] returns once every one has.

use crate::tls::TlsPeer;
use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// How long an HTTPS client may take to finish its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a listener's connections are served.
#[derive(Clone)]
pub enum Lane {
    /// Plain HTTP; the router sees the peer as `ConnectInfo<SocketAddr>`.
    Plain(Router),
    /// HTTPS: handshaken first; the router sees the peer as `ConnectInfo<TlsPeer>`.
    Tls(Router, TlsAcceptor),
}

/// One accepted connection, on its way to a worker.
struct Accepted {
    stream: std::net::TcpStream,
    peer: SocketAddr,
    lane: Lane,
}

/// The worker threads and the queues that feed them.
pub struct Workers {
    queues: Vec<mpsc::UnboundedSender<Accepted>>,
    next: AtomicUsize,
}

/// Resolves when every worker thread has ended.
pub struct Finished(Vec<oneshot::Receiver<()>>);

impl Finished {
    /// Waits for the workers' threads to end.
    pub async fn wait(self) {
        for done in self.0 {
            let _ = done.await;
        }
    }
}

impl Workers {
    /// Starts `count` workers (at least one).
    pub fn start(count: usize) -> std::io::Result<(Self, Finished)> {
        let mut queues = Vec::new();
        let mut finished = Vec::new();
        for i in 0..count.max(1) {
            let (queue, incoming) = mpsc::unbounded_channel();
            let (done, finish) = oneshot::channel();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            std::thread::Builder::new()
                .name(format!("latchkey-worker-{i}"))
                .spawn(move || {
                    runtime.block_on(work(incoming));
                    drop(runtime);
                    let _ = done.send(());
                })?;
            queues.push(queue);
            finished.push(finish);
        }
        let workers = Self {
            queues,
            next: AtomicUsize::new(0),
        };
        Ok((workers, Finished(finished)))
    }

    /// The number of cores this process may use: one worker each.
    pub fn per_core() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// Accepts on `listener` until `stopped` resolves, dealing connections to the workers.
    pub async fn accept(
        &self,
        listener: TcpListener,
        lane: Lane,
        stopped: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stopped);
        loop {
            let (stream, peer) = tokio::select! {
                () = &mut stopped => return,
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as axum does.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                },
            };
            // Leaves this runtime's reactor; the worker registers it with its own.
            let Ok(stream) = stream.into_std() else {
                continue;
            };
            self.deal(Accepted {
                stream,
                peer,
                lane: lane.clone(),
            });
        }
    }

    fn deal(&self, mut conn: Accepted) {
        let n = self.queues.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        // A worker whose thread has died is skipped; with none left the connection drops.
        for i in 0..n {
            match self.queues[(first + i) % n].send(conn) {
                Ok(()) => return,
                Err(mpsc::error::SendError(back)) => conn = back,
            }
        }
    }
}

/// A worker's loop: serves what it is dealt until its queue closes, then lets its connections
/// finish.
async fn work(mut incoming: mpsc::UnboundedReceiver<Accepted>) {
    let (closing, close) = watch::channel(false);
    let mut connections = JoinSet::new();
    while let Some(conn) = incoming.recv().await {
        connections.spawn(connection(conn, close.clone()));
        while connections.try_join_next().is_some() {}
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

/// Serves one connection on this worker.
async fn connection(conn: Accepted, close: watch::Receiver<bool>) {
    let Ok(tcp) = TcpStream::from_std(conn.stream) else {
        return;
    };
    // Responses go out in one write; small ones should not wait for an ACK.
    let _ = tcp.set_nodelay(true);
    let peer = conn.peer;
    match conn.lane {
        Lane::Plain(router) => http(tcp, router, ConnectInfo(peer), close).await,
        Lane::Tls(router, acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => http(tls, router, ConnectInfo(TlsPeer(peer)), close).await,
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

/// HTTP/1.1 on `io` through `router`, each request carrying `info` (the peer) as axum's
/// `ConnectInfo` does. Ends when the client closes, or, once `close` turns true, after the
/// request in flight.
async fn http<I, C>(io: I, router: Router, info: C, mut close: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    C: Clone + Send + Sync + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let mut req = req.map(Body::new);
        req.extensions_mut().insert(info.clone());
        router.clone().oneshot(req)
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    tokio::select! {
        served = conn.as_mut() => {
            if let Err(e) = served {
                tracing::trace!(error = %e, "connection ended with an error");
            }
        }
        () = async { let _ = close.wait_for(|c| *c).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

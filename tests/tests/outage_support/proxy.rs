//! A loopback TCP proxy between the server and the DynamoDB-API server (moto), which the
//! outage test cuts and restores. moto keeps its data in memory, so stopping it would lose
//! the tables; cutting the path instead is an outage the server cannot tell from DynamoDB
//! being unreachable, and the data is still there when the path comes back.
//!
//! Cut, every open connection is reset and every new one is accepted and reset at once (a
//! refused connection, as the SDK sees it). [`DynamoProxy::cut_at`] cuts on a chosen request:
//! traffic passes until a request for that DynamoDB operation arrives, which is dropped before
//! any of it reaches moto, and the path stays cut. That puts the failure in the middle of an
//! operation, after its earlier requests have been applied.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Prefix of every DynamoDB `X-Amz-Target` header value.
const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// Whether traffic passes.
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    Up,
    Down,
    /// Up until a request carrying this byte string (its target header's value) is seen,
    /// after letting the first `.1` such requests pass.
    DownAt(String, usize),
}

/// What the accept loop and the connections share.
struct State {
    mode: Mutex<Mode>,
    /// Bumped at every cut; each connection ends when it changes.
    cuts: watch::Sender<u64>,
    /// Connections reset because the path was cut.
    resets: AtomicUsize,
}

impl State {
    fn mode(&self) -> std::sync::MutexGuard<'_, Mode> {
        self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn cut(&self) {
        *self.mode() = Mode::Down;
        self.cuts.send_modify(|n| *n += 1);
    }

    /// Whether traffic whose latest bytes are `seen` must be dropped (cutting the path when
    /// `seen` holds the request it was waiting for).
    /// `seen` starts with the `old` bytes of the previous read, whose matches were counted.
    fn drops(&self, seen: &[u8], old: usize) -> bool {
        let trip = match &mut *self.mode() {
            Mode::Up => return false,
            Mode::Down => return true,
            Mode::DownAt(needle, pass) => {
                let n = needle.len();
                let new = seen
                    .windows(n)
                    .enumerate()
                    .filter(|(at, w)| at + n > old && *w == needle.as_bytes())
                    .count();
                let passed = new.min(*pass);
                *pass -= passed;
                new > passed
            }
        };
        if trip {
            self.cut();
        }
        trip
    }
}

/// The proxy: listens on 127.0.0.1 and forwards to one upstream address.
pub struct DynamoProxy {
    url: String,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl DynamoProxy {
    /// Starts a proxy to `upstream` (`http://host:port`), passing traffic.
    pub async fn start(upstream: &str) -> io::Result<Self> {
        let authority = upstream.trim_start_matches("http://").trim_end_matches('/');
        let target = tokio::net::lookup_host(authority)
            .await?
            .next()
            .ok_or_else(|| io::Error::other(format!("{upstream} does not resolve")))?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(State {
            mode: Mutex::new(Mode::Up),
            cuts: watch::channel(0).0,
            resets: AtomicUsize::new(0),
        });
        let accept = tokio::spawn(accept_loop(listener, target, state.clone()));
        Ok(Self { url, state, accept })
    }

    /// `http://127.0.0.1:PORT`: the endpoint to give the server.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Cuts the path now: open connections are reset, new ones refused.
    pub fn cut(&self) {
        self.state.cut();
    }

    /// Passes traffic until a request for `operation` (e.g. `PutItem`) arrives; that request
    /// is dropped unsent and the path is cut from then on.
    pub fn cut_at(&self, operation: &str) {
        self.cut_at_nth(operation, 0);
    }

    /// As [`Self::cut_at`], after letting the first `pass` requests for `operation` through.
    pub fn cut_at_nth(&self, operation: &str, pass: usize) {
        let needle = format!("{TARGET_PREFIX}{operation}\r\n");
        *self.state.mode() = Mode::DownAt(needle, pass);
    }

    /// Lets traffic pass again.
    pub fn restore(&self) {
        *self.state.mode() = Mode::Up;
    }

    /// Whether the path is cut (after [`Self::cut`], or once a `cut_at` request arrived).
    pub fn is_cut(&self) -> bool {
        *self.state.mode() == Mode::Down
    }

    /// Connections reset so far because the path was cut.
    pub fn resets(&self) -> usize {
        self.state.resets.load(Ordering::SeqCst)
    }
}

impl Drop for DynamoProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.state.cut();
    }
}

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, state: Arc<State>) {
    while let Ok((client, _)) = listener.accept().await {
        if *state.mode() == Mode::Down {
            reset(&state, client);
            continue;
        }
        tokio::spawn(relay(client, upstream, state.clone()));
    }
}

/// Closes `stream` with a TCP reset rather than an orderly close.
fn reset(state: &State, stream: TcpStream) {
    state.resets.fetch_add(1, Ordering::SeqCst);
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// Forwards one connection both ways until either side closes or the path is cut.
async fn relay(mut client: TcpStream, upstream: SocketAddr, state: Arc<State>) {
    let mut cuts = state.cuts.subscribe();
    cuts.mark_unchanged();
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        reset(&state, client);
        return;
    };
    let finished = {
        let (mut from_client, mut to_client) = client.split();
        let (mut from_server, mut to_server) = server.split();
        let requests = async {
            // The bytes before this read, so a target split across reads is still seen.
            let mut tail: Vec<u8> = Vec::new();
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = from_client.read(&mut buf).await?;
                if n == 0 {
                    return to_server.shutdown().await;
                }
                let mut seen = std::mem::take(&mut tail);
                let old = seen.len();
                seen.extend_from_slice(&buf[..n]);
                if state.drops(&seen, old) {
                    return Err(io::Error::other("cut"));
                }
                to_server.write_all(&buf[..n]).await?;
                let keep = seen.len().saturating_sub(256);
                tail = seen.split_off(keep);
            }
        };
        let responses = async {
            tokio::io::copy(&mut from_server, &mut to_client).await?;
            to_client.shutdown().await
        };
        tokio::select! {
            _ = cuts.changed() => false,
            done = async { tokio::try_join!(requests, responses) } => done.is_ok(),
        }
    };
    if !finished {
        reset(&state, client);
    }
}

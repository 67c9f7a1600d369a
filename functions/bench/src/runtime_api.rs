//! A local stand-in for the Lambda Runtime API on 127.0.0.1: it starts a function binary and
//! notes when the binary first polls `GET /2018-06-01/runtime/invocation/next` (the cold-start
//! figure). Then either it stops the process at once ([`start_once`]), or it hands it one event,
//! takes its response, and at the next poll (the function idle again) reads the process's peak
//! RSS (`VmHWM`) before stopping it ([`invoke_once`]).

use anyhow::{anyhow, bail, Context};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// One cold start and invocation.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Exec to the first poll of the Runtime API.
    pub cold: Duration,
    /// `statusCode` of the function's response (0 for a non-HTTP response).
    pub status: u16,
    /// Peak resident set after the invocation, KiB.
    pub rss_kib: u64,
}

enum Msg {
    FirstPoll(Instant),
    Response(String),
    Failed(String),
    IdleAgain,
}

/// Starts `bin` (through `runner`, a command prefix such as an emulator, when not empty) with
/// `env` (and nothing else in its environment), and stops it at its first poll, which is left
/// unanswered. Returns the time from exec to that poll.
pub async fn start_once(
    bin: &Path,
    runner: &[String],
    env: &[(String, String)],
) -> anyhow::Result<Duration> {
    Ok(run(bin, runner, env, None).await?.0)
}

/// Starts `bin` as [`start_once`] does, invokes it once with `event`, and stops it when it polls
/// again.
pub async fn invoke_once(
    bin: &Path,
    runner: &[String],
    env: &[(String, String)],
    event: &str,
) -> anyhow::Result<Sample> {
    let (cold, invocation) = run(bin, runner, env, Some(event)).await?;
    let (status, rss_kib) = invocation.context("no invocation")?;
    Ok(Sample {
        cold,
        status,
        rss_kib,
    })
}

/// Starts `bin`, and invokes it with `event` when there is one. Returns the cold start and,
/// after an invocation, the reply's status and the peak RSS in KiB.
async fn run(
    bin: &Path,
    runner: &[String],
    env: &[(String, String)],
    event: Option<&str>,
) -> anyhow::Result<(Duration, Option<(u16, u64)>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let event = event.map(str::to_string);
    let invoke = event.is_some();
    let server = tokio::spawn(async move {
        let polls_seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (tx, event, seen) = (tx.clone(), event.clone(), polls_seen.clone());
            tokio::spawn(async move {
                let _ = serve(stream, event.as_deref(), &tx, &seen).await;
            });
        }
    });
    let started = Instant::now();
    let mut command = match runner.split_first() {
        Some((program, args)) => {
            let mut c = tokio::process::Command::new(program);
            c.args(args).arg(bin);
            c
        }
        None => tokio::process::Command::new(bin),
    };
    let mut child = command
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let pid = child.id().ok_or_else(|| anyhow!("no pid"))?;
    let result = tokio::time::timeout(Duration::from_secs(20), async {
        let mut cold = None;
        let mut status = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::FirstPoll(at) => {
                    cold = Some(at - started);
                    if !invoke {
                        break;
                    }
                }
                Msg::Response(body) => status = Some(status_of(&body)),
                Msg::Failed(body) => bail!("the function reported an error: {body}"),
                Msg::IdleAgain => break,
            }
        }
        let cold = cold.ok_or_else(|| anyhow!("never polled"))?;
        if !invoke {
            return Ok((cold, None));
        }
        let status = status.ok_or_else(|| anyhow!("no response"))?;
        Ok((cold, Some((status, peak_rss_kib(pid)?))))
    })
    .await;
    let _ = child.kill().await;
    server.abort();
    result.map_err(|_| anyhow!("{}: timed out", bin.display()))?
}

/// `statusCode` of a function's response (0 when it has none).
pub(crate) fn status_of(body: &str) -> u16 {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["statusCode"].as_u64())
        .unwrap_or(0) as u16
}

fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no VmHWM for {pid}"))
}

/// Serves one keep-alive connection of the runtime client. Without an event, the first poll is
/// left pending too.
async fn serve(
    mut stream: TcpStream,
    event: Option<&str>,
    tx: &mpsc::UnboundedSender<Msg>,
    polls: &std::sync::atomic::AtomicUsize,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    loop {
        let (head, body) = read_request(&mut stream, &mut buf).await?;
        let line = head.lines().next().unwrap_or_default().to_string();
        if line.starts_with("GET /2018-06-01/runtime/invocation/next") {
            let n = polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let first = n == 0;
            let _ = tx.send(if first {
                Msg::FirstPoll(Instant::now())
            } else {
                Msg::IdleAgain
            });
            let (true, Some(event)) = (first, event) else {
                // Leave the poll pending: the function is idle, as between invocations.
                return std::future::pending().await;
            };
            let deadline = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() + 30_000;
            let headers = format!(
                "Lambda-Runtime-Aws-Request-Id: bench-request-1\r\n\
                 Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-67748580-0123456789abcdef01234567;Sampled=0\r\n"
            );
            respond(&mut stream, "200 OK", &headers, event).await?;
        } else if line.starts_with("POST /2018-06-01/runtime/invocation/")
            && line.contains("/response")
        {
            let _ = tx.send(Msg::Response(body));
            respond(&mut stream, "202 Accepted", "", r#"{"status":"OK"}"#).await?;
        } else if line.starts_with("POST ") {
            let _ = tx.send(Msg::Failed(body));
            respond(&mut stream, "202 Accepted", "", r#"{"status":"OK"}"#).await?;
        } else {
            respond(&mut stream, "404 Not Found", "", "{}").await?;
        }
    }
}

/// Reads one HTTP/1.1 request (head, body) from a keep-alive connection.
pub(crate) async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> anyhow::Result<(String, String)> {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    bail!("connection closed mid-body");
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).into_owned();
            buf.drain(..end + 4 + length);
            return Ok((head, body));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("connection closed");
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Writes one HTTP/1.1 response.
pub(crate) async fn respond(
    stream: &mut TcpStream,
    status: &str,
    headers: &str,
    body: &str,
) -> anyhow::Result<()> {
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    Ok(())
}

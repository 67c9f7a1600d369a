//! What Lambda bills for warm invocations: one function process started under a CPU quota
//! that mimics a memory size, then invoked with a sequence of events through a local stand-in
//! for the Runtime API. Per invocation it records the wall time from handing the event over to
//! receiving the response (Lambda's billed duration, before rounding up to 1 ms), the CPU time
//! the process used meanwhile, and the bytes the function logged (CloudWatch Logs ingestion).
//!
//! Lambda gives a function CPU in proportion to its memory: 1,769 MB is one vCPU. The quota
//! is a cgroup (v1 `cpu` and `cpuacct` controllers, or v2 `cpu.max`/`cpu.stat`) the process
//! joins before it execs, so its init and every thread it starts (argon2's workers) are
//! limited and counted; the DynamoDB server it talks to is outside the quota, as in AWS.

use anyhow::{anyhow, bail, Context};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};

/// Memory at which Lambda gives a function one full vCPU.
pub const MB_PER_VCPU: f64 = 1769.0;
/// The scheduler period of the quota, microseconds: short, so that a fraction of a CPU is a
/// steady fraction (with the default 100 ms, a 2 ms request runs at full speed on a quota it
/// has not used up yet, and a longer one stalls for the rest of the period).
const PERIOD_US: u64 = 10_000;

/// One warm invocation.
#[derive(Debug, Clone, Copy)]
pub struct Invocation {
    /// Event handed over → response received.
    pub wall: Duration,
    /// CPU the process used meanwhile.
    pub cpu: Duration,
    /// Bytes the function wrote to stdout and stderr meanwhile.
    pub log_bytes: u64,
}

/// The first refused invocation's response, kept for the error message.
pub type Refusal = Option<String>;

/// A CPU quota for one memory size, and the CPU usage counter of the processes in it.
pub struct Quota {
    /// `cgroup.procs` files the process writes itself into before exec.
    procs: Vec<PathBuf>,
    /// Cumulative CPU nanoseconds of the group.
    usage: Usage,
    dirs: Vec<PathBuf>,
}

enum Usage {
    /// cgroup v1 `cpuacct.usage` (nanoseconds).
    V1(PathBuf),
    /// cgroup v2 `cpu.stat` (`usage_usec`).
    V2(PathBuf),
}

impl Quota {
    /// A new cgroup limited to `memory_mb / 1769` of a CPU (v1 when `/sys/fs/cgroup/cpu` is a
    /// v1 hierarchy, else v2). Needs root.
    pub fn for_memory(memory_mb: u32) -> anyhow::Result<Self> {
        let quota_us = (PERIOD_US as f64 * f64::from(memory_mb) / MB_PER_VCPU).round() as u64;
        let name = format!("latchkey-billed-{}-{memory_mb}", std::process::id());
        let v1 = Path::new("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        if v1.exists() {
            let cpu = PathBuf::from("/sys/fs/cgroup/cpu").join(&name);
            let acct = PathBuf::from("/sys/fs/cgroup/cpuacct").join(&name);
            for d in [&cpu, &acct] {
                std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            }
            std::fs::write(cpu.join("cpu.cfs_period_us"), PERIOD_US.to_string())?;
            std::fs::write(cpu.join("cpu.cfs_quota_us"), quota_us.to_string())?;
            return Ok(Self {
                procs: vec![cpu.join("cgroup.procs"), acct.join("cgroup.procs")],
                usage: Usage::V1(acct.join("cpuacct.usage")),
                dirs: vec![cpu, acct],
            });
        }
        let dir = PathBuf::from("/sys/fs/cgroup").join(&name);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("cpu.max"), format!("{quota_us} {PERIOD_US}"))?;
        Ok(Self {
            procs: vec![dir.join("cgroup.procs")],
            usage: Usage::V2(dir.join("cpu.stat")),
            dirs: vec![dir],
        })
    }

    /// CPU used by the group so far.
    fn used(&self) -> anyhow::Result<Duration> {
        match &self.usage {
            Usage::V1(path) => {
                let ns: u64 = std::fs::read_to_string(path)?.trim().parse()?;
                Ok(Duration::from_nanos(ns))
            }
            Usage::V2(path) => {
                let stat = std::fs::read_to_string(path)?;
                let us = stat
                    .lines()
                    .find_map(|l| l.strip_prefix("usage_usec "))
                    .ok_or_else(|| anyhow!("no usage_usec in {}", path.display()))?
                    .trim()
                    .parse()?;
                Ok(Duration::from_micros(us))
            }
        }
    }
}

impl Drop for Quota {
    fn drop(&mut self) {
        // The group can be removed once its process has exited; a leftover is harmless.
        for d in &self.dirs {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Starts `bin` with `env` inside `quota`, waits for its first poll, then invokes it with each
/// of `events` in turn. Returns one [`Invocation`] per event.
pub async fn invoke_all(
    bin: &Path,
    env: &[(String, String)],
    quota: &Quota,
    events: Vec<String>,
) -> anyhow::Result<(Vec<Invocation>, Refusal)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let queue = Arc::new(Mutex::new(events.into_iter()));
    let server = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (tx, queue) = (tx.clone(), queue.clone());
            tokio::spawn(async move {
                let _ = serve(stream, &queue, &tx).await;
            });
        }
    });
    let mut command = tokio::process::Command::new(bin);
    command
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let procs = quota.procs.clone();
    // SAFETY: between fork and exec the child only writes its pid ("0": the writer) to the
    // cgroup files, with std::fs, which allocates; the parent is a tokio runtime whose other
    // threads hold no allocator lock across a fork in practice (glibc's malloc is fork-safe).
    unsafe {
        command.pre_exec(move || {
            for p in &procs {
                std::fs::write(p, "0")?;
            }
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let logged = Arc::new(AtomicU64::new(0));
    for pipe in [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let logged = logged.clone();
        // LAMBDA_BENCH_LOGS=FILE keeps what the functions logged (for a refusal's cause).
        let mut keep = match std::env::var_os("LAMBDA_BENCH_LOGS") {
            Some(path) => Some(
                tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await?,
            ),
            None => None,
        };
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let mut pipe = pipe;
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                logged.fetch_add(n as u64, Ordering::SeqCst);
                if let Some(file) = keep.as_mut() {
                    let _ = file.write_all(&buf[..n]).await;
                }
            }
        });
    }
    let result = tokio::time::timeout(Duration::from_secs(600), async {
        let mut out = Vec::new();
        let mut refusal = None;
        let mut open: Option<(Instant, Duration, u64)> = None;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Handed(at) => {
                    open = Some((at, quota.used()?, logged.load(Ordering::SeqCst)));
                }
                Msg::Response(at, body) => {
                    let (handed, cpu0, log0) = open.take().context("a response before an event")?;
                    // Let the pipe readers catch up with the lines written before the reply.
                    tokio::task::yield_now().await;
                    let status = crate::runtime_api::status_of(&body);
                    if status != 200 && refusal.is_none() {
                        refusal = Some(body);
                    }
                    out.push(Invocation {
                        wall: at - handed,
                        cpu: quota.used()?.saturating_sub(cpu0),
                        log_bytes: logged.load(Ordering::SeqCst) - log0,
                    });
                }
                Msg::Failed(body) => bail!("the function reported an error: {body}"),
                Msg::Done => return Ok((out, refusal)),
            }
        }
        bail!("the runtime stand-in stopped")
    })
    .await;
    let _ = child.kill().await;
    server.abort();
    result.map_err(|_| anyhow!("{}: timed out", bin.display()))?
}

enum Msg {
    Handed(Instant),
    Response(Instant, String),
    Failed(String),
    Done,
}

/// Serves one keep-alive connection of the runtime client: each poll gets the next event, and
/// the poll after the last event is left pending (the function idle).
async fn serve(
    mut stream: TcpStream,
    queue: &Mutex<std::vec::IntoIter<String>>,
    tx: &mpsc::UnboundedSender<Msg>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        let (head, body) = crate::runtime_api::read_request(&mut stream, &mut buf).await?;
        let line = head.lines().next().unwrap_or_default().to_string();
        if line.starts_with("GET /2018-06-01/runtime/invocation/next") {
            let Some(event) = queue.lock().await.next() else {
                let _ = tx.send(Msg::Done);
                return std::future::pending().await;
            };
            n += 1;
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis()
                + 30_000;
            let headers = format!(
                "Lambda-Runtime-Aws-Request-Id: billed-{n}\r\n\
                 Lambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-67748580-0123456789abcdef01234567;Sampled=0\r\n"
            );
            let _ = tx.send(Msg::Handed(Instant::now()));
            crate::runtime_api::respond(&mut stream, "200 OK", &headers, &event).await?;
        } else if line.starts_with("POST /2018-06-01/runtime/invocation/")
            && line.contains("/response")
        {
            let _ = tx.send(Msg::Response(Instant::now(), body));
            crate::runtime_api::respond(&mut stream, "202 Accepted", "", r#"{"status":"OK"}"#)
                .await?;
        } else if line.starts_with("POST ") {
            let _ = tx.send(Msg::Failed(body));
            crate::runtime_api::respond(&mut stream, "202 Accepted", "", r#"{"status":"OK"}"#)
                .await?;
        } else {
            crate::runtime_api::respond(&mut stream, "404 Not Found", "", "{}").await?;
        }
    }
}

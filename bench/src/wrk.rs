//! Driving the `wrk` HTTP load tool (installed by `scripts/wrk.sh`): a Lua script per
//! operation (one fixed Cognito JSON request, sent over and over), one `wrk --latency` run,
//! and its text report read back into numbers. wrk counts any status outside 2xx/3xx as
//! "Non-2xx or 3xx responses"; a run with any such answer (a wrong token answers a fast 400)
//! or any socket error is not a valid measurement, and callers must check `is_clean`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// One request wrk repeats: `POST /` with the Cognito JSON protocol's headers.
pub struct Request<'a> {
    /// The operation after `AWSCognitoIdentityProviderService.`.
    pub operation: &'a str,
    /// The JSON body, sent as is.
    pub body: &'a str,
}

/// How hard and how long wrk loads the server.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub threads: usize,
    pub connections: usize,
    pub seconds: u64,
}

/// What one wrk run measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Answers outside 2xx/3xx.
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors added up.
    pub socket_errors: u64,
}

impl Outcome {
    /// True when every request got a 2xx/3xx answer and no socket failed.
    pub fn is_clean(&self) -> bool {
        self.non_2xx == 0 && self.socket_errors == 0 && self.requests > 0
    }
}

/// Writes the Lua script that makes wrk send `req`; returns its path.
pub fn write_script(dir: &Path, name: &str, req: &Request<'_>) -> Result<PathBuf> {
    // A long bracket keeps the body literal whatever quotes or backslashes it holds.
    if req.body.contains("]==]") || req.operation.contains("]==]") {
        bail!("request body cannot be quoted for Lua");
    }
    let script = format!(
        "wrk.method = \"POST\"\n\
         wrk.headers[\"Content-Type\"] = \"application/x-amz-json-1.1\"\n\
         wrk.headers[\"X-Amz-Target\"] = [==[AWSCognitoIdentityProviderService.{}]==]\n\
         wrk.body = [==[{}]==]\n",
        req.operation, req.body
    );
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, script).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Runs `wrk --latency` with `script` against `url` and reads its report.
pub fn run(wrk: &str, url: &str, script: &Path, load: Load) -> Result<Outcome> {
    let out = Command::new(wrk)
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.seconds))
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(url)
        .output()
        .with_context(|| format!("running {wrk} (install it with scripts/wrk.sh)"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            out.status,
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse(&text).with_context(|| format!("reading wrk's report:\n{text}"))
}

/// Reads wrk 4's text report (with `--latency`).
pub fn parse(report: &str) -> Result<Outcome> {
    let mut o = Outcome::default();
    let (mut rate, mut p50, mut p99, mut count) = (None, None, None, None);
    for line in report.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            rate = Some(v.trim().parse::<f64>().context("Requests/sec")?);
        } else if let Some(v) = line.strip_prefix("50%") {
            p50 = Some(duration(v.trim())?);
        } else if let Some(v) = line.strip_prefix("99%") {
            p99 = Some(duration(v.trim())?);
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            o.non_2xx = v.trim().parse().context("Non-2xx count")?;
        } else if let Some(v) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in v.split(',') {
                let n = part.split_whitespace().last().unwrap_or("0");
                o.socket_errors += n.parse::<u64>().context("Socket errors")?;
            }
        } else if let Some((n, rest)) = line.split_once(" requests in ") {
            if rest.contains(" read") {
                count = Some(n.trim().parse::<u64>().context("request count")?);
            }
        }
    }
    match (rate, p50, p99, count) {
        (Some(r), Some(a), Some(b), Some(n)) => {
            o.requests_per_sec = r;
            o.p50 = a;
            o.p99 = b;
            o.requests = n;
            Ok(o)
        }
        _ => bail!("no Requests/sec, request count, or 50%/99% latency line"),
    }
}

/// wrk's durations: `817.00us`, `1.07ms`, `2.00s`, `1.50m`.
fn duration(s: &str) -> Result<Duration> {
    let split = s
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("no unit in {s:?}"))?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().with_context(|| format!("number in {s:?}"))?;
    let secs = match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => bail!("unknown unit in {s:?}"),
    };
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 5s test @ http://127.0.0.1:9311/
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   840.95us  432.55us  11.66ms   75.27%
    Req/Sec    19.23k     1.11k   20.39k    86.27%
  Latency Distribution
     50%  817.00us
     75%    1.07ms
     90%    1.30ms
     99%    1.94ms
  97510 requests in 5.10s, 43.43MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  19117.95
Transfer/sec:      8.51MB
";

    #[test]
    fn reads_rate_percentiles_and_failures() {
        let o = parse(REPORT).unwrap();
        assert_eq!(o.requests, 97510);
        assert!((o.requests_per_sec - 19117.95).abs() < 1e-9);
        assert_eq!(o.p50, Duration::from_micros(817));
        assert_eq!(o.p99, Duration::from_micros(1940));
        assert_eq!(o.non_2xx, 12);
        assert_eq!(o.socket_errors, 3);
        assert!(!o.is_clean());
    }

    #[test]
    fn a_report_without_failure_lines_is_clean() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("Socket errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse(&clean).unwrap().is_clean());
    }

    #[test]
    fn a_truncated_report_is_refused() {
        assert!(parse("Running 5s test @ http://x/\n").is_err());
    }
}

//! The benchmark phases and the closed-loop driver that runs them: a fixed
//! number of tokio tasks each issue one request at a time until the phase's
//! request cap or time limit is reached (whichever comes first), so every
//! phase stops by itself.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::task::JoinSet;

use crate::client::{Api, Tokens};
use crate::stats::Summary;

/// Both bounds of a phase.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_requests: usize,
    pub time_limit: Duration,
}

/// What one phase did.
#[derive(Debug)]
pub struct Report {
    pub name: &'static str,
    /// Requests issued (successes and errors).
    pub requests: usize,
    pub errors: usize,
    /// Error message -> count.
    pub error_kinds: BTreeMap<String, usize>,
    pub elapsed: Duration,
    /// Over successful requests only.
    pub summary: Summary,
    pub hit_request_cap: bool,
}

impl Report {
    /// A phase that could not run because an earlier one produced nothing.
    fn skipped(name: &'static str, why: &str) -> Report {
        Report {
            name,
            requests: 0,
            errors: 1,
            error_kinds: BTreeMap::from([(format!("phase skipped: {why}"), 1)]),
            elapsed: Duration::ZERO,
            summary: Summary::new(&mut [], Duration::ZERO),
            hit_request_cap: false,
        }
    }
}

struct Worker<T> {
    latencies: Vec<Duration>,
    outputs: Vec<T>,
    errors: BTreeMap<String, usize>,
}

impl<T> Default for Worker<T> {
    fn default() -> Self {
        Worker {
            latencies: Vec::new(),
            outputs: Vec::new(),
            errors: BTreeMap::new(),
        }
    }
}

/// Runs `op(i)` for i = 0, 1, 2, ... on `concurrency` tasks within `limits`.
/// Returns the report and the values of the successful calls (any order).
pub async fn drive<T, F, Fut>(
    name: &'static str,
    concurrency: usize,
    limits: Limits,
    op: F,
) -> (Report, Vec<T>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let deadline = start + limits.time_limit;
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (op, next) = (op.clone(), next.clone());
        tasks.spawn(async move {
            let mut w = Worker::default();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= limits.max_requests {
                    break;
                }
                let t0 = Instant::now();
                let result = op(i).await;
                match result {
                    Ok(v) => {
                        w.latencies.push(t0.elapsed());
                        w.outputs.push(v);
                    }
                    Err(e) => *w.errors.entry(format!("{e:#}")).or_default() += 1,
                }
            }
            w
        });
    }
    let mut all = Worker::<T>::default();
    while let Some(joined) = tasks.join_next().await {
        let w = joined.unwrap_or_else(|e| {
            let mut w = Worker::default();
            w.errors.insert(format!("worker task failed: {e}"), 1);
            w
        });
        all.latencies.extend(w.latencies);
        all.outputs.extend(w.outputs);
        for (k, n) in w.errors {
            *all.errors.entry(k).or_default() += n;
        }
    }
    let elapsed = start.elapsed();
    let errors: usize = all.errors.values().sum();
    let requests = all.latencies.len() + errors;
    let report = Report {
        name,
        requests,
        errors,
        error_kinds: all.errors,
        elapsed,
        summary: Summary::new(&mut all.latencies, elapsed),
        hit_request_cap: requests >= limits.max_requests,
    };
    (report, all.outputs)
}

/// Everything the phases share.
#[derive(Clone)]
pub struct Ctx {
    pub api: Api,
    pub pool_id: Arc<str>,
    pub client_id: Arc<str>,
    /// Unique per run; prefixes every user name.
    pub run_id: Arc<str>,
    pub password: Arc<str>,
    pub concurrency: usize,
    /// Bounds of the timed phases 2-4.
    pub timed: Limits,
    /// Time limit of the sign-up and confirm steps.
    pub setup_time: Duration,
}

impl Ctx {
    fn username(&self, i: usize) -> String {
        format!("{}-u{i}", self.run_id)
    }
}

/// Phase 1: SignUp `users` distinct users. Returns the names that succeeded.
pub async fn sign_up(ctx: &Ctx, users: usize) -> (Report, Vec<String>) {
    let limits = Limits {
        max_requests: users,
        time_limit: ctx.setup_time,
    };
    let c = ctx.clone();
    drive("SignUp", ctx.concurrency, limits, move |i| {
        let (c, name) = (c.clone(), c.username(i));
        async move {
            c.api.sign_up(&c.client_id, &name, &c.password).await?;
            Ok(name)
        }
    })
    .await
}

/// Setup (not measured): AdminConfirmSignUp each user. Returns the confirmed ones.
pub async fn confirm(ctx: &Ctx, users: Vec<String>) -> (Report, Vec<String>) {
    let limits = Limits {
        max_requests: users.len(),
        time_limit: ctx.setup_time,
    };
    let (c, users) = (ctx.clone(), Arc::new(users));
    drive("AdminConfirmSignUp", ctx.concurrency, limits, move |i| {
        let (c, name) = (c.clone(), users[i].clone());
        async move {
            c.api.admin_confirm_sign_up(&c.pool_id, &name).await?;
            Ok(name)
        }
    })
    .await
}

/// Phase 2: USER_PASSWORD_AUTH round-robin over `users`. Returns the latest
/// tokens of every user that signed in at least once.
pub async fn sign_in(ctx: &Ctx, users: Vec<String>) -> (Report, Vec<(String, Tokens)>) {
    const NAME: &str = "InitiateAuth USER_PASSWORD_AUTH";
    if users.is_empty() {
        return (Report::skipped(NAME, "no confirmed users"), Vec::new());
    }
    let (c, users) = (ctx.clone(), Arc::new(users));
    let (report, outputs) = drive(NAME, ctx.concurrency, ctx.timed, move |i| {
        let (c, name) = (c.clone(), users[i % users.len()].clone());
        async move {
            let tokens = c.api.sign_in(&c.client_id, &name, &c.password).await?;
            Ok((name, tokens))
        }
    })
    .await;
    let latest: BTreeMap<String, Tokens> = outputs.into_iter().collect();
    (report, latest.into_iter().collect())
}

/// Phase 3: REFRESH_TOKEN_AUTH round-robin over the refresh tokens of phase 2.
pub async fn refresh(ctx: &Ctx, tokens: &[(String, Tokens)]) -> Report {
    const NAME: &str = "InitiateAuth REFRESH_TOKEN_AUTH";
    if tokens.is_empty() {
        return Report::skipped(NAME, "no tokens from the sign-in phase");
    }
    let refresh: Arc<Vec<String>> = Arc::new(
        tokens
            .iter()
            .map(|(_, t)| t.refresh_token.clone())
            .collect(),
    );
    let c = ctx.clone();
    drive(NAME, ctx.concurrency, ctx.timed, move |i| {
        let (c, refresh) = (c.clone(), refresh.clone());
        async move {
            c.api
                .refresh(&c.client_id, &refresh[i % refresh.len()])
                .await
        }
    })
    .await
    .0
}

/// Phase 4: GetUser round-robin over the access tokens of phase 2.
pub async fn get_user(ctx: &Ctx, tokens: &[(String, Tokens)]) -> Report {
    const NAME: &str = "GetUser";
    if tokens.is_empty() {
        return Report::skipped(NAME, "no tokens from the sign-in phase");
    }
    let tokens = Arc::new(tokens.to_vec());
    let c = ctx.clone();
    drive(NAME, ctx.concurrency, ctx.timed, move |i| {
        let (c, tokens) = (c.clone(), tokens.clone());
        async move {
            let (name, t) = &tokens[i % tokens.len()];
            c.api.get_user(&t.access_token, name).await
        }
    })
    .await
    .0
}

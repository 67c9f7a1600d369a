//! The scale benchmark's phases: seeding to a size through the store port, then at that size
//! key lookups, a SignUp burst, ListUsers pages, a walk of the whole pool and a filtered
//! ListUsers, each metered.

use super::{call, PerOp};
use crate::load::{loadavg, run, status_mib};
use crate::stats::{ms, Summary};
use anyhow::{ensure, Context, Result};
use latchkey::random::{uuid_v4, Csprng};
use latchkey::secret::Secret;
use latchkey::store::dynamodb::{DynamoStore, RequestMeter};
use latchkey::store::UserStore;
use latchkey::userpool::directory::aliases_for;
use latchkey::userpool::model::{User, UserPool, UserStatus};
use latchkey::App;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Every user's password (seeded and signed up).
const PASSWORD: &str = "Bench-Passw0rd!";
/// Users a ListUsers page asks for (Cognito's maximum).
const PAGE: usize = 60;
/// Times the first page is fetched, for its p50 / p99.
const FIRST_PAGES: usize = 20;
/// Seeding is timed and reported in stretches of this many users.
const STRETCH: usize = 100_000;

/// The seeded username of index `i` (sorted as seeded, so GSI1 order is seeding order).
fn seeded_name(i: usize) -> String {
    format!("user-{i:07}")
}

/// A well-mixed index below `n` for the `i`th lookup (splitmix64), so lookups hit the whole
/// key range without a random-number crate.
fn spread(i: usize, n: usize) -> usize {
    let mut x = (i as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x % n.max(1) as u64) as usize
}

/// A process's resident memory now and at its peak (VmRSS, VmHWM), MiB.
fn process_rss_mib(pid: u32) -> Option<(f64, f64)> {
    let pid = pid.to_string();
    Some((status_mib(&pid, "VmRSS:")?, status_mib(&pid, "VmHWM:")?))
}

/// A walk of the whole pool in 60-user pages.
pub struct Walk {
    pages: usize,
    secs: f64,
    page_latency: Summary,
    per_page: PerOp,
}

/// What one checkpoint measured.
pub struct Checkpoint {
    users: usize,
    seed_rate: f64,
    seed_latency: Summary,
    seed: PerOp,
    server_rss: Option<(f64, f64)>,
    lookup: Summary,
    lookup_16: Summary,
    lookup_use: PerOp,
    burst: usize,
    burst_latency: Summary,
    burst_use: PerOp,
    first_page: Summary,
    page_use: PerOp,
    walk: Option<Walk>,
    filtered: Option<(f64, PerOp)>,
    describe: (f64, PerOp),
    load: String,
}

/// The pool under measurement and what has been done to it so far.
pub struct Phases {
    app: Arc<App>,
    store: Arc<DynamoStore>,
    meter: RequestMeter,
    pool: Arc<UserPool>,
    client_id: String,
    server_pid: Option<u32>,
    /// The one Argon2id hash every seeded user shares (hashing a million is not the point).
    hash: Arc<String>,
    seeded: usize,
    signed_up: usize,
    last_seed: Option<(f64, Summary, PerOp)>,
}

impl Phases {
    /// Phases over `pool` in `store` (metered by `meter`) through `app`.
    pub fn new(
        app: Arc<App>,
        store: Arc<DynamoStore>,
        meter: RequestMeter,
        pool: UserPool,
        client_id: String,
        server_pid: Option<u32>,
    ) -> Result<Self> {
        let hash = latchkey::userpool::password::hash_password(PASSWORD)?;
        Ok(Self {
            app,
            store,
            meter,
            pool: Arc::new(pool),
            client_id,
            server_pid,
            hash: Arc::new(hash),
            seeded: 0,
            signed_up: 0,
            last_seed: None,
        })
    }

    /// Seeds users up to index `size` with `concurrency` writes in flight, as SignUp writes a
    /// confirmed user (`create_user` with its alias claims: none in this pool).
    pub async fn seed_to(&mut self, size: usize, concurrency: usize) -> Result<()> {
        let (from, count) = (self.seeded, size.saturating_sub(self.seeded));
        self.meter.take();
        let started = Instant::now();
        let mut last = None;
        let mut done = 0;
        while done < count {
            let stretch = STRETCH.min(count - done);
            let (store, pool, hash) = (self.store.clone(), self.pool.clone(), self.hash.clone());
            let base = from + done;
            let t = Instant::now();
            let summary = run(stretch, concurrency, move |i| {
                let (store, pool, hash) = (store.clone(), pool.clone(), hash.clone());
                async move {
                    let name = seeded_name(base + i);
                    let attributes = BTreeMap::from([
                        ("email".to_string(), format!("{name}@example.com")),
                        ("email_verified".to_string(), "true".to_string()),
                    ]);
                    let user = User::new(
                        &pool,
                        name,
                        uuid_v4(&Csprng),
                        attributes,
                        UserStatus::Confirmed,
                        Some(Secret::new(hash.as_str().to_owned())),
                        1_700_000_000_000,
                    );
                    store
                        .create_user(&user, &aliases_for(&pool, &user))
                        .await
                        .map_err(|e| anyhow::anyhow!("create_user: {e}"))
                }
            })
            .await?;
            done += stretch;
            println!(
                "seeded {:>9} users: {:>7.0} users/s this stretch ({:.1} s), p50 {:.2} ms, \
                 p99 {:.2} ms; server RSS {}; load {}",
                from + done,
                stretch as f64 / t.elapsed().as_secs_f64(),
                t.elapsed().as_secs_f64(),
                ms(summary.p50),
                ms(summary.p99),
                self.rss_text(),
                loadavg()
            );
            last = Some(summary);
        }
        let secs = started.elapsed().as_secs_f64();
        self.seeded = from + count;
        // The latencies are the last stretch's: the biggest pool this seeding reached.
        if let Some(summary) = last {
            let rate = count as f64 / secs;
            self.last_seed = Some((rate, summary, PerOp::new(self.meter.take(), count)));
        }
        Ok(())
    }

    fn rss_text(&self) -> String {
        match self.server_pid.and_then(process_rss_mib) {
            Some((now, peak)) => format!("{now:.0} MiB (peak {peak:.0})"),
            None => "n/a".into(),
        }
    }

    /// The pool's size now: seeded users and those signed up in bursts.
    fn users(&self) -> usize {
        self.seeded + self.signed_up
    }

    /// Every measurement at the current size.
    pub async fn checkpoint(
        &mut self,
        lookups: usize,
        burst: usize,
        walk_max: usize,
    ) -> Result<Checkpoint> {
        let (seed_rate, seed_latency, seed) = self
            .last_seed
            .clone()
            .context("a checkpoint comes after seeding")?;
        let server_rss = self.server_pid.and_then(process_rss_mib);
        let (lookup, lookup_use) = self.lookups(lookups, 1).await?;
        let (lookup_16, _) = self.lookups(lookups, 16).await?;
        let (burst_latency, burst_use) = self.burst(burst).await?;
        let (first_page, page_use) = self.first_pages().await?;
        let (walk, filtered) = if self.users() <= walk_max {
            (Some(self.walk().await?), Some(self.filtered().await?))
        } else {
            (None, None)
        };
        let describe = self.describe().await?;
        Ok(Checkpoint {
            users: self.users(),
            seed_rate,
            seed_latency,
            seed,
            server_rss,
            lookup,
            lookup_16,
            lookup_use,
            burst,
            burst_latency,
            burst_use,
            first_page,
            page_use,
            walk,
            filtered,
            describe,
            load: loadavg(),
        })
    }

    /// `count` `get_user` reads of seeded users spread over the pool, `at_once` in flight.
    async fn lookups(&self, count: usize, at_once: usize) -> Result<(Summary, PerOp)> {
        let (store, pool_id, n) = (self.store.clone(), self.pool.id.clone(), self.seeded);
        self.meter.take();
        let summary = run(count, at_once, move |i| {
            let (store, pool_id) = (store.clone(), pool_id.clone());
            async move {
                let name = seeded_name(spread(i, n));
                store
                    .get_user(&pool_id, &name)
                    .await?
                    .with_context(|| format!("seeded user {name} is missing"))?;
                Ok(())
            }
        })
        .await?;
        Ok((summary, PerOp::new(self.meter.take(), count)))
    }

    /// `k` new users through SignUp, all at once (hash, user, code, message and its counts).
    async fn burst(&mut self, k: usize) -> Result<(Summary, PerOp)> {
        let (app, client, batch) = (self.app.clone(), self.client_id.clone(), self.users());
        self.meter.take();
        let summary = run(k, k.max(1), move |i| {
            let (app, client) = (app.clone(), client.clone());
            async move {
                let name = format!("burst-{batch:07}-{i:04}");
                let body = json!({"ClientId": client, "Username": name, "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]});
                call(&app, "SignUp", body).await.map(drop)
            }
        })
        .await?;
        self.signed_up += k;
        Ok((summary, PerOp::new(self.meter.take(), k)))
    }

    /// One ListUsers call; its users and pagination token.
    async fn list(&self, token: Option<&str>, filter: Option<&str>) -> Result<(usize, Value)> {
        let mut body = json!({"UserPoolId": self.pool.id, "Limit": PAGE});
        if let Some(t) = token {
            body["PaginationToken"] = json!(t);
        }
        if let Some(f) = filter {
            body["Filter"] = json!(f);
        }
        let out = call(&self.app, "ListUsers", body).await?;
        let users = out["Users"].as_array().map_or(0, Vec::len);
        Ok((users, out["PaginationToken"].clone()))
    }

    /// The first page, [`FIRST_PAGES`] times one after another.
    async fn first_pages(&self) -> Result<(Summary, PerOp)> {
        let mut latencies = Vec::with_capacity(FIRST_PAGES);
        self.meter.take();
        let started = Instant::now();
        for _ in 0..FIRST_PAGES {
            let t = Instant::now();
            let (users, _) = self.list(None, None).await?;
            latencies.push(t.elapsed());
            ensure!(users == PAGE.min(self.users()), "a first page of {users}");
        }
        let summary = Summary::new(&mut latencies, started.elapsed());
        Ok((summary, PerOp::new(self.meter.take(), FIRST_PAGES)))
    }

    /// Every user, page after page, following the pagination token.
    async fn walk(&self) -> Result<Walk> {
        let mut latencies = Vec::new();
        let (mut token, mut seen) = (None::<String>, 0);
        self.meter.take();
        let started = Instant::now();
        loop {
            let t = Instant::now();
            let (users, next) = self.list(token.as_deref(), None).await?;
            latencies.push(t.elapsed());
            seen += users;
            match next.as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        let secs = started.elapsed().as_secs_f64();
        ensure!(
            seen == self.users(),
            "the walk saw {seen} of {}",
            self.users()
        );
        let pages = latencies.len();
        Ok(Walk {
            pages,
            secs,
            page_latency: Summary::new(&mut latencies, started.elapsed()),
            per_page: PerOp::new(self.meter.take(), pages),
        })
    }

    /// A ListUsers whose filter matches nobody: it reads the whole pool to say so.
    async fn filtered(&self) -> Result<(f64, PerOp)> {
        self.meter.take();
        let started = Instant::now();
        let (users, _) = self
            .list(None, Some("email = \"nobody@example.com\""))
            .await?;
        let secs = started.elapsed().as_secs_f64();
        ensure!(users == 0, "the filter matched {users}");
        Ok((secs, PerOp::new(self.meter.take(), 1)))
    }

    /// DescribeUserPool, whose EstimatedNumberOfUsers counts the pool's listing.
    async fn describe(&self) -> Result<(f64, PerOp)> {
        self.meter.take();
        let started = Instant::now();
        let out = call(
            &self.app,
            "DescribeUserPool",
            json!({"UserPoolId": self.pool.id}),
        )
        .await?;
        let secs = started.elapsed().as_secs_f64();
        let counted = out["UserPool"]["EstimatedNumberOfUsers"].as_u64();
        ensure!(
            counted == Some(self.users() as u64),
            "EstimatedNumberOfUsers {counted:?} of {}",
            self.users()
        );
        Ok((secs, PerOp::new(self.meter.take(), 1)))
    }
}

impl Checkpoint {
    /// The checkpoint's per-operation request lines.
    pub fn print_details(&self) {
        println!("\n## {} users (load average {})", self.users, self.load);
        let s = &self.seed;
        println!(
            "- seeding: {:.0} users/s, last stretch p50 {:.2} / p99 {:.2} ms; per user: {}",
            self.seed_rate,
            ms(self.seed_latency.p50),
            ms(self.seed_latency.p99),
            s.describe()
        );
        println!("- lookup (get_user): {}", self.lookup_use.describe());
        println!(
            "- SignUp burst of {}: per sign-up {}",
            self.burst,
            self.burst_use.describe()
        );
        println!("- first ListUsers page: {}", self.page_use.describe());
        if let Some(w) = &self.walk {
            println!(
                "- walk: {} pages in {:.1} s; per page {}",
                w.pages,
                w.secs,
                w.per_page.describe()
            );
        }
        if let Some((secs, f)) = &self.filtered {
            println!("- filtered ListUsers: {secs:.1} s; in all {}", f.describe());
        }
        let (secs, d) = &self.describe;
        println!(
            "- DescribeUserPool (counts the users): {:.2} s; in all {}",
            secs,
            d.describe()
        );
    }

    /// One row of the Markdown table.
    pub fn table_row(&self) -> String {
        let rss = self
            .server_rss
            .map_or("n/a".into(), |(now, _)| format!("{now:.0} MiB"));
        let walk = self.walk.as_ref().map_or("not run".into(), |w| {
            format!(
                "{} pages, {:.1} s (page p50 {:.1} / p99 {:.1} ms, {:.1} requests, {:.1} units)",
                w.pages,
                w.secs,
                ms(w.page_latency.p50),
                ms(w.page_latency.p99),
                w.per_page.requests(),
                w.per_page.units()
            )
        });
        let filtered = self.filtered.as_ref().map_or("not run".into(), |(s, f)| {
            format!(
                "{s:.1} s, {:.0} requests, {:.0} units",
                f.requests(),
                f.units()
            )
        });
        let (secs, d) = &self.describe;
        let describe = format!(
            "{:.2} s, {:.0} requests, {:.0} units",
            secs,
            d.requests(),
            d.units()
        );
        format!(
            "| {} | {:.0} | {rss} | {:.2} / {:.2} | {:.0} | {:.1} ({:.0} / {:.0}) \
             | {:.1} ({:.1}, {:.1}) | {walk} | {filtered} | {describe} |",
            self.users,
            self.seed_rate,
            ms(self.lookup.p50),
            ms(self.lookup.p99),
            self.lookup_16.ops_per_sec,
            self.burst_latency.ops_per_sec,
            ms(self.burst_latency.p50),
            ms(self.burst_latency.p99),
            ms(self.first_page.p50),
            self.page_use.requests(),
            self.page_use.units(),
        )
    }
}

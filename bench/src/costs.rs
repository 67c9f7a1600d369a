//! In-process cost bounds: the time of one argon2id password hash and of one
//! RS256 signature, measured with the same `latchkey` code the server runs.
//! They turn raw ops/s into "how close to the CPU limit" figures.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use latchkey::userpool::keys::SigningKey;
use latchkey::userpool::password::hash_password;

const HASH_SAMPLES: usize = 10;
const SIGN_SAMPLES: usize = 200;
/// Hashes per thread when every core hashes at once.
const PARALLEL_HASHES: usize = 5;
/// Signatures per thread when every core signs at once.
const PARALLEL_SIGNS: usize = 1_000;

/// Median single-operation costs and the core count they are scaled by.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub cores: usize,
    pub hash: Duration,
    pub sign: Duration,
    /// Hashes per second measured with one hashing thread per core: shows how
    /// far the machine falls short of `argon2_bound` (shared caches, vCPUs).
    pub parallel_hash_rate: f64,
    /// RS256 signatures per second measured with one signing thread per core: what the cores
    /// sign together, which `sign_bound` (one core's rate times the cores) may overstate.
    pub parallel_sign_rate: f64,
}

impl Costs {
    /// Sign-ins per second if every core did nothing but hash passwords.
    pub fn argon2_bound(&self) -> f64 {
        self.cores as f64 / self.hash.as_secs_f64()
    }

    /// RS256 signatures per second if every core did nothing but sign.
    pub fn sign_bound(&self) -> f64 {
        self.cores as f64 / self.sign.as_secs_f64()
    }
}

/// Measures both costs on a blocking thread (they are CPU-bound).
pub async fn measure() -> Result<Costs> {
    tokio::task::spawn_blocking(measure_blocking)
        .await
        .context("cost measurement task failed")?
}

fn measure_blocking() -> Result<Costs> {
    let cores = cores();

    let mut hashes = Vec::with_capacity(HASH_SAMPLES);
    for i in 0..HASH_SAMPLES {
        let plain = format!("Bench-Passw0rd!{i}");
        let t0 = Instant::now();
        std::hint::black_box(hash_password(&plain).context("hash_password")?);
        hashes.push(t0.elapsed());
    }

    let key = SigningKey::generate().context("SigningKey::generate")?;
    let msg = signing_input();
    Ok(Costs {
        cores,
        hash: median(&mut hashes),
        sign: sign_time(&key, &msg),
        parallel_hash_rate: parallel_hash_rate(cores)?,
        parallel_sign_rate: parallel_sign_rate(cores, &key, &msg)?,
    })
}

/// The cores the bounds are scaled by (one measuring thread each).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// About the size of a JWT signing input (base64url header.payload).
fn signing_input() -> Vec<u8> {
    vec![b'e'; 700]
}

/// The median time of one RS256 signature with `key`, over SIGN_SAMPLES.
fn sign_time(key: &SigningKey, msg: &[u8]) -> Duration {
    let mut signs = Vec::with_capacity(SIGN_SAMPLES);
    for _ in 0..SIGN_SAMPLES {
        let t0 = Instant::now();
        std::hint::black_box(key.sign(std::hint::black_box(msg)));
        signs.push(t0.elapsed());
    }
    median(&mut signs)
}

/// The two RS256 figures a refresh run is set against, taken with one key.
#[derive(Debug, Clone, Copy)]
pub struct SignRates {
    /// One signature's median time, one thread signing alone.
    pub one: Duration,
    /// Signatures per second with one signing thread per core, all at once: what the cores
    /// really sign together when they slow each other down (shared vCPUs, caches, power).
    pub all_cores: f64,
}

/// [`SignRates`] now: cheap enough (about half a second) to take again right before and after a
/// load run, on a machine whose speed drifts.
pub async fn measure_sign() -> Result<SignRates> {
    tokio::task::spawn_blocking(|| -> Result<SignRates> {
        let key = SigningKey::generate().context("SigningKey::generate")?;
        let msg = signing_input();
        Ok(SignRates {
            one: sign_time(&key, &msg),
            all_cores: parallel_sign_rate(cores(), &key, &msg)?,
        })
    })
    .await
    .context("signature measurement task failed")?
}

fn parallel_sign_rate(cores: usize, key: &SigningKey, msg: &[u8]) -> Result<f64> {
    let t0 = Instant::now();
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..cores)
            .map(|_| {
                s.spawn(|| {
                    for _ in 0..PARALLEL_SIGNS {
                        std::hint::black_box(key.sign(std::hint::black_box(msg)));
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .try_for_each(|t| t.join().map_err(|_| anyhow!("signing thread panicked")))
    })?;
    Ok((cores * PARALLEL_SIGNS) as f64 / t0.elapsed().as_secs_f64())
}

fn parallel_hash_rate(cores: usize) -> Result<f64> {
    let t0 = Instant::now();
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..cores)
            .map(|t| {
                s.spawn(move || -> Result<()> {
                    for i in 0..PARALLEL_HASHES {
                        std::hint::black_box(hash_password(&format!("Bench-Passw0rd!{t}-{i}"))?);
                    }
                    Ok(())
                })
            })
            .collect();
        threads
            .into_iter()
            .try_for_each(|t| t.join().map_err(|_| anyhow!("hashing thread panicked"))?)
    })?;
    Ok((cores * PARALLEL_HASHES) as f64 / t0.elapsed().as_secs_f64())
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

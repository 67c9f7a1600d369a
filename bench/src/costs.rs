//! In-process cost bounds: the time of one argon2id password hash and of one
//! RS256 signature, measured with the same `latchkey` code the server runs.
//! They turn raw ops/s into "how close to the CPU limit" figures.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use latchkey::userpool::keys::SigningKey;
use latchkey::userpool::password::hash_password;

const HASH_SAMPLES: usize = 10;
const SIGN_SAMPLES: usize = 200;

/// Median single-operation costs and the core count they are scaled by.
#[derive(Debug, Clone, Copy)]
pub struct Costs {
    pub cores: usize,
    pub hash: Duration,
    pub sign: Duration,
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
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut hashes = Vec::with_capacity(HASH_SAMPLES);
    for i in 0..HASH_SAMPLES {
        let plain = format!("Bench-Passw0rd!{i}");
        let t0 = Instant::now();
        std::hint::black_box(hash_password(&plain).context("hash_password")?);
        hashes.push(t0.elapsed());
    }

    let key = SigningKey::generate().context("SigningKey::generate")?;
    // About the size of a JWT signing input (base64url header.payload).
    let msg = vec![b'e'; 700];
    let mut signs = Vec::with_capacity(SIGN_SAMPLES);
    for _ in 0..SIGN_SAMPLES {
        let t0 = Instant::now();
        std::hint::black_box(key.sign(std::hint::black_box(&msg)));
        signs.push(t0.elapsed());
    }

    Ok(Costs {
        cores,
        hash: median(&mut hashes),
        sign: median(&mut signs),
    })
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

//! Argon2id on a fixed set of worker threads, each owning one hashing buffer for the life of
//! the process. Running every hash on the blocking pool made each of its (up to 512) threads
//! allocate and free a 19 MiB block array, which the allocator kept per thread: the server sat
//! at ~600 MB after 50 sign-ins. Here memory is at most `workers x 19 MiB`, each buffer
//! allocated once (at its worker's first job), and jobs queue in arrival order.

use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

/// OWASP's argon2id parameters: m = 19 MiB, t = 2, p = 1.
const M_COST: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;

/// The argon2id instance every new hash uses.
pub fn standard() -> Argon2<'static> {
    let params =
        Params::new(M_COST, T_COST, P_COST, Some(OUTPUT_LEN)).expect("constant params are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes `plain` with `salt` (16 random bytes) into a PHC string, using `memory` (at least
/// [`M_COST`] blocks).
pub fn hash_with(memory: &mut [Block], plain: &[u8], salt: &[u8]) -> Result<String, String> {
    let mut out = [0u8; OUTPUT_LEN];
    standard()
        .hash_password_into_with_memory(plain, salt, &mut out, memory)
        .map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(salt).map_err(|e| e.to_string())?;
    let hash = argon2::password_hash::Output::new(&out).map_err(|e| e.to_string())?;
    Ok(format!(
        "$argon2id$v=19$m={M_COST},t={T_COST},p={P_COST}${}${hash}",
        salt.as_str()
    ))
}

/// Verifies `plain` against a PHC string in constant time, using `memory` when it is large
/// enough for the hash's parameters (imported hashes may differ) and a temporary buffer
/// otherwise. Malformed hashes never verify.
pub fn verify_with(memory: &mut [Block], plain: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let expected = expected.as_bytes();
    let Ok(params) = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(expected.len()),
    ) else {
        return false;
    };
    let blocks = params.block_count();
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    let done = if memory.len() >= blocks {
        argon.hash_password_into_with_memory(plain, salt, &mut out, &mut memory[..blocks])
    } else {
        argon.hash_password_into_with_memory(plain, salt, &mut out, vec![Block::new(); blocks])
    };
    done.is_ok() && bool::from(out.ct_eq(expected))
}

type Job = Box<dyn FnOnce(&mut [Block]) + Send>;

/// A fixed pool of hashing threads; started on first use.
pub struct HashWorkers {
    jobs: Mutex<Sender<Job>>,
}

impl HashWorkers {
    /// Starts `workers` threads (at least one), each with its own buffer.
    pub fn start(workers: usize) -> std::io::Result<Self> {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers.max(1) {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("latchkey-argon2-{i}"))
                .spawn(move || work(&rx))?;
        }
        Ok(Self {
            jobs: Mutex::new(tx),
        })
    }

    /// Runs `job` on a worker with that worker's buffer; None if the workers are gone.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let boxed: Job = Box::new(move |memory| {
            // The caller may have gone (request cancelled): nothing to tell it.
            let _ = tx.send(job(memory));
        });
        self.jobs.lock().ok()?.send(boxed).ok()?;
        rx.await.ok()
    }
}

fn work(rx: &Mutex<Receiver<Job>>) {
    // Allocated at this worker's first job: a Lambda instance that hashes once touches one
    // buffer, not one per core.
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // The lock is held only while taking the next job.
        let next = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => {
                if memory.is_empty() {
                    memory = vec![Block::new(); M_COST as usize];
                }
                job(&mut memory)
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    #[test]
    fn our_phc_strings_are_the_crates() {
        let mut memory = vec![Block::new(); M_COST as usize];
        let salt = [7u8; 16];
        let ours = hash_with(&mut memory, b"Correct1!", &salt).unwrap();
        let theirs = standard()
            .hash_password(b"Correct1!", &SaltString::encode_b64(&salt).unwrap())
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        assert!(verify_with(&mut memory, b"Correct1!", &ours));
        assert!(!verify_with(&mut memory, b"Correct2!", &ours));
        assert!(!verify_with(&mut memory, b"Correct1!", "$argon2id$garbage"));
    }

    #[test]
    fn other_parameters_still_verify() {
        let params = Params::new(65_536, 3, 1, None).unwrap();
        let bigger = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let phc = bigger
            .hash_password(b"pw", &SaltString::encode_b64(&[1u8; 16]).unwrap())
            .unwrap()
            .to_string();
        let mut memory = vec![Block::new(); M_COST as usize];
        assert!(verify_with(&mut memory, b"pw", &phc));
        let small = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        );
        let phc = small
            .hash_password(b"pw", &SaltString::encode_b64(&[2u8; 16]).unwrap())
            .unwrap()
            .to_string();
        assert!(verify_with(&mut memory, b"pw", &phc));
        assert!(!verify_with(&mut memory, b"px", &phc));
    }

    #[tokio::test]
    async fn jobs_run_on_the_workers() {
        let workers = HashWorkers::start(2).unwrap();
        let mut handles = Vec::new();
        for i in 0..4u8 {
            handles.push(workers.run(move |m| hash_with(m, &[i], &[i; 16]).unwrap()));
        }
        for h in handles {
            assert!(h
                .await
                .unwrap()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        }
    }
}

//! Passwords: the pool's policy with Cognito's exact messages, and argon2id hashing (OWASP
//! parameters, PHC strings) run on the hashing workers (`hash_workers`). Unknown users are checked against a
//! dummy hash so they cost the same time as a wrong password.

use super::hash_workers::{self, HashWorkers};
use super::model::PasswordPolicy;
use crate::error::{ApiError, Error, ErrorKind};
use crate::secret::Secret;
use argon2::Block;
use std::sync::{Arc, OnceLock};

/// Cognito's symbol set for RequireSymbols.
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// Checks `password` against `policy`, answering the first failing rule as Cognito does.
pub fn check_policy(policy: &PasswordPolicy, password: &str) -> Result<(), ApiError> {
    let fail = |what: &str| {
        Err(ApiError::new(
            ErrorKind::InvalidPassword,
            format!("Password did not conform with policy: {what}"),
        ))
    };
    if password.chars().count() < policy.minimum_length as usize {
        return fail("Password not long enough");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    let inner_space = password.trim() == password && password.contains(' ');
    if policy.require_symbols && !(password.chars().any(|c| SYMBOLS.contains(c)) || inner_space) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

/// Hashes a password with argon2id, returning a PHC string, in a buffer of its own (benches,
/// tools; the salt from the OS). Blocking: ~30 ms of CPU. The service hashes through
/// [`Hasher`], with a salt from the App's randomness port.
pub fn hash_password(plain: &str) -> Result<String, Error> {
    let mut salt = [0u8; 16];
    crate::random::Random::fill(&crate::random::Csprng, &mut salt);
    hash_in(&mut fresh_memory(), plain, &salt)
}

/// Verifies a password against a PHC string, in a buffer of its own. Blocking. Malformed
/// hashes never verify.
pub fn verify_password(plain: &str, phc: &str) -> bool {
    hash_workers::verify_with(&mut fresh_memory(), plain.as_bytes(), phc)
}

fn fresh_memory() -> Vec<Block> {
    vec![Block::new(); 19_456]
}

fn hash_in(memory: &mut [Block], plain: &str, salt: &[u8; 16]) -> Result<String, Error> {
    hash_workers::hash_with(memory, plain.as_bytes(), salt).map_err(Error::Crypto)
}

/// Runs hashing on one worker thread per core, each reusing its own buffer, so a burst of
/// sign-ins queues fairly and memory stays at `cores x 19 MiB`.
#[derive(Clone)]
pub struct Hasher {
    /// Started at the first hash: counting cores reads the cgroup files (about 4% of a Lambda
    /// function's start), and the functions that never hash a password (token-refresh, jwks,
    /// credentials) never need the threads or their memory.
    workers: Arc<OnceLock<Result<HashWorkers, String>>>,
    dummy: Arc<Secret<String>>,
}

/// What unknown users are verified against: a PHC string with the same parameters as every
/// stored hash, so a check against it costs exactly what a wrong password costs. Its output is
/// no password's hash (it is fixed bytes), so nothing verifies against it. A constant, not a
/// hash made at start: that took ~33 ms of every process's start (every Lambda cold start).
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$kBtR29eyd06sh5HgX2GHMw$JHjdCYXIjGvGGdmYQ5UmJwci7PlvBgMpXWqMI4UiI4w";

impl Hasher {
    /// A hasher with one worker per core (started on first use).
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            workers: Arc::default(),
            dummy: Arc::new(Secret::new(DUMMY_PHC.to_string())),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let workers = self.workers.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            HashWorkers::start(cores).map_err(|e| e.to_string())
        });
        let workers = workers.as_ref().map_err(|e| Error::Crypto(e.clone()))?;
        workers
            .run(work)
            .await
            .ok_or_else(|| Error::Crypto("the hashing workers stopped".into()))
    }

    /// Hashes a new password with `salt` (16 bytes from the randomness port).
    pub async fn hash(
        &self,
        plain: &Secret<String>,
        salt: [u8; 16],
    ) -> Result<Secret<String>, Error> {
        let plain = plain.clone();
        self.run(move |memory| hash_in(memory, plain.expose(), &salt))
            .await?
            .map(Secret::new)
    }

    /// Verifies `plain` against the user's hash, or against the dummy hash when there is no
    /// user (same work, always false).
    pub async fn verify(
        &self,
        plain: &Secret<String>,
        phc: Option<&Secret<String>>,
    ) -> Result<bool, Error> {
        let (plain, real) = (plain.clone(), phc.is_some());
        let phc = phc.cloned().unwrap_or_else(|| (*self.dummy).clone());
        let ok = self
            .run(move |memory| {
                hash_workers::verify_with(memory, plain.expose().as_bytes(), phc.expose())
            })
            .await?;
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use argon2::password_hash::PasswordHash;

    #[test]
    fn dummy_hash_costs_what_a_real_one_costs() {
        let dummy = PasswordHash::new(DUMMY_PHC).unwrap();
        let real_phc = hash_password("Correct-Horse-9").unwrap();
        let real = PasswordHash::new(&real_phc).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params, "same m, t, p as stored hashes");
        assert_eq!(dummy.hash.map(|h| h.len()), real.hash.map(|h| h.len()));
        assert!(!verify_password("Correct-Horse-9", DUMMY_PHC));
        assert!(!verify_password("", DUMMY_PHC));
    }

    fn msg(p: &str) -> String {
        check_policy(&PasswordPolicy::default(), p)
            .unwrap_err()
            .message
    }

    #[test]
    fn policy_messages_are_cognitos() {
        assert!(msg("Ab1!").ends_with("Password not long enough"));
        assert!(msg("Abcdefgh!").ends_with("Password must have numeric characters"));
        assert!(msg("ABCDEFG1!").ends_with("Password must have lowercase characters"));
        assert!(msg("abcdefg1!").ends_with("Password must have uppercase characters"));
        assert!(msg("Abcdefg12").ends_with("Password must have symbol characters"));
        assert!(check_policy(&PasswordPolicy::default(), "Abcdefg1!").is_ok());
        assert!(check_policy(&PasswordPolicy::default(), "Abc defg1").is_ok());
        let e = check_policy(&PasswordPolicy::default(), "x").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidPassword);
    }

    #[test]
    fn relaxed_policy_accepts_plain_passwords() {
        let p = PasswordPolicy {
            minimum_length: 6,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            ..PasswordPolicy::default()
        };
        assert!(check_policy(&p, "aaaaaa").is_ok());
        assert!(check_policy(&p, "aaaaa").is_err());
    }

    #[test]
    fn hashes_are_argon2id_phc_and_verify() {
        let h = hash_password("Correct1!").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("Correct1!", &h));
        assert!(!verify_password("Wrong1!", &h));
        assert!(!verify_password("Correct1!", "not-a-hash"));
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        let hasher = Hasher::new().unwrap();
        let pw = Secret::new("latchkey-dummy-password-for-unknown-users".to_string());
        assert!(!hasher.verify(&pw, None).await.unwrap());
    }
}

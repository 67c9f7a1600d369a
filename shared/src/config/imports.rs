//! The settings of user import jobs in the Lambda functions: `LATCHKEY_IMPORT_BUCKET` (the S3
//! bucket uploads go to; unset: CreateUserImportJob is refused there) and
//! `LATCHKEY_IMPORT_WORKER_FUNCTION` (the function started jobs are handed to, asynchronously;
//! unset: a job runs inside StartUserImportJob, within API Gateway's 30 seconds). The local
//! server keeps uploads in its data dir unless it is given the bucket too, and always runs
//! jobs in the background (it has no worker function).

use crate::error::Error;

/// Where the functions keep import files and run import jobs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportConfig {
    /// `LATCHKEY_IMPORT_BUCKET`: an S3 bucket name.
    pub bucket: Option<String>,
    /// `LATCHKEY_IMPORT_WORKER_FUNCTION`: a Lambda function name or ARN.
    pub worker_function: Option<String>,
}

/// S3's bucket naming rules (general purpose buckets): 3 to 63 lowercase letters, digits,
/// dots and hyphens, starting and ending with a letter or digit.
fn bucket_ok(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Lambda's `FunctionName`: a name, a partial or full ARN (up to 140 characters of letters,
/// digits, `-`, `_`, `:`; a qualifier may add `$LATEST`).
fn function_ok(name: &str) -> bool {
    (1..=170).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_:$.".contains(&c))
}

/// Reads both settings through `get` (empty values already count as unset).
pub fn imports(get: &impl Fn(&str) -> Option<String>) -> Result<ImportConfig, Error> {
    let bucket = get("LATCHKEY_IMPORT_BUCKET").map(|v| v.trim().to_string());
    if let Some(b) = bucket.as_deref().filter(|b| !bucket_ok(b)) {
        return Err(Error::Config(format!(
            "LATCHKEY_IMPORT_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), got {b:?}"
        )));
    }
    let worker_function = get("LATCHKEY_IMPORT_WORKER_FUNCTION").map(|v| v.trim().to_string());
    if let Some(f) = worker_function.as_deref().filter(|f| !function_ok(f)) {
        return Err(Error::Config(format!(
            "LATCHKEY_IMPORT_WORKER_FUNCTION must be a Lambda function name or ARN, got {f:?}"
        )));
    }
    if worker_function.is_some() && bucket.is_none() {
        return Err(Error::Config(
            "LATCHKEY_IMPORT_WORKER_FUNCTION needs LATCHKEY_IMPORT_BUCKET (the worker reads the uploads there)".into(),
        ));
    }
    Ok(ImportConfig {
        bucket,
        worker_function,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<ImportConfig, Error> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        imports(&get)
    }

    #[test]
    fn reads_the_bucket_and_worker_and_names_bad_values() {
        assert_eq!(load(&[]).unwrap(), ImportConfig::default());
        let both = load(&[
            ("LATCHKEY_IMPORT_BUCKET", "latchkey-imports-1"),
            ("LATCHKEY_IMPORT_WORKER_FUNCTION", "stack-ImportWorker-AbC"),
        ])
        .unwrap();
        assert_eq!(both.bucket.as_deref(), Some("latchkey-imports-1"));
        assert_eq!(
            both.worker_function.as_deref(),
            Some("stack-ImportWorker-AbC")
        );
        for (name, value) in [
            ("LATCHKEY_IMPORT_BUCKET", "Upper_Case"),
            ("LATCHKEY_IMPORT_BUCKET", "ab"),
            ("LATCHKEY_IMPORT_BUCKET", "-starts-with-hyphen"),
        ] {
            let e = load(&[(name, value)]).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
        }
        let e = load(&[
            ("LATCHKEY_IMPORT_BUCKET", "b-1"),
            ("LATCHKEY_IMPORT_WORKER_FUNCTION", "has space"),
        ])
        .unwrap_err()
        .to_string();
        assert!(e.contains("LATCHKEY_IMPORT_WORKER_FUNCTION"), "{e}");
        let e = load(&[("LATCHKEY_IMPORT_WORKER_FUNCTION", "worker")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs LATCHKEY_IMPORT_BUCKET"), "{e}");
    }
}

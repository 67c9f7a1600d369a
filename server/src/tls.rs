//! The HTTPS listener (`--https-port`): the same router as the HTTP one, behind rustls with
//! Latchkey's one TLS provider ([`latchkey::tls::provider`]; no OpenSSL).
//!
//! The certificate is either the operator's (`--tls-cert`/`--tls-key`) or a self-signed one
//! made by rcgen on the first start (SANs `localhost`, `127.0.0.1`, `::1`) and kept beside the
//! SQLite file, so a browser or an OS trust store told to trust it once keeps trusting it.
//! Each handshake runs in its connection's own task on a request worker (`workers`), with a
//! time limit: a client that connects and says nothing holds up no one.

use anyhow::{bail, Context};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The generated certificate's file name in the data dir.
pub const CERT_FILE: &str = "tls-cert.pem";
/// The generated key's file name in the data dir (mode 0600).
pub const KEY_FILE: &str = "tls-key.pem";

/// The names the generated certificate is valid for.
const SUBJECT_ALT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The generated certificate's lifetime: Apple's platforms refuse TLS server certificates
/// valid for longer than 825 days, even ones the user trusts.
const VALID_DAYS: i64 = 825;

/// A generated certificate this old is replaced on the next start, before it expires.
const RENEW_AFTER: Duration = Duration::from_secs(800 * 24 * 3600);

/// Where the HTTPS listener's certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertSource {
    /// A self-signed certificate in `dir` ([`CERT_FILE`], [`KEY_FILE`]), made when missing.
    Generated {
        /// The folder (the server's data dir).
        dir: PathBuf,
    },
    /// PEM files the operator gives: the certificate chain and its private key.
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The private key (PKCS#8, PKCS#1 or SEC1).
        key: PathBuf,
    },
}

impl CertSource {
    /// The PEM file of the certificate in use (the one clients are told to trust).
    pub fn cert_path(&self) -> PathBuf {
        match self {
            Self::Generated { dir } => dir.join(CERT_FILE),
            Self::Files { cert, .. } => cert.clone(),
        }
    }
}

/// The HTTPS listener's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpsOptions {
    /// Port; 0 picks a free one.
    pub port: u16,
    /// The certificate.
    pub cert: CertSource,
}

/// The server side of TLS: [`latchkey::tls::provider`], TLS 1.2 and 1.3, HTTP/1.1 by ALPN.
pub fn server_config(source: &CertSource) -> anyhow::Result<rustls::ServerConfig> {
    let (certs, key) = match source {
        CertSource::Generated { dir } => load_or_generate(dir)?,
        CertSource::Files { cert, key } => (read_certs(cert)?, read_key(key)?),
    };
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(latchkey::tls::provider()))
            .with_safe_default_protocol_versions()
            .context("TLS setup")?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .with_context(|| {
                format!(
                    "the TLS key does not fit the certificate {}",
                    source.cert_path().display()
                )
            })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The certificate and key in `dir`, made (self-signed) when either file is missing (one
/// without the other is of no use) or the certificate is near its end.
fn load_or_generate(
    dir: &Path,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
    let age = std::fs::metadata(&cert)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|made| made.elapsed().ok());
    if !(cert.exists() && key.exists()) || age.is_some_and(|a| a > RENEW_AFTER) {
        generate(dir, &cert, &key)?;
        tracing::info!(cert = %cert.display(), "generated a self-signed TLS certificate");
    }
    Ok((read_certs(&cert)?, read_key(&key)?))
}

/// A self-signed certificate for the loopback names, written as PEM (the key readable by the
/// owner only). Each file is written beside its final name and renamed into place.
fn generate(dir: &Path, cert_path: &Path, key_path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let names: Vec<String> = SUBJECT_ALT_NAMES.iter().map(|s| s.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).context("certificate names")?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Latchkey local server");
    // From a day back (clocks differ a little) for VALID_DAYS.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(VALID_DAYS - 1);
    let key = rcgen::KeyPair::generate().context("generating the TLS key")?;
    let cert = params
        .self_signed(&key)
        .context("signing the TLS certificate")?;
    write_file(key_path, key.serialize_pem().as_bytes(), 0o600)?;
    write_file(cert_path, cert.pem().as_bytes(), 0o644)
}

/// Writes `bytes` to `path` through a temporary file created with `mode` (Unix).
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let tmp = path.with_extension("pem.tmp");
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = open
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

fn read_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading the TLS certificate {}", path.display()))?;
    if certs.is_empty() {
        bail!("no certificate (PEM) in {}", path.display());
    }
    Ok(certs)
}

fn read_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path)
        .with_context(|| format!("reading the TLS key {} (PEM)", path.display()))
}

/// The peer of an HTTPS connection, as axum's `ConnectInfo` (the edge's `peer`).
#[derive(Clone, Copy, Debug)]
pub struct TlsPeer(pub SocketAddr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_certificate_is_kept_and_its_key_is_private() {
        let dir = std::env::temp_dir().join(format!(
            "latchkey-tls-{}",
            latchkey::random::uuid_v4(&latchkey::random::Csprng)
        ));
        let source = CertSource::Generated { dir: dir.clone() };
        assert!(server_config(&source).is_ok());
        let first = std::fs::read(dir.join(CERT_FILE)).unwrap();
        assert!(server_config(&source).is_ok());
        assert_eq!(std::fs::read(dir.join(CERT_FILE)).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(KEY_FILE)).unwrap().permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The real SAML identity provider (`tests/clients/node/saml_idp.mjs`: samlify, which signs with
//! xml-crypto and encrypts with xml-encryption) as a child process on loopback, with a key and
//! certificate made for the run. Dropping it stops the process.

use crate::real_clients::repo_root;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::process::Child;

/// The running provider.
pub struct SamlIdp {
    /// Its entity id (the issuer of its responses).
    pub entity_id: String,
    /// Where its metadata is served (`MetadataURL`).
    pub metadata_url: String,
    /// Its base URL.
    pub base: String,
    child: Child,
    _dir: TempDir,
}

/// A directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The script.
pub fn script() -> std::path::PathBuf {
    repo_root().join("tests/clients/node/saml_idp.mjs")
}

fn pem(label: &str, der_b64: &str) -> String {
    let lines: Vec<String> = der_b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A user the provider signs in.
pub struct SamlUser<'a> {
    /// The NameID.
    pub name_id: &'a str,
    /// The AuthnStatement's SessionIndex.
    pub session_index: &'a str,
    /// Attribute name → values.
    pub attributes: Value,
}

impl SamlUser<'_> {
    fn json(&self) -> Value {
        json!({
            "name_id": self.name_id,
            "session_index": self.session_index,
            "attributes": self.attributes,
        })
    }
}

impl SamlIdp {
    /// Starts a provider with a new RSA key and self-signed certificate.
    pub fn start() -> Self {
        let made = latchkey::userpool::signing_certificate::self_signed("saml-idp", 0)
            .expect("IdP key and certificate");
        let dir = std::env::temp_dir().join(format!("latchkey-saml-idp-{}", uuid_like()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let key_file = dir.join("idp.key.pem");
        let cert_file = dir.join("idp.cert.pem");
        std::fs::write(&key_file, pem("PRIVATE KEY", made.key.pkcs8.expose())).expect("key");
        std::fs::write(&cert_file, pem("CERTIFICATE", &made.certificate)).expect("cert");
        let (child, ready) = super::spawn_node(
            &script(),
            &[
                "--key-file".as_ref(),
                key_file.as_os_str(),
                "--cert-file".as_ref(),
                cert_file.as_os_str(),
            ],
        );
        let port = ready["port"].as_u64().expect("port");
        Self {
            entity_id: ready["entity_id"].as_str().expect("entity_id").into(),
            metadata_url: ready["metadata_url"].as_str().expect("metadata_url").into(),
            base: format!("http://127.0.0.1:{port}"),
            child,
            _dir: TempDir(dir),
        }
    }

    /// Tells the provider how to answer Latchkey's pool `pool` at `latchkey_base`: its
    /// signing certificate, the encryption certificate (when encrypting), what to sign
    /// (`assertion`, `response` or `both`), and the user.
    pub async fn configure(
        &self,
        latchkey_base: &str,
        pool: &str,
        signing_cert: &str,
        encryption_cert: Option<&str>,
        sign: &str,
        user: &SamlUser<'_>,
    ) {
        let config = json!({
            "sp_entity_id": format!("urn:amazon:cognito:sp:{pool}"),
            "acs_url": format!("{latchkey_base}/saml2/idpresponse"),
            "slo_url": format!("{latchkey_base}/saml2/logout"),
            "sp_signing_cert": signing_cert,
            "sp_encryption_cert": encryption_cert,
            "sign": sign,
            "encrypt": encryption_cert.is_some(),
            "user": user.json(),
        });
        self.send(&config).await;
    }

    /// Tells the provider to answer another service provider (`entity_id`, posting to
    /// `acs_url`), one that sends no requests: AWS for an identity pool.
    pub async fn configure_for(
        &self,
        entity_id: &str,
        acs_url: &str,
        sign: &str,
        user: &SamlUser<'_>,
    ) {
        let config = json!({
            "sp_entity_id": entity_id,
            "acs_url": acs_url,
            "slo_url": acs_url,
            "sign": sign,
            "encrypt": false,
            "user": user.json(),
        });
        self.send(&config).await;
    }

    async fn send(&self, config: &Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/configure", self.base))
            .json(config)
            .send()
            .await
            .expect("configuring the SAML IdP");
        assert!(resp.status().is_success());
    }

    /// What the provider received and verified.
    pub async fn log(&self) -> Value {
        reqwest::get(format!("{}/log", self.base))
            .await
            .expect("the IdP's log")
            .json()
            .await
            .expect("log JSON")
    }
}

/// A name unique enough for a temporary directory.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    STANDARD
        .encode(format!("{}-{nanos}", std::process::id()))
        .replace(['/', '+', '='], "")
}

impl Drop for SamlIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

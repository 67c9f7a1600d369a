//! The export file: JSON Lines, a header line, then one record a line, each with its `kind`
//! and the store's own document of that kind under `record` (docs/export-format.md is the
//! reference). Version 1; an importer refuses another major version.

use crate::error::Error;
use crate::identity::model::{Identity, IdentityPool};
use crate::secret::Secret;
use crate::userpool::model::{
    AppClient, Device, Group, IdentityProvider, PoolDomain, ResourceServer, UiCustomization, User,
    UserPool,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The header's `format`.
pub const FORMAT: &str = "latchkey-export";
/// The major version this build writes and reads.
pub const VERSION: u64 = 1;

/// The first line of a file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    /// Always [`FORMAT`].
    pub format: String,
    /// The major version, [`VERSION`].
    pub version: u64,
    /// When the export started, ISO 8601 UTC (`20260101T120000Z`).
    pub exported_at: String,
    /// The store it came from (`sqlite:PATH`, `dynamodb:TABLE`, `memory`).
    pub source: String,
}

impl Header {
    /// The header of a file written now from `source`.
    pub fn new(exported_at: String, source: String) -> Self {
        Self {
            format: FORMAT.into(),
            version: VERSION,
            exported_at,
            source,
        }
    }

    /// Reads and checks a first line: a Latchkey export of a version this build reads.
    pub fn parse(line: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("line 1: not JSON: {e}"))?;
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(format!(
                "line 1: not a Latchkey export (the first line must be the header \
                 {{\"format\":\"{FORMAT}\",\"version\":{VERSION},...}})"
            ));
        }
        let header: Header =
            serde_json::from_value(value).map_err(|e| format!("line 1: bad header: {e}"))?;
        if header.version != VERSION {
            return Err(format!(
                "line 1: export format version {} is not supported: this Latchkey reads \
                 version {VERSION} (export again with this version, or import with the \
                 Latchkey that wrote it)",
                header.version
            ));
        }
        Ok(header)
    }
}

/// One record line. Every variant keeps the store's document under `record`, so the fields
/// are the stored ones (docs/export-format.md lists them). `Debug` hides every secret.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Record {
    /// A deployment setting (the session-sealing key, the identity signing key, the local
    /// server's default pool and client).
    Setting {
        /// Its name.
        key: String,
        /// Its value (key material for two of them).
        value: Secret<String>,
    },
    /// A user pool, with its signing keys.
    UserPool {
        /// The pool.
        record: UserPool,
    },
    /// An app client, with its secret.
    AppClient {
        /// The client.
        record: AppClient,
    },
    /// A resource server and its scopes.
    ResourceServer {
        /// The server.
        record: ResourceServer,
    },
    /// An external identity provider of a pool (its client secret or key with it).
    IdentityProvider {
        /// The provider.
        record: IdentityProvider,
    },
    /// A pool's domain.
    Domain {
        /// The domain.
        record: PoolDomain,
    },
    /// The hosted pages' customization of a client or a pool (`ALL`).
    UiCustomization {
        /// The customization.
        record: UiCustomization,
    },
    /// A group.
    Group {
        /// The group.
        record: Group,
    },
    /// A user (password hash, TOTP secret, passkeys, groups) and its alias claims.
    User {
        /// The user.
        record: User,
        /// The alias claims it holds.
        aliases: Vec<String>,
    },
    /// A confirmed device of a user.
    Device {
        /// The device.
        record: Device,
    },
    /// An identity pool.
    IdentityPool {
        /// The identity pool.
        record: IdentityPool,
    },
    /// An identity with its linked logins.
    Identity {
        /// The identity.
        record: Identity,
    },
}

/// Every `kind`, in the order an export writes them for one pool.
pub const KINDS: &[&str] = &[
    "setting",
    "user_pool",
    "app_client",
    "resource_server",
    "identity_provider",
    "domain",
    "ui_customization",
    "group",
    "user",
    "device",
    "identity_pool",
    "identity",
];

impl Record {
    /// The record's `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Setting { .. } => "setting",
            Record::UserPool { .. } => "user_pool",
            Record::AppClient { .. } => "app_client",
            Record::ResourceServer { .. } => "resource_server",
            Record::IdentityProvider { .. } => "identity_provider",
            Record::Domain { .. } => "domain",
            Record::UiCustomization { .. } => "ui_customization",
            Record::Group { .. } => "group",
            Record::User { .. } => "user",
            Record::Device { .. } => "device",
            Record::IdentityPool { .. } => "identity_pool",
            Record::Identity { .. } => "identity",
        }
    }

    /// What the record is, for reports (ids and names only, never a secret).
    pub fn label(&self) -> String {
        match self {
            Record::Setting { key, .. } => format!("setting {key}"),
            Record::UserPool { record } => format!("user pool {}", record.id),
            Record::AppClient { record } => {
                format!("app client {} of {}", record.client_id, record.pool_id)
            }
            Record::ResourceServer { record } => {
                format!(
                    "resource server {} of {}",
                    record.identifier, record.pool_id
                )
            }
            Record::IdentityProvider { record } => {
                format!("identity provider {} of {}", record.name, record.pool_id)
            }
            Record::Domain { record } => format!("domain {} of {}", record.domain, record.pool_id),
            Record::UiCustomization { record } => format!(
                "UI customization {} of {}",
                record.client_id, record.pool_id
            ),
            Record::Group { record } => format!("group {} of {}", record.name, record.pool_id),
            Record::User { record, .. } => {
                format!("user {} of {}", record.username, record.pool_id)
            }
            Record::Device { record } => format!(
                "device {} of user {} of {}",
                record.device_key, record.username_key, record.pool_id
            ),
            Record::IdentityPool { record } => format!("identity pool {}", record.id),
            Record::Identity { record } => format!("identity {}", record.id),
        }
    }

    /// Parses a record line (not the header); the message names the line.
    pub fn parse(line_no: usize, line: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("line {line_no}: not JSON: {e}"))?;
        let kind = match value.get("kind") {
            Some(Value::String(k)) => k.clone(),
            _ => return Err(format!("line {line_no}: the record has no \"kind\"")),
        };
        if !KINDS.contains(&kind.as_str()) {
            return Err(format!(
                "line {line_no}: unknown kind {kind:?} (version {VERSION} has {})",
                KINDS.join(", ")
            ));
        }
        serde_json::from_value(value).map_err(|e| format!("line {line_no}: bad {kind} record: {e}"))
    }

    /// The line (without its newline).
    pub fn to_line(&self) -> Result<String, Error> {
        Ok(serde_json::to_string(self)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::{sample_pool, sample_user};

    #[test]
    fn records_keep_their_kind_and_round_trip() {
        let record = Record::User {
            record: sample_user("us-east-1_a", "ann"),
            aliases: vec!["email:ann@example.com".into()],
        };
        let line = record.to_line().unwrap();
        assert!(line.starts_with(r#"{"kind":"user","record":{"#), "{line}");
        let back = Record::parse(2, &line).unwrap();
        assert_eq!(back.to_line().unwrap(), line);
        let pool = Record::UserPool {
            record: sample_pool("us-east-1_a"),
        };
        assert_eq!(
            Record::parse(3, &pool.to_line().unwrap()).unwrap().kind(),
            "user_pool"
        );
    }

    #[test]
    fn bad_lines_name_their_line_and_fault() {
        let err = Record::parse(7, "{not json").unwrap_err();
        assert!(err.starts_with("line 7: not JSON"), "{err}");
        let err = Record::parse(8, r#"{"kind":"session","record":{}}"#).unwrap_err();
        assert!(
            err.starts_with(r#"line 8: unknown kind "session""#),
            "{err}"
        );
        let err = Record::parse(9, r#"{"kind":"group","record":{"name":"g"}}"#).unwrap_err();
        assert!(
            err.starts_with("line 9: bad group record: missing field"),
            "{err}"
        );
        let err = Record::parse(10, r#"{"record":{}}"#).unwrap_err();
        assert_eq!(err, r#"line 10: the record has no "kind""#);
    }

    #[test]
    fn headers_of_another_major_version_are_refused() {
        let now = Header::new("20260101T000000Z".into(), "memory".into());
        let line = serde_json::to_string(&now).unwrap();
        assert_eq!(Header::parse(&line).unwrap(), now);
        let later = line.replace(r#""version":1"#, r#""version":2"#);
        let err = Header::parse(&later).unwrap_err();
        assert!(err.contains("version 2 is not supported"), "{err}");
        let err = Header::parse(r#"{"kind":"user_pool"}"#).unwrap_err();
        assert!(err.contains("not a Latchkey export"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let mut user = sample_user("us-east-1_a", "ann");
        user.password_hash = Some(Secret::new("$argon2id$v=19$secret-hash".into()));
        user.mfa.totp_secret = Some(Secret::new("TOTPSECRETBASE32".into()));
        let record = Record::User {
            record: user,
            aliases: vec![],
        };
        let setting = Record::Setting {
            key: "session_key".into(),
            value: Secret::new("c2VjcmV0LWtleQ==".into()),
        };
        let shown = format!("{record:?} {setting:?}");
        for secret in ["secret-hash", "TOTPSECRETBASE32", "c2VjcmV0LWtleQ=="] {
            assert!(!shown.contains(secret), "{shown}");
        }
        let pool = format!(
            "{:?}",
            Record::UserPool {
                record: sample_pool("us-east-1_a")
            }
        );
        assert!(pool.contains("[redacted]"), "{pool}");
    }
}

//! The records behind a pool's OAuth front door, as stored: resource servers and their custom
//! scopes, the pool's domains, and the hosted pages' UI customization.

use serde::{Deserialize, Serialize};

/// One custom scope of a resource server (`ResourceServerScopeType`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceScope {
    /// `ScopeName`: the part after `<identifier>/`.
    pub name: String,
    /// `ScopeDescription`.
    pub description: String,
}

/// A resource server: an API whose custom scopes app clients may ask for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceServer {
    /// The pool it belongs to.
    pub pool_id: String,
    /// `Identifier`, unique in the pool; scopes are `<identifier>/<name>`.
    pub identifier: String,
    /// `Name`.
    pub name: String,
    /// `Scopes` (up to 100).
    pub scopes: Vec<ResourceScope>,
}

impl ResourceServer {
    /// Whether `<identifier>/<name>` is one of this server's scopes.
    pub fn has_scope(&self, name: &str) -> bool {
        self.scopes.iter().any(|s| s.name == name)
    }
}

/// Which of its (at most two) domains a pool's domain is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainKind {
    /// `<prefix>.auth.<region>.amazoncognito.com`.
    Prefix,
    /// The customer's own name, with a certificate (`CustomDomainConfig`).
    Custom,
}

impl DomainKind {
    /// The stored spelling (also a storage key part).
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Prefix => "prefix",
            DomainKind::Custom => "custom",
        }
    }
}

/// A pool's domain: a name claimed by one pool across the deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolDomain {
    /// `Domain`: the prefix, or the custom host name.
    pub domain: String,
    /// The pool it belongs to.
    pub pool_id: String,
    /// Prefix or custom.
    pub kind: DomainKind,
    /// `CustomDomainConfig.CertificateArn` (custom domains).
    pub certificate_arn: Option<String>,
    /// `ManagedLoginVersion`: 1 (hosted UI classic) or 2 (managed login).
    pub managed_login_version: i64,
    /// Creation time, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
}

/// The image types a UI customization logo may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoType {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl LogoType {
    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            LogoType::Png => "image/png",
            LogoType::Jpeg => "image/jpeg",
        }
    }
}

/// A logo: its bytes and type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logo {
    /// PNG or JPEG.
    pub kind: LogoType,
    /// The file, base64 (standard alphabet) as stored.
    pub base64: String,
}

/// The hosted pages' customization for one app client, or for the pool (`ALL`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiCustomization {
    /// The pool.
    pub pool_id: String,
    /// The client, or `ALL` for the pool's default.
    pub client_id: String,
    /// Checked CSS (only the customizable classes, nothing that loads anything).
    pub css: Option<String>,
    /// The logo.
    pub logo: Option<Logo>,
    /// Changes with every set (`CSSVersion`).
    pub css_version: String,
    /// First set, epoch ms (kept by the store across sets).
    pub created_ms: i64,
    /// Last set, epoch ms.
    pub modified_ms: i64,
}

/// The `ClientId` of a pool-wide UI customization.
pub const ALL_CLIENTS: &str = "ALL";

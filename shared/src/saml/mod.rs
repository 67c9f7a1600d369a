//! SAML 2.0 sign-in: the security core that checks a `SAMLResponse` an identity provider posted
//! (HTTP-POST binding). Pure functions: no I/O, no [`crate::App`]; the caller passes the IdP's
//! certificates, the service provider's expectations and the clock.
//!
//! The pieces, bottom up:
//! - [`xml`]: parsing with a size limit and no DTD (no entities, no billion laughs), and reading
//!   an element's whole text (comment-injection safe).
//! - [`c14n`]: Exclusive XML Canonicalization 1.0 (and inclusive 1.0) over a subtree, with the
//!   enveloped signature left out.
//! - [`dsig`]: XML-DSig verification of an enveloped signature on one element, by the keys of
//!   the IdP's metadata certificates only; and the raw RSA check of the HTTP-Redirect binding.
//! - [`xmlenc`]: XML Encryption 1.1 decryption of an `EncryptedAssertion` (RSA-OAEP key
//!   transport, AES-CBC / AES-GCM data).
//! - [`response`]: the whole check of a Response: status, destination, issuer, signatures
//!   (never reading an unsigned copy), decryption; then `assertion` (private) checks the
//!   assertion's issuer, conditions, audience and bearer confirmation and reads it.
//! - [`binding`], [`messages`], [`metadata`]: the HTTP-Redirect and HTTP-POST bindings, the
//!   messages Latchkey sends (AuthnRequest, LogoutRequest) and the LogoutResponse it reads, and
//!   an IdP's metadata — used by the sign-in flow around this core.
//!
//! Security choices: any DOCTYPE is refused; an ID that occurs twice in a message is refused
//! (signature wrapping); only the exact node whose signature verified is read; RSA keys must be
//! 2048 bits or more; rsa-1_5 key transport and HMAC signatures are refused.

mod assertion;
pub mod binding;
pub mod c14n;
pub mod dsig;
pub mod messages;
pub mod metadata;
pub mod response;
mod time;
pub mod xml;
pub mod xmlenc;

#[cfg(test)]
mod tests;

pub use response::{verify_response, Assertion, Expected};

/// The SAML 2.0 protocol namespace (`samlp:`).
pub const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML 2.0 assertion namespace (`saml:`).
pub const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The XML-DSig namespace (`ds:`).
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The XML Encryption namespace (`xenc:`).
pub const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
/// The XML Encryption 1.1 namespace (`xenc11:`, for `MGF`).
pub const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
/// The SAML 2.0 metadata namespace (`md:`).
pub const NS_MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// Why a SAML message was refused. Messages never carry key material.
#[derive(Debug, thiserror::Error)]
pub enum SamlError {
    /// Not well-formed XML, not the expected shape, or over a limit.
    #[error("malformed SAML message: {0}")]
    Malformed(String),
    /// A missing, invalid or unacceptable XML signature.
    #[error("bad signature: {0}")]
    Signature(String),
    /// The encrypted assertion could not be decrypted (no key, wrong key, refused algorithm).
    #[error("cannot decrypt: {0}")]
    Decryption(String),
    /// A condition failed: audience, recipient, time, issuer, InResponseTo.
    #[error("{0}")]
    Rejected(String),
    /// The IdP answered a non-Success StatusCode (with its second-level code, if any).
    #[error("the identity provider answered {0}")]
    Status(String),
}

/// Shorthand for the module's results.
pub type SamlResult<T> = Result<T, SamlError>;

/// Decodes standard base64, ignoring whitespace (XML base64 content is often wrapped).
pub(crate) fn b64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

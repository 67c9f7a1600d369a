//! A user's passkeys as stored: each registered WebAuthn credential with what
//! ListWebAuthnCredentials reports, and the one registration in progress
//! (StartWebAuthnRegistration's state, kept server-side until CompleteWebAuthnRegistration).

use serde::{Deserialize, Serialize};
use webauthn_rs_core::proto::{Credential, RegistrationState};

/// A registered passkey.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Passkey {
    /// The credential id, base64url without padding (the wire `CredentialId`).
    pub id: String,
    /// The verified credential: public key, sign counter, UV and backup flags.
    pub credential: Credential,
    /// A name for the user to tell passkeys apart (`FriendlyCredentialName`).
    pub friendly_name: Option<String>,
    /// The relying party it was registered for.
    pub relying_party_id: String,
    /// `platform` or `cross-platform`, when the client said.
    pub attachment: Option<String>,
    /// The transports the client reported (`usb`, `internal`, `hybrid`...).
    #[serde(default)]
    pub transports: Vec<String>,
    /// Registration time, epoch ms.
    pub created_ms: i64,
}

/// A registration in progress: single-use, expiring, bound to the client that started it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingPasskey {
    /// The ceremony state (challenge, UV policy, excluded credentials).
    pub state: RegistrationState,
    /// The relying party the options named.
    pub relying_party_id: String,
    /// The app client of the access token that started it.
    pub client_id: String,
    /// When it stops being accepted, epoch ms.
    pub expires_ms: i64,
}

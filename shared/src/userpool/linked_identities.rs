//! The `identities` attribute: the external identities a user signs in with (a federated
//! user's own, and those linked to a native user by AdminLinkProviderForUser). Stored as
//! Cognito stores it, a JSON array in the attribute; each identity is also claimed as an alias
//! (`idp:<provider>:<userId>`), so one external identity belongs to at most one user, and a
//! federated sign-in finds its user in one read.

use super::model::User;
use serde::{Deserialize, Serialize};

/// The attribute's name.
pub const ATTRIBUTE: &str = "identities";
/// The alias prefix an external identity is claimed under.
pub const ALIAS_PREFIX: &str = "idp:";

/// One external identity of a user (`{"userId","providerName","providerType","issuer",
/// "primary","dateCreated"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedIdentity {
    /// The provider's id of the user (`sub`, Facebook's `id`, a SAML NameID).
    pub user_id: String,
    /// The pool's provider name.
    pub provider_name: String,
    /// The provider's type (`Google`, `OIDC`, `SAML`, ...).
    pub provider_type: String,
    /// A SAML provider's entity id; null for the others.
    pub issuer: Option<String>,
    /// Whether this is the identity the user was created from.
    pub primary: bool,
    /// When the identity was first seen, epoch ms.
    pub date_created: i64,
    /// For a link made by a mapped attribute (AdminLinkProviderForUser with a
    /// `ProviderAttributeName` other than `Cognito_Subject`): that pool attribute; the link then
    /// belongs to the user whose sign-in maps this value to it. Not part of the ID-token claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_by: Option<String>,
}

impl LinkedIdentity {
    /// The alias claim of this identity.
    pub fn alias(&self) -> String {
        match &self.linked_by {
            Some(attribute) => alias_by(&self.provider_name, attribute, &self.user_id),
            None => alias(&self.provider_name, &self.user_id),
        }
    }

    /// The ID token's form: `primary` and `dateCreated` as strings, as Cognito sends them.
    pub fn claim(&self) -> serde_json::Value {
        let claim = Claim {
            user_id: &self.user_id,
            provider_name: &self.provider_name,
            provider_type: &self.provider_type,
            issuer: self.issuer.as_deref(),
            primary: self.primary.to_string(),
            date_created: self.date_created.to_string(),
        };
        serde_json::to_value(claim).unwrap_or_default()
    }
}

/// An identity as the ID token's `identities` claim shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Claim<'a> {
    user_id: &'a str,
    provider_name: &'a str,
    provider_type: &'a str,
    issuer: Option<&'a str>,
    primary: String,
    date_created: String,
}

/// The alias key of the identity `user_id` of provider `provider_name`.
pub fn alias(provider_name: &str, user_id: &str) -> String {
    format!("{ALIAS_PREFIX}{provider_name}:{user_id}")
}

/// The alias claim of a link made by the mapped pool attribute `attribute` with `value`:
/// apart from subject aliases (a record separator, which no subject or attribute name holds,
/// divides them).
pub fn alias_by(provider_name: &str, attribute: &str, value: &str) -> String {
    format!("{ALIAS_PREFIX}{provider_name}:{value}\u{1e}{attribute}")
}

/// A user's identities (none when the attribute is absent or not Cognito's shape).
pub fn of(user: &User) -> Vec<LinkedIdentity> {
    user.attributes
        .get(ATTRIBUTE)
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or_default()
}

/// Writes `identities` as the user's attribute (removing it when empty).
pub fn set(user: &mut User, identities: &[LinkedIdentity]) {
    if identities.is_empty() {
        user.attributes.remove(ATTRIBUTE);
    } else if let Ok(text) = serde_json::to_string(identities) {
        user.attributes.insert(ATTRIBUTE.to_string(), text);
    }
}

/// The alias claims of a user's identities.
pub fn aliases(user: &User) -> impl Iterator<Item = String> {
    of(user).into_iter().map(|i| i.alias())
}

/// The `identities` ID-token claim for the attribute's value.
pub fn claim_of(value: &str) -> Option<serde_json::Value> {
    let list: Vec<LinkedIdentity> = serde_json::from_str(value).ok()?;
    Some(serde_json::Value::Array(
        list.iter().map(LinkedIdentity::claim).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_by_attribute_has_an_alias_of_its_own_and_no_claim_member() {
        let mut id = LinkedIdentity {
            user_id: "Jane Doe".into(),
            provider_name: "Corp".into(),
            provider_type: "SAML".into(),
            issuer: None,
            primary: false,
            date_created: 0,
            linked_by: Some("name".into()),
        };
        assert_ne!(id.alias(), alias("Corp", "Jane Doe"));
        assert_eq!(id.alias(), alias_by("Corp", "name", "Jane Doe"));
        assert_ne!(id.alias(), alias_by("Corp", "email", "Jane Doe"));
        assert!(id.claim().get("linkedBy").is_none());
        id.linked_by = None;
        let text = serde_json::to_string(&id).unwrap();
        assert!(!text.contains("linkedBy"), "{text}");
    }

    #[test]
    fn attribute_and_claim_shapes_are_cognitos() {
        let id = LinkedIdentity {
            user_id: "1173".into(),
            provider_name: "Google".into(),
            provider_type: "Google".into(),
            issuer: None,
            primary: true,
            date_created: 1_700_000_000_000,
            linked_by: None,
        };
        let text = serde_json::to_string(std::slice::from_ref(&id)).unwrap();
        assert_eq!(
            text,
            r#"[{"userId":"1173","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1700000000000}]"#
        );
        let claim = claim_of(&text).unwrap();
        assert_eq!(claim[0]["primary"], "true");
        assert_eq!(claim[0]["dateCreated"], "1700000000000");
        assert_eq!(id.alias(), "idp:Google:1173");
    }
}

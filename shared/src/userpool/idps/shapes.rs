//! The wire shapes of the identity-provider operations: `IdentityProviderType`,
//! `ProviderDescription`, and the requests that name a provider.

use super::details;
use crate::clock::epoch_seconds;
use crate::ids::UserPoolId;
use crate::userpool::model::{IdentityProvider, ProviderType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `IdentityProviderType`, as Describe shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderType {
    /// The pool.
    pub user_pool_id: String,
    /// The provider's name.
    pub provider_name: String,
    /// Its type.
    pub provider_type: ProviderType,
    /// Its details, as Describe shows them (see [`details::described`]).
    pub provider_details: Shown,
    /// Pool attribute → provider claim.
    pub attribute_mapping: BTreeMap<String, String>,
    /// Its identifiers.
    pub idp_identifiers: Vec<String>,
    /// Last modified, epoch seconds.
    pub last_modified_date: f64,
    /// Created, epoch seconds.
    pub creation_date: f64,
}

/// `ProviderDetails` on their way out: shown to the caller (Describe returns
/// `client_secret`, as Cognito does), never to `Debug`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Shown(pub BTreeMap<String, String>);

impl std::fmt::Debug for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl From<&IdentityProvider> for IdentityProviderType {
    fn from(idp: &IdentityProvider) -> Self {
        Self {
            user_pool_id: idp.pool_id.clone(),
            provider_name: idp.name.clone(),
            provider_type: idp.provider_type,
            provider_details: Shown(details::described(idp)),
            attribute_mapping: idp.attribute_mapping.clone(),
            idp_identifiers: idp.idp_identifiers.clone(),
            last_modified_date: epoch_seconds(idp.modified_ms),
            creation_date: epoch_seconds(idp.created_ms),
        }
    }
}

/// The reply of Create-, Describe-, Update- and GetIdentityProviderByIdentifier.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProviderOutput {
    /// The provider.
    pub identity_provider: IdentityProviderType,
}

impl From<&IdentityProvider> for IdentityProviderOutput {
    fn from(idp: &IdentityProvider) -> Self {
        Self {
            identity_provider: idp.into(),
        }
    }
}

/// `ProviderDescription`: one entry of ListIdentityProviders.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderDescription {
    /// The provider's name.
    pub provider_name: String,
    /// Its type.
    pub provider_type: ProviderType,
    /// Last modified, epoch seconds.
    pub last_modified_date: f64,
    /// Created, epoch seconds.
    pub creation_date: f64,
}

impl From<&IdentityProvider> for ProviderDescription {
    fn from(idp: &IdentityProvider) -> Self {
        Self {
            provider_name: idp.name.clone(),
            provider_type: idp.provider_type,
            last_modified_date: epoch_seconds(idp.modified_ms),
            creation_date: epoch_seconds(idp.created_ms),
        }
    }
}

/// CreateIdentityProvider's request (`AcrMapping` is accepted and not kept).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIdentityProviderInput {
    pub(super) user_pool_id: UserPoolId,
    pub(super) provider_name: String,
    pub(super) provider_type: ProviderType,
    pub(super) provider_details: BTreeMap<String, String>,
    pub(super) attribute_mapping: Option<BTreeMap<String, String>>,
    pub(super) idp_identifiers: Option<Vec<String>>,
}

/// UpdateIdentityProvider's request: members not sent keep their values.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateIdentityProviderInput {
    pub(super) user_pool_id: UserPoolId,
    pub(super) provider_name: String,
    pub(super) provider_details: Option<BTreeMap<String, String>>,
    pub(super) attribute_mapping: Option<BTreeMap<String, String>>,
    pub(super) idp_identifiers: Option<Vec<String>>,
}

/// Describe- and DeleteIdentityProvider's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderNameInput {
    pub(super) user_pool_id: UserPoolId,
    pub(super) provider_name: String,
}

/// GetIdentityProviderByIdentifier's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdentifierInput {
    pub(super) user_pool_id: UserPoolId,
    pub(super) idp_identifier: String,
}

/// ListIdentityProviders' request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentityProvidersInput {
    pub(super) user_pool_id: UserPoolId,
    pub(super) max_results: Option<i64>,
    pub(super) next_token: Option<String>,
}

/// ListIdentityProviders' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListIdentityProvidersOutput {
    /// This page.
    pub providers: Vec<ProviderDescription>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

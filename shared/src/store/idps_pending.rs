//! TEMPORARY (removed when the adapters land): the identity-provider port on both adapters,
//! finding nothing.

use super::{IdentityProviderStore, Page, StoreError};
use crate::error::Error;
use crate::userpool::model::IdentityProvider;
use async_trait::async_trait;

macro_rules! nothing {
    ($t:ty) => {
        #[async_trait]
        impl IdentityProviderStore for $t {
            async fn create_identity_provider(&self, _: &IdentityProvider) -> Result<(), StoreError> {
                Err(StoreError::Conflict)
            }
            async fn get_identity_provider(&self, _: &str, _: &str) -> Result<Option<IdentityProvider>, Error> {
                Ok(None)
            }
            async fn get_identity_provider_by_identifier(&self, _: &str, _: &str) -> Result<Option<IdentityProvider>, Error> {
                Ok(None)
            }
            async fn update_identity_provider(&self, _: &IdentityProvider) -> Result<(), StoreError> {
                Err(StoreError::Conflict)
            }
            async fn delete_identity_provider(&self, _: &str, _: &str) -> Result<bool, Error> {
                Ok(false)
            }
            async fn list_identity_providers(&self, _: &str, _: Option<&str>, _: usize) -> Result<Page<IdentityProvider>, Error> {
                Ok(Page { items: vec![], next: None })
            }
        }
    };
}
nothing!(super::sqlite::SqliteStore);
nothing!(super::dynamodb::DynamoStore);

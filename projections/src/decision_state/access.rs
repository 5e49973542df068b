//! The access tokens, as issued and revoked in stream `access`.

use liangye_events::catalogue::{CityCode, Role, SecretSha256};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One access token, with the log positions it was issued and revoked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessToken {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<CityCode>,
    /// SHA-256 of the secret; the secret itself is never recorded.
    pub secret_sha256: SecretSha256,
    pub revoked: bool,
    /// The log position of the `AccessGranted` event.
    pub granted_at: i64,
    /// The log position of the `AccessRevoked` event, once revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
}

impl AccessToken {
    /// Whether the token still works.
    pub fn is_active(&self) -> bool {
        !self.revoked
    }

    /// Whether the token worked at log position `at`: issued at or before it, and not
    /// revoked by then.
    pub fn is_active_at(&self, at: i64) -> bool {
        self.granted_at <= at && self.revoked_at.is_none_or(|revoked| revoked > at)
    }
}

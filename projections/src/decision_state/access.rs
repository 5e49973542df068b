//! The access tokens, as issued and revoked in stream `access`.

use liangye_events::catalogue::{CityCode, Role, SecretSha256};
use uuid::Uuid;

/// One access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub city: Option<CityCode>,
    /// SHA-256 of the secret; the secret itself is never recorded.
    pub secret_sha256: SecretSha256,
    pub revoked: bool,
}

impl AccessToken {
    /// Whether the token still works.
    pub fn is_active(&self) -> bool {
        !self.revoked
    }
}

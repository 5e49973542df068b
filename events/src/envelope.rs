//! The event envelope: what a writer hands the store ([`NewEvent`]), what the store keeps
//! ([`StoredEvent`], one row of `events`), and the decoded canonical form ([`Envelope`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::canonical::{self, CanonicalError};

/// An event about to be appended. The store assigns position, stream version and
/// `recordedAt`, and builds the canonical form and leaf hash inside the write transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub stream_id: String,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: Value,
    pub metadata: Metadata,
}

/// Recording metadata carried by every event (DESIGN.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub actor: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
}

/// One row of the `events` table, exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredEvent {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub schema_version: i32,
    /// `recordedAt` in the canonical fixed format (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
    pub recorded_at: String,
    pub command_id: Option<Uuid>,
    pub actor: String,
    pub role: String,
    /// The RFC 8785 text that was hashed; never re-serialized.
    pub canonical: String,
    /// SHA-256(0x00 ‖ canonical), 64 lowercase hex.
    pub leaf_hash: String,
}

impl StoredEvent {
    /// Decode the canonical text into its envelope.
    pub fn envelope(&self) -> Result<Envelope, CanonicalError> {
        serde_json::from_str(&self.canonical).map_err(|e| CanonicalError::Malformed(e.to_string()))
    }

    /// The `recordedAt` instant.
    pub fn recorded_at_utc(&self) -> Result<DateTime<Utc>, CanonicalError> {
        canonical::parse_timestamp(&self.recorded_at)
    }
}

/// The canonical form of an event (DESIGN.md §3), as serialized by JCS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_version: i64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub schema_version: i32,
    pub recorded_at: String,
    pub payload: Value,
    pub metadata: Metadata,
}

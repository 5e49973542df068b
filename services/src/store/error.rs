//! Errors of the event store.

use liangye_events::canonical::CanonicalError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unknown database URL scheme in {0:?}: use sqlite://… or postgres://…")]
    UnknownScheme(String),
    #[error("invalid stream id {id:?}: {reason}")]
    InvalidStreamId { id: String, reason: &'static str },
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error("payload of {event_type}: {source}")]
    Canonical {
        event_type: String,
        source: CanonicalError,
    },
    #[error("stored event at position {position} is corrupt: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("{0}")]
    Tree(#[from] liangye_events::merkle::MerkleError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

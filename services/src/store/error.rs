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
    #[error("expected version {expected} for stream {stream_id:?} is negative")]
    NegativeExpectedVersion { stream_id: String, expected: i64 },
    #[error("stream {stream_id:?} is at version {actual}, not the expected {expected}")]
    Conflict {
        stream_id: String,
        expected: i64,
        actual: i64,
    },
    #[error("payload of {event_type}: {source}")]
    Canonical {
        event_type: String,
        source: CanonicalError,
    },
    #[error("stored event at position {position} is corrupt: {reason}")]
    Corrupt { position: i64, reason: String },
    #[error("{0}")]
    Tree(#[from] liangye_events::merkle::MerkleError),
    /// The database could not be opened or reached: what (a file, an address; never a
    /// password) and why.
    #[error("cannot open the database {target}: {cause}")]
    Unreachable { target: String, cause: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// True when the error is the caller's (bad input or a version conflict), not the database's.
    pub fn is_caller_error(&self) -> bool {
        matches!(
            self,
            Self::UnknownScheme(_)
                | Self::InvalidStreamId { .. }
                | Self::InvalidEvent(_)
                | Self::NegativeExpectedVersion { .. }
                | Self::Conflict { .. }
                | Self::Canonical { .. }
        ) || matches!(
            self,
            Self::Tree(
                liangye_events::merkle::MerkleError::EmptyTree
                    | liangye_events::merkle::MerkleError::IndexOutOfRange { .. }
                    | liangye_events::merkle::MerkleError::PositionOutOfRange { .. }
                    | liangye_events::merkle::MerkleError::FromAfterTo { .. }
                    | liangye_events::merkle::MerkleError::BeyondHead { .. }
                    | liangye_events::merkle::MerkleError::TooLarge(_)
            )
        )
    }
}

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
    /// The database could not be opened or reached: what (a file, an address; never a
    /// password) and why.
    #[error("cannot open the database {target}: {cause}")]
    Unreachable { target: String, cause: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// Reading whole pages of a SQLite log failed (`sqlite_pages.rs`).
    #[error("reading the log in {file}: {cause}")]
    Pages { file: String, cause: String },
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

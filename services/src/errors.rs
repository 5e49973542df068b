//! The one map of errors to the client-facing codes of DESIGN.md §4: [`ErrorCode`], and
//! [`Coded`], implemented here for every error type a client can be answered with. The API
//! turns any [`Coded`] error into its response in one place (`liangye_api::graphql::error`):
//! the caller's errors say what is wrong; `INTERNAL` ones are logged with their cause and
//! shown only as a reference.

use std::fmt;

use liangye_events::merkle::MerkleError;

use crate::decide::DomainError;
use crate::engine::EngineError;
use crate::live::{AsOfError, LiveError};
use crate::store::StoreError;

/// The error codes clients see in `extensions.code` (DESIGN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    ValidationFailed,
    NotEligible,
    InvalidTransition,
    Conflict,
    QuotaExceeded,
    Duplicate,
    NotFound,
    QueryTooComplex,
    Internal,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::ValidationFailed,
        ErrorCode::NotEligible,
        ErrorCode::InvalidTransition,
        ErrorCode::Conflict,
        ErrorCode::QuotaExceeded,
        ErrorCode::Duplicate,
        ErrorCode::NotFound,
        ErrorCode::QueryTooComplex,
        ErrorCode::Internal,
    ];

    /// The code as clients see it, e.g. `"NOT_ELIGIBLE"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::NotEligible => "NOT_ELIGIBLE",
            ErrorCode::InvalidTransition => "INVALID_TRANSITION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::QuotaExceeded => "QUOTA_EXCEEDED",
            ErrorCode::Duplicate => "DUPLICATE",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a client-facing code.
pub trait Coded: std::error::Error {
    fn code(&self) -> ErrorCode;
}

impl Coded for DomainError {
    fn code(&self) -> ErrorCode {
        match self {
            DomainError::Unauthenticated(_) => ErrorCode::Unauthenticated,
            DomainError::Forbidden(_) => ErrorCode::Forbidden,
            DomainError::Validation { .. } => ErrorCode::ValidationFailed,
            DomainError::NotEligible { .. } => ErrorCode::NotEligible,
            DomainError::InvalidTransition(_) => ErrorCode::InvalidTransition,
            DomainError::Conflict { .. } => ErrorCode::Conflict,
            DomainError::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
            DomainError::Duplicate(_) => ErrorCode::Duplicate,
            DomainError::NotFound(_) => ErrorCode::NotFound,
        }
    }
}

/// A rejection's own code; the store's or the log's trouble is `INTERNAL`.
impl Coded for EngineError {
    fn code(&self) -> ErrorCode {
        match self {
            EngineError::Rejected(e) => e.code(),
            EngineError::Storage(_) | EngineError::Decode(_) | EngineError::Stopped => ErrorCode::Internal,
        }
    }
}

/// The caller's mistakes (bad input, a proof beyond the tree) are theirs;
/// the database's are `INTERNAL`.
impl Coded for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            StoreError::UnknownScheme(_)
            | StoreError::InvalidStreamId { .. }
            | StoreError::InvalidEvent(_)
            | StoreError::Canonical { .. } => ErrorCode::ValidationFailed,
            StoreError::Tree(
                MerkleError::EmptyTree
                | MerkleError::IndexOutOfRange { .. }
                | MerkleError::FromAfterTo { .. }
                | MerkleError::BeyondHead { .. }
                | MerkleError::TooLarge(_),
            ) => ErrorCode::ValidationFailed,
            _ => ErrorCode::Internal,
        }
    }
}

/// Every as-of mistake is the caller's.
impl Coded for AsOfError {
    fn code(&self) -> ErrorCode {
        ErrorCode::ValidationFailed
    }
}

/// The caller's mistakes are `VALIDATION_FAILED`; everything else `INTERNAL`.
impl Coded for LiveError {
    fn code(&self) -> ErrorCode {
        match self {
            LiveError::AsOf(_) | LiveError::Code(_) | LiveError::Page(_) => ErrorCode::ValidationFailed,
            LiveError::Storage(_)
            | LiveError::Decode { .. }
            | LiveError::Snapshot(_)
            | LiveError::Lagging { .. }
            | LiveError::Stopped => ErrorCode::Internal,
        }
    }
}

//! The one place errors become GraphQL errors with `extensions.code` (DESIGN.md §4).
//! Client-side errors say what is wrong; server-side ones are logged in full and shown to
//! the client only as `INTERNAL` with a reference, never with database text.

use async_graphql::{Error, ErrorExtensions};
use liangye_services::decide::{DomainError, ErrorCode};
use liangye_services::engine::EngineError;
use uuid::Uuid;

/// An API error: a code and a message for the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorCode::Unauthenticated,
            "no valid access token: send `Authorization: Bearer <secret>` with a token that is not revoked",
        )
    }

    pub fn forbidden(what: &str) -> Self {
        Self::new(ErrorCode::Forbidden, format!("this token may not {what}"))
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationFailed, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// A server-side failure: logged with a reference the client is given instead.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        let reference = Uuid::now_v7();
        tracing::error!(%reference, error = %cause, "internal error");
        Self::new(
            ErrorCode::Internal,
            format!("internal error; reference {reference}"),
        )
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> Error {
        Error::new(self.message.clone()).extend_with(|_, e| e.set("code", self.code.as_str()))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        e.extend()
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Rejected(d) => d.into(),
            other => ApiError::internal(&other),
        }
    }
}

impl From<liangye_services::StoreError> for ApiError {
    fn from(e: liangye_services::StoreError) -> Self {
        if e.is_caller_error() {
            ApiError::validation(e.to_string())
        } else {
            ApiError::internal(&e)
        }
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, Error>;

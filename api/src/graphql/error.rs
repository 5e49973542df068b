//! The one place errors become GraphQL errors with `extensions.code` (DESIGN.md §4).
//! Client-side errors say what is wrong; server-side ones are logged in full and shown to
//! the client only as `INTERNAL` with a reference, never with database text.

use std::sync::Arc;

use async_graphql::{Error, ErrorExtensions};
use liangye_services::StoreError;
use liangye_services::decide::DomainError;
use liangye_services::engine::EngineError;
use liangye_services::errors::{Coded, ErrorCode};
use liangye_services::live::{AsOfError, LiveError};
use uuid::Uuid;

/// An API error: a code and a message for the client, and for a server-side failure the
/// cause, which is logged and never shown.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub cause: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
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

    /// A server-side failure: logged with its cause under a reference; the client is given
    /// only the reference.
    pub fn internal<E: std::error::Error + Send + Sync + 'static>(cause: E) -> Self {
        let reference = Uuid::now_v7();
        tracing::error!(%reference, error = %cause, detail = ?cause, "internal error");
        Self {
            code: ErrorCode::Internal,
            message: format!("internal error; reference {reference}"),
            cause: Some(Arc::new(cause)),
        }
    }

    /// Any error with a code: the caller's say what is wrong; `INTERNAL` keeps its cause.
    pub fn coded<E: Coded + Send + Sync + 'static>(e: E) -> Self {
        match e.code() {
            ErrorCode::Internal => Self::internal(e),
            code => Self::new(code, e.to_string()),
        }
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

macro_rules! from_coded {
    ($($error:ty),+) => {
        $(impl From<$error> for ApiError {
            fn from(e: $error) -> Self {
                ApiError::coded(e)
            }
        })+
    };
}

from_coded!(DomainError, EngineError, StoreError, LiveError, AsOfError);

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, Error>;

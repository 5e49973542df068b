//! Who is calling: the bearer token of the request (or of the websocket's
//! `connection_init` payload), resolved against the live access view, and the policy table
//! (`liangye_projections::policy`) applied per field.

use async_graphql::Context;
use liangye_projections::policy::{self, Action};
use liangye_services::decide::Principal;

use super::error::ApiError;

/// The caller of one request, resolved once per request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// A header whose token is unknown, malformed or revoked.
    Invalid,
    Token(Principal),
}

/// The secret in an `Authorization: Bearer …` value.
pub fn bearer_secret(header: &str) -> Option<&str> {
    let (scheme, secret) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(secret.trim())
        .filter(|s| !s.is_empty())
}

/// The authenticated principal, or `UNAUTHENTICATED`.
pub fn caller<'a>(ctx: &'a Context<'_>) -> Result<&'a Principal, ApiError> {
    match ctx.data_opt::<Caller>() {
        Some(Caller::Token(p)) => Ok(p),
        _ => Err(ApiError::unauthenticated()),
    }
}

/// The principal if the policy table ([`policy`]) allows its role `action`, else
/// `FORBIDDEN` (or `UNAUTHENTICATED`). A city-scoped action is checked against the unit by
/// `decide`.
pub fn require<'a>(ctx: &'a Context<'_>, action: Action) -> Result<&'a Principal, ApiError> {
    let p = caller(ctx)?;
    if policy::allows(p.role, action) {
        Ok(p)
    } else {
        Err(ApiError::forbidden(action.describe()))
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_secret;

    #[test]
    fn reads_bearer_secrets() {
        assert_eq!(bearer_secret("Bearer lyt_abc"), Some("lyt_abc"));
        assert_eq!(bearer_secret("bearer   lyt_abc "), Some("lyt_abc"));
        assert_eq!(bearer_secret("Basic abc"), None);
        assert_eq!(bearer_secret("Bearer "), None);
        assert_eq!(bearer_secret("lyt_abc"), None);
    }
}

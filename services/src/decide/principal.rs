//! [`Principal`]: who is asking.

use liangye_events::catalogue::{CityCode, Role};
use uuid::Uuid;

/// The authenticated caller a command is decided for.
///
/// `token_id` is the access token the caller presented; `decide` checks that it is still
/// active in the state it decides against, so a token revoked a moment ago acts no more.
/// `None` is a local operator (the `liangye` command line), trusted as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: Option<Uuid>,
    pub name: String,
    pub role: Role,
    /// The city of a `CITY` principal; `None` for every other role.
    pub city: Option<CityCode>,
}

impl Principal {
    /// A local provincial operator, for the command line (`token issue`, `--demo`).
    pub fn operator(name: impl Into<String>) -> Self {
        Self {
            token_id: None,
            name: name.into(),
            role: Role::Provincial,
            city: None,
        }
    }
}

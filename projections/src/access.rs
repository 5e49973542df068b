//! The access view (DESIGN.md §1, Who may do what): which token may do what, now or at any
//! earlier position. Access is event-sourced in stream `access`, and every token keeps the
//! positions it was issued and revoked at, so an auditor can see who could act when.

use liangye_events::catalogue::{CityCode, Role};
use serde::Serialize;
use uuid::Uuid;

use crate::decision_state::AccessToken;
use crate::policy::{Action, Scope, allows, permission};

/// What a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    /// May recommend units (`recommend`).
    pub recommend: bool,
    /// The only city whose units it may recommend (`CITY`); `None` with `recommend` means
    /// any city.
    pub recommend_city: Option<CityCode>,
    /// May record every other decision (listPilot, recordReview, award, …).
    pub decide: bool,
    /// May read the registry, histories and statistics.
    pub read_registry: bool,
    /// May read the raw event log, actors and proofs.
    pub read_log: bool,
}

impl Capabilities {
    /// The capabilities of `role` (acting for `city`, for `CITY`), as the policy table
    /// ([`crate::policy`]) gives them.
    pub const fn of(role: Role, city: Option<CityCode>) -> Self {
        let (recommend, recommend_city) = match permission(role, Action::Recommend) {
            Some(Scope::Any) => (true, None),
            Some(Scope::OwnCity) => (city.is_some(), city),
            None => (false, None),
        };
        Self {
            recommend,
            recommend_city,
            decide: allows(role, Action::Award),
            read_registry: allows(role, Action::ReadRegistry),
            read_log: allows(role, Action::ReadLog),
        }
    }

    /// Nothing at all: a token that is not (or no longer, or not yet) active.
    pub const NONE: Self = Self {
        recommend: false,
        recommend_city: None,
        decide: false,
        read_registry: false,
        read_log: false,
    };
}

/// One token as the access view shows it at some position. Never holds the secret or its
/// hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub city: Option<CityCode>,
    /// The log position it was issued at.
    pub granted_at: i64,
    /// The log position it was revoked at, if it was by the moment of the view.
    pub revoked_at: Option<i64>,
    /// Whether it worked at the moment of the view.
    pub active: bool,
    /// What it could do at that moment ([`Capabilities::NONE`] when not active).
    pub capabilities: Capabilities,
}

impl TokenView {
    /// `token` as it stood at position `at`; `None` if it was not issued yet.
    pub fn at(token: &AccessToken, at: i64) -> Option<Self> {
        if token.granted_at > at {
            return None;
        }
        let revoked_at = token.revoked_at.filter(|r| *r <= at);
        let active = revoked_at.is_none();
        Some(Self {
            id: token.id,
            name: token.name.clone(),
            role: token.role,
            city: token.city,
            granted_at: token.granted_at,
            revoked_at,
            active,
            capabilities: if active {
                Capabilities::of(token.role, token.city)
            } else {
                Capabilities::NONE
            },
        })
    }
}

/// Why a presented secret does not authenticate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error("the token is not known to the registry; ask 省发展改革委 for a token")]
    Unknown,
    #[error("token {id} ({name}) was revoked at log position {revoked_at}; ask 省发展改革委 for a new token")]
    Revoked { id: Uuid, name: String, revoked_at: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_design_table() {
        let provincial = Capabilities::of(Role::Provincial, None);
        assert!(provincial.recommend && provincial.decide && provincial.read_log);
        let city = Capabilities::of(Role::City, Some(CityCode::Wuxi));
        assert!(city.recommend && !city.decide && !city.read_log && city.read_registry);
        assert_eq!(city.recommend_city, Some(CityCode::Wuxi));
        let auditor = Capabilities::of(Role::Auditor, None);
        assert!(!auditor.recommend && !auditor.decide && auditor.read_log);
        let reader = Capabilities::of(Role::Reader, None);
        assert!(reader.read_registry && !reader.read_log && !reader.recommend);
    }
}

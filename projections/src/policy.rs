//! Who may do what (DESIGN.md §1): the one table of the registry's permissions. The API's
//! guards and `decide` both read it; the access view's [`crate::access::Capabilities`] are
//! derived from it.

use liangye_events::catalogue::Role;

/// Everything a token may be allowed to do: each mutation, and the kinds of reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ListPilot,
    RevokePilot,
    Recommend,
    WithdrawRecommendation,
    RecordReview,
    CloseSelection,
    Award,
    SetAnnualQuota,
    RecordEvaluation,
    Commend,
    Delist,
    RetractDecision,
    AmendUnit,
    ReportIndicators,
    GrantSubsidy,
    IssueAccess,
    RevokeAccess,
    /// The registry, histories, applications and statistics.
    ReadRegistry,
    /// The raw event log, actors, proofs, checkpoints and the access tokens.
    ReadLog,
}

/// How far an allowed action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any unit.
    Any,
    /// Only units of the token's own city (`CITY`).
    OwnCity,
}

impl Action {
    /// Every action, for tests and documentation.
    pub const ALL: [Action; 19] = [
        Action::ListPilot,
        Action::RevokePilot,
        Action::Recommend,
        Action::WithdrawRecommendation,
        Action::RecordReview,
        Action::CloseSelection,
        Action::Award,
        Action::SetAnnualQuota,
        Action::RecordEvaluation,
        Action::Commend,
        Action::Delist,
        Action::RetractDecision,
        Action::AmendUnit,
        Action::ReportIndicators,
        Action::GrantSubsidy,
        Action::IssueAccess,
        Action::RevokeAccess,
        Action::ReadRegistry,
        Action::ReadLog,
    ];

    /// What the action does, in the words of a refusal: "this token may not {what}".
    pub const fn describe(self) -> &'static str {
        match self {
            Action::ListPilot => "list pilots (列入试点)",
            Action::RevokePilot => "revoke pilots (撤销试点)",
            Action::Recommend => "recommend units (推荐)",
            Action::WithdrawRecommendation => "withdraw recommendations (撤回推荐)",
            Action::RecordReview => "record reviews (评审)",
            Action::CloseSelection => "close selections (未入选)",
            Action::Award => "award designations (授牌)",
            Action::SetAnnualQuota => "set annual quotas (年度指标)",
            Action::RecordEvaluation => "record evaluations (绩效评价)",
            Action::Commend => "commend units (表彰)",
            Action::Delist => "delist units (摘牌)",
            Action::RetractDecision => "retract decisions (撤销错误决定)",
            Action::AmendUnit => "amend units (信息变更)",
            Action::ReportIndicators => "report indicators (统计监测)",
            Action::GrantSubsidy => "grant subsidies (奖励补助)",
            Action::IssueAccess => "issue access tokens",
            Action::RevokeAccess => "revoke access tokens",
            Action::ReadRegistry => "read the registry",
            Action::ReadLog => "read the raw event log, actors and proofs",
        }
    }

    /// Whether the action changes the registry (a decision).
    pub const fn is_decision(self) -> bool {
        !matches!(self, Action::ReadRegistry | Action::ReadLog)
    }
}

/// The table: whether `role` may do `action`, and how far. `None` is `FORBIDDEN`.
///
/// | | PROVINCIAL | CITY | AUDITOR | READER |
/// |---|---|---|---|---|
/// | recommend, withdrawRecommendation, reportIndicators | any unit | own city | – | – |
/// | every other decision | any unit | – | – | – |
/// | registry, history, statistics | yes | yes | yes | yes |
/// | raw event log, actors, proofs | yes | – | yes | – |
pub const fn permission(role: Role, action: Action) -> Option<Scope> {
    match (role, action) {
        (_, Action::ReadRegistry) => Some(Scope::Any),
        (Role::Provincial | Role::Auditor, Action::ReadLog) => Some(Scope::Any),
        (Role::Provincial, _) => Some(Scope::Any),
        (Role::City, Action::Recommend | Action::WithdrawRecommendation | Action::ReportIndicators) => {
            Some(Scope::OwnCity)
        }
        _ => None,
    }
}

/// Whether `role` may do `action` at all.
pub const fn allows(role: Role, action: Action) -> bool {
    permission(role, action).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_design_section_one() {
        for action in Action::ALL {
            assert_eq!(
                permission(Role::Provincial, action),
                Some(Scope::Any),
                "{action:?}"
            );
            let city = permission(Role::City, action);
            match action {
                Action::Recommend | Action::WithdrawRecommendation | Action::ReportIndicators => {
                    assert_eq!(city, Some(Scope::OwnCity))
                }
                Action::ReadRegistry => assert_eq!(city, Some(Scope::Any)),
                _ => assert_eq!(city, None, "{action:?}"),
            }
            assert_eq!(
                allows(Role::Auditor, action),
                matches!(action, Action::ReadRegistry | Action::ReadLog),
                "{action:?}"
            );
            assert_eq!(
                allows(Role::Reader, action),
                action == Action::ReadRegistry,
                "{action:?}"
            );
        }
    }
}

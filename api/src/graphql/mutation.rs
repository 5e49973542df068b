//! Mutations (DESIGN.md §4): each takes `input: <Name>Input` and answers a
//! `DecisionPayload`. The API only translates: rules live in `liangye-services`.

use async_graphql::{Context, Object};
use liangye_projections::policy::Action;
use liangye_services::decide::{Command, DomainError};
use liangye_services::engine::Submission;
use uuid::Uuid;

use super::auth::require;
use super::error::{ApiError, ApiResult};
use super::inputs::{
    AmendUnitInput, AwardInput, CloseSelectionInput, CommendInput, DelistInput, GrantSubsidyInput,
    ListPilotInput, RecommendInput, RecordEvaluationInput, RecordReviewInput, ReportIndicatorsInput,
    RetractDecisionInput, RevokePilotInput, SetAnnualQuotaInput, WithdrawRecommendationInput,
};
use super::read;
use super::state::AppState;
use super::types::{DecisionPayload, Event};

pub struct MutationRoot;

/// The mutations, one a line: its name, its input object and its action in the policy
/// table. Each checks the caller's role, converts its input into the domain [`Command`]
/// and submits it ([`decide`]).
macro_rules! mutations {
    ($($(#[$doc:meta])* $name:ident($input:ty) => $action:ident;)*) => {
        #[Object]
        impl MutationRoot {
            $(
                $(#[$doc])*
                async fn $name(&self, ctx: &Context<'_>, input: $input) -> ApiResult<DecisionPayload> {
                    decide(ctx, Action::$action, input.command_id, Command::try_from(input)).await
                }
            )*
        }
    };
}

mutations! {
    list_pilot(ListPilotInput) => ListPilot;
    revoke_pilot(RevokePilotInput) => RevokePilot;
    recommend(RecommendInput) => Recommend;
    record_review(RecordReviewInput) => RecordReview;
    award(AwardInput) => Award;
    set_annual_quota(SetAnnualQuotaInput) => SetAnnualQuota;
    record_evaluation(RecordEvaluationInput) => RecordEvaluation;
    commend(CommendInput) => Commend;
    delist(DelistInput) => Delist;
    /// 撤销错误决定: the unit is folded as if its latest decision had never been made.
    retract_decision(RetractDecisionInput) => RetractDecision;
    /// 信息变更.
    amend_unit(AmendUnitInput) => AmendUnit;
    /// 撤回推荐.
    withdraw_recommendation(WithdrawRecommendationInput) => WithdrawRecommendation;
    /// 未入选.
    close_selection(CloseSelectionInput) => CloseSelection;
    /// 统计监测.
    report_indicators(ReportIndicatorsInput) => ReportIndicators;
    /// 奖励补助.
    grant_subsidy(GrantSubsidyInput) => GrantSubsidy;
}

/// If the caller's role may `action`: decide through the engine, wait until the live read
/// model includes the decision, and answer with the unit as it now stands.
async fn decide(
    ctx: &Context<'_>,
    action: Action,
    command_id: Option<Uuid>,
    command: Result<Command, DomainError>,
) -> ApiResult<DecisionPayload> {
    let principal = require(ctx, action)?;
    let state = ctx.data::<AppState>()?;
    let command = command.map_err(ApiError::from)?;
    let mut submission = Submission::new(command, principal.clone());
    submission.command_id = command_id;
    submission.correlation_id = ctx.data_opt::<RequestId>().map(|r| r.0);
    let decided = state.engine.submit(submission).await.map_err(ApiError::from)?;
    state.metrics.decisions.inc();
    let designation = match decided.designation_id {
        Some(id) => read::designation_after(state, id, decided.position).await?,
        None => None,
    };
    Ok(DecisionPayload {
        designation,
        position: decided.position,
        duplicate: decided.duplicate,
        events: decided.events.into_iter().map(Event).collect(),
    })
}

/// The id of the HTTP request a mutation came in, recorded as its correlation id.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub Uuid);

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
    AwardInput, CommendInput, DelistInput, ListPilotInput, RecommendInput, RecordEvaluationInput,
    RecordReviewInput, RevokePilotInput, SetAnnualQuotaInput,
};
use super::read;
use super::state::AppState;
use super::types::{DecisionPayload, Event};

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    async fn list_pilot(&self, ctx: &Context<'_>, input: ListPilotInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::ListPilot)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn revoke_pilot(&self, ctx: &Context<'_>, input: RevokePilotInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::RevokePilot)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn recommend(&self, ctx: &Context<'_>, input: RecommendInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::Recommend)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn record_review(&self, ctx: &Context<'_>, input: RecordReviewInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::RecordReview)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn award(&self, ctx: &Context<'_>, input: AwardInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::Award)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn set_annual_quota(
        &self,
        ctx: &Context<'_>,
        input: SetAnnualQuotaInput,
    ) -> ApiResult<DecisionPayload> {
        require(ctx, Action::SetAnnualQuota)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn record_evaluation(
        &self,
        ctx: &Context<'_>,
        input: RecordEvaluationInput,
    ) -> ApiResult<DecisionPayload> {
        require(ctx, Action::RecordEvaluation)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn commend(&self, ctx: &Context<'_>, input: CommendInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::Commend)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }

    async fn delist(&self, ctx: &Context<'_>, input: DelistInput) -> ApiResult<DecisionPayload> {
        require(ctx, Action::Delist)?;
        let command_id = input.command_id;
        submit(ctx, Command::try_from(input), command_id).await
    }
}

/// Decide through the engine, wait until the live read model includes the decision, and
/// answer with the unit as it now stands.
async fn submit(
    ctx: &Context<'_>,
    command: Result<Command, DomainError>,
    command_id: Option<Uuid>,
) -> ApiResult<DecisionPayload> {
    let state = ctx.data::<AppState>()?;
    let principal = super::auth::caller(ctx)?;
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

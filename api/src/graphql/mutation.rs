//! Mutations (DESIGN.md §4): each takes `input: <Name>Input` and answers a
//! `DecisionPayload`. The API only translates: rules live in `liangye-services`.

use async_graphql::{Context, InputObject, Object};
use liangye_services::decide::input::{
    AwardInput as Award, CommendInput as Commend, DecisionInput, DelistInput as Delist,
    ListPilotInput as ListPilot, RecommendInput as Recommend, RecordEvaluationInput as RecordEvaluation,
    RecordReviewInput as RecordReview, RevokePilotInput as RevokePilot,
    SetAnnualQuotaInput as SetAnnualQuota,
};
use liangye_services::decide::{Command, DomainError};
use liangye_services::engine::Submission;
use uuid::Uuid;

use super::auth::{PROVINCIAL, RECOMMENDERS, require};
use super::enums::{Grade, ReviewOutcome, ReviewStage, UnitKind};
use super::error::{ApiError, ApiResult};
use super::read;
use super::scalars::{Date, YuanScalar};
use super::state::AppState;
use super::types::{DecisionPayload, Event};

/// Declares an input object with the fields every decision carries, plus its own.
macro_rules! decision_input {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(InputObject)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// The date on the decision document.
            pub decided_on: Date,
            /// 文号, e.g. 苏发改服务发〔2024〕123号.
            pub document_ref: Option<String>,
            pub note: Option<String>,
            /// Idempotency key: a repeat answers with the first result and appends nothing.
            pub command_id: Option<Uuid>,
            /// The unit's current `version`; a mismatch is `CONFLICT`.
            pub expected_version: Option<i64>,
        }

        impl $name {
            fn decision(&self) -> DecisionInput {
                DecisionInput {
                    decided_on: self.decided_on.0,
                    document_ref: self.document_ref.clone(),
                    note: self.note.clone(),
                    expected_version: self.expected_version,
                }
            }
        }
    };
}

decision_input!(
    /// 列入省级两业深度融合试点名单.
    ListPilotInput {
        name: String,
        kind: UnitKind,
        city_code: String,
        /// A county's own code, or the county an industrial zone lies in (GB/T 2260).
        division_code: Option<String>,
        /// Enterprises: the 18-character unified social credit code (GB 32100-2015).
        credit_code: Option<String>,
        /// Accept a credit code that fails its check character (a note is then required).
        #[graphql(default)]
        accept_invalid_credit_code: bool,
        /// Development zones: the optional 8-digit zone code (GB/T 37028).
        zone_code: Option<String>,
        #[graphql(default)]
        industries: Vec<String>,
        batch: i64,
    }
);
decision_input!(
    /// 撤销试点.
    RevokePilotInput { designation_id: Uuid }
);
decision_input!(
    /// 设区市发展改革委推荐.
    RecommendInput {
        designation_id: Uuid,
        year: i64,
        revenue_yuan: Option<YuanScalar>,
        gdp_yuan: Option<YuanScalar>,
        /// Manufacturing value added as a share of GDP, basis points (3500 = 35.00%).
        manufacturing_share_bp: Option<i64>,
        /// National market-share rank in the niche (1 = first).
        market_share_rank: Option<i64>,
    }
);
decision_input!(
    /// 评审: one stage of the year's review.
    RecordReviewInput {
        designation_id: Uuid,
        year: i64,
        stage: ReviewStage,
        outcome: ReviewOutcome,
        /// EXPERT: 0–100.
        score: Option<i64>,
        /// PUBLIC_NOTICE: first day of the notice.
        notice_start: Option<Date>,
        /// PUBLIC_NOTICE: last day of the notice (not before the first).
        notice_end: Option<Date>,
        /// PUBLIC_NOTICE: objections received.
        objections: Option<String>,
    }
);
decision_input!(
    /// 授牌.
    AwardInput { designation_id: Uuid, year: i64 }
);
decision_input!(
    /// 分年度制定指标计划.
    SetAnnualQuotaInput { year: i64, total: i64 }
);
decision_input!(
    /// 绩效评价.
    RecordEvaluationInput { designation_id: Uuid, year: i64, grade: Grade, score: Option<i64> }
);
decision_input!(
    /// 表彰.
    CommendInput { designation_id: Uuid, year: i64, citation: String }
);
decision_input!(
    /// 摘牌.
    DelistInput {
        designation_id: Uuid,
        reason: String,
        /// The year of the evaluation the decision rests on, if any.
        evaluation_year: Option<i64>,
    }
);

pub struct MutationRoot;

#[Object]
impl MutationRoot {
    async fn list_pilot(&self, ctx: &Context<'_>, input: ListPilotInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "list pilots")?;
        let command = ListPilot {
            unit_id: Uuid::now_v7(),
            name: input.name.clone(),
            kind: input.kind.into(),
            city_code: input.city_code.clone(),
            division_code: input.division_code.clone(),
            credit_code: input.credit_code.clone(),
            accept_invalid_credit_code: input.accept_invalid_credit_code,
            zone_code: input.zone_code.clone(),
            industries: input.industries.clone(),
            batch: input.batch,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn revoke_pilot(&self, ctx: &Context<'_>, input: RevokePilotInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "revoke pilots")?;
        let command = RevokePilot {
            designation_id: input.designation_id,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn recommend(&self, ctx: &Context<'_>, input: RecommendInput) -> ApiResult<DecisionPayload> {
        require(ctx, RECOMMENDERS, "recommend units")?;
        let command = Recommend {
            designation_id: input.designation_id,
            year: input.year,
            revenue_yuan: input.revenue_yuan.as_ref().map(|y| y.0.clone()),
            gdp_yuan: input.gdp_yuan.as_ref().map(|y| y.0.clone()),
            manufacturing_share_bp: input.manufacturing_share_bp,
            market_share_rank: input.market_share_rank,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn record_review(&self, ctx: &Context<'_>, input: RecordReviewInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "record reviews")?;
        let command = RecordReview {
            designation_id: input.designation_id,
            year: input.year,
            stage: input.stage.into(),
            outcome: input.outcome.into(),
            score: input.score,
            notice_start: input.notice_start.map(|d| d.0),
            notice_end: input.notice_end.map(|d| d.0),
            objections: input.objections.clone(),
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn award(&self, ctx: &Context<'_>, input: AwardInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "award designations")?;
        let command = Award {
            designation_id: input.designation_id,
            year: input.year,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn set_annual_quota(
        &self,
        ctx: &Context<'_>,
        input: SetAnnualQuotaInput,
    ) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "set annual quotas")?;
        let command = SetAnnualQuota {
            year: input.year,
            total: input.total,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn record_evaluation(
        &self,
        ctx: &Context<'_>,
        input: RecordEvaluationInput,
    ) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "record evaluations")?;
        let command = RecordEvaluation {
            designation_id: input.designation_id,
            year: input.year,
            grade: input.grade.into(),
            score: input.score,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn commend(&self, ctx: &Context<'_>, input: CommendInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "commend units")?;
        let command = Commend {
            designation_id: input.designation_id,
            year: input.year,
            citation: input.citation.clone(),
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
    }

    async fn delist(&self, ctx: &Context<'_>, input: DelistInput) -> ApiResult<DecisionPayload> {
        require(ctx, PROVINCIAL, "delist units")?;
        let command = Delist {
            designation_id: input.designation_id,
            reason: input.reason.clone(),
            evaluation_year: input.evaluation_year,
            decision: input.decision(),
        }
        .parse();
        submit(ctx, command, input.command_id).await
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
    let designation = match decided.events.first().and_then(unit_of) {
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

/// The unit a stored event is about, from its stream id.
fn unit_of(event: &liangye_events::StoredEvent) -> Option<Uuid> {
    event
        .stream_id
        .strip_prefix("unit-")
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// The id of the HTTP request a mutation came in, recorded as its correlation id.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub Uuid);

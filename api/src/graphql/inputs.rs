//! The mutations' input objects (DESIGN.md §4), each converting straight into the domain
//! [`Command`] (`TryFrom`): every field is parsed into its value type by
//! [`liangye_services::decide::fields`], which names the field in a `VALIDATION_FAILED`
//! error. Rules that need the registry's state are `decide`'s.

use async_graphql::InputObject;
use liangye_events::catalogue::{self as c, Decision, Figures, IndicatorFigures};
use liangye_services::decide::{
    AmendUnit, Award, CloseSelection, Command, Commend, Delist, DomainError, GrantSubsidy, ListPilot,
    Recommend, RecordEvaluation, RecordReview, ReportIndicators, RetractDecision, RevokePilot,
    SetAnnualQuota, WithdrawRecommendation, fields,
};
use uuid::Uuid;

use super::enums::{DelistGround, Grade, ReviewOutcome, ReviewStage, Sector, UnitKind};
use super::scalars::{Date, YuanScalar};

/// Declares an input object with the fields every decision carries, plus its own.
macro_rules! decision_input {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(InputObject, Debug, Clone)]
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
            /// The decision document's fields.
            fn decision(&self) -> Decision {
                Decision {
                    decided_on: self.decided_on.0,
                    document_ref: self.document_ref.clone(),
                    note: self.note.clone(),
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
        /// 主要行业领域: one or more. Left out, the unit is OTHER (其他) until amended.
        sectors: Option<Vec<Sector>>,
        /// The county-level division (GB/T 2260) the unit lies in, inside its city; left
        /// out, the county its identifiers name (a COUNTY's own code, an INDUSTRIAL_ZONE's
        /// or an ENTERPRISE's division code).
        county_code: Option<String>,
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
        /// Why the stage failed: required with outcome FAILED.
        reason: Option<String>,
    }
);
decision_input!(
    /// 授牌.
    AwardInput { designation_id: Uuid, year: i64 }
);
decision_input!(
    /// 分年度制定指标计划.
    SetAnnualQuotaInput {
        year: i64,
        total: i64,
        /// The year's selection guidelines (评选指南 文号).
        guideline_ref: Option<String>,
    }
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
        /// FAILED_EVALUATION (then evaluationYear, graded FAIL) or OTHER (the reason says why).
        ground: DelistGround,
        /// The year of the evaluation the decision rests on; required with FAILED_EVALUATION.
        evaluation_year: Option<i64>,
    }
);
decision_input!(
    /// 撤销错误决定: retract the unit's latest decision (newest first).
    RetractDecisionInput {
        designation_id: Uuid,
        /// The log position of the decision (see the unit's history).
        position: i64,
        reason: String,
    }
);
decision_input!(
    /// 信息变更: correct a unit's data; give at least one field to change.
    AmendUnitInput {
        designation_id: Uuid,
        reason: String,
        name: Option<String>,
        sectors: Option<Vec<Sector>>,
        industries: Option<Vec<String>>,
        county_code: Option<String>,
        credit_code: Option<String>,
        /// Accept a credit code that fails its check character (a note is then required).
        #[graphql(default)]
        accept_invalid_credit_code: bool,
        division_code: Option<String>,
        zone_code: Option<String>,
    }
);
decision_input!(
    /// 撤回推荐: the recommending city or the province withdraws a recommendation.
    WithdrawRecommendationInput { designation_id: Uuid, year: i64, reason: String }
);
decision_input!(
    /// 未入选: all four stages passed but the unit is not chosen (择优遴选).
    CloseSelectionInput { designation_id: Uuid, year: i64, reason: String }
);
decision_input!(
    /// 统计监测: an awarded unit's figures for a year; at least one figure.
    ReportIndicatorsInput {
        designation_id: Uuid,
        year: i64,
        revenue_yuan: Option<YuanScalar>,
        gdp_yuan: Option<YuanScalar>,
        /// Basis points (3500 = 35.00%).
        manufacturing_share_bp: Option<i64>,
        market_share_rank: Option<i64>,
        /// 服务收入.
        service_revenue_yuan: Option<YuanScalar>,
        /// 研发投入.
        rd_expense_yuan: Option<YuanScalar>,
    }
);
decision_input!(
    /// 奖励补助: a subsidy to an awarded unit.
    GrantSubsidyInput {
        designation_id: Uuid,
        year: i64,
        /// More than 0, whole yuan.
        amount_yuan: YuanScalar,
        /// e.g. 省级服务业发展专项资金.
        fund: String,
    }
);

fn sectors(values: Option<Vec<Sector>>) -> Option<Vec<c::Sector>> {
    values.map(|v| v.into_iter().map(Into::into).collect())
}

fn yuan(field: &'static str, value: Option<&YuanScalar>) -> Result<Option<c::Yuan>, DomainError> {
    fields::yuan(field, value.map(|y| y.0.as_str()))
}

/// The figures a recommendation is judged on, as a recommendation and a monitoring report
/// give them.
fn figures(
    revenue_yuan: Option<&YuanScalar>,
    gdp_yuan: Option<&YuanScalar>,
    manufacturing_share_bp: Option<i64>,
    market_share_rank: Option<i64>,
) -> Result<Figures, DomainError> {
    Ok(Figures {
        revenue_yuan: yuan("revenueYuan", revenue_yuan)?,
        gdp_yuan: yuan("gdpYuan", gdp_yuan)?,
        manufacturing_share_bp: fields::basis_points("manufacturingShareBp", manufacturing_share_bp)?,
        market_share_rank: fields::market_share_rank("marketShareRank", market_share_rank)?,
    })
}

/// `impl TryFrom<$input> for Command`, once for each pair of input and command given (the
/// inputs of one shape share one body): the body's struct-literal fields read `input`; the
/// decision document and `expected_version`, which every decision carries, are filled in.
macro_rules! into_command {
    ($($input:ident => $command:ident),+ |$i:ident| $body:tt) => {$(
        impl TryFrom<$input> for Command {
            type Error = DomainError;
            fn try_from($i: $input) -> Result<Self, DomainError> {
                let decision = $i.decision();
                let expected_version = $i.expected_version;
                into_command!(@fill $command $body decision expected_version)
            }
        }
    )+};
    (@fill $command:ident { $($field:ident : $value:expr),* $(,)? } $decision:ident $expected:ident) => {
        Ok($command { $($field: $value,)* decision: $decision, expected_version: $expected }.into())
    };
}

// A new unit's id is generated here (UUID v7), so that deciding stays pure. With
// `acceptInvalidCreditCode`, a credit code that fails its check character is admitted
// (decide then requires a note).
into_command!(ListPilotInput => ListPilot |input| {
    unit_id: Uuid::now_v7(),
    kind: input.kind.into(),
    city_code: fields::city("cityCode", &input.city_code)?,
    division_code: fields::division_code("divisionCode", input.division_code.as_deref())?,
    credit_code: fields::credit_code("creditCode", input.credit_code.as_deref())?,
    accept_invalid_credit_code: input.accept_invalid_credit_code,
    zone_code: fields::zone_code("zoneCode", input.zone_code.as_deref())?,
    batch: fields::batch("batch", input.batch)?,
    county_code: fields::division_code("countyCode", input.county_code.as_deref())?,
    sectors: sectors(input.sectors).unwrap_or_else(|| vec![c::Sector::Other]),
    industries: input.industries,
    name: input.name,
});

into_command!(RevokePilotInput => RevokePilot |input| { designation_id: input.designation_id });

into_command!(RecommendInput => Recommend |input| {
    figures: figures(
        input.revenue_yuan.as_ref(),
        input.gdp_yuan.as_ref(),
        input.manufacturing_share_bp,
        input.market_share_rank,
    )?,
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
});

into_command!(RecordReviewInput => RecordReview |input| {
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
    stage: input.stage.into(),
    outcome: input.outcome.into(),
    score: fields::score("score", input.score)?,
    notice_start: input.notice_start.map(|d| d.0),
    notice_end: input.notice_end.map(|d| d.0),
    objections: input.objections,
    reason: input.reason,
});

into_command!(AwardInput => Award |input| {
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
});

into_command!(SetAnnualQuotaInput => SetAnnualQuota |input| {
    year: fields::year("year", input.year)?,
    total: fields::award_count("total", input.total)?,
    guideline_ref: input.guideline_ref,
});

into_command!(RecordEvaluationInput => RecordEvaluation |input| {
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
    grade: input.grade.into(),
    score: fields::score("score", input.score)?,
});

into_command!(CommendInput => Commend |input| {
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
    citation: input.citation,
});

into_command!(DelistInput => Delist |input| {
    designation_id: input.designation_id,
    evaluation_year: fields::optional_year("evaluationYear", input.evaluation_year)?,
    reason: input.reason,
    ground: input.ground.into(),
});

into_command!(RetractDecisionInput => RetractDecision |input| {
    designation_id: input.designation_id,
    position: input.position,
    reason: input.reason,
});

into_command!(AmendUnitInput => AmendUnit |input| {
    designation_id: input.designation_id,
    county_code: fields::division_code("countyCode", input.county_code.as_deref())?,
    credit_code: fields::credit_code("creditCode", input.credit_code.as_deref())?,
    accept_invalid_credit_code: input.accept_invalid_credit_code,
    division_code: fields::division_code("divisionCode", input.division_code.as_deref())?,
    zone_code: fields::zone_code("zoneCode", input.zone_code.as_deref())?,
    sectors: sectors(input.sectors),
    reason: input.reason,
    name: input.name,
    industries: input.industries,
});

into_command!(
    WithdrawRecommendationInput => WithdrawRecommendation,
    CloseSelectionInput => CloseSelection
    |input| {
        designation_id: input.designation_id,
        year: fields::year("year", input.year)?,
        reason: input.reason,
    }
);

into_command!(ReportIndicatorsInput => ReportIndicators |input| {
    figures: IndicatorFigures {
        figures: figures(
            input.revenue_yuan.as_ref(),
            input.gdp_yuan.as_ref(),
            input.manufacturing_share_bp,
            input.market_share_rank,
        )?,
        service_revenue_yuan: yuan("serviceRevenueYuan", input.service_revenue_yuan.as_ref())?,
        rd_expense_yuan: yuan("rdExpenseYuan", input.rd_expense_yuan.as_ref())?,
    },
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
});

into_command!(GrantSubsidyInput => GrantSubsidy |input| {
    amount_yuan: yuan("amountYuan", Some(&input.amount_yuan))?
        .ok_or_else(|| DomainError::validation("amountYuan", "is required"))?,
    designation_id: input.designation_id,
    year: fields::year("year", input.year)?,
    fund: input.fund,
});

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use liangye_events::catalogue as c;
    use liangye_services::decide::{Command, DomainError};

    use super::*;

    fn listing(city_code: &str, credit_code: &str) -> ListPilotInput {
        ListPilotInput {
            name: "江苏某某装备股份有限公司".into(),
            kind: UnitKind::Enterprise,
            city_code: city_code.into(),
            division_code: None,
            credit_code: Some(credit_code.into()),
            accept_invalid_credit_code: false,
            zone_code: Some(" ".into()),
            industries: vec!["智能制造".into()],
            sectors: None,
            county_code: None,
            batch: 1,
            decided_on: Date(NaiveDate::from_ymd_opt(2024, 5, 6).unwrap()),
            document_ref: Some("苏发改服务发〔2024〕123号".into()),
            note: None,
            command_id: None,
            expected_version: Some(0),
        }
    }

    fn field(result: Result<Command, DomainError>) -> &'static str {
        match result {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn an_input_converts_into_the_domain_command() {
        let Command::ListPilot(command) = Command::try_from(listing("320500", "91320500MA1XK3P722")).unwrap()
        else {
            panic!("not a ListPilot");
        };
        assert_eq!(command.kind, c::UnitKind::Enterprise);
        assert_eq!(command.city_code, c::CityCode::Suzhou);
        assert_eq!(command.zone_code, None, "a blank code is absent");
        assert_eq!(command.expected_version, Some(0));
        assert_eq!(
            command.decision.document_ref.as_deref(),
            Some("苏发改服务发〔2024〕123号")
        );
    }

    #[test]
    fn a_malformed_field_is_named_in_graphql_terms() {
        assert_eq!(
            field(Command::try_from(listing("310100", "91320500MA1XK3P722"))),
            "cityCode"
        );
        assert_eq!(
            field(Command::try_from(listing("320500", "9135010"))),
            "creditCode"
        );
        let quota = SetAnnualQuotaInput {
            year: 2024,
            total: -1,
            guideline_ref: None,
            decided_on: Date(NaiveDate::from_ymd_opt(2024, 1, 6).unwrap()),
            document_ref: None,
            note: None,
            command_id: None,
            expected_version: None,
        };
        assert_eq!(field(Command::try_from(quota)), "total");
    }
}

//! The mutations' input objects (DESIGN.md §4), each converting straight into the domain
//! [`Command`] (`TryFrom`): every field is parsed into its value type by
//! [`liangye_services::decide::fields`], which names the field in a `VALIDATION_FAILED`
//! error. Rules that need the registry's state are `decide`'s.

use async_graphql::InputObject;
use liangye_events::catalogue::Decision;
use liangye_events::catalogue::Figures;
use liangye_services::decide::{
    Award, Command, Commend, Delist, DomainError, ListPilot, Recommend, RecordEvaluation, RecordReview,
    RevokePilot, SetAnnualQuota, fields,
};
use uuid::Uuid;

use super::enums::{Grade, ReviewOutcome, ReviewStage, UnitKind};
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

/// A new unit's id is generated here (UUID v7), so that deciding stays pure. With
/// `acceptInvalidCreditCode`, a credit code that fails its check character is admitted
/// (decide then requires a note).
impl TryFrom<ListPilotInput> for Command {
    type Error = DomainError;
    fn try_from(input: ListPilotInput) -> Result<Self, DomainError> {
        Ok(ListPilot {
            unit_id: Uuid::now_v7(),
            kind: input.kind.into(),
            city_code: fields::city("cityCode", &input.city_code)?,
            division_code: fields::division_code("divisionCode", input.division_code.as_deref())?,
            credit_code: fields::credit_code("creditCode", input.credit_code.as_deref())?,
            accept_invalid_credit_code: input.accept_invalid_credit_code,
            zone_code: fields::zone_code("zoneCode", input.zone_code.as_deref())?,
            batch: fields::batch("batch", input.batch)?,
            decision: input.decision(),
            expected_version: input.expected_version,
            industries: input.industries,
            name: input.name,
        }
        .into())
    }
}

impl TryFrom<RevokePilotInput> for Command {
    type Error = DomainError;
    fn try_from(input: RevokePilotInput) -> Result<Self, DomainError> {
        Ok(RevokePilot {
            designation_id: input.designation_id,
            decision: input.decision(),
            expected_version: input.expected_version,
        }
        .into())
    }
}

impl TryFrom<RecommendInput> for Command {
    type Error = DomainError;
    fn try_from(input: RecommendInput) -> Result<Self, DomainError> {
        let figures = Figures {
            revenue_yuan: fields::yuan("revenueYuan", input.revenue_yuan.as_ref().map(|y| y.0.as_str()))?,
            gdp_yuan: fields::yuan("gdpYuan", input.gdp_yuan.as_ref().map(|y| y.0.as_str()))?,
            manufacturing_share_bp: fields::basis_points(
                "manufacturingShareBp",
                input.manufacturing_share_bp,
            )?,
            market_share_rank: fields::market_share_rank("marketShareRank", input.market_share_rank)?,
        };
        Ok(Recommend {
            designation_id: input.designation_id,
            year: fields::year("year", input.year)?,
            figures,
            decision: input.decision(),
            expected_version: input.expected_version,
        }
        .into())
    }
}

impl TryFrom<RecordReviewInput> for Command {
    type Error = DomainError;
    fn try_from(input: RecordReviewInput) -> Result<Self, DomainError> {
        Ok(RecordReview {
            designation_id: input.designation_id,
            year: fields::year("year", input.year)?,
            stage: input.stage.into(),
            outcome: input.outcome.into(),
            score: fields::score("score", input.score)?,
            notice_start: input.notice_start.map(|d| d.0),
            notice_end: input.notice_end.map(|d| d.0),
            decision: input.decision(),
            expected_version: input.expected_version,
            objections: input.objections,
        }
        .into())
    }
}

impl TryFrom<AwardInput> for Command {
    type Error = DomainError;
    fn try_from(input: AwardInput) -> Result<Self, DomainError> {
        Ok(Award {
            designation_id: input.designation_id,
            year: fields::year("year", input.year)?,
            decision: input.decision(),
            expected_version: input.expected_version,
        }
        .into())
    }
}

impl TryFrom<SetAnnualQuotaInput> for Command {
    type Error = DomainError;
    fn try_from(input: SetAnnualQuotaInput) -> Result<Self, DomainError> {
        Ok(SetAnnualQuota {
            year: fields::year("year", input.year)?,
            total: fields::award_count("total", input.total)?,
            decision: input.decision(),
            expected_version: input.expected_version,
        }
        .into())
    }
}

impl TryFrom<RecordEvaluationInput> for Command {
    type Error = DomainError;
    fn try_from(input: RecordEvaluationInput) -> Result<Self, DomainError> {
        Ok(RecordEvaluation {
            designation_id: input.designation_id,
            year: fields::year("year", input.year)?,
            grade: input.grade.into(),
            score: fields::score("score", input.score)?,
            decision: input.decision(),
            expected_version: input.expected_version,
        }
        .into())
    }
}

impl TryFrom<CommendInput> for Command {
    type Error = DomainError;
    fn try_from(input: CommendInput) -> Result<Self, DomainError> {
        Ok(Commend {
            designation_id: input.designation_id,
            year: fields::year("year", input.year)?,
            decision: input.decision(),
            expected_version: input.expected_version,
            citation: input.citation,
        }
        .into())
    }
}

impl TryFrom<DelistInput> for Command {
    type Error = DomainError;
    fn try_from(input: DelistInput) -> Result<Self, DomainError> {
        Ok(Delist {
            designation_id: input.designation_id,
            evaluation_year: fields::optional_year("evaluationYear", input.evaluation_year)?,
            decision: input.decision(),
            expected_version: input.expected_version,
            reason: input.reason,
        }
        .into())
    }
}

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
            decided_on: Date(NaiveDate::from_ymd_opt(2024, 1, 6).unwrap()),
            document_ref: None,
            note: None,
            command_id: None,
            expected_version: None,
        };
        assert_eq!(field(Command::try_from(quota)), "total");
    }
}

//! The decisions the console records, as one table: each entry names the mutation, its
//! Chinese title, its action in the policy table (`liangye_projections::policy`, which the
//! GraphQL guards and `decide` read), when the unit page offers it, its fields, and how its
//! values become a [`Command`]: by filling the mutation's own GraphQL input object and
//! converting it exactly as the mutation does (`Command::try_from`). A new decision is one
//! entry here.
//!
//! Nothing here decides: the statuses an entry is offered for only choose which forms a
//! page shows; the engine judges every submission as it judges a GraphQL mutation.

use std::collections::HashMap;

use chrono::NaiveDate;
use liangye_events::catalogue::{
    DelistGround, Grade, ReviewOutcome, ReviewStage, Role, Sector, Status, UnitKind,
};
use liangye_projections::policy::{self, Action};
use liangye_services::decide::{Command, DomainError};
use uuid::Uuid;

use crate::graphql::inputs::{
    AmendUnitInput, AwardInput, CloseSelectionInput, CommendInput, DelistInput, GrantSubsidyInput,
    ListPilotInput, RecommendInput, RecordEvaluationInput, RecordReviewInput, ReportIndicatorsInput,
    RetractDecisionInput, RevokePilotInput, SetAnnualQuotaInput, WithdrawRecommendationInput,
};
use crate::graphql::scalars::{Date, YuanScalar};

/// The fields every decision input has (DESIGN.md §4).
pub struct Common {
    pub decided_on: Date,
    pub document_ref: Option<String>,
    pub note: Option<String>,
    pub command_id: Option<Uuid>,
    pub expected_version: Option<i64>,
}

/// A mutation's input object: its own fields and the common ones.
macro_rules! input {
    ($ty:ident { $($field:ident : $value:expr),* $(,)? }, $common:expr) => {{
        let common: Common = $common;
        $ty {
            $($field: $value,)*
            decided_on: common.decided_on,
            document_ref: common.document_ref,
            note: common.note,
            command_id: common.command_id,
            expected_version: common.expected_version,
        }
    }};
}

/// How a field is entered.
#[derive(Clone, Copy)]
pub enum Input {
    Date,
    Int,
    /// Whole yuan, as digits.
    Yuan,
    Text,
    LongText,
    /// One of these `(value, label)` pairs.
    Choice(fn() -> Vec<(&'static str, &'static str)>),
}

/// One field of a form; `name` is the GraphQL input field's name.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
    pub hint: &'static str,
}

const fn field(name: &'static str, label: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        label,
        input,
        required,
        hint: "",
    }
}

const fn hinted(
    name: &'static str,
    label: &'static str,
    input: Input,
    required: bool,
    hint: &'static str,
) -> Field {
    Field {
        name,
        label,
        input,
        required,
        hint,
    }
}

/// Where a decision is offered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// On a unit's page while the unit has one of these statuses.
    Unit(&'static [Status]),
    /// On the 名录 page: a new unit.
    NewUnit,
    /// On the 申报 page: a year's plan.
    Year,
}

/// One decision the console can record.
pub struct DecisionForm {
    /// The mutation's name (`recommend`), also the form's path segment.
    pub name: &'static str,
    pub title: &'static str,
    /// Its action in the policy table: who may submit it.
    pub action: Action,
    pub scope: Scope,
    pub fields: &'static [Field],
    /// The values, the unit (for unit decisions) and the common decision fields, as a
    /// command.
    pub build: fn(&Values, Option<Uuid>, Common) -> Result<Command, DomainError>,
}

impl DecisionForm {
    pub fn allows(&self, role: Role) -> bool {
        policy::allows(role, self.action)
    }
}

/// Every field a decision has besides its own (DESIGN.md §4).
pub const COMMON: &[Field] = &[
    field("decidedOn", "决定日期", Input::Date, true),
    hinted(
        "documentRef",
        "文号",
        Input::Text,
        false,
        "如 苏发改服务发〔2025〕12号",
    ),
    field("note", "备注", Input::LongText, false),
];

fn kinds() -> Vec<(&'static str, &'static str)> {
    UnitKind::ALL.iter().map(|k| (k.as_str(), k.label_zh())).collect()
}
fn cities() -> Vec<(&'static str, &'static str)> {
    liangye_events::catalogue::CityCode::all()
        .map(|c| (c.code(), c.name()))
        .collect()
}
fn stages() -> Vec<(&'static str, &'static str)> {
    ReviewStage::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}
fn outcomes() -> Vec<(&'static str, &'static str)> {
    ReviewOutcome::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}
fn grades() -> Vec<(&'static str, &'static str)> {
    Grade::ALL.iter().map(|s| (s.as_str(), s.label_zh())).collect()
}
fn grounds() -> Vec<(&'static str, &'static str)> {
    DelistGround::ALL
        .iter()
        .map(|s| (s.as_str(), s.label_zh()))
        .collect()
}
fn sectors() -> Vec<(&'static str, &'static str)> {
    Sector::ALL.iter().map(|s| (s.as_str(), s.label_zh())).collect()
}

/// The table.
pub const DECISIONS: &[DecisionForm] = &[
    DecisionForm {
        name: "listPilot",
        action: Action::ListPilot,
        title: "列入试点名单",
        scope: Scope::NewUnit,
        fields: &[
            field("name", "名称", Input::Text, true),
            field("kind", "类型", Input::Choice(kinds), true),
            field("cityCode", "设区市", Input::Choice(cities), true),
            hinted(
                "creditCode",
                "统一社会信用代码",
                Input::Text,
                false,
                "企业必填，18位",
            ),
            hinted(
                "divisionCode",
                "行政区划代码",
                Input::Text,
                false,
                "县(市、区)、工业集中区必填，6位",
            ),
            hinted("zoneCode", "开发区代码", Input::Text, false, "开发园区可填，8位"),
            hinted(
                "countyCode",
                "所在县(市、区)代码",
                Input::Text,
                false,
                "6位，县(市、区)填本级代码",
            ),
            hinted(
                "sectors",
                "行业领域",
                Input::Choice(sectors),
                true,
                "主要行业领域",
            ),
            hinted("industries", "行业描述", Input::Text, false, "多个以、分隔"),
            field("batch", "批次", Input::Int, true),
        ],
        build: |v, _, common| {
            Command::try_from(input!(
                ListPilotInput {
                    name: v.text("name").unwrap_or_default(),
                    kind: v.choice("kind", UnitKind::parse)?.into(),
                    city_code: v.text("cityCode").unwrap_or_default(),
                    division_code: v.text("divisionCode"),
                    credit_code: v.text("creditCode"),
                    accept_invalid_credit_code: false,
                    zone_code: v.text("zoneCode"),
                    industries: v.list("industries"),
                    batch: v.required_int("batch")?,
                    county_code: v.text("countyCode"),
                    sectors: Some(vec![v.choice("sectors", Sector::parse)?.into()]),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "recommend",
        action: Action::Recommend,
        title: "推荐参评",
        scope: Scope::Unit(&[Status::Pilot]),
        fields: &[
            field("year", "参评年度", Input::Int, true),
            hinted(
                "revenueYuan",
                "年营业收入（元）",
                Input::Yuan,
                false,
                "整数元，10亿元 = 1000000000",
            ),
            hinted("gdpYuan", "地区生产总值（元）", Input::Yuan, false, "区域类填写"),
            hinted(
                "manufacturingShareBp",
                "制造业增加值占比（基点）",
                Input::Int,
                false,
                "3500 = 35.00%",
            ),
            hinted(
                "marketShareRank",
                "细分行业全国市场占有率排名",
                Input::Int,
                false,
                "企业可填",
            ),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                RecommendInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    revenue_yuan: v.text("revenueYuan").map(YuanScalar),
                    gdp_yuan: v.text("gdpYuan").map(YuanScalar),
                    manufacturing_share_bp: v.int("manufacturingShareBp")?,
                    market_share_rank: v.int("marketShareRank")?,
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "revokePilot",
        action: Action::RevokePilot,
        title: "撤销试点",
        scope: Scope::Unit(&[Status::Pilot]),
        fields: &[],
        build: |_, unit, common| {
            Command::try_from(input!(
                RevokePilotInput {
                    designation_id: unit_id(unit)?
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "recordReview",
        action: Action::RecordReview,
        title: "记录评审",
        scope: Scope::Unit(&[Status::Recommended]),
        fields: &[
            field("year", "参评年度", Input::Int, true),
            field("stage", "评审环节", Input::Choice(stages), true),
            field("outcome", "结果", Input::Choice(outcomes), true),
            hinted("score", "专家评审得分", Input::Int, false, "专家评审必填，0–100"),
            hinted("noticeStart", "公示开始", Input::Date, false, "社会公示必填"),
            hinted("noticeEnd", "公示结束", Input::Date, false, "社会公示必填"),
            hinted("objections", "公示异议", Input::LongText, false, "社会公示可填"),
            hinted(
                "reason",
                "未通过原因",
                Input::LongText,
                false,
                "结果为未通过时必填",
            ),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                RecordReviewInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    stage: v.choice("stage", ReviewStage::parse)?.into(),
                    outcome: v.choice("outcome", ReviewOutcome::parse)?.into(),
                    score: v.int("score")?,
                    notice_start: v.date("noticeStart")?.map(Date),
                    notice_end: v.date("noticeEnd")?.map(Date),
                    objections: v.text("objections"),
                    reason: v.text("reason"),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "award",
        action: Action::Award,
        title: "授牌",
        scope: Scope::Unit(&[Status::Recommended]),
        fields: &[field("year", "授牌年度", Input::Int, true)],
        build: |v, unit, common| {
            Command::try_from(input!(
                AwardInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "recordEvaluation",
        action: Action::RecordEvaluation,
        title: "绩效评价",
        scope: Scope::Unit(&[Status::Awarded]),
        fields: &[
            field("year", "评价年度", Input::Int, true),
            field("grade", "等次", Input::Choice(grades), true),
            hinted("score", "得分", Input::Int, false, "可填，0–100"),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                RecordEvaluationInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    grade: v.choice("grade", Grade::parse)?.into(),
                    score: v.int("score")?,
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "commend",
        action: Action::Commend,
        title: "表彰",
        scope: Scope::Unit(&[Status::Awarded]),
        fields: &[
            field("year", "表彰年度", Input::Int, true),
            field("citation", "表彰事由", Input::LongText, true),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                CommendInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    citation: v.text("citation").unwrap_or_default(),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "delist",
        action: Action::Delist,
        title: "摘牌",
        scope: Scope::Unit(&[Status::Awarded]),
        fields: &[
            field("ground", "摘牌依据", Input::Choice(grounds), true),
            field("reason", "摘牌原因", Input::LongText, true),
            hinted(
                "evaluationYear",
                "依据的评价年度",
                Input::Int,
                false,
                "因评价不合格摘牌时填写",
            ),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                DelistInput {
                    designation_id: unit_id(unit)?,
                    reason: v.text("reason").unwrap_or_default(),
                    evaluation_year: v.int("evaluationYear")?,
                    ground: v.choice("ground", DelistGround::parse)?.into(),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "setAnnualQuota",
        action: Action::SetAnnualQuota,
        title: "制定年度指标",
        scope: Scope::Year,
        fields: &[
            field("year", "年度", Input::Int, true),
            field("total", "授牌指标（个）", Input::Int, true),
            hinted("guidelineRef", "评选指南文号", Input::Text, false, "可填"),
        ],
        build: |v, _, common| {
            Command::try_from(input!(
                SetAnnualQuotaInput {
                    year: v.required_int("year")?,
                    total: v.required_int("total")?,
                    guideline_ref: v.text("guidelineRef"),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "withdrawRecommendation",
        action: Action::WithdrawRecommendation,
        title: "撤回推荐",
        scope: Scope::Unit(&[Status::Recommended]),
        fields: &[
            field("year", "推荐年度", Input::Int, true),
            field("reason", "撤回原因", Input::LongText, true),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                WithdrawRecommendationInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    reason: v.text("reason").unwrap_or_default(),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "closeSelection",
        action: Action::CloseSelection,
        title: "未入选",
        scope: Scope::Unit(&[Status::Recommended]),
        fields: &[
            field("year", "参评年度", Input::Int, true),
            field("reason", "未入选说明", Input::LongText, true),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                CloseSelectionInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    reason: v.text("reason").unwrap_or_default(),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "reportIndicators",
        action: Action::ReportIndicators,
        title: "统计监测",
        scope: Scope::Unit(&[Status::Awarded]),
        fields: &[
            field("year", "监测年度", Input::Int, true),
            hinted("revenueYuan", "年营业收入（元）", Input::Yuan, false, "整数元"),
            hinted("gdpYuan", "地区生产总值（元）", Input::Yuan, false, "区域类填写"),
            hinted(
                "manufacturingShareBp",
                "制造业增加值占比（基点）",
                Input::Int,
                false,
                "3500 = 35.00%",
            ),
            hinted(
                "marketShareRank",
                "细分行业全国市场占有率排名",
                Input::Int,
                false,
                "企业可填",
            ),
            hinted("serviceRevenueYuan", "服务收入（元）", Input::Yuan, false, "可填"),
            hinted("rdExpenseYuan", "研发投入（元）", Input::Yuan, false, "可填"),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                ReportIndicatorsInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    revenue_yuan: v.text("revenueYuan").map(YuanScalar),
                    gdp_yuan: v.text("gdpYuan").map(YuanScalar),
                    manufacturing_share_bp: v.int("manufacturingShareBp")?,
                    market_share_rank: v.int("marketShareRank")?,
                    service_revenue_yuan: v.text("serviceRevenueYuan").map(YuanScalar),
                    rd_expense_yuan: v.text("rdExpenseYuan").map(YuanScalar),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "grantSubsidy",
        action: Action::GrantSubsidy,
        title: "奖励补助",
        scope: Scope::Unit(&[Status::Awarded]),
        fields: &[
            field("year", "年度", Input::Int, true),
            hinted("amountYuan", "金额（元）", Input::Yuan, true, "整数元"),
            hinted(
                "fund",
                "资金来源",
                Input::Text,
                true,
                "如：省级服务业发展专项资金",
            ),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                GrantSubsidyInput {
                    designation_id: unit_id(unit)?,
                    year: v.required_int("year")?,
                    amount_yuan: YuanScalar(v.text("amountYuan").unwrap_or_default()),
                    fund: v.text("fund").unwrap_or_default(),
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "amendUnit",
        action: Action::AmendUnit,
        title: "信息变更",
        scope: Scope::Unit(&[
            Status::Pilot,
            Status::Recommended,
            Status::Awarded,
            Status::Delisted,
            Status::PilotRevoked,
        ]),
        fields: &[
            field("reason", "变更原因", Input::LongText, true),
            hinted("name", "新名称", Input::Text, false, "不改则留空"),
            hinted("countyCode", "新县(市、区)代码", Input::Text, false, "不改则留空"),
            hinted(
                "industries",
                "新行业描述",
                Input::Text,
                false,
                "多个以、分隔；不改则留空",
            ),
        ],
        build: |v, unit, common| {
            let industries = v.list("industries");
            Command::try_from(input!(
                AmendUnitInput {
                    designation_id: unit_id(unit)?,
                    reason: v.text("reason").unwrap_or_default(),
                    name: v.text("name"),
                    sectors: None,
                    industries: (!industries.is_empty()).then_some(industries),
                    county_code: v.text("countyCode"),
                    credit_code: None,
                    accept_invalid_credit_code: false,
                    division_code: None,
                    zone_code: None,
                },
                common
            ))
        },
    },
    DecisionForm {
        name: "retractDecision",
        action: Action::RetractDecision,
        title: "撤销错误决定",
        scope: Scope::Unit(&[
            Status::Pilot,
            Status::Recommended,
            Status::Awarded,
            Status::Delisted,
            Status::PilotRevoked,
        ]),
        fields: &[
            hinted(
                "position",
                "决定的日志位置",
                Input::Int,
                true,
                "见下方时间线中最近一项决定的位置号",
            ),
            field("reason", "撤销原因", Input::LongText, true),
        ],
        build: |v, unit, common| {
            Command::try_from(input!(
                RetractDecisionInput {
                    designation_id: unit_id(unit)?,
                    position: v.required_int("position")?,
                    reason: v.text("reason").unwrap_or_default(),
                },
                common
            ))
        },
    },
];

/// The entry for mutation `name`.
pub fn find(name: &str) -> Option<&'static DecisionForm> {
    DECISIONS.iter().find(|d| d.name == name)
}

fn unit_id(unit: Option<Uuid>) -> Result<Uuid, DomainError> {
    unit.ok_or_else(|| DomainError::validation("designationId", "the form names no unit"))
}

/// A submitted form's values, by field name; blank values count as absent.
#[derive(Debug, Clone, Default)]
pub struct Values(pub HashMap<String, String>);

impl Values {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    pub fn raw(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        let v = self.raw(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    /// Several values separated by 、 , ， or ;.
    pub fn list(&self, name: &'static str) -> Vec<String> {
        self.raw(name)
            .split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn int(&self, name: &'static str) -> Result<Option<i64>, DomainError> {
        self.text(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    DomainError::validation(name, format!("{v:?} is not a whole number (请填写整数)"))
                })
            })
            .transpose()
    }

    pub fn required_int(&self, name: &'static str) -> Result<i64, DomainError> {
        self.int(name)?
            .ok_or_else(|| DomainError::validation(name, "is required (必填)"))
    }

    pub fn date(&self, name: &'static str) -> Result<Option<NaiveDate>, DomainError> {
        self.text(name)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    DomainError::validation(
                        name,
                        format!("{v:?} is not a date YYYY-MM-DD (日期格式应为 年-月-日)"),
                    )
                })
            })
            .transpose()
    }

    pub fn choice<T, E: std::fmt::Display>(
        &self,
        name: &'static str,
        parse: fn(&str) -> Result<T, E>,
    ) -> Result<T, DomainError> {
        let v = self
            .text(name)
            .ok_or_else(|| DomainError::validation(name, "is required (必填)"))?;
        parse(&v).map_err(|e| DomainError::validation(name, e))
    }

    /// The fields every decision carries, the form's `commandId` among them.
    pub fn common(&self) -> Result<Common, DomainError> {
        Ok(Common {
            decided_on: Date(
                self.date("decidedOn")?
                    .ok_or_else(|| DomainError::validation("decidedOn", "is required (必填)"))?,
            ),
            document_ref: self.text("documentRef"),
            note: self.text("note"),
            command_id: self.text("commandId").and_then(|v| Uuid::try_parse(&v).ok()),
            expected_version: self.int("expectedVersion")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_has_one_entry_and_every_entry_a_known_role_list() {
        let mut names: Vec<&str> = DECISIONS.iter().map(|d| d.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "a decision appears twice");
        for d in DECISIONS {
            assert!(d.action.is_decision());
            assert!(!d.allows(Role::Reader) && !d.allows(Role::Auditor));
            for f in d.fields.iter().chain(COMMON) {
                assert!(f.name.chars().all(|c| c.is_ascii_alphanumeric()), "{}", f.name);
            }
        }
    }

    #[test]
    fn builds_commands_through_the_input_parsers() {
        let values = Values::new(vec![
            ("year".into(), "2025".into()),
            ("revenueYuan".into(), "1500000000".into()),
            ("decidedOn".into(), "2025-03-01".into()),
            ("documentRef".into(), " ".into()),
        ]);
        let common = values.common().expect("decision");
        assert_eq!(common.document_ref, None);
        let form = find("recommend").expect("recommend");
        let command = (form.build)(&values, Some(Uuid::now_v7()), common).expect("command");
        assert!(matches!(command, Command::Recommend(_)));

        let bad = Values::new(vec![
            ("year".into(), "二〇二五".into()),
            ("decidedOn".into(), "2025-03-01".into()),
        ]);
        let common = bad.common().expect("decision");
        let error = (form.build)(&bad, Some(Uuid::now_v7()), common).unwrap_err();
        assert!(matches!(error, DomainError::Validation { field: "year", .. }));
    }
}

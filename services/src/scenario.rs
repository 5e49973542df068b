//! Realistic commands for whole lifecycles, built with the real parsers: used by
//! `serve --demo`, the benchmark harness and the engine's tests. Nothing here bypasses a
//! rule; a scenario that breaks one is refused like any other caller's.

use chrono::NaiveDate;
use liangye_events::catalogue::{
    BasisPoints, Batch, CityCode, CreditCode, Decision, DelistGround, DivisionCode, Figures, Grade,
    IndicatorFigures, MarketShareRank, ReviewOutcome, ReviewStage, Score, Sector, UnitKind, Year, Yuan,
};
use uuid::Uuid;

use crate::decide::{
    AmendUnit, Award, CloseSelection, Command, Commend, Delist, GrantSubsidy, ListPilot, Recommend,
    RecordEvaluation, RecordReview, ReportIndicators, RevokePilot, SetAnnualQuota, WithdrawRecommendation,
};

/// A decision dated `on`, with a document reference in the province's style.
pub fn decision(on: NaiveDate, doc_no: u32) -> Decision {
    Decision {
        decided_on: on,
        document_ref: Some(format!(
            "苏发改服务发〔{}〕{}号",
            chrono::Datelike::year(&on),
            doc_no
        )),
        note: None,
    }
}

/// 1 May of `year` (decision dates of a scenario's year).
pub fn day_in(year: i64, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year as i32, month, day).unwrap_or(NaiveDate::MIN)
}

fn year(y: i64) -> Year {
    Year::new(y).unwrap_or_else(|_| panic!("scenario year {y} outside the registry's range"))
}

/// A unified social credit code that passes the GB 32100-2015 check, made from `n`
/// (registered in `city`).
pub fn credit_code(city: CityCode, n: u64) -> CreditCode {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    // 91 = enterprise registered with market regulation; 6 digits of the city; 9-char body.
    let mut body = String::from("91");
    body.push_str(&city.code()[..6]);
    let mut x = n;
    let mut org = Vec::with_capacity(9);
    for _ in 0..9 {
        org.push(DIGITS[(x % 31) as usize] as char);
        x /= 31;
    }
    body.extend(org.iter().rev());
    let draft = CreditCode::parse_unchecked_checksum(&format!("{body}0"))
        .unwrap_or_else(|e| panic!("scenario credit code {body}0: {e}"));
    let code = format!("{body}{}", draft.expected_check());
    CreditCode::parse(&code).unwrap_or_else(|e| panic!("scenario credit code {code}: {e}"))
}

/// The `n`-th county code inside `city` (01–99).
pub fn county_code(city: CityCode, n: u32) -> DivisionCode {
    let code = city.number() + 1 + (n % 99);
    DivisionCode::parse(&code.to_string()).unwrap_or_else(|e| panic!("scenario division {code}: {e}"))
}

/// 列入试点 of a unit of `kind` in `city` in pilot batch `batch`, with no identifiers yet,
/// the industries and sectors given, and a decision numbered `doc_no` plus the batch.
fn listing(
    unit_id: Uuid,
    name: &str,
    kind: UnitKind,
    city: CityCode,
    (industries, sectors): ([&str; 2], [Sector; 2]),
    batch: u16,
    (on, doc_no): (NaiveDate, u32),
) -> ListPilot {
    ListPilot {
        unit_id,
        name: name.to_owned(),
        kind,
        city_code: city,
        division_code: None,
        credit_code: None,
        accept_invalid_credit_code: false,
        zone_code: None,
        industries: industries.map(str::to_owned).to_vec(),
        sectors: sectors.to_vec(),
        county_code: None,
        batch: Batch::new(i64::from(batch)).unwrap_or_else(|e| panic!("batch {batch}: {e}")),
        decision: decision(on, doc_no + batch as u32),
        expected_version: None,
    }
}

/// The industries and sectors of the scenarios' enterprises, then of their counties.
const ENTERPRISE_TRADE: ([&str; 2], [Sector; 2]) = (
    ["高端装备", "工业互联网"],
    [Sector::HighEndEquipment, Sector::NewGenerationIt],
);
const COUNTY_TRADE: ([&str; 2], [Sector; 2]) = (
    ["新能源", "现代物流"],
    [Sector::GreenLowCarbon, Sector::Logistics],
);

/// 列入试点 for an enterprise.
pub fn list_enterprise(
    unit_id: Uuid,
    name: &str,
    city: CityCode,
    n: u64,
    batch: u16,
    on: NaiveDate,
) -> Command {
    Command::ListPilot(ListPilot {
        credit_code: Some(credit_code(city, n)),
        ..listing(
            unit_id,
            name,
            UnitKind::Enterprise,
            city,
            ENTERPRISE_TRADE,
            batch,
            (on, 100),
        )
    })
}

/// 列入试点 for a county (its own division code inside `city`).
pub fn list_county(unit_id: Uuid, name: &str, city: CityCode, n: u32, batch: u16, on: NaiveDate) -> Command {
    Command::ListPilot(ListPilot {
        division_code: Some(county_code(city, n)),
        ..listing(
            unit_id,
            name,
            UnitKind::County,
            city,
            COUNTY_TRADE,
            batch,
            (on, 200),
        )
    })
}

/// 信息变更 of unit `id` for `reason` that changes nothing yet (set the fields to change).
pub fn amendment(id: Uuid, reason: &str, decision: Decision) -> AmendUnit {
    AmendUnit {
        designation_id: id,
        reason: reason.to_owned(),
        name: None,
        sectors: None,
        industries: None,
        county_code: None,
        credit_code: None,
        accept_invalid_credit_code: false,
        division_code: None,
        zone_code: None,
        decision,
        expected_version: None,
    }
}

/// Figures that meet the enterprise standard (revenue ≥ 10亿元).
pub fn enterprise_figures(revenue_yuan: i64) -> Figures {
    Figures {
        revenue_yuan: Some(Yuan::new(revenue_yuan).unwrap_or_else(|e| panic!("{e}"))),
        gdp_yuan: None,
        manufacturing_share_bp: None,
        market_share_rank: None,
    }
}

/// Figures for a region kind.
pub fn region_figures(gdp_yuan: i64, share_bp: i64) -> Figures {
    Figures {
        revenue_yuan: None,
        gdp_yuan: Some(Yuan::new(gdp_yuan).unwrap_or_else(|e| panic!("{e}"))),
        manufacturing_share_bp: Some(BasisPoints::new(share_bp).unwrap_or_else(|e| panic!("{e}"))),
        market_share_rank: None,
    }
}

/// An enterprise that qualifies by its market-share rank alone.
pub fn rank_figures(rank: i64) -> Figures {
    Figures {
        revenue_yuan: None,
        gdp_yuan: None,
        manufacturing_share_bp: None,
        market_share_rank: Some(MarketShareRank::new(rank).unwrap_or_else(|e| panic!("{e}"))),
    }
}

/// 推荐 for `year` with `figures`.
pub fn recommend(id: Uuid, y: i64, figures: Figures) -> Command {
    Command::Recommend(Recommend {
        designation_id: id,
        year: year(y),
        figures,
        decision: decision(day_in(y, 3, 15), 300),
        expected_version: None,
    })
}

/// One review stage of `year`.
pub fn review(id: Uuid, y: i64, stage: ReviewStage, outcome: ReviewOutcome) -> Command {
    let (score, notice_start, notice_end) = match stage {
        ReviewStage::Expert => (Some(Score::new(86).unwrap_or_else(|e| panic!("{e}"))), None, None),
        // The notice runs after the site inspection (decided on 10 June) and is recorded
        // once it has ended.
        ReviewStage::PublicNotice => (None, Some(day_in(y, 6, 15)), Some(day_in(y, 6, 21))),
        _ => (None, None, None),
    };
    Command::RecordReview(RecordReview {
        designation_id: id,
        year: year(y),
        stage,
        outcome,
        score,
        notice_start,
        notice_end,
        objections: None,
        reason: (outcome == ReviewOutcome::Failed).then(|| format!("{}未达到要求", stage.label_zh())),
        decision: decision(day_in(y, 4 + stage_index(stage), 10), 400),
        expected_version: None,
    })
}

fn stage_index(stage: ReviewStage) -> u32 {
    match stage {
        ReviewStage::Material => 0,
        ReviewStage::Expert => 1,
        ReviewStage::SiteInspection => 2,
        ReviewStage::PublicNotice => 3,
    }
}

/// The four review stages of `year`, all passed.
pub fn pass_all_reviews(id: Uuid, y: i64) -> Vec<Command> {
    [
        ReviewStage::Material,
        ReviewStage::Expert,
        ReviewStage::SiteInspection,
        ReviewStage::PublicNotice,
    ]
    .into_iter()
    .map(|stage| review(id, y, stage, ReviewOutcome::Passed))
    .collect()
}

/// 授牌 for `year`.
pub fn award(id: Uuid, y: i64) -> Command {
    Command::Award(Award {
        designation_id: id,
        year: year(y),
        decision: decision(day_in(y, 7, 20), 500),
        expected_version: None,
    })
}

/// 设定年度指标.
pub fn set_quota(y: i64, total: u32) -> Command {
    Command::SetAnnualQuota(SetAnnualQuota {
        year: year(y),
        total,
        guideline_ref: None,
        decision: decision(day_in(y, 1, 10), 10),
        expected_version: None,
    })
}

/// 绩效评价.
pub fn evaluate(id: Uuid, y: i64, grade: Grade, score: Option<i64>) -> Command {
    Command::RecordEvaluation(RecordEvaluation {
        designation_id: id,
        year: year(y),
        grade,
        score: score.map(|s| Score::new(s).unwrap_or_else(|e| panic!("{e}"))),
        decision: decision(day_in(y, 12, 1), 600),
        expected_version: None,
    })
}

/// 表彰.
pub fn commend(id: Uuid, y: i64, citation: &str) -> Command {
    Command::Commend(Commend {
        designation_id: id,
        year: year(y),
        citation: citation.to_owned(),
        decision: decision(day_in(y, 12, 20), 700),
        expected_version: None,
    })
}

/// 摘牌, resting on the evaluation of `evaluation_year` (graded FAIL).
pub fn delist(id: Uuid, evaluation_year: i64, reason: &str) -> Command {
    Command::Delist(Delist {
        designation_id: id,
        reason: reason.to_owned(),
        ground: DelistGround::FailedEvaluation,
        evaluation_year: Some(year(evaluation_year)),
        decision: decision(day_in(evaluation_year + 1, 2, 1), 800),
        expected_version: None,
    })
}

/// 撤回推荐 of `year`'s recommendation, dated `on`.
pub fn withdraw(id: Uuid, y: i64, on: NaiveDate) -> Command {
    Command::WithdrawRecommendation(WithdrawRecommendation {
        designation_id: id,
        year: year(y),
        reason: "申报材料需补充完善，撤回后重新申报".to_owned(),
        decision: decision(on, 350),
        expected_version: None,
    })
}

/// 未入选 in `year`, dated `on`.
pub fn close_selection(id: Uuid, y: i64, on: NaiveDate) -> Command {
    Command::CloseSelection(CloseSelection {
        designation_id: id,
        year: year(y),
        reason: "择优遴选未入选，可于以后年度再次申报".to_owned(),
        decision: decision(on, 550),
        expected_version: None,
    })
}

/// 统计监测 of `year` with `figures` (and a service revenue), dated `on`.
pub fn report_indicators(id: Uuid, y: i64, figures: Figures, on: NaiveDate) -> Command {
    Command::ReportIndicators(ReportIndicators {
        designation_id: id,
        year: year(y),
        figures: IndicatorFigures {
            figures,
            service_revenue_yuan: Some(Yuan::new(300_000_000).unwrap_or(Yuan::MIN)),
            rd_expense_yuan: Some(Yuan::new(80_000_000).unwrap_or(Yuan::MIN)),
        },
        decision: decision(on, 650),
        expected_version: None,
    })
}

/// 奖励补助 of `amount_yuan` for `year`, dated `on`.
pub fn grant_subsidy(id: Uuid, y: i64, amount_yuan: i64, on: NaiveDate) -> Command {
    Command::GrantSubsidy(GrantSubsidy {
        designation_id: id,
        year: year(y),
        amount_yuan: Yuan::new(amount_yuan).unwrap_or_else(|e| panic!("{e}")),
        fund: "省级服务业发展专项资金".to_owned(),
        decision: decision(on, 750),
        expected_version: None,
    })
}

/// 撤销试点.
pub fn revoke_pilot(id: Uuid, on: NaiveDate) -> Command {
    Command::RevokePilot(RevokePilot {
        designation_id: id,
        decision: decision(on, 900),
        expected_version: None,
    })
}

/// The full path of one enterprise from pilot to award in `year`: listing, recommendation,
/// four passed reviews, award.
pub fn enterprise_to_award(id: Uuid, name: &str, city: CityCode, n: u64, y: i64) -> Vec<Command> {
    let mut commands = vec![
        list_enterprise(id, name, city, n, 1, day_in(y - 1, 9, 1)),
        recommend(id, y, enterprise_figures(1_500_000_000)),
    ];
    commands.extend(pass_all_reviews(id, y));
    commands.push(award(id, y));
    commands
}

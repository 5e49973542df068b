//! `serve --demo`: a realistic sample made by the real engine — every one of the 13 cities,
//! every kind of unit, every status and every kind of decision (corrections, closures,
//! monitoring and subsidies included), years 2021–2025, recorded in the order of their dates
//! — and one fresh token per role. Cities record their own recommendations, withdrawals and
//! indicator reports, with their own tokens and 文号. The sample is the same every time (ids
//! and timestamps aside); it is written only into an empty database.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use liangye_events::catalogue::{
    Batch, CityCode, Decision, DivisionCode, Figures, Grade, IndicatorFigures, ReviewOutcome, ReviewStage,
    Role, Score, Sector, UnitKind, Year, Yuan,
};
use liangye_services::access::new_token;
use liangye_services::decide::{
    Command, ListPilot, Principal, Recommend, RecordEvaluation, ReportIndicators, RetractDecision,
    SetAnnualQuota, WithdrawRecommendation,
};
use liangye_services::engine::{Engine, EngineError};
use liangye_services::scenario::{self, day_in, decision};
use uuid::Uuid;

/// One city's sample units: a county, a development zone, an industrial zone, enterprises;
/// each with its sectors and industries, and the city's own document prefix (文号).
struct CitySample {
    city: CityCode,
    /// The city commission's document prefix, e.g. 苏发改服务 (苏发改服务〔2024〕31号).
    doc: &'static str,
    county: (&'static str, &'static str),
    second_county: (&'static str, &'static str),
    zone: &'static str,
    enterprises: [&'static str; 2],
    /// Sectors of the county, the development zone, the industrial zone and the two
    /// enterprises.
    sectors: [&'static [Sector]; 5],
    /// Their industries, in the same order.
    industries: [&'static [&'static str]; 5],
}

const CITIES: [CitySample; 13] = [
    CitySample {
        city: CityCode::Nanjing,
        doc: "宁发改服务",
        county: ("江宁区", "320115"),
        second_county: ("浦口区", "320111"),
        zone: "南京经济技术开发区",
        enterprises: ["南京融智装备科技有限公司", "南京链云供应链管理有限公司"],
        sectors: [
            &[Sector::NewGenerationIt, Sector::HighEndEquipment],
            &[Sector::IntegratedCircuits, Sector::NewGenerationIt],
            &[Sector::Automotive],
            &[Sector::HighEndEquipment, Sector::NewGenerationIt],
            &[Sector::Logistics, Sector::InternetServices],
        ],
        industries: [
            &["软件和信息服务", "智能电网"],
            &["集成电路", "人工智能"],
            &["汽车零部件"],
            &["智能装备", "工业互联网"],
            &["供应链管理", "电子商务"],
        ],
    },
    CitySample {
        city: CityCode::Wuxi,
        doc: "锡发改服务",
        county: ("江阴市", "320281"),
        second_county: ("宜兴市", "320282"),
        zone: "无锡高新技术产业开发区",
        enterprises: ["无锡微联集成电路有限公司", "无锡精工智造服务有限公司"],
        sectors: [
            &[Sector::IntegratedCircuits, Sector::AdvancedMaterials],
            &[Sector::IntegratedCircuits, Sector::NewGenerationIt],
            &[Sector::HighEndEquipment],
            &[Sector::IntegratedCircuits],
            &[Sector::HighEndEquipment, Sector::NewGenerationIt],
        ],
        industries: [
            &["集成电路", "新材料"],
            &["集成电路设计", "物联网"],
            &["高端纺机"],
            &["集成电路封测"],
            &["精密制造", "工业设计"],
        ],
    },
    CitySample {
        city: CityCode::Xuzhou,
        doc: "徐发改服务",
        county: ("邳州市", "320382"),
        second_county: ("沛县", "320322"),
        zone: "徐州经济技术开发区",
        enterprises: ["徐州重装工程机械服务有限公司", "徐州汇能新能源科技有限公司"],
        sectors: [
            &[Sector::HighEndEquipment, Sector::Logistics],
            &[Sector::HighEndEquipment, Sector::NewEnergyEquipment],
            &[Sector::GreenLowCarbon],
            &[Sector::HighEndEquipment, Sector::FinancialServices],
            &[Sector::NewEnergyEquipment, Sector::GreenLowCarbon],
        ],
        industries: [
            &["工程机械", "现代物流"],
            &["工程机械", "光伏装备"],
            &["节能环保"],
            &["工程机械后市场服务", "融资租赁"],
            &["光伏", "储能"],
        ],
    },
    CitySample {
        city: CityCode::Changzhou,
        doc: "常发改服务",
        county: ("武进区", "320412"),
        second_county: ("溧阳市", "320481"),
        zone: "常州国家高新技术产业开发区",
        enterprises: ["常州动力电池系统有限公司", "常州智慧工业互联网有限公司"],
        sectors: [
            &[Sector::NewEnergyEquipment, Sector::Automotive],
            &[Sector::AdvancedMaterials, Sector::Biomedicine],
            &[Sector::Automotive],
            &[Sector::NewEnergyEquipment, Sector::Automotive],
            &[Sector::NewGenerationIt, Sector::InternetServices],
        ],
        industries: [
            &["新能源装备", "新能源汽车"],
            &["新材料", "医疗器械"],
            &["汽车零部件"],
            &["动力电池", "新能源汽车"],
            &["工业互联网", "数字化服务"],
        ],
    },
    CitySample {
        city: CityCode::Suzhou,
        doc: "苏发改服务",
        county: ("昆山市", "320583"),
        second_county: ("张家港市", "320582"),
        zone: "苏州工业园区",
        enterprises: ["苏州纳米材料应用有限公司", "苏州工业设计服务有限公司"],
        sectors: [
            &[Sector::IntegratedCircuits, Sector::NewGenerationIt],
            &[
                Sector::Biomedicine,
                Sector::IntegratedCircuits,
                Sector::FinancialServices,
            ],
            &[Sector::HighEndEquipment],
            &[Sector::AdvancedMaterials],
            &[Sector::HighEndEquipment, Sector::InternetServices],
        ],
        industries: [
            &["电子信息", "集成电路"],
            &["生物医药", "纳米技术", "金融科技"],
            &["精密机械"],
            &["纳米新材料"],
            &["工业设计", "数字营销"],
        ],
    },
    CitySample {
        city: CityCode::Nantong,
        doc: "通发改服务",
        county: ("海门区", "320614"),
        second_county: ("如皋市", "320682"),
        zone: "南通经济技术开发区",
        enterprises: ["南通海工装备总承包有限公司", "南通纺织数字供应链有限公司"],
        sectors: [
            &[Sector::MarineEquipment, Sector::HighEndEquipment],
            &[Sector::MarineEquipment, Sector::NewEnergyEquipment],
            &[Sector::AdvancedMaterials],
            &[Sector::MarineEquipment],
            &[Sector::Logistics, Sector::InternetServices],
        ],
        industries: [
            &["海工装备", "船舶配套"],
            &["海洋工程", "风电装备"],
            &["新材料"],
            &["海工装备总承包"],
            &["纺织供应链", "电子商务"],
        ],
    },
    CitySample {
        city: CityCode::Lianyungang,
        doc: "连发改服务",
        county: ("东海县", "320722"),
        second_county: ("灌云县", "320723"),
        zone: "连云港经济技术开发区",
        enterprises: ["连云港医药研发服务有限公司", "连云港港口物流科技有限公司"],
        sectors: [
            &[Sector::Biomedicine, Sector::Logistics],
            &[Sector::Biomedicine, Sector::AdvancedMaterials],
            &[Sector::Logistics],
            &[Sector::Biomedicine],
            &[Sector::Logistics, Sector::NewGenerationIt],
        ],
        industries: [
            &["医药研发", "港口物流"],
            &["创新药", "新材料"],
            &["港口物流"],
            &["医药合同研发"],
            &["港口物流", "物流信息平台"],
        ],
    },
    CitySample {
        city: CityCode::Huaian,
        doc: "淮发改服务",
        county: ("淮安区", "320803"),
        second_county: ("涟水县", "320826"),
        zone: "淮安经济技术开发区",
        enterprises: ["淮安盐化新材料有限公司", "淮安食品智能制造有限公司"],
        sectors: [
            &[Sector::AdvancedMaterials, Sector::GreenLowCarbon],
            &[Sector::NewGenerationIt, Sector::AdvancedMaterials],
            &[Sector::GreenLowCarbon],
            &[Sector::AdvancedMaterials],
            &[Sector::HighEndEquipment, Sector::Logistics],
        ],
        industries: [
            &["盐化工新材料", "节能环保"],
            &["电子信息", "新材料"],
            &["绿色食品加工"],
            &["盐化新材料"],
            &["食品智能制造", "冷链物流"],
        ],
    },
    CitySample {
        city: CityCode::Yancheng,
        doc: "盐发改服务",
        county: ("东台市", "320981"),
        second_county: ("大丰区", "320904"),
        zone: "盐城经济技术开发区",
        enterprises: ["盐城风电装备运维有限公司", "盐城汽车零部件服务有限公司"],
        sectors: [
            &[Sector::NewEnergyEquipment, Sector::GreenLowCarbon],
            &[Sector::Automotive, Sector::NewEnergyEquipment],
            &[Sector::NewEnergyEquipment],
            &[Sector::NewEnergyEquipment, Sector::GreenLowCarbon],
            &[Sector::Automotive],
        ],
        industries: [
            &["风电装备", "节能环保"],
            &["新能源汽车", "风电装备"],
            &["光伏组件"],
            &["风电运维", "储能"],
            &["汽车零部件"],
        ],
    },
    CitySample {
        city: CityCode::Yangzhou,
        doc: "扬发改服务",
        county: ("江都区", "321012"),
        second_county: ("仪征市", "321081"),
        zone: "扬州经济技术开发区",
        enterprises: ["扬州数控机床服务有限公司", "扬州航空零部件有限公司"],
        sectors: [
            &[Sector::HighEndEquipment, Sector::Automotive],
            &[Sector::Automotive, Sector::HighEndEquipment],
            &[Sector::MarineEquipment],
            &[Sector::HighEndEquipment],
            &[Sector::HighEndEquipment, Sector::Automotive],
        ],
        industries: [
            &["数控机床", "汽车"],
            &["汽车及零部件", "高端装备"],
            &["船舶制造"],
            &["数控机床"],
            &["航空零部件", "汽车零部件"],
        ],
    },
    CitySample {
        city: CityCode::Zhenjiang,
        doc: "镇发改服务",
        county: ("丹阳市", "321181"),
        second_county: ("句容市", "321183"),
        zone: "镇江经济技术开发区",
        enterprises: ["镇江船舶配套科技有限公司", "镇江眼镜产业服务有限公司"],
        sectors: [
            &[Sector::AdvancedMaterials, Sector::HighEndEquipment],
            &[Sector::AdvancedMaterials, Sector::HighEndEquipment],
            &[Sector::NewEnergyEquipment],
            &[Sector::MarineEquipment],
            &[Sector::InternetServices, Sector::Logistics],
        ],
        industries: [
            &["新材料", "高端装备"],
            &["新材料", "航空航天"],
            &["新能源"],
            &["船舶配套"],
            &["眼镜产业互联网", "现代物流"],
        ],
    },
    CitySample {
        city: CityCode::Taizhou,
        doc: "泰发改服务",
        county: ("泰兴市", "321283"),
        second_county: ("靖江市", "321282"),
        zone: "泰州医药高新技术产业开发区",
        enterprises: ["泰州生物医药合同研发有限公司", "泰州节能环保服务有限公司"],
        sectors: [
            &[Sector::Biomedicine, Sector::MarineEquipment],
            &[Sector::Biomedicine],
            &[Sector::GreenLowCarbon],
            &[Sector::Biomedicine],
            &[Sector::GreenLowCarbon],
        ],
        industries: [
            &["生物医药", "船舶"],
            &["生物医药", "医疗器械"],
            &["节能环保"],
            &["生物医药合同研发"],
            &["节能环保服务"],
        ],
    },
    CitySample {
        city: CityCode::Suqian,
        doc: "宿发改服务",
        county: ("沭阳县", "321322"),
        second_county: ("泗阳县", "321323"),
        zone: "宿迁经济技术开发区",
        enterprises: ["宿迁绿色家居智造有限公司", "宿迁电商物流科技有限公司"],
        sectors: [
            &[Sector::GreenLowCarbon, Sector::InternetServices],
            &[Sector::GreenLowCarbon, Sector::AdvancedMaterials],
            &[Sector::AdvancedMaterials],
            &[Sector::HighEndEquipment, Sector::GreenLowCarbon],
            &[Sector::InternetServices, Sector::Logistics],
        ],
        industries: [
            &["绿色家居", "电子商务"],
            &["绿色食品", "新材料"],
            &["新材料"],
            &["绿色家居智造"],
            &["电子商务", "快递物流"],
        ],
    },
];

/// The tokens printed by `serve --demo`.
pub struct DemoTokens {
    pub lines: Vec<(Role, String, String)>,
}

/// Who records a step: the province, or a city's commission with its own token.
#[derive(Debug, Clone, Copy)]
enum By {
    Province,
    City(CityCode),
}

/// One step of the sample.
enum Step {
    Decide(By, Command),
    /// Retract the unit's latest decision (its position is known only once recorded).
    RetractLatest {
        unit: Uuid,
        reason: &'static str,
        on: NaiveDate,
    },
}

/// The sample as it is built: steps with their dates, recorded in date order.
#[derive(Default)]
struct Plan {
    steps: Vec<(NaiveDate, Step)>,
}

impl Plan {
    fn province(&mut self, command: Command) {
        let on = decided_on(&command);
        self.steps.push((on, Step::Decide(By::Province, command)));
    }

    fn city(&mut self, city: CityCode, command: Command) {
        let on = decided_on(&command);
        self.steps.push((on, Step::Decide(By::City(city), command)));
    }

    fn all(&mut self, commands: Vec<Command>) {
        for command in commands {
            self.province(command);
        }
    }
}

/// The date on a command's decision document.
fn decided_on(command: &Command) -> NaiveDate {
    match command {
        Command::ListPilot(c) => c.decision.decided_on,
        Command::RevokePilot(c) => c.decision.decided_on,
        Command::Recommend(c) => c.decision.decided_on,
        Command::RecordReview(c) => c.decision.decided_on,
        Command::Award(c) => c.decision.decided_on,
        Command::SetAnnualQuota(c) => c.decision.decided_on,
        Command::RecordEvaluation(c) => c.decision.decided_on,
        Command::Commend(c) => c.decision.decided_on,
        Command::Delist(c) => c.decision.decided_on,
        Command::RetractDecision(c) => c.decision.decided_on,
        Command::AmendUnit(c) => c.decision.decided_on,
        Command::WithdrawRecommendation(c) => c.decision.decided_on,
        Command::CloseSelection(c) => c.decision.decided_on,
        Command::ReportIndicators(c) => c.decision.decided_on,
        Command::GrantSubsidy(c) => c.decision.decided_on,
        Command::IssueAccess(_) | Command::RevokeAccess(_) => NaiveDate::MIN,
    }
}

/// A decision of a city's commission, with the city's own 文号, e.g. 苏发改服务〔2024〕31号.
fn city_decision(s: &CitySample, on: NaiveDate, no: u32) -> Decision {
    Decision {
        decided_on: on,
        document_ref: Some(format!("{}〔{}〕{no}号", s.doc, on.year())),
        note: None,
    }
}

fn year(y: i64) -> Year {
    Year::new(y).unwrap_or(Year::MIN)
}

/// 列入试点, with the unit's sectors and industries.
#[allow(clippy::too_many_arguments)]
fn list(
    unit_id: Uuid,
    name: String,
    kind: UnitKind,
    s: &CitySample,
    which: usize,
    division: Option<&str>,
    credit: Option<u64>,
    batch: i64,
    on: NaiveDate,
) -> Command {
    Command::ListPilot(ListPilot {
        unit_id,
        name,
        kind,
        city_code: s.city,
        division_code: division.and_then(|d| DivisionCode::parse(d).ok()),
        credit_code: credit.map(|n| scenario::credit_code(s.city, n)),
        accept_invalid_credit_code: false,
        zone_code: None,
        industries: s.industries[which].iter().map(|i| (*i).to_owned()).collect(),
        sectors: s.sectors[which].to_vec(),
        county_code: None,
        batch: Batch::new(batch).unwrap_or(Batch::MIN),
        decision: decision(on, 21),
        expected_version: None,
    })
}

/// 推荐 by the unit's city commission, in March of `y`.
fn recommend(s: &CitySample, unit: Uuid, y: i64, figures: Figures, no: u32) -> Command {
    Command::Recommend(Recommend {
        designation_id: unit,
        year: year(y),
        figures,
        decision: city_decision(s, day_in(y, 3, 15), no),
        expected_version: None,
    })
}

/// 统计监测 of `y`, reported by the city in the following April.
fn report(s: &CitySample, unit: Uuid, y: i64, figures: Figures, no: u32) -> Command {
    Command::ReportIndicators(ReportIndicators {
        designation_id: unit,
        year: year(y),
        figures: IndicatorFigures {
            figures,
            service_revenue_yuan: Yuan::new(1_200_000_000 + i64::from(no) * 10_000_000).ok(),
            rd_expense_yuan: Yuan::new(300_000_000 + i64::from(no) * 1_000_000).ok(),
        },
        decision: city_decision(s, day_in(y + 1, 4, 30), no),
        expected_version: None,
    })
}

/// 奖励补助 from the province's service-industry fund, in September of the award year.
fn subsidy(unit: Uuid, y: i64, amount_yuan: i64) -> Command {
    scenario::grant_subsidy(unit, y, amount_yuan, day_in(y, 9, 30))
}

/// 绩效评价 dated `on`.
fn evaluate_on(unit: Uuid, y: i64, grade: Grade, score: i64, on: NaiveDate) -> Command {
    Command::RecordEvaluation(RecordEvaluation {
        designation_id: unit,
        year: year(y),
        grade,
        score: Score::new(score).ok(),
        decision: decision(on, 600),
        expected_version: None,
    })
}

/// The whole sample, in date order (a unit's own decisions are in order by construction;
/// the sort keeps that order for decisions of the same day).
fn sample() -> Vec<Step> {
    let mut plan = Plan::default();
    for (y, total) in [(2022, 10), (2023, 12), (2024, 15), (2025, 20)] {
        plan.province(Command::SetAnnualQuota(SetAnnualQuota {
            year: year(y),
            total,
            guideline_ref: Some(format!("苏发改服务发〔{}〕3号", y - 1)),
            decision: decision(day_in(y, 1, 10), 10),
            expected_version: None,
        }));
    }
    let region = scenario::region_figures(68_000_000_000, 4_120);
    for (i, s) in CITIES.iter().enumerate() {
        let n = i as u32;
        let i = i as i64;
        let listed_on = day_in(2021, 3, 1 + n);
        let second_batch = day_in(2022, 2, 10);
        let county = Uuid::now_v7();
        let zone = Uuid::now_v7();
        let industrial = Uuid::now_v7();
        let ent_a = Uuid::now_v7();
        let ent_b = Uuid::now_v7();
        let (county_name, county_code) = s.county;
        let (second_name, second_code) = s.second_county;
        plan.province(list(
            county,
            county_name.to_owned(),
            UnitKind::County,
            s,
            0,
            Some(county_code),
            None,
            1,
            listed_on,
        ));
        plan.province(list(
            zone,
            s.zone.to_owned(),
            UnitKind::DevelopmentZone,
            s,
            1,
            None,
            None,
            1,
            listed_on,
        ));
        plan.province(list(
            industrial,
            format!("{second_name}工业集中区"),
            UnitKind::IndustrialZone,
            s,
            2,
            Some(second_code),
            None,
            2,
            second_batch,
        ));
        let (name_a, name_b) = (s.enterprises[0], s.enterprises[1]);
        plan.province(list(
            ent_a,
            name_a.to_owned(),
            UnitKind::Enterprise,
            s,
            3,
            None,
            Some(10_000 + i as u64),
            1,
            listed_on,
        ));
        plan.province(list(
            ent_b,
            name_b.to_owned(),
            UnitKind::Enterprise,
            s,
            4,
            None,
            Some(20_000 + i as u64),
            2,
            second_batch,
        ));

        // The county: recommended by its city, awarded over 2022–2025, evaluated, its
        // figures reported by the city, and subsidised.
        let award_year = 2022 + i % 4;
        let big_region = scenario::region_figures(120_000_000_000 + i * 1_000_000_000, 3_500 + i * 37);
        plan.city(s.city, recommend(s, county, award_year, big_region, 10 + n));
        plan.all(scenario::pass_all_reviews(county, award_year));
        plan.province(scenario::award(county, award_year));
        plan.province(subsidy(county, award_year, 3_000_000));
        if award_year < 2025 {
            plan.city(s.city, report(s, county, award_year, big_region, 40 + n));
            if i == 6 {
                // A mistaken grade, retracted and recorded again (撤销错误决定).
                plan.province(evaluate_on(
                    county,
                    award_year + 1,
                    Grade::Pass,
                    75,
                    day_in(2025, 12, 1),
                ));
                plan.steps.push((
                    day_in(2025, 12, 5),
                    Step::RetractLatest {
                        unit: county,
                        reason: "评价等次录入错误，应为优秀",
                        on: day_in(2025, 12, 5),
                    },
                ));
                plan.province(evaluate_on(
                    county,
                    award_year + 1,
                    Grade::Excellent,
                    93,
                    day_in(2025, 12, 8),
                ));
            } else {
                plan.province(scenario::evaluate(
                    county,
                    award_year + 1,
                    Grade::Excellent,
                    Some(93),
                ));
            }
            if i % 3 == 0 {
                plan.province(scenario::commend(
                    county,
                    award_year + 1,
                    "两业融合成效显著，示范带动作用明显",
                ));
            }
        }

        // The first enterprise: recommended by its city, awarded 2023–2025, its figures
        // reported (淮安's below the standard it entered on: 预警).
        let ent_year = 2023 + i % 3;
        let revenue = 1_000_000_000 + i * 250_000_000;
        plan.city(
            s.city,
            recommend(s, ent_a, ent_year, scenario::enterprise_figures(revenue), 20 + n),
        );
        plan.all(scenario::pass_all_reviews(ent_a, ent_year));
        plan.province(scenario::award(ent_a, ent_year));
        if ent_year < 2025 {
            let reported = if i == 7 {
                820_000_000
            } else {
                revenue + 150_000_000
            };
            plan.city(
                s.city,
                report(s, ent_a, ent_year, scenario::enterprise_figures(reported), 50 + n),
            );
        }

        match i % 5 {
            // A zone awarded, evaluated FAIL, then delisted on that evaluation (摘牌).
            0 => {
                plan.city(s.city, recommend(s, zone, 2022, region, 30 + n));
                plan.all(scenario::pass_all_reviews(zone, 2022));
                plan.province(scenario::award(zone, 2022));
                plan.province(scenario::evaluate(zone, 2023, Grade::Fail, Some(52)));
                plan.province(scenario::delist(zone, 2023, "绩效评价不合格，经评价不符合标准"));
            }
            // A zone recommended for 2025, reviews under way.
            1 => {
                let zone_big = scenario::region_figures(150_000_000_000, 3_800);
                plan.city(s.city, recommend(s, zone, 2025, zone_big, 30 + n));
                plan.province(scenario::review(
                    zone,
                    2025,
                    ReviewStage::Material,
                    ReviewOutcome::Passed,
                ));
                plan.province(scenario::review(
                    zone,
                    2025,
                    ReviewStage::Expert,
                    ReviewOutcome::Passed,
                ));
                if i == 1 {
                    // The enterprise changed its registered name (信息变更).
                    let mut renamed = scenario::amendment(
                        ent_b,
                        "企业名称变更，营业执照已换发",
                        decision(day_in(2023, 6, 1), 66),
                    );
                    renamed.name = Some("无锡精工智造科技服务有限公司".into());
                    plan.province(Command::AmendUnit(renamed));
                }
            }
            // A failed expert review: back to PILOT, recommended again the next year and
            // awarded; the development zone awarded in 2024 and subsidised.
            2 => {
                plan.city(
                    s.city,
                    recommend(s, ent_b, 2023, scenario::rank_figures(3), 30 + n),
                );
                plan.province(scenario::review(
                    ent_b,
                    2023,
                    ReviewStage::Material,
                    ReviewOutcome::Passed,
                ));
                plan.province(scenario::review(
                    ent_b,
                    2023,
                    ReviewStage::Expert,
                    ReviewOutcome::Failed,
                ));
                plan.city(
                    s.city,
                    recommend(s, ent_b, 2024, scenario::rank_figures(2), 31 + n),
                );
                plan.all(scenario::pass_all_reviews(ent_b, 2024));
                plan.province(scenario::award(ent_b, 2024));
                plan.province(scenario::evaluate(ent_b, 2025, Grade::Good, Some(84)));
                let zone_figures = scenario::region_figures(95_000_000_000, 3_900);
                plan.city(s.city, recommend(s, zone, 2024, zone_figures, 32 + n));
                plan.all(scenario::pass_all_reviews(zone, 2024));
                plan.province(scenario::award(zone, 2024));
                plan.province(subsidy(zone, 2024, 5_000_000));
            }
            // A pilot revoked (撤销试点); an enterprise's recommendation withdrawn by its
            // city, made again the next year, and not selected after passing every stage.
            3 => {
                plan.province(scenario::revoke_pilot(industrial, day_in(2024, 9, 30)));
                plan.city(
                    s.city,
                    recommend(s, ent_b, 2024, scenario::rank_figures(4), 30 + n),
                );
                plan.city(
                    s.city,
                    Command::WithdrawRecommendation(WithdrawRecommendation {
                        designation_id: ent_b,
                        year: year(2024),
                        reason: "申报材料需补充完善，撤回后下一年度重新申报".into(),
                        decision: city_decision(s, day_in(2024, 4, 20), 31 + n),
                        expected_version: None,
                    }),
                );
                plan.city(
                    s.city,
                    recommend(s, ent_b, 2025, scenario::rank_figures(4), 32 + n),
                );
                plan.all(scenario::pass_all_reviews(ent_b, 2025));
                plan.province(scenario::close_selection(ent_b, 2025, day_in(2025, 7, 25)));
            }
            // The industrial zone: 苏州's awarded in 2024 and subsidised; 扬州's recommended
            // for 2025, not yet reviewed.
            _ if i == 4 => {
                let park = scenario::region_figures(10_800_000_000, 4_050);
                plan.city(s.city, recommend(s, industrial, 2024, park, 30 + n));
                plan.all(scenario::pass_all_reviews(industrial, 2024));
                plan.province(scenario::award(industrial, 2024));
                plan.province(subsidy(industrial, 2024, 2_000_000));
            }
            _ => {
                let park = scenario::region_figures(10_500_000_000, 3_600);
                plan.city(s.city, recommend(s, industrial, 2025, park, 30 + n));
            }
        }
    }
    let mut steps = plan.steps;
    steps.sort_by_key(|(on, _)| *on);
    steps.into_iter().map(|(_, step)| step).collect()
}

/// Fill an empty database with the sample; returns how many decisions were accepted.
/// Each city's recommendations, withdrawals and reports are recorded with a token of its
/// own commission. A refused decision is a bug in the sample and aborts the fill.
pub async fn fill(engine: &Engine) -> Result<usize, EngineError> {
    if engine.store().head().await?.position > 0 {
        return Ok(0);
    }
    let operator = Principal::operator("省发展改革委服务业处(示例数据)");
    let mut cities = HashMap::new();
    for s in &CITIES {
        let name = format!("{}市发展改革委服务业处(示例数据)", s.city.name());
        let token = new_token(&name, Role::City, Some(s.city))?;
        engine.execute(token.command, &operator).await?;
        cities.insert(
            s.city,
            Principal {
                token_id: Some(token.token_id),
                name,
                role: Role::City,
                city: Some(s.city),
            },
        );
    }
    let mut accepted = 0;
    let mut latest: HashMap<Uuid, i64> = HashMap::new();
    for step in sample() {
        let (command, principal) = match step {
            Step::Decide(By::Province, command) => (command, &operator),
            Step::Decide(By::City(city), command) => match cities.get(&city) {
                Some(principal) => (command, principal),
                None => (command, &operator),
            },
            Step::RetractLatest { unit, reason, on } => {
                let position = latest.get(&unit).copied().unwrap_or_default();
                let command = Command::RetractDecision(RetractDecision {
                    designation_id: unit,
                    position,
                    reason: reason.to_owned(),
                    decision: decision(on, 700),
                    expected_version: None,
                });
                (command, &operator)
            }
        };
        let decided = engine.execute(command, principal).await?;
        if let Some(unit) = decided.designation_id {
            latest.insert(unit, decided.position);
        }
        accepted += 1;
    }
    Ok(accepted)
}

/// Issue one token per role (the CITY token for 苏州) and return their secrets.
pub async fn tokens(engine: &Engine) -> Result<DemoTokens, EngineError> {
    let operator = Principal::operator("serve --demo");
    let mut lines = Vec::new();
    for (role, city, name) in [
        (Role::Provincial, None, "省发展改革委(演示)"),
        (Role::City, Some(CityCode::Suzhou), "苏州市发展改革委(演示)"),
        (Role::Auditor, None, "省审计厅(演示)"),
        (Role::Reader, None, "省大数据中心(演示)"),
    ] {
        let token = new_token(name, role, city)?;
        engine.execute(token.command, &operator).await?;
        lines.push((role, name.to_owned(), token.secret));
    }
    Ok(DemoTokens { lines })
}

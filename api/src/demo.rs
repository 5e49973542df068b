//! `serve --demo`: a realistic sample made by the real engine — every one of the 13 cities,
//! every kind of unit, every status and lifecycle step, years 2021–2025 — and one fresh token
//! per role. The sample is the same every time (ids and timestamps aside); it is written only
//! into an empty database.

use chrono::NaiveDate;
use liangye_events::catalogue::{
    Batch, CityCode, DivisionCode, Grade, ReviewOutcome, ReviewStage, Role, UnitKind,
};
use liangye_services::access::new_token;
use liangye_services::decide::{Command, ListPilot, Principal};
use liangye_services::engine::{Engine, EngineError};
use liangye_services::scenario::{self, day_in, decision};
use uuid::Uuid;

/// One city's sample units: a county, a development zone, an industrial zone, enterprises.
struct CitySample {
    city: CityCode,
    county: (&'static str, &'static str),
    second_county: (&'static str, &'static str),
    zone: &'static str,
    enterprises: [&'static str; 2],
}

const CITIES: [CitySample; 13] = [
    CitySample {
        city: CityCode::Nanjing,
        county: ("江宁区", "320115"),
        second_county: ("浦口区", "320111"),
        zone: "南京经济技术开发区",
        enterprises: ["南京融智装备科技有限公司", "南京链云供应链管理有限公司"],
    },
    CitySample {
        city: CityCode::Wuxi,
        county: ("江阴市", "320281"),
        second_county: ("宜兴市", "320282"),
        zone: "无锡高新技术产业开发区",
        enterprises: ["无锡微联集成电路有限公司", "无锡精工智造服务有限公司"],
    },
    CitySample {
        city: CityCode::Xuzhou,
        county: ("邳州市", "320382"),
        second_county: ("沛县", "320322"),
        zone: "徐州经济技术开发区",
        enterprises: ["徐州重装工程机械服务有限公司", "徐州汇能新能源科技有限公司"],
    },
    CitySample {
        city: CityCode::Changzhou,
        county: ("武进区", "320412"),
        second_county: ("溧阳市", "320481"),
        zone: "常州国家高新技术产业开发区",
        enterprises: ["常州动力电池系统有限公司", "常州智慧工业互联网有限公司"],
    },
    CitySample {
        city: CityCode::Suzhou,
        county: ("昆山市", "320583"),
        second_county: ("张家港市", "320582"),
        zone: "苏州工业园区",
        enterprises: ["苏州纳米材料应用有限公司", "苏州工业设计服务有限公司"],
    },
    CitySample {
        city: CityCode::Nantong,
        county: ("海门区", "320614"),
        second_county: ("如皋市", "320682"),
        zone: "南通经济技术开发区",
        enterprises: ["南通海工装备总承包有限公司", "南通纺织数字供应链有限公司"],
    },
    CitySample {
        city: CityCode::Lianyungang,
        county: ("东海县", "320722"),
        second_county: ("灌云县", "320723"),
        zone: "连云港经济技术开发区",
        enterprises: ["连云港医药研发服务有限公司", "连云港港口物流科技有限公司"],
    },
    CitySample {
        city: CityCode::Huaian,
        county: ("淮安区", "320803"),
        second_county: ("涟水县", "320826"),
        zone: "淮安经济技术开发区",
        enterprises: ["淮安盐化新材料有限公司", "淮安食品智能制造有限公司"],
    },
    CitySample {
        city: CityCode::Yancheng,
        county: ("东台市", "320981"),
        second_county: ("大丰区", "320904"),
        zone: "盐城经济技术开发区",
        enterprises: ["盐城风电装备运维有限公司", "盐城汽车零部件服务有限公司"],
    },
    CitySample {
        city: CityCode::Yangzhou,
        county: ("江都区", "321012"),
        second_county: ("仪征市", "321081"),
        zone: "扬州经济技术开发区",
        enterprises: ["扬州数控机床服务有限公司", "扬州航空零部件有限公司"],
    },
    CitySample {
        city: CityCode::Zhenjiang,
        county: ("丹阳市", "321181"),
        second_county: ("句容市", "321183"),
        zone: "镇江经济技术开发区",
        enterprises: ["镇江船舶配套科技有限公司", "镇江眼镜产业服务有限公司"],
    },
    CitySample {
        city: CityCode::Taizhou,
        county: ("泰兴市", "321283"),
        second_county: ("靖江市", "321282"),
        zone: "泰州医药高新技术产业开发区",
        enterprises: ["泰州生物医药合同研发有限公司", "泰州节能环保服务有限公司"],
    },
    CitySample {
        city: CityCode::Suqian,
        county: ("沭阳县", "321322"),
        second_county: ("泗阳县", "321323"),
        zone: "宿迁经济技术开发区",
        enterprises: ["宿迁绿色家居智造有限公司", "宿迁电商物流科技有限公司"],
    },
];

/// The tokens printed by `serve --demo`.
pub struct DemoTokens {
    pub lines: Vec<(Role, String, String)>,
}

fn list(
    unit_id: Uuid,
    name: String,
    kind: UnitKind,
    city: CityCode,
    division: Option<&str>,
    batch: i64,
    on: NaiveDate,
) -> Command {
    Command::ListPilot(ListPilot {
        unit_id,
        name,
        kind,
        city_code: city,
        division_code: division.and_then(|d| DivisionCode::parse(d).ok()),
        credit_code: None,
        accept_invalid_credit_code: false,
        zone_code: None,
        industries: vec!["先进制造业".into(), "现代服务业".into()],
        batch: Batch::new(batch).unwrap_or(Batch::MIN),
        decision: decision(on, 21),
        expected_version: None,
    })
}

/// The whole sample, in the order it is decided.
fn sample() -> Vec<Command> {
    let mut c = Vec::new();
    for (y, total) in [(2022, 10), (2023, 12), (2024, 15), (2025, 20)] {
        c.push(scenario::set_quota(y, total));
    }
    let region = scenario::region_figures(68_000_000_000, 4_120);
    for (i, s) in CITIES.iter().enumerate() {
        let i = i as i64;
        let listed_on = day_in(2021, 3, 1 + i as u32);
        let county = Uuid::now_v7();
        let zone = Uuid::now_v7();
        let industrial = Uuid::now_v7();
        let ent_a = Uuid::now_v7();
        let ent_b = Uuid::now_v7();
        c.push(list(
            county,
            s.county.0.to_owned(),
            UnitKind::County,
            s.city,
            Some(s.county.1),
            1,
            listed_on,
        ));
        c.push(list(
            zone,
            s.zone.to_owned(),
            UnitKind::DevelopmentZone,
            s.city,
            None,
            1,
            listed_on,
        ));
        c.push(list(
            industrial,
            format!("{}工业集中区", s.second_county.0),
            UnitKind::IndustrialZone,
            s.city,
            Some(s.second_county.1),
            2,
            day_in(2022, 2, 10),
        ));
        c.push(scenario::list_enterprise(
            ent_a,
            s.enterprises[0],
            s.city,
            10_000 + i as u64,
            1,
            listed_on,
        ));
        c.push(scenario::list_enterprise(
            ent_b,
            s.enterprises[1],
            s.city,
            20_000 + i as u64,
            2,
            day_in(2022, 2, 10),
        ));

        // Awarded units, spread over 2022–2025, with evaluations and commendations after.
        let award_year = 2022 + i % 4;
        let big_region = scenario::region_figures(120_000_000_000 + i * 1_000_000_000, 3_500 + i * 37);
        c.push(scenario::recommend(county, award_year, big_region));
        c.extend(scenario::pass_all_reviews(county, award_year));
        c.push(scenario::award(county, award_year));
        if award_year < 2025 {
            c.push(scenario::evaluate(
                county,
                award_year + 1,
                Grade::Excellent,
                Some(93),
            ));
            if i % 3 == 0 {
                c.push(scenario::commend(
                    county,
                    award_year + 1,
                    "两业融合成效显著,示范带动作用明显",
                ));
            }
        }
        c.push(scenario::recommend(
            ent_a,
            2023 + i % 3,
            scenario::enterprise_figures(1_000_000_000 + i * 250_000_000),
        ));
        c.extend(scenario::pass_all_reviews(ent_a, 2023 + i % 3));
        c.push(scenario::award(ent_a, 2023 + i % 3));

        match i % 5 {
            // A zone awarded, evaluated FAIL, then delisted (摘牌).
            0 => {
                c.push(scenario::recommend(zone, 2022, region));
                c.extend(scenario::pass_all_reviews(zone, 2022));
                c.push(scenario::award(zone, 2022));
                c.push(scenario::evaluate(zone, 2023, Grade::Fail, Some(52)));
                c.push(scenario::delist(zone, 2023, "绩效评价不合格,经评价不符合标准"));
            }
            // A zone recommended for 2025, reviews under way.
            1 => {
                let zone_big = scenario::region_figures(150_000_000_000, 3_800);
                c.push(scenario::recommend(zone, 2025, zone_big));
                c.push(scenario::review(
                    zone,
                    2025,
                    ReviewStage::Material,
                    ReviewOutcome::Passed,
                ));
                c.push(scenario::review(
                    zone,
                    2025,
                    ReviewStage::Expert,
                    ReviewOutcome::Passed,
                ));
            }
            // A failed expert review: back to PILOT, recommended again the next year.
            2 => {
                c.push(scenario::recommend(ent_b, 2023, scenario::rank_figures(3)));
                c.push(scenario::review(
                    ent_b,
                    2023,
                    ReviewStage::Material,
                    ReviewOutcome::Passed,
                ));
                c.push(scenario::review(
                    ent_b,
                    2023,
                    ReviewStage::Expert,
                    ReviewOutcome::Failed,
                ));
                c.push(scenario::recommend(ent_b, 2024, scenario::rank_figures(2)));
                c.extend(scenario::pass_all_reviews(ent_b, 2024));
                c.push(scenario::award(ent_b, 2024));
                c.push(scenario::evaluate(ent_b, 2025, Grade::Good, Some(84)));
            }
            // A pilot revoked (撤销试点).
            3 => c.push(scenario::revoke_pilot(industrial, day_in(2024, 9, 30))),
            // The zone's industrial park recommended for 2025, not yet reviewed.
            _ => c.push(scenario::recommend(
                industrial,
                2025,
                scenario::region_figures(10_500_000_000, 3_600),
            )),
        }
    }
    c
}

/// Fill an empty database with the sample; returns how many decisions were accepted.
/// A refused decision is a bug in the sample and aborts the fill.
pub async fn fill(engine: &Engine) -> Result<usize, EngineError> {
    if engine.store().head().await?.position > 0 {
        return Ok(0);
    }
    let operator = Principal::operator("省发展改革委服务业处(示例数据)");
    let mut accepted = 0;
    for command in sample() {
        match engine.execute(command, &operator).await {
            Ok(_) => accepted += 1,
            Err(e) => return Err(e),
        }
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

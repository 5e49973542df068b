//! The whole programme over HTTP (DESIGN.md §1): corrections and closures, dates and
//! grounds, sectors and counties, monitoring and subsidies — what each new mutation does to
//! the designation and its history, how bad input is refused (naming the field, storing
//! nothing), and a repeated `commandId`.

use liangye_events::catalogue::CityCode;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{
    STAGES, award, commend, decide, enterprise, evaluation, head, id_of, list_county, list_enterprise,
    list_pilot, pass_reviews, quota, ready_for_award, recommend, refuse, review,
};

on_both_backends!(
    a_retracted_award_frees_its_quota_place_but_not_its_certificate_number,
    retracting_a_listing_frees_the_identifier,
    an_amendment_shows_old_and_new_values,
    withdrawn_and_not_selected_units_are_pilots_again,
    indicators_below_standard_and_subsidies_are_shown,
    sectors_and_counties_are_recorded_and_checked_at_the_edge,
    not_eligible_lists_every_unmet_criterion,
    dates_and_grounds_are_checked_at_their_boundaries,
    a_repeated_command_id_answers_the_first_result
);

const UNIT: &str = "query($id: UUID!) { designation(id: $id) { id name status statusLabel \
    awardYear certificateNo sectors sectorLabels countyCode lastPosition version \
    indicators { year revenueYuan serviceRevenueYuan belowStandard decidedOn } \
    subsidies { year amountYuan fund decidedOn } \
    history { position type typeLabel decidedOn retractedBy summary } } }";

async fn unit(app: &TestApp, id: &str) -> Value {
    app.gql_data(app.tokens.provincial.secret(), UNIT, json!({ "id": id }))
        .await["designation"]
        .clone()
}

/// The `retractDecision` input for the decision that answered `payload`.
fn retraction_of(payload: &Value, on: &str) -> Value {
    json!({ "designationId": id_of(payload), "position": payload["position"], "reason": "录入错误",
            "decidedOn": on })
}

/// Retract, as PROVINCIAL, the decision that answered `payload`: the retraction's payload.
async fn retract_answered(app: &TestApp, payload: &Value, on: &str) -> Value {
    let provincial = app.tokens.provincial.secret();
    decide(app, provincial, "retractDecision", retraction_of(payload, on)).await
}

/// Mutation `name` with `input` is refused as VALIDATION_FAILED, its message naming `field`
/// first.
async fn invalid_field(app: &TestApp, token: Option<&str>, name: &str, input: Value, field: &str) {
    let (code, message) = refuse(app, token, name, input).await;
    assert_eq!(code, "VALIDATION_FAILED", "{name}: {message}");
    assert!(message.starts_with(field), "{name}, {field}: {message}");
}

async fn a_retracted_award_frees_its_quota_place_but_not_its_certificate_number(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    decide(&app, provincial, "setAnnualQuota", quota(2025, 1)).await;
    let first = ready_for_award(&app, "苏州撤销授牌一号科技有限公司", CityCode::Suzhou, 1, 2025).await;
    let second = ready_for_award(&app, "苏州撤销授牌二号科技有限公司", CityCode::Suzhou, 2, 2025).await;
    let awarded = decide(&app, provincial, "award", award(&first, 2025)).await;
    assert_eq!(awarded["designation"]["certificateNo"], "JSLY-2025-001");
    let (code, _) = refuse(&app, provincial, "award", award(&second, 2025)).await;
    assert_eq!(code, "QUOTA_EXCEEDED");

    let retracted = retract_answered(&app, &awarded, "2025-07-21").await;
    assert_eq!(retracted["designation"]["status"], "RECOMMENDED");
    assert!(retracted["designation"]["certificateNo"].is_null());
    let shown = unit(&app, &first).await;
    let history = shown["history"].as_array().unwrap();
    let award_entry = history
        .iter()
        .find(|e| e["position"] == awarded["position"])
        .unwrap();
    assert_eq!(award_entry["retractedBy"], retracted["position"]);
    assert_eq!(award_entry["typeLabel"], "授牌");
    let last = history.last().unwrap();
    assert_eq!(last["type"], "DecisionRetracted");
    assert_eq!(last["typeLabel"], "撤销错误决定");
    assert!(last["retractedBy"].is_null());

    // The quota place is free again; the number JSLY-2025-001 is never issued again.
    let second_award = decide(&app, provincial, "award", award(&second, 2025)).await;
    assert_eq!(second_award["designation"]["certificateNo"], "JSLY-2025-002");
    // Only the latest decision is retracted, and a retraction is not.
    let (code, message) = refuse(
        &app,
        provincial,
        "retractDecision",
        retraction_of(&retracted, "2025-07-22"),
    )
    .await;
    assert_eq!(code, "INVALID_TRANSITION", "{message}");
    // As of a position before the retraction, the unit was awarded.
    let as_of = app
        .gql_data(
            provincial,
            "query($id: UUID!, $p: Int!) { designation(id: $id, asOf: { position: $p }) { status certificateNo } }",
            json!({ "id": first, "p": awarded["position"] }),
        )
        .await;
    assert_eq!(as_of["designation"]["status"], "AWARDED");
    assert_eq!(as_of["designation"]["certificateNo"], "JSLY-2025-001");
}

async fn retracting_a_listing_frees_the_identifier(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let listed = list_pilot(&app, "苏州误列入科技有限公司", CityCode::Suzhou, 7).await;
    let id = id_of(&listed);
    let retracted = retract_answered(&app, &listed, "2024-03-02").await;
    assert!(retracted["designation"].is_null(), "{retracted}");
    assert!(unit(&app, &id).await.is_null(), "the retracted listing is gone");
    // The same credit code may be listed again, as a new unit.
    list_pilot(&app, "苏州正确列入科技有限公司", CityCode::Suzhou, 7).await;
}

async fn an_amendment_shows_old_and_new_values(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let id = list_enterprise(&app, "苏州旧名称科技有限公司", CityCode::Suzhou, 3).await;
    let amended = decide(
        &app,
        provincial,
        "amendUnit",
        json!({ "designationId": id, "reason": "企业更名，营业执照已换发",
                "name": "苏州新名称科技有限公司", "sectors": ["INTEGRATED_CIRCUITS", "LOGISTICS"],
                "countyCode": "320583", "decidedOn": "2024-04-01" }),
    )
    .await;
    assert_eq!(amended["designation"]["name"], "苏州新名称科技有限公司");
    let shown = unit(&app, &id).await;
    assert_eq!(shown["sectors"], json!(["INTEGRATED_CIRCUITS", "LOGISTICS"]));
    assert_eq!(shown["sectorLabels"], json!(["集成电路", "物流"]));
    assert_eq!(shown["countyCode"], "320583");
    let summary = shown["history"][1]["summary"].as_str().unwrap().to_owned();
    assert!(
        summary.contains("name：苏州旧名称科技有限公司 → 苏州新名称科技有限公司"),
        "{summary}"
    );
    // Nothing to change, a county outside the city, an empty sector list: refused, naming
    // the field, storing nothing.
    let before = head(&app).await;
    for (input, field) in [
        (
            json!({ "designationId": id, "reason": "无", "decidedOn": "2024-04-02" }),
            "input",
        ),
        (
            json!({ "designationId": id, "reason": "迁址", "countyCode": "320115", "decidedOn": "2024-04-02" }),
            "countyCode",
        ),
        (
            json!({ "designationId": id, "reason": "调整", "sectors": [], "decidedOn": "2024-04-02" }),
            "sectors",
        ),
        (
            json!({ "designationId": id, "reason": " ", "name": "某", "decidedOn": "2024-04-02" }),
            "reason",
        ),
    ] {
        invalid_field(&app, provincial, "amendUnit", input, field).await;
    }
    assert_eq!(head(&app).await, before);
}

async fn withdrawn_and_not_selected_units_are_pilots_again(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let id = list_enterprise(&app, "苏州撤回推荐科技有限公司", CityCode::Suzhou, 4).await;
    decide(&app, suzhou, "recommend", recommend(&id, 2024)).await;
    let withdrawn = decide(
        &app,
        suzhou,
        "withdrawRecommendation",
        json!({ "designationId": id, "year": 2024, "reason": "申报材料需补充",
                "decidedOn": "2024-04-01", "documentRef": "苏发改服务〔2024〕12号" }),
    )
    .await;
    assert_eq!(withdrawn["designation"]["status"], "PILOT");
    assert_eq!(withdrawn["events"][0]["role"], "CITY");

    decide(&app, suzhou, "recommend", recommend(&id, 2025)).await;
    pass_reviews(&app, &id, 2025, &STAGES).await;
    let close = |reason: &str, on: &str| json!({ "designationId": id, "year": 2025, "reason": reason, "decidedOn": on });
    let closed = decide(
        &app,
        provincial,
        "closeSelection",
        close("择优遴选未入选", "2025-07-25"),
    )
    .await;
    assert_eq!(closed["designation"]["status"], "PILOT");
    let (code, _) = refuse(&app, provincial, "award", award(&id, 2025)).await;
    assert_eq!(code, "INVALID_TRANSITION");
    let (code, _) = refuse(&app, provincial, "closeSelection", close("再次", "2025-07-26")).await;
    assert_eq!(code, "INVALID_TRANSITION");
}

async fn indicators_below_standard_and_subsidies_are_shown(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let id = ready_for_award(&app, "苏州监测预警科技有限公司", CityCode::Suzhou, 5, 2024).await;
    decide(&app, provincial, "award", award(&id, 2024)).await;
    let report = |year: i64, revenue: &str, on: &str| {
        json!({ "designationId": id, "year": year, "revenueYuan": revenue,
                "serviceRevenueYuan": "300000000", "decidedOn": on })
    };
    decide(
        &app,
        suzhou,
        "reportIndicators",
        report(2024, "1000000000", "2025-04-30"),
    )
    .await;
    decide(
        &app,
        suzhou,
        "reportIndicators",
        report(2025, "999999999", "2026-04-30"),
    )
    .await;
    let (code, _) = refuse(
        &app,
        suzhou,
        "reportIndicators",
        report(2025, "2000000000", "2026-05-01"),
    )
    .await;
    assert_eq!(code, "DUPLICATE");
    let subsidy = |amount: &str| {
        json!({ "designationId": id, "year": 2024, "amountYuan": amount,
                "fund": "省级服务业发展专项资金", "decidedOn": "2026-05-10" })
    };
    decide(&app, provincial, "grantSubsidy", subsidy("2000000")).await;
    let shown = unit(&app, &id).await;
    assert_eq!(
        shown["indicators"],
        json!([
            { "year": 2024, "revenueYuan": "1000000000", "serviceRevenueYuan": "300000000",
              "belowStandard": false, "decidedOn": "2025-04-30" },
            { "year": 2025, "revenueYuan": "999999999", "serviceRevenueYuan": "300000000",
              "belowStandard": true, "decidedOn": "2026-04-30" },
        ])
    );
    assert_eq!(
        shown["subsidies"],
        json!([{ "year": 2024, "amountYuan": "2000000", "fund": "省级服务业发展专项资金",
                 "decidedOn": "2026-05-10" }])
    );
    invalid_field(&app, provincial, "grantSubsidy", subsidy("0"), "amountYuan").await;
    let no_figures = json!({ "designationId": id, "year": 2026, "decidedOn": "2026-06-01" });
    invalid_field(&app, suzhou, "reportIndicators", no_figures, "input").await;
}

async fn sectors_and_counties_are_recorded_and_checked_at_the_edge(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let mut input = enterprise("苏州行业领域科技有限公司", CityCode::Suzhou, 6);
    input["sectors"] = json!(["BIOMEDICINE", "NEW_GENERATION_IT"]);
    input["countyCode"] = json!("320506");
    let listed = decide(&app, provincial, "listPilot", input.clone()).await;
    let shown = unit(&app, &id_of(&listed)).await;
    assert_eq!(shown["sectors"], json!(["BIOMEDICINE", "NEW_GENERATION_IT"]));
    assert_eq!(
        shown["sectorLabels"],
        json!([
            "生物医药和新型医疗器械",
            "新一代信息技术(5G、大数据、工业互联网、人工智能)"
        ])
    );
    assert_eq!(shown["countyCode"], "320506");
    // Without sectors, OTHER; a county's county is its own code.
    let county = list_county(&app, "太仓市", CityCode::Suzhou, "320585").await;
    let shown = unit(&app, &county).await;
    assert_eq!(shown["sectors"], json!(["OTHER"]));
    assert_eq!(shown["sectorLabels"], json!(["其他"]));
    assert_eq!(shown["countyCode"], "320585");

    let before = head(&app).await;
    for (change, field) in [
        (json!({ "countyCode": "320115" }), "countyCode"),
        (json!({ "countyCode": "3205" }), "countyCode"),
        (json!({ "sectors": [] }), "sectors"),
        (json!({ "decidedOn": "1999-12-31" }), "decidedOn"),
    ] {
        let mut bad = enterprise("苏州错误输入科技有限公司", CityCode::Suzhou, 8);
        for (key, value) in change.as_object().unwrap() {
            bad[key] = value.clone();
        }
        invalid_field(&app, provincial, "listPilot", bad, field).await;
    }
    let mut bad = enterprise("苏州错误行业科技有限公司", CityCode::Suzhou, 9);
    bad["sectors"] = json!(["SHIPPING"]);
    let body = app
        .gql(
            provincial,
            &crate::support::mutation("listPilot"),
            json!({ "input": bad }),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
    assert_eq!(head(&app).await, before);
}

async fn not_eligible_lists_every_unmet_criterion(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let county = list_county(&app, "昆山市", CityCode::Suzhou, "320583").await;
    // Exactly 100亿元 GDP does not exceed 100亿元; 34.99% is below 35%.
    let poor = json!({ "designationId": county, "year": 2025, "gdpYuan": "10000000000",
                       "manufacturingShareBp": 3499, "decidedOn": "2025-03-15" });
    let body = crate::support::mutate(&app, provincial, "recommend", poor).await;
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "NOT_ELIGIBLE");
    assert_eq!(
        error["extensions"]["unmet"],
        json!([
            { "criterion": "MANUFACTURING_SHARE",
              "required": "manufacturingShareBp >= 3500 (制造业增加值占比达35%以上)",
              "actual": "manufacturingShareBp = 3499" },
            { "criterion": "REGIONAL_SCALE",
              "required": "gdpYuan > 10000000000 or revenueYuan > 10000000000 (区域GDP或年营业收入超过100亿元)",
              "actual": "gdpYuan = 10000000000, revenueYuan = not given" },
        ])
    );
}

async fn dates_and_grounds_are_checked_at_their_boundaries(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let id = ready_for_award(&app, "苏州日期边界科技有限公司", CityCode::Suzhou, 10, 2024).await;
    // The public notice was recorded on 2024-07-10: an award the day before is refused,
    // naming that date; the same day passes.
    let mut early = award(&id, 2024);
    early["decidedOn"] = json!("2024-07-09");
    let (code, message) = refuse(&app, provincial, "award", early).await;
    assert_eq!(code, "VALIDATION_FAILED");
    assert!(message.contains("2024-07-10"), "{message}");
    let mut same_day = award(&id, 2024);
    same_day["decidedOn"] = json!("2024-07-10");
    decide(&app, provincial, "award", same_day).await;
    // Commended only on the same year's EXCELLENT or GOOD evaluation.
    decide(
        &app,
        provincial,
        "recordEvaluation",
        evaluation(&id, 2025, "PASS"),
    )
    .await;
    let (code, message) = refuse(&app, provincial, "commend", commend(&id, 2025)).await;
    assert_eq!(code, "VALIDATION_FAILED");
    assert!(message.contains("合格 (PASS)"), "{message}");
    // Delisted on a failed evaluation only when that year was graded FAIL.
    let delisting = json!({ "designationId": id, "reason": "经评价不符合标准", "ground": "FAILED_EVALUATION",
                            "evaluationYear": 2025, "decidedOn": "2026-02-01" });
    invalid_field(&app, provincial, "delist", delisting, "evaluationYear").await;
    // A FAILED stage needs its reason.
    let other = list_enterprise(&app, "苏州评审理由科技有限公司", CityCode::Suzhou, 11).await;
    decide(&app, provincial, "recommend", recommend(&other, 2024)).await;
    let mut failed = review(&other, 2024, "MATERIAL", "FAILED");
    failed.as_object_mut().unwrap().remove("reason");
    invalid_field(&app, provincial, "recordReview", failed, "reason").await;
}

async fn a_repeated_command_id_answers_the_first_result(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let id = list_enterprise(&app, "苏州幂等科技有限公司", CityCode::Suzhou, 12).await;
    let input = json!({ "designationId": id, "reason": "更名", "name": "苏州幂等智能科技有限公司",
                        "decidedOn": "2024-04-01",
                        "commandId": "0194c0de-0000-7000-8000-0000000000a1" });
    let first = decide(&app, provincial, "amendUnit", input.clone()).await;
    let before = head(&app).await;
    let again = decide(&app, provincial, "amendUnit", input).await;
    assert_eq!(again["position"], first["position"]);
    assert_eq!(again["duplicate"], true);
    assert_eq!(head(&app).await, before);
}

//! A unit's whole life through the mutations, each answer already showing the decision;
//! and a repeated `commandId` answering the first result without appending anything.

use liangye_events::catalogue::CityCode;
use liangye_tests::app::count_in;
use liangye_tests::{LISTED_TO_AWARDED, TestApp, TestDb};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::{
    STAGES, award, commend, decide, delist, enterprise, evaluation, head, list_pilot, mutate, recommend,
    review,
};

on_both_backends!(
    a_unit_lives_its_whole_life_through_mutations,
    a_repeated_command_id_appends_nothing
);

/// The payload's designation has `status` and `version`, and its one event is `event_type`
/// at the payload's position, the unit's stream at that version.
fn check(payload: &Value, event_type: &str, status: &str, version: i64) {
    let designation = &payload["designation"];
    assert_eq!(designation["status"], status, "{event_type}: {payload:#}");
    assert_eq!(designation["version"], version, "{event_type}: {payload:#}");
    assert_eq!(payload["duplicate"], false);
    let events = payload["events"].as_array().expect("events");
    assert_eq!(events.len(), 1, "{event_type}: {payload:#}");
    assert_eq!(events[0]["type"], event_type);
    assert_eq!(events[0]["position"], payload["position"]);
    assert_eq!(events[0]["streamVersion"], version);
    assert_eq!(
        events[0]["streamId"],
        format!("unit-{}", designation["id"].as_str().unwrap())
    );
}

async fn a_unit_lives_its_whole_life_through_mutations(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let suzhou = app.tokens.suzhou.secret();
    let start = head(&app).await;

    let listed = list_pilot(&app, "苏州纳米材料应用有限公司", CityCode::Suzhou, 42).await;
    check(&listed, "PilotListed", "PILOT", 1);
    let d = &listed["designation"];
    assert_eq!(d["kind"], "ENTERPRISE");
    assert_eq!(d["kindLabel"], "企业");
    assert_eq!(d["cityCode"], "320500");
    assert_eq!(d["cityName"], "苏州");
    assert_eq!(d["statusLabel"], "试点");
    assert_eq!(d["pilotBatch"], 1);
    assert_eq!(d["industries"], json!(["高端装备", "工业互联网"]));
    assert!(d["certificateNo"].is_null() && d["awardYear"].is_null());
    let id = d["id"].as_str().unwrap().to_owned();

    let recommended = decide(&app, suzhou, "recommend", recommend(&id, 2025)).await;
    check(&recommended, "Recommended", "RECOMMENDED", 2);
    assert_eq!(recommended["designation"]["recommendedYear"], 2025);
    assert_eq!(recommended["events"][0]["role"], "CITY");
    assert_eq!(recommended["events"][0]["actor"], app.tokens.suzhou.name);

    for (i, stage) in STAGES.iter().enumerate() {
        let mut input = review(&id, 2025, stage, "PASSED");
        // Guarded by the version the previous answer showed.
        input["expectedVersion"] = json!(2 + i as i64);
        let reviewed = decide(&app, provincial, "recordReview", input).await;
        check(&reviewed, "ReviewRecorded", "RECOMMENDED", 3 + i as i64);
    }

    let awarded = decide(&app, provincial, "award", award(&id, 2025)).await;
    check(&awarded, "Awarded", "AWARDED", 7);
    assert_eq!(awarded["designation"]["certificateNo"], "JSLY-2025-001");
    assert_eq!(awarded["designation"]["awardYear"], 2025);
    assert_eq!(awarded["designation"]["statusLabel"], "已授牌");

    let evaluated = decide(
        &app,
        provincial,
        "recordEvaluation",
        evaluation(&id, 2025, "GOOD"),
    )
    .await;
    check(&evaluated, "EvaluationRecorded", "AWARDED", 8);
    assert_eq!(
        evaluated["designation"]["evaluations"],
        json!([{ "year": 2025, "grade": "GOOD", "gradeLabel": "良好", "score": 61, "decidedOn": "2025-12-01" }])
    );

    let commended = decide(&app, provincial, "commend", commend(&id, 2025)).await;
    check(&commended, "Commended", "AWARDED", 9);
    assert_eq!(
        commended["designation"]["commendations"][0]["citation"],
        "两业融合成效显著"
    );

    let mut input = delist(&id);
    input["evaluationYear"] = json!(2025);
    input["reason"] = json!("重大违法违规");
    input["documentRef"] = json!("苏发改服务发〔2026〕8号");
    let delisted = decide(&app, provincial, "delist", input).await;
    check(&delisted, "Delisted", "DELISTED", 10);
    assert_eq!(delisted["designation"]["delistingReason"], "重大违法违规");
    assert_eq!(delisted["designation"]["statusLabel"], "已摘牌");
    // The certificate stays on record after delisting.
    assert_eq!(delisted["designation"]["certificateNo"], "JSLY-2025-001");
    assert_eq!(head(&app).await, start + 10);

    // The history holds every decision, in order, as the registry now shows it.
    let data = app
        .gql_data(
            provincial,
            r#"query($id: UUID!) { designation(id: $id) { status version
                history { position type typeLabel decidedOn recordedAt documentRef actor payload } } }"#,
            json!({ "id": id }),
        )
        .await;
    let history = data["designation"]["history"].as_array().unwrap();
    let types: Vec<&str> = history.iter().map(|h| h["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            &LISTED_TO_AWARDED[..],
            &["EvaluationRecorded", "Commended", "Delisted"]
        ]
        .concat()
    );
    let positions: Vec<i64> = history.iter().map(|h| h["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, (start + 1..=start + 10).collect::<Vec<_>>());
    assert_eq!(history[0]["documentRef"], "苏发改服务发〔2024〕21号");
    assert_eq!(history[0]["decidedOn"], "2024-03-01");
    assert_eq!(history[9]["documentRef"], "苏发改服务发〔2026〕8号");
    assert_eq!(history[6]["typeLabel"], "授牌");
    assert_eq!(history[1]["actor"], app.tokens.suzhou.name);
    assert_eq!(history[6]["actor"], app.tokens.provincial.name);
    assert_eq!(data["designation"]["status"], "DELISTED");

    // The statistics count it.
    let data = app
        .gql_data(
            app.tokens.reader.secret(),
            "{ statistics { total byStatus { status count } byAwardYear { year awarded delisted } target { awardsMade awarded } } }",
            json!({}),
        )
        .await;
    let stats = &data["statistics"];
    assert_eq!(stats["total"], 1);
    assert_eq!(count_in(&stats["byStatus"], "status", "DELISTED", "count"), 1);
    assert_eq!(
        stats["byAwardYear"],
        json!([{ "year": 2025, "awarded": 1, "delisted": 1 }])
    );
    assert_eq!(stats["target"]["awardsMade"], 1);
    assert_eq!(stats["target"]["awarded"], 0);
}

async fn a_repeated_command_id_appends_nothing(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();

    let command_id = Uuid::now_v7().to_string();
    let mut input = enterprise("苏州幂等科技有限公司", CityCode::Suzhou, 50);
    input["commandId"] = json!(command_id);
    let first = decide(&app, provincial, "listPilot", input.clone()).await;
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["events"][0]["commandId"], command_id);
    let head_after_first = head(&app).await;

    // The same request again, and again concurrently: the first result, nothing appended.
    let again = decide(&app, provincial, "listPilot", input.clone()).await;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["events"], first["events"]);
    assert_eq!(again["position"], first["position"]);
    assert_eq!(again["designation"]["id"], first["designation"]["id"]);
    let (a, b) = tokio::join!(
        decide(&app, provincial, "listPilot", input.clone()),
        decide(&app, provincial, "listPilot", input.clone()),
    );
    assert_eq!(a["events"], first["events"]);
    assert_eq!(b["events"], first["events"]);
    assert_eq!(head(&app).await, head_after_first);

    // A later decision with its own command id, repeated after the unit moved on.
    let id = first["designation"]["id"].as_str().unwrap().to_owned();
    let recommend_id = Uuid::now_v7().to_string();
    let mut input = recommend(&id, 2025);
    input["commandId"] = json!(recommend_id);
    let recommended = decide(&app, app.tokens.suzhou.secret(), "recommend", input.clone()).await;
    decide(
        &app,
        provincial,
        "recordReview",
        review(&id, 2025, "MATERIAL", "PASSED"),
    )
    .await;
    let head_now = head(&app).await;
    let body = mutate(&app, app.tokens.suzhou.secret(), "recommend", input).await;
    assert!(body.get("errors").is_none(), "{body}");
    let repeated = &body["data"]["recommend"];
    assert_eq!(repeated["duplicate"], true);
    assert_eq!(repeated["events"], recommended["events"]);
    assert_eq!(head(&app).await, head_now, "a repeat appends nothing");
}

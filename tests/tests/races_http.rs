//! Races over HTTP: 64 concurrent clients (each its own connection pool), released
//! together, send conflicting decisions to the real server; every invariant of DESIGN.md
//! §6 holds — the year's quota, one award per unit and year, one unit per identifier, one
//! event per `commandId` — in the answers, in the log and in the read model. Each case on
//! SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.

use liangye_tests::on_both_backends;
use std::collections::BTreeSet;
use std::sync::Arc;

use liangye_events::StoredEvent;
use liangye_events::catalogue::CityCode;
use liangye_services::EventStore;
use liangye_services::decide::Command;
use liangye_services::scenario;
use liangye_tests::app::count_in;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};
use tokio::sync::Barrier;
use uuid::Uuid;

on_both_backends!(
    awards_racing_for_a_quota_award_exactly_the_quota,
    awards_racing_for_one_unit_award_it_once,
    listings_racing_with_one_credit_code_list_one_unit,
    copies_of_one_command_id_append_one_event_and_answer_alike,
);

const CLIENTS: usize = 64;
const YEAR: i64 = 2025;

const PAYLOAD: &str = "position duplicate designation { id status certificateNo creditCode } \
    events { position eventId type commandId }";

fn mutation(name: &str) -> String {
    let input = format!("{}{}Input", name[..1].to_uppercase(), &name[1..]);
    format!("mutation($input: {input}!) {{ {name}(input: $input) {{ {PAYLOAD} }} }}")
}

/// `CLIENTS` clients, each with its own connection pool, send mutation `name` with
/// `inputs[i]` at the same moment: the response bodies, in client order.
async fn race(app: &TestApp, token: &str, name: &str, inputs: Vec<Value>) -> Vec<Value> {
    assert_eq!(inputs.len(), CLIENTS);
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let url = app.url("/graphql");
    let query = mutation(name);
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let client = liangye_tests::http_client();
            let (barrier, url, query, token) =
                (barrier.clone(), url.clone(), query.clone(), token.to_owned());
            tokio::spawn(async move {
                let body = json!({ "query": query, "variables": { "input": input } });
                barrier.wait().await;
                let response = client
                    .post(&url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("POST /graphql: {e}"));
                let status = response.status().as_u16();
                let body: Value = response.json().await.expect("JSON body");
                assert_eq!(status, 200, "{body}");
                body
            })
        })
        .collect();
    let mut bodies = Vec::with_capacity(CLIENTS);
    for task in tasks {
        bodies.push(task.await.expect("client task"));
    }
    bodies
}

/// The payloads of accepted answers and the error codes of refused ones.
fn split(name: &str, bodies: &[Value]) -> (Vec<Value>, Vec<String>) {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for body in bodies {
        match body.get("errors").and_then(|e| e.get(0)) {
            Some(error) => {
                assert!(
                    body["data"].is_null() || body["data"][name].is_null(),
                    "a refusal with data: {body}"
                );
                refused.push(error["extensions"]["code"].as_str().unwrap_or("").to_owned());
            }
            None => accepted.push(body["data"][name].clone()),
        }
    }
    (accepted, refused)
}

/// Exactly one of `bodies` accepted `name` (`what` says what that means) and every other
/// refused with `code`: the accepted payload.
fn only_one_accepted(name: &str, bodies: &[Value], code: &str, what: &str) -> Value {
    let (accepted, refused) = split(name, bodies);
    assert_eq!(accepted.len(), 1, "{what}: {bodies:#?}");
    assert!(
        refused.iter().all(|c| c == code),
        "the others are refused with {code}: {refused:?}"
    );
    accepted[0].clone()
}

async fn log(store: &EventStore) -> Vec<StoredEvent> {
    let events = store.read_from(0, i64::MAX / 2).await.expect("read the log");
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.position, i as i64 + 1, "the log has a gap");
    }
    events
}

fn count_type(events: &[StoredEvent], event_type: &str) -> usize {
    events.iter().filter(|e| e.event_type == event_type).count()
}

/// The race appended exactly one event since `before`, an `event_type`; then wait until the
/// live registry has folded it.
async fn one_event_appended(app: &TestApp, before: i64, event_type: &str) {
    let events = log(app.store()).await;
    assert_eq!(events.len() as i64, before + 1);
    assert_eq!(count_type(&events, event_type), 1);
    app.settle().await;
}

/// `n` enterprises recommended for `YEAR` with all four reviews passed, prepared through
/// the engine (concurrently, one task per unit).
async fn ready_for_award(app: &TestApp, n: usize, offset: u64) -> Vec<Uuid> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let engine = app.engine().clone();
            tokio::spawn(async move {
                let id = Uuid::now_v7();
                let number = offset + i as u64;
                let city = CityCode::all().nth(i % 13).expect("13 cities");
                let mut commands: Vec<Command> =
                    scenario::enterprise_to_award(id, &format!("竞争企业{number}"), city, number, YEAR);
                commands.pop(); // all but the award
                let operator = liangye_services::decide::Principal::operator("竞争测试准备");
                for command in commands {
                    engine
                        .execute(command.clone(), &operator)
                        .await
                        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
                }
                id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("preparation task"));
    }
    app.settle().await;
    ids
}

fn award_input(id: Uuid) -> Value {
    json!({ "designationId": id, "year": YEAR, "decidedOn": "2025-07-20" })
}

async fn awards_racing_for_a_quota_award_exactly_the_quota(db: &TestDb) {
    const QUOTA: usize = 7;
    let app = TestApp::spawn(db).await;
    let token = app.tokens.provincial.secret.clone();
    let quota = app
        .gql_data(
            Some(&token),
            &mutation("setAnnualQuota"),
            json!({ "input": { "year": YEAR, "total": QUOTA, "decidedOn": "2025-01-10" } }),
        )
        .await;
    assert_eq!(quota["setAnnualQuota"]["duplicate"], false);
    let ids = ready_for_award(&app, CLIENTS, 1000).await;
    let before = app.head().await;

    let bodies = race(
        &app,
        &token,
        "award",
        ids.iter().map(|id| award_input(*id)).collect(),
    )
    .await;
    let (accepted, refused) = split("award", &bodies);
    assert_eq!(accepted.len(), QUOTA, "exactly the quota is awarded: {bodies:#?}");
    assert!(
        refused.iter().all(|c| c == "QUOTA_EXCEEDED"),
        "the others are refused for the quota: {refused:?}"
    );
    let certificates: BTreeSet<String> = accepted
        .iter()
        .map(|p| {
            p["designation"]["certificateNo"]
                .as_str()
                .expect("certificateNo")
                .to_owned()
        })
        .collect();
    let expected: BTreeSet<String> = (1..=QUOTA).map(|n| format!("JSLY-{YEAR}-{n:03}")).collect();
    assert_eq!(
        certificates, expected,
        "certificates numbered 1..quota, none twice"
    );

    let events = log(app.store()).await;
    assert_eq!(
        events.len() as i64,
        before + QUOTA as i64,
        "only the awards were appended"
    );
    assert_eq!(count_type(&events, "Awarded"), QUOTA);
    app.settle().await;
    let stats = app
        .gql_data(
            Some(&token),
            "{ statistics { quotas { year quota used remaining } byStatus { status count } } }",
            json!({}),
        )
        .await;
    let quotas = stats["statistics"]["quotas"].as_array().expect("quotas");
    let year = quotas
        .iter()
        .find(|q| q["year"] == YEAR)
        .expect("the year's quota");
    assert_eq!(year["used"], QUOTA);
    assert_eq!(year["remaining"], 0);
    let awarded = count_in(&stats["statistics"]["byStatus"], "status", "AWARDED", "count");
    assert_eq!(awarded, QUOTA as i64);
}

async fn awards_racing_for_one_unit_award_it_once(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let token = app.tokens.provincial.secret.clone();
    let id = ready_for_award(&app, 1, 2000).await[0];
    let before = app.head().await;

    let bodies = race(&app, &token, "award", vec![award_input(id); CLIENTS]).await;
    let awarded = only_one_accepted("award", &bodies, "INVALID_TRANSITION", "exactly one award");
    assert_eq!(
        awarded["designation"]["certificateNo"],
        format!("JSLY-{YEAR}-001")
    );
    one_event_appended(&app, before, "Awarded").await;
    let unit = app
        .gql_data(
            Some(&token),
            "query($id: UUID!) { designation(id: $id) { status awardYear certificateNo history { type } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(unit["designation"]["status"], "AWARDED");
    let history = unit["designation"]["history"].as_array().expect("history");
    assert_eq!(history.iter().filter(|h| h["type"] == "Awarded").count(), 1);
}

async fn listings_racing_with_one_credit_code_list_one_unit(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let token = app.tokens.provincial.secret.clone();
    let code = scenario::credit_code(CityCode::Wuxi, 4242).to_string();
    let before = app.head().await;
    let inputs = (0..CLIENTS)
        .map(|i| {
            json!({
                "name": format!("同一信用代码企业{i}"), "kind": "ENTERPRISE", "cityCode": "320200",
                "creditCode": code, "batch": 1, "decidedOn": "2024-01-02",
            })
        })
        .collect();

    let bodies = race(&app, &token, "listPilot", inputs).await;
    let what = "exactly one unit per credit code";
    let listed = only_one_accepted("listPilot", &bodies, "DUPLICATE", what);
    one_event_appended(&app, before, "PilotListed").await;
    let found = app
        .gql_data(
            Some(&token),
            "query($code: String!) { designationByCode(code: $code) { id } designations { totalCount } }",
            json!({ "code": code }),
        )
        .await;
    assert_eq!(found["designationByCode"]["id"], listed["designation"]["id"]);
    assert_eq!(found["designations"]["totalCount"], 1);
}

async fn copies_of_one_command_id_append_one_event_and_answer_alike(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let token = app.tokens.provincial.secret.clone();
    let command_id = Uuid::now_v7();
    let before = app.head().await;
    // listPilot: the server draws a new unit id for every request, so without the commandId
    // each copy would be a different decision (refused as a duplicate credit code).
    let input = json!({
        "name": "幂等测试企业", "kind": "ENTERPRISE", "cityCode": "320500",
        "creditCode": scenario::credit_code(CityCode::Suzhou, 777).to_string(),
        "batch": 2, "decidedOn": "2024-03-01", "commandId": command_id,
    });

    let bodies = race(&app, &token, "listPilot", vec![input.clone(); CLIENTS]).await;
    let (accepted, refused) = split("listPilot", &bodies);
    assert!(
        refused.is_empty(),
        "every copy is answered with the first result: {refused:?}"
    );
    assert_eq!(
        accepted.iter().filter(|p| p["duplicate"] == false).count(),
        1,
        "exactly one copy is the first"
    );
    let first = accepted
        .iter()
        .find(|p| p["duplicate"] == false)
        .expect("the first");
    for payload in &accepted {
        assert_eq!(payload["position"], first["position"]);
        assert_eq!(
            payload["events"], first["events"],
            "every answer names the same event"
        );
        assert_eq!(payload["designation"]["id"], first["designation"]["id"]);
    }
    assert_eq!(first["events"][0]["commandId"], command_id.to_string());

    let events = log(app.store()).await;
    assert_eq!(events.len() as i64, before + 1, "one event for the command id");
    assert_eq!(
        events.iter().filter(|e| e.command_id == Some(command_id)).count(),
        1
    );
    // A later copy (a retry after a lost answer) too.
    let again = app
        .gql_data(Some(&token), &mutation("listPilot"), json!({ "input": input }))
        .await;
    assert_eq!(again["listPilot"]["duplicate"], true);
    assert_eq!(again["listPilot"]["events"], first["events"]);
    assert_eq!(app.head().await, before + 1);
}

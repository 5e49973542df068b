//! Reads answered from the server's response cache (`api/src/response_cache.rs`) are never
//! stale: a decision — over HTTP or straight through the engine — is in the very next
//! response; a revoked token gets nothing; roles do not share what they may see; a second
//! node's cache follows the first node's decisions once its registry does.

use liangye_events::catalogue::{CityCode, Role};
use liangye_services::scenario;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{decide, list_enterprise, recommend};

on_both_backends!(
    a_decision_is_in_the_very_next_response,
    a_revoked_token_gets_no_cached_response,
    roles_do_not_share_responses,
    another_nodes_decision_is_in_the_next_response_once_followed,
);

const PAGE: &str = "{ designations(first: 50) { totalCount nodes { id status version } } }";
const STATS: &str = "{ statistics { total } }";

fn ids(page: &Value) -> Vec<String> {
    page["designations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

fn status_of(page: &Value, id: &str) -> String {
    page["designations"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .map(|n| n["status"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{id} is not on the page {page}"))
}

async fn a_decision_is_in_the_very_next_response(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let reader = app.tokens.reader.secret();
    let provincial = app.tokens.provincial.secret();
    let first = list_enterprise(&app, "缓存测试企业一", CityCode::Suzhou, 1).await;
    // The same read twice: the second may come from the cache, and must be the same.
    let before = app.gql_data(reader, PAGE, json!({})).await;
    assert_eq!(app.gql_data(reader, PAGE, json!({})).await, before);
    let stats = app.gql_data(reader, STATS, json!({})).await;
    assert_eq!(app.gql_data(reader, STATS, json!({})).await, stats);

    // A decision over HTTP: the very next read shows it.
    let second = list_enterprise(&app, "缓存测试企业二", CityCode::Nanjing, 2).await;
    let after = app.gql_data(reader, PAGE, json!({})).await;
    assert_eq!(
        after["designations"]["totalCount"].as_i64(),
        before["designations"]["totalCount"].as_i64().map(|n| n + 1)
    );
    assert!(ids(&after).contains(&second), "{after}");
    assert_eq!(
        app.gql_data(reader, STATS, json!({})).await["statistics"]["total"].as_i64(),
        stats["statistics"]["total"].as_i64().map(|n| n + 1)
    );
    decide(&app, provincial, "recommend", recommend(&first, 2025)).await;
    let recommended = app.gql_data(reader, PAGE, json!({})).await;
    assert_eq!(status_of(&recommended, &first), "RECOMMENDED");

    // A decision straight through the engine (no HTTP request in between).
    let id = uuid::Uuid::now_v7();
    app.execute(scenario::list_enterprise(
        id,
        "缓存测试企业三",
        CityCode::Wuxi,
        3,
        1,
        scenario::day_in(2024, 3, 1),
    ))
    .await
    .unwrap();
    assert!(ids(&app.gql_data(reader, PAGE, json!({})).await).contains(&id.to_string()));
    app.shutdown().await;
}

async fn a_revoked_token_gets_no_cached_response(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    list_enterprise(&app, "缓存测试企业", CityCode::Suzhou, 1).await;
    let token = app.issue_token("缓存读者", Role::Reader, None).await;
    app.settle().await;
    app.gql_data(token.secret(), PAGE, json!({})).await;
    app.gql_data(token.secret(), PAGE, json!({})).await;
    app.revoke(&token).await;
    let (code, _) = app.gql_error(token.secret(), PAGE, json!({})).await;
    assert_eq!(code, "UNAUTHENTICATED");
    app.shutdown().await;
}

async fn roles_do_not_share_responses(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    list_enterprise(&app, "缓存测试企业", CityCode::Suzhou, 1).await;
    let query = "{ designations(first: 5) { nodes { history { actor } } } }";
    let actor = |page: &Value| page["designations"]["nodes"][0]["history"][0]["actor"].clone();
    for _ in 0..2 {
        let provincial = app
            .gql_data(app.tokens.provincial.secret(), query, json!({}))
            .await;
        assert!(actor(&provincial).is_string(), "{provincial}");
        let reader = app.gql_data(app.tokens.reader.secret(), query, json!({})).await;
        assert!(actor(&reader).is_null(), "{reader}");
        let city = app.gql_data(app.tokens.suzhou.secret(), query, json!({})).await;
        assert!(actor(&city).is_null(), "{city}");
    }
    app.shutdown().await;
}

async fn another_nodes_decision_is_in_the_next_response_once_followed(db: &TestDb) {
    let one = TestApp::spawn(db).await;
    list_enterprise(&one, "缓存测试企业一", CityCode::Suzhou, 1).await;
    let two = TestApp::spawn_on(&db.url, false).await;
    two.settle().await;
    let reader = two.tokens.reader.secret();
    let before = two.gql_data(reader, PAGE, json!({})).await;
    assert_eq!(two.gql_data(reader, PAGE, json!({})).await, before);
    let id = list_enterprise(&one, "缓存测试企业二", CityCode::Nanjing, 2).await;
    // Node two answers from its own registry: once that holds the decision, so does the
    // next response.
    two.settle().await;
    assert!(ids(&two.gql_data(reader, PAGE, json!({})).await).contains(&id));
    two.shutdown().await;
    one.shutdown().await;
}

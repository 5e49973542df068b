//! Reading the registry: Relay pagination over the demo sample, filters and total counts
//! (checked against the statistics), and `asOf` by position and by time.

use std::collections::BTreeSet;

use liangye_events::catalogue::CityCode;
use liangye_tests::app::count_in;
use liangye_tests::{TestApp, TestDb};
use serde_json::{Value, json};

use crate::support::{
    self, DESIGNATION, STAGES, decide, head, list_enterprise, pass_reviews, query_error, recommend,
};

on_both_backends!(
    pages_filters_and_counts_over_the_demo_sample,
    as_of_by_position_and_by_time,
    a_bad_as_of_is_a_validation_error,
    an_events_scan_for_a_rare_type_is_bounded_and_resumable,
);

const PAGE: &str = r#"query($filter: DesignationFilter, $first: Int, $after: String, $asOf: AsOf) {
    designations(filter: $filter, first: $first, after: $after, asOf: $asOf) {
        totalCount position
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } }
        nodes { id name kind cityCode status awardYear }
    }
}"#;

/// Walk every page of `filter` with pages of `first` (checking the Relay contract): the
/// nodes, in order, and the `totalCount` every page reported.
async fn walk(app: &TestApp, filter: Value, first: i64) -> (Vec<Value>, i64) {
    let variables = json!({ "filter": filter });
    support::walk(
        app,
        PAGE,
        "designations",
        variables,
        first,
        |_| {},
        |edge, node| {
            assert_eq!(edge["node"]["id"], node["id"]);
            assert_eq!(
                edge["cursor"], node["id"],
                "the cursor of a designation is its id"
            );
        },
    )
    .await
}

fn ids(nodes: &[Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The count for `key` = `value` in one of the statistics' lists.
async fn pages_filters_and_counts_over_the_demo_sample(db: &TestDb) {
    let app = TestApp::spawn_with_demo(db).await;
    let reader = app.tokens.reader.secret();
    let stats = app
        .gql_data(
            reader,
            "{ statistics { total byStatus { status count } byCity { cityCode total }
               byKind { kind total } byAwardYear { year awarded } } }",
            json!({}),
        )
        .await["statistics"]
        .clone();
    let total = stats["total"].as_i64().unwrap();
    assert!(total >= 40, "the demo sample has {total} units");

    // Every page, without overlap or gap, in the same order whatever the page size.
    let (all, count) = walk(&app, json!(null), 7).await;
    assert_eq!(count, total);
    assert_eq!(all.len() as i64, total);
    let distinct: BTreeSet<String> = ids(&all).into_iter().collect();
    assert_eq!(distinct.len(), all.len(), "a designation appeared twice");
    let (by_hundred, _) = walk(&app, json!(null), 100).await;
    assert_eq!(ids(&by_hundred), ids(&all));
    let (one_by_one, _) = walk(&app, json!(null), 1).await;
    assert_eq!(ids(&one_by_one), ids(&all));

    // `first` defaults to 20; 0 is an empty page; over 100 is refused.
    let data = app
        .gql_data(
            reader,
            "{ designations { nodes { id } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["designations"]["nodes"].as_array().unwrap().len(), 20);
    assert_eq!(data["designations"]["pageInfo"]["hasNextPage"], true);
    let data = app
        .gql_data(
            reader,
            "{ designations(first: 0) { nodes { id } totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["designations"]["nodes"], json!([]));
    assert_eq!(data["designations"]["totalCount"], total);
    let (code, _) = query_error(
        &app,
        reader,
        "{ designations(first: 101) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(code, "VALIDATION_FAILED");
    // Past the last designation: an empty page.
    let last = all.last().unwrap()["id"].as_str().unwrap();
    let data = app
        .gql_data(reader, PAGE, json!({ "after": last, "first": 5 }))
        .await;
    assert_eq!(data["designations"]["nodes"], json!([]));
    assert_eq!(data["designations"]["pageInfo"]["hasNextPage"], false);

    // Filters: every match and only matches, counted as the statistics count.
    for city in CityCode::all() {
        let (nodes, count) = walk(&app, json!({ "cityCode": city.code() }), 3).await;
        assert_eq!(count, nodes.len() as i64);
        assert_eq!(
            count,
            count_in(&stats["byCity"], "cityCode", city.code(), "total")
        );
        assert!(count > 0, "no units in {}", city.name());
        assert!(nodes.iter().all(|n| n["cityCode"] == city.code()));
    }
    for status in ["PILOT", "RECOMMENDED", "AWARDED", "DELISTED", "PILOT_REVOKED"] {
        let (nodes, count) = walk(&app, json!({ "status": status }), 20).await;
        assert_eq!(count, nodes.len() as i64);
        assert_eq!(count, count_in(&stats["byStatus"], "status", status, "count"));
        assert!(count > 0, "the demo has no {status} unit");
        assert!(nodes.iter().all(|n| n["status"] == status));
    }
    for kind in ["COUNTY", "DEVELOPMENT_ZONE", "INDUSTRIAL_ZONE", "ENTERPRISE"] {
        let (nodes, count) = walk(&app, json!({ "kind": kind }), 20).await;
        assert_eq!(count, count_in(&stats["byKind"], "kind", kind, "total"));
        assert!(count > 0 && nodes.iter().all(|n| n["kind"] == kind));
    }
    for year in 2022..=2025 {
        let (nodes, count) = walk(&app, json!({ "awardYear": year }), 20).await;
        assert!(count > 0, "no awards in {year}");
        assert!(nodes.iter().all(|n| n["awardYear"] == year));
        let expected = all.iter().filter(|n| n["awardYear"] == year).count();
        assert_eq!(count as usize, expected);
        // Delisted units keep their award year: the statistics count awards made.
        let made = count_in(&stats["byAwardYear"], "year", year, "awarded");
        assert_eq!(count, made, "awards of {year}");
    }
    let (nodes, count) = walk(&app, json!({ "nameContains": "苏州" }), 20).await;
    assert!(count > 0 && nodes.iter().all(|n| n["name"].as_str().unwrap().contains("苏州")));
    let expected = all
        .iter()
        .filter(|n| n["name"].as_str().unwrap().contains("苏州"))
        .count();
    assert_eq!(count as usize, expected);
    // Criteria combine; a filter nothing matches is an empty connection.
    let (nodes, count) = walk(
        &app,
        json!({ "cityCode": "320500", "kind": "ENTERPRISE", "status": "AWARDED" }),
        20,
    )
    .await;
    assert_eq!(count as usize, nodes.len());
    assert!(
        nodes
            .iter()
            .all(|n| n["cityCode"] == "320500" && n["kind"] == "ENTERPRISE" && n["status"] == "AWARDED")
    );
    let (nodes, count) = walk(&app, json!({ "nameContains": "不存在的名字" }), 20).await;
    assert_eq!((nodes.len(), count), (0, 0));
}

async fn as_of_by_position_and_by_time(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let provincial = app.tokens.provincial.secret();
    let reader = app.tokens.reader.secret();

    let id = list_enterprise(&app, "苏州时光科技有限公司", CityCode::Suzhou, 60).await;
    let listed_at = head(&app).await;
    decide(&app, provincial, "recommend", recommend(&id, 2025)).await;
    let recommended_at = head(&app).await;
    pass_reviews(&app, &id, 2025, &STAGES).await;
    let other = list_enterprise(&app, "苏州后来科技有限公司", CityCode::Suzhou, 61).await;
    let now = head(&app).await;

    let at = |position: i64| json!({ "position": position });
    let query = format!(
        "query($id: UUID!, $asOf: AsOf) {{ designation(id: $id, asOf: $asOf) {{ {DESIGNATION} history {{ position type }} }} }}"
    );
    let designation = async |id: &str, as_of: Value| {
        app.gql_data(reader, &query, json!({ "id": id, "asOf": as_of }))
            .await["designation"]
            .clone()
    };

    // By position.
    let d = designation(&id, at(listed_at)).await;
    assert_eq!(d["status"], "PILOT");
    assert_eq!(d["version"], 1);
    assert_eq!(
        d["history"].as_array().unwrap().len(),
        1,
        "history as of the same moment"
    );
    let d = designation(&id, at(recommended_at)).await;
    assert_eq!(d["status"], "RECOMMENDED");
    assert_eq!(d["version"], 2);
    assert_eq!(d["recommendedYear"], 2025);
    let d = designation(&id, Value::Null).await;
    assert_eq!(d["version"], 6);
    // Not yet listed then: null.
    assert!(designation(&other, at(listed_at)).await.is_null());

    // By time: the recordedAt of an event stands for the moment after it.
    let recorded_at = app.recorded_at(recommended_at).await;
    let d = designation(&id, json!({ "recordedAt": recorded_at })).await;
    assert_eq!(d["status"], "RECOMMENDED");
    assert_eq!(d["version"], 2);

    // designations and statistics as of a moment.
    let page = app.gql_data(reader, PAGE, json!({ "asOf": at(listed_at) })).await["designations"].clone();
    assert_eq!(page["totalCount"], 1);
    assert_eq!(page["position"], listed_at);
    assert_eq!(page["nodes"][0]["status"], "PILOT");
    let page = app.gql_data(reader, PAGE, json!({})).await["designations"].clone();
    assert_eq!(page["totalCount"], 2);
    assert_eq!(page["position"], now);
    let stats_query =
        "query($asOf: AsOf) { statistics(asOf: $asOf) { position total byStatus { status count } } }";
    let then = app
        .gql_data(reader, stats_query, json!({ "asOf": at(recommended_at) }))
        .await["statistics"]
        .clone();
    assert_eq!(then["position"], recommended_at);
    assert_eq!(then["total"], 1);
    assert_eq!(count_in(&then["byStatus"], "status", "RECOMMENDED", "count"), 1);
    let by_time = app
        .gql_data(
            reader,
            stats_query,
            json!({ "asOf": { "recordedAt": recorded_at } }),
        )
        .await["statistics"]
        .clone();
    assert_eq!(by_time, then);
    let current = app.gql_data(reader, stats_query, json!({})).await["statistics"].clone();
    assert_eq!(current["position"], now);
    assert_eq!(current["total"], 2);
}

async fn a_bad_as_of_is_a_validation_error(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let reader = app.tokens.reader.secret();
    let id = list_enterprise(&app, "苏州错误时刻科技有限公司", CityCode::Suzhou, 70).await;
    let head = head(&app).await;

    let bad = [
        json!({ "position": 1, "recordedAt": "2024-01-01T00:00:00Z" }),
        json!({}),
        json!({ "position": 0 }),
        json!({ "position": -3 }),
        json!({ "position": head + 1 }),
        json!({ "recordedAt": "2999-01-01T00:00:00Z" }),
        json!({ "recordedAt": "2000-01-01T00:00:00Z" }),
        json!({ "recordedAt": "yesterday" }),
    ];
    for as_of in bad {
        for (query, variables) in [
            (
                "query($id: UUID!, $asOf: AsOf) { designation(id: $id, asOf: $asOf) { id } }",
                json!({ "id": id, "asOf": as_of }),
            ),
            (
                "query($asOf: AsOf) { statistics(asOf: $asOf) { total } }",
                json!({ "asOf": as_of }),
            ),
            (
                "query($asOf: AsOf) { designations(asOf: $asOf) { totalCount } }",
                json!({ "asOf": as_of }),
            ),
        ] {
            let (code, message) = query_error(&app, reader, query, variables).await;
            assert_eq!(code, "VALIDATION_FAILED", "asOf {as_of}: {message}");
        }
    }
}

/// `events(type: …)` reads at most 10,000 events for one request: a type found nowhere in
/// 10,500 events answers an empty page with `hasNextPage` and an `endCursor` to go on from,
/// and going on reaches the end.
async fn an_events_scan_for_a_rare_type_is_bounded_and_resumable(db: &TestDb) {
    let app = TestApp::spawn(db).await;
    let base = head(&app).await;
    let events = (0..10_500)
        .map(|i| liangye_tests::raw_event(format!("bulk-{}", i % 7), "BulkLoaded", json!({ "i": i }), "bulk"))
        .collect();
    liangye_tests::append(&app.state.store, events).await.unwrap();
    let query = r#"query($after: Int) { events(after: $after, first: 10, type: "AccessRevoked") {
        nodes { position } pageInfo { hasNextPage endCursor } } }"#;
    let auditor = app.tokens.auditor.secret();
    let first = app.gql_data(auditor, query, json!({ "after": 0 })).await;
    let page = &first["events"];
    assert_eq!(page["nodes"], json!([]));
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor: i64 = page["pageInfo"]["endCursor"].as_str().unwrap().parse().unwrap();
    assert!(cursor >= 10_000 && cursor < base + 10_500, "{cursor}");
    let rest = app.gql_data(auditor, query, json!({ "after": cursor })).await;
    assert_eq!(rest["events"]["nodes"], json!([]));
    assert_eq!(rest["events"]["pageInfo"]["hasNextPage"], false);
}

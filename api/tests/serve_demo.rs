//! The real binary, as a newcomer runs it: `liangye serve --demo` on a fresh SQLite file
//! prints one token per role and the address it listens on; the sample it served covers all
//! 13 cities and every status; it runs without transparent huge pages (see
//! `store::without_transparent_huge_pages`); SIGTERM stops it cleanly (exit 0).

use liangye_tests::app::count_in;
use liangye_tests::process::Server;
use liangye_tests::{TestDb, http_client};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_serves_the_sample_and_stops_on_sigterm() {
    let db = TestDb::sqlite();
    let mut server = Server::start_with(&db.url, &db.path("serve.log"), &["--demo"]).await;

    let roles: Vec<&str> = server.tokens.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(
        roles,
        ["PROVINCIAL", "CITY", "AUDITOR", "READER"],
        "tokens printed"
    );
    let secret = |role: &str| server.token(role).to_owned();

    let client = http_client();
    let gql = |token: String, query: &'static str| {
        let client = client.clone();
        let url = server.url("/graphql");
        async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("POST /graphql");
            assert!(response.status().is_success(), "{}", response.status());
            let body: Value = response.json().await.expect("a JSON answer");
            assert!(body.get("errors").is_none(), "{query}: {body}");
            body["data"].clone()
        }
    };

    let stats = gql(
        secret("READER"),
        "{ statistics { total byStatus { status count } byCity { cityCode total }
           byKind { kind total } byAwardYear { year awarded } target { target awarded } } }",
    )
    .await["statistics"]
        .clone();
    assert!(
        stats["total"].as_i64().unwrap() >= 40,
        "units: {}",
        stats["total"]
    );
    let cities = stats["byCity"].as_array().unwrap();
    assert_eq!(cities.len(), 13, "{cities:?}");
    assert!(
        cities.iter().all(|c| c["total"].as_i64().unwrap() > 0),
        "{cities:?}"
    );
    for status in ["PILOT", "RECOMMENDED", "AWARDED", "DELISTED", "PILOT_REVOKED"] {
        let count = count_in(&stats["byStatus"], "status", status, "count");
        assert!(count > 0, "no {status} unit in the demo");
    }
    assert!(
        stats["byKind"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["total"].as_i64().unwrap() > 0),
        "every kind: {}",
        stats["byKind"]
    );
    assert_eq!(stats["target"]["target"], 100);

    let head = gql(
        secret("AUDITOR"),
        "{ logHead { position } events(first: 1) { nodes { type } } }",
    )
    .await;
    assert!(
        head["logHead"]["position"].as_i64().unwrap() >= 200,
        "events: {}",
        head["logHead"]
    );
    // The CITY token is 苏州's, and the PROVINCIAL token may read what only it and auditors may.
    let tokens_seen = gql(secret("PROVINCIAL"), "{ accessTokens { role cityCode } }").await;
    assert!(
        tokens_seen["accessTokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["role"] == "CITY" && t["cityCode"] == "320500"),
        "{tokens_seen}"
    );

    // The kernel shows the process's flag as `THP_enabled: 0` (Linux 5.0 and later).
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", server.pid())).expect("the server's /proc status");
    let line = status
        .lines()
        .find(|l| l.starts_with("THP_enabled:"))
        .expect("THP_enabled in /proc/PID/status");
    assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");

    // SIGTERM: a prompt, clean exit.
    let status = server.signal("-TERM").await.expect("wait for liangye serve");
    assert!(status.success(), "exit {status}; log:\n{}", server.log_text());
}
